"""Numbers in German and English text: digits, number words, ordinals, percentages.

Digit formats (documented rule, German reading preferred):

* ``1.000`` and ``1,000`` -> 1000: one ``.`` or ``,`` followed by exactly three
  digits groups thousands (unless the integer part is ``0``: ``0,125`` -> 0.125);
* ``1,5`` -> 1.5, ``2,50`` -> 2.5, ``3.14`` -> 3.14: otherwise it is a decimal mark;
* ``1.000.000``, ``1.000,5``, ``1,000.5``: with both marks the last one is decimal;
* ``1 000`` with NBSP, thin or narrow no-break space groups thousands (a plain
  space does not: "2024 100" is two numbers);
* anything else made of digit groups (``24.11.2025``, ``1.2.3``) is read as
  separate integers.

``15-jährig`` gives 15 (span only the digits), ``24.`` gives 24 (kind
``digits``), ``15 %`` / ``15 Prozent`` / ``15 percent`` give 15 with kind
``percent`` (the span includes the sign or word). Signs are not read (``-5`` is 5).

Number words: German single words up to 999 999 (``vierundzwanzig``,
``hundertfünfzehn``, ``zweitausendvierundzwanzig``), English words and
phrases (``twenty-four``, ``two hundred and five``), German and English
ordinals (``vierte``, ``einundzwanzigsten``, ``third``). The German articles
``ein``/``eine``/``einen``/... are never numbers; ``eins`` is 1. Ordinal words
that are also other words are still read as ordinals ("achten", "second").

Example:
    >>> words_to_digits("Die vier Säulen, zweitausendvierundzwanzig")
    'Die 4 Säulen, 2024'
    >>> [(n.text, n.value, n.kind) for n in find_numbers("rund 1.000 Menschen, 15 % davon")]
    [('1.000', 1000.0, 'digits'), ('15 %', 15.0, 'percent')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from harness.text.dates import align
from harness.text.normalize import clean, unify_dashes

__all__ = [
    "NumberMention",
    "find_numbers",
    "parse_number_word",
    "parse_ordinal_word",
    "words_to_digits",
]

# ---------------------------------------------------------------------------
# Words (canonical spelling: casefolded, "ß" -> "ss", umlauts -> "ae"/"oe"/"ue")
# ---------------------------------------------------------------------------

_DE_SIMPLE = {
    "null": 0, "eins": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fuenf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "fuenfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "dreissig": 30,
    "vierzig": 40, "fuenfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80,
    "neunzig": 90,
}  # fmt: skip
# Units in front of "und", "hundert", "tausend" ("einundzwanzig", "einhundert").
_DE_UNIT_PREFIX = {
    "ein": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6,
    "sieben": 7, "acht": 8, "neun": 9,
}  # fmt: skip
_EN_SIMPLE = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_EN_ORDINALS = {
    "zeroth": 0, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
    "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100, "thousandth": 1000,
}  # fmt: skip
_EN_TENS = frozenset(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _canon(word: str) -> str:
    return unify_dashes(clean(word)).casefold().translate(_UMLAUTS).strip()


def _de_below_100(s: str) -> int | None:
    if s in _DE_SIMPLE:
        return _DE_SIMPLE[s]
    unit, sep, tens = s.partition("und")
    if sep and unit in _DE_UNIT_PREFIX and tens in _DE_SIMPLE and _DE_SIMPLE[tens] >= 20:
        return _DE_UNIT_PREFIX[unit] + _DE_SIMPLE[tens]
    return None


def _de_rest(s: str, below_1000: bool) -> int | None:
    """The part after "hundert"/"tausend": empty, or a positive number ("und" allowed)."""
    if not s:
        return 0
    if s.startswith("und") and len(s) > 3:
        s = s[3:]
    value = _de_below_1000(s) if below_1000 else _de_below_100(s)
    return value if value else None


def _de_below_1000(s: str) -> int | None:
    head, sep, tail = s.partition("hundert")
    if not sep:
        return _de_below_100(s)
    if not head:
        factor: int | None = 1
    elif head in _DE_UNIT_PREFIX:
        factor = _DE_UNIT_PREFIX[head]
    else:  # "neunzehnhundert"
        factor = _de_below_100(head)
        factor = factor if factor is not None and 11 <= factor <= 19 else None
    rest = _de_rest(tail, below_1000=False)
    return None if factor is None or rest is None else factor * 100 + rest


def _de_cardinal(s: str) -> int | None:
    head, sep, tail = s.partition("tausend")
    if not sep:
        return _de_below_1000(s)
    if head in ("", "ein"):
        factor: int | None = 1
    elif head.endswith("ein"):  # "hunderteintausend"
        factor = _de_below_1000(head + "s")
    elif head.endswith("eins"):  # "einstausend" is not a word
        factor = None
    else:
        factor = _de_below_1000(head)
    rest = _de_rest(tail, below_1000=True)
    if not factor or rest is None:
        return None
    return factor * 1000 + rest


def _en_cardinal(s: str) -> int | None:
    if s in _EN_SIMPLE:
        return _EN_SIMPLE[s]
    tens, sep, unit = s.partition("-")
    if sep and tens in _EN_TENS and 1 <= _EN_SIMPLE.get(unit, 0) <= 9:
        return _EN_SIMPLE[tens] + _EN_SIMPLE[unit]
    return None


@lru_cache(maxsize=8192)
def _cardinal(s: str) -> int | None:
    value = _en_cardinal(s)
    if value is None and s.isalpha():
        value = _de_cardinal(s)
    return value


def parse_number_word(word: str) -> int | None:
    """Value of a German or English cardinal number word.

    Args:
        word: One word; case, normal form, ``ß``/``ss`` and umlaut spelling
            (``fünf``/``fuenf``) do not matter.

    Returns:
        The value, or ``None`` for anything else, including the German
        articles ``ein``/``eine``/``einen`` and ordinals.

    Example:
        >>> parse_number_word("zweitausendvierundzwanzig"), parse_number_word("Dreissig")
        (2024, 30)
        >>> parse_number_word("twenty-four"), parse_number_word("eine")
        (24, None)
    """
    return _cardinal(_canon(word))


_DE_ORDINAL_RE = re.compile(r"(?P<base>.+)e[nrsm]?")


def _de_ordinal(s: str) -> int | None:
    m = _DE_ORDINAL_RE.fullmatch(s)
    if m is None or not s.isalpha():
        return None
    base = m.group("base")
    for ending, replacement in (
        ("erst", "eins"), ("dritt", "drei"), ("siebent", "sieben"), ("siebt", "sieben"),
    ):  # fmt: skip
        if base.endswith(ending):
            value = _de_cardinal(base[: -len(ending)] + replacement)
            return value if value is not None and value > 0 else None
    if base.endswith("acht"):  # "achte", "hundertachte"
        return _de_cardinal(base)
    if base.endswith("st"):  # 20..99 and round hundreds/thousands: "zwanzigste", "hundertste"
        value = _de_cardinal(base[:-2])
        if value is not None and value > 0 and (value % 100 == 0 or value % 100 >= 20):
            return value
    if base.endswith("t"):  # 0..19: "vierte", "zwölfte", "hundertzweite"
        value = _de_cardinal(base[:-1])
        if value is not None and (value == 0 or value % 100 in range(2, 20)):
            return value if value % 100 not in (3, 7, 8) else None
    return None


def _en_ordinal(s: str) -> int | None:
    if s in _EN_ORDINALS:
        return _EN_ORDINALS[s]
    tens, sep, unit = s.partition("-")
    if sep and tens in _EN_TENS and 1 <= _EN_ORDINALS.get(unit, 0) <= 9:
        return _EN_SIMPLE[tens] + _EN_ORDINALS[unit]
    return None


@lru_cache(maxsize=8192)
def _ordinal(s: str) -> int | None:
    value = _en_ordinal(s)
    return _de_ordinal(s) if value is None else value


def parse_ordinal_word(word: str) -> int | None:
    """Value of a German or English ordinal number word.

    German ordinals take any adjective ending (``vierte``, ``vierten``,
    ``vierter``, ``viertes``, ``viertem``); ``siebte`` and ``siebente`` are both 7.

    Args:
        word: One word (case and normal form do not matter).

    Returns:
        The value, or ``None`` if ``word`` is not an ordinal.

    Example:
        >>> parse_ordinal_word("vierte"), parse_ordinal_word("Einundzwanzigsten")
        (4, 21)
        >>> parse_ordinal_word("twenty-first"), parse_ordinal_word("vier")
        (21, None)
    """
    return _ordinal(_canon(word))


# ---------------------------------------------------------------------------
# Mentions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberMention:
    """A number found in a text.

    Attributes:
        start: Start offset in the original text.
        end: End offset in the original text.
        text: ``original[start:end]``.
        value: The value (a percentage keeps its number: "15 %" is 15.0).
        kind: ``"digits"``, ``"word"``, ``"ordinal"`` or ``"percent"``.
    """

    start: int
    end: int
    text: str
    value: float
    kind: str


_GROUP_SPACES = "\u00a0\u2007\u2009\u202f"
_DIGITS_RE = re.compile(rf"(?<!\w)\d+(?:[.,{_GROUP_SPACES}]\d+)*")
_INT_RE = re.compile(r"\d+")
_SEP_RE = re.compile(rf"[.,{_GROUP_SPACES}]")
_PERCENT_RE = re.compile(r"\s*(?:%|prozent(?!\w)|percent(?!\w)|per\s+cent(?!\w))", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_EN_JOIN_RE = re.compile(r"\s+(?:and\s+)?", re.IGNORECASE)
_HAS_LETTERS = re.compile(r"[^\W\d_]")


def _read_digits(token: str) -> float | None:
    """Value of a digit token with separators, or None if it is not one number."""
    groups = _SEP_RE.split(token)
    seps = _SEP_RE.findall(token)
    if not seps:
        return float(token)
    marks = [s for s in seps if s in ".,"]
    decimal: str | None = None
    if len(set(marks)) == 2:
        decimal = seps[-1]
        if seps.count(decimal) != 1:
            return None
    elif len(marks) == 1 and seps[-1] in ".,":
        last, first = groups[-1], groups[0]
        grouped = len(last) == 3 and first != "0" and len(seps) == 1
        decimal = None if grouped else seps[-1]
    elif len(marks) == 1:
        return None  # "1,5 000"
    whole = groups[:-1] if decimal else groups
    if len(whole) > 1 and (not 1 <= len(whole[0]) <= 3 or any(len(g) != 3 for g in whole[1:])):
        return None
    if len(whole) > 1 and whole[0].startswith("0"):
        return None
    number = "".join(whole)
    return float(f"{number}.{groups[-1]}") if decimal else float(number)


def _english_phrase_value(values: list[int]) -> int | None:
    """Value of an English number-word sequence ("two hundred five"), or None."""

    def below_100(part: list[int]) -> int | None:
        if len(part) == 1 and part[0] < 100:
            return part[0]
        if len(part) == 2 and part[0] in range(20, 100, 10) and 1 <= part[1] <= 9:
            return part[0] + part[1]
        return None

    def below_1000(part: list[int]) -> int | None:
        if 100 not in part:
            return below_100(part)
        i = part.index(100)
        head, tail = part[:i], part[i + 1 :]
        factor = 1 if not head else below_100(head)
        rest = 0 if not tail else below_100(tail)
        if factor is None or not 1 <= factor <= 99 or rest is None or (tail and rest == 0):
            return None
        return factor * 100 + rest

    if 1000 not in values:
        return below_1000(values)
    i = values.index(1000)
    head, tail = values[:i], values[i + 1 :]
    factor = 1 if not head else below_1000(head)
    rest = 0 if not tail else below_1000(tail)
    if not factor or rest is None or (tail and rest == 0):
        return None
    return factor * 1000 + rest


@dataclass(slots=True)
class _Word:
    start: int  # offsets into the aligned text
    end: int
    value: int
    kind: str  # "word" or "ordinal"
    english: bool


def _word_tokens(text: str) -> list[_Word]:
    out: list[_Word] = []
    for m in _WORD_RE.finditer(text):
        token = m.group()
        if "-" in token:
            whole = _word_value(token)
            if whole is not None:
                out.append(_Word(m.start(), m.end(), *whole))
                continue
            first = token.index("-")
            spans = [(m.start(), m.start() + first), (m.start() + first + 1, m.end())]
        else:
            spans = [(m.start(), m.end())]
        for start, end in spans:
            found = _word_value(text[start:end])
            if found is not None:
                out.append(_Word(start, end, *found))
                continue
            # "dreitägigen", "fünfzehnjährige", "vierteilig": the number word in front
            compound = _COMPOUND_RE.match(text, start, end)
            if compound is not None:
                head = _word_value(compound.group("num"))
                if head is not None and head[1] == "word":
                    out.append(_Word(start, compound.end("num"), *head))
    return out


_COMPOUND_RE = re.compile(
    r"(?P<num>[^\W\d_]{3,}?)(?:tägig|taegig|jährig|jaehrig|wöchig|woechig|monatig|stündig"
    r"|stuendig|minütig|minuetig|teilig|fach|köpfig|koepfig|sprachig|seitig|stufig)",
    re.IGNORECASE,
)


@lru_cache(maxsize=16384)
def _word_value(token: str) -> tuple[int, str, bool] | None:
    s = _canon(token)
    value = _cardinal(s)
    if value is not None:
        return value, "word", _en_cardinal(s) is not None
    value = _ordinal(s)
    if value is not None:
        return value, "ordinal", _en_ordinal(s) is not None
    return None


def _join_english(words: list[_Word], text: str) -> list[_Word]:
    """Join runs of English cardinal words ("two hundred and five") into one number."""
    out: list[_Word] = []
    i = 0
    while i < len(words):
        cur = words[i]
        j = i + 1
        if cur.kind == "word" and cur.english:
            values = [cur.value]
            while j < len(words):
                nxt = words[j]
                gap = _EN_JOIN_RE.fullmatch(text, words[j - 1].end, nxt.start)
                if gap is None or nxt.kind != "word" or not nxt.english:
                    break
                if "and" in gap.group().lower() and values[-1] not in (100, 1000):
                    break
                value = _english_phrase_value([*values, nxt.value])
                if value is None:
                    break
                values.append(nxt.value)
                cur = _Word(cur.start, nxt.end, value, "word", True)
                j += 1
        out.append(cur)
        i = j
    return out


def _cardinal_words(text: str) -> list[_Word]:
    if not _HAS_LETTERS.search(text):
        return []
    return _join_english(_word_tokens(text), text)


def find_numbers(text: str) -> list[NumberMention]:
    """Find every number written with digits or as a word.

    Dates are numbers here too ("24.11.2025" gives 24, 11 and 2025); the
    caller decides what to do with them.

    Args:
        text: Raw German or English text (any normal form, NBSP, soft hyphens).

    Returns:
        Non-overlapping mentions sorted by start, spans into the original ``text``.

    Example:
        >>> [(n.text, n.value, n.kind) for n in find_numbers("das 15-jährige Kind, 1,5 Mio.")]
        [('15', 15.0, 'digits'), ('1,5', 1.5, 'digits')]
        >>> [(n.text, n.value, n.kind) for n in find_numbers("die vierte von fünfzehn")]
        [('vierte', 4.0, 'ordinal'), ('fünfzehn', 15.0, 'word')]
    """
    aligned = align(text)
    clean_text = aligned.text
    found: list[tuple[int, int, float, str]] = []
    for m in _DIGITS_RE.finditer(clean_text):
        value = _read_digits(m.group())
        if value is not None:
            found.append((m.start(), m.end(), value, "digits"))
        else:  # "24.11.2025": the groups one by one
            for g in _INT_RE.finditer(clean_text, m.start(), m.end()):
                found.append((g.start(), g.end(), float(g.group()), "digits"))
    for w in _cardinal_words(clean_text):
        found.append((w.start, w.end, float(w.value), w.kind))
    found.sort()
    mentions: list[NumberMention] = []
    for start, end, value, kind in found:
        if kind != "ordinal":
            percent = _PERCENT_RE.match(clean_text, end)
            if percent is not None:
                end, kind = percent.end(), "percent"
        o_start, o_end = aligned.span(start, end)
        mentions.append(NumberMention(o_start, o_end, text[o_start:o_end], value, kind))
    return mentions


def words_to_digits(text: str) -> str:
    """Replace cardinal number words with digits and keep everything else as is.

    Ordinals and the articles ``ein``/``eine`` are left alone.

    Example:
        >>> words_to_digits("vier Säulen")
        '4 Säulen'
        >>> words_to_digits("the twenty-four members and one hundred and five guests")
        'the 24 members and 105 guests'
    """
    aligned = align(text)
    pieces: list[str] = []
    pos = 0
    for w in _cardinal_words(aligned.text):
        if w.kind != "word":
            continue
        start, end = aligned.span(w.start, w.end)
        pieces.append(text[pos:start])
        pieces.append(str(w.value))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
