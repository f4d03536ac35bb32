"""``harness export RUN --format lm-eval``: a run in lm-evaluation-harness's results layout.

lm-evaluation-harness (0.4) writes, per model, ``<out>/<model>/results_<date>.json``
and ``samples_<task>_<date>.jsonl``; dashboards, leaderboards and
``lm_eval.utils.make_table`` read those. Here each runner is a model and each
task a task named ``harness_qa`` / ``harness_summary``:

* ``results[task]``: ``"<metric>.<key>,none"`` the mean over the samples and
  ``"<metric>.<key>_stderr,none"`` its standard error (lm-eval's
  ``mean_stderr``: sample standard deviation / sqrt(n); ``"N/A"`` below two
  samples); corpus-level values (chrF) as ``"<metric>.<key>_corpus,none"``
  with stderr ``"N/A"``;
* ``configs[task]`` (gold hashes, prompt template hashes, few-shot, generation
  settings, metric list and signatures), ``versions``, ``n-shot``,
  ``higher_is_better``, ``n-samples`` (``original``: the task's samples,
  ``effective``: those scored);
* ``config`` (model type, ``model_args`` with secrets redacted, seeds, bootstrap),
  ``git_hash``, ``date`` (Unix seconds), ``model_name``,
  ``total_evaluation_time_seconds``, ``harness_version`` and the library versions.

Values keep each metric's own scale (``qa_de`` 0–100, ``rouge`` 0–1).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.report.load import RunData, higher_is_better
from harness.results import atomic_write_json, atomic_write_text, dump_jsonl, redact

__all__ = ["export_lm_eval", "lm_eval_results", "mean_stderr", "task_name"]


def task_name(task: str) -> str:
    """The lm-eval task name of a harness task: ``harness_qa``, ``harness_summary``."""
    return f"harness_{task}"


def mean_stderr(values: Sequence[float]) -> float | str:
    """lm-eval's ``mean_stderr``: sample standard deviation / sqrt(n); ``"N/A"`` for n < 2.

    >>> round(mean_stderr([0.0, 1.0, 1.0, 0.0]), 6)
    0.288675
    >>> mean_stderr([1.0])
    'N/A'
    """
    n = len(values)
    if n < 2:
        return "N/A"
    mu = sum(values) / n
    return math.sqrt(sum((v - mu) ** 2 for v in values) / (n - 1)) / math.sqrt(n)


def _sanitized(name: str) -> str:
    """lm-eval's ``model_name_sanitized``: path separators and odd characters to ``__``."""
    return re.sub(r"[\"<>:/|\\?*\[\]]+", "__", name)


def _date_id(created: str) -> tuple[str, float]:
    """``2026-11-30T00-07-37`` (lm-eval's file stamp) and Unix seconds of the run's start."""
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        when = datetime.fromtimestamp(0).astimezone()
    return when.strftime("%Y-%m-%dT%H-%M-%S"), when.timestamp()


def _sha(value: Any) -> str:
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def _runner_spec(run: RunData, runner: str) -> Mapping[str, Any]:
    for spec in run.config.get("runners") or []:
        if isinstance(spec, Mapping) and spec.get("name") == runner:
            return spec
    return {}


