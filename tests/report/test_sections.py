"""Report sections: grounded scoring and the paired comparison against the best baseline."""

from __future__ import annotations

from pathlib import Path

from harness.config import RunConfig
from harness.gold.load import build_samples, load_gold
from harness.pipeline import run
from tests.conftest import GOLD


def _run(tmp_path: Path, outputs: dict[str, str]) -> str:
    cfg = RunConfig.model_validate({
        "name": "paired",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "runners": [
            {"name": "retrieval", "type": "retrieval"},
            {"name": "model", "type": "scripted", "options": {"outputs": outputs}},
        ],
        "metrics": {"qa": ["qa_de", "squad_v2", "hallucination", "abstention"]},
        "bootstrap": {"resamples": 300},
        "cache": {"enabled": False},
    })
    path = run(cfg, tmp_path, output_dir=tmp_path / "results")
    return (path / "report.md").read_text(encoding="utf-8")


def _qa_samples():  # type: ignore[no-untyped-def]
    return build_samples(load_gold(GOLD), ["qa"])


def test_a_clearly_better_model_is_significantly_better(tmp_path: Path) -> None:
    gold = {s.id: (s.references[0] if s.references else "") for s in _qa_samples()}
    report = _run(tmp_path, gold)
    section = report.split("## Paired comparison against the best baseline")[1].split("## ")[0]
    row = next(line for line in section.splitlines() if "| qa_de.f1 |" in line)
    assert "| model | retrieval |" in row and "**better**" in row


def test_a_model_with_invented_numbers_is_listed(tmp_path: Path) -> None:
    sample = next(s for s in _qa_samples() if s.id.endswith("/pillar-count"))
    report = _run(tmp_path, {sample.id: "fünf Säulen, gegründet 1999"})
    section = report.split("## Hallucinated dates, numbers and names")[1].split("\n## ")[0]
    row = next(line for line in section.splitlines() if line.startswith("| model | qa |"))
    assert "pillar-count: unsupported" in row and "1999" in row
    assert "## Abstention on unanswerable questions" in report


def test_no_model_no_paired_section(tmp_path: Path) -> None:
    cfg = RunConfig.model_validate({
        "gold": [str(GOLD)], "tasks": ["qa"], "runners": [{"name": "lead", "type": "lead"}],
        "bootstrap": {"resamples": 50}, "cache": {"enabled": False}})
    path = run(cfg, tmp_path, output_dir=tmp_path / "results")
    assert "## Paired comparison" not in (path / "report.md").read_text(encoding="utf-8")


def test_contradicted_key_facts_are_shown_next_to_missed_ones(tmp_path: Path) -> None:
    sample = next(
        s for s in build_samples(load_gold(GOLD), ["summary"]) if s.id.endswith("summary-abstract")
    )
    wrong_date = (
        "Kambodscha hat auf einer hochrangigen UN-Sitzung in New York am 17. und 18. November "
        "sein Engagement gegen Menschenhandel bekräftigt."
    )
    cfg = RunConfig.model_validate({
        "name": "facts", "gold": [str(GOLD)], "tasks": ["summary"],
        "runners": [{"name": "model", "type": "scripted",
                     "options": {"outputs": {sample.id: wrong_date}}}],
        "metrics": {"summary": ["faithful_coverage", "key_facts"]},
        "bootstrap": {"resamples": 50}, "cache": {"enabled": False},
    })  # fmt: skip
    path = run(cfg, tmp_path, output_dir=tmp_path / "results")
    report = (path / "report.md").read_text(encoding="utf-8")
    section = report.split("## Key facts in summaries")[1].split("\n## ")[0]
    assert "| found | contradicted | missed |" in section
    row = next(line for line in section.splitlines() if "| abstract |" in line)
    assert "Datum 24.–25. November — '17. und 18. November'" in row
    assert "missed: " in row
    # the headline score comes first in the summary table
    table = report.split("| runner | n | errors |", 1)[1].splitlines()[0]
    assert table.split("|")[0].strip() == "faithful_coverage.score"
