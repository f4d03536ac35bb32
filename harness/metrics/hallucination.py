"""Grounding check: dates, numbers and names in an output that the source does not support.

Every date and every number in the prediction is looked up in the source
article after normalisation (:func:`~harness.text.dates.find_dates`,
:func:`~harness.text.numbers.find_numbers`):

* **Dates**, each as a whole. Each end of a date or interval mention must be
  supported by one source date that states its day, month and year together
  (:class:`SourceFacts`). A source date without a year takes the year of the
  source's own full dates: in an article dated "28. November 2025", "vom 24.
  bis 25. November" supports "24. November 2025" but not "24. November 2024",
  although 2024 occurs elsewhere in it. A bare year is supported only by a
  year of the source ("2.000 Euro" does not support "im Jahr 2000"); a bare
  four-digit number used as an amount ("2000 Menschen", a noun or unit
  follows and no year word precedes) only by an amount of the source, and it
  is reported as a number. A coarser claim is supported by a finer source
  date ("August 2024" by "24. August 2024"), never the other way round.
* **Numbers** (not part of a date mention of the prediction): supported when
  the same value occurs in the source as a number, in digits or words
  ("vier" = 4, "15-jährig" = 15), as the day or year of a source date (but a
  value from 1000 to 2999 only as an amount: a year does not support "2019
  Euro"), or as
  the length of a source interval when the unit follows, both ends counted
  ("vom 24. bis 25. November" supports "zwei Tage", "2024–2028" supports
  "fünf Jahre" but not "fünf Säulen").
  Not checked: number words of value 0 or 1 ("one of", "zum ersten Mal",
  "ein"), list enumerators at the start of a line ("1. ", "2) "), and digits
  glued to a word by a hyphen ("COVID-19").
* **Names** (a companion check, kept apart from the rate): capitalised words
  that look like person or organisation names and that neither the source nor
  the gold references nor the key facts of the document mention
  (:func:`harness.text.names.new_names`; a heuristic, see its limits).

Values per sample: ``unsupported`` (count), ``checked``, ``rate``
(unsupported / checked; 0 when nothing was checked), ``has_hallucination``
(0/1, dates and numbers only) and ``unsupported_names``. Lower is better for
all of them. Details: ``{"unsupported": [{"text", "start", "end", "kind"}],
"names": [{"text", "start", "end"}]}`` with spans into the prediction.
:meth:`Hallucination.aggregate` adds ``pooled_rate``, all unsupported over all
checked mentions of the run.

Example:
    >>> src = "Die Sitzung fand vom 24. bis 25. November statt. Der Plan hat vier Säulen."
    >>> m = Hallucination()
    >>> r = m.score_one(ScoringInput("Am 26. November nannte er fünf Säulen.", [], source=src))
    >>> r.values["unsupported"], r.values["checked"], r.values["rate"]
    (2.0, 2.0, 1.0)
    >>> [u["text"] for u in r.details["unsupported"]]
    ['26. November', 'fünf']
    >>> m.score_one(ScoringInput("Am 24. November: vier Säulen.", [], source=src)).values["rate"]
    0.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.text.dates import DateMention, PartialDate, find_dates
from harness.text.names import Vocabulary, new_names
from harness.text.numbers import find_numbers
from harness.text.spans import Cover

__all__ = ["Hallucination", "SourceFacts", "report_lines", "unsupported_mentions"]

_ENUMERATOR_RE = re.compile(r"^[ \t]*(?:[-*•][ \t]*)?(\d{1,2})[.)][ \t]", re.MULTILINE)


def _interval_lengths(dates: Sequence[DateMention]) -> tuple[set[float], set[float]]:
    """Days of the source's day intervals within a month, years of its year ranges.

    Both ends count: "vom 24. bis 25. November" lasts two days, "2024–2028" five years.
    """
    days: set[float] = set()
    years: set[float] = set()
    for d in dates:
        a, b = d.first, d.last
        if a == b:
            continue
        if a.day is not None and b.day is not None and a.month == b.month and a.year == b.year:
            days.add(float(b.day - a.day + 1))
        elif a.month is None and b.month is None and a.year is not None and b.year is not None:
            years.add(float(b.year - a.year + 1))
    return days, years


_UNIT = (
    r"(?:(?P<day>tag(?:e|en|es)?|tägig\w*|days?)"
    r"|(?P<year>jahr(?:e|en|es)?|jährig\w*|years?))(?!\w)"
)
_UNIT_AFTER_RE = re.compile(r"[\s-]*" + _UNIT, re.IGNORECASE)
_UNIT_IN_QUESTION_RE = re.compile(r"(?<!\w)" + _UNIT, re.IGNORECASE)


# A bare four-digit number used as a year: "im Jahr 2000", "seit 2000", "bis 2028", "2000 wurde".
_YEAR_CUE_BEFORE_RE = re.compile(
    r"(?:jahr(?:e|es)?|im|seit|bis|ab|von|vom|in|anfang|ende|mitte|frühjahr|sommer|herbst|"
    r"winter|year|since|until|till|by|from|early|late|mid|of)[\s\u00a0]+$",
    re.IGNORECASE,
)
# ... or as an amount: "2000 Menschen", "2.000 Euro", "2000 km" (a noun or a unit follows).
_AMOUNT_AFTER_RE = re.compile(
    r"[\s\u00a0]*(?:[A-ZÄÖÜ][a-zäöüß]|[€$£%]|[a-zäöüß]{1,3}\b(?!\s+[a-zäöüß]))"
)


def _reads_as_amount(prediction: str, d: DateMention) -> bool:
    """True if a bare year of ``prediction`` is used as an amount ("2000 Menschen"), not a year."""
    if d.granularity != "year" or d.first != d.last or not d.text.strip().isdigit():
        return False
    if _YEAR_CUE_BEFORE_RE.search(prediction, max(0, d.start - 12), d.start):
        return False
    return _AMOUNT_AFTER_RE.match(prediction, d.end) is not None


_YEAR_LIKE_MIN, _YEAR_LIKE_MAX = 1000.0, 2999.0  # amounts in this range are kept apart from years


class SourceFacts:
    """What a source states: its dates (with the years its context gives them) and numbers.

    A date is supported as a whole (:meth:`supports_date`): its day, month
    and year together by one source date. A source date without a year takes
    the year of the source's own full dates (an article dated "28. November
    2025" that speaks of "24. November" means 2025); a source without any
    full date lends its yearless dates every year it mentions. A bare year
    is supported only by a year of the source, never by an amount ("2.000
    Euro" does not support "im Jahr 2000"); a bare four-digit number used as
    an amount ("2000 Menschen") only by an amount.

    Args:
        source: The source text.

    Example:
        >>> src = "Die Sitzung fand vom 24. bis 25. November statt. Bericht vom 28. November 2025."
        >>> f = SourceFacts(src)
        >>> [f.supports_date(d) for d in find_dates("24. November 2025, 24. November 2024")]
        [True, False]
        >>> f.supports_count(2.0), f.supports_count(3.0)
        (True, False)
    """

    def __init__(self, source: str) -> None:
        all_dates = find_dates(source)
        dates = [d for d in all_dates if not _reads_as_amount(source, d)]
        points = [p for d in dates for p in (d.first, d.last)]
        self.years = {p.year for p in points if p.year is not None}
        full_years = {p.year for p in points if p.year is not None and p.day is not None}
        context = full_years or self.years
        # every source point with its year filled in from the context when it has none
        self.points: set[PartialDate] = set()
        for p in points:
            if p.year is not None or p.month is None:
                self.points.add(p)
                continue
            self.points.add(p)
            for y in context:
                try:
                    self.points.add(PartialDate(y, p.month, p.day))
                except ValueError:  # 29 February in a year without one
                    continue
        date_spans = Cover((d.start, d.end) for d in dates)
        numbers = find_numbers(source)
        self.amounts = {n.value for n in numbers if n.start not in date_spans}
        values = {n.value for n in numbers}
        values.update(float(p.day) for p in points if p.day is not None)
        values.update(float(y) for y in self.years)
        self.values = values
        self.day_lengths, self.year_lengths = _interval_lengths(dates)

    def supports_number(self, value: float, prediction: str, end: int, question: str) -> bool:
        """True if ``value`` occurs in the source or is the length of a source interval.

        A length counts in the unit that follows the number ("zwei Tage"), or, for
        a bare number, in the unit the question asks for ("Wie viele Tage ...?").
        """
        if _YEAR_LIKE_MIN <= value <= _YEAR_LIKE_MAX and value.is_integer():
            return value in self.amounts  # "2019 Euro": a year of the source is no amount
        if value in self.values:
            return True
        unit = _UNIT_AFTER_RE.match(prediction, end) or _UNIT_IN_QUESTION_RE.search(question)
        if unit is None:
            return False
        lengths = self.day_lengths if unit.group("day") else self.year_lengths
        return value in lengths

    def supports_count(self, value: float) -> bool:
        """True if the source states ``value``: a number, a day or year, an interval's length."""
        return value in self.values or value in self.day_lengths or value in self.year_lengths

    def supports_point(self, p: PartialDate) -> bool:
        """True if one source date states ``p``'s fields together (a finer source date will do)."""
        for s in self.points:
            if p.year is not None and s.year != p.year:
                continue
            if p.month is not None and s.month != p.month:
                continue
            if p.day is not None and s.day != p.day:
                continue
            return True
        return False

    def supports_date(self, d: DateMention) -> bool:
        """True if both ends of ``d`` are supported, each as a whole."""
        return self.supports_point(d.first) and self.supports_point(d.last)

    def supports_amount(self, value: float) -> bool:
        """True if the source states ``value`` as a number outside its dates ("2.000 Euro")."""
        return value in self.amounts


def _skipped_number_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(1), m.end(1)) for m in _ENUMERATOR_RE.finditer(text)]


