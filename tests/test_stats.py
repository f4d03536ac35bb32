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
