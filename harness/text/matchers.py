"""Typed key-fact matchers: is a fact present in a text, and where?

Shared by the gold validator (each fact must match its own evidence) and
the ``key_facts`` metric (does a summary contain the fact). A matcher is the
plain mapping stored in ``facts.jsonl`` (see ``gold/README.md``); every
returned span indexes the text exactly as given (``m.text == text[m.start:m.end]``),
even when that text is in NFD or holds soft hyphens.

What each type accepts:

* ``date`` (``start``, ``end``: partial ISO dates): a date or interval mention
  whose ends agree with the fact's ends on every field both state, and that
  states the fact's month and day when the fact has them ("November 2025"
  does not state "24.–25. November"; a missing year in the text is accepted).
* ``year_range`` (``start``, ``end``): a mention from year ``start`` to ``end``.
* ``person`` (``names``): one of the names as a whole token sequence, case
  and accents ignored; the last token may carry a genitive ``s``
  ("Keo Chheas", "Keo Chhea's").
* ``number`` (``value``, optional ``near``): a number in digits or words with
  that value, not the day or month of a date, with one of the ``near`` words
  (case-insensitive substrings) in the same sentence.
* ``text`` (``aliases``, optional ``min_overlap``, default 0.6): the share of
  an alias's stemmed content words (function words dropped) found in one
  sentence of the text reaches ``min_overlap``, ``k`` matched words lying
  within ``2 * k + 1`` content words (so that words scattered over a long
  sentence do not add up to a fact); the stemmer follows ``language``
  (Snowball German for ``de``, Porter for ``en``). The span runs from the
  first to the last matched word.

Example:
    >>> m = match_fact({"type": "year_range", "start": 2024, "end": 2028},
    ...                "Der Plan gilt von 2024 bis 2028.")
    >>> m.text
    'von 2024 bis 2028'
    >>> match_fact({"type": "person", "names": ["Keo Chhea"]}, "Botschafter Chhea") is None
    True
    >>> match_fact({"type": "text", "aliases": ["Opferschutz verbessern"]},
    ...            "Kurz: Der Plan soll den Opferschutz deutlich verbessern.").text
    'Opferschutz deutlich verbessern'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.text.dates import PartialDate, align, find_dates, parse_iso
from harness.text.numbers import find_numbers
from harness.text.sentences import split_sentences
from harness.text.stem import stem, stems
from harness.text.tokenize import tokens

__all__ = [
    "STOPWORDS",
    "FactMatch",
    "Word",
    "content_stems",
    "describe",
    "match_fact",
    "sentence_spans",
    "words",
]

# Function words that carry no fact; stems of the rest are compared.
# fmt: off
STOPWORDS = frozenset(
    [
        # German
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem",
        "einen", "und", "oder", "aber", "auch", "sowie", "zu", "zur", "zum", "von", "vom", "im",
        "in", "am", "an", "auf", "aus", "bei", "mit", "nach", "für", "über", "unter", "um",
        "durch", "als", "wie", "so", "dass", "daß", "sich", "sein", "seine", "seiner", "seinen",
        "ihre", "ihren", "ihrer", "es", "er", "sie", "wir", "ist", "sind", "war", "wurde",
        "wurden", "werden", "hat", "haben", "habe", "sei", "seien", "nicht", "noch", "nur",
        "sehr", "diese", "dieser", "dieses", "diesen", "diesem",
        # English
        "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "by", "at",
        "from", "as", "is", "are", "was", "were", "be", "its", "their", "this", "that", "it",
    ]
)
# fmt: on

_WORD_RE = re.compile(r"[^\W_]+")
# Between two tokens of a name: spaces, a hyphen, an apostrophe or an initial's dot.
_NAME_GAP_RE = re.compile(r"[\s\-'’.]{1,3}")


@dataclass(frozen=True)
class FactMatch:
    """Where a fact was found: a span of the searched text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Word:
    """A word token with its span in the original text.

    Attributes:
        folded: NFKC-normalised, casefolded form (what :func:`tokens` yields).
        start: Start offset in the original text.
        end: End offset in the original text.
    """

    folded: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """Word tokens of ``text`` as :func:`~harness.text.tokenize.tokens` makes them, with spans.

    Args:
        text: Any text (NFD, soft hyphens and Unicode dashes are fine).

    Returns:
        The tokens in order; ``text[w.start:w.end]`` is the original spelling.

    Example:
        >>> [(w.folded, w.start, w.end) for w in words("Ma\\u0308rz UN-Sitzung")]
        [('märz', 0, 5), ('un', 6, 8), ('sitzung', 9, 16)]
    """
    aligned = align(text)
    out: list[Word] = []
    for m in _WORD_RE.finditer(aligned.text):
        start, end = aligned.span(m.start(), m.end())
        for piece in tokens(m.group()):  # NFKC may still split a token ("½")
            out.append(Word(piece, start, end))
    return out


