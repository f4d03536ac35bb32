"""``harness compare``: paired deltas with significance, flips, runner pairing, outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.report.compare import compare_runs, pair_runners
from harness.report.load import Rule, load_run
from harness.types import Sample
from tests.report.conftest import MakeRun, right_outputs, spoil


def _wrong_ids(run: Path) -> set[str]:
    data = load_run(run)
    return {sid for (_, sid), s in data.scores.items() if s.values["qa_de.exact"] < 100}


def test_planted_regression_is_significant_with_every_flip_listed(
    good_run: Path, regressed_run: Path
) -> None:
    c = compare_runs(load_run(good_run), load_run(regressed_run), resamples=500)
    (pair,) = c.pairs
    assert (pair.runner_a, pair.runner_b, pair.n_paired) == ("model", "model", 72)
    exact = next(d for d in pair.deltas if d.key == "qa_de.exact")
    assert exact.mean_a == 100.0
    assert exact.stats.diff == pytest.approx(-25 / 72 * 100)
    assert exact.significant and exact.direction == "worse"
    assert exact.stats.high < 0 and exact.stats.p_permutation < 0.01
    assert {f.sample.id for f in pair.right_to_wrong} == _wrong_ids(regressed_run)
    assert pair.wrong_to_right == ()
    # per category: where each side wins, adding up to the flips
    assert sum(cd.wins_a for cd in pair.categories) == 25
    assert sum(cd.wins_b for cd in pair.categories) == 0
    assert {cd.category for cd in pair.categories} == {
        s.category for s in load_run(good_run).samples.values()
    }
    flip = pair.right_to_wrong[0]
    assert flip.pred_b == "Phnom Penh" and flip.pred_a == flip.sample.references[0]
    # the other direction: the same flips, now wrong -> right, and B better
    back = compare_runs(load_run(regressed_run), load_run(good_run), resamples=500).pairs[0]
    assert len(back.wrong_to_right) == 25 and back.right_to_wrong == ()
    assert next(d for d in back.deltas if d.key == "qa_de.exact").direction == "better"


def test_noise_is_not_significant(good_run: Path, noisy_run: Path) -> None:
    (pair,) = compare_runs(load_run(good_run), load_run(noisy_run), resamples=500).pairs
    for d in pair.deltas:
        assert d.stats.diff < 0  # worse, but ...
        assert not d.significant and d.direction == "same", d.key  # ... within noise


def test_cli_writes_markdown_and_html(
    good_run: Path, regressed_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, page = tmp_path / "cmp.md", tmp_path / "out" / "cmp.html"
    args = ["compare", str(good_run), str(regressed_run), "-o", str(md), "--html", str(page)]
    assert main([*args, "--resamples", "300", "--max-flips", "5"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == md.read_text(encoding="utf-8").strip()
    assert "| qa | `qa_de.exact` | 100.0 | 65.3 | −34.7 |" in out
    assert "▼ worse" in out and "**Right → wrong: 25**" in out and "**Wrong → right: 0**" in out
    assert "| … | 20 more | | | |" in out
    assert "<details><summary>Per category: where each side wins</summary>" in out
    html = page.read_text(encoding="utf-8")
    assert html.count("<tr><td><code>") == 25  # every flip, with both predictions
    assert 'class="point"' in html and "<script>" in html


def test_two_runners_of_one_run(
    make_run: MakeRun, qa_samples: list[Sample], capsys: pytest.CaptureFixture[str]
) -> None:
    good = right_outputs(qa_samples)
    worse = spoil(good, [s.id for s in qa_samples if s.answerable][:10], "<b>nein</b>")
    run = make_run("two", {"x": good, "y": worse})
    assert main(["compare", str(run), str(run)]) == 2
    assert "comparing a run with itself" in capsys.readouterr().err
    assert main(["compare", str(run), str(run), "--runner-a", "x", "--runner-b", "y"]) == 0
    out = capsys.readouterr().out
    assert "### x → y" in out and "**Right → wrong: 10**" in out
    assert "&lt;b&gt;nein&lt;/b&gt;" in out  # Markdown cells escape HTML
    assert main(["compare", str(run), str(run), "--runner-a", "x", "--runner-b", "zz"]) == 2
    assert "runner 'zz' is not in run B" in capsys.readouterr().err


def test_pairing_by_name_and_the_one_left_over(
    make_run: MakeRun, qa_samples: list[Sample], good_run: Path
) -> None:
    out = right_outputs(qa_samples)
    other = make_run("other-model", {"base": out, "qwen": out})
    base = make_run("base-model", {"base": out, "gemma": out})
    assert pair_runners(load_run(base), load_run(other)) == [("base", "base"), ("gemma", "qwen")]
    with pytest.raises(ValueError, match="no runners to pair"):
        pair_runners(load_run(good_run), load_run(other))


def test_custom_right_rule_and_bad_rule(
    good_run: Path, noisy_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = compare_runs(
        load_run(good_run), load_run(noisy_run), rules=(Rule.parse("qa_de.f1>=50"),), resamples=200
    )
    # the partly right answer keeps f1 >= 50: only the two wrong answers flip
    assert len(c.pairs[0].right_to_wrong) == 2
    assert main(["compare", str(good_run), str(noisy_run), "--right", "f1 is high"]) == 2
    assert "--right: 'f1 is high' is not a rule" in capsys.readouterr().err
