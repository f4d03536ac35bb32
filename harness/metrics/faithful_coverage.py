"""Faithful coverage: the headline summary score, key-fact recall with penalties for wrong claims.

A summary is good when it states the document's key facts and states nothing
false. ``faithful_coverage`` combines the ``key_facts`` judgements
(:func:`harness.metrics.key_facts.assess_facts`) with the ``hallucination``
checks (:func:`harness.metrics.hallucination.unsupported_mentions`,
:func:`harness.text.names.new_names`) in one number on a **0-1** scale
(higher is better)::

    faithful_coverage = clip01( (F - c * C) / W  -  u * U  -  n * N )

* ``W``: total weight of the document's key facts; ``F``: weight of the
  facts found; ``C``: weight of the facts contradicted (another date, year
  range, count or person in the fact's slot);
* ``U``: dates, years and numbers of the summary that the article does not
  support (each date as a whole); ``N``: names the article, the references
  and the key facts never mention (a heuristic, hence the smaller penalty);
* defaults ``c = 1`` (a contradicted fact costs its weight once more than a
  missed one: the rubric weighs a wrong fact more than a missing one),
  ``u = 0.1`` (an invented date or number costs as much as missing a tenth
  of the facts' weight) and ``n = 0.05``.

A wrong date is thus both a contradicted fact and an unsupported date: the
first says the summary got a key fact wrong, the second that it asserts
something the article does not. ``coverage`` (= ``F / W``) is the plain
weighted recall, kept next to the score.

Values per sample: ``score``, ``coverage``, ``contradicted`` (weight share
``C / W``), ``unsupported`` (``U``) and ``unsupported_names`` (``N``).
Details: the ``key_facts`` lists (``found``, ``contradicted``, ``missed``)
plus ``unsupported`` and ``names`` with spans into the summary, and the
``penalty`` terms. A document without key facts gets no value (undefined,
not 0); an empty source is an error.

Example:
    >>> facts = [
    ...     {"id": "session-dates", "label": "Datum 24.–25. November", "weight": 2,
    ...      "matcher": {"type": "date", "start": "--11-24", "end": "--11-25"}},
    ...     {"id": "four-pillars", "label": "Vier Säulen", "weight": 2,
    ...      "matcher": {"type": "number", "value": 4, "near": ["Säulen", "Pfeiler"]}},
    ... ]
    >>> src = "Die Sitzung fand vom 24. bis 25. November statt. Der Plan hat vier Säulen."
    >>> m = FaithfulCoverage()
    >>> good = m.score_one(ScoringInput("Am 24. und 25. November: vier Pfeiler.", [],
    ...                                 source=src, facts=facts))
    >>> good.values["score"]
    1.0
    >>> bad = m.score_one(ScoringInput("Am 17. und 18. November: vier Säulen.", [],
    ...                                source=src, facts=facts))
    >>> round(bad.values["coverage"], 3), round(bad.values["score"], 3)
    (0.5, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.metrics.hallucination import Hallucination
from harness.metrics.key_facts import KeyFacts, assess_facts

__all__ = ["FaithfulCoverage", "report_lines"]


@METRICS.register("faithful_coverage")
class FaithfulCoverage(HarnessMetric):
    """Key-fact recall minus penalties for contradicted facts and unsupported claims (0-1).

    Args:
        contradiction_weight: ``c``: how many times its weight a contradicted fact
            costs on top of not being found (>= 0).
        unsupported_penalty: ``u``: what each unsupported date, year or number costs
            (0-1, on the score's scale).
        name_penalty: ``n``: what each name unknown to the article costs (0-1).
        names: Run the name check at all (``False``: ``N`` is 0 and not reported).
        known_names: Extra names that count as known (as for ``hallucination``).

    Raises:
        ValueError: For a negative weight or penalty.
    """

    metric_name = "faithful_coverage"
    tasks = ("summary",)
    keys = ("score", "coverage", "contradicted", "unsupported", "unsupported_names")
    higher_is_better: ClassVar[dict[str, bool]] = {
        "score": True,
        "coverage": True,
        "contradicted": False,
        "unsupported": False,
        "unsupported_names": False,
    }
    description = (
        "Weighted key-fact recall minus penalties for contradicted facts and for dates, "
        "numbers and names the article does not support (0-1)."
    )

    def __init__(
        self,
        contradiction_weight: float = 1.0,
        unsupported_penalty: float = 0.1,
        name_penalty: float = 0.05,
        names: bool = True,
        known_names: Sequence[str] = (),
    ) -> None:
        for name, value in (
            ("contradiction_weight", contradiction_weight),
            ("unsupported_penalty", unsupported_penalty),
            ("name_penalty", name_penalty),
        ):
            if float(value) < 0:
                raise ValueError(f"faithful_coverage: {name} must be >= 0, got {value}")
        super().__init__(
            contradiction_weight=contradiction_weight,
            unsupported_penalty=unsupported_penalty,
            name_penalty=name_penalty,
            names=names,
            known_names=list(known_names),
        )
        self.c = float(contradiction_weight)
        self.u = float(unsupported_penalty)
        self.n = float(name_penalty)
        self.names = bool(names)
        self._facts = KeyFacts()
        self._hallucination = Hallucination(names=names, known_names=known_names)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Score one summary against its document's key facts and article.

        Raises:
            ValueError: If ``item.source`` is empty, or for a malformed fact.
        """
        halluc = self._hallucination.score_one(item)  # raises on an empty source
        language = item.sample.language if item.sample else "de"
        facts = assess_facts(
            item.facts, item.prediction, language, self._facts.grounding(item.source)
        )
        details: dict[str, Any] = facts.details()
        details["unsupported"] = list(halluc.details.get("unsupported", []))
        details["names"] = list(halluc.details.get("names", []))
        if not facts.total or not facts.total_weight:
            return MetricResult({}, details)
        w = facts.total_weight
        unsupported = float(halluc.values["unsupported"])
        new_names = float(halluc.values.get("unsupported_names", 0.0))
        penalty = {
            "contradicted": self.c * facts.contradicted_weight / w,
            "unsupported": self.u * unsupported,
            "names": self.n * new_names,
        }
        coverage = facts.found_weight / w
        score = min(1.0, max(0.0, coverage - sum(penalty.values())))
        details["penalty"] = penalty
        values = {
            "score": score,
            "coverage": coverage,
            "contradicted": facts.contradicted_weight / w,
            "unsupported": unsupported,
        }
        if self.names:
            values["unsupported_names"] = new_names
        return MetricResult(values, details)

    def signature(self) -> str:
        return (
            f"faithful_coverage|v1|c={self.c:g},u={self.u:g},n={self.n:g}"
            f"|{self._facts.signature()}|{self._hallucination.signature()}"
        )


def report_lines(details: Mapping[str, Any]) -> list[str]:
    """Human-readable lines for a report: contradicted and missed facts, unsupported claims.

    Example:
        >>> report_lines({"contradicted": [{"label": "Datum", "weight": 2, "text": "17. Mai"}],
        ...               "missed": [], "unsupported": [{"text": "17. Mai", "kind": "date"}]})
        ["contradicted: Datum — '17. Mai'", "unsupported date: '17. Mai'"]
    """
    from harness.metrics.hallucination import report_lines as hallucination_lines
    from harness.metrics.key_facts import report_lines as fact_lines

    return fact_lines(details) + hallucination_lines(details)
