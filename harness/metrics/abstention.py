"""Abstention on unanswerable questions: did the model say "not in the text" when it should?

An output is an abstention when its content is an abstention statement:
empty, or "nicht im Text", "Dazu steht nichts im Artikel.", "unbekannt",
"I don't know.", ... after lead-ins and apologies are dropped, with no other
word that gives a value ("Täter unbekannt" and "Die Zahl ist nicht bekannt,
aber Keo Chhea sprach" are answers; see
:func:`harness.text.abstain.is_abstention`, which also takes the configured
phrases). A question is unanswerable when its sample says so
(``answerable: false``), or, without a sample, when it has no non-empty
reference.

Per sample: ``abstained`` (0/1), plus ``correct_abstention`` (0/1) on
unanswerable questions and ``false_abstention`` (0/1) on answerable ones. The
pipeline's mean of ``correct_abstention`` is therefore the recall, and the mean
of ``false_abstention`` the false-abstention rate, each with its CI.

Corpus level (:meth:`Abstention.aggregate`), with A = abstentions,
U = unanswerable questions, AU = abstentions on unanswerable questions:

* ``precision`` = AU / A: how often an abstention was right;
* ``recall`` = AU / U;
* ``f1`` = their harmonic mean (0 when AU = 0);
* ``confident_wrong_rate`` = (U - AU) / U: unanswerable questions answered anyway;
* ``false_abstention_rate``: abstentions on answerable questions / answerable;
* the counts ``abstentions``, ``unanswerable``, ``answerable``.

A ratio whose denominator is 0 is left out rather than reported as 0.0 (no
abstention at all gives no ``precision``: there is nothing to be precise
about; the counts say why). ``f1`` is given whenever ``recall`` is.

A sample without a usable output (the runner failed, or the output is empty
and was cut at the token limit, filtered, refused or only reasoning) is no
abstention: ``abstained`` 0, ``correct_abstention`` 0 on an unanswerable
question, ``false_abstention`` 0 on an answerable one, outcome ``error``
(:meth:`Abstention.score_failure`); the pipeline counts these samples apart.

Example:
    >>> from harness.types import Sample
    >>> def item(pred, answerable):
    ...     s = Sample("d/q", "d", "qa", "de", "Wer?", ("X",) if answerable else (),
    ...                answerable=answerable)
    ...     return ScoringInput(pred, list(s.references), sample=s)
    >>> m = Abstention()
    >>> items = [item("Nicht im Text.", False), item("Hun Sen", False),
    ...          item("unbekannt", True), item("Keo Chhea", True)]
    >>> rows = [dict(m.score_one(i).values) for i in items]
    >>> agg = m.aggregate(rows, items)
    >>> agg["precision"], agg["recall"], agg["confident_wrong_rate"], agg["false_abstention_rate"]
    (0.5, 0.5, 0.5, 0.5)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.text.abstain import DEFAULT_PHRASES, is_abstention

__all__ = ["Abstention", "report_lines"]


def _unanswerable(item: ScoringInput) -> bool:
    if item.sample is not None:
        return not item.sample.answerable
    return not any(r.strip() for r in item.references)


@METRICS.register("abstention")
class Abstention(HarnessMetric):
    """Abstention precision, recall and confident wrong answers (see the module docstring).

    Args:
        phrases: The abstention phrases (default: German and English
            :data:`~harness.text.abstain.DEFAULT_PHRASES`).
        extra_phrases: Phrases added to ``phrases`` (e.g. a model's own wording).

    Raises:
        ValueError: If a phrase is not a non-empty string.
    """

    metric_name = "abstention"
    tasks = ("qa",)
    keys = ("abstained", "correct_abstention", "false_abstention")
    higher_is_better: ClassVar[dict[str, bool]] = {
        "abstained": True,
        "correct_abstention": True,
        "false_abstention": False,
        "precision": True,
        "recall": True,
        "f1": True,
        "confident_wrong_rate": False,
        "false_abstention_rate": False,
        "abstentions": True,
        "unanswerable": True,
        "answerable": True,
    }
    description = (
        "Abstention on unanswerable questions: precision, recall, F1, confident wrong answers "
        "and abstentions on answerable questions."
    )
    corpus_level = True

    def __init__(
        self,
        phrases: Sequence[str] = DEFAULT_PHRASES,
        extra_phrases: Sequence[str] = (),
    ) -> None:
        if isinstance(phrases, str) or isinstance(extra_phrases, str):
            raise ValueError("abstention: phrases and extra_phrases must be lists of strings")
        all_phrases = (*phrases, *extra_phrases)
        for i, p in enumerate(all_phrases):
            if not isinstance(p, str) or not p.strip():
                raise ValueError(f"abstention: phrase {i}: must be a non-empty string, got {p!r}")
        super().__init__()
        self.phrases: tuple[str, ...] = tuple(dict.fromkeys(all_phrases))

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Whether ``item.prediction`` abstains, and whether it should have."""
        question = item.sample.input if item.sample is not None else ""
        # A runner failure leaves an empty prediction, but the model did not abstain.
        abstained = item.error is None and is_abstention(
            item.prediction, self.phrases, item.references, question=question
        )
        return self._result(item, abstained)

    def score_failure(self, item: ScoringInput, reason: str) -> MetricResult:
        """No output is no abstention: 0 in every key that applies, outcome ``error``."""
        result = self._result(item, False)
        return MetricResult(result.values, {**result.details, "outcome": "error", "error": reason})

    def _result(self, item: ScoringInput, abstained: bool) -> MetricResult:
        unanswerable = _unanswerable(item)
        values: dict[str, float] = {"abstained": float(abstained)}
        if unanswerable:
            values["correct_abstention"] = float(abstained)
            outcome = "correct_abstention" if abstained else "confident_wrong"
        else:
            values["false_abstention"] = float(abstained)
            outcome = "false_abstention" if abstained else "answered"
        return MetricResult(
            values,
            {"abstained": abstained, "answerable": not unanswerable, "outcome": outcome},
        )

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """Corpus-level precision, recall, F1 and rates from the per-sample rows."""
        unanswerable = [r for r in per_sample if "correct_abstention" in r]
        answerable = [r for r in per_sample if "false_abstention" in r]
        hits = sum(r["correct_abstention"] for r in unanswerable)
        false = sum(r["false_abstention"] for r in answerable)
        abstentions = hits + false
        out: dict[str, float] = {
            "abstentions": abstentions,
            "unanswerable": float(len(unanswerable)),
            "answerable": float(len(answerable)),
        }
        if per_sample:
            out["abstained"] = sum(r.get("abstained", 0.0) for r in per_sample) / len(per_sample)
        if abstentions:
            out["precision"] = hits / abstentions
        if unanswerable:
            recall = hits / len(unanswerable)
            out["recall"] = recall
            out["confident_wrong_rate"] = 1.0 - recall
            precision = out.get("precision", 0.0)
            out["f1"] = 2 * precision * recall / (precision + recall) if hits else 0.0
        if answerable:
            out["false_abstention_rate"] = false / len(answerable)
        return out

    def signature(self) -> str:
        digest = hashlib.sha256("\n".join(self.phrases).encode("utf-8")).hexdigest()[:12]
        return f"abstention|phrases:{len(self.phrases)}:{digest}|content-grammar|v2"


def report_lines(details: Mapping[str, Any]) -> list[str]:
    """A report line for the samples that went wrong; ``[]`` for the ones that went right.

    Example:
        >>> report_lines({"abstained": False, "answerable": False, "outcome": "confident_wrong"})
        ['answered an unanswerable question (confident wrong answer)']
        >>> report_lines({"abstained": True, "answerable": True, "outcome": "false_abstention"})
        ['abstained on an answerable question']
    """
    outcome = details.get("outcome")
    if outcome == "confident_wrong":
        return ["answered an unanswerable question (confident wrong answer)"]
    if outcome == "false_abstention":
        return ["abstained on an answerable question"]
    return []
