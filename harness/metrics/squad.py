"""SQuAD v1.1 exact match and F1, exactly as the official v1.1 script.

The normalisation is SQuAD v2's (lowercase, ASCII punctuation deleted, ``a an
the`` dropped, whitespace collapsed), but v1.1 knows no unanswerable
questions: every gold answer counts as given, F1 is 0 whenever no token is
shared (also between two empty answers), and a question without gold answers
gets no value here (the official script fails on it). Scores are 0–100. Kept
for comparability with published SQuAD v1.1 numbers; wrong for German (see
``qa_de``).

Example:
    >>> m = Squad()
    >>> m.score_one(ScoringInput("the Keo Chhea.", ["Keo Chhea"])).values
    {'exact_match': 100.0, 'f1': 100.0}
    >>> m.compute(predictions=[{"id": "q", "prediction_text": "1976"}],
    ...           references=[{"id": "q", "answers": {"text": ["1976"], "answer_start": [97]}}])
    {'exact_match': 100.0, 'f1': 100.0}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput, own_references
from harness.metrics.squad_v2 import normalize_answer, squad_features, squad_inputs

__all__ = ["Squad", "v1_exact", "v1_f1"]


def v1_exact(prediction: str, gold: str) -> float:
    """1.0 when both normalise to the same string (two empty answers included), else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(gold))


def v1_f1(prediction: str, gold: str) -> float:
    """The v1.1 bag-of-tokens F1 (0–1): 0 when no token is shared.

    >>> v1_f1("", ""), v1_f1("Keo Chhea", "Chhea")
    (0.0, 0.6666666666666666)
    """
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


@METRICS.register("squad")
class Squad(HarnessMetric):
    """SQuAD v1.1 ``exact_match`` and ``f1`` (0–100), the maximum over the gold answers."""

    metric_name = "squad"
    tasks = ("qa",)
    keys = ("exact_match", "f1")
    higher_is_better: ClassVar[dict[str, bool]] = {"exact_match": True, "f1": True}
    description = "SQuAD v1.1 exact match and F1 (official v1.1 definitions, 0-100)."
    citation = "Rajpurkar, Zhang, Lopyrev, Liang. SQuAD: 100,000+ Questions. EMNLP 2016."

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Official v1.1 EM and F1 (0–100); no value for a question without gold answers."""
        golds = list(item.references)
        if not golds:
            return MetricResult({}, {"skipped": "no gold answer (SQuAD v1.1 has none of these)"})
        em = max(v1_exact(item.prediction, g) for g in golds)
        f = max(v1_f1(item.prediction, g) for g in golds)
        return MetricResult({"exact_match": 100.0 * em, "f1": 100.0 * f})

    @classmethod
    def evaluate_features(cls) -> list[Any]:
        """``evaluate``'s records (id, prediction_text; id, answers), or strings."""
        return squad_features(no_answer_probability=False)

    @own_references
    def compute(self, predictions: Sequence[Any], references: Sequence[Any]) -> dict[str, Any]:
        """``evaluate``'s squad: the official v1.1 evaluation, the same inputs and keys.

        Args:
            predictions: ``{"id", "prediction_text"}`` records, or strings.
            references: ``{"id", "answers": {"text": [...], "answer_start": [...]}}``
                records, or a string / list of strings per prediction.

        Returns:
            ``{"exact_match": 0–100, "f1": 0–100}`` over every reference (an
            empty list of gold answers counts 0, where the official script fails).

        Raises:
            ValueError: On malformed records (the message names position and field).
        """
        inputs = squad_inputs(predictions, references)
        total = len(inputs.answers)
        if not total:
            return {}
        em = f = 0.0
        for qid, golds in inputs.answers.items():
            pred = inputs.predictions[qid]
            if golds:
                em += max(v1_exact(pred, g) for g in golds)
                f += max(v1_f1(pred, g) for g in golds)
        return {"exact_match": 100.0 * em / total, "f1": 100.0 * f / total}

    def signature(self) -> str:
        return "squad|v1.1|official-normalize"
