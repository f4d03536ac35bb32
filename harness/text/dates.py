"""Deterministic recognition of German and English dates and date intervals.

``dateparser`` returns ``None`` for ranges, fills missing parts from "now" and
parses "Die" or "vier" as dates, so this module uses a small set of regular
expressions instead. Matching runs on a cleaned copy of the text (NFC,
invisible characters removed, every Unicode dash turned into ``-``) and every
span is mapped back to the *original* string, so ``m.text == text[m.start:m.end]``.

Recognised (month names case-insensitive and whole words; English "May" only
capitalised, because "may" is a verb):

* days: ``24. November 2025``, ``24.11.2025``, ``24.11.`` (two-digit month),
  ``24 November 2025``, ``24th of November``, ``November 24, 2025``,
  ``24. Nov. 2025``, ``2025-11-24``; without a year: ``24. November``;
* months: ``November 2025``, ``Nov. 2025``;
* years: a whole token ``1900``..``2099`` (not ``2024,5``, ``120245`` or ``2024 %``);
* intervals, with an optional ``vom``/``von``/``from``/``zwischen``/``between``
  prefix that is part of the span: ``24. bis 25. November``, ``24.–25. November``,
  ``24./25. November``, ``24. und 25. November``, ``24.–25.11.2025``,
  ``November 24–25, 2025``, ``24. November bis 2. Dezember 2025``,
  ``Januar bis März 2025``, ``2024–2028``, ``2024 bis 2028``, ``from 2024 to 2028``,
  ``2024–28``. A missing year is taken from the other end ("Dezember bis
  Januar 2026" is 2025-12/2026-01). "und"/"and" joins months and years only after
  "zwischen"/"between" ("2024 und 2028" is two years).

Not recognised: two-digit years (``24.11.25``), ``YYYY-MM``, US numeric dates
(``11/24/2025``), a yearless numeric date with a one-digit month (``2.5.``,
too often a decimal), a month name alone (``im November``), relative
expressions (``heute``, ``diese Woche``), year ranges with a slash
(``2023/2024`` gives two single years), "Month day" without a year right after
German "im" ("im November 24 Teilnehmer"). A bare number ``1900``..``2099`` is
always read as a year ("2000 Menschen").

Example:
    >>> [m.canonical() for m in find_dates("Die Sitzung fand vom 24. bis 25. November statt.")]
    ['--11-24/--11-25']
    >>> m = find_dates("am 24.\\u00a0Nov. 2025")[0]
    >>> m.canonical(), m.granularity, m.text
    ('2025-11-24', 'day', '24.\\xa0Nov. 2025')
    >>> parse_iso("--11-24").compatible(parse_iso("2025-11-24"))
    True
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from harness.text.normalize import unify_dashes

__all__ = [
    "AlignedText",
    "DateMention",
    "PartialDate",
    "align",
    "find_dates",
    "parse_interval",
    "parse_iso",
]

# ---------------------------------------------------------------------------
# Offset-preserving clean-up
# ---------------------------------------------------------------------------

_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class AlignedText:
    """A cleaned copy of a string with a map from its offsets to the original's.

    Attributes:
        original: The input string.
        text: NFC, invisible characters removed, every dash replaced by ``-``.
        starts: Original start offset of each character of ``text`` (``None``: identity).
        ends: Original end offset of each character of ``text`` (``None``: identity).
    """

    original: str
    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty span of ``text`` to the matching span of ``original``."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def align(text: str) -> AlignedText:
    """Clean ``text`` for matching, keeping a map back to the original offsets.

    Args:
        text: Raw text (any normal form, may hold soft hyphens and Unicode dashes).

    Returns:
        The cleaned text and its offset map. Plain ASCII and NFC text without
        invisible characters take a fast path (dashes are replaced one for one).

    Example:
        >>> a = align("Ma\\u0308rz\\u00ad 2024\\u20132028")
        >>> a.text
        'März 2024-2028'
        >>> a.span(0, 4)
        (0, 5)
    """
    if text.isascii():
        return AlignedText(text, text)
    if unicodedata.is_normalized("NFC", text) and _INVISIBLE_RE.search(text) is None:
        return AlignedText(text, unify_dashes(text))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = _INVISIBLE_RE.sub("", text[i:j])
        for char in unicodedata.normalize("NFC", cluster):
            chars.append(char)
            starts.append(i)
            ends.append(j)
        i = j
    return AlignedText(text, unify_dashes("".join(chars)), starts, ends)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def _days_in_month(month: int, year: int | None) -> int:
    if month == 2:
        return 29 if year is None or calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date of which some fields may be unknown.

    At least one field is set and a day needs a month. Ordering compares
    ``(year, month, day)`` and is only defined between dates that set the same
    fields.

    Example:
        >>> PartialDate(2025, 11, 24).iso(), PartialDate(month=11, day=24).iso()
        ('2025-11-24', '--11-24')
        >>> PartialDate(2024, 8).iso(), PartialDate(2024).iso(), PartialDate(month=11).iso()
        ('2024-08', '2024', '--11')
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.year is None and self.month is None and self.day is None:
            raise ValueError("PartialDate needs at least one of year, month, day")
        if self.year is not None and not 0 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            if not 1 <= self.day <= _days_in_month(self.month, self.year):
                raise ValueError(f"day out of range: {self.year}-{self.month}-{self.day}")

    def iso(self) -> str:
        """ISO 8601 text: ``2025-11-24``, ``--11-24``, ``2024-08``, ``2024`` or ``--11``."""
        if self.year is None:
            head = f"--{self.month:02d}"
        else:
            head = f"{self.year:04d}"
            if self.month is not None:
                head += f"-{self.month:02d}"
        return head if self.day is None else f"{head}-{self.day:02d}"

    def compatible(self, other: PartialDate) -> bool:
        """True if both agree on every field they both set and share at least one.

        Example:
            >>> parse_iso("--11-24").compatible(parse_iso("2025-11-25"))
            False
            >>> parse_iso("2025").compatible(parse_iso("--11"))
            False
        """
        shared = False
        for mine, theirs in (
            (self.year, other.year),
            (self.month, other.month),
            (self.day, other.day),
        ):
            if mine is not None and theirs is not None:
                if mine != theirs:
                    return False
                shared = True
        return shared

    @property
    def granularity(self) -> str:
        """``"day"``, ``"month"`` or ``"year"``: the finest field that is set."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"


