"""German compound splitting and matching units: "Opferschutz" is "Schutz der Opfer".

Key-fact matching compares *units*: the parts of a German compound, each
stemmed, with verbal nouns folded onto their verb. Splitting uses the
morphological analyser of HanTa (the Hanover Tagger, ``pip install HanTa``,
LGPL-3.0-or-later; its German model ships in the wheel, nothing is
downloaded): "Strafverfolgungsbehörden" is ``straf + verfolgung + (s) +
behörde + (n)``; linking elements (``-s-``, ``-en-``), inflection suffixes,
hyphens and prefixes are dropped, and a word whose analysis has a single
content morpheme is not split.

A unit (:func:`units`) is then the Snowball German stem of each part, with
two foldings that Snowball lacks, so that a noun phrase and a verb phrase
meet ("Stärkung der Strafverfolgung" = "die Strafverfolgung stärken"):

* a verbal noun in ``-ung`` or ``-ation`` is stemmed as its verb
  ("Verbesserung" as "verbessern": ``verbess``; "Koordination" as
  "koordinieren": ``koordini``);
* a verb form, or a participle used as a (lower-case) adjective, is stemmed
  from its verb ("verbessert", "gestärkte", "schützen" as "verbessern",
  "stärken", "schützen");
* a name's genitive ``-s`` is dropped ("Kambodschas" is "Kambodscha").

English text is Porter-stemmed word by word (no splitting).

Evaluated and not adopted (see the README): ``compound-split`` (GPL-3.0,
185 MB installed, 3 s to import, no lexicon: "Ungleichheiten" becomes
"Ung + Leichheiten"), ``german-nouns`` (its parser drops parts:
"Strafverfolgung" gives only "Verfolgung", "Kinderschutz" gives "Inder +
Schutz", and it pins ``lxml<5``) and ``charsplit-fst`` (Python 3.12+ only).

Example:
    >>> split_compound("Opferschutzes")
    ('opfer', 'schutzes')
    >>> units("Opferschutz"), units("Schutz der Opfer".split()[0]), units("Opfer")
    (('opf', 'schutz'), ('schutz',), ('opf',))
    >>> units("Stärkung") == units("stärken") == units("stärkere")
    True
    >>> units("Koordination") == units("koordinieren")
    True
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata
from typing import Any

from harness.text.stem import stem

__all__ = ["analyse", "compounds_signature", "split_compound", "units"]

# Morpheme tags of HanTa that carry content (a compound's parts); the rest
# (FUGE, SUF_*, PREF_*, HYPHEN, PTKVZ_SEP, ADJ_COMP, ...) are glue.
_CONTENT_TAGS = ("NN", "NE", "ADJ", "VV", "FM", "ACR")
_GLUE_TAGS = frozenset({"ADJ_COMP", "ADJ_SUP"})
_MIN_PART = 2  # letters of the shortest part kept ("un" in "UN-Sitzung" is a token of its own)
_MIN_BASE = 3  # letters a verbal noun keeps once its suffix is folded
_VERB_TAGS = ("VV", "VA", "VM")
_LETTERS_RE = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """The German HanTa analyser, loaded once (about 0.2 s)."""
    try:
        from HanTa import HanoverTagger
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise ImportError(
            "harness.text.compounds needs HanTa (pip install HanTa): it splits German compounds"
        ) from err
    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


@lru_cache(maxsize=2**16)
def analyse(word: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """HanTa's analysis of one German word: lemma, morphemes with tags, and POS tag.

    Args:
        word: One word as written (capitalisation helps: nouns are capitalised).

    Returns:
        ``(lemma, ((morpheme, tag), ...), tag)``, all morphemes lower-case.

    Example:
        >>> analyse("Menschenhandels")[1]
        (('mensch', 'NN'), ('en', 'FUGE'), ('handel', 'NN'), ('s', 'SUF_NN'))
    """
    lemma, morphemes, tag = _tagger().analyze(word, taglevel=3)
    return str(lemma), tuple((str(m), str(t)) for m, t in morphemes), str(tag)


def _is_content(tag: str) -> bool:
    return tag.startswith(_CONTENT_TAGS) and tag not in _GLUE_TAGS


@lru_cache(maxsize=2**16)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a German compound, lower-case, without linking elements.

    The last part keeps its inflection ending (the head is stemmed later);
    the others are the analyser's morphemes. A word that is no compound, or
    that the analyser cannot align with its spelling, is returned whole.

    Args:
        word: One word token (letters only; hyphenated words are split into
            tokens before this).

    Returns:
        The parts in order, lower-case; ``(word.lower(),)`` if it is not split.

    Example:
        >>> split_compound("Strafverfolgungsbehörden")
        ('straf', 'verfolgung', 'behörden')
        >>> split_compound("Technologieunternehmen"), split_compound("Zusammenarbeit")
        (('technologie', 'unternehmen'), ('zusammenarbeit',))
        >>> split_compound("sektorübergreifende")
        ('sektor', 'übergreifende')
    """
    low = word.lower()
    if len(low) < 2 * _MIN_PART + 1 or not _LETTERS_RE.fullmatch(low):
        return (low,)
    _, morphemes, _ = analyse(word)
    if "".join(m for m, _ in morphemes) != low:
        return (low,)  # the analysis respells the word (ß/ss, umlaut variants): keep it whole
    starts: list[int] = []  # offsets of the content morphemes
    pos = 0
    for m, tag in morphemes:
        if _is_content(tag):
            starts.append(pos)
        pos += len(m)
    if len(starts) < 2:
        return (low,)
    parts: list[str] = []
    for i, m in enumerate(m for m, t in morphemes if _is_content(t)):
        if i == len(starts) - 1:
            parts.append(low[starts[i] :])  # the head, with its ending
        else:
            parts.append(m)
    if any(len(p) < _MIN_PART for p in parts):
        return (low,)
    return tuple(parts)


