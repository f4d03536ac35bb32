"""Answer equivalence: a QA verdict per answer, judged as a careful reader would.

The headline QA metric. Each answer gets a verdict — ``correct``, ``partial``,
``wrong`` or ``abstained`` — a score (1, 0.5, 0; an abstention scores 1 on a
question the article does not answer and 0 elsewhere) and the reason, from
:func:`harness.text.equivalence.judge_answer`: gold variants in German or
English found inside longer answers after normalisation, stemming and
compound splitting; dates by value and granularity, numbers by value with
units and scale words, yes/no by polarity, lists by coverage; conflicting
values, hedges and negations make an answer wrong. Deterministic, offline,
explainable. Its agreement with human verdicts is measured by
``harness meta-eval`` on the judged answers shipped with the gold.

Values per sample (all 0–1): ``score``; ``correct`` (1 when the verdict is
right: ``correct``, or an abstention on an unanswerable question). Details:
``verdict``, ``reason``, ``matched`` (the gold variant compared with). A
sample whose runner failed scores 0 with the verdict ``wrong`` and the reason
``runner error``: a failure is never an abstention.

Example:
    >>> from harness.types import Sample
    >>> s = Sample("d/q", "d", "qa", "de", "Wie viele Tage dauerte die Sitzung?",
    ...            ("zwei Tage",), answer_type="number")
    >>> item = ScoringInput("Sie dauerte 2 Tage.", ["zwei Tage"], sample=s)
    >>> r = AnswerEquivalence().score_one(item)
    >>> r.values["score"], r.details["verdict"]
    (1.0, 'correct')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import CorrectRule, HarnessMetric, MetricResult, ScoringInput
from harness.text.equivalence import SCORES, judge_answer

__all__ = ["AnswerEquivalence"]


@METRICS.register("answer_equivalence")
class AnswerEquivalence(HarnessMetric):
    """A careful reader's verdict on a QA answer (see the module docstring).

    Args:
        abstention_phrases: Extra phrases that make an answer an abstention,
            passed to :func:`harness.text.abstain.is_abstention`.
    """

    metric_name = "answer_equivalence"
    tasks = ("qa",)
    keys = ("score", "correct")
    correct_rules = (CorrectRule("correct", 1.0, "verdict correct"),)
    higher_is_better: ClassVar[dict[str, bool]] = {"score": True, "correct": True}
    description = (
        "Answer equivalence: a careful reader's verdict (correct / partial / wrong / abstained) "
        "with dates, numbers, yes/no and lists compared by meaning; score 1 / 0.5 / 0."
    )
    citation = (
        "Rules after Bulian et al. 2022 (BEM) and Li et al. 2024 (PEDANTS); "
        "see gold/README.md, 'Judging answers'."
    )

    def __init__(self, abstention_phrases: Sequence[str] | None = None) -> None:
        if isinstance(abstention_phrases, str):
            raise ValueError("answer_equivalence: abstention_phrases must be a list of strings")
        super().__init__()
        self.phrases = None if abstention_phrases is None else tuple(abstention_phrases)
        if self.phrases is not None:
            self.options["abstention_phrases"] = len(self.phrases)

    def score_one(self, item: ScoringInput) -> MetricResult:
        sample = item.sample
        answerable = (
            sample.answerable if sample is not None else any(r.strip() for r in item.references)
        )
        if item.error is not None:
            return MetricResult(
                {"score": 0.0, "correct": 0.0},
                {"verdict": "wrong", "reason": f"runner error: {item.error}"[:300]},
            )
        golds_en: Sequence[str] = ()
        if sample is not None:
            golds_en = [str(a) for a in sample.metadata.get("answers_en", ()) or ()]
        j = judge_answer(
            item.prediction,
            [r for r in item.references if r.strip()],
            question=sample.input if sample is not None else "",
            answer_type=sample.answer_type if sample is not None else "factoid",
            answerable=answerable,
            source=item.source,
            golds_en=golds_en,
            abstention_phrases=self.phrases,
        )
        # An abstention is the right answer where the article is silent, and only there.
        score = float(not answerable) if j.verdict == "abstained" else SCORES[j.verdict]
        details: dict[str, Any] = {"verdict": j.verdict, "reason": j.reason}
        if j.matched is not None:
            details["matched"] = j.matched
        return MetricResult({"score": score, "correct": float(score == 1.0)}, details)

    def signature(self) -> str:
        base = "answer_equivalence|de+en|dates+numbers+yesno+lists+synonyms|v1"
        if self.phrases is not None:
            return f"{base}|abstention_phrases={len(self.phrases)}"
        return base
