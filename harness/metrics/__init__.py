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
    "answer_equivalence", "squad_v2", "squad", "qa_de", "rouge", "chrf", "bertscore", "judge",
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
    """The metric registered as ``name`` as an ``evaluate.EvaluationModule``, offline.

    A drop-in for ``evaluate.load(name)``: ``rouge``, ``chrf``, ``squad_v2``,
    ``squad`` and ``bertscore`` take ``evaluate``'s arguments and input forms
    and return its result keys (numbers only; the signature is
    ``module.signature``). Options the harness defaults differently from
    ``evaluate`` take ``evaluate``'s default here unless given
    (:attr:`HarnessMetric.evaluate_defaults`: ``rouge`` does not stem unless
    ``use_stemmer=True``); ``options`` are the metric's own (``language``,
    ``tokenizer``, ...).

    Raises:
        UnknownNameError: If no metric is registered as ``name``.
        ValueError: If an option is unknown or invalid.
    """
    _load_builtins()
    defaults = dict(METRICS.get(name).evaluate_defaults)
    return as_evaluate_module(create(name, **{**defaults, **options}))


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
