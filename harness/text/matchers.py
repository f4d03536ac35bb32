"""Typed key-fact matchers: is a fact present in a text, contradicted, or absent, and where?

Shared by the gold validator (each fact must match its own evidence) and
the ``key_facts`` metric (does a summary state the fact, or state its slot
with another value). A matcher is the plain mapping stored in
``facts.jsonl`` (see ``gold/README.md``); every returned span indexes the
text exactly as given (``m.text == text[m.start:m.end]``), even when that
text is in NFD or holds soft hyphens.

:func:`match_fact` answers "is the fact there?"; :func:`judge_fact` gives
one of three states, ``found``, ``missed`` or ``contradicted``, where
*contradicted* means the text fills the fact's slot with another value: a
different date, year range or count, another person in the fact's role, or
the fact's role given to another person. What each type accepts:

* ``date`` (``start``, ``end``: partial ISO dates; optional ``near``): a date
  or interval mention whose ends agree with the fact's ends on every field
  both state, and that states the fact's month and day when the fact has
  them ("November 2025" does not state "24.–25. November"; a missing year in
  the text is accepted). *Contradicted* by a mention of the same shape (a
  day for a day, a month without a day for a month) that does not agree, in
  a sentence holding one of the ``near`` words when the fact has them; also
  by a matching mention that adds a field the source does not support ("24.
  November 2024" for a session in 2025, "5. August 2024" for a launch in
  August 2024).
* ``year_range`` (``start``, ``end``; optional ``near``): a mention from year
  ``start`` to ``end``. *Contradicted* by another year range.
* ``person`` (``names``; optional ``roles``): one of the names as a whole
  token sequence, case and accents ignored; the last token may carry a
  genitive ``s`` ("Keo Chheas", "Keo Chhea's"). *Contradicted* when none of
  the names occurs and another person's name is bound to one of the
  ``roles`` ("Botschafter Men Kiri", "Men Kiri, Ständiger Vertreter").
* ``number`` (``value``, optional ``near``): a number in digits or words with
  that value, not the day or month of a date, within three words of one of
  the ``near`` words (case-insensitive substrings of a word: "Säule" is in
  "Kernsäulen") in the same sentence. *Contradicted* by a cardinal with
  another value right before a ``near`` word ("fünf Säulen"; "Säule 3" is
  an enumeration, not a count).
* ``text`` (``aliases``; optional ``min_overlap`` (default 0.6),
  ``synonyms``, ``context``, ``holder``): an alias is a list of *slots*, one
  per content word (function words dropped). A word is read as its units
  (:func:`harness.text.compounds.units`: German compounds split into stemmed
  parts, verbal nouns folded onto their verb; Porter stems for English), so
  "Opferschutz" and "Schutz der Opfer" fill the same slot, and
  "Stärkung der Strafverfolgung" the slots of "Strafverfolgung stärken".
  ``synonyms`` are groups of interchangeable words or phrases
  (``[["Säulen", "Pfeiler", "Schwerpunkte"], ["Vereinte Nationen", "UN",
  "UNO"]]``): every member, in the alias and in the text, is read as the
  group, and a multi-word member fills one slot. A slot is filled when all
  its units occur; the share of filled slots in one sentence of the text
  must reach ``min_overlap``, ``k`` matched units lying within ``2 * k + 1``
  content words (so that words scattered over a long sentence do not add up
  to a fact). A match inside a single word of the text ("Koordination",
  "Opferschutzmechanismen") only counts in a sentence that also holds one of
  the ``context`` words, when the fact has them. With ``holder`` (names),
  the fact is a role of that person: it is found when the person bound to
  the matched role is the holder (or no person is bound to it),
  *contradicted* when another person is. The span runs from the first to
  the last matched word.

Binding a role to a person (``holder``, ``roles``): the person named right
after the role ("Botschafter Men Kiri"), right before it after a comma
("Men Kiri, Ständiger Vertreter", "Men Kiri, Kambodschas Botschafter"), or
in an apposition closing the role's phrase ("Ständiger Vertreter bei den
UN, Men Kiri, sagte"). Persons are the holder's names and what
:func:`harness.text.names.person_mentions` finds. A role bound to nobody
("Er ist Ständiger Vertreter") is not held against the fact.

A value that the source itself states (another date of the article, its
publication date, the plan's five years) never contradicts a fact:
:func:`judge_fact` takes a :class:`Grounding` (the ``hallucination``
metric's view of the source) that says which dates and numbers the source
supports.

Example:
    >>> m = match_fact({"type": "year_range", "start": 2024, "end": 2028},
    ...                "Der Plan gilt von 2024 bis 2028.")
    >>> m.text
    'von 2024 bis 2028'
    >>> match_fact({"type": "person", "names": ["Keo Chhea"]}, "Botschafter Chhea") is None
    True
    >>> match_fact({"type": "text", "aliases": ["Opferschutz verbessern"]},
    ...            "Kurz: Der Plan soll den Schutz der Opfer deutlich verbessern.").text
    'Schutz der Opfer deutlich verbessern'
    >>> j = judge_fact({"type": "date", "start": "--11-24", "end": "--11-25"},
    ...                "Die Sitzung fand am 17. und 18. November statt.")
    >>> j.state, j.text
    ('contradicted', '17. und 18. November')
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

from harness.text.compounds import units
from harness.text.dates import DateMention, PartialDate, align, find_dates, parse_iso
from harness.text.numbers import NumberMention, find_numbers
from harness.text.sentences import split_sentences
from harness.text.spans import Cover, SpanIndex
from harness.text.stem import stems
from harness.text.tokenize import tokens

__all__ = [
    "STOPWORDS",
    "FactJudgement",
    "FactMatch",
    "FactState",
    "Grounding",
    "Word",
    "content_stems",
    "content_units",
    "describe",
    "judge_fact",
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
_NUMBER_WINDOW = 3  # words between a count and its noun ("vier zentrale Säulen")
_COUNT_BEFORE = 2  # a contradicting count stands at most this many words before its noun

FactState = Literal["found", "missed", "contradicted"]


@dataclass(frozen=True)
class FactMatch:
    """Where a fact was found: a span of the searched text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class FactJudgement:
    """One fact in one text: its state and the span that decided it.

    Attributes:
        state: ``"found"``, ``"missed"`` or ``"contradicted"``.
        start: Start offset of the deciding span in the text (``None`` when missed).
        end: End offset (``None`` when missed).
        text: ``text[start:end]``: the match, or the other value ("17. und 18. November",
            "Men Kiri"); ``""`` when missed.
        reason: Why a fact is contradicted: ``"value"`` (another value of the fact's
            shape), ``"unsupported"`` (the fact's value with a field the source does
            not state, "24. November 2024") or ``"person"`` (another person in the
            fact's role, or the role given to another person); ``""`` otherwise.
    """

    state: FactState
    start: int | None = None
    end: int | None = None
    text: str = ""
    reason: str = ""

    @classmethod
    def of(cls, state: FactState, m: FactMatch | None, reason: str = "") -> FactJudgement:
        if m is None:
            return cls("missed")
        return cls(state, m.start, m.end, m.text, reason if state == "contradicted" else "")


