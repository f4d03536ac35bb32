"""``run(config) -> run directory``: gold -> samples -> requests -> generations -> scores -> report.

Each stage is a plain function over frozen values, so any of them can be
re-run from what the previous one wrote (``score_predictions`` scores
predictions made elsewhere; ``harness report`` rebuilds reports).
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from harness import __version__
from harness.config import RunConfig, metric_entries, resolve
from harness.gold.load import GoldDocument, build_samples, load_gold
from harness.metrics import HarnessMetric, ScoringInput
from harness.metrics import create as create_metric
from harness.prompts import build_request, few_shot_pool
from harness.results import JsonlAppender, RunDir, new_run_id, redact
from harness.runners.base import Runner, create_runner
from harness.runners.cache import CachedRunner, GenerationCache, default_cache_path
from harness.stats import bootstrap_mean
from harness.types import Generation, GenerationParams, Request, Sample, Score

Progress = Callable[[str], None]
BATCH = 16  # requests handed to a runner at once; results are written after each batch


def _quiet(_: str) -> None:
    pass


@dataclass
class Context:
    """What a run works on: the gold, its samples and the metrics per task."""

    docs: dict[str, GoldDocument]
    samples: list[Sample]
    metrics: dict[str, list[HarnessMetric]] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict[str, Sample]:
        return {s.id: s for s in self.samples}


def prepare(cfg: RunConfig, base: Path) -> Context:
    docs = load_gold([resolve(base, g) for g in cfg.gold])
    samples = build_samples(docs, cfg.tasks, cfg.languages)
    if cfg.limit is not None:
        samples = samples[: cfg.limit]
    metrics = {
        task: [create_metric(m.name, **m.options) for m in metric_entries(entries)]
        for task, entries in (("qa", cfg.metrics.qa), ("summary", cfg.metrics.summary))
    }
    for task, ms in metrics.items():
        for m in ms:
            if task not in m.tasks:
                raise ValueError(f"metric {m.metric_name!r} does not apply to task {task!r}")
    return Context({d.id: d for d in docs}, samples, metrics)


# -- scoring ---------------------------------------------------------------


def scoring_input(sample: Sample, doc: GoldDocument | None, prediction: str) -> ScoringInput:
    return ScoringInput(
        prediction=prediction,
        references=list(sample.references),
        sample=sample,
        source=doc.article if doc else "",
        facts=[f.model_dump() for f in doc.facts] if doc else (),
    )


def score_generation(ctx: Context, gen: Generation) -> Score:
    sample = ctx.by_id[gen.sample_id]
    item = scoring_input(sample, ctx.docs.get(sample.doc_id), gen.text)
    values: dict[str, float] = {}
    details: dict[str, Any] = {}
    for metric in ctx.metrics.get(sample.task, []):
        result = metric.score_one(item)
        for k, v in result.values.items():
            values[f"{metric.metric_name}.{k}"] = float(v)
        if result.details:
            details[metric.metric_name] = dict(result.details)
    if gen.error:
        details["error"] = gen.error
    return Score(gen.sample_id, gen.runner, values, details)


def aggregate(
    ctx: Context,
    scores: Sequence[Score],
    generations: Sequence[Generation],
    cfg: RunConfig,
) -> dict[str, Any]:
    """Per runner and task: every metric key with a bootstrap CI, per category and subset."""
    boot = cfg.bootstrap
    by_id = ctx.by_id
    gens = {(g.runner, g.sample_id): g for g in generations}
    grouped: dict[tuple[str, str], list[Score]] = defaultdict(list)
    for s in scores:
        grouped[(s.runner, by_id[s.sample_id].task)].append(s)
    out: dict[str, Any] = {}
    for (runner, task), rows in sorted(grouped.items()):
        rows = sorted(rows, key=lambda s: s.sample_id)
        keys = sorted({k for r in rows for k in r.values})

        def estimates(subset: list[Score], keys: list[str] = keys) -> dict[str, Any]:
            return {
                k: bootstrap_mean(
                    [r.values[k] for r in subset if k in r.values],
                    boot.resamples,
                    boot.confidence,
                    boot.seed,
                ).to_dict()
                for k in keys
            }

        categories: dict[str, list[Score]] = defaultdict(list)
        subsets: dict[str, list[Score]] = defaultdict(list)
        for r in rows:
            sample = by_id[r.sample_id]
            categories[sample.category].append(r)
            if task == "qa":
                subsets["answerable" if sample.answerable else "unanswerable"].append(r)
        corpus: dict[str, float] = {}
        for metric in ctx.metrics.get(task, []):
            if not metric.corpus_level:
                continue  # the mean is already there, with its CI
            items = [
                scoring_input(
                    by_id[r.sample_id],
                    ctx.docs.get(by_id[r.sample_id].doc_id),
                    gens[(runner, r.sample_id)].text,
                )
                for r in rows
                if (runner, r.sample_id) in gens
            ]
            per = [
                {
                    k.split(".", 1)[1]: v
                    for k, v in r.values.items()
                    if k.startswith(metric.metric_name + ".")
                }
                for r in rows
            ]
            for k, v in metric.aggregate(per, items).items():
                corpus[f"{metric.metric_name}.{k}"] = v
        errors = sum(
            1 for r in rows if gens.get((runner, r.sample_id)) and gens[(runner, r.sample_id)].error
        )
        out.setdefault(runner, {})[task] = {
            "n": len(rows),
            "errors": errors,
            "metrics": estimates(rows),
            "corpus": corpus,
            "categories": {c: estimates(v) for c, v in sorted(categories.items())},
            "subsets": {c: estimates(v) for c, v in sorted(subsets.items())},
        }
    return out


# -- generation ------------------------------------------------------------


def build_requests(
    ctx: Context,
    spec_few_shot: int,
    params: GenerationParams | None,
    system: str,
    samples: Iterable[Sample],
) -> list[Request]:
    requests = []
    for s in samples:
        doc = ctx.docs[s.doc_id]
        shots = few_shot_pool(ctx.samples, s, spec_few_shot) if spec_few_shot else []
        requests.append(build_request(s, doc.article, params=params, few_shot=shots, system=system))
    return requests


def _params(cfg_gen: Any) -> GenerationParams | None:
    if cfg_gen.max_new_tokens is None and cfg_gen.stop is None and cfg_gen.temperature == 0:
        return None  # the template's own settings
    base = GenerationParams()
    return GenerationParams(
        max_new_tokens=cfg_gen.max_new_tokens or base.max_new_tokens,
        stop=tuple(cfg_gen.stop or ()),
        temperature=cfg_gen.temperature,
        top_p=cfg_gen.top_p,
        seed=cfg_gen.seed,
    )


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "harness": __version__}
    for pkg in (
        "datasets",
        "evaluate",
        "numpy",
        "sacrebleu",
        "rapidfuzz",
        "PyStemmer",
        "pydantic",
        "torch",
        "transformers",
        "gguf",
        "accelerate",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def _gold_manifest(ctx: Context) -> dict[str, Any]:
    import hashlib

    out = {}
    for doc_id, doc in ctx.docs.items():
        h = hashlib.sha256()
        for name in ("article.txt", "meta.json", "qa.jsonl", "summaries.jsonl", "facts.jsonl"):
            p = doc.path / name
            if p.is_file():
                h.update(name.encode() + b"\0" + p.read_bytes())
        out[doc_id] = {"path": str(doc.path), "sha256": h.hexdigest()}
    return out


class RunInterrupted(Exception):
    """Raised on Ctrl-C after everything computed so far is on disk."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(str(run_dir))
        self.run_dir = run_dir


