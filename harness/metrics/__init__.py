"""Metrics as local evaluate modules, loadable by name offline.

Example:
    >>> from harness import metrics
    >>> m = metrics.load("squad_v2")
    >>> m.compute(predictions=["Keo Chhea"], references=[["Keo Chhea"]])["exact"]
    100.0
"""

from __future__ import annotations

from typing import Any

from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput, as_evaluate_module
from harness.registry import Registry

METRICS: Registry[type[HarnessMetric]] = Registry("metric", entry_point_group="harness.metrics")

_BUILTIN_MODULES = (
    "answer_equivalence", "squad_v2", "qa_de", "rouge", "chrf", "bertscore", "judge",
    "key_facts", "hallucination", "abstention", "faithful_coverage",
)  # fmt: skip


def _load_builtins() -> None:
    import importlib

    for mod in _BUILTIN_MODULES:
        importlib.import_module(f"harness.metrics.{mod}")


def create(name: str, **options: Any) -> HarnessMetric:
    """Instantiate the metric registered as ``name`` (plain Python; what the pipeline uses)."""
    _load_builtins()
    try:
        return METRICS.get(name)(**options)
    except TypeError as exc:
        raise ValueError(f"metric {name!r}: bad options: {exc}") from exc


def load(name: str, **options: Any) -> Any:
    """The metric registered as ``name`` as an ``evaluate.EvaluationModule``, offline."""
    return as_evaluate_module(create(name, **options))


def names() -> list[str]:
    _load_builtins()
    return METRICS.names()


__all__ = [
    "METRICS",
    "HarnessMetric",
    "MetricResult",
    "ScoringInput",
    "as_evaluate_module",
    "create",
    "load",
    "names",
]
