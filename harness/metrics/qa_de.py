"""German-aware QA exact match and F1 (0–100), max over answer aliases.

Unlike SQuAD's normaliser it keeps umlauts and German quotes apart from
words, turns every Unicode dash and punctuation mark into a space instead of
deleting it, drops German articles, maps number words to digits and compares
dates by value (see :mod:`harness.text.answers`). Two dates match when they
agree on every field both state, so "24. November" matches
"24. November 2025".

Unanswerable questions (no references) score 100 when the prediction is an
abstention, else 0; an abstention on an answerable question scores 0. An
abstention is an output whose content says the text does not answer (empty,
"nicht im Text", "Der Artikel nennt keine Zahl.", "not stated", ...; see
:func:`harness.text.abstain.is_abstention`): "Täter unbekannt" is an answer.
A sample without a usable output (a runner error, an output cut off empty,
filtered or refused) scores 0 through :meth:`HarnessMetric.score`, never 100.

Example:
    >>> m = QaDe()
    >>> m.score_one(ScoringInput("„Keo Chhea“", ["Keo Chhea"])).values["exact"]
    100.0
    >>> m.score_one(ScoringInput("2024-2028", ["2024–2028"])).values["exact"]
    100.0
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from harness.metrics import METRICS
from harness.metrics.base import CorrectRule, HarnessMetric, MetricResult, ScoringInput
from harness.text.abstain import DEFAULT_PHRASES, is_abstention
from harness.text.answers import DATE_PREFIX, answer_tokens, tokens_match


def _align(gold: list[str], pred: list[str]) -> list[str]:
    """Rewrite tokens of ``pred`` to the gold token they match (a compatible date, a bare
    year read as the same number), so counting works."""
    out = []
    for t in pred:
        if t not in gold and (t.startswith(DATE_PREFIX) or t.isdigit()):
            out.append(next((g for g in gold if tokens_match(g, t)), t))
        else:
            out.append(t)
    return out


def exact_de(gold: str, pred: str) -> float:
    g, p = answer_tokens(gold), answer_tokens(pred)
    return float(len(g) == len(p) and all(tokens_match(a, b) for a, b in zip(g, p, strict=True)))


def f1_de(gold: str, pred: str) -> float:
    g, p = answer_tokens(gold), answer_tokens(pred)
    if not g or not p:
        return float(g == p)
    p = _align(g, p)
    same = sum((Counter(g) & Counter(p)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


@METRICS.register("qa_de")
class QaDe(HarnessMetric):
    metric_name = "qa_de"
    tasks = ("qa",)
    keys = ("exact", "f1")
    correct_rules = (CorrectRule("exact", 100.0, "exact = 100"), CorrectRule("f1", 50.0, "F1 ≥ 50"))
    higher_is_better: ClassVar[dict[str, bool]] = {"exact": True, "f1": True}
    description = "German-aware QA exact match and F1 (0-100) with dates and numbers by value."

    def __init__(self, abstention_phrases: Sequence[str] = DEFAULT_PHRASES) -> None:
        super().__init__()
        self.phrases = tuple(abstention_phrases)

    def score_one(self, item: ScoringInput) -> MetricResult:
        question = item.sample.input if item.sample is not None else ""
        abstained = is_abstention(
            item.prediction, self.phrases, item.references, question=question
        )
        refs = [r for r in item.references if answer_tokens(r)]
        if not refs:  # unanswerable
            v = 100.0 if abstained else 0.0
            return MetricResult({"exact": v, "f1": v}, {"abstained": abstained})
        if abstained:
            return MetricResult({"exact": 0.0, "f1": 0.0}, {"abstained": True})
        em = max(exact_de(r, item.prediction) for r in refs)
        f = max(f1_de(r, item.prediction) for r in refs)
        return MetricResult({"exact": 100.0 * em, "f1": 100.0 * f})

    def signature(self) -> str:
        base = "qa_de|nfc+dashes+punct2space+de-articles+numwords+dates|v1"
        if self.phrases != DEFAULT_PHRASES:
            digest = hashlib.sha256("\x1f".join(self.phrases).encode("utf-8")).hexdigest()[:12]
            return f"{base}|abstention_phrases={len(self.phrases)}:{digest}"
        return base