def unsupported_mentions(
    prediction: str, source: str, question: str = ""
) -> tuple[int, list[dict[str, Any]]]:
    """Check every date and number of ``prediction`` against ``source``.

    Args:
        prediction: The model output.
        source: The source article.
        question: For QA, the question: its unit ("Wie viele Tage ...?") lets
            a bare number answer be the length of a source interval.

    Returns:
        How many mentions were checked, and the unsupported ones as
        ``{"text", "start", "end", "kind"}`` (``kind``: ``"date"`` or
        ``"number"``), spans into ``prediction``, in order.

    Example:
        >>> unsupported_mentions("Plan 2024–2030 mit 4 Säulen", "Plan 2024–2028, vier Säulen")
        (2, [{'text': '2024–2030', 'start': 5, 'end': 14, 'kind': 'date'}])
    """
    return _check(prediction, SourceFacts(source), question)


def _check(prediction: str, facts: SourceFacts, question: str) -> tuple[int, list[dict[str, Any]]]:
    checked = 0
    out: list[dict[str, Any]] = []
    dates = find_dates(prediction)
    for d in dates:
        checked += 1
        if _reads_as_amount(prediction, d):
            if not facts.supports_amount(float(d.first.year or 0)):
                out.append({"text": d.text, "start": d.start, "end": d.end, "kind": "number"})
        elif not facts.supports_date(d):
            out.append({"text": d.text, "start": d.start, "end": d.end, "kind": "date"})
    skip = Cover([(d.start, d.end) for d in dates] + _skipped_number_spans(prediction))
    for n in find_numbers(prediction):
        if n.start in skip:
            continue
        if n.kind in ("word", "ordinal") and n.value <= 1:
            continue
        if n.start >= 2 and prediction[n.start - 1] == "-" and prediction[n.start - 2].isalpha():
            continue  # "COVID-19", "F-16": part of a name
        checked += 1
        if not facts.supports_number(n.value, prediction, n.end, question):
            out.append({"text": n.text, "start": n.start, "end": n.end, "kind": "number"})
    out.sort(key=lambda u: int(u["start"]))
    return checked, out