def sentence_spans(text: str, language: str = "de") -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (see :func:`split_sentences`).

    Args:
        text: Any text.
        language: ``"de"`` or ``"en"``.

    Returns:
        ``(start, end)`` per sentence, in order; the whole text as one span
        when it holds no sentence.

    Example:
        >>> s = "Er kam am 3. Mai. Sie ging.\\n- Ein Punkt"
        >>> [s[a:b] for a, b in sentence_spans(s)]
        ['Er kam am 3. Mai.', 'Sie ging.', 'Ein Punkt']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for sent in split_sentences(text, language):
        i = text.find(sent, pos)
        if i < 0:  # cannot happen (the splitter keeps characters); stay robust
            i = pos
        spans.append((i, i + len(sent)))
        pos = i + len(sent)
    return spans or [(0, len(text))]


def content_stems(text: str, language: str = "de") -> list[str]:
    """Stemmed tokens of ``text`` without function words (stemmer per ``language``).

    Example:
        >>> content_stems("die Säulen des Plans")
        ['saul', 'plan']
    """
    return stems([t for t in tokens(text) if t not in STOPWORDS], language)


# -- dates ---------------------------------------------------------------------


def _states(mention: PartialDate, fact: PartialDate) -> bool:
    """True if ``mention`` agrees with ``fact`` and states its month and day (year optional)."""
    if not mention.compatible(fact):
        return False
    if fact.month is not None and mention.month is None:
        return False
    return fact.day is None or mention.day is not None


def _match_date(m: Mapping[str, Any], text: str) -> FactMatch | None:
    first, last = parse_iso(m["start"]), parse_iso(m["end"])
    for d in find_dates(text):
        if _states(d.first, first) and _states(d.last, last):
            return FactMatch(d.start, d.end, d.text)
    return None


def _match_year_range(m: Mapping[str, Any], text: str) -> FactMatch | None:
    for d in find_dates(text):
        if d.first.year == m["start"] and d.last.year == m["end"]:
            return FactMatch(d.start, d.end, d.text)
    return None


# -- persons -------------------------------------------------------------------


def _fold_name(token: str) -> str:
    """Casefold and drop accents ("Guterrés" = "guterres"), for name comparison."""
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _match_person(m: Mapping[str, Any], text: str) -> FactMatch | None:
    found = words(text)
    have = [_fold_name(w.folded) for w in found]
    for name in m["names"]:
        want = [_fold_name(t) for t in tokens(name)]
        if not want:
            continue
        n = len(want)
        for i in range(len(found) - n + 1):
            last = have[i + n - 1]
            if have[i : i + n - 1] != want[:-1] or last not in (want[-1], want[-1] + "s"):
                continue
            gaps_ok = all(
                _NAME_GAP_RE.fullmatch(text, found[j].end, found[j + 1].start)
                for j in range(i, i + n - 1)
            )
            if gaps_ok:
                start, end = found[i].start, found[i + n - 1].end
                return FactMatch(start, end, text[start:end])
    return None


# -- numbers -------------------------------------------------------------------


