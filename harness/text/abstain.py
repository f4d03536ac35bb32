"""Recognising an abstention ("not in the text") in a model's answer.

Example:
    >>> is_abstention("Das steht nicht im Text.")
    True
    >>> is_abstention("")
    True
    >>> is_abstention("Keo Chhea")
    False
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.text.normalize import clean, collapse_spaces, punctuation_to_space

DEFAULT_PHRASES: tuple[str, ...] = (
    # German
    "nicht im text",
    "nicht im artikel",
    "steht nicht",
    "geht nicht hervor",
    "geht aus dem text nicht hervor",
    "geht aus dem artikel nicht hervor",
    "nicht angegeben",
    "nicht erwähnt",
    "nicht genannt",
    "keine angabe",
    "keine angaben",
    "unbekannt",
    "nicht bekannt",
    "keine antwort",
    "nicht beantwortbar",
    "lässt sich nicht beantworten",
    "kann nicht beantwortet werden",
    # English
    "not stated",
    "not in the text",
    "not in the article",
    "not mentioned",
    "not specified",
    "not given",
    "no answer",
    "unanswerable",
    "unknown",
    "cannot be answered",
    "does not say",
    "doesn t say",
    "n a",
)

# Longer outputs are answers that happen to contain a phrase, not abstentions.
MAX_WORDS = 15


def _norm(text: str) -> str:
    return collapse_spaces(punctuation_to_space(clean(text).casefold()))


def is_abstention(
    text: str, phrases: Iterable[str] = DEFAULT_PHRASES, answers: Iterable[str] = ()
) -> bool:
    """True if ``text`` is empty or is a short answer containing an abstention phrase.

    A text equal to one of the gold ``answers`` (after normalisation) is an
    answer, never an abstention, even when it reads like one (XQuAD has the
    answer "keine Angaben").

    >>> is_abstention("keine Angaben"), is_abstention("keine Angaben", answers=["Keine Angaben"])
    (True, False)
    """
    norm = _norm(text)
    if not norm:
        return True
    if len(norm.split()) > MAX_WORDS:
        return False
    if any(_norm(a) == norm for a in answers):
        return False
    padded = f" {norm} "
    return any(f" {_norm(p)} " in padded for p in phrases if _norm(p))