_ISO_RE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?|--(?P<m2>\d{2})(?:-(?P<d2>\d{2}))?"
)


def parse_iso(value: str) -> PartialDate:
    """Parse what :meth:`PartialDate.iso` writes.

    Args:
        value: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``--MM-DD`` or ``--MM``.

    Returns:
        The partial date.

    Raises:
        ValueError: If ``value`` is not one of those forms or not a valid date.

    Example:
        >>> parse_iso("2024-08")
        PartialDate(year=2024, month=8, day=None)
        >>> parse_iso("--11-24")
        PartialDate(year=None, month=11, day=24)
    """
    m = _ISO_RE.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"not a partial ISO date: {value!r}")
    y, mo, d = m.group("y"), m.group("m") or m.group("m2"), m.group("d") or m.group("d2")
    try:
        return PartialDate(int(y) if y else None, int(mo) if mo else None, int(d) if d else None)
    except ValueError as err:
        raise ValueError(f"not a valid partial ISO date: {value!r} ({err})") from None


def parse_interval(value: str) -> tuple[PartialDate, PartialDate]:
    """Parse what :meth:`DateMention.canonical` writes: ``a`` or ``a/b``.

    Example:
        >>> [d.iso() for d in parse_interval("2024/2028")]
        ['2024', '2028']

    Raises:
        ValueError: If either side is not a partial ISO date.
    """
    first, sep, last = value.partition("/")
    start = parse_iso(first)
    return (start, parse_iso(last)) if sep else (start, start)


