"""German QA EM/F1: the failures of SQuAD's normaliser, fixed; known values."""

from __future__ import annotations

import unicodedata

import pytest

from harness.metrics.base import ScoringInput
from harness.metrics.qa_de import QaDe

M = QaDe()


def em(pred: str, golds: list[str]) -> float:
    return M.score_one(ScoringInput(pred, golds)).values["exact"]


def f1(pred: str, golds: list[str]) -> float:
    return M.score_one(ScoringInput(pred, golds)).values["f1"]


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("Ernährungssicherheit", "„Ernährungssicherheit“"),
        ("2024-2028", "2024–2028"),
        ("2024 bis 2028", "2024–2028"),
        ("Keo Chhea", "der Botschafter Keo Chhea".replace("Botschafter ", "")),
        ("4", "vier"),
        ("vier Säulen", "4 Säulen"),
        (unicodedata.normalize("NFD", "Ernährung"), "Ernährung"),
        ("24.11.2025", "24. November 2025"),
        ("24. November", "24. November 2025"),
        ("24.–25. November", "vom 24. bis 25. November"),
        ("24./25. November", "24. bis 25. November"),
        ("im August 2024", "August 2024"),
        ("Die Sitzung fand in New York statt", "Die Sitzung fand in New York statt."),
        ("KEO CHHEA", "Keo Chhea"),
        ("Keo\u00a0Chhea", "Keo Chhea"),
        ("Keo Chhea\u00ad", "Keo Chhea"),
    ],
)
def test_exact_match_equivalences(pred: str, gold: str) -> None:
    assert em(pred, [gold]) == 100.0


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("Größe", "Grüße"),
        ("25. November", "24. November"),
        ("2024-2029", "2024–2028"),
        ("fünf", "vier"),
        ("August 2023", "August 2024"),
    ],
)
def test_exact_match_differences(pred: str, gold: str) -> None:
    assert em(pred, [gold]) == 0.0


def test_punctuation_becomes_space_not_glue() -> None:
    # "24.–25." must not glue to "2425": a date interval compares by value.
    assert f1("am 24.–25. November", ["24. bis 25. November"]) == 100.0


def test_articles_dropped() -> None:
    assert em("der Botschafter Keo Chhea", ["Botschafter Keo Chhea"]) == 100.0


def test_partial_credit() -> None:
    value = f1("Botschafter Keo", ["Botschafter Keo Chhea"])
    assert value == pytest.approx(100 * 2 * (1.0 * 2 / 3) / (1 + 2 / 3))


def test_max_over_aliases() -> None:
    assert em("Chhea", ["Keo Chhea", "Chhea"]) == 100.0


def test_unanswerable_needs_abstention() -> None:
    assert em("", []) == 100.0
    assert em("Das steht nicht im Text.", []) == 100.0
    assert em("unbekannt", []) == 100.0
    assert em("Keo Chhea", []) == 0.0


def test_abstaining_on_answerable_scores_zero() -> None:
    assert f1("nicht im Text", ["Keo Chhea"]) == 0.0


def test_custom_abstention_phrases() -> None:
    m = QaDe(abstention_phrases=["weiß nicht"])
    assert m.score_one(ScoringInput("Weiß nicht.", [])).values["exact"] == 100.0
    assert m.score_one(ScoringInput("nicht im Text", [])).values["exact"] == 0.0
