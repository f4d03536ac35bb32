"""SQuAD v2 exact match and F1, exactly as the official definitions.

Answers are lowercased, ASCII punctuation is deleted, the English articles
``a an the`` are dropped and whitespace is collapsed; EM is equality, F1 the
bag-of-tokens overlap; the maximum over the gold answers is taken; gold
answers that normalise to nothing are dropped and, if none remain, the gold is
the empty answer (no-answer). If either side is empty, F1 is 1 when both are.
Scores are on the official 0–100 scale.

This metric is kept for comparability with published SQuAD numbers. It is
wrong for German (see ``qa_de``). As in the official script, a prediction is
"no answer" only when it is the empty string: "nicht im Text", "unknown" or
"Täter unbekannt" are answers, scored as strings (0 on an unanswerable
question). ``abstention_as_empty=True`` (not official; the signature says so)
first turns an output whose content is an abstention
(:func:`harness.text.abstain.is_abstention`) into the empty answer.

Example:
    >>> m = SquadV2()
    >>> m.score_one(ScoringInput("the Keo Chhea.", ["Keo Chhea"])).values["exact"]
    100.0
    >>> m.score_one(ScoringInput("", [])).values["f1"]
    100.0
    >>> m.score_one(ScoringInput("nicht im Text", [])).values["f1"]
    0.0
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import ClassVar

from harness.metrics import METRICS
from harness.metrics.base import CorrectRule, HarnessMetric, MetricResult, ScoringInput
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
    correct_rules = (CorrectRule("exact", 100.0, "exact = 100"), CorrectRule("f1", 50.0, "F1 ≥ 50"))
    higher_is_better: ClassVar[dict[str, bool]] = {"exact": True, "f1": True}
    description = "SQuAD v2 exact match and F1 (official definitions, 0-100)."

    def __init__(self, abstention_as_empty: bool = False) -> None:
        if not isinstance(abstention_as_empty, bool):
            raise ValueError(
                f"squad_v2: abstention_as_empty must be true or false, got {abstention_as_empty!r}"
            )
        super().__init__(abstention_as_empty=abstention_as_empty)
        self.abstention_as_empty = abstention_as_empty

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Official EM and F1 (0–100), the maximum over the gold answers."""
        pred = item.prediction
        if self.abstention_as_empty and is_abstention(
            pred,
            answers=item.references,
            question=item.sample.input if item.sample is not None else "",
        ):
            pred = ""
        golds = gold_answers(list(item.references))
        em = max(exact(g, pred) for g in golds)
        f = max(f1(g, pred) for g in golds)
        return MetricResult({"exact": 100.0 * em, "f1": 100.0 * f})

    def signature(self) -> str:
        if self.abstention_as_empty:  # not the official definition: say so
            return "squad_v2|official-normalize|abstention_as_empty=True"
        return "squad_v2|official-normalize|official-no-answer"