MISSED = FactJudgement("missed")


class Grounding(Protocol):
    """What the source supports (the ``hallucination`` metric's ``SourceFacts`` is one)."""

    def supports_date(self, d: DateMention) -> bool:
        """True if the source supports the whole date or interval ``d``."""
        ...

    def supports_count(self, value: float) -> bool:
        """True if the source states the number ``value`` (as a number, day or length)."""
        ...


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


def content_units(text: str, language: str = "de") -> list[str]:
    """The matching units of ``text`` without function words.

    See :func:`harness.text.compounds.units`.


    Example:
        >>> content_units("der Opferschutz und die Stärkung der Strafverfolgung")
        ['opf', 'schutz', 'stark', 'straf', 'verfolg']
    """
    out: list[str] = []
    for w in words(text):
        if w.folded not in STOPWORDS:
            out.extend(units(text[w.start : w.end], language))
    return out


def _sentence_of(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in spans:
        if s <= pos < e:
            return s, e
    return spans[-1] if spans else (0, 0)


def _nfc_fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


# -- dates ---------------------------------------------------------------------


def _states(mention: PartialDate, fact: PartialDate) -> bool:
    """True if ``mention`` agrees with ``fact`` and states its month and day (year optional)."""
    if not mention.compatible(fact):
        return False
    if fact.month is not None and mention.month is None:
        return False
    return fact.day is None or mention.day is not None


def _same_shape(mention: PartialDate, fact: PartialDate) -> bool:
    """True if ``mention`` fills the slot ``fact`` describes (a day for a day ...)."""
    return mention.granularity == fact.granularity


def _near_ok(m: Mapping[str, Any], text: str, spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """True if the fact has no ``near`` words or the sentence at ``pos`` holds one."""
    near = [_nfc_fold(w) for w in m.get("near", [])]
    if not near:
        return True
    s, e = _sentence_of(spans, pos)
    sentence = _nfc_fold(text[s:e])
    return any(w in sentence for w in near)


def _as_match(d: DateMention | NumberMention) -> FactMatch:
    return FactMatch(d.start, d.end, d.text)


def _judge_date(
    m: Mapping[str, Any], text: str, language: str, grounding: Grounding | None
) -> FactJudgement:
    first, last = parse_iso(m["start"]), parse_iso(m["end"])
    spans = sentence_spans(text, language)
    unsupported: FactMatch | None = None
    other: FactMatch | None = None
    for d in find_dates(text):
        if _states(d.first, first) and _states(d.last, last):
            if grounding is None or grounding.supports_date(d):
                return FactJudgement.of("found", _as_match(d))
            unsupported = unsupported or _as_match(d)  # adds a year or day the source lacks
        elif (
            other is None
            and _same_shape(d.first, first)
            and _same_shape(d.last, last)
            and _near_ok(m, text, spans, d.start)
            and (grounding is None or not grounding.supports_date(d))
        ):
            other = _as_match(d)
    if unsupported is not None:
        return FactJudgement.of("contradicted", unsupported, "unsupported")
    return FactJudgement.of("contradicted", other, "value")


def _judge_year_range(
    m: Mapping[str, Any], text: str, language: str, grounding: Grounding | None
) -> FactJudgement:
    spans = sentence_spans(text, language)
    other: FactMatch | None = None
    for d in find_dates(text):
        if d.first.year == m["start"] and d.last.year == m["end"]:
            return FactJudgement.of("found", _as_match(d))
        is_range = (
            d.first.year is not None
            and d.last.year is not None
            and d.first.month is None
            and d.last.month is None
            and d.first.year != d.last.year
        )
        if (
            other is None
            and is_range
            and _near_ok(m, text, spans, d.start)
            and (grounding is None or not grounding.supports_date(d))
        ):
            other = _as_match(d)
    return FactJudgement.of("contradicted", other, "value")


# -- persons -------------------------------------------------------------------


def _fold_name(token: str) -> str:
    """Casefold and drop accents ("Guterrés" = "guterres"), for name comparison."""
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _person_spans(names: Sequence[str], text: str) -> list[FactMatch]:
    """Every occurrence of one of ``names`` in ``text`` (whole token sequences), in order."""
    found = words(text)
    have = [_fold_name(w.folded) for w in found]
    out: list[FactMatch] = []
    for name in names:
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
                out.append(FactMatch(start, end, text[start:end]))
    out.sort(key=lambda f: (f.start, -f.end))
    return out


def _match_person(m: Mapping[str, Any], text: str) -> FactMatch | None:
    for name in m["names"]:  # the first name of the list that occurs, as before
        spans = _person_spans([name], text)
        if spans:
            return spans[0]
    return None


def _role_spans(roles: Sequence[str], text: str) -> list[FactMatch]:
    """Occurrences of the role words (whole token sequences; plural, genitive, -in allowed)."""
    found = words(text)
    out: list[FactMatch] = []
    for role in roles:
        want = tokens(role)
        n = len(want)
        if not n:
            continue
        for i in range(len(found) - n + 1):
            got = [w.folded for w in found[i : i + n]]
            if got[:-1] != want[:-1]:
                continue
            tail = got[-1]
            if tail != want[-1] and not (
                tail.startswith(want[-1]) and tail[len(want[-1]) :] in ("s", "in", "innen", "n")
            ):
                continue
            out.append(FactMatch(found[i].start, found[i + n - 1].end, ""))
    return out


# Between a person and a role after it: "Men Kiri, Ständiger Vertreter", "Men Kiri, Kambodschas
# Botschafter", "Men Kiri, der Botschafter".
_BEFORE_ROLE_RE = re.compile(
    r",[ \t\u00a0]{1,2}(?:(?:der|die|den|dem|des|ein|eine|einer|the|a|an|[^\W\d_]+s)"
    r"[ \t\u00a0]{1,2}){0,2}",
    re.IGNORECASE,
)
_AFTER_ROLE_RE = re.compile(r"[ \t\u00a0]{1,2}")  # "Botschafter Men Kiri"
# A person in an apposition closing the role's phrase: "Ständiger Vertreter bei den UN, Men Kiri,"
_APPOSITION_RE = re.compile(r"[^.;:!?\n,]{0,60},[ \t\u00a0]{1,2}")
_APPOSITION_END_RE = re.compile(r"\s*(?:[,;)]|$)")


def _bound_person(
    role: FactMatch, persons: Sequence[tuple[FactMatch, bool]], text: str
) -> tuple[FactMatch, bool] | None:
    """The person a role occurrence is bound to: ``(span, is_holder)``, or ``None``.

    ``persons`` are all person mentions of the text with whether each is the
    fact's holder. The person right after the role wins, then the one right
    before it after a comma, then one in an apposition closing the role's phrase.
    """
    for p, holder in persons:  # "Botschafter Men Kiri"
        if p.start >= role.end and _AFTER_ROLE_RE.fullmatch(text, role.end, p.start):
            return p, holder
    for p, holder in persons:  # "Men Kiri, Ständiger Vertreter"
        if p.end <= role.start and _BEFORE_ROLE_RE.fullmatch(text, p.end, role.start):
            return p, holder
    for p, holder in persons:  # "Ständiger Vertreter bei den UN, Men Kiri, sagte"
        if (
            p.start >= role.end
            and _APPOSITION_RE.fullmatch(text, role.end, p.start)
            and _APPOSITION_END_RE.match(text, p.end)
        ):
            return p, holder
    return None


def _persons(
    text: str, names: Sequence[str], extra_titles: Sequence[str]
) -> list[tuple[FactMatch, bool]]:
    """Person mentions of ``text``: the holder's names (``True``) and other names (``False``)."""
    from harness.text.names import person_mentions  # names.py imports this module

    holders = _person_spans(names, text)
    out: list[tuple[FactMatch, bool]] = [(h, True) for h in holders]
    for p in person_mentions(text, extra_titles=extra_titles):
        overlaps = any(p.start < h.end and h.start < p.end for h in holders)
        if not overlaps:
            out.append((FactMatch(p.start, p.end, p.text), False))
    out.sort(key=lambda x: x[0].start)
    return out


def _judge_person(m: Mapping[str, Any], text: str) -> FactJudgement:
    found = _match_person(m, text)
    if found is not None:
        return FactJudgement.of("found", found)
    roles: Sequence[str] = m.get("roles", [])
    if not roles:
        return MISSED
    persons = _persons(text, m["names"], roles)
    for role in _role_spans(roles, text):
        bound = _bound_person(role, persons, text)
        if bound is not None and not bound[1]:
            return FactJudgement.of("contradicted", bound[0], "person")
    return MISSED


# -- numbers -------------------------------------------------------------------


def _judge_number(
    m: Mapping[str, Any], text: str, language: str, grounding: Grounding | None
) -> FactJudgement:
    near = [_nfc_fold(w) for w in m.get("near", [])]
    value = float(m["value"])
    # The day or month of a date is not a count ("am 4. November" is not "vier").
    in_dates = Cover((d.start, d.end) for d in find_dates(text) if d.granularity != "year")
    spans = sentence_spans(text, language)
    sentences = SpanIndex(spans)
    toks = words(text)
    word_at = SpanIndex((w.start, w.end) for w in toks)
    near_at = [i for i, w in enumerate(toks) if any(n in _nfc_fold(w.folded) for n in near)]

    def word_index(pos: int) -> int:
        return word_at.find(pos)

    def sentence_of(pos: int) -> tuple[int, int]:  # as _sentence_of, by bisection
        i = sentences.find(pos)
        return spans[i] if i >= 0 else (spans[-1] if spans else (0, 0))

    def same_sentence(a: int, b: int) -> bool:
        return sentence_of(toks[a].start) == sentence_of(toks[b].start)

    def near_between(lo: int, hi: int) -> list[int]:
        """The near words with index in ``[lo, hi]`` (near_at is ascending)."""
        out = []
        for j in near_at[bisect.bisect_left(near_at, lo) :]:
            if j > hi:
                break
            out.append(j)
        return out

    other: FactMatch | None = None
    for n in find_numbers(text):
        if n.start in in_dates:
            continue
        i = word_index(n.start)
        if n.value == value:
            if not near:
                return FactJudgement.of("found", _as_match(n))
            window = near_between(i - _NUMBER_WINDOW, i + _NUMBER_WINDOW)
            if any(same_sentence(i, j) for j in window):
                return FactJudgement.of("found", _as_match(n))
            continue
        if other is not None or not near or n.kind not in ("digits", "word"):
            continue
        if n.kind == "word" and n.value <= 1:
            continue  # "eine Säule" is no count of the pillars
        if n.start > 0 and text[n.start - 1] == "-" and text[n.start - 2 : n.start - 1].isalpha():
            continue  # "COVID-19"
        # the count stands before its noun ("fünf Säulen", "5-jähriges"), never after ("Säule 3")
        last = word_index(n.end - 1)
        if not any(same_sentence(i, j) for j in near_between(last, last + _COUNT_BEFORE)):
            continue
        if grounding is not None and grounding.supports_count(n.value):
            continue
        other = _as_match(n)
    return FactJudgement.of("contradicted", other, "value")


# -- text ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A matching unit of a text: its key and the content words it covers."""

    key: str
    first: int  # index of the first content word of its sentence it covers
    last: int
    start: int  # character span in the text
    end: int


_Synonyms = tuple[tuple[tuple[str, ...], str], ...]  # (member units, group key), longest first


@lru_cache(maxsize=4096)
def _compile_synonyms(groups: tuple[tuple[str, ...], ...], language: str) -> _Synonyms:
    out: list[tuple[tuple[str, ...], str]] = []
    for g, group in enumerate(groups):
        for member in group:
            key = tuple(content_units(member, language))
            if key:
                out.append((key, f"≡{g}"))
    out.sort(key=lambda x: -len(x[0]))
    return tuple(out)


def _apply_synonyms(seq: list[_Unit], synonyms: _Synonyms) -> list[_Unit]:
    """Replace each occurrence of a synonym member by its group's key (longest members first)."""
    if not synonyms:
        return seq
    out: list[_Unit] = []
    i = 0
    keys = [u.key for u in seq]
    while i < len(seq):
        for member, group in synonyms:
            n = len(member)
            if tuple(keys[i : i + n]) == member:
                a, b = seq[i], seq[i + n - 1]
                out.append(_Unit(group, a.first, b.last, a.start, b.end))
                i += n
                break
        else:
            out.append(seq[i])
            i += 1
    return out


def _text_units(text: str, language: str, synonyms: _Synonyms) -> list[list[_Unit]]:
    """The units of each sentence of ``text``, synonyms applied."""
    content = [w for w in words(text) if w.folded not in STOPWORDS]
    out: list[list[_Unit]] = []
    for s, e in sentence_spans(text, language):
        seq: list[_Unit] = []
        index = 0
        for w in content:
            if not s <= w.start < e:
                continue
            for key in units(text[w.start : w.end], language):
                seq.append(_Unit(key, index, index, w.start, w.end))
            index += 1
        out.append(_apply_synonyms(seq, synonyms))
    return out


@lru_cache(maxsize=4096)
def _alias_slots(alias: str, language: str, synonyms: _Synonyms) -> tuple[frozenset[str], ...]:
    """The slots of an alias: the unit keys of each content word (a multi-word synonym is one)."""
    seq: list[_Unit] = []
    index = 0
    for w in words(alias):
        if w.folded in STOPWORDS:
            continue
        for key in units(alias[w.start : w.end], language):
            seq.append(_Unit(key, index, index, w.start, w.end))
        index += 1
    slots: list[tuple[set[int], set[str]]] = []
    for u in _apply_synonyms(seq, synonyms):
        span = set(range(u.first, u.last + 1))
        touching = [s for s in slots if s[0] & span]
        merged_words, merged_keys = set(span), {u.key}
        for s in touching:
            merged_words |= s[0]
            merged_keys |= s[1]
            slots.remove(s)
        slots.append((merged_words, merged_keys))
    slots.sort(key=lambda s: min(s[0]))
    return tuple(frozenset(keys) for _, keys in slots)


def _best_window(
    sentence: Sequence[_Unit], slots: Sequence[frozenset[str]]
) -> tuple[int, int, int, int] | None:
    """The stretch of ``sentence`` filling the most slots, its matched units close together.

    A stretch holding ``k`` distinct matched units may be at most ``2 * k + 1``
    content words long. Returns ``(filled slots, words, start, end)`` (how many
    content words it spans, and a character span from the first to the last
    matched unit), the shortest stretch among those filling the most slots;
    ``None`` if no slot is filled.
    """
    wanted = frozenset().union(*slots) if slots else frozenset()
    hits = [u for u in sentence if u.key in wanted]
    best: tuple[int, int, int, int] | None = None  # (filled, -length, start, end)
    # A stretch holds at most len(wanted) distinct keys, so none is longer than this: only
    # hits that close to each other are paired (a sentence of 10,000 matching words took
    # cubic time). With the hits in word order, the scans stop there; the result is the
    # one the full scan finds.
    longest = 2 * len(wanted) + 1
    firsts = [u.first for u in hits]
    ordered = all(x <= y for x, y in zip(firsts, firsts[1:], strict=False))
    for a_pos, a in enumerate(hits):
        lo = bisect.bisect_left(firsts, a.first) if ordered else 0
        for b in hits[a_pos:]:
            if ordered and b.first - a.first + 1 > longest:
                break
            if b.last < a.first:
                continue
            length = b.last - a.first + 1
            if length > longest:
                continue
            if ordered:
                window = hits[lo : bisect.bisect_right(firsts, b.last)]
                inside = [u for u in window if u.last <= b.last]
            else:
                inside = [u for u in hits if a.first <= u.first and u.last <= b.last]
            keys = {u.key for u in inside}
            if length > 2 * len(keys) + 1:
                continue
            filled = sum(1 for slot in slots if slot <= keys)
            if not filled:
                continue
            start = min(u.start for u in inside)
            end = max(u.end for u in inside)
            key = (filled, -length, start, end)
            if best is None or key[:2] > best[:2]:
                best = key
    return None if best is None else (best[0], -best[1], best[2], best[3])


def _groups(m: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(x) for x in g) for g in m.get("synonyms", ()))


def _match_text(m: Mapping[str, Any], text: str, language: str) -> FactMatch | None:
    threshold = float(m.get("min_overlap", 0.6))
    synonyms = _compile_synonyms(_groups(m), language)
    sentences = _text_units(text, language, synonyms)
    context = [
        _alias_slots(str(c), language, synonyms) for c in m.get("context", ()) if str(c).strip()
    ]

    def has_context(sentence: Sequence[_Unit]) -> bool:
        keys = {u.key for u in sentence}
        return any(all(slot & keys for slot in c) for c in context if c)

    best: tuple[float, int, int] | None = None
    for alias in m["aliases"]:
        slots = _alias_slots(str(alias), language, synonyms)
        if not slots:
            continue
        for sentence in sentences:
            window = _best_window(sentence, slots)
            if window is None:
                continue
            if window[1] == 1 and context and not has_context(sentence):
                continue  # one word ("Koordination") states the fact only in its context
            share = window[0] / len(slots)
            if share >= threshold and (best is None or share > best[0]):
                best = (share, window[2], window[3])
    if best is None:
        return None
    return FactMatch(best[1], best[2], text[best[1] : best[2]])


def _judge_text(m: Mapping[str, Any], text: str, language: str) -> FactJudgement:
    found = _match_text(m, text, language)
    if found is None:
        return MISSED
    holder: Sequence[str] = m.get("holder", [])
    if not holder:
        return FactJudgement.of("found", found)
    persons = _persons(text, holder, ())
    bound = _bound_person(found, persons, text)
    if bound is None or bound[1]:
        return FactJudgement.of("found", found)
    return FactJudgement.of("contradicted", bound[0], "person")


# -- dispatch ------------------------------------------------------------------


def judge_fact(
    matcher: Mapping[str, Any],
    text: str,
    language: str = "de",
    grounding: Grounding | None = None,
) -> FactJudgement:
    """Is the fact described by ``matcher`` found in ``text``, contradicted, or missed?

    Args:
        matcher: A matcher mapping as stored in ``facts.jsonl``.
        text: The text to search (a summary, or a fact's evidence).
        language: ``"de"`` or ``"en"``: the language of ``text`` (sentence
            splitting, and the units of ``text`` matchers).
        grounding: What the source supports. A date, year range or count that
            the source states never contradicts a fact; without a grounding
            every other value of the fact's shape does.

    Returns:
        The judgement; ``found`` wins over ``contradicted`` when the text holds both.

    Raises:
        ValueError: For an unknown matcher type or an unsupported language.

    Example:
        >>> pillars = {"type": "number", "value": 4, "near": ["Säulen", "Pfeiler"]}
        >>> judge_fact(pillars, "Der Plan ruht auf vier Pfeilern.").state
        'found'
        >>> j = judge_fact(pillars, "Der Plan ruht auf fünf Säulen.")
        >>> j.state, j.text, (j.start, j.end)
        ('contradicted', 'fünf', (18, 22))
        >>> judge_fact(pillars, "Säule 3: Koordination.").state
        'missed'
    """
    kind = matcher["type"]
    if kind == "date":
        return _judge_date(matcher, text, language, grounding)
    if kind == "year_range":
        return _judge_year_range(matcher, text, language, grounding)
    if kind == "person":
        return _judge_person(matcher, text)
    if kind == "number":
        return _judge_number(matcher, text, language, grounding)
    if kind == "text":
        return _judge_text(matcher, text, language)
    raise ValueError(f"unknown matcher type {kind!r}")


def match_fact(matcher: Mapping[str, Any], text: str, language: str = "de") -> FactMatch | None:
    """Find the fact described by ``matcher`` in ``text`` (see :func:`judge_fact`).

    Args:
        matcher: A matcher mapping as stored in ``facts.jsonl``.
        text: The text to search (a summary, or a fact's evidence).
        language: ``"de"`` or ``"en"``: the language of ``text`` (sentence
            splitting, and the units of ``text`` matchers).

    Returns:
        The first (for ``text``: the best) match, or ``None`` if the fact is
        absent or contradicted.

    Raises:
        ValueError: For an unknown matcher type or an unsupported language.

    Example:
        >>> match_fact({"type": "number", "value": 4, "near": ["Säulen"]},
        ...            "Am 4. November: vier Säulen.").text
        'vier'
    """
    j = judge_fact(matcher, text, language)
    if j.state != "found" or j.start is None or j.end is None:
        return None
    return FactMatch(j.start, j.end, j.text)


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
