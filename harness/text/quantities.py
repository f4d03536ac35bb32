"""Quantities: a number with its scale word and unit, compared by value.

Built on :func:`harness.text.numbers.find_numbers` (digits with German or
English separators, number words). A scale word right after the number
multiplies it ("62 Mio." and "62 Millionen" are 62 000 000; "3,5 Mrd." is
3 500 000 000; "zwei Millionen Euro" is 2 000 000 euros). A unit right after it
(or a currency sign before it) is kept in a canonical, language-independent
form: ``km`` for "km", "Kilometer", "kilometres"; ``%`` for "%", "Prozent",
"percent"; ``EUR`` for "€", "Euro", "EUR"; ``year`` for "Jahre", "-jährig",
"years"; and so on. Time, length and mass units carry a factor to a base unit,
so "48 Stunden" and "zwei Tage" are the same duration. Numbers inside a date
("24. November 2025") are not quantities: the caller passes the date spans.

Example:
    >>> [(q.value, q.unit) for q in find_quantities("62 Mio. Euro, 48 km und 3,5 %")]
    [(62000000.0, 'EUR'), (48.0, 'km'), (3.5, '%')]
    >>> [(q.value, q.unit) for q in find_quantities("das 15-jährige Bestehen, zwei Tage")]
    [(15.0, 'year'), (2.0, 'day')]
    >>> same_quantity(find_quantities("48 Stunden")[0], find_quantities("zwei Tage")[0])
    True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.text.numbers import find_numbers
from harness.text.spans import Cover

__all__ = ["Quantity", "find_quantities", "same_quantity"]

_SCALES: dict[str, float] = {
    "tsd": 1e3, "tausend": 1e3, "thousand": 1e3, "k": 1e3,
    "mio": 1e6, "million": 1e6, "millionen": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,
    "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9, "billion": 1e9, "billions": 1e9,
    "bn": 1e9, "bio": 1e12, "billionen": 1e12, "trillion": 1e12,
}  # fmt: skip
# canonical unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "second": ("time", 1.0), "minute": ("time", 60.0), "hour": ("time", 3600.0),
    "day": ("time", 86400.0), "week": ("time", 604800.0), "month": ("time", 2629800.0),
    "year": ("time", 31557600.0),
    "mm": ("length", 0.001), "cm": ("length", 0.01), "m": ("length", 1.0),
    "km": ("length", 1000.0), "mile": ("length", 1609.344),
    "g": ("mass", 0.001), "kg": ("mass", 1.0), "t": ("mass", 1000.0),
    "%": ("percent", 1.0),
    "EUR": ("EUR", 1.0), "USD": ("USD", 1.0), "GBP": ("GBP", 1.0), "CHF": ("CHF", 1.0),
}  # fmt: skip
_UNIT_WORDS: dict[str, str] = {
    "sekunde": "second", "sekunden": "second", "sek": "second", "s": "second",
    "second": "second", "seconds": "second",
    "minute": "minute", "minuten": "minute", "min": "minute", "minutes": "minute",
    "stunde": "hour", "stunden": "hour", "std": "hour", "h": "hour", "hour": "hour",
    "hours": "hour",
    "tag": "day", "tage": "day", "tagen": "day", "tages": "day", "day": "day", "days": "day",
    "woche": "week", "wochen": "week", "week": "week", "weeks": "week",
    "monat": "month", "monate": "month", "monaten": "month", "monats": "month",
    "month": "month", "months": "month",
    "jahr": "year", "jahre": "year", "jahren": "year", "jahres": "year", "year": "year",
    "years": "year",
    "mm": "mm", "millimeter": "mm", "cm": "cm", "zentimeter": "cm", "m": "m", "meter": "m",
    "metern": "m", "metre": "m", "metres": "m", "meters": "m", "km": "km", "kilometer": "km",
    "kilometern": "km", "kilometre": "km", "kilometres": "km", "kilometers": "km",
    "meile": "mile", "meilen": "mile", "mile": "mile", "miles": "mile",
    "g": "g", "gramm": "g", "gram": "g", "grams": "g", "kg": "kg", "kilogramm": "kg",
    "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "t": "t", "tonne": "t", "tonnen": "t",
    "tonnes": "t", "tons": "t",
    "%": "%", "prozent": "%", "percent": "%", "pct": "%",
    "€": "EUR", "euro": "EUR", "eur": "EUR", "euros": "EUR",
    "$": "USD", "dollar": "USD", "dollars": "USD", "usd": "USD", "us-dollar": "USD",
    "£": "GBP", "pfund": "GBP", "pounds": "GBP", "gbp": "GBP",
    "franken": "CHF", "chf": "CHF",
}  # fmt: skip
_WORD = r"[^\W\d_][^\W\d_.-]*\.?|[%€$£]"
_AFTER = re.compile(rf"\s*(?P<w1>{_WORD})(?:\s*(?P<w2>{_WORD}))?")
_AGE_SUFFIX = re.compile(r"-?(?:jährig|jaehrig|year-old|years?-old|jahre|tägig|taegig)", re.I)
_AGE_UNIT = {"jährig": "year", "jaehrig": "year", "tägig": "day", "taegig": "day"}
_BEFORE = re.compile(r"(?P<cur>[€$£]|EUR|USD|US\$)\s*\Z")


@dataclass(frozen=True)
class Quantity:
    """A number with its scale applied and its unit (``None`` when there is none).

    Attributes:
        start, end: span of the number, scale word and unit in the text.
        text: that span.
        value: the number times its scale ("62 Mio." is 62e6); a percentage keeps its number.
        unit: canonical unit (``day``, ``km``, ``%``, ``EUR``, ...) or None.
        noun: the word right after the number when it is no unit ("vier *Säulen*"),
            casefolded; None when there is none.
    """

    start: int
    end: int
    text: str
    value: float
    unit: str | None
    noun: str | None = None

    def base_value(self) -> float:
        """The value in the unit's base (seconds, metres, kg); the value itself otherwise."""
        if self.unit is None:
            return self.value
        return self.value * _UNITS[self.unit][1]

    @property
    def dimension(self) -> str | None:
        return None if self.unit is None else _UNITS[self.unit][0]


