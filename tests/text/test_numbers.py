"""Tests for harness.text.numbers: digits, number words, ordinals and percentages."""

from __future__ import annotations

import doctest
import unicodedata
from typing import Literal

import pytest

from harness.text import numbers
from harness.text.numbers import (
    NumberMention,
    find_numbers,
    parse_number_word,
    parse_ordinal_word,
    words_to_digits,
)

NormalForm = Literal["NFC", "NFD", "NFKC", "NFKD"]


def assert_spans_valid(text: str, mentions: list[NumberMention]) -> None:
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]
        assert m.start >= previous_end, "mentions overlap or are not sorted"
        assert m.kind in ("digits", "word", "ordinal", "percent")
        previous_end = m.end


def triples(text: str) -> list[tuple[str, float, str]]:
    return [(m.text, m.value, m.kind) for m in find_numbers(text)]


# --- cardinal words --------------------------------------------------------------

CARDINALS = [
    ("vier", 4),
    ("Vier", 4),
    ("VIER", 4),
    ("null", 0),
    ("eins", 1),
    ("zwei", 2),
    ("zwölf", 12),
    ("zwoelf", 12),
    ("fünfzehn", 15),
    ("fuenfzehn", 15),
    ("fu\u0308nfzehn", 15),  # NFD
    ("sechzehn", 16),
    ("siebzehn", 17),
    ("vierundzwanzig", 24),
    ("einundzwanzig", 21),
    ("dreißig", 30),
    ("dreissig", 30),
    ("DREISSIG", 30),
    ("siebzig", 70),
    ("neunundneunzig", 99),
    ("hundert", 100),
    ("einhundert", 100),
    ("hundertfünfzehn", 115),
    ("hunderteins", 101),
    ("zweihundertdreißig", 230),
    ("tausend", 1000),
    ("zweitausend", 2000),
    ("zweitausendvierundzwanzig", 2024),
    ("neunzehnhundertneunzig", 1990),
    ("zehntausend", 10000),
    ("hunderteintausend", 101000),
    ("vier\u00adund\u00adzwanzig", 24),  # soft hyphens
    ("zero", 0),
    ("one", 1),
    ("eleven", 11),
    ("twenty", 20),
    ("twenty-four", 24),
    ("Twenty\u2013Four", 24),
    ("ninety-nine", 99),
    ("hundred", 100),
    ("thousand", 1000),
]


@pytest.mark.parametrize(("word", "expected"), CARDINALS)
def test_parse_number_word(word: str, expected: int) -> None:
    assert parse_number_word(word) == expected


NOT_CARDINALS = [
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "Ein",
    "Die",
    "die",
    "vierte",
    "erste",
    "Hunderte",
    "Tausende",
    "und",
    "Säulen",
    "einstausend",
    "vierzehnundzwanzig",
    "twenty-twenty",
    "fourty",
    "",
    "4",
]


@pytest.mark.parametrize("word", NOT_CARDINALS)
def test_not_a_number_word(word: str) -> None:
    assert parse_number_word(word) is None


# --- ordinal words ----------------------------------------------------------------

ORDINALS = [
    ("vierte", 4),
    ("vierten", 4),
    ("Vierter", 4),
    ("viertes", 4),
    ("viertem", 4),
    ("erste", 1),
    ("Ersten", 1),
    ("zweite", 2),
    ("dritte", 3),
    ("fünfte", 5),
    ("sechste", 6),
    ("siebte", 7),
    ("siebente", 7),
    ("achte", 8),
    ("zwölfte", 12),
    ("neunzehnte", 19),
    ("zwanzigste", 20),
    ("einundzwanzigsten", 21),
    ("dreißigste", 30),
    ("hundertste", 100),
    ("hundertdritte", 103),
    ("first", 1),
    ("third", 3),
    ("twelfth", 12),
    ("twentieth", 20),
    ("twenty-first", 21),
]


@pytest.mark.parametrize(("word", "expected"), ORDINALS)
def test_parse_ordinal_word(word: str, expected: int) -> None:
    assert parse_ordinal_word(word) == expected
    assert parse_number_word(word) is None


@pytest.mark.parametrize(
    "word", ["vier", "Die", "viertel", "zweitens", "dreite", "Hunderte", "Ente"]
)
def test_not_an_ordinal(word: str) -> None:
    assert parse_ordinal_word(word) is None


# --- find_numbers -----------------------------------------------------------------

