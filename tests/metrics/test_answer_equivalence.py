"""The answer_equivalence metric: scores, failures, abstentions, English answers, evaluate."""

from __future__ import annotations

import pytest

from harness import metrics
from harness.gold.load import build_samples, load_document
from harness.metrics.answer_equivalence import AnswerEquivalence
from harness.metrics.base import ScoringInput
from tests.conftest import DOC_ID, GOLD

DOC = load_document(GOLD / DOC_ID)
SAMPLES = {s.id: s for s in build_samples([DOC], ["qa"])}
SAMPLES_EN = {s.id: s for s in build_samples([DOC], ["qa"], ["en"])}


def _score(sample_id: str, answer: str, error: str | None = None, en: bool = False):
    sample = (SAMPLES_EN if en else SAMPLES)[f"{DOC_ID}/{sample_id}{'@en' if en else ''}"]
    item = ScoringInput(
        answer, list(sample.references), sample=sample, source=DOC.article, error=error
    )
    return AnswerEquivalence().score_one(item)


@pytest.mark.parametrize(
    ("sample_id", "answer", "score", "verdict"),
    [
        ("session-dates", "am 24. und 25. November", 1.0, "correct"),
        ("plan-launch", "2024", 0.5, "partial"),
        ("session-duration", "15 Tage", 0.0, "wrong"),
        ("speaker-name", "Dazu steht nichts im Artikel.", 0.0, "abstained"),
        ("session-chair", "Dazu steht nichts im Artikel.", 1.0, "abstained"),  # unanswerable
        ("session-chair", "António Guterres", 0.0, "wrong"),
        ("pillar-2", "improving victim protection", 1.0, "correct"),  # English to German
    ],
)
def test_scores(sample_id: str, answer: str, score: float, verdict: str) -> None:
    r = _score(sample_id, answer)
    assert r.values["score"] == score
    assert r.values["correct"] == float(score == 1.0)
    assert r.details["verdict"] == verdict


def test_english_question_accepts_english_answers() -> None:
    assert _score("venue-building", "UN headquarters", en=True).values["score"] == 1.0


@pytest.mark.parametrize("sample_id", ["session-chair", "speaker-name"])
def test_a_runner_error_is_a_failure_never_an_abstention(sample_id: str) -> None:
    r = _score(sample_id, "", error="HTTP 503")
    assert r.values == {"score": 0.0, "correct": 0.0}
    assert r.details["verdict"] == "wrong" and "runner error" in r.details["reason"]


def test_evaluate_module_and_signature() -> None:
    module = metrics.load("answer_equivalence")
    out = module.compute(predictions=["vier Säulen"], references=[["4 Säulen"]])
    assert out["score"] == 1.0
    assert AnswerEquivalence().signature().startswith("answer_equivalence|")


def test_it_leads_the_default_config() -> None:
    from harness.config import load_config

    cfg, _ = load_config(GOLD.parent / "configs" / "default.yaml")
    first = cfg.metrics.qa[0]
    assert (first if isinstance(first, str) else first.name) == "answer_equivalence"