def run(
    cfg: RunConfig,
    base: Path,
    output_dir: Path | None = None,
    run_id: str | None = None,
    use_cache: bool = True,
    resume: Path | None = None,
    progress: Progress = _quiet,
    runner_factory: Callable[[str, str, dict[str, Any]], Runner] = create_runner,
) -> Path:
    """Evaluate every configured runner; returns the run directory."""
    from harness.report.markdown import render_markdown

    t_start = time.perf_counter()
    ctx = prepare(cfg, base)
    if resume is not None:
        rd = RunDir(resume.resolve())
        if not rd.path.is_dir():
            raise FileNotFoundError(f"{resume}: no such run directory to resume")
    else:
        out_dir = output_dir or resolve(base, cfg.output_dir)
        rd = RunDir.create(out_dir, run_id or new_run_id(cfg.name))
    rd.write_text(
        "config.yaml",
        yaml.safe_dump(redact(cfg.model_dump(mode="json")), sort_keys=False, allow_unicode=True),
    )
    done_gen = {(g.runner, g.sample_id): g for g in rd.generations()}
    done_score = {(s.runner, s.sample_id) for s in rd.scores()}
    cache: GenerationCache | None = None
    if use_cache and cfg.cache.enabled:
        path = resolve(base, cfg.cache.path) if cfg.cache.path else default_cache_path()
        cache = GenerationCache(path)
    manifest: dict[str, Any] = {
        "run_id": rd.path.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "argv": [redact(a) for a in sys.argv],
        "versions": _versions(),
        "git_commit": _git_commit(),
        "gold": _gold_manifest(ctx),
        "bootstrap": cfg.bootstrap.model_dump(),
        "metrics": {m.metric_name: m.signature() for ms in ctx.metrics.values() for m in ms},
        "runners": {},
        "cpu_count": os.cpu_count(),
    }
    gen_out = JsonlAppender(rd.generations_path)
    score_out = JsonlAppender(rd.scores_path)
    try:
        for spec in cfg.runners:
            t0 = time.perf_counter()
            runner: Runner = runner_factory(spec.type, spec.name, dict(spec.options))
            cacheable = getattr(runner, "cacheable", True)
            wrapped: Runner = CachedRunner(runner, cache) if cache and cacheable else runner
            tasks = spec.tasks or cfg.tasks
            todo = [s for s in ctx.samples if s.task in tasks]
            requests = build_requests(
                ctx,
                spec.few_shot,
                _params(spec.generation),
                spec.system,
                [s for s in todo if (spec.name, s.id) not in done_gen],
            )
            templates = {
                r.template: r.template_hash
                for r in build_requests(
                    ctx,
                    spec.few_shot,
                    None,
                    spec.system,
                    {
                        (s.task, s.input if s.task == "summary" else "", s.language): s
                        for s in todo
                    }.values(),
                )
            }
            progress(
                f"[{spec.name}] {len(requests)} of {len(todo)} samples to generate"
                + (f" ({len(todo) - len(requests)} already done)" if resume else "")
            )
            gen_seconds = 0.0
            for i in range(0, len(requests), BATCH):
                batch = requests[i : i + BATCH]
                tb = time.perf_counter()
                gens = wrapped.generate(batch)
                gen_seconds += time.perf_counter() - tb
                if len(gens) != len(batch):
                    raise RuntimeError(
                        f"runner {spec.name!r} returned {len(gens)} generations "
                        f"for {len(batch)} requests"
                    )
                for g in gens:
                    g = Generation(**{**g.to_dict(), "runner": spec.name})
                    gen_out.write(g.to_dict())
                    done_gen[(spec.name, g.sample_id)] = g
                progress(f"[{spec.name}] generated {min(i + BATCH, len(requests))}/{len(requests)}")
            ts = time.perf_counter()
            for s in todo:
                key = (spec.name, s.id)
                if key in done_score:
                    continue
                score = score_generation(ctx, done_gen[key])
                score_out.write(score.to_dict())
                done_score.add(key)
            manifest["runners"][spec.name] = {
                "type": spec.type,
                "options": redact(dict(spec.options)),
                "fingerprint": wrapped.fingerprint(),
                "prompt_templates": templates,
                "few_shot": spec.few_shot,
                "seconds_total": round(time.perf_counter() - t0, 3),
                "seconds_generate": round(gen_seconds, 3),
                "seconds_score": round(time.perf_counter() - ts, 3),
                "cache": {
                    "hits": getattr(wrapped, "hits", 0),
                    "misses": getattr(wrapped, "misses", len(requests)),
                },
                "trust_remote_code": bool(spec.options.get("trust_remote_code", False)),
            }
            progress(f"[{spec.name}] done in {time.perf_counter() - t0:.1f}s")
    except KeyboardInterrupt:
        rd.write_json("manifest.json", {**manifest, "interrupted": True})
        raise RunInterrupted(rd.path) from None
    finally:
        gen_out.close()
        score_out.close()
        if cache:
            cache.close()
    generations = rd.generations()
    latest = {(g.runner, g.sample_id): g for g in generations}
    scores = {(s.runner, s.sample_id): s for s in rd.scores()}
    names = {r.name for r in cfg.runners}
    keep_s = [s for k, s in scores.items() if k[0] in names and k[1] in ctx.by_id]
    keep_g = [g for k, g in latest.items() if k[0] in names and k[1] in ctx.by_id]
    results = aggregate(ctx, keep_s, keep_g, cfg)
    # Signatures last: some (sacrebleu's) name what the corpus scores saw.
    manifest["metrics"] = {m.metric_name: m.signature() for ms in ctx.metrics.values() for m in ms}
    summary = {
        "run_id": rd.path.name,
        "runners": [r.name for r in cfg.runners],
        "results": results,
        "signatures": manifest["metrics"],
    }
    manifest["seconds_total"] = round(time.perf_counter() - t_start, 3)
    rd.write_json("manifest.json", manifest)
    rd.write_json("summary.json", summary)
    rd.write_text(
        "report.md",
        render_markdown(rd.path, ctx, keep_s, keep_g, summary, manifest, worst=cfg.report.worst),
    )
    return rd.path


