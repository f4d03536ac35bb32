"""Tests for harness.text.dates: the deterministic German/English date normaliser."""

from __future__ import annotations

import doctest
import re
import unicodedata
from typing import Literal

import pytest

from harness.text import dates
from harness.text.dates import (
    DateMention,
    PartialDate,
    align,
    find_dates,
    parse_interval,
    parse_iso,
)


def canonicals(text: str) -> list[str]:
    return [m.canonical() for m in find_dates(text)]


NormalForm = Literal["NFC", "NFD", "NFKC", "NFKD"]


def assert_spans_valid(text: str, mentions: list[DateMention]) -> None:
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start : m.end]
        assert m.start >= previous_end, "mentions overlap or are not sorted"
        previous_end = m.end


# --- one day, many spellings -------------------------------------------------

SAME_DAY = [
    "24. November 2025",
    "24.11.2025",
    "November 24, 2025",
    "24.\u00a0Nov. 2025",
    "2025-11-24",
    "24 November 2025",
    "24. Nov 2025",
    "Nov. 24, 2025",
    "24th of November 2025",
    "November 24th, 2025",
    "24. 11. 2025",
    "24.11. 2025",
    "24. NOVEMBER 2025",
    "24.\u202fNovember\u00a02025",
]


@pytest.mark.parametrize("text", SAME_DAY)
def test_one_day_many_spellings(text: str) -> None:
    mentions = find_dates(text)
    assert len(mentions) == 1
    (m,) = mentions
    assert m.canonical() == "2025-11-24"
    assert m.granularity == "day"
    assert m.first == m.last == PartialDate(2025, 11, 24)
    assert (m.start, m.end, m.text) == (0, len(text), text)


@pytest.mark.parametrize(
    "text",
    ["Montag, 24. November 2025", "am Montag, dem 24.11.2025,", "Monday, November 24, 2025."],
)
def test_weekday_prefix_is_left_out(text: str) -> None:
    (m,) = find_dates(text)
    assert m.canonical() == "2025-11-24"
    assert not m.text.startswith(("Mon", "am"))


# --- single dates --------------------------------------------------------------

SINGLES = [
    ("24. November", ["--11-24"]),
    ("am 24.11. in Wien", ["--11-24"]),
    ("am 1. Mai", ["--05-01"]),
    ("May 24", ["--05-24"]),
    ("im August 2024", ["2024-08"]),
    ("November 2025", ["2025-11"]),
    ("Jänner 2025", ["2025-01"]),
    ("Jan. 2025", ["2025-01"]),
    ("Feber 2024", ["2024-02"]),
    ("Februar 2024", ["2024-02"]),
    ("März 2024", ["2024-03"]),
    ("Maerz 2024", ["2024-03"]),
    ("Mrz. 2024", ["2024-03"]),
    ("Mär. 2024", ["2024-03"]),
    ("Mai 2024", ["2024-05"]),
    ("Sept. 2024", ["2024-09"]),
    ("Okt. 2024", ["2024-10"]),
    ("Dez. 2024", ["2024-12"]),
    ("March 3, 2024", ["2024-03-03"]),
    ("December 2023", ["2023-12"]),
    ("im Jahr 2024", ["2024"]),
    ("2024", ["2024"]),
    ("(2024)", ["2024"]),
    ("im Jahr 2024.", ["2024"]),
    ("24. November 1848", ["1848-11-24"]),
    ("29.02.2024", ["2024-02-29"]),
    ("2025-11-24T10:00", ["2025-11-24"]),
    ("am 24.11.2025 und am 2. Dezember", ["2025-11-24", "--12-02"]),
]


@pytest.mark.parametrize(("text", "expected"), SINGLES)
def test_single_dates(text: str, expected: list[str]) -> None:
    assert canonicals(text) == expected


def test_granularity() -> None:
    assert [m.granularity for m in find_dates("24. November, im August 2024, 2025")] == [
        "day",
        "month",
        "year",
    ]


# --- intervals -------------------------------------------------------------------

