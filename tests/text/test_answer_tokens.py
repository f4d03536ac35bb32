"""qa_de's normaliser reads numbers by value and drops articles by the answer's language."""

from __future__ import annotations

import pytest

from harness.metrics.qa_de import exact_de, f1_de
from harness.text.answers import answer_tokens


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        ("2.000", "2000"),
        ("2.000", "zweitausend"),
        ("1.500 Menschen", "1500 Menschen"),
        ("3,5 %", "3,5 Prozent"),
        ("48 km", "48 Kilometer"),
        ("62 Mio. Euro", "62 Millionen Euro"),
        ("zwei Millionen Euro", "2 Mio. €"),
        ("vier Säulen", "4 Säulen"),
        ("the plan", "plan"),
    ],
)
def test_same_value_is_exact(gold: str, pred: str) -> None:
    assert exact_de(gold, pred) == 1.0


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        ("5,3 Millionen", "3,5 Millionen"),  # loose tokens once gave F1 100
        ("zwei Millionen Euro", "2 Euro"),  # "zwei Millionen" is not 2
        ("Plan", "Plan A"),  # "A" is no article in German text
        ("zwei Tage", "15 Tage"),
    ],
)
def test_another_value_is_not(gold: str, pred: str) -> None:
    assert exact_de(gold, pred) == 0.0
    assert f1_de(gold, pred) < 0.7


def test_a_decimal_is_one_token() -> None:
    assert answer_tokens("3,5 Millionen") == ["3500000"]
