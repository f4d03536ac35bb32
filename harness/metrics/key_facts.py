"""Key-fact recall of a summary: which of the gold's atomic facts does it state, and where?

Each fact of the sample's document (``facts.jsonl``, see ``gold/README.md``)
carries a typed matcher (date, year range, person, number, text) and an
importance ``weight`` (1-3). :func:`harness.text.matchers.match_fact` looks for
it in the summary; text matchers stem with the summary's language (Snowball
German for ``de``, Porter for ``en``), and the English aliases of the gold make
English summaries of a German article work.

Values per sample: ``recall`` (found weight / total weight, 0-1),
``recall_unweighted`` (found / total), ``found`` and ``total`` (counts).
Details: ``{"found": [{"id", "label", "weight", "span": [start, end], "text"}],
"missed": [{"id", "label", "weight"}]}``, spans into the summary. A document
without key facts gives ``found`` = ``total`` = 0 and no recall (it is
undefined, not 0).

Example:
    >>> facts = [
    ...     {"id": "four-pillars", "label": "Vier Säulen", "weight": 3,
    ...      "matcher": {"type": "number", "value": 4, "near": ["Säulen", "pillars"]}},
    ...     {"id": "pillar-3", "label": "Säule 3 (Koordination)", "weight": 1,
    ...      "matcher": {"type": "text", "aliases": ["sektorübergreifende Koordination"]}},
    ... ]
    >>> r = KeyFacts().score_one(ScoringInput("Der Plan hat vier Säulen.", [], facts=facts))
    >>> r.values["recall"], r.values["recall_unweighted"]
    (0.75, 0.5)
    >>> report_lines(r.details)
    ['missed: Säule 3 (Koordination)']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.text.matchers import match_fact
from harness.text.stem import stemmer_signature

__all__ = ["KeyFacts", "report_lines"]


@METRICS.register("key_facts")
class KeyFacts(HarnessMetric):
    """Weighted recall of the gold key facts in a summary (see the module docstring)."""

    metric_name = "key_facts"
    tasks = ("summary",)
    keys = ("recall", "recall_unweighted", "found", "total")
    higher_is_better: ClassVar[dict[str, bool]] = {
        "recall": True,
        "recall_unweighted": True,
        "found": True,
        "total": True,
    }
    description = "Recall of the gold key facts in a summary, weighted by importance (0-1)."

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Look for every fact of ``item.facts`` in ``item.prediction``.

        Raises:
            ValueError: For a malformed fact (no matcher) or an unsupported language.
        """
        language = item.sample.language if item.sample else "de"
        found: list[dict[str, Any]] = []
        missed: list[dict[str, Any]] = []
        found_weight = total_weight = 0.0
        for fact in item.facts:
            fact_id = str(fact.get("id", "?"))
            matcher = fact.get("matcher")
            if not isinstance(matcher, Mapping):
                raise ValueError(f"key_facts: fact {fact_id!r}: matcher: missing or not a mapping")
            weight = float(fact.get("weight", 1))
            label = str(fact.get("label") or fact_id)
            total_weight += weight
            match = match_fact(matcher, item.prediction, language)
            if match is None:
                missed.append({"id": fact_id, "label": label, "weight": weight})
                continue
            found_weight += weight
            found.append(
                {
                    "id": fact_id,
                    "label": label,
                    "weight": weight,
                    "span": [match.start, match.end],
                    "text": match.text,
                }
            )
        total = len(found) + len(missed)
        values: dict[str, float] = {"found": float(len(found)), "total": float(total)}
        if total:
            values["recall"] = found_weight / total_weight if total_weight else 0.0
            values["recall_unweighted"] = len(found) / total
        return MetricResult(values, {"found": found, "missed": missed})

    def signature(self) -> str:
        return (
            "key_facts|matchers-v2|weighted"
            f"|de:{stemmer_signature('de')}|en:{stemmer_signature('en')}"
        )


def report_lines(details: Mapping[str, Any], max_missed: int = 10) -> list[str]:
    """Human-readable lines for a report: the missed facts, heaviest first.

    Args:
        details: One sample's ``key_facts`` details.
        max_missed: Name at most this many missed facts, then say how many more.

    Returns:
        ``["missed: Säule 3 (Koordination), Vier Säulen"]``, or ``[]`` when nothing is missed.

    Example:
        >>> report_lines({"found": [], "missed": [
        ...     {"id": "a", "label": "A", "weight": 1}, {"id": "b", "label": "B", "weight": 3},
        ...     {"id": "c", "label": "C", "weight": 2}]}, max_missed=2)
        ['missed: B, C (+1 more)']
    """
    missed = sorted(details.get("missed", ()), key=lambda f: -float(f.get("weight", 1)))
    if not missed:
        return []
    names = ", ".join(str(f["label"]) for f in missed[:max_missed])
    more = len(missed) - max_missed
    return [f"missed: {names}" + (f" (+{more} more)" if more > 0 else "")]
