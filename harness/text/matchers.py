"""Typed key-fact matchers: is a fact present in a text, and where?

Shared by the gold validator (each fact must match its own evidence) and
the ``key_facts`` metric (does a summary contain the fact). A matcher is the
plain mapping stored in ``facts.jsonl`` (see ``gold/README.md``).

Example:
    >>> m = match_fact({"type": "year_range", "start": 2024, "end": 2028},
    ...                "Der Plan gilt von 2024 bis 2028.")
    >>> m.text
    'von 2024 bis 2028'
    >>> match_fact({"type": "person", "names": ["Keo Chhea"]}, "Botschafter Chhea") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.text.dates import find_dates, parse_iso
from harness.text.normalize import clean
from harness.text.numbers import find_numbers
from harness.text.sentences import split_sentences
from harness.text.stem import stems
from harness.text.tokenize import tokens

# Function words that carry no fact; stems of the rest are compared.
STOPWORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "und",
        "oder",
        "aber",
        "auch",
        "sowie",
        "zu",
        "zur",
        "zum",
        "von",
        "vom",
        "im",
        "in",
        "am",
        "an",
        "auf",
        "aus",
        "bei",
        "mit",
        "nach",
        "für",
        "über",
        "unter",
        "um",
        "durch",
        "als",
        "wie",
        "so",
        "dass",
        "daß",
        "sich",
        "sein",
        "seine",
        "seiner",
        "seinen",
        "ihre",
        "ihren",
        "ihrer",
        "es",
        "er",
        "sie",
        "wir",
        "ist",
        "sind",
        "war",
        "wurde",
        "wurden",
        "werden",
        "hat",
        "haben",
        "habe",
        "sei",
        "seien",
        "nicht",
        "noch",
        "nur",
        "sehr",
        "diese",
        "dieser",
        "dieses",
        "diesen",
        "diesem",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "its",
        "their",
        "this",
        "that",
        "it",
    ]
)


@dataclass(frozen=True)
class FactMatch:
    """Where a fact was found: a span of the searched text."""

    start: int
    end: int
    text: str


def _sentence_spans(text: str, language: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for sent in split_sentences(text, language):
        i = text.find(sent, pos)
        if i < 0:  # the splitter stripped a marker; fall back to a fuzzy position
            i = pos
        spans.append((i, i + len(sent)))
        pos = i + len(sent)
    return spans or [(0, len(text))]


def content_stems(text: str, language: str = "de") -> list[str]:
    """German-stemmed tokens of ``text`` without function words."""
    return stems([t for t in tokens(text) if t not in STOPWORDS], language)


def _match_date(m: Mapping[str, Any], text: str) -> FactMatch | None:
    first, last = parse_iso(m["start"]), parse_iso(m["end"])
    for d in find_dates(text):
        if d.first.compatible(first) and d.last.compatible(last):
            return FactMatch(d.start, d.end, d.text)
    return None


def _match_year_range(m: Mapping[str, Any], text: str) -> FactMatch | None:
    for d in find_dates(text):
        if d.first.year == m["start"] and d.last.year == m["end"]:
            return FactMatch(d.start, d.end, d.text)
    return None


def _match_person(m: Mapping[str, Any], text: str) -> FactMatch | None:
    for name in m["names"]:
        parts = [re.escape(p) for p in tokens(name)]
        if not parts:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\W_]+".join(parts) + r"(?!\w)", re.IGNORECASE)
        found = pattern.search(text)
        if found:
            return FactMatch(found.start(), found.end(), found.group(0))
    return None


def _match_number(m: Mapping[str, Any], text: str, language: str) -> FactMatch | None:
    near = [w.casefold() for w in m.get("near", [])]
    spans = _sentence_spans(text, language)
    for n in find_numbers(text):
        if n.value != float(m["value"]):
            continue
        if not near:
            return FactMatch(n.start, n.end, n.text)
        for s, e in spans:
            if s <= n.start < e and any(w in text[s:e].casefold() for w in near):
                return FactMatch(n.start, n.end, n.text)
    return None


def _match_text(m: Mapping[str, Any], text: str, language: str) -> FactMatch | None:
    threshold = float(m.get("min_overlap", 0.6))
    best: tuple[float, int, int] | None = None
    sentences = [
        (s, e, set(content_stems(text[s:e], language))) for s, e in _sentence_spans(text, language)
    ]
    for alias in m["aliases"]:
        want = set(content_stems(alias, language))
        if not want:
            continue
        for s, e, have in sentences:
            share = len(want & have) / len(want)
            if share >= threshold and (best is None or share > best[0]):
                best = (share, s, e)
    if best is None:
        return None
    return FactMatch(best[1], best[2], text[best[1] : best[2]])


def match_fact(matcher: Mapping[str, Any], text: str, language: str = "de") -> FactMatch | None:
    """Find the fact described by ``matcher`` in ``text``; ``None`` if absent."""
    text = clean(text)
    kind = matcher["type"]
    if kind == "date":
        return _match_date(matcher, text)
    if kind == "year_range":
        return _match_year_range(matcher, text)
    if kind == "person":
        return _match_person(matcher, text)
    if kind == "number":
        return _match_number(matcher, text, language)
    if kind == "text":
        return _match_text(matcher, text, language)
    raise ValueError(f"unknown matcher type {kind!r}")


def describe(matcher: Mapping[str, Any]) -> str:
    """A short human description of a matcher, for reports."""
    kind = matcher["type"]
    if kind in ("date", "year_range"):
        return f"{kind} {matcher['start']}..{matcher['end']}"
    if kind == "person":
        return "person " + " / ".join(matcher["names"])
    if kind == "number":
        return f"number {matcher['value']:g}"
    aliases: Sequence[str] = matcher["aliases"]
    return "text " + " / ".join(aliases[:2])
