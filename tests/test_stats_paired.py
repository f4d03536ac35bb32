"""``paired_compare`` on hand-made data whose answers are known exactly.

``tests/test_stats.py`` checks that real differences are found and noise is
not; here every figure is pinned: the mean difference, the interval, both
p-values (against exact enumerations where the test is Monte Carlo) and the
win/loss/tie counts.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from harness.stats import paired_compare


def exact_sign_flip_p(d: list[float]) -> float:
    """The exact two-sided sign-flip p-value, by enumerating all 2^n sign patterns."""
    observed = abs(sum(d))
    patterns = list(itertools.product((-1.0, 1.0), repeat=len(d)))
    hits = sum(
        abs(sum(s * x for s, x in zip(p, d, strict=True))) >= observed - 1e-12 for p in patterns
    )
    return hits / len(patterns)


def test_identical_systems() -> None:
    a = [0.1, 0.5, 0.9, 0.3, 0.7]
    cmp = paired_compare(a, list(a))
    assert (cmp.diff, cmp.low, cmp.high) == (0.0, 0.0, 0.0)
    assert cmp.p_bootstrap == 1.0 and cmp.p_permutation == 1.0
    assert (cmp.wins, cmp.losses, cmp.ties, cmp.n) == (0, 0, 5, 5)
    assert not cmp.significant


@pytest.mark.parametrize("shift", [0.25, -0.25])
def test_constant_shift(shift: float) -> None:
    a = [0.1 * i for i in range(20)]
    b = [x + shift for x in a]
    cmp = paired_compare(a, b, resamples=500)
    # Every resampled mean is the shift itself: a zero-width interval.
    assert cmp.diff == pytest.approx(shift)
    assert cmp.low == pytest.approx(shift) and cmp.high == pytest.approx(shift)
    assert cmp.p_bootstrap == 0.0
    # Only the all-plus and all-minus sign patterns reach |shift|: 2 / 2^20 per resample,
    # so none of the 500 does and the p-value is its floor, 1 / (resamples + 1).
    assert cmp.p_permutation == pytest.approx(1 / 501)
    assert cmp.significant
    expected = (20, 0, 0) if shift > 0 else (0, 20, 0)
    assert (cmp.wins, cmp.losses, cmp.ties) == expected


def test_wins_losses_ties_and_mean() -> None:
    a = [0.0, 1.0, 2.0, 3.0, 4.0, 0.5]
    b = [1.0, 1.0, 1.0, 5.0, 4.0, 0.75]
    cmp = paired_compare(a, b)
    assert (cmp.wins, cmp.losses, cmp.ties, cmp.n) == (3, 1, 2, 6)
    assert cmp.diff == pytest.approx((1 + 0 - 1 + 2 + 0 + 0.25) / 6)


def test_swapping_the_systems_mirrors_everything() -> None:
    rng = np.random.default_rng(7)
    a = list(rng.random(15))
    b = list(rng.random(15))
    ab, ba = paired_compare(a, b, seed=3), paired_compare(b, a, seed=3)
    assert ba.diff == pytest.approx(-ab.diff)
    assert ba.low == pytest.approx(-ab.high) and ba.high == pytest.approx(-ab.low)
    assert ba.p_bootstrap == pytest.approx(ab.p_bootstrap)
    assert ba.p_permutation == pytest.approx(ab.p_permutation)
    assert (ba.wins, ba.losses, ba.ties) == (ab.losses, ab.wins, ab.ties)


@pytest.mark.parametrize(
    "d",
    [
        [1.0, 1.0, 1.0],  # exact p = 2/8
        [1.0, 1.0, 1.0, -1.0],  # exact p = 10/16
        [0.3, -0.1, 0.2, 0.4, 0.05],
    ],
)
def test_permutation_p_matches_exact_enumeration(d: list[float]) -> None:
    resamples = 20000
    cmp = paired_compare([0.0] * len(d), d, resamples=resamples, seed=0)
    exact = exact_sign_flip_p(d)
    # Monte Carlo with the (1 + hits) / (R + 1) correction: within 5 standard errors.
    se = math.sqrt(exact * (1 - exact) / resamples)
    assert abs(cmp.p_permutation - exact) < 5 * se + 1 / resamples


def test_two_items_bootstrap_interval_and_p() -> None:
    # Differences 0 and 1: resampled means are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4.
    cmp = paired_compare([0.0, 0.0], [0.0, 1.0], resamples=4000, seed=1)
    assert cmp.diff == 0.5
    assert (cmp.low, cmp.high) == (0.0, 1.0)
    # Two-sided: twice the share of resampled means at or below 0 (expected 1/4).
    assert cmp.p_bootstrap == pytest.approx(0.5, abs=0.05)
    assert not cmp.significant


def test_one_item_can_never_be_significant_by_permutation() -> None:
    cmp = paired_compare([0.2], [0.9])
    assert cmp.diff == pytest.approx(0.7)
    assert cmp.low == pytest.approx(0.7) and cmp.high == pytest.approx(0.7)
    assert cmp.p_permutation == 1.0  # flipping the only sign keeps |mean|
    assert (cmp.wins, cmp.losses, cmp.ties, cmp.n) == (1, 0, 0, 1)


def test_no_items() -> None:
    cmp = paired_compare([], [])
    assert math.isnan(cmp.diff) and math.isnan(cmp.low) and math.isnan(cmp.high)
    assert (cmp.p_bootstrap, cmp.p_permutation) == (1.0, 1.0)
    assert (cmp.wins, cmp.losses, cmp.ties, cmp.n) == (0, 0, 0, 0)
    assert not cmp.significant


def test_seeded_and_confidence_widens_the_interval() -> None:
    rng = np.random.default_rng(11)
    a, b = list(rng.random(30)), list(rng.random(30))
    assert paired_compare(a, b, seed=5) == paired_compare(a, b, seed=5)
    narrow = paired_compare(a, b, confidence=0.5, seed=5)
    wide = paired_compare(a, b, confidence=0.99, seed=5)
    assert wide.low < narrow.low <= narrow.diff <= narrow.high < wide.high
    assert wide.diff == narrow.diff