@dataclass(frozen=True)
class DateMention:
    """A date or date interval found in a text.

    Attributes:
        start: Start offset in the original text.
        end: End offset in the original text.
        text: ``original[start:end]``.
        first: First day/month/year of the mention.
        last: Last day/month/year (equal to ``first`` for a single date).
        granularity: ``"day"``, ``"month"`` or ``"year"``.
    """

    start: int
    end: int
    text: str
    first: PartialDate
    last: PartialDate
    granularity: str

    def canonical(self) -> str:
        """``first.iso()`` for a single date, else ``"first/last"``."""
        if self.first == self.last:
            return self.first.iso()
        return f"{self.first.iso()}/{self.last.iso()}"

    def compatible(self, other: DateMention) -> bool:
        """True if both ends are compatible (see :meth:`PartialDate.compatible`)."""
        return self.first.compatible(other.first) and self.last.compatible(other.last)


# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------

_MONTH_NAMES: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # month: (full names, abbreviations that may take a dot)
    1: (("januar", "jänner", "jaenner", "january"), ("jan", "jän")),
    2: (("februar", "feber", "february"), ("feb", "febr")),
    3: (("märz", "maerz", "march"), ("mär", "mrz", "mar")),
    4: (("april",), ("apr",)),
    5: (("mai",), ()),
    6: (("juni", "june"), ("jun",)),
    7: (("juli", "july"), ("jul",)),
    8: (("august",), ("aug",)),
    9: (("september",), ("sept", "sep")),
    10: (("oktober", "october"), ("okt", "oct")),
    11: (("november",), ("nov",)),
    12: (("dezember", "december"), ("dez", "dec")),
}
_MONTHS: dict[str, int] = {"may": 5}
for _number, (_full, _abbr) in _MONTH_NAMES.items():
    _MONTHS.update(dict.fromkeys(_full + _abbr, _number))


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


_FULL = _alternation([w for f, _ in _MONTH_NAMES.values() for w in f])
_ABBR = _alternation([w for _, a in _MONTH_NAMES.values() for w in a])
_MONTH_BODY = rf"(?:{_FULL})(?!\w)|(?:{_ABBR})(?!\w)\.?|(?-i:May|MAY)(?!\w)"


def _month(name: str) -> str:
    return rf"(?<!\w)(?P<{name}>{_MONTH_BODY})"


def _year(name: str) -> str:
    """A four-digit year 1000..2999 that is not part of a longer number."""
    return rf"(?P<{name}>[12]\d{{3}})(?!\d|[.,]\d)"


def _day(name: str) -> str:
    return rf"(?P<{name}>[12]\d|3[01]|0?[1-9])"


_NUM_START = r"(?<!\w)(?<!\d[.,])"  # not glued to a word or to a number like "1,"
_SUFFIX = r"(?:st|nd|rd|th)"
_NOT_AMOUNT = r"(?![.,]\d|\s*(?:%|prozent|percent)(?!\w))"
_DAY_TAIL = rf"(?:\.\s*|{_SUFFIX}?\s+(?:of\s+)?)"  # "24. ", "24 ", "24th of "
_YEAR_TAIL = rf"(?:,?\s+{_year('y')})?"

_FLAGS = re.IGNORECASE

