"""Bootstrap CIs and paired comparisons: seeded, in range, and able to tell models apart."""

from __future__ import annotations

import numpy as np
import pytest

from harness.stats import bootstrap_mean, paired_compare


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    values = list(np.random.default_rng(1).random(50))
    a = bootstrap_mean(values, seed=3)
    b = bootstrap_mean(values, seed=3)
    assert a == b
    assert a.low < a.value < a.high
    assert a.value == pytest.approx(float(np.mean(values)))
    assert a.n == 50


def test_bootstrap_degenerate_inputs() -> None:
    assert bootstrap_mean([]).n == 0
    one = bootstrap_mean([0.5])
    assert (one.value, one.low, one.high) == (0.5, 0.5, 0.5)
    same = bootstrap_mean([1.0] * 10)
    assert (same.low, same.high) == (1.0, 1.0)


def test_interval_narrows_with_more_items() -> None:
    rng = np.random.default_rng(0)
    small = bootstrap_mean(list(rng.random(20)))
    large = bootstrap_mean(list(rng.random(2000)))
    assert (large.high - large.low) < (small.high - small.low)


def test_paired_detects_a_real_difference() -> None:
    rng = np.random.default_rng(2)
    a = rng.random(60)
    b = a + 0.2
    cmp = paired_compare(list(a), list(b))
    assert cmp.diff == pytest.approx(0.2)
    assert cmp.significant and cmp.low > 0
    assert cmp.p_bootstrap < 0.01 and cmp.p_permutation < 0.01
    assert (cmp.wins, cmp.losses, cmp.ties) == (60, 0, 0)


def test_paired_noise_is_not_significant() -> None:
    rng = np.random.default_rng(4)
    a = rng.random(40)
    b = a + rng.normal(0, 0.05, 40) * np.where(np.arange(40) % 2, 1, -1)
    b = a.copy()
    b[:2] += 0.01
    b[2:4] -= 0.01
    cmp = paired_compare(list(a), list(b))
    assert not cmp.significant
    assert cmp.p_permutation > 0.05


def test_paired_requires_same_items() -> None:
    with pytest.raises(ValueError, match="differ in size"):
        paired_compare([1.0, 2.0], [1.0])


@pytest.mark.parametrize("n", [1, 7, 300, 5000])
def test_bootstrap_in_blocks_gives_the_numbers_of_one_big_draw(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded memory: the index matrix is drawn in blocks, the seeded numbers stay the same."""
    import numpy as np

    import harness.stats as stats

    x = np.random.default_rng(5).random(n)
    y = x + np.random.default_rng(6).normal(0, 0.2, n)
    # The reference: one (resamples x n) draw, as before the change.
    rng = np.random.default_rng(3)
    means = x[rng.integers(0, n, size=(1000, n))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 997)  # many small blocks
    est = stats.bootstrap_mean(list(x), seed=3)
    if n > 1:  # the same resamples; a row mean may differ in its last bit
        assert est.low == pytest.approx(min(float(low), est.value), rel=1e-12)
        assert est.high == pytest.approx(max(float(high), est.value), rel=1e-12)
    paired_small = stats.paired_compare(list(x), list(y), seed=4)
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 10**9)  # one block
    one = stats.bootstrap_mean(list(x), seed=3)
    assert (one.low, one.high) == pytest.approx((est.low, est.high), rel=1e-12)
    paired_one = stats.paired_compare(list(x), list(y), seed=4)
    assert (paired_one.low, paired_one.high) == pytest.approx(
        (paired_small.low, paired_small.high), rel=1e-12
    )
    assert (paired_one.p_bootstrap, paired_one.p_permutation) == (
        paired_small.p_bootstrap,
        paired_small.p_permutation,
    )


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 65537])
def test_int32_draws_are_the_int64_numbers_and_leave_the_same_state(n: int) -> None:
    """The faster draw (int32) gives numpy's int64 indices and consumes the same stream."""
    import harness.stats as stats

    a, b = np.random.default_rng(11), np.random.default_rng(11)
    for rows in (1, 3):
        assert (stats._draw(a, n, rows) == b.integers(0, n, size=(rows, n))).all()
    assert a.random() == b.random()


def test_bootstrap_means_equal_one_call_per_column(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns resampled together (shared blocks, equal and constant columns computed once)
    give exactly the numbers of one ``bootstrap_mean`` call each."""
    import harness.stats as stats
    from harness.stats import bootstrap_means

    rng = np.random.default_rng(8)
    x = list(rng.random(300))
    exact = [float(v) for v in rng.integers(0, 2, 300) * 100.0]
    columns: list[list[float]] = [
        x, exact, x, [0.1] * 300, [1 / 3] * 41, [], [0.5], list(rng.random(41)), exact[:7],
    ]
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 1999)  # several blocks per size
    for seed, resamples in ((0, 1000), (5, 37), (2, 0)):
        want = [bootstrap_mean(c, resamples, 0.9, seed) for c in columns]
        got = bootstrap_means(columns, resamples, 0.9, seed)
        assert [repr(e) for e in got] == [repr(e) for e in want]  # NaN for the empty one