INTERVALS = [
    ("24. bis 25. November", "--11-24/--11-25"),
    ("vom 24. bis 25. November", "--11-24/--11-25"),
    ("vom 24. bis zum 25. November", "--11-24/--11-25"),
    ("24.–25. November", "--11-24/--11-25"),
    ("24.-25. November", "--11-24/--11-25"),
    ("24.—25. November", "--11-24/--11-25"),
    ("24./25. November", "--11-24/--11-25"),
    ("24. und 25. November", "--11-24/--11-25"),
    ("zwischen dem 3. und 5. Mai", "--05-03/--05-05"),
    ("24.–25. November 2025", "2025-11-24/2025-11-25"),
    ("24. November bis 2. Dezember 2025", "2025-11-24/2025-12-02"),
    ("vom 24. November bis 2. Dezember 2025", "2025-11-24/2025-12-02"),
    ("24.11.–2.12.2025", "2025-11-24/2025-12-02"),
    ("24.–25.11.2025", "2025-11-24/2025-11-25"),
    ("24./25.11.", "--11-24/--11-25"),
    ("November 24 – December 2, 2025", "2025-11-24/2025-12-02"),
    ("30. Dezember 2025 bis 2. Januar 2026", "2025-12-30/2026-01-02"),
    ("November 24–25, 2025", "2025-11-24/2025-11-25"),
    ("from November 24 to 25, 2025", "2025-11-24/2025-11-25"),
    ("24–25 November", "--11-24/--11-25"),
    ("between 1 and 3 May 2024", "2024-05-01/2024-05-03"),
    ("2024–2028", "2024/2028"),
    ("2024-2028", "2024/2028"),
    ("2024 – 2028", "2024/2028"),
    ("2024\u20112028", "2024/2028"),
    ("2024 bis 2028", "2024/2028"),
    ("von 2024 bis 2028", "2024/2028"),
    ("2024 to 2028", "2024/2028"),
    ("from 2024 to 2028", "2024/2028"),
    ("zwischen 2024 und 2028", "2024/2028"),
    ("2024–28", "2024/2028"),
    ("von Januar bis März 2025", "2025-01/2025-03"),
    ("Mai bis Juni", "--05/--06"),
    ("November 2025 bis Januar 2026", "2025-11/2026-01"),
    ("Dezember bis Januar 2026", "2025-12/2026-01"),
    ("2025-11-24/2025-11-25", "2025-11-24/2025-11-25"),
]


@pytest.mark.parametrize(("text", "expected"), INTERVALS)
def test_intervals_are_one_mention(text: str, expected: str) -> None:
    mentions = find_dates(text)
    assert [m.canonical() for m in mentions] == [expected]
    assert mentions[0].text == text  # the span covers "vom"/"von"/"from"/"zwischen" too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/2028", ["2024", "2028"]),  # no year ranges with a slash
        ("2024 und 2028", ["2024", "2028"]),  # "und" joins years only after "zwischen"
        ("Januar und März 2025", ["2025-03"]),
        ("2028–2024", ["2028", "2024"]),  # reversed: not an interval
    ],
)
def test_not_joined(text: str, expected: list[str]) -> None:
    assert canonicals(text) == expected


# --- not dates ---------------------------------------------------------------------