def _fact_texts(facts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every text of the key facts: statements, labels, aliases, names, roles, synonyms."""
    texts: list[str] = []
    for fact in facts:
        texts.extend(str(fact.get(k) or "") for k in ("statement", "statement_en", "label"))
        matcher: Mapping[str, Any] = fact.get("matcher", {})
        for key in ("aliases", "names", "roles", "holder", "context", "near"):
            texts.extend(str(a) for a in matcher.get(key, ()))
        for group in matcher.get("synonyms", ()):
            texts.extend(str(a) for a in group)
    return texts


@METRICS.register("hallucination")
class Hallucination(HarnessMetric):
    """Unsupported dates, numbers and names in an output (see the module docstring).

    Args:
        names: Also run the name check (``unsupported_names``).
        known_names: Extra words or names that count as known (e.g. the
            English names of entities the source gives in German).
    """

    metric_name = "hallucination"
    tasks = ("qa", "summary")
    keys = ("unsupported", "checked", "rate", "has_hallucination", "unsupported_names")
    higher_is_better: ClassVar[dict[str, bool]] = {
        "unsupported": False,
        "checked": True,
        "rate": False,
        "has_hallucination": False,
        "unsupported_names": False,
        "pooled_rate": False,
    }
    description = (
        "Dates and numbers in the output that the source does not support (rate per sample, "
        "pooled rate per run), plus names the source never mentions."
    )
    corpus_level = True

    def __init__(self, names: bool = True, known_names: Sequence[str] = ()) -> None:
        super().__init__(names=names, known_names=list(known_names))
        self.names = bool(names)
        self.known_names = tuple(str(n) for n in known_names)
        # per document: the vocabulary of source + key facts + known_names, and the source's
        # dates and numbers (a run scores many samples of few documents)
        self._vocab_cache: dict[tuple[str, ...], Vocabulary] = {}
        self._source_cache: dict[str, SourceFacts] = {}

    def _vocabulary(self, item: ScoringInput) -> Vocabulary:
        """Known words: the source, the key facts, ``known_names`` and the references."""
        key = (item.source, *_fact_texts(item.facts), *self.known_names)
        base = self._vocab_cache.get(key)
        if base is None:
            if len(self._vocab_cache) >= 16:
                self._vocab_cache.clear()
            base = self._vocab_cache[key] = Vocabulary(key)
        return base.extended(item.references) if item.references else base

    def _source_facts(self, source: str) -> SourceFacts:
        facts = self._source_cache.get(source)
        if facts is None:
            if len(self._source_cache) >= 16:
                self._source_cache.clear()
            facts = self._source_cache[source] = SourceFacts(source)
        return facts

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Check one prediction against ``item.source``.

        Raises:
            ValueError: If ``item.source`` is empty (there is nothing to check against).
        """
        if not item.source.strip():
            raise ValueError(
                "hallucination: the source document is empty; this metric needs the article "
                "(score through the pipeline, or pass ScoringInput(source=...))"
            )
        question = item.sample.input if item.sample and item.sample.task == "qa" else ""
        checked, unsupported = _check(item.prediction, self._source_facts(item.source), question)
        values: dict[str, float] = {
            "unsupported": float(len(unsupported)),
            "checked": float(checked),
            "rate": len(unsupported) / checked if checked else 0.0,
            "has_hallucination": float(bool(unsupported)),
        }
        details: dict[str, Any] = {"unsupported": unsupported}
        if self.names:
            language = item.sample.language if item.sample else "de"
            found = new_names(item.prediction, self._vocabulary(item), language)
            values["unsupported_names"] = float(len(found))
            details["names"] = [{"text": n.text, "start": n.start, "end": n.end} for n in found]
        return MetricResult(values, details)

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """The mean of each key, plus ``pooled_rate``: all unsupported / all checked."""
        out = super().aggregate(per_sample, items)
        checked = sum(row.get("checked", 0.0) for row in per_sample)
        unsupported = sum(row.get("unsupported", 0.0) for row in per_sample)
        if per_sample:
            out["pooled_rate"] = unsupported / checked if checked else 0.0
        return out

    def signature(self) -> str:
        names = "names-heuristic-v1" if self.names else "no-names"
        extra = f"+{len(self.known_names)}known" if self.known_names else ""
        return f"hallucination|dates+numbers-v2|{names}{extra}"


def report_lines(details: Mapping[str, Any]) -> list[str]:
    """Human-readable lines for a report from one sample's details.

    Example:
        >>> report_lines({"unsupported": [{"text": "fünf", "start": 0, "end": 4,
        ...                                "kind": "number"}], "names": [{"text": "Hun Sen"}]})
        ["unsupported number: 'fünf'", "new name: 'Hun Sen'"]
    """
    lines = [f"unsupported {u['kind']}: {u['text']!r}" for u in details.get("unsupported", ())]
    lines.extend(f"new name: {n['text']!r}" for n in details.get("names", ()))
    return lines
