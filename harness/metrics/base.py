"""The metric interface: local ``evaluate`` modules that also score one sample at a time.

Every metric is an :class:`evaluate.Metric` subclass living in this package, so
``harness.metrics.load("rouge").compute(predictions=..., references=...)``
works offline like any evaluate module. The pipeline calls
:meth:`HarnessMetric.score_one` directly (no Arrow round trip per sample) and
:meth:`HarnessMetric.aggregate` once per runner and task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from harness.types import Sample, Task


@dataclass(frozen=True)
class MetricResult:
    """Per-sample metric values (``key -> number``) and explanations."""

    values: Mapping[str, float]
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoringInput:
    """Everything a metric may look at for one sample.

    Lexical metrics need ``prediction`` and ``references`` only; grounded
    metrics also read the ``sample`` (answerable flag, category) and the
    ``source`` document, and ``facts`` (the gold key facts of the document).
    ``error`` is set when the runner failed on this sample.
    """

    prediction: str
    references: Sequence[str]
    sample: Sample | None = None
    source: str = ""
    facts: Sequence[Mapping[str, Any]] = ()
    error: str | None = None  # the runner failed: the empty prediction is no abstention


class HarnessMetric:
    """Base class of every harness metric (plain Python: no evaluate, no torch).

    Subclasses set the class attributes and implement :meth:`score_one`;
    options come as keyword arguments and are recorded in :meth:`signature`.
    :func:`as_evaluate_module` wraps an instance as an ``evaluate`` module.
    """

    metric_name: ClassVar[str] = ""
    tasks: ClassVar[tuple[Task, ...]] = ("qa", "summary")
    keys: tuple[str, ...] = ()
    higher_is_better: ClassVar[Mapping[str, bool]] = {}
    description: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    # True when the corpus-level value is not the mean of per-sample values (chrF).
    corpus_level: bool = False

    def __init__(self, **options: Any) -> None:
        self.options: dict[str, Any] = dict(options)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Score one prediction."""
        raise NotImplementedError

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """Corpus-level values; the default is the mean of each key.

        Metrics whose corpus score is not a mean (chrF) override this.
        """
        out: dict[str, float] = {}
        for key in self.keys:
            vals = [row[key] for row in per_sample if key in row]
            if vals:
                out[key] = sum(vals) / len(vals)
        return out

    def signature(self) -> str:
        """A string naming everything that determines the numbers."""
        opts = ",".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.metric_name}|{opts}" if opts else self.metric_name

    def is_higher_better(self, key: str) -> bool:
        return self.higher_is_better.get(key, True)

    def compute(
        self, predictions: Sequence[str], references: Sequence[Sequence[str]]
    ) -> dict[str, Any]:
        """Aggregate scores of ``predictions`` against lists of references, plus the signature."""
        items = [
            ScoringInput(prediction=p, references=list(r))
            for p, r in zip(predictions, references, strict=True)
        ]
        rows = [dict(self.score_one(item).values) for item in items]
        result: dict[str, Any] = dict(self.aggregate(rows, items))
        result["signature"] = self.signature()
        return result


def as_evaluate_module(metric: HarnessMetric) -> Any:
    """Wrap ``metric`` as an :class:`evaluate.EvaluationModule` (imports evaluate lazily).

    The module's ``compute(predictions=..., references=...)`` goes through
    evaluate's Arrow buffer like any hub module; ``module.harness_metric`` is
    the wrapped metric.
    """
    import datasets
    import evaluate

    class _Module(evaluate.Metric):  # type: ignore[misc]
        def _info(self) -> evaluate.MetricInfo:
            return evaluate.MetricInfo(
                description=metric.description,
                citation=metric.citation,
                inputs_description="predictions: list of str; references: list of list of str",
                features=datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Sequence(datasets.Value("string")),
                    }
                ),
                module_type="metric",
            )

        def _compute(
            self, predictions: Sequence[str], references: Sequence[Sequence[str]]
        ) -> dict[str, Any]:
            return metric.compute(predictions, references)

    _Module.__name__ = _Module.__qualname__ = "".join(
        part.capitalize() for part in metric.metric_name.split("_")
    )
    module = _Module(keep_in_memory=True)
    module.harness_metric = metric
    return module
