"""``harness meta-eval``: load the gold and the metrics, run both meta-evaluations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.gold.load import load_gold
from harness.metaeval.qa import QAMetricAgreement, evaluate_qa, judged_answers
from harness.metaeval.summary import SummaryMetaEval, evaluate_summaries
from harness.metrics import create
from harness.metrics.base import HarnessMetric
from harness.stats import DEFAULT_RESAMPLES

__all__ = ["DEFAULT_QA_METRICS", "DEFAULT_SUMMARY_METRICS", "MetaEvalResult", "meta_eval"]

# The default run's metric sets (configs/default.yaml).
DEFAULT_QA_METRICS: tuple[str, ...] = ("answer_equivalence", "qa_de", "squad_v2")
DEFAULT_SUMMARY_METRICS: tuple[str, ...] = (
    "faithful_coverage", "rouge", "chrf", "key_facts", "hallucination",
)  # fmt: skip


@dataclass(frozen=True)
class MetaEvalResult:
    qa: list[QAMetricAgreement]
    summary: SummaryMetaEval | None


def _entries(entries: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for e in entries:
        if isinstance(e, str):
            out.append((e, {}))
        else:
            out.append((e.name, dict(e.options)))
    return out


def _metrics(
    specs: Sequence[tuple[str, dict[str, Any]]], only: Sequence[str] | None, task: str
) -> list[HarnessMetric]:
    if only:
        known = {name: opts for name, opts in specs}
        specs = [(name, known.get(name, {})) for name in only]
    out = []
    for name, opts in specs:
        metric = create(name, **opts)
        if task in metric.tasks:
            out.append(metric)
    return out


def meta_eval(
    gold: Sequence[Path | str] = (),
    config: Path | str | None = None,
    metrics: Sequence[str] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> MetaEvalResult:
    """Agreement of each metric with the human judgements under ``gold``.

    Args:
        gold: Gold folders (default: the config's, else ``gold/``).
        config: A run config whose ``metrics`` (with their options, a ``judge``'s
            runner included) are meta-evaluated instead of the defaults.
        metrics: Only these metric names.
        resamples: Bootstrap resamples for the confidence intervals.
        seed: Bootstrap seed (same seed, same intervals).

    Raises:
        harness.gold.load.GoldError: Unreadable gold or judgement files.
        ValueError: An unknown metric or bad metric options.
    """
    qa_specs: list[tuple[str, dict[str, Any]]] = [(m, {}) for m in DEFAULT_QA_METRICS]
    summary_specs: list[tuple[str, dict[str, Any]]] = [(m, {}) for m in DEFAULT_SUMMARY_METRICS]
    paths: list[Path] = [Path(g) for g in gold]
    if config is not None:
        from harness.config import load_config, resolve

        cfg, base = load_config(config)
        qa_specs = _entries(cfg.metrics.qa)
        summary_specs = _entries(cfg.metrics.summary)
        if not paths:
            paths = [resolve(base, g) for g in cfg.gold]
    if not paths:
        paths = [Path("gold")]
    docs = load_gold(paths)
    qa_metrics = _metrics(qa_specs, metrics, "qa")
    summary_metrics = _metrics(summary_specs, metrics, "summary")
    qa = evaluate_qa(judged_answers(docs), qa_metrics, resamples, seed) if qa_metrics else []
    summary = evaluate_summaries(docs, summary_metrics) if summary_metrics else None
    for m in (*qa_metrics, *summary_metrics):
        close = getattr(m, "close", None)
        if callable(close):
            close()
    return MetaEvalResult(qa, summary)