def _key(word: str | None) -> str:
    return (word or "").rstrip(".").casefold()


def _currency_before(text: str, pos: int) -> re.Match[str] | None:
    """``_BEFORE.search(text, 0, pos)``, looking only at the whitespace and currency right
    before ``pos`` (searching from 0 for every number was quadratic in the text)."""
    k = pos
    while k > 0 and text[k - 1].isspace():
        k -= 1
    return _BEFORE.search(text, max(0, k - 3), pos)  # the longest currency: 3 characters


def find_quantities(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Quantity]:
    """Every number in ``text`` as a quantity, except those inside a ``skip`` span.

    Args:
        text: Raw German or English text.
        skip: ``(start, end)`` spans to ignore (the dates of the text).

    Returns:
        Quantities sorted by start; spans index ``text``.
    """
    out: list[Quantity] = []
    skipped = Cover(skip)
    for n in find_numbers(text):
        if n.start in skipped:
            continue
        value, unit, end, noun = n.value, None, n.end, None
        if n.kind == "percent":
            unit = "%"
        else:
            age = _AGE_SUFFIX.match(text, end)
            if age is not None and age.group().lstrip("-").lower() in _AGE_UNIT:
                unit, end = _AGE_UNIT[age.group().lstrip("-").lower()], age.end()
            else:
                m = _AFTER.match(text, end)
                if m is not None:
                    w1, w2 = _key(m.group("w1")), _key(m.group("w2"))
                    if w1 in _SCALES and not (w1 in ("m", "k") and w2 not in _UNIT_WORDS):
                        value *= _SCALES[w1]
                        end = m.end("w1")
                        if w2 in _UNIT_WORDS:
                            unit, end = _UNIT_WORDS[w2], m.end("w2")
                        elif w2:
                            noun = w2
                    elif w1 in _UNIT_WORDS:
                        unit, end = _UNIT_WORDS[w1], m.end("w1")
                    elif w1 and m.group("w1")[0].isalpha():
                        noun = w1
        start = n.start
        before = _currency_before(text, n.start)
        if unit is None and before is not None:
            unit = _UNIT_WORDS.get(before.group("cur").lower(), "USD")
            start = before.start()
        out.append(Quantity(start, end, text[start:end], value, unit, noun))
    return out


def same_quantity(a: Quantity, b: Quantity, rel: float = 1e-9) -> bool:
    """Equal values in compatible units (a missing unit is compatible with any).

    Units of one dimension convert ("48 Stunden" = "2 Tage"); different
    dimensions or currencies never match.
    """
    if a.unit is not None and b.unit is not None:
        if a.dimension != b.dimension:
            return False
        x, y = a.base_value(), b.base_value()
    else:
        x, y = a.value, b.value
    return abs(x - y) <= rel * max(abs(x), abs(y), 1.0)