def _infinitive(base: str) -> str:
    """A German infinitive of a verb stem: ``verbesser`` -> ``verbessern``, ``lös`` -> ``lösen``.

    A stem ending in consonant + ``l``/``r`` gets its ``e`` back ("entwickl" -> "entwickeln").
    """
    if base.endswith(("el", "er")):
        return base + "n"
    if len(base) > 2 and base[-1] in "lr" and base[-2] not in "aeiouäöüy":
        return base[:-1] + "e" + base[-1] + "n"
    return base + "en"


def _fold_part(part: str, verb_lemma: str | None) -> str:
    """Stem one part, folding verbal nouns and verb forms onto the verb's stem."""
    if verb_lemma:
        return stem(_infinitive(verb_lemma), "de")
    for suffix in ("ungen", "ung"):
        if part.endswith(suffix) and len(part) - len(suffix) >= _MIN_BASE:
            return stem(_infinitive(part[: -len(suffix)]), "de")
    for suffix in ("ationen", "ation"):
        if part.endswith(suffix) and len(part) - len(suffix) >= _MIN_BASE + 1:
            return stem(part[: -len(suffix)] + "ieren", "de")
    return stem(part, "de")


@lru_cache(maxsize=2**16)
def units(word: str, language: str = "de") -> tuple[str, ...]:
    """The matching units of one word: stemmed compound parts (German) or its stem (English).

    Args:
        word: One word token as written.
        language: ``"de"`` (split, fold, Snowball German) or ``"en"`` (Porter, no split).

    Returns:
        One unit per compound part, in order; digits are kept as they are.

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> units("Strafverfolgungsbehörden")
        ('straf', 'verfolg', 'behord')
        >>> units("verbessert") == units("Verbesserung") == units("verbessern")
        True
        >>> units("protections", "en")
        ('protect',)
    """
    if language != "de":
        return (stem(word.casefold(), language),)
    low = word.casefold()
    if not _LETTERS_RE.fullmatch(low):
        return (low,)
    parts = split_compound(word)
    if len(parts) > 1:
        return tuple(_fold_part(p, None) for p in parts)
    lemma, morphemes, tag = analyse(word)
    if tag.startswith("NE") and len(morphemes) == 2 and morphemes[1] == ("s", "SUF_NE"):
        low = morphemes[0][0]  # a name's genitive: "Kambodschas" is "Kambodscha"
    verb = None
    if tag.startswith(_VERB_TAGS) and lemma.isalpha() and len(lemma) >= _MIN_BASE:
        verb = lemma.lower()
    elif word[:1].islower():  # a participle used as an adjective: "gestärkte", "abgestimmten"
        # (not a capitalised one: "Vereinten" in "die Vereinten Nationen" is part of a name)
        stems_ = [m for m, t in morphemes if t.startswith(_VERB_TAGS)]
        if len(stems_) == 1 and any(t == "SUF_PP" for _, t in morphemes):
            verb = "".join(m for m, t in morphemes if t.startswith(("PTKVZ", *_VERB_TAGS)))
            verb = verb if verb.isalpha() and len(verb) >= _MIN_BASE else None
    return (_fold_part(low, verb),)


def compounds_signature() -> str:
    """Name and version of the compound splitter, for metric signatures.

    Example:
        >>> compounds_signature().startswith("hanta-")
        True
    """
    try:
        version = metadata.version("HanTa")
    except metadata.PackageNotFoundError:  # pragma: no cover - a declared dependency
        version = "unknown"
    return f"hanta-{version}+fold-v1"
