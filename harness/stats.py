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


def _draw(rng: np.random.Generator, n: int, rows: int) -> np.ndarray:
    """``rows x n`` indices in ``[0, n)``: ``rng.integers(0, n, size=(rows, n))``'s numbers.

    Below 2**31 they are drawn as int32, which numpy generates from the same
    stream (same values, same generator state after) about ten times faster
    than int64 (tested in ``tests/test_stats.py``).
    """
    if n < 2**31:
        return rng.integers(0, n, size=(rows, n), dtype=np.int32)
    return rng.integers(0, n, size=(rows, n))  # pragma: no cover - 2**31 items


def _estimate(mean: float, means: np.ndarray, confidence: float, n: int) -> Estimate:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Estimate(mean, float(min(low, mean)), float(max(high, mean)), n)


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
        [x[_draw(rng, n, rows)].mean(axis=1) for rows in _chunks(resamples, n)]
    )
    return _estimate(mean, means, confidence, n)


def bootstrap_means(
    columns: Sequence[Sequence[float] | np.ndarray],
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[Estimate]:
    """:func:`bootstrap_mean` of each column, with the same numbers, in one pass per size.

    Every column of ``n`` values resamples the same ``resamples x n`` index
    matrix (the seed's), so columns of one size share its blocks: each block is
    drawn once and gathered per column. Equal columns are computed once, and a
    column whose values are all equal has every resampled mean equal to its
    mean (numpy sums ``n`` equal values in the same order either way).

    Args:
        columns: ``k`` sequences of floats (any lengths, empty allowed).

    Returns:
        ``k`` estimates, ``result[i] == bootstrap_mean(columns[i], ...)``.

    Example:
        >>> a, b = [1.0, 0.0, 1.0], [0.5, 0.5]
        >>> bootstrap_means([a, b, a], seed=1) == [bootstrap_mean(c, seed=1) for c in (a, b, a)]
        True
    """
    arrays = [np.asarray(c, dtype=float) for c in columns]
    out: list[Estimate | None] = [None] * len(arrays)
    groups: dict[int, dict[bytes, list[int]]] = {}
    for i, x in enumerate(arrays):
        n = len(x)
        if n <= 1 or resamples <= 0:
            out[i] = bootstrap_mean(x.tolist(), resamples, confidence, seed)  # no draw needed
        elif (x == x[0]).all():
            mean = float(x.mean())  # every resampled mean is this very number
            out[i] = Estimate(mean, mean, mean, n)
        else:
            groups.setdefault(n, {}).setdefault(x.tobytes(), []).append(i)
    for n, same in groups.items():
        firsts = [members[0] for members in same.values()]
        parts: dict[int, list[np.ndarray]] = {i: [] for i in firsts}
        rng = np.random.default_rng(seed)
        for rows in _chunks(resamples, n):
            idx = _draw(rng, n, rows)
            for i in firsts:
                parts[i].append(arrays[i][idx].mean(axis=1))
        for members in same.values():
            x = arrays[members[0]]
            est = _estimate(float(x.mean()), np.concatenate(parts[members[0]]), confidence, n)
            for i in members:
                out[i] = est
    return [e for e in out if e is not None]


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
    boot = np.concatenate([d[_draw(rng, n, rows)].mean(axis=1) for rows in _chunks(resamples, n)])
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
