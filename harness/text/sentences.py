"""A German-aware sentence splitter (used for ROUGE-Lsum).

Newlines always end a sentence (and list markers such as ``"- "``, ``"* "`` or
``"• "`` are dropped from the start of a line). Inside a line, a sentence ends
after ``.``, ``!``, ``?`` or ``…`` (optionally followed by closing quotes or
brackets) when whitespace and then an upper-case letter, a digit or a quote
follow, except:

* after abbreviations (``z. B.``, ``u. a.``, ``bzw.``, ``ca.``, ``Nr.``,
  ``Dr.``, ``Prof.``, ``St.``, ``vgl.``, ``usw.``, ``etc.``, ``Mr.``,
  ``Jan.``, ``Sept.``, ``Okt.``, ``Nov.``, ``Dez.`` ...) and single-letter
  initials (``J. Smith``);
* after ordinal numbers: a number with a dot never ends a sentence before a
  digit or a month name (``am 24. November``, ``24. 11. 2025``), nor, for
  numbers of up to three digits, after a word that governs an ordinal
  (``am 3. Tag``, ``im 19. Jahrhundert``, ``der 2. Platz``), nor as a list
  enumerator at the start of a sentence (``1. Die Sitzung``). A number after
  any other word, and a year, does end a sentence (``im Jahr 2024. Die``,
  ``bis 2028. Die``). A dot before a lower-case word never ends a sentence
  (``vom 24. bis 25. November``).

Example:
    >>> split_sentences("Die Sitzung fand vom 24. bis 25. November statt. Sie war z. B. "
    ...                 "für Dr. Keo wichtig. Am 3. Tag endete sie.\\n- Ein Punkt")
    ['Die Sitzung fand vom 24. bis 25. November statt.', 'Sie war z. B. für Dr. Keo wichtig.', \
'Am 3. Tag endete sie.', 'Ein Punkt']
"""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "MONTHS", "split_sentences"]

_CLOSERS = "\"'„“”‚‘’»«)]"
_OPENERS = "\"'„“”‚‘’»«(["
# A candidate end: terminal punctuation, optional closing quotes/brackets, whitespace.
_CANDIDATE = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)\s+")
_WORD_AT = re.compile(r"[^\W\d_]+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_TRAILING_DIGITS = re.compile(r"\d+$")
_LIST_MARKER = re.compile(r"^(?:[-*•‣◦▪▫●○·–—](?:\s+|$))+")

ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # German (lower case, without the final dot; inner dots kept, no spaces)
        "abb", "abs", "abschn", "abt", "allg", "anm", "bd", "bde", "bspw", "bsp", "bzgl",
        "bzw", "ca", "chr", "d.h", "dgl", "dipl", "dr", "dt", "ebd", "einschl", "engl",
        "entspr", "etc", "evtl", "exkl", "fa", "ff", "fr", "franz", "gegr", "geb", "gem",
        "gest", "ggf", "ggfs", "hr", "hrn", "hrsg", "i.a", "i.d.r", "inkl", "insb", "ing",
        "jh", "jhd", "jhdt", "kap", "lt", "mio", "mrd", "n.chr", "nr", "o.ä", "o.g", "prof",
        "rd", "s.o", "s.u", "sog", "st", "str", "tel", "tsd", "u.a", "u.ä", "u.u", "u.v.m",
        "urspr", "usw", "u.s.w", "v.a", "v.chr", "verh", "vgl", "z.b", "z.t", "zzgl",
        # English
        "approx", "cf", "dept", "e.g", "eds", "eq", "est", "fig", "i.e", "jr", "mr", "mrs",
        "ms", "mt", "pp", "sr", "vol", "vs",
        # Month abbreviations
        "jan", "feb", "mär", "mrz", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct",
        "nov", "dez", "dec",
    }
)

MONTHS: frozenset[str] = frozenset(
    {
        "januar", "jänner", "jaenner", "februar", "feber", "märz", "maerz", "april", "mai",
        "juni", "juli", "august", "september", "oktober", "november", "dezember",
        "january", "february", "march", "may", "june", "july", "october", "december",
        "jan", "feb", "mär", "mrz", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct",
        "nov", "dez", "dec",
    }
)

# German words after which "<number>." is an ordinal even before a capitalised noun.
_ORDINAL_GOVERNORS: frozenset[str] = frozenset(
    {
        "am", "im", "vom", "zum", "zur", "beim", "ins", "bis", "ab", "seit", "und", "oder",
        "sowie", "bzw", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer",
        "einem", "einen", "eines", "jeder", "jede", "jedem", "jeden", "jedes", "dieser",
        "diese", "diesem", "diesen", "dieses", "sein", "seine", "seinem", "seinen", "seiner",
        "seines", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "unser", "unsere",
        "unserem", "unseren", "unserer", "unseres",
    }
)


def _starts_sentence(char: str) -> bool:
    return char.isupper() or char.isdigit() or char in _OPENERS


def _is_boundary(line: str, start: int, match: re.Match[str], language: str) -> bool:
    """Decide whether the candidate ``match`` inside ``line`` ends a sentence."""
    following = line[match.end() : match.end() + 1]
    if not following or not _starts_sentence(following):
        return False
    if match.group(1) != ".":
        return True  # "!", "?", "…", "..." end a sentence before a capital
    words = line[start : match.start()].split()
    if not words:
        return True
    token = words[-1].lstrip(_OPENERS)
    if not token:
        return True
    lowered = token.lower()
    if lowered in ABBREVIATIONS or _INITIALS.fullmatch(token):
        return False
    number = _TRAILING_DIGITS.search(token)
    if number is not None:
        if following.isdigit():
            return False  # "24. 11. 2025"
        word = _WORD_AT.match(line, match.end())
        if word is not None and word.group(0).lower() in MONTHS:
            return False  # "am 24. November"
        if len(words) == 1:
            return False  # an enumerator: "1. Die Sitzung"
        previous = words[-2].lower().strip(_OPENERS + _CLOSERS + ",;:")
        short = len(number.group(0)) <= 3  # not a year
        if language == "de" and short and previous in _ORDINAL_GOVERNORS:
            return False  # "am 3. Tag", "im 19. Jahrhundert"
    return True


def _split_line(line: str, language: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(line):
        if _is_boundary(line, start, match, language):
            piece = line[start : match.end(2)].strip()
            if piece:
                out.append(piece)
            start = match.end()
    rest = line[start:].strip()
    if rest:
        out.append(rest)
    return out


def split_sentences(text: str, language: str = "de") -> list[str]:
    """Split ``text`` into sentences: every line, then German-aware within lines.

    Args:
        text: Plain text; lines are separated by any line break
            (:meth:`str.splitlines`).
        language: ``"de"`` (default) or ``"en"``; German additionally treats a
            number after an article or preposition (``am 3. Tag``) as an ordinal.

    Returns:
        The non-empty sentences, stripped, list markers removed, characters
        otherwise unchanged.

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> split_sentences("Er kam z. B. am 3. Mai. J. Smith ging.")
        ['Er kam z. B. am 3. Mai.', 'J. Smith ging.']
        >>> split_sentences("* erstens\\n\\n• zweitens")
        ['erstens', 'zweitens']
    """
    if language not in ("de", "en"):
        raise ValueError(f"unsupported language {language!r}; expected 'de' or 'en'")
    out: list[str] = []
    for raw in text.splitlines():
        line = _LIST_MARKER.sub("", raw.strip())
        if not line:
            continue
        if "." in line or "!" in line or "?" in line or "…" in line:
            out.extend(_split_line(line, language))
        else:
            out.append(line)
    return out
