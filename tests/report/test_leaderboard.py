"""``harness leaderboard``: every run and runner of a results folder, ranked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.leaderboard import scan, sort_rows


@pytest.fixture()
def results(tmp_path: Path, good_run: Path, regressed_run: Path, noisy_run: Path) -> Path:
    root = tmp_path / "results"
    for run in (regressed_run, good_run, noisy_run):
        shutil.copytree(run, root / run.name)
    (root / "interrupted").mkdir()  # no summary.json yet
    (root / "interrupted" / "generations.jsonl").write_text("", encoding="utf-8")
    return root


def test_rows_ranked_best_first_with_skipped_folders(results: Path) -> None:
    rows, skipped = scan(results)
    assert sorted(r.run_id for r in rows) == ["good", "noisy", "regressed"]
    ranked = sort_rows(rows, "qa_de.f1")
    assert [r.run_id for r in ranked] == ["good", "noisy", "regressed"]
    assert ranked[0].values["qa_de.f1"]["value"] == 100.0
    assert ranked[0].type == "scripted" and ranked[0].n == 72
    assert skipped == ["interrupted: no summary.json (interrupted or still running)"]


def test_cli_markdown_and_sortable_html(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "lb.html"
    assert main(["leaderboard", str(results), "--html", str(page), "--sort", "qa_de.exact"]) == 0
    out = capsys.readouterr().out
    lines = [x for x in out.splitlines() if x.startswith("| ")]
    assert lines[0].startswith("| # | run | runner |") and "qa_de.f1" in lines[0]
    assert [x.split("|")[2].strip() for x in lines[1:]] == ["`good`", "`noisy`", "`regressed`"]
    assert (
        "| 1 | `good` | model | scripted | 72 | 0 | 1.000 [1.000, 1.000] | 100.0 [100.0, 100.0] |"
        in out
    )
    assert "- interrupted: no summary.json" in out
    html = page.read_text(encoding="utf-8")
    assert 'table class="sortable"' in html and "data-sort=" in html
    assert html.count('<td class="num best"') == 3  # good is best on all three QA columns


def test_empty_or_missing_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["leaderboard", str(tmp_path / "none")]) == 2
    assert "no such results folder" in capsys.readouterr().err
    assert main(["leaderboard", str(tmp_path)]) == 2
    assert "no finished runs" in capsys.readouterr().err