def score_predictions(
    cfg: RunConfig,
    base: Path,
    predictions: Mapping[str, Mapping[str, str]],
    output_dir: Path,
    run_id: str | None = None,
) -> Path:
    """Score predictions made elsewhere: ``{runner: {sample_id: text}}``."""
    from harness.report.markdown import render_markdown

    ctx = prepare(cfg, base)
    known = ctx.by_id
    for runner, preds in predictions.items():
        unknown = sorted(set(preds) - set(known))
        if unknown:
            raise ValueError(
                f"predictions of {runner!r} name unknown sample ids: "
                f"{', '.join(unknown[:5])}" + (" ..." if len(unknown) > 5 else "")
            )
    rd = RunDir.create(output_dir, run_id or new_run_id(cfg.name + "-scored"))
    gens: list[Generation] = []
    scores: list[Score] = []
    with JsonlAppender(rd.generations_path) as g_out, JsonlAppender(rd.scores_path) as s_out:
        for runner, preds in predictions.items():
            for sid, text in preds.items():
                g = Generation(sid, runner, text, raw=text)
                s = score_generation(ctx, g)
                g_out.write(g.to_dict())
                s_out.write(s.to_dict())
                gens.append(g)
                scores.append(s)
    ctx.samples = [s for s in ctx.samples if any(s.id in p for p in predictions.values())]
    manifest = {
        "run_id": rd.path.name,
        "versions": _versions(),
        "git_commit": _git_commit(),
        "gold": _gold_manifest(ctx),
        "metrics": {m.metric_name: m.signature() for ms in ctx.metrics.values() for m in ms},
        "runners": {r: {"type": "predictions"} for r in predictions},
    }
    summary = {
        "run_id": rd.path.name,
        "runners": list(predictions),
        "results": aggregate(ctx, scores, gens, cfg),
        "signatures": manifest["metrics"],
    }
    rd.write_json("manifest.json", manifest)
    rd.write_json("summary.json", summary)
    rd.write_text(
        "report.md",
        render_markdown(rd.path, ctx, scores, gens, summary, manifest, worst=cfg.report.worst),
    )
    return rd.path
