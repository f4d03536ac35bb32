"""Key facts of a summary: which of the gold's atomic facts does it state, contradict or miss?

Each fact of the sample's document (``facts.jsonl``, see ``gold/README.md``)
carries a typed matcher (date, year range, person, number, text) and an
importance ``weight`` (1-3). :func:`harness.text.matchers.judge_fact` puts
each fact in one of three states:

* **found**: the summary states it, in any wording the matcher accepts
  (German compounds split, inflection and verbal nouns folded, the fact's
  synonyms; the English aliases of the gold make English summaries work);
* **contradicted**: the summary states the fact's slot with another value:
  another date, year range or count, another person in the fact's role, or
  the fact's role given to another person. Values that the source article
  itself states (another of its dates, the plan's five years) never
  contradict a fact; without a source every other value does;
* **missed**: neither.

Values per sample: ``recall`` (found weight / total weight, 0-1),
``recall_unweighted`` (found / total), ``net_recall`` (the documented
penalty rule: ``max(0, found weight - contradicted weight) / total weight``,
0-1, so a contradicted fact costs its weight once more than a missed one),
``found``, ``contradicted`` and ``total`` (counts).
Details: ``{"found": [{"id", "label", "weight", "span": [start, end], "text"}],
"contradicted": [{"id", "label", "weight", "span": [start, end], "text"}],
"missed": [{"id", "label", "weight"}]}``, spans into the summary (for a
contradicted fact: the other value, "17. und 18. November"). A document
without key facts gives ``found`` = ``contradicted`` = ``total`` = 0 and no
recall (it is undefined, not 0).

Example:
    >>> facts = [
    ...     {"id": "four-pillars", "label": "Vier Säulen", "weight": 3,
    ...      "matcher": {"type": "number", "value": 4, "near": ["Säulen", "pillars"]}},
    ...     {"id": "session-dates", "label": "Datum 24.–25. November", "weight": 2,
    ...      "matcher": {"type": "date", "start": "--11-24", "end": "--11-25"}},
    ... ]
    >>> r = KeyFacts().score_one(ScoringInput(
    ...     "Die Sitzung am 17. und 18. November: vier Säulen.", [], facts=facts))
    >>> r.values["recall"], r.values["net_recall"], r.values["contradicted"]
    (0.6, 0.2, 1.0)
    >>> report_lines(r.details)
    ["contradicted: Datum 24.–25. November — '17. und 18. November'"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.text.compounds import compounds_signature
from harness.text.matchers import FactJudgement, Grounding, judge_fact
from harness.text.stem import stemmer_signature

__all__ = ["FactAssessment", "KeyFacts", "assess_facts", "report_lines"]


@dataclass(frozen=True)
class FactAssessment:
    """Every fact of a document judged in one summary.

    Attributes:
        found: ``{"id", "label", "weight", "span", "text"}`` per found fact.
        contradicted: The same per contradicted fact (span and text of the other value).
        missed: ``{"id", "label", "weight"}`` per missed fact.
        found_weight: Sum of the found facts' weights.
        contradicted_weight: Sum of the contradicted facts' weights.
        total_weight: Sum of all weights.
    """

    found: tuple[dict[str, Any], ...]
    contradicted: tuple[dict[str, Any], ...]
    missed: tuple[dict[str, Any], ...]
    found_weight: float
    contradicted_weight: float
    total_weight: float

    @property
    def total(self) -> int:
        return len(self.found) + len(self.contradicted) + len(self.missed)

    def details(self) -> dict[str, Any]:
        """The ``key_facts`` details mapping (lists, JSON-ready)."""
        return {
            "found": list(self.found),
            "contradicted": list(self.contradicted),
            "missed": list(self.missed),
        }


def assess_facts(
    facts: Sequence[Mapping[str, Any]],
    prediction: str,
    language: str = "de",
    grounding: Grounding | None = None,
) -> FactAssessment:
    """Judge every fact of ``facts`` in ``prediction`` (found, contradicted or missed).

    Args:
        facts: The gold key facts (``facts.jsonl`` rows).
        prediction: The summary.
        language: ``"de"`` or ``"en"``: the summary's language.
        grounding: What the source supports
            (:class:`harness.metrics.hallucination.SourceFacts`); ``None`` lets every
            other value of a fact's shape contradict it.

    Returns:
        The assessment.

    Raises:
        ValueError: For a malformed fact (no matcher), an unknown matcher type or an
            unsupported language.
    """
    judged: list[tuple[Mapping[str, Any], FactJudgement]] = []
    for fact in facts:
        matcher = fact.get("matcher")
        if not isinstance(matcher, Mapping):
            fact_id = str(fact.get("id", "?"))
            raise ValueError(f"key_facts: fact {fact_id!r}: matcher: missing or not a mapping")
        judged.append((fact, judge_fact(matcher, prediction, language, grounding)))
    # A mention that states one fact (or its value with a wrong year) is that fact's: it
    # does not also contradict another fact of the same shape by being another value.
    claimed = [
        (j.start, j.end)
        for _, j in judged
        if j.start is not None
        and j.end is not None
        and (j.state == "found" or j.reason == "unsupported")
    ]
    found: list[dict[str, Any]] = []
    contradicted: list[dict[str, Any]] = []
    missed: list[dict[str, Any]] = []
    weights = {"found": 0.0, "contradicted": 0.0, "total": 0.0}
    for fact, j in judged:
        fact_id = str(fact.get("id", "?"))
        weight = float(fact.get("weight", 1))
        label = str(fact.get("label") or fact_id)
        weights["total"] += weight
        entry: dict[str, Any] = {"id": fact_id, "label": label, "weight": weight}
        if j.reason == "value" and _overlaps(j, claimed):
            j = FactJudgement("missed")
        if j.state == "missed":
            missed.append(entry)
            continue
        entry |= {"span": [j.start, j.end], "text": j.text}
        if j.state == "found":
            found.append(entry)
        else:
            contradicted.append(entry | {"reason": j.reason})
        weights[j.state] += weight
    return FactAssessment(
        tuple(found),
        tuple(contradicted),
        tuple(missed),
        weights["found"],
        weights["contradicted"],
        weights["total"],
    )


def _overlaps(j: FactJudgement, spans: Sequence[tuple[int | None, int | None]]) -> bool:
    a, b = j.start or 0, j.end or 0
    return any(s is not None and e is not None and s < b and a < e for s, e in spans)


def _grounding(source: str) -> Grounding | None:
    if not source.strip():
        return None
    from harness.metrics.hallucination import SourceFacts

    return SourceFacts(source)


@METRICS.register("key_facts")
class KeyFacts(HarnessMetric):
    """Found, contradicted and missed gold key facts of a summary (see the module docstring)."""

    metric_name = "key_facts"
    tasks = ("summary",)
    keys = (
        "recall",
        "recall_unweighted",
        "net_recall",
        "found",
        "contradicted",
        "total",
    )
    higher_is_better: ClassVar[dict[str, bool]] = {
        "recall": True,
        "recall_unweighted": True,
        "net_recall": True,
        "found": True,
        "contradicted": False,
        "total": True,
    }
    description = (
        "Recall of the gold key facts in a summary, weighted by importance (0-1); "
        "net_recall also subtracts the weight of contradicted facts."
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._grounding_cache: dict[str, Grounding | None] = {}

    def grounding(self, source: str) -> Grounding | None:
        """The source's :class:`~harness.metrics.hallucination.SourceFacts`, cached per source."""
        if source not in self._grounding_cache:
            if len(self._grounding_cache) >= 16:
                self._grounding_cache.clear()
            self._grounding_cache[source] = _grounding(source)
        return self._grounding_cache[source]

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Judge every fact of ``item.facts`` in ``item.prediction`` against ``item.source``.

        Raises:
            ValueError: For a malformed fact (no matcher) or an unsupported language.
        """
        language = item.sample.language if item.sample else "de"
        a = assess_facts(item.facts, item.prediction, language, self.grounding(item.source))
        values: dict[str, float] = {
            "found": float(len(a.found)),
            "contradicted": float(len(a.contradicted)),
            "total": float(a.total),
        }
        if a.total:
            w = a.total_weight
            values["recall"] = a.found_weight / w if w else 0.0
            values["recall_unweighted"] = len(a.found) / a.total
            values["net_recall"] = (
                max(0.0, a.found_weight - a.contradicted_weight) / w if w else 0.0
            )
        return MetricResult(values, a.details())

    def signature(self) -> str:
        return (
            "key_facts|matchers-v3|weighted|contradictions"
            f"|de:{stemmer_signature('de')}+{compounds_signature()}|en:{stemmer_signature('en')}"
        )


def report_lines(
    details: Mapping[str, Any], max_missed: int = 10, max_contradicted: int = 10
) -> list[str]:
    """Human-readable lines for a report: contradicted facts, then missed ones, heaviest first.

    Args:
        details: One sample's ``key_facts`` details.
        max_missed: Name at most this many missed facts, then say how many more.
        max_contradicted: The same for contradicted facts.

    Returns:
        ``["contradicted: Datum 24.–25. November — '17. und 18. November'",
        "missed: Säule 3 (Koordination), Vier Säulen"]``; ``[]`` when nothing is
        contradicted or missed.

    Example:
        >>> report_lines({"found": [], "missed": [
        ...     {"id": "a", "label": "A", "weight": 1}, {"id": "b", "label": "B", "weight": 3},
        ...     {"id": "c", "label": "C", "weight": 2}]}, max_missed=2)
        ['missed: B, C (+1 more)']
        >>> report_lines({"contradicted": [{"id": "s", "label": "Redner Keo Chhea",
        ...     "weight": 3, "span": [12, 20], "text": "Men Kiri"}], "missed": []})
        ["contradicted: Redner Keo Chhea — 'Men Kiri'"]
    """
    lines: list[str] = []
    contradicted = sorted(details.get("contradicted", ()), key=lambda f: -float(f.get("weight", 1)))
    if contradicted:
        shown = "; ".join(
            f"{f['label']} — {str(f.get('text', ''))!r}" for f in contradicted[:max_contradicted]
        )
        more = len(contradicted) - max_contradicted
        lines.append(f"contradicted: {shown}" + (f" (+{more} more)" if more > 0 else ""))
    missed = sorted(details.get("missed", ()), key=lambda f: -float(f.get("weight", 1)))
    if missed:
        names = ", ".join(str(f["label"]) for f in missed[:max_missed])
        more = len(missed) - max_missed
        lines.append(f"missed: {names}" + (f" (+{more} more)" if more > 0 else ""))
    return lines