# Intervals.
_DAY_DAY_MONTH = re.compile(
    rf"{_NUM_START}{_day('d1')}(?:\.|{_SUFFIX})?\s*"
    rf"(?P<conn>-|/|bis(?:\s+zum)?|und|to|and|through|until|till)\s*(?:(?:dem|the)\s+)?"
    rf"{_day('d2')}{_DAY_TAIL}{_month('m')}{_YEAR_TAIL}",
    _FLAGS,
)
_DAY_DAY_NUMERIC = re.compile(  # "24.–25.11.2025", "24./25.11."
    rf"{_NUM_START}{_day('d1')}\.?\s*(?P<conn>-|/|bis(?:\s+zum)?|und)\s*{_day('d2')}\.\s?"
    rf"(?:(?P<m>0?[1-9]|1[0-2])\.\s?{_year('y')}|(?P<m2>0[1-9]|1[0-2])\.(?!\d))",
    _FLAGS,
)
_MONTH_DAY_DAY = re.compile(
    rf"{_month('m')}\s+{_day('d1')}{_SUFFIX}?\s*"
    rf"(?P<conn>-|bis|und|to|and|through|until|till)\s*(?:the\s+)?"
    rf"{_day('d2')}{_SUFFIX}?(?!\d)(?:,?\s+{_year('y')}|{_NOT_AMOUNT})",
    _FLAGS,
)
_MONTH_MONTH = re.compile(
    rf"{_month('m1')}(?:,?\s+{_year('y1')})?\s*"
    rf"(?P<conn>-|bis|und|to|and|through|until|till)\s*{_month('m2')}(?:,?\s+{_year('y2')})?",
    _FLAGS,
)
_SHORT_YEAR_RANGE = re.compile(
    rf"{_NUM_START}(?P<y1>(?:19|20)\d{{2}})-(?P<y2>\d{{2}})(?!\w|[.,]\d|-\d)"
)
# Single dates.
_ISO_DAY = re.compile(
    rf"{_NUM_START}(?P<y>[12]\d{{3}})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\d-])"
)
_DAY_MONTH = re.compile(rf"{_NUM_START}{_day('d')}{_DAY_TAIL}{_month('m')}{_YEAR_TAIL}", _FLAGS)
_NUMERIC = re.compile(
    rf"{_NUM_START}{_day('d')}\.\s?(?:(?P<m>0?[1-9]|1[0-2])\.\s?{_year('y')}"
    r"|(?P<m2>0[1-9]|1[0-2])\.(?!\d))"
)
_MONTH_DAY = re.compile(
    rf"{_month('m')}\s+{_day('d')}{_SUFFIX}?(?!\d)(?:,?\s+{_year('y')}|{_NOT_AMOUNT})", _FLAGS
)
_MONTH_YEAR = re.compile(rf"{_month('m')},?\s*{_year('y')}", _FLAGS)
_MONTH_SLASH_YEAR = re.compile(  # "08/2024", "8/2024"
    rf"{_NUM_START}(?P<m>0?[1-9]|1[0-2])/{_year('y')}(?![\d/.,])"
)
# A bare 4-digit number followed by a unit or a noun is an amount, not a year ("2000 Menschen",
# "2000 km"), unless a word before it says year ("im Jahr 2000 Menschen", "bis 2028 Lösungen").
_AMOUNT_AFTER = re.compile(
    r"\s*(?:(?:[€$£]|km|m|kg|t|g|l|ha|qm|mio\.?|mrd\.?|tsd\.?)(?!\w)"
    r"|(?!(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember)\b)[A-ZÄÖÜ][a-zäöüß]{2,})"
)
_YEAR_BEFORE = re.compile(
    r"(?<!\w)(?:im|in|jahr|jahre|jahres|seit|bis|von|vom|ab|anfang|ende|mitte|frühjahr|sommer"
    r"|herbst|winter|year|since|until|from|of|by)\s+\Z",
    _FLAGS,
)
_BARE_YEAR = re.compile(
    rf"{_NUM_START}(?<![$€£])(?P<y>19\d{{2}}|20\d{{2}})(?!\w|[.,]\d|\s*(?:%|prozent|percent)(?!\w))",
    _FLAGS,
)