def lm_eval_results(run: RunData, runner: str) -> dict[str, Any]:
    """The ``results_<date>.json`` object of one runner (see the module docstring).

    Raises:
        KeyError: If ``runner`` is not a runner of the run.
    """
    if runner not in run.results:
        raise KeyError(f"{run.path}: no runner {runner!r} (runners: {', '.join(run.runners)})")
    info = (run.manifest.get("runners") or {}).get(runner) or {}
    spec = _runner_spec(run, runner)
    signatures: Mapping[str, str] = run.summary.get("signatures") or {}
    few_shot = int(spec.get("few_shot") or info.get("few_shot") or 0)
    _, date = _date_id(str(run.manifest.get("created", "")))
    out: dict[str, Any] = {
        "results": {},
        "group_subtasks": {},
        "configs": {},
        "versions": {},
        "n-shot": {},
        "higher_is_better": {},
        "n-samples": {},
    }
    for task, res in sorted(run.results[runner].items()):
        name = task_name(task)
        scores = run.task_scores(runner, task)
        entry: dict[str, Any] = {"alias": name}
        keys = sorted(res.get("metrics", {}))
        for key in keys:
            values = [s.values[key] for s in scores.values() if key in s.values]
            entry[f"{key},none"] = res["metrics"][key]["value"]
            entry[f"{key}_stderr,none"] = mean_stderr(values)
        for key, value in sorted((res.get("corpus") or {}).items()):
            entry[f"{key}_corpus,none"] = value
            entry[f"{key}_corpus_stderr,none"] = "N/A"
        out["results"][name] = entry
        metric_names = sorted({k.split(".", 1)[0] for k in keys})
        out["configs"][name] = {
            "task": name,
            "dataset_path": ", ".join(sorted((run.manifest.get("gold") or {}).keys())),
            "dataset_kwargs": {"gold": run.manifest.get("gold") or {}},
            "output_type": "generate_until",
            "num_fewshot": few_shot,
            "generation_kwargs": dict(spec.get("generation") or {}),
            "metric_list": [
                {"metric": k, "aggregation": "mean", "higher_is_better": higher_is_better(k)}
                for k in keys
            ],
            "metadata": {
                "version": run.manifest.get("versions", {}).get("harness", "unknown"),
                "prompt_templates": info.get("prompt_templates") or {},
                "signatures": {m: signatures[m] for m in metric_names if m in signatures},
            },
        }
        out["versions"][name] = run.manifest.get("versions", {}).get("harness", "unknown")
        out["n-shot"][name] = few_shot
        out["higher_is_better"][name] = {k: higher_is_better(k) for k in keys}
        original = sum(1 for s in run.samples.values() if s.task == task)
        out["n-samples"][name] = {"original": original, "effective": int(res.get("n", 0))}
    options = redact(dict(info.get("options") or spec.get("options") or {}))
    bootstrap = run.manifest.get("bootstrap") or {}
    generation = spec.get("generation") or {}
    out["config"] = {
        "model": info.get("type") or spec.get("type") or "unknown",
        "model_args": ",".join(f"{k}={v}" for k, v in options.items()),
        "model_num_parameters": None,
        "batch_size": options.get("batch_size"),
        "batch_sizes": [],
        "device": options.get("device"),
        "use_cache": (run.config.get("cache") or {}).get("path"),
        "limit": run.config.get("limit"),
        "bootstrap_iters": bootstrap.get("resamples"),
        "gen_kwargs": generation or None,
        "random_seed": generation.get("seed", 0),
        "numpy_seed": bootstrap.get("seed", 0),
        "torch_seed": generation.get("seed", 0),
        "fewshot_seed": 0,
    }
    commit = run.manifest.get("git_commit")
    out["git_hash"] = str(commit)[:7] if commit else None
    out["date"] = date
    versions = run.manifest.get("versions") or {}
    out["transformers_version"] = versions.get("transformers")
    out["harness_version"] = versions.get("harness")
    out["versions_of_libraries"] = dict(versions)
    out["model_name"] = runner
    out["model_name_sanitized"] = _sanitized(runner)
    out["fingerprint"] = info.get("fingerprint")
    seconds = info.get("seconds_total")
    out["total_evaluation_time_seconds"] = str(seconds) if seconds is not None else None
    return out


def _sample_lines(run: RunData, runner: str, task: str) -> list[dict[str, Any]]:
    """lm-eval's per-sample log lines of one runner and task (``samples_<task>_<date>.jsonl``)."""
    lines = []
    scores = run.task_scores(runner, task)
    for doc_id, (sid, score) in enumerate(sorted(scores.items())):
        sample = run.samples[sid]
        gen = run.generations.get((runner, sid))
        doc = {
            "id": sid,
            "document": sample.doc_id,
            "input": sample.input,
            "references": list(sample.references),
            "language": sample.language,
            "category": sample.category,
            "answerable": sample.answerable,
        }
        target = sample.references[0] if sample.references else ""
        line: dict[str, Any] = {
            "doc_id": doc_id,
            "doc": doc,
            "target": target,
            "arguments": {"gen_args_0": {"arg_0": sample.input}},
            "resps": [[gen.raw if gen else ""]],
            "filtered_resps": [gen.text if gen else ""],
            "filter": "none",
            "metrics": sorted(score.values),
            "doc_hash": _sha(doc),
            "prompt_hash": _sha(sample.input),
            "target_hash": _sha(target),
        }
        if gen is not None and gen.failed:
            line["failure"] = gen.failed
        line.update(score.values)
        lines.append(line)
    return lines


def export_lm_eval(run: RunData, out_dir: Path, samples: bool = True) -> list[Path]:
    """Write every runner's results (and per-sample logs) in lm-eval's layout; returns the files.

    Args:
        run: A loaded run (:func:`harness.report.load.load_run`).
        out_dir: The output folder; each runner gets ``out_dir/<runner>/``.
        samples: Also write ``samples_<task>_<date>.jsonl`` per task.

    Raises:
        OSError: If a file cannot be written.
    """
    stamp, _ = _date_id(str(run.manifest.get("created", "")))
    written: list[Path] = []
    for runner in run.runners:
        if runner not in run.results:
            continue
        folder = out_dir / _sanitized(runner)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"results_{stamp}.json"
        atomic_write_json(path, lm_eval_results(run, runner))
        written.append(path)
        if samples:
            for task in sorted(run.results[runner]):
                lines = _sample_lines(run, runner, task)
                sample_path = folder / f"samples_{task_name(task)}_{stamp}.jsonl"
                atomic_write_text(sample_path, dump_jsonl(lines))
                written.append(sample_path)
    return written
