"""Unicode clean-up shared by the validator, the baselines and the metrics.

Example:
    >>> clean("Ern\u0061\u0308hrung\u00ad")
    'Ernährung'
    >>> unify_dashes("2024\u20132028")
    '2024-2028'
    >>> punctuation_to_space("„Säulen“, sagte er.")
    ' Säulen   sagte er '
"""

from __future__ import annotations

import re
import unicodedata

# Characters that carry no text: soft hyphen, zero-width space/joiners, BOM, word joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# Every Unicode dash (category Pd) and the minus sign become ASCII '-'.
_DASHES = (
    "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Pd") + "\u2212"
)
_DASH_RE = re.compile("[" + re.escape(_DASHES) + "]")
_SPACE_RE = re.compile(r"\s+")


def clean(text: str, form: str = "NFC") -> str:
    """Normalise to ``form`` (NFC by default) and drop invisible characters."""
    # Drop invisibles first: a soft hyphen between a letter and its combining mark
    # would otherwise block the composition ("Ma\u00ad\u0308rz" must become "März").
    return unicodedata.normalize(form, text.translate(_INVISIBLE))  # type: ignore[arg-type]


def unify_dashes(text: str) -> str:
    """Replace every Unicode dash and the minus sign with ASCII ``-``."""
    return _DASH_RE.sub("-", text)


def is_punctuation(char: str) -> bool:
    """True for any Unicode punctuation (``P*``) or symbol (``S*``) character."""
    return unicodedata.category(char)[0] in "PS"


class _PunctuationTable(dict[int, int]):
    """``str.translate`` table: punctuation and symbols to a space, filled as characters come."""

    def __missing__(self, code: int) -> int:
        value = 32 if is_punctuation(chr(code)) else code
        self[code] = value
        return value


_PUNCTUATION_TABLE = _PunctuationTable()


def punctuation_to_space(text: str) -> str:
    """Replace every punctuation or symbol character with a space (never delete it)."""
    return text.translate(_PUNCTUATION_TABLE)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace (NBSP included) into one space and strip."""
    return _SPACE_RE.sub(" ", text).strip()
