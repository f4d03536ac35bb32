"""harness: an evaluation harness for document-grounded summarisation and QA.

The public API. Importing it is cheap: no torch, no transformers.

Example:
    >>> import harness
    >>> "oracle" in harness.runner_names()
    True
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def runner_names() -> list[str]:
    """Registered runner types (built-ins and plugins)."""
    from harness.runners.base import RUNNERS, load_builtins

    load_builtins()
    return RUNNERS.names()


def metric_names() -> list[str]:
    """Registered metric names (built-ins and plugins)."""
    from harness import metrics

    return metrics.names()


def load_metric(name: str, **options: Any) -> Any:
    """An ``evaluate.EvaluationModule`` for a registered metric, offline."""
    from harness import metrics

    return metrics.load(name, **options)


def load_gold(path: str) -> Any:
    """Load the gold documents under ``path``."""
    from harness.gold.load import load_gold as _load

    return _load(path)


def load_run(path: str) -> Any:
    """A finished run folder as a :class:`harness.report.load.RunData` (its ``RunResult``).

    ``load_run("results/<run-id>").to_pandas()`` is the per-sample scores table
    (one row per runner and sample; the columns of ``scores.parquet``).

    Raises:
        RunLoadError: If the folder is not a finished run or a file in it is malformed.
    """
    from harness.report.load import load_run as _load

    return _load(path)


def run(config_path: str, output_dir: str | None = None, use_cache: bool = True) -> Any:
    """Run the evaluation described by a YAML config; returns the run directory."""
    from pathlib import Path

    from harness.config import load_config
    from harness.pipeline import run as _run

    cfg, base = load_config(config_path)
    return _run(cfg, base, Path(output_dir) if output_dir else None, use_cache=use_cache)


__all__ = [
    "__version__",
    "load_gold",
    "load_metric",
    "load_run",
    "metric_names",
    "run",
    "runner_names",
]
