"""`harness meta-eval`: agreement figures, computed right, on the shipped and on tiny gold."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.metaeval.agreement import binary_agreement
from harness.metaeval.render import render_html, render_markdown
from harness.metaeval.run import meta_eval
from tests.conftest import DOC_ID, GOLD


def test_agreement_figures_by_hand() -> None:
    # people: R R R N N N N N ; metric: R R N R N N N N  -> TP 2, FN 1, FP 1, TN 4
    human = [True, True, True, False, False, False, False, False]
    metric = [True, True, False, True, False, False, False, False]
    a = binary_agreement(human, metric, resamples=200, seed=1)
    assert (a.tp, a.fn, a.fp, a.tn) == (2, 1, 1, 4)
    assert a.accuracy.value == pytest.approx(6 / 8)
    assert a.false_positive_rate.value == pytest.approx(1 / 5)
    assert a.false_negative_rate.value == pytest.approx(1 / 3)
    # kappa: p_o = .75, p_e = (3/8)(3/8) + (5/8)(5/8) = 34/64
    assert a.kappa.value == pytest.approx((0.75 - 34 / 64) / (1 - 34 / 64))
    assert a.accuracy.low <= a.accuracy.value <= a.accuracy.high
    again = binary_agreement(human, metric, resamples=200, seed=1)
    assert again == a  # seeded


def _tiny_gold(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    dest = tmp_path / "gold" / DOC_ID
    shutil.copytree(GOLD / DOC_ID, dest)
    (dest / "judgements.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    (dest / "summary_judgements.jsonl").unlink()
    return dest.parent


def test_a_metric_that_disagrees_is_listed_with_both_reasons(tmp_path: Path) -> None:
    rows = [
        {
            "sample_id": "session-dates",
            "answer": "Sie fand am 24. und 25. November statt.",
            "verdict": "correct",
            "reason": "same days",
        },
        {
            "sample_id": "session-dates",
            "answer": "24. bis 25. Oktober",
            "verdict": "wrong",
            "reason": "October",
        },
        {
            "sample_id": "session-chair",
            "answer": "Dazu steht nichts im Artikel.",
            "verdict": "abstained",
            "reason": "the article names no chair",
        },
        {
            "sample_id": "speaker-name@en",
            "answer": "Ambassador Keo Chhea",
            "verdict": "correct",
            "reason": "English answer to the English question",
        },
    ]
    gold = _tiny_gold(tmp_path, rows)
    result = meta_eval([gold], metrics=["answer_equivalence", "qa_de"], resamples=50)
    by = {(r.metric, r.rule): r for r in result.qa}
    ae = by[("answer_equivalence", "verdict correct")]
    assert ae.agreement.n == 4 and ae.agreement.accuracy.value == 1.0 and not ae.disagreements
    exact = by[("qa_de", "exact = 100")]
    # qa_de's exact match misses the reworded dates: one false negative, listed with reasons.
    assert [d.answer for d in exact.disagreements] == ["Sie fand am 24. und 25. November statt."]
    assert exact.disagreements[0].reason == "same days"
    assert result.summary is None
    md = render_markdown(result.qa, result.summary)
    assert md.index("| answer_equivalence |") < md.index("| qa_de |")
    assert "Sie fand am 24. und 25. November statt." in md


def test_cli_prints_every_qa_and_summary_metric_and_writes_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "meta.html"
    code = main(["meta-eval", str(GOLD), "--resamples", "100", "--html", str(page)])
    out = capsys.readouterr().out
    assert code == 0
    for row in (
        "| answer_equivalence | verdict correct |",
        "| qa_de | exact = 100 |",
        "| qa_de | F1 ≥ 50 |",
        "| squad_v2 | exact = 100 |",
        "| squad_v2 | F1 ≥ 50 |",
    ):
        assert row in out
    for metric in ("faithful_coverage", "rouge", "chrf", "key_facts", "hallucination"):
        assert f"| {metric} |" in out
    html = page.read_text(encoding="utf-8")
    assert "<table>" in html and "<script" not in html


def test_the_shipped_set_meets_the_agreement_goal() -> None:
    """The headline QA metric against the shipped human verdicts (issue 10's goal)."""
    result = meta_eval([GOLD], metrics=["answer_equivalence"], resamples=0)
    a = result.qa[0].agreement
    assert a.n >= 400
    assert a.accuracy.value >= 0.95
    assert a.kappa.value >= 0.90
    assert a.false_positive_rate.value <= 0.02


def test_html_escapes_judged_text(tmp_path: Path) -> None:
    rows = [
        {
            "sample_id": "speaker-name",
            "answer": "<script>alert(1)</script> | x",
            "verdict": "correct",
            "reason": "<b>markup</b>",
        }
    ]  # a disagreement: listed
    gold = _tiny_gold(tmp_path, rows)
    result = meta_eval([gold], metrics=["squad_v2"], resamples=0)
    page = render_html(render_markdown(result.qa, result.summary))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_unknown_metric_and_broken_judgements_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["meta-eval", str(GOLD), "--metrics", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    gold = _tiny_gold(tmp_path, [{"sample_id": "speaker-name", "answer": "x"}])
    assert main(["meta-eval", str(gold)]) == 2
    assert re.search(r"judgements\.jsonl:1: verdict", capsys.readouterr().err)


def test_config_metrics_are_meta_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"name: t\ngold: [{GOLD}]\nrunners: [{{name: o, type: oracle}}]\n"
        "metrics:\n  qa: [squad_v2]\n  summary: [chrf]\n",
        encoding="utf-8",
    )
    assert main(["meta-eval", "--config", str(cfg), "--resamples", "0"]) == 0
    out = capsys.readouterr().out
    assert "| squad_v2 |" in out and "| answer_equivalence |" not in out
    assert "| chrf |" in out and "| rouge |" not in out


def test_an_llm_judge_is_meta_evaluated_like_any_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A judge that calls every answer correct: its false-positive rate is the share of
    # answers people call not right, and meta-eval says so before anyone trusts it.
    rows = [
        {"sample_id": "speaker-name", "answer": "Keo Chhea", "verdict": "correct", "reason": "r"},
        {"sample_id": "speaker-name", "answer": "Hun Sen", "verdict": "wrong", "reason": "r"},
        {"sample_id": "session-chair", "answer": "Guterres", "verdict": "wrong", "reason": "r"},
        {
            "sample_id": "session-chair",
            "answer": "Nicht im Text.",
            "verdict": "abstained",
            "reason": "r",
        },
    ]
    gold = _tiny_gold(tmp_path, rows)
    cfg = tmp_path / "judge.yaml"
    cfg.write_text(
        f"name: j\ngold: [{gold}]\nrunners: [{{name: o, type: oracle}}]\n"
        "metrics:\n  qa:\n    - name: judge\n      options:\n        rubric: correctness\n"
        "        cache: false\n"
        '        runner: {type: scripted, options: {default: \'{"verdict": "correct"}\'}}\n'
        "  summary: [rouge]\n",
        encoding="utf-8",
    )
    assert main(["meta-eval", "--config", str(cfg), "--resamples", "0"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| judge | score ≥ 0.75 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2].startswith("50.0")  # accuracy: right on the 2 right answers only
    assert cells[4].startswith("100.0")  # false positives: both wrong answers called right