NOT_DATES = [
    "Die",
    "die",
    "vier",
    "Die vier Säulen",
    "diese Woche",
    "heute",
    "morgen früh",
    "letzte Woche",
    "Maier",
    "Mai",  # a month name alone is not a date
    "in May",
    "the results may 24 months",
    "120245",
    "2024,5",
    "2024.5",
    "2024er",
    "24.11.25",  # two-digit years are not read
    "31.02.2025",
    "Version 3.2.1",
    "2,5.",
    "1899",
    "2100",
    "20 %",
    "2024 Prozent",
    "im November 24 Teilnehmer",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


# --- sentences from the real article ----------------------------------------------


def test_article_session_sentence() -> None:
    s = "Die Sitzung, die vom 24. bis 25. November im UN-Hauptquartier stattfand"
    (m,) = find_dates(s)
    assert m.text == "vom 24. bis 25. November"
    assert s[m.start : m.end] == m.text
    assert m.canonical() == "--11-24/--11-25"
    assert m.granularity == "day"


def test_article_strategy_plan_sentence() -> None:
    s = (
        "Nationale Strategieplan zur Bekämpfung des Menschenhandels 2024–2028, "
        "der im August 2024 eingeführt wurde"
    )
    mentions = find_dates(s)
    assert [(m.text, m.canonical(), m.granularity) for m in mentions] == [
        ("2024–2028", "2024/2028", "year"),
        ("August 2024", "2024-08", "month"),
    ]
    assert_spans_valid(s, mentions)


# --- raw Unicode: spans point into the original string --------------------------------

RAW = [
    ("am 24.\u00a0Nov. 2025 in Wien", "24.\u00a0Nov. 2025", "2025-11-24"),
    ("am 24. Novem\u00adber 2025.", "24. Novem\u00adber 2025", "2025-11-24"),
    ("Plan 20\u00ad24\u20132028, gut", "20\u00ad24\u20132028", "2024/2028"),
    ("am 24.\u200b11.2025", "24.\u200b11.2025", "2025-11-24"),
    ("\ufeff2024\u20142028", "2024\u20142028", "2024/2028"),
    ("am 24. Ma\u0308rz 2025", "24. Ma\u0308rz 2025", "2025-03-24"),
    ("Ja\u0308nner 2025 und mehr", "Ja\u0308nner 2025", "2025-01"),
    (
        "vom 3.\u2009\u2013\u20095. Ma\u0308rz",
        "vom 3.\u2009\u2013\u20095. Ma\u0308rz",
        "--03-03/--03-05",
    ),
]


@pytest.mark.parametrize(("text", "span_text", "expected"), RAW)
def test_spans_map_back_to_the_original(text: str, span_text: str, expected: str) -> None:
    mentions = find_dates(text)
    assert_spans_valid(text, mentions)
    assert [(m.text, m.canonical()) for m in mentions] == [(span_text, expected)]


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_any_normal_form(form: NormalForm) -> None:
    text = unicodedata.normalize(form, "Vom 3. bis 5. März 2025 tagte der Rat in Jänner-Form.")
    mentions = find_dates(text)
    assert [m.canonical() for m in mentions] == ["2025-03-03/2025-03-05"]
    assert_spans_valid(text, mentions)


def test_align_maps_offsets() -> None:
    a = align("a\u0308b\u00adc")
    assert a.text == "äbc"
    assert [a.span(i, i + 1) for i in range(3)] == [(0, 2), (2, 3), (4, 5)]
    assert align("plain").span(1, 3) == (1, 3)


# --- values ----------------------------------------------------------------------------

COMPATIBLE = [
    ("--11-24", "2025-11-24", True),
    ("--11-24", "2025-11-25", False),
    ("2025-11-24", "2025-11-24", True),
    ("2025", "2025-11-24", True),
    ("2024", "2025-11-24", False),
    ("2025-11", "2025-11-24", True),
    ("2025-11", "--11-24", True),
    ("--11", "2024", False),  # no common field
    ("2024-08", "2024-08", True),
    ("2024-08", "2024-09", False),
]


@pytest.mark.parametrize(("a", "b", "expected"), COMPATIBLE)
def test_partial_date_compatible(a: str, b: str, expected: bool) -> None:
    assert parse_iso(a).compatible(parse_iso(b)) is expected
    assert parse_iso(b).compatible(parse_iso(a)) is expected


def test_mention_compatible() -> None:
    (no_year,) = find_dates("24. November")
    (full,) = find_dates("24.11.2025")
    (other,) = find_dates("25.11.2025")
    (interval,) = find_dates("24.–25. November")
    (interval_year,) = find_dates("November 24–25, 2025")
    assert no_year.compatible(full) and full.compatible(no_year)
    assert not no_year.compatible(other)
    assert interval.compatible(interval_year)
    assert not interval.compatible(full)


@pytest.mark.parametrize("value", ["2025-11-24", "--11-24", "2024-08", "2024", "--11", "0999"])
def test_iso_round_trip(value: str) -> None:
    assert parse_iso(value).iso() == value


@pytest.mark.parametrize(
    "value", ["", "abc", "2025-13-01", "2025-02-30", "2023-02-29", "25-11-24", "--13", "2025-1-2"]
)
def test_parse_iso_rejects(value: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(value))):
        parse_iso(value)


def test_partial_date_validation() -> None:
    with pytest.raises(ValueError):
        PartialDate()
    with pytest.raises(ValueError):
        PartialDate(day=3)
    with pytest.raises(ValueError):
        PartialDate(2025, 2, 29)
    assert PartialDate(month=2, day=29).iso() == "--02-29"
    assert PartialDate(2024, 8) < PartialDate(2024, 9)


def test_parse_interval_inverts_canonical() -> None:
    for text in ["24.–25. November 2025", "2024–2028", "im August 2024", "24. November"]:
        (m,) = find_dates(text)
        assert parse_interval(m.canonical()) == (m.first, m.last)


# --- robustness, speed, docs ----------------------------------------------------------

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is optional
    HAVE_HYPOTHESIS = False
else:
    HAVE_HYPOTHESIS = True

TOKENS = [
    "24.", "25.", "1.", "24.11.", "2024", "2028", "2025-11-24", "November", "Nov.", "März",
    "Ma\u0308rz", "May", "may", "Mai", "bis", "und", "to", "vom", "von", "from", "zwischen",
    "-", "\u2013", "/", ",", ".", " ", "\u00a0", "\u00ad", "\u0308", "Die", "vier", "%", "28",
    "2,5", "im", "dem", "the", "19", "\ufeff",
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
        mentions = find_dates(text)
        assert_spans_valid(text, mentions)
        for m in mentions:
            assert m.granularity in ("day", "month", "year")
            assert m.first.granularity == m.last.granularity == m.granularity
            assert parse_interval(m.canonical()) == (m.first, m.last)

else:  # pragma: no cover

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_property_any_text() -> None:
        pass


def test_doctests() -> None:
    result = doctest.testmod(dates)
    assert result.attempted > 0
    assert result.failed == 0