# Between two single dates that form an interval ("2024 bis 2028").
_WEEKDAY = (
    r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_GAP_RE = re.compile(
    r"\s*(?P<conn>-|/|bis(?:\s+(?:einschlie(?:ß|ss)lich|einschl\.|inklusive|inkl\.|zum|zur))?"
    r"|to|until|till|through|thru|und|and)\s*"
    r"(?:(?:dem|den|the)\s+)?"
    rf"(?:{_WEEKDAY}\s*,?\s*(?:(?:dem|den|the)\s+)?)?",
    _FLAGS,
)
_PREFIX_BEFORE = re.compile(
    r"(?<!\w)(?P<word>vom|von|from|zwischen|between)\s+(?:(?:dem|the)\s+)?\Z", _FLAGS
)
_IM_BEFORE = re.compile(r"(?<!\w)im\s+\Z", _FLAGS)  # "im November 24 Teilnehmer" is German
# Every date starts with a digit run or a month name: the scanner tries the patterns there only.
_ANCHOR = re.compile(rf"(?=[\dadfjmnos])(?:(?P<num>\d+)|(?<!\w)(?P<mon>{_MONTH_BODY}))", _FLAGS)


# ---------------------------------------------------------------------------
# Building candidates
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # offsets into the aligned text
    end: int
    first: PartialDate
    last: PartialDate
    iso: bool = False  # written as YYYY-MM-DD (may pair with another one through "/")

    @property
    def single(self) -> bool:
        return self.first == self.last


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _month_number(value: str | None) -> int | None:
    return None if value is None else _MONTHS[value.rstrip(".").lower()]


def _date(year: int | None, month: int | None, day: int | None) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def _key(date: PartialDate) -> tuple[int, int, int]:
    return (date.year or 0, date.month or 0, date.day or 0)


def _interval(
    start: tuple[int | None, int | None, int | None],
    end: tuple[int | None, int | None, int | None],
) -> tuple[PartialDate, PartialDate] | None:
    """Complete the two ends of an interval from each other and check their order."""
    (y1, m1, d1), (y2, m2, d2) = start, end
    year_from_end = y1 is None and y2 is not None
    year_from_start = y2 is None and y1 is not None
    y1 = y2 if year_from_end else y1
    y2 = y1 if year_from_start else y2
    m1 = m2 if m1 is None else m1
    first, last = _date(y1, m1, d1), _date(y2, m2, d2)
    if first is None or last is None or first == last:
        return None
    if _key(first) > _key(last):
        if y1 is None:  # no year: allow a wrap over new year ("20. Dezember bis 5. Januar")
            return (first, last) if (m1 or 0) > (m2 or 0) else None
        if year_from_end:
            first = _date(y1 - 1, m1, d1)
        elif year_from_start:
            last = _date(y1 + 1, m2, d2)
        else:
            return None
        if first is None or last is None:
            return None
    return first, last


def _year_word_before(text: str, pos: int) -> re.Match[str] | None:
    """``_YEAR_BEFORE.search(text, 0, pos)``, looking only at the word and whitespace right
    before ``pos`` (searching from 0 for every year was quadratic in the text)."""
    k = pos
    while k > 0 and text[k - 1].isspace():
        k -= 1
    return _YEAR_BEFORE.search(text, max(0, k - 8), pos)  # the longest word: 8 characters


def _prefix_before(text: str, start: int) -> re.Match[str] | None:
    """The "vom", "von", "from", "zwischen", "between" (+ "dem"/"the") right before ``start``."""
    return _PREFIX_BEFORE.search(text, max(0, start - 24), start)


def _joins(conn: str, prefix: re.Match[str] | None) -> bool:
    """True unless ``conn`` is "und"/"and" without a "zwischen"/"between" before the dates."""
    if conn.lower() not in ("und", "and"):
        return True
    return prefix is not None and prefix.group("word").lower() in ("zwischen", "between")


def _preceded_by_im(m: re.Match[str], text: str) -> bool:
    return _IM_BEFORE.search(text, max(0, m.start() - 8), m.start()) is not None


def _build_day_day_month(m: re.Match[str], text: str) -> _Candidate | None:
    year, month = _int(m.group("y")), _month_number(m.group("m"))
    d1, d2 = int(m.group("d1")), int(m.group("d2"))
    if d1 >= d2:
        return None
    pair = _interval((year, month, d1), (year, month, d2))
    return None if pair is None else _Candidate(m.start(), m.end(), *pair)


def _build_day_day_numeric(m: re.Match[str], text: str) -> _Candidate | None:
    year, month = _int(m.group("y")), int(m.group("m") or m.group("m2"))
    d1, d2 = int(m.group("d1")), int(m.group("d2"))
    if d1 >= d2:
        return None
    pair = _interval((year, month, d1), (year, month, d2))
    return None if pair is None else _Candidate(m.start(), m.end(), *pair)


def _build_month_day_day(m: re.Match[str], text: str) -> _Candidate | None:
    year, month = _int(m.group("y")), _month_number(m.group("m"))
    d1, d2 = int(m.group("d1")), int(m.group("d2"))
    if d1 >= d2 or (year is None and _preceded_by_im(m, text)):
        return None
    pair = _interval((year, month, d1), (year, month, d2))
    return None if pair is None else _Candidate(m.start(), m.end(), *pair)


def _build_month_month(m: re.Match[str], text: str) -> _Candidate | None:
    if not _joins(m.group("conn"), _prefix_before(text, m.start())):
        return None
    pair = _interval(
        (_int(m.group("y1")), _month_number(m.group("m1")), None),
        (_int(m.group("y2")), _month_number(m.group("m2")), None),
    )
    return None if pair is None else _Candidate(m.start(), m.end(), *pair)


def _build_short_year_range(m: re.Match[str], text: str) -> _Candidate | None:
    y1 = int(m.group("y1"))
    y2 = y1 // 100 * 100 + int(m.group("y2"))
    if y2 <= y1:
        return None
    return _Candidate(m.start(), m.end(), PartialDate(y1), PartialDate(y2))


def _single(
    m: re.Match[str], year: int | None, month: int | None, day: int | None, iso: bool = False
) -> _Candidate | None:
    date = _date(year, month, day)
    return None if date is None else _Candidate(m.start(), m.end(), date, date, iso)


def _build_iso(m: re.Match[str], text: str) -> _Candidate | None:
    return _single(m, int(m.group("y")), int(m.group("m")), int(m.group("d")), iso=True)


def _build_day_month(m: re.Match[str], text: str) -> _Candidate | None:
    return _single(m, _int(m.group("y")), _month_number(m.group("m")), int(m.group("d")))


def _build_numeric(m: re.Match[str], text: str) -> _Candidate | None:
    month = int(m.group("m") or m.group("m2"))
    return _single(m, _int(m.group("y")), month, int(m.group("d")))


def _build_month_day(m: re.Match[str], text: str) -> _Candidate | None:
    year = _int(m.group("y"))
    if year is None and _preceded_by_im(m, text):
        return None
    return _single(m, year, _month_number(m.group("m")), int(m.group("d")))


def _build_month_year(m: re.Match[str], text: str) -> _Candidate | None:
    return _single(m, int(m.group("y")), _month_number(m.group("m")), None)


def _build_bare_year(m: re.Match[str], text: str) -> _Candidate | None:
    if _AMOUNT_AFTER.match(text, m.end()) and not _year_word_before(text, m.start()):
        return None
    return _single(m, int(m.group("y")), None, None)


def _build_month_slash_year(m: re.Match[str], text: str) -> _Candidate | None:
    return _single(m, int(m.group("y")), int(m.group("m")), None)


_Builder = Callable[[re.Match[str], str], _Candidate | None]
_DIGIT_PATTERNS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_DAY_DAY_MONTH, _build_day_day_month),
    (_DAY_DAY_NUMERIC, _build_day_day_numeric),
    (_SHORT_YEAR_RANGE, _build_short_year_range),
    (_ISO_DAY, _build_iso),
    (_DAY_MONTH, _build_day_month),
    (_NUMERIC, _build_numeric),
    (_MONTH_SLASH_YEAR, _build_month_slash_year),
    (_BARE_YEAR, _build_bare_year),
)
_MONTH_PATTERNS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_MONTH_DAY_DAY, _build_month_day_day),
    (_MONTH_MONTH, _build_month_month),
    (_MONTH_DAY, _build_month_day),
    (_MONTH_YEAR, _build_month_year),
)


