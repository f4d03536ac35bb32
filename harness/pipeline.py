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
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from harness import __version__
from harness.config import MetricsSpec, RunConfig, metric_entries, resolve
from harness.gold.load import GoldDocument, build_samples, load_gold
from harness.metrics import HarnessMetric, ScoringInput
from harness.metrics import create as create_metric
from harness.progress import Progress as ProgressReporter
from harness.progress import as_progress
from harness.prompts import build_request, complete_answer, few_shot_pool
from harness.results import (
    JsonlAppender,
    RunDir,
    Scrubber,
    new_run_id,
    redact,
    secret_values,
    valid_text,
)
from harness.runners.base import (
    ReasoningTags,
    Runner,
    create_runner,
    finalize,
    parse_reasoning_tags,
)
from harness.runners.cache import CachedRunner, GenerationCache, default_cache_path, request_key
from harness.stats import bootstrap_mean
from harness.types import Generation, GenerationParams, Request, Sample, Score

# A plain line callback, or a reporter with steps (bars with ETA on a terminal): harness.progress.
Progress = Callable[[str], None] | ProgressReporter
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
    if cfg.datasets:  # SQuAD-style Hugging Face datasets, converted in memory
        from harness.gold.importers import add_dataset_docs

        docs = add_dataset_docs(docs, cfg.datasets, base)
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


def metric_signatures(ctx: Context) -> dict[str, str]:
    """``name -> signature``; ``task:name`` where one metric differs between tasks."""
    by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for task, ms in ctx.metrics.items():
        for m in ms:
            by_name[m.metric_name][task] = m.signature()
    out: dict[str, str] = {}
    for name, sigs in by_name.items():
        if len(set(sigs.values())) == 1:
            out[name] = next(iter(sigs.values()))
        else:
            out.update({f"{task}:{name}": sig for task, sig in sigs.items()})
    return out


def scoring_input(
    sample: Sample, doc: GoldDocument | None, prediction: str, error: str | None = None
) -> ScoringInput:
    """What the metrics see of one sample; with ``error`` the prediction is empty."""
    return ScoringInput(
        prediction="" if error else prediction,
        references=list(sample.references),
        sample=sample,
        source=doc.article if doc else "",
        facts=[f.model_dump() for f in doc.facts] if doc else (),
        error=error,
    )


def generation_input(ctx: Context, gen: Generation) -> ScoringInput:
    """The scoring input of ``gen``: a runner error or an output failure makes it a failure."""
    sample = ctx.by_id[gen.sample_id]
    return scoring_input(sample, ctx.docs.get(sample.doc_id), gen.text, gen.failed)