def _match_number(m: Mapping[str, Any], text: str, language: str) -> FactMatch | None:
    near = [unicodedata.normalize("NFC", w).casefold() for w in m.get("near", [])]
    value = float(m["value"])
    # The day or month of a date is not a count ("am 4. November" is not "vier").
    in_dates = [(d.start, d.end) for d in find_dates(text) if d.granularity != "year"]
    spans = sentence_spans(text, language)
    for n in find_numbers(text):
        if n.value != value or any(s <= n.start < e for s, e in in_dates):
            continue
        if not near:
            return FactMatch(n.start, n.end, n.text)
        for s, e in spans:
            sentence = unicodedata.normalize("NFC", text[s:e]).casefold()
            if s <= n.start < e and any(w in sentence for w in near):
                return FactMatch(n.start, n.end, n.text)
    return None


# -- text ----------------------------------------------------------------------


def _best_window(
    sentence: Sequence[tuple[str, Word]], want: set[str]
) -> tuple[int, int, int] | None:
    """The stretch of ``sentence`` holding the most distinct stems of ``want`` close together.

    A stretch holding ``k`` distinct wanted stems may be at most ``2 * k + 1``
    content words long, so that stems scattered over a long sentence do not
    add up to a fact. Returns ``(k, start, end)`` (a character span from the
    first to the last matched word), the shortest stretch among those with the
    largest ``k``; ``None`` if no wanted stem occurs.
    """
    hits = [i for i, (st, _) in enumerate(sentence) if st in want]
    best: tuple[int, int, int, int] | None = None  # (k, -length, start, end)
    for a_pos, a in enumerate(hits):
        seen: set[str] = set()
        for b in hits[a_pos:]:
            seen.add(sentence[b][0])
            length = b - a + 1
            if length > 2 * len(want) + 1:
                break
            if length > 2 * len(seen) + 1:
                continue
            key = (len(seen), -length, sentence[a][1].start, sentence[b][1].end)
            if best is None or key[:2] > best[:2]:
                best = key
    return None if best is None else (best[0], best[2], best[3])


def _match_text(m: Mapping[str, Any], text: str, language: str) -> FactMatch | None:
    threshold = float(m.get("min_overlap", 0.6))
    all_words = [w for w in words(text) if w.folded not in STOPWORDS]
    sentences = [
        [(stem(w.folded, language), w) for w in all_words if s <= w.start < e]
        for s, e in sentence_spans(text, language)
    ]
    best: tuple[float, int, int] | None = None
    for alias in m["aliases"]:
        want = set(content_stems(alias, language))
        if not want:
            continue
        for sentence in sentences:
            window = _best_window(sentence, want)
            if window is None:
                continue
            share = window[0] / len(want)
            if share >= threshold and (best is None or share > best[0]):
                best = (share, window[1], window[2])
    if best is None:
        return None
    return FactMatch(best[1], best[2], text[best[1] : best[2]])


def match_fact(matcher: Mapping[str, Any], text: str, language: str = "de") -> FactMatch | None:
    """Find the fact described by ``matcher`` in ``text``.

    Args:
        matcher: A matcher mapping as stored in ``facts.jsonl``.
        text: The text to search (a summary, or a fact's evidence).
        language: ``"de"`` or ``"en"``: the language of ``text`` (sentence
            splitting, and the stemmer of ``text`` matchers).

    Returns:
        The first (for ``text``: the best) match, or ``None`` if the fact is absent.

    Raises:
        ValueError: For an unknown matcher type or an unsupported language.

    Example:
        >>> match_fact({"type": "number", "value": 4, "near": ["Säulen"]},
        ...            "Am 4. November: vier Säulen.").text
        'vier'
    """
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
    """A short human description of a matcher, for reports.

    Example:
        >>> describe({"type": "year_range", "start": 2024, "end": 2028})
        'year_range 2024..2028'
    """
    kind = matcher["type"]
    if kind in ("date", "year_range"):
        return f"{kind} {matcher['start']}..{matcher['end']}"
    if kind == "person":
        return "person " + " / ".join(matcher["names"])
    if kind == "number":
        return f"number {matcher['value']:g}"
    aliases: Sequence[str] = matcher["aliases"]
    return "text " + " / ".join(aliases[:2])
