"""Word tokens and stems: German-correct Unicode tokens, exact rouge_score tokens and stems."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer
from rouge_score import tokenize as rs_tokenize

from harness.text.stem import stem, stemmer_signature, stems
from harness.text.tokenize import normalize_for_tokens, rouge_score_tokens, split_words, tokens

PORTER = PorterStemmer()

TOKENS_CASES: list[tuple[str, list[str]]] = [
    ("", []),
    ("  ,.;– „“ ", []),
    ("Säulen", ["säulen"]),
    ("Die Säulen stärken", ["die", "säulen", "stärken"]),
    ("Größe", ["grösse"]),  # casefold: ß -> ss
    ("STRASSE Straße", ["strasse", "strasse"]),
    ("Ernäh\u00adrung", ["ernährung"]),  # soft hyphen
    ("Men\u200bschen\u200dhandel\ufeff", ["menschenhandel"]),  # zero-width characters
    ("Erna\u0308hrung", ["ernährung"]),  # NFD -> NFC
    ("Erna\u00ad\u0308hrung", ["ernährung"]),  # soft hyphen between letter and its umlaut
    ("\ufb01nal \uff12\uff10\uff12\uff14", ["final", "2024"]),  # NFKC: ligature, full width
    ("24.\u00a0November", ["24", "november"]),  # NBSP
    ("UN-Hauptquartier", ["un", "hauptquartier"]),
    ("snake_case", ["snake", "case"]),
    ("2024–2028", ["2024", "2028"]),
    ("z. B. 15-jähriges", ["z", "b", "15", "jähriges"]),
    ("„Ernährungssicherheit“", ["ernährungssicherheit"]),
    ("sozioökonomischen", ["sozioökonomischen"]),
    ("The cat's hat, 2 x!", ["the", "cat", "s", "hat", "2", "x"]),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS_CASES)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected
    assert tokens(text, language="en") == expected


ROUGE_SCORE_CASES: list[str] = [
    "",
    "Säulen",
    "Größe Grüße",
    "Die Säulen stärken den Opferschutz.",
    "İstanbul \u212a Ǆ",  # lower() yields ASCII letters from non-ASCII ones
    "2024–2028, 24.\u00a0November",
    "snake_case and CamelCase",
    "Ernäh\u00adrung",
]


@pytest.mark.parametrize("text", ROUGE_SCORE_CASES)
def test_rouge_score_tokens_equal_rouge_score(text: str) -> None:
    assert rouge_score_tokens(text) == rs_tokenize.tokenize(text, None)


def test_rouge_score_splits_umlauts() -> None:
    assert rouge_score_tokens("Säulen") == ["s", "ulen"]
    assert rouge_score_tokens("Größe") == rouge_score_tokens("Grüße") == ["gr", "e"]
    assert tokens("Größe") != tokens("Grüße")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_rouge_score_tokens_property(text: str) -> None:
    assert rouge_score_tokens(text) == rs_tokenize.tokenize(text, None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable))
def test_ascii_tokens_agree(text: str) -> None:
    assert tokens(text) == rouge_score_tokens(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_tokens_is_normalize_then_split(text: str) -> None:
    assert tokens(text) == split_words(normalize_for_tokens(text))
    assert all(t and t == t.casefold() for t in tokens(text))


def test_tokens_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        tokens("x", language="fr")


STEM_CASES: list[tuple[str, str, str]] = [
    ("säulen", "de", "saul"),
    ("Säule", "de", "saul"),  # German input is lower-cased first
    ("stärken", "de", "stark"),
    ("grösse", "de", "gross"),
    ("grüsse", "de", "gruss"),
    ("menschenhandels", "de", "menschenhandel"),
    ("running", "en", "run"),
    ("dies", "en", "die"),
    ("was", "en", "was"),  # three characters: rouge_score does not stem it
    ("ties", "en", "tie"),
    ("1234", "en", "1234"),
]


@pytest.mark.parametrize(("token", "language", "expected"), STEM_CASES)
def test_stem(token: str, language: str, expected: str) -> None:
    assert stem(token, language) == expected


ENGLISH_TEXTS: list[str] = [
    "The quick brown fox jumps over the lazy dog",
    "Running runners ran; agreed agreements, generously given.",
    "was his has dies ties flies skies dying lying 2024 11th",
    "Cambodia reaffirms its commitment to the global fight against human trafficking.",
]


@pytest.mark.parametrize("text", ENGLISH_TEXTS)
def test_english_stems_equal_rouge_score(text: str) -> None:
    assert stems(rouge_score_tokens(text), "en") == rs_tokenize.tokenize(text, PORTER)


def test_stem_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        stem("x", "fr")
    with pytest.raises(ValueError, match="unsupported language"):
        stemmer_signature("fr")


def test_stemmer_signature() -> None:
    assert stemmer_signature("de").startswith("snowball-german(PyStemmer ")
    assert stemmer_signature("en").startswith("porter-len>3(nltk ")