FIND = [
    ("15-jähriges Kind", [("15", 15.0, "digits")]),
    ("ein 15-jährig", [("15", 15.0, "digits")]),
    ("1.000 Menschen", [("1.000", 1000.0, "digits")]),
    ("1,5 Millionen", [("1,5", 1.5, "digits")]),
    ("1,000 people", [("1,000", 1000.0, "digits")]),
    ("2,50 Euro", [("2,50", 2.5, "digits")]),
    ("0,125 Liter", [("0,125", 0.125, "digits")]),
    ("3.14", [("3.14", 3.14, "digits")]),
    ("1.000.000", [("1.000.000", 1_000_000.0, "digits")]),
    ("1.000,5", [("1.000,5", 1000.5, "digits")]),
    ("1,000.5", [("1,000.5", 1000.5, "digits")]),
    ("1\u00a0000", [("1\u00a0000", 1000.0, "digits")]),
    ("1\u202f000\u202f000", [("1\u202f000\u202f000", 1_000_000.0, "digits")]),
    ("1\u2009000", [("1\u2009000", 1000.0, "digits")]),
    ("am 24. November", [("24", 24.0, "digits")]),
    ("24.11.2025", [("24", 24.0, "digits"), ("11", 11.0, "digits"), ("2025", 2025.0, "digits")]),
    ("2024–2028", [("2024", 2024.0, "digits"), ("2028", 2028.0, "digits")]),
    ("15 %", [("15 %", 15.0, "percent")]),
    ("15%", [("15%", 15.0, "percent")]),
    ("15\u00a0%", [("15\u00a0%", 15.0, "percent")]),
    ("15 Prozent", [("15 Prozent", 15.0, "percent")]),
    ("15 percent", [("15 percent", 15.0, "percent")]),
    ("2,5 Prozentpunkte", [("2,5", 2.5, "digits")]),
    ("fünfzehn Prozent", [("fünfzehn Prozent", 15.0, "percent")]),
    ("vier Säulen", [("vier", 4.0, "word")]),
    ("die vierte Säule", [("vierte", 4.0, "ordinal")]),
    ("ein Plan und eine Strategie", []),
    ("Die Sitzung", []),
    ("two hundred and five people", [("two hundred and five", 205.0, "word")]),
    ("twenty four", [("twenty four", 24.0, "word")]),
    ("twenty-four states", [("twenty-four", 24.0, "word")]),
    ("five six", [("five", 5.0, "word"), ("six", 6.0, "word")]),
    ("Vier-Säulen-Modell", [("Vier", 4.0, "word")]),
    ("Q3 und COVID-19", [("19", 19.0, "digits")]),
    ("vier\u00adund\u00adzwanzig Staaten", [("vier\u00adund\u00adzwanzig", 24.0, "word")]),
    ("fu\u0308nf Tage", [("fu\u0308nf", 5.0, "word")]),
]


@pytest.mark.parametrize(("text", "expected"), FIND)
def test_find_numbers(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert triples(text) == expected
    assert_spans_valid(text, find_numbers(text))


# --- words_to_digits ---------------------------------------------------------------

WORDS_TO_DIGITS = [
    ("vier Säulen", "4 Säulen"),
    ("Die vier Säulen", "Die 4 Säulen"),
    ("Vier Säulen", "4 Säulen"),
    ("zweitausendvierundzwanzig", "2024"),
    ("hundertfünfzehn Personen", "115 Personen"),
    ("dreißig und dreissig", "30 und 30"),
    ("ein Plan, eine Strategie", "ein Plan, eine Strategie"),
    ("die vierte Säule", "die vierte Säule"),
    ("twenty-four states", "24 states"),
    ("one hundred and five guests", "105 guests"),
    ("Vier-Säulen-Modell", "4-Säulen-Modell"),
    ("fu\u0308nf Tage", "5 Tage"),
    ("vier\u00a0Säulen\u00ad, 1.000 Menschen", "4\u00a0Säulen\u00ad, 1.000 Menschen"),
    ("Keine Zahl hier.", "Keine Zahl hier."),
    ("„Zwölf“ – sagte er", "„12“ – sagte er"),
]


@pytest.mark.parametrize(("text", "expected"), WORDS_TO_DIGITS)
def test_words_to_digits(text: str, expected: str) -> None:
    assert words_to_digits(text) == expected


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_words_to_digits_any_normal_form(form: NormalForm) -> None:
    text = unicodedata.normalize(form, "fünf Länder, zwölf Säulen")
    expected = unicodedata.normalize(form, "5 Länder, 12 Säulen")
    assert words_to_digits(text) == expected


# --- robustness, speed, docs ----------------------------------------------------------

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is optional
    HAVE_HYPOTHESIS = False
else:
    HAVE_HYPOTHESIS = True

TOKENS = [
    "1", "000", "24", "2024", ".", ",", "\u00a0", "\u202f", " ", "-", "\u2013", "%", "Prozent",
    "vier", "und", "zwanzig", "hundert", "tausend", "ein", "eine", "twenty", "four", "hundred",
    "and", "vierte", "u\u0308", "\u00ad", "fünf", "jährig", "Die",
]  # fmt: skip

if HAVE_HYPOTHESIS:

    @settings(max_examples=300, deadline=None)
    @given(
        st.one_of(
            st.text(max_size=80),
            st.lists(st.sampled_from(TOKENS), max_size=25).map("".join),
            st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
        )
    )
    def test_property_any_text(text: str) -> None:
        assert_spans_valid(text, find_numbers(text))
        assert isinstance(words_to_digits(text), str)

else:  # pragma: no cover

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_property_any_text() -> None:
        pass


def test_doctests() -> None:
    result = doctest.testmod(numbers)
    assert result.attempted > 0
    assert result.failed == 0
