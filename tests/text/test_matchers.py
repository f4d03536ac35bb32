"""Typed key-fact matchers: known values per type, spans into the original text, the real gold."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from harness.text.matchers import (
    FactMatch,
    content_stems,
    describe,
    match_fact,
    sentence_spans,
    words,
)
from tests.conftest import DOC_ID, GOLD

FACTS_PATH = GOLD / DOC_ID / "facts.jsonl"
SUMMARIES_PATH = GOLD / DOC_ID / "summaries.jsonl"


def load_jsonl(path: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


FACTS = load_jsonl(FACTS_PATH)
SUMMARIES = load_jsonl(SUMMARIES_PATH)


def found_text(matcher: dict[str, Any], text: str, language: str = "de") -> str | None:
    m = match_fact(matcher, text, language)
    if m is None:
        return None
    assert m.text == text[m.start : m.end], "span must index the original text"
    return m.text


# --- date -------------------------------------------------------------------------

SESSION = {"type": "date", "start": "--11-24", "end": "--11-25"}
LAUNCH = {"type": "date", "start": "2024-08", "end": "2024-08"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Sitzung fand vom 24. bis 25. November statt.", "vom 24. bis 25. November"),
        ("Treffen am 24.–25. November 2025 in New York", "24.–25. November 2025"),
        ("am 24. und 25. November", "24. und 25. November"),
        ("on 24–25 November", "24–25 November"),
        ("on November 24-25, 2025", "November 24-25, 2025"),
        ("vom 24.–25.11.2025", "vom 24.–25.11.2025"),
        ("am 24. November", None),  # one day of the two
        ("im November 2025", None),  # does not state the days
        ("vom 23. bis 25. November", None),
        ("vom 24. bis 25. Oktober", None),
    ],
)
def test_date_interval(text: str, expected: str | None) -> None:
    assert found_text(SESSION, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Plan wurde im August 2024 eingeführt.", "August 2024"),
        ("eingeführt am 5. August 2024", "5. August 2024"),  # finer than the fact: fine
        ("launched in Aug. 2024", "Aug. 2024"),
        ("Der Plan von 2024", None),  # the year alone does not state the month
        ("im August 2023", None),
    ],
)
def test_date_month(text: str, expected: str | None) -> None:
    assert found_text(LAUNCH, text) == expected


def test_date_span_indexes_nfd_text_with_soft_hyphens() -> None:
    text = unicodedata.normalize("NFD", "Am Tag der Ma\u00dfnahme, vom 24.\u00ad bis 25. November")
    m = match_fact(SESSION, text)
    assert m is not None
    assert m.text == text[m.start : m.end]
    assert m.text.endswith("November")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Strategieplan 2024–2028", "2024–2028"),
        ("der Plan gilt von 2024 bis 2028", "von 2024 bis 2028"),
        ("from 2024 to 2028", "from 2024 to 2028"),
        ("2024-28", "2024-28"),
        ("2024 und 2028", None),  # two separate years
        ("2024–2029", None),
        ("2028", None),
    ],
)
def test_year_range(text: str, expected: str | None) -> None:
    assert found_text({"type": "year_range", "start": 2024, "end": 2028}, text) == expected


# --- person -----------------------------------------------------------------------

KEO = {"type": "person", "names": ["Keo Chhea"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Botschafter Keo Chhea sprach.", "Keo Chhea"),
        ("BOTSCHAFTER KEO CHHEA", "KEO CHHEA"),
        ("Keo\u00a0Chhea", "Keo\u00a0Chhea"),
        ("Keo Chheas Rede", "Keo Chheas"),  # German genitive
        ("Keo Chhea's speech", "Keo Chhea"),
        ("Keo-Chhea", "Keo-Chhea"),
        ("Botschafter Chhea", None),
        ("Keo Chheang", None),  # another name
        ("Keo, der Botschafter. Chhea", None),
    ],
)
def test_person(text: str, expected: str | None) -> None:
    assert found_text(KEO, text) == expected


def test_person_ignores_accents_and_tries_every_variant() -> None:
    matcher = {"type": "person", "names": ["António Guterres", "Guterres"]}
    assert found_text(matcher, "Antonio Guterres sprach") == "Antonio Guterres"
    assert found_text(matcher, "mit Guterrés") == "Guterrés"


# --- number -----------------------------------------------------------------------

PILLARS = {"type": "number", "value": 4, "near": ["Säulen", "Säule", "pillars"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Plan basiert auf vier Säulen.", "vier"),
        ("Der Plan hat 4 Säulen.", "4"),
        ("The plan rests on four pillars.", "four"),
        ("Vier Säulen: Strafverfolgung, Opferschutz.", "Vier"),
        ("Der Plan hat fünf Säulen.", None),
        ("Vier Minister kamen. Der Plan hat Säulen.", None),  # "near" is in another sentence
        ("Am 4. November ging es um die Säulen.", None),  # a day, not a count
    ],
)
def test_number(text: str, expected: str | None) -> None:
    assert found_text(PILLARS, text) == expected


def test_number_without_near_and_ordinal_anniversary() -> None:
    assert found_text({"type": "number", "value": 15}, "seit 15 Jahren") == "15"
    fifteen = {"type": "number", "value": 15, "near": ["jährig", "anniversary"]}
    assert found_text(fifteen, "sein 15-jähriges Bestehen") == "15"
    assert found_text(fifteen, "its 15th anniversary", "en") == "15"
    assert found_text(fifteen, "its fifteenth anniversary", "en") == "fifteenth"


# --- text -------------------------------------------------------------------------

PILLAR_2 = {"type": "text", "aliases": ["Opferschutz verbessern", "improve victim protection"]}
PILLAR_3 = {"type": "text", "aliases": ["sektorübergreifende Koordination fördern"]}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Der Plan will den Opferschutz verbessern.", "de", "Opferschutz verbessern"),
        ("Opferschutz soll man verbessern", "de", "Opferschutz soll man verbessern"),
        ("Der Opferschutz wird verbessert.", "de", None),  # Snowball: verbessert != verbess
        ("- Opferschutz\n- Verbesserung der Lage", "de", None),  # two bullets, two sentences
        ("To improve the protection of victims.", "en", "improve the protection of victims"),
        ("It protects victims.", "en", "protects victims"),  # 2 of 3 stems: 0.67 >= 0.6
        ("It protects people.", "en", None),  # 1 of 3 stems
        ("It aims at improving victim protection.", "en", "improving victim protection"),
    ],
)
def test_text_overlap(text: str, language: str, expected: str | None) -> None:
    assert found_text(PILLAR_2, text, language) == expected


def test_text_threshold_counts_distinct_stems() -> None:
    # 2 of 3 content stems (koordination, fördern) = 0.67 >= 0.6
    assert found_text(PILLAR_3, "Sie wollen die Koordination fördern.") == "Koordination fördern"
    # 1 of 3 = 0.33
    assert found_text(PILLAR_3, "Sie wollen die Koordination.") is None
    strict = {**PILLAR_3, "min_overlap": 1.0}
    assert found_text(strict, "Sie wollen die Koordination fördern.") is None
    assert (
        found_text(strict, "die sektorübergreifende Koordination zu fördern")
        == "sektorübergreifende Koordination zu fördern"
    )


def test_text_stems_scattered_over_a_long_sentence_do_not_add_up() -> None:
    alias = {"type": "text", "aliases": ["Kambodschas UN-Botschafter"]}
    near = "Der Botschafter sprach bei einer UN-Sitzung."
    far = "Der Botschafter nannte den Plan bei der Bewertung des globalen Plans der UN wichtig."
    assert found_text(alias, near) == "Botschafter sprach bei einer UN"
    assert found_text(alias, far) is None


def test_text_stemmer_follows_the_language() -> None:
    matcher = {"type": "text", "aliases": ["strengthening law enforcement"]}
    # Porter: strengthens -> strengthen, enforcement -> enforc
    assert found_text(matcher, "It strengthens law enforcement.", "en") is not None
    assert content_stems("Strengthening", "en") == ["strengthen"]
    assert content_stems("Säulen der Strategie", "de") == ["saul", "strategi"]


def test_unknown_type_and_language_raise() -> None:
    with pytest.raises(ValueError, match="unknown matcher type"):
        match_fact({"type": "colour"}, "rot")
    with pytest.raises(ValueError, match="unsupported language"):
        match_fact(PILLAR_2, "Opferschutz", "fr")


def test_words_and_sentence_spans_index_the_original() -> None:
    text = "Ma\u0308rz: die UN\u00ad-Sitzung.\n- Zweiter Punkt"
    for w in words(text):
        original = unicodedata.normalize("NFC", text[w.start : w.end]).replace("\u00ad", "")
        assert original.casefold() == w.folded
    assert [w.folded for w in words(text)] == ["märz", "die", "un", "sitzung", "zweiter", "punkt"]
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Ma\u0308rz: die UN\u00ad-Sitzung.",
        "Zweiter Punkt",
    ]


def test_describe() -> None:
    assert describe(KEO) == "person Keo Chhea"
    assert describe(PILLARS) == "number 4"
    assert describe(PILLAR_2) == "text Opferschutz verbessern / improve victim protection"


# --- the real gold ----------------------------------------------------------------


@pytest.mark.parametrize("fact", FACTS, ids=[f["id"] for f in FACTS])
def test_every_gold_fact_matches_its_own_evidence(fact: dict[str, Any]) -> None:
    hits = [match_fact(fact["matcher"], e["text"], "de") for e in fact["evidence"]]
    assert any(isinstance(h, FactMatch) for h in hits)


def weighted_recall(text: str, language: str) -> float:
    total = sum(float(f["weight"]) for f in FACTS)
    found = sum(float(f["weight"]) for f in FACTS if match_fact(f["matcher"], text, language))
    return found / total


# Measured on the gold's reference summaries (weighted recall over the 28 facts).
MEASURED = {
    "headline-de-a": 0.15,
    "headline-de-b": 0.13,
    "headline-en": 0.15,
    "abstract-de-a": 0.75,
    "abstract-de-b": 0.54,
    "abstract-en": 0.63,
    "bullets-de-a": 0.81,
    "bullets-de-b": 0.69,
    "bullets-en": 0.81,
}


@pytest.mark.parametrize("summary", SUMMARIES, ids=[s["id"] for s in SUMMARIES])
def test_reference_summaries_find_their_facts(summary: dict[str, Any]) -> None:
    recall = weighted_recall(summary["text"], summary["language"])
    assert recall == pytest.approx(MEASURED[summary["id"]], abs=0.005)
    if summary["length"] != "headline":
        assert recall >= 0.5


def test_a_bad_summary_finds_no_fact() -> None:
    assert weighted_recall("Das Wetter in Berlin war schön.", "de") == 0.0
    assert weighted_recall("The weather in Berlin was nice.", "en") == 0.0
    assert weighted_recall("", "de") == 0.0
