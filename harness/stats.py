"""Seeded bootstrap confidence intervals and paired tests.

Example:
    >>> est = bootstrap_mean([1.0, 0.0, 1.0, 1.0], seed=0)
    >>> est.value, est.n
    (0.75, 4)
    >>> 0.0 <= est.low <= est.value <= est.high <= 1.0
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.types import Estimate

DEFAULT_RESAMPLES = 1000


_CHUNK_CELLS = 4_000_000  # resample indices drawn at a time (32 MB of int64)


def _chunks(resamples: int, n: int) -> list[int]:
    """Row counts that split ``resamples`` rows of ``n`` indices into bounded blocks.

    Drawing the index matrix block by block consumes the generator's stream in the
    same order as one draw, so the seeded numbers do not change.
    """
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    return [min(rows, resamples - i) for i in range(0, resamples, rows)]


def bootstrap_mean(
    values: Sequence[float],
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Mean with a percentile bootstrap CI; the same seed gives the same interval."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n == 1 or resamples <= 0:
        return Estimate(mean, mean, mean, n)
    rng = np.random.default_rng(seed)
    means = np.concatenate(
        [x[rng.integers(0, n, size=(rows, n))].mean(axis=1) for rows in _chunks(resamples, n)]
    )
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Estimate(mean, float(min(low, mean)), float(max(high, mean)), n)


def bootstrap_statistic(
    n: int,
    statistic: Callable[[np.ndarray], float],
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Any statistic of ``n`` items with a percentile bootstrap CI over the items.

    ``statistic`` gets an index array (``np.arange(n)`` for the point estimate,
    resampled indices for the bootstrap) and returns a number; resamples where
    it is NaN (undefined, e.g. a rate without a denominator) are left out.

    Example:
        >>> x = np.array([1.0, 0.0, 1.0, 1.0])
        >>> est = bootstrap_statistic(4, lambda idx: float(x[idx].mean()), seed=0)
        >>> est.value, est.n
        (0.75, 4)
    """
    point = float(statistic(np.arange(n))) if n else float("nan")
    if n <= 1 or resamples <= 0 or point != point:
        return Estimate(point, point, point, n)
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(resamples)])
    values = values[~np.isnan(values)]
    if not len(values):
        return Estimate(point, point, point, n)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return Estimate(point, float(min(low, point)), float(max(high, point)), n)


@dataclass(frozen=True)
class PairedComparison:
    """``b - a`` on the same items: mean difference, its CI, p-values, wins/losses/ties."""

    diff: float
    low: float
    high: float
    p_bootstrap: float
    p_permutation: float
    wins: int
    losses: int
    ties: int
    n: int

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_compare(
    a: Sequence[float],
    b: Sequence[float],
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedComparison:
    """Paired bootstrap on ``b - a`` plus a sign-flip permutation test (two-sided)."""
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.shape != xb.shape:
        raise ValueError(f"paired samples differ in size: {len(xa)} vs {len(xb)}")
    d = xb - xa
    n = len(d)
    wins, losses = int((d > 0).sum()), int((d < 0).sum())
    if n == 0:
        nan = float("nan")
        return PairedComparison(nan, nan, nan, 1.0, 1.0, 0, 0, 0, 0)
    mean = float(d.mean())
    rng = np.random.default_rng(seed)
    boot = np.concatenate(
        [d[rng.integers(0, n, size=(rows, n))].mean(axis=1) for rows in _chunks(resamples, n)]
    )
    alpha = (1 - confidence) / 2
    low, high = (float(v) for v in np.quantile(boot, [alpha, 1 - alpha]))
    # Two-sided bootstrap p-value: how often the resampled mean falls on the other side of 0.
    if mean == 0:
        p_boot = 1.0
    else:
        other = (boot <= 0).mean() if mean > 0 else (boot >= 0).mean()
        p_boot = float(min(1.0, 2 * other))
    flips = np.array([-1.0, 1.0])
    perm = np.concatenate(
        [
            np.abs((rng.choice(flips, size=(rows, n)) * d).mean(axis=1))
            for rows in _chunks(resamples, n)
        ]
    )
    p_perm = float((1 + (perm >= abs(mean) - 1e-12).sum()) / (resamples + 1))
    return PairedComparison(mean, low, high, p_boot, p_perm, wins, losses, n - wins - losses, n)