def score_generation(ctx: Context, gen: Generation) -> Score:
    """Every metric of the sample's task on ``gen``.

    A sample whose runner failed (``error``) or whose output is no answer
    (``failure``: empty and cut at the token limit, filtered, refused,
    reasoning not finished) is scored as a failure by every metric
    (:meth:`HarnessMetric.score_failure`: the worst value, never an
    abstention), and ``details["error"]`` says why.
    """
    item = generation_input(ctx, gen)
    sample = ctx.by_id[gen.sample_id]
    values: dict[str, float] = {}
    details: dict[str, Any] = {}
    for metric in ctx.metrics.get(sample.task, []):
        result = metric.score(item)
        for k, v in result.values.items():
            values[f"{metric.metric_name}.{k}"] = float(v)
        if result.details:
            details[metric.metric_name] = dict(result.details)
    if item.error:
        details["error"] = item.error
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
            prefix = metric.metric_name + "."
            scored = [r for r in rows if (runner, r.sample_id) in gens]
            items = [generation_input(ctx, gens[(runner, r.sample_id)]) for r in scored]
            per = [
                {k[len(prefix) :]: v for k, v in r.values.items() if k.startswith(prefix)}
                for r in scored
            ]
            for k, v in metric.aggregate(per, items).items():
                corpus[f"{metric.metric_name}.{k}"] = v
        mine = [gens[(runner, r.sample_id)] for r in rows if (runner, r.sample_id) in gens]
        out.setdefault(runner, {})[task] = {
            "n": len(rows),
            "errors": sum(1 for g in mine if g.error),
            # scored as failures: the errors plus outputs that are no answer (cut off empty,
            # filtered, refused, reasoning not finished)
            "failed": sum(1 for g in mine if g.failed),
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
    """Per document: where it came from and a sha256 of its content (files or dataset rows)."""
    import hashlib
    import json

    out = {}
    for doc_id, doc in ctx.docs.items():
        h = hashlib.sha256(doc.article.encode("utf-8"))
        for part in (doc.meta, *doc.qa, *doc.summaries, *doc.facts):
            h.update(b"\0" + json.dumps(part.model_dump(mode="json"), sort_keys=True).encode())
        out[doc_id] = {"path": str(doc.path), "sha256": h.hexdigest()}
    return out


def _needs_load(
    runner: Runner, wrapped: Runner, cache: GenerationCache | None, requests: Sequence[Request]
) -> bool:
    """Whether ``runner`` has a separate ``load()`` still to run for requests the cache lacks."""
    if not callable(getattr(runner, "load", None)) or getattr(runner, "loaded", True):
        return False
    if cache is None or wrapped is runner:
        return True
    fp = wrapped.fingerprint()
    keys = [request_key(fp, r) for r in requests]
    return len(cache.get_many(keys)) < len(keys)


class RunInterrupted(Exception):
    """Raised on Ctrl-C after everything computed so far is on disk."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(str(run_dir))
        self.run_dir = run_dir


class RunnerFailed(RuntimeError):
    """A runner raised instead of recording per-sample errors; what was written is kept."""

    def __init__(self, run_dir: Path, runner: str, error: BaseException) -> None:
        super().__init__(f"runner {runner!r} failed: {type(error).__name__}: {error}")
        self.run_dir = run_dir


class UnknownSampleIds(ValueError):
    """Predictions name sample ids the gold does not have; ``ids`` lists ``(runner, id)``."""

    def __init__(self, ids: Sequence[tuple[str, str]]) -> None:
        shown = ", ".join(f"{sid} (runner {runner!r})" for runner, sid in ids[:5])
        super().__init__(
            f"predictions name unknown sample ids: {shown}" + (" ..." if len(ids) > 5 else "")
        )
        self.ids = list(ids)


def check_runners(
    cfg: RunConfig, source: Path | None = None, unknown_types: bool = True
) -> None:
    """Fail before anything is written: an unknown runner type, or options it does not take.

    Only the constructor's signature is checked (nothing is loaded); a runner
    that takes ``**options`` accepts any. With ``source`` (the config file)
    the error names its file and line. ``unknown_types=False`` passes over
    types nobody registered (:func:`run` reports them, after the metrics).
    """
    import inspect

    from harness.config import ConfigError, config_line
    from harness.runners.base import RUNNERS, load_builtins

    load_builtins()
    for i, spec in enumerate(cfg.runners):
        if not unknown_types and spec.type not in RUNNERS.names():
            continue
        cls = RUNNERS.get(spec.type)  # unknown: UnknownNameError, with suggestions
        try:
            params = inspect.signature(cls).parameters
        except (TypeError, ValueError):  # pragma: no cover - a C type or a callable oddity
            continue
        problems: list[tuple[tuple[Any, ...], str]] = []
        try:
            parse_reasoning_tags(spec.options.get("reasoning_tags"))
        except ValueError as exc:
            problems.append((("runners", i, "options", "reasoning_tags"), str(exc)))
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            known = [n for n, p in params.items() if n != "name" and p.kind is not p.VAR_POSITIONAL]
            for key in spec.options:
                if key not in known and key not in PIPELINE_RUNNER_OPTIONS:
                    problems.append(
                        (
                            ("runners", i, "options", key),
                            f"runner type {spec.type!r} takes no option {key!r} "
                            f"(it takes: {', '.join(known) or 'none'})",
                        )
                    )
        for n, p in params.items():
            required = p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            if required and n != "name" and n not in spec.options:
                problems.append(
                    (("runners", i, "options"), f"runner type {spec.type!r} needs option {n!r}")
                )
        if problems:
            loc, message = problems[0]
            field = ".".join(str(x) for x in loc)
            line = config_line(source, loc) if source is not None else 0
            where = f"{source}:{line}: " if line else (f"{source}: " if source else "")
            raise ConfigError(f"{where}{field}: {message}")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else valid_text(str(value))


def _clean_generation(g: Generation, runner: str, scrub: Scrubber) -> Generation:
    """The runner's label, and text that a UTF-8 file can hold with no known secret in it.

    Whatever a model produced (bytes, lone surrogates, control characters, a
    key it was shown) is scored and written as this, so a resumed run reads
    back exactly what a clean run scored.
    """

    def optional(value: Any) -> str | None:
        return None if value is None else scrub.text(_as_text(value))

    return replace(
        g,
        runner=runner,
        text=scrub.text(_as_text(g.text)),
        raw=scrub.text(_as_text(g.raw)),
        error=optional(g.error),
        finish_reason=optional(g.finish_reason),
        refusal=optional(g.refusal),
        reasoning=optional(g.reasoning),
        failure=optional(g.failure),
    )


#: Runner options the pipeline itself reads, whatever the runner type.
PIPELINE_RUNNER_OPTIONS = frozenset({"reasoning_tags"})


def _takes_option(type_name: str, option: str) -> bool:
    """Whether the runner type's constructor has a parameter named ``option``."""
    import inspect

    from harness.runners.base import RUNNERS, load_builtins

    load_builtins()
    if type_name not in RUNNERS.names():
        return False
    try:
        return option in inspect.signature(RUNNERS.get(type_name)).parameters
    except (TypeError, ValueError):  # pragma: no cover - a C type or a callable oddity
        return False


def runner_options(
    type_name: str, options: Mapping[str, Any]
) -> tuple[dict[str, Any], ReasoningTags]:
    """The constructor options of a runner and the reasoning tags its outputs are cleaned with.

    ``reasoning_tags`` works for every runner type: the pipeline removes those
    blocks from every output (:func:`harness.runners.base.finalize`); it is
    passed on only to runner types that take it themselves (``hf``,
    ``openai``: they use it while generating).

    Raises:
        ValueError: If ``reasoning_tags`` is not a list of ``[open, close]`` pairs.
    """
    opts = dict(options)
    given = opts.pop("reasoning_tags", None)
    tags = parse_reasoning_tags(given)
    if given is not None and _takes_option(type_name, "reasoning_tags"):
        opts["reasoning_tags"] = given
    return opts, tags


def _config_record(cfg: RunConfig, scrub: Scrubber) -> Any:
    """The config as ``config.yaml`` records it: secrets redacted."""
    return scrub.value(redact(cfg.model_dump(mode="json")))


# Sections that only shape the summary and reports, which a resume recomputes in full.
_RESUME_MAY_CHANGE = frozenset({"bootstrap", "report", "cache", "output_dir"})


def _check_resumable(rd: RunDir, cfg: RunConfig, scrub: Scrubber) -> None:
    """Refuse a folder that is not a run, or a run started from a different config."""
    path = rd.path / "config.yaml"
    if not path.is_file():
        raise ValueError(f"{rd.path}: not a run directory (no config.yaml); nothing to resume")
    try:
        before = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: unreadable ({exc}); cannot resume this run") from None
    now = yaml.safe_load(yaml.safe_dump(_config_record(cfg, scrub), allow_unicode=True))
    if not isinstance(before, dict):
        before = {}
    changed = sorted(
        k
        for k in set(before) | set(now)
        if k not in _RESUME_MAY_CHANGE and before.get(k) != now.get(k)
    )
    if changed:
        raise ValueError(
            f"{path}: this run was started with a different config (it differs in: "
            f"{', '.join(changed)}); resume it with the config it was started with"
        )


class TooManyErrors(Exception):
    """Raised when more than ``max_errors`` samples failed; what was produced is on disk."""

    def __init__(self, run_dir: Path, errors: int, max_errors: int, last_error: str) -> None:
        super().__init__(
            f"{errors} samples failed, more than max_errors={max_errors} "
            f"(last error: {last_error})"
        )
        self.run_dir = run_dir
        self.errors = errors
        self.max_errors = max_errors
        self.last_error = last_error


def run(
    cfg: RunConfig,
    base: Path,
    output_dir: Path | None = None,
    run_id: str | None = None,
    use_cache: bool = True,
    resume: Path | None = None,
    progress: Progress = _quiet,
    runner_factory: Callable[[str, str, dict[str, Any]], Runner] = create_runner,
    max_errors: int | None = None,
) -> Path:
    """Evaluate every configured runner; returns the run directory.

    With ``max_errors``, the run stops with :class:`TooManyErrors` once more than
    that many samples failed (counted over all runners), after writing what was
    produced. Resuming generates failed samples again.
    """
    from harness.report.load import save_inputs

    t_start = time.perf_counter()
    bar = as_progress(progress)
    ctx = prepare(cfg, base)
    if runner_factory is create_runner:
        check_runners(cfg)  # before anything is written
    # Secrets of this run (keys, tokens, URL passwords, their environment variables):
    # removed from everything written, wherever a runner might have put them.
    scrub = Scrubber(secret_values([dict(spec.options) for spec in cfg.runners]))
    if resume is not None:
        rd = RunDir(resume.resolve())
        if not rd.path.is_dir():
            raise FileNotFoundError(f"{resume}: no such run directory to resume")
        _check_resumable(rd, cfg, scrub)
    else:
        out_dir = output_dir or resolve(base, cfg.output_dir)
        rd = RunDir.create(out_dir, run_id or new_run_id(cfg.name))
    lock = rd.lock()  # one writer per run folder: a second resume of it fails at once
    rd.scrub = scrub.value
    rd.write_text(
        "config.yaml",
        yaml.safe_dump(_config_record(cfg, scrub), sort_keys=False, allow_unicode=True),
    )
    save_inputs(rd.path, ctx.samples, ctx.docs)  # reports rebuild from the run alone
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
        "metrics": metric_signatures(ctx),
        "runners": {},
        "cpu_count": os.cpu_count(),
    }
    gen_out = JsonlAppender(rd.generations_path)
    score_out = JsonlAppender(rd.scores_path)
    n_errors, last_error = 0, ""
    try:
        for spec in cfg.runners:
            t0 = time.perf_counter()
            options, reasoning_tags = runner_options(spec.type, spec.options)
            runner: Runner = runner_factory(spec.type, spec.name, options)
            # baselines return the answer itself: no stop sequences to cut at
            cut_at_stops = not getattr(runner, "output_is_answer", False)
            cacheable = getattr(runner, "cacheable", True)
            wrapped: Runner = CachedRunner(runner, cache) if cache and cacheable else runner
            tasks = spec.tasks or cfg.tasks
            todo = [s for s in ctx.samples if s.task in tasks]
            requests = build_requests(
                ctx,
                spec.few_shot,
                _params(spec.generation),
                spec.system,
                # not yet generated, or failed before (a resumed run tries those again)
                [
                    s
                    for s in todo
                    if (spec.name, s.id) not in done_gen or done_gen[(spec.name, s.id)].error
                ],
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
            bar.say(
                f"[{spec.name}] {len(requests)} of {len(todo)} samples to generate"
                + (f" ({len(todo) - len(requests)} already done)" if resume else "")
            )
            if requests and _needs_load(runner, wrapped, cache, requests):
                bar.start(f"[{spec.name}] load model", None)
                runner.load()  # type: ignore[attr-defined]
                bar.done()
            bar.start(f"[{spec.name}] generate", len(requests))
            gen_seconds = 0.0
            for i in range(0, len(requests), BATCH):
                batch = requests[i : i + BATCH]
                tb = time.perf_counter()
                try:
                    gens = wrapped.generate(batch)
                except (KeyboardInterrupt, TooManyErrors):
                    raise
                except Exception as exc:  # a runner bug or a lost model: keep what is done
                    raise RunnerFailed(rd.path, spec.name, exc) from exc
                gen_seconds += time.perf_counter() - tb
                if len(gens) != len(batch):
                    raise RuntimeError(
                        f"runner {spec.name!r} returned {len(gens)} generations "
                        f"for {len(batch)} requests"
                    )
                by_sample = {r.sample_id: r for r in batch}
                for g in gens:
                    g = _clean_generation(g, spec.name, scrub)
                    request = by_sample.get(g.sample_id)
                    # the same post-processing for every runner: echo, reasoning, stops
                    g = finalize(g, request, reasoning_tags, cut_at_stops)
                    if request is not None:
                        g = replace(g, text=complete_answer(g.text, request))
                    gen_out.write(g.to_dict())
                    done_gen[(spec.name, g.sample_id)] = g
                    done_score.discard((spec.name, g.sample_id))  # generated anew: score anew
                    if g.error:
                        n_errors, last_error = n_errors + 1, g.error
                gen_out.sync()
                if max_errors is not None and n_errors > max_errors:
                    raise TooManyErrors(rd.path, n_errors, max_errors, last_error)
                bar.advance(len(batch))
            bar.done()
            ts = time.perf_counter()
            n_score = sum((spec.name, s.id) not in done_score for s in todo)
            bar.start(f"[{spec.name}] score", n_score)
            for s in todo:
                key = (spec.name, s.id)
                if key in done_score:
                    continue
                score = score_generation(ctx, done_gen[key])
                score_out.write(score.to_dict())
                done_score.add(key)
                bar.advance()
            bar.done()
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
            bar.say(f"[{spec.name}] done in {time.perf_counter() - t0:.1f}s")
    except KeyboardInterrupt:
        rd.write_json("manifest.json", {**manifest, "interrupted": True})
        lock.release()  # a resume in this same process may follow
        raise RunInterrupted(rd.path) from None
    except (TooManyErrors, RunnerFailed) as exc:
        rd.write_json("manifest.json", {**manifest, "aborted": str(redact(str(exc)))})
        lock.release()
        raise
    finally:
        bar.done()
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
    bar.start("summary (bootstrap CIs) and reports", None)
    manifest["seconds_total"] = round(time.perf_counter() - t_start, 3)
    try:
        write_outputs(rd, ctx, cfg, keep_s, keep_g, [r.name for r in cfg.runners], manifest)
    except KeyboardInterrupt:
        raise RunInterrupted(rd.path) from None  # every generation and score is on disk
    finally:
        bar.done()
        lock.release()
    return rd.path


def write_outputs(
    rd: RunDir,
    ctx: Context,
    cfg: RunConfig,
    scores: Sequence[Score],
    generations: Sequence[Generation],
    runners: list[str],
    manifest: dict[str, Any],
) -> None:
    """Aggregate, then write manifest.json, summary.json, report.md and report.html."""
    from harness.report.html import write_html_report
    from harness.report.markdown import render_markdown

    results = aggregate(ctx, scores, generations, cfg)
    # Signatures last: some (sacrebleu's) name what the corpus scores saw.
    manifest["metrics"] = metric_signatures(ctx)
    summary = {
        "run_id": rd.path.name,
        "runners": runners,
        "results": results,
        "signatures": manifest["metrics"],
    }
    rd.write_json("manifest.json", manifest)
    rd.write_json("summary.json", summary)
    report = render_markdown(
        rd.path, ctx, scores, generations, summary, manifest, worst=cfg.report.worst
    )
    rd.write_text("report.md", report)
    write_html_report(rd.path)


#: The default config, whose metrics ``harness score`` uses without ``--config``.
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
#: Its metrics, for an installed package that has no ``configs/`` folder.
DEFAULT_METRICS = MetricsSpec(
    qa=["answer_equivalence", "qa_de", "squad_v2", "hallucination", "abstention"],
    summary=["faithful_coverage", "rouge", "chrf", "key_facts", "hallucination"],
)


def default_metrics(config: Path = DEFAULT_CONFIG) -> MetricsSpec:
    """The ``metrics:`` of ``configs/default.yaml`` (:data:`DEFAULT_METRICS` without the file).

    Raises:
        ConfigError: If the file exists but is not a valid config.
    """
    if not config.is_file():
        return DEFAULT_METRICS
    from harness.config import load_config

    return load_config(config)[0].metrics


def score_predictions(
    cfg: RunConfig,
    base: Path,
    predictions: Mapping[str, Mapping[str, str]],
    output_dir: Path,
    run_id: str | None = None,
) -> Path:
    """Score predictions made elsewhere: ``{runner: {sample_id: text}}``; returns the run folder.

    Every metric of ``cfg.metrics`` scores them (``harness score`` passes
    :func:`default_metrics`, or a config's metrics). A prediction's
    ``<think>…</think>`` blocks are removed before scoring; the text as given
    is kept as ``raw``.

    Raises:
        UnknownSampleIds: If a prediction names a sample the gold lacks (nothing is written).
    """
    from harness.report.load import save_inputs

    ctx = prepare(cfg, base)
    known = ctx.by_id
    unknown = [(r, sid) for r, preds in predictions.items() for sid in preds if sid not in known]
    if unknown:
        raise UnknownSampleIds(unknown)
    rd = RunDir.create(output_dir, run_id or new_run_id(cfg.name + "-scored"))
    gens: list[Generation] = []
    scores: list[Score] = []
    with JsonlAppender(rd.generations_path) as g_out, JsonlAppender(rd.scores_path) as s_out:
        for runner, preds in predictions.items():
            for sid, text in preds.items():
                text = valid_text(text)  # JSON's "\\ud800" escapes give lone surrogates
                g = finalize(Generation(sid, runner, text, raw=text), None, cut_at_stops=False)
                s = score_generation(ctx, g)
                g_out.write(g.to_dict())
                s_out.write(s.to_dict())
                gens.append(g)
                scores.append(s)
    ctx.samples = [s for s in ctx.samples if any(s.id in p for p in predictions.values())]
    save_inputs(rd.path, ctx.samples, ctx.docs)
    manifest = {
        "run_id": rd.path.name,
        "versions": _versions(),
        "git_commit": _git_commit(),
        "gold": _gold_manifest(ctx),
        "metrics": metric_signatures(ctx),
        "runners": {r: {"type": "predictions"} for r in predictions},
    }
    write_outputs(rd, ctx, cfg, scores, gens, list(predictions), manifest)
    return rd.path
