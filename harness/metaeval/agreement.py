"""Agreement of a metric with human verdicts: accuracy, Cohen's kappa, error rates, CIs.

Cohen's kappa and the confusion matrices come from scikit-learn
(``sklearn.metrics.cohen_kappa_score``, ``confusion_matrix``); the confidence
intervals are seeded percentile bootstraps over the judged items
(:func:`harness.stats.bootstrap_statistic`).

Definitions (positive = "the answer is right"):

* accuracy = (TP + TN) / n;
* Cohen's kappa = (p_o − p_e) / (1 − p_e) (Cohen 1960), 1 perfect, 0 chance;
* false-positive rate = FP / (FP + TN): of the answers people call not right,
  the share the metric calls right;
* false-negative rate = FN / (FN + TP).

Example:
    >>> a = binary_agreement([True, True, False, False], [True, False, False, False], seed=0)
    >>> a.accuracy.value, a.false_positive_rate.value, a.false_negative_rate.value
    (0.75, 0.0, 0.5)
    >>> round(a.kappa.value, 3)
    0.5
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.stats import DEFAULT_RESAMPLES, bootstrap_statistic
from harness.types import Estimate

__all__ = ["BinaryAgreement", "binary_agreement", "kappa", "label_confusion"]


def kappa(a: Sequence[object] | np.ndarray, b: Sequence[object] | np.ndarray) -> float:
    """Cohen's kappa of two label sequences (NaN when undefined: one label only)."""
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(np.asarray(a), np.asarray(b)))
    return value


@dataclass(frozen=True)
class BinaryAgreement:
    """How often a metric's right/not-right call matches the human one, with 95% CIs."""

    n: int
    accuracy: Estimate
    kappa: Estimate
    false_positive_rate: Estimate
    false_negative_rate: Estimate
    tp: int
    fp: int
    fn: int
    tn: int


def binary_agreement(
    human: Sequence[bool],
    metric: Sequence[bool],
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> BinaryAgreement:
    """Agreement of ``metric`` with ``human`` on the same items (True = right).

    Raises:
        ValueError: If the sequences differ in length.
    """
    if len(human) != len(metric):
        raise ValueError(f"{len(human)} human verdicts but {len(metric)} metric verdicts")
    h = np.asarray(human, dtype=bool)
    m = np.asarray(metric, dtype=bool)
    n = len(h)

    def acc(idx: np.ndarray) -> float:
        return float((h[idx] == m[idx]).mean())

    def kap(idx: np.ndarray) -> float:
        return kappa(h[idx], m[idx])

    def fpr(idx: np.ndarray) -> float:
        neg = ~h[idx]
        return float(m[idx][neg].mean()) if neg.any() else float("nan")

    def fnr(idx: np.ndarray) -> float:
        pos = h[idx]
        return float((~m[idx][pos]).mean()) if pos.any() else float("nan")

    def est(fn: object, offset: int) -> Estimate:
        return bootstrap_statistic(n, fn, resamples, seed=seed + offset)  # type: ignore[arg-type]

    return BinaryAgreement(
        n=n,
        accuracy=est(acc, 0),
        kappa=est(kap, 1),
        false_positive_rate=est(fpr, 2),
        false_negative_rate=est(fnr, 3),
        tp=int((h & m).sum()),
        fp=int((~h & m).sum()),
        fn=int((h & ~m).sum()),
        tn=int((~h & ~m).sum()),
    )


def label_confusion(
    human: Sequence[str], metric: Sequence[str], labels: Sequence[str]
) -> list[list[int]]:
    """Counts ``[i][j]``: items people labelled ``labels[i]`` and the metric ``labels[j]``."""
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(list(human), list(metric), labels=list(labels))
    return [[int(v) for v in row] for row in matrix]
