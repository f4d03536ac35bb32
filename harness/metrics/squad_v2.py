"""SQuAD v2 exact match and F1, exactly as the official definitions.

Answers are lowercased, ASCII punctuation is deleted, the English articles
``a an the`` are dropped and whitespace is collapsed; EM is equality, F1 the
bag-of-tokens overlap; the maximum over the gold answers is taken; gold
answers that normalise to nothing are dropped and, if none remain, the gold is
the empty answer (no-answer). If either side is empty, F1 is 1 when both are.
Scores are on the official 0–100 scale.

This metric is kept for comparability with published SQuAD numbers. It is
wrong for German (see ``qa_de``). By default an answer recognised as an
abstention ("nicht im Text", "not stated", ...) is scored as the empty answer,
SQuAD v2's way to abstain; ``abstention_as_empty=False`` scores the raw string.

Example:
    >>> m = SquadV2()
    >>> m.score_one(ScoringInput("the Keo Chhea.", ["Keo Chhea"])).values["exact"]
    100.0
    >>> m.score_one(ScoringInput("", [])).values["f1"]
    100.0
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.text.abstain import is_abstention

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lowercase, delete ASCII punctuation, drop a/an/the, collapse whitespace."""
    text = text.lower()
    text = "".join(c for c in text if c not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def answer_tokens(text: str) -> list[str]:
    return normalize_answer(text).split() if text else []


def exact(gold: str, pred: str) -> int:
    return int(normalize_answer(gold) == normalize_answer(pred))


def f1(gold: str, pred: str) -> float:
    g, p = answer_tokens(gold), answer_tokens(pred)
    if not g or not p:
        return float(g == p)
    same = sum((Counter(g) & Counter(p)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def gold_answers(references: list[str] | tuple[str, ...]) -> list[str]:
    """The gold list as SQuAD v2 scores it: non-empty after normalisation, else ``[""]``."""
    kept = [a for a in references if normalize_answer(a)]
    return kept or [""]


@METRICS.register("squad_v2")
class SquadV2(HarnessMetric):
    metric_name = "squad_v2"
    tasks = ("qa",)
    keys = ("exact", "f1")
    higher_is_better: ClassVar[dict[str, bool]] = {"exact": True, "f1": True}
    description = "SQuAD v2 exact match and F1 (official definitions, 0-100)."

    def __init__(self, abstention_as_empty: bool = True) -> None:
        super().__init__(abstention_as_empty=abstention_as_empty)
        self.abstention_as_empty = abstention_as_empty

    def score_one(self, item: ScoringInput) -> MetricResult:
        pred = item.prediction
        if self.abstention_as_empty and is_abstention(pred, answers=item.references):
            pred = ""
        golds = gold_answers(list(item.references))
        em = max(exact(g, pred) for g in golds)
        f = max(f1(g, pred) for g in golds)
        return MetricResult({"exact": 100.0 * em, "f1": 100.0 * f})

    def signature(self) -> str:
        return f"squad_v2|official-normalize|abstention_as_empty={self.abstention_as_empty}"