def _candidates(text: str) -> list[_Candidate]:
    """Every date the patterns accept, tried only where a digit run or month name starts."""
    out: list[_Candidate] = []
    for anchor in _ANCHOR.finditer(text):
        pos = anchor.start()
        if anchor.group("num") is None:
            patterns = _MONTH_PATTERNS
        elif pos and (text[pos - 1].isalnum() or text[pos - 1] == "_"):
            continue
        else:
            patterns = _DIGIT_PATTERNS
        for pattern, build in patterns:
            m = pattern.match(text, pos)
            candidate = None if m is None else build(m, text)
            if candidate is None:
                continue
            if not candidate.single:  # an interval takes a "vom"/"from"/... before it
                prefix = _prefix_before(text, candidate.start)
                if prefix is not None:
                    candidate = _Candidate(
                        prefix.start(), candidate.end, candidate.first, candidate.last
                    )
            out.append(candidate)
    return out


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the longest candidates that do not overlap (earlier wins a tie)."""
    candidates.sort(key=lambda c: (c.start - c.end, c.start))
    chosen: list[_Candidate] = []
    # The characters the chosen dates cover: "does c overlap a chosen one" in the time of
    # c's length, not of the number chosen (text dense with dates was quadratic).
    taken = bytearray(max((c.end for c in candidates), default=0))
    for c in candidates:
        if c.start < c.end and taken.find(1, c.start, c.end) < 0:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            chosen.append(c)
        elif c.start >= c.end and not any(o.start < c.start < o.end for o in chosen):
            chosen.append(c)  # an empty candidate (none is): the check as it always was
    chosen.sort(key=lambda c: c.start)
    return chosen


def _merge(a: _Candidate, b: _Candidate, text: str) -> _Candidate | None:
    """Join two single dates separated by "bis", "-", "to", ... into one interval."""
    if not (a.single and b.single) or a.first.granularity != b.first.granularity:
        return None
    gap = _GAP_RE.fullmatch(text, a.end, b.start)
    if gap is None:
        return None
    conn = gap.group("conn")
    pre = _prefix_before(text, a.start)
    if (conn == "/" and not (a.iso and b.iso)) or not _joins(conn, pre):
        return None
    fa, fb = a.first, b.first
    pair = _interval((fa.year, fa.month, fa.day), (fb.year, fb.month, fb.day))
    if pair is None:
        return None
    return _Candidate(a.start if pre is None else pre.start(), b.end, *pair)


def _merge_all(chosen: list[_Candidate], text: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    i = 0
    while i < len(chosen):
        merged = _merge(chosen[i], chosen[i + 1], text) if i + 1 < len(chosen) else None
        if merged is not None:
            out.append(merged)
            i += 2
        else:
            out.append(chosen[i])
            i += 1
    return out


def find_dates(text: str) -> list[DateMention]:
    """Find every date and date interval in ``text``.

    Args:
        text: Raw German or English text.

    Returns:
        Non-overlapping mentions sorted by start; of overlapping candidates the
        longest wins. Spans index the original ``text``.

    Example:
        >>> s = "Strategieplan 2024–2028, der im August 2024 eingeführt wurde"
        >>> [(m.text, m.canonical(), m.granularity) for m in find_dates(s)]
        [('2024–2028', '2024/2028', 'year'), ('August 2024', '2024-08', 'month')]
        >>> find_dates("Die vier Säulen, diese Woche")
        []
    """
    aligned = align(text)
    clean = aligned.text
    mentions: list[DateMention] = []
    for c in _merge_all(_resolve(_candidates(clean)), clean):
        start, end = aligned.span(c.start, c.end)
        mentions.append(
            DateMention(start, end, text[start:end], c.first, c.last, c.first.granularity)
        )
    return mentions
