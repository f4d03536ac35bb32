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
from functools import cached_property, partial
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from harness import __version__
from harness.config import MetricsSpec, RunConfig, metric_entries, resolve
from harness.epochs import Reducer, combine_epochs, reduce_scores
from harness.gold.load import GoldDocument, build_samples, load_gold
from harness.metrics import HarnessMetric, ScoringInput
from harness.metrics import create as create_metric
from harness.progress import Progress as ProgressReporter
from harness.progress import as_progress
from harness.prompts import build_request, complete_answer, few_shot_pool
from harness.results import (
    JsonlAppender,
    RunDir,
    RunLock,
    Scrubber,
    check_output_file,
    describe_os_error,
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
    stable_hash,
)
from harness.runners.cache import CachedRunner, GenerationCache, default_cache_path, request_key
from harness.streaming import BATCH as BATCH  # re-exported: what a plain runner gets at once
from harness.streaming import Requests, SyncCadence, stream_answers
from harness.types import Generation, GenerationParams, Request, Sample, Score

# A plain line callback, or a reporter with steps (bars with ETA on a terminal): harness.progress.
Progress = Callable[[str], None] | ProgressReporter


def _quiet(_: str) -> None:
    pass


@dataclass
class Context:
    """What a run works on: the gold, its samples and the metrics per task."""

    docs: dict[str, GoldDocument]
    samples: list[Sample]
    metrics: dict[str, list[HarnessMetric]] = field(default_factory=dict)
    # per document: its article's sha256 and its facts as JSON (score_key, once per document)
    doc_parts: dict[str, tuple[str, list[Any]]] = field(default_factory=dict, repr=False)

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


def score_generation(ctx: Context, gen: Generation, reducer: Reducer = "mean") -> Score:
    """Every metric of the sample's task on ``gen``.

    A sample whose runner failed (``error``) or whose output is no answer
    (``failure``: empty and cut at the token limit, filtered, refused,
    reasoning not finished) is scored as a failure by every metric
    (:meth:`HarnessMetric.score_failure`: the worst value, never an
    abstention), and ``details["error"]`` says why. A generation with
    ``epochs`` is scored epoch by epoch and the scores reduced by ``reducer``
    (:mod:`harness.epochs`).
    """
    if gen.epochs:
        each = gen.epoch_generations()
        task = ctx.by_id[gen.sample_id].task
        directions = {
            f"{m.metric_name}.{k}": m.is_higher_better(k)
            for m in ctx.metrics.get(task, [])
            for k in m.keys
        }
        return reduce_scores(
            [score_generation(ctx, g) for g in each],
            reducer,
            lambda key: directions.get(key, True),
            [g.failed for g in each],
        )
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
    """Per runner and task: every metric key with a bootstrap CI, per category and subset.

    ``{runner: {task: {n, errors, failed, metrics, corpus, categories, subsets}}}``;
    computed by :func:`harness.tally.aggregate_tally` (the run itself aggregates
    from its files in one streaming pass, :func:`write_outputs`).
    """
    from harness.tally import RunTally, aggregate_tally

    runners = sorted({s.runner for s in scores})
    tally = RunTally.from_records(runners, ctx.samples, scores, generations)
    return aggregate_tally(tally, ctx.metrics, lambda g: generation_input(ctx, g), _boot(cfg))


def _boot(cfg: RunConfig) -> Any:
    from harness.tally import Bootstrap

    b = cfg.bootstrap
    return Bootstrap(b.resamples, b.confidence, b.seed)


# -- generation ------------------------------------------------------------


def build_requests(
    ctx: Context,
    spec_few_shot: int,
    params: GenerationParams | None,
    system: str,
    samples: Iterable[Sample],
) -> list[Request]:
    return [request_for(ctx, spec_few_shot, params, system, s) for s in samples]


def request_for(
    ctx: Context,
    spec_few_shot: int,
    params: GenerationParams | None,
    system: str,
    sample: Sample,
) -> Request:
    """The request a runner gets for ``sample``: its prompt, few-shot examples and settings."""
    doc = ctx.docs[sample.doc_id]
    shots = few_shot_pool(ctx.samples, sample, spec_few_shot) if spec_few_shot else []
    return build_request(sample, doc.article, params=params, few_shot=shots, system=system)


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


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP), raised where Ctrl-C would be: the run stops as on Ctrl-C."""

    def __init__(self, signal_name: str = "SIGTERM") -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class RunInterrupted(Exception):
    """Raised on Ctrl-C (or SIGTERM: ``signal_name``) after everything computed is on disk."""

    def __init__(self, run_dir: Path, signal_name: str | None = None) -> None:
        super().__init__(str(run_dir))
        self.run_dir = run_dir
        self.signal_name = signal_name


class RunAborted(RuntimeError):
    """Writing failed mid-run (a full or read-only disk); everything written before is kept.

    ``resumable`` is False when nothing had been written (the new run folder was removed).
    """

    def __init__(self, run_dir: Path, message: str, resumable: bool = True) -> None:
        super().__init__(message)
        self.run_dir = run_dir
        self.resumable = resumable


def _remove_empty_run(path: Path) -> None:
    """Remove a run folder this process made that holds nothing but its lock (and temp files)."""
    with contextlib.suppress(OSError):
        files = list(path.iterdir())
        if all(p.is_file() and (p.name.startswith(".") or not p.stat().st_size) for p in files):
            for p in files:  # the lock, temp files, and the empty JSONL files opened first
                p.unlink()
            path.rmdir()


class ResumeConflict(ValueError):
    """A resumed run holds outputs of a runner that has changed since (another fingerprint)."""


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


def _build_runners(
    cfg: RunConfig,
    factory: Callable[[str, str, dict[str, Any]], Runner],
    config_path: Path | None,
) -> list[tuple[Any, Runner, ReasoningTags]]:
    """Every runner of ``cfg``, built before anything is written, with its reasoning tags.

    Raises:
        ConfigError: A runner refuses its options (``file:line: runners.N.options: why``).
    """
    from harness.config import ConfigError, config_line

    out = []
    for i, spec in enumerate(cfg.runners):
        loc = ("runners", i, "options")
        try:
            options, reasoning_tags = runner_options(spec.type, spec.options)
            out.append((spec, factory(spec.type, spec.name, options), reasoning_tags))
        except (ValueError, TypeError) as exc:
            line = config_line(config_path, loc) if config_path is not None else 0
            where = f"{config_path}:{line}: " if line else ""
            if not line and config_path is not None:
                where = f"{config_path}: "
            raise ConfigError(f"{where}runners.{i}.options: {exc}") from None
    return out


def _open_cache(cfg: RunConfig, base: Path) -> GenerationCache:
    """The generation cache, opened before the run folder exists.

    Raises:
        OutputError: The cache file or its folder cannot be created or written.
    """
    import sqlite3

    from harness.results import OutputError, check_output_file

    path = resolve(base, cfg.cache.path) if cfg.cache.path else default_cache_path()
    hint = "run with --no-cache, or point HARNESS_GENERATION_CACHE (or cache.path) elsewhere"
    try:
        check_output_file(path)
        return GenerationCache(path)
    except OutputError as exc:
        raise OutputError(f"generation cache: {exc}; {hint}") from None
    except (OSError, sqlite3.Error) as exc:
        what = getattr(exc, "strerror", None) or str(exc)
        raise OutputError(f"{path}: cannot open the generation cache: {what}; {hint}") from None


def _fingerprints(
    built: Sequence[tuple[Any, Runner, ReasoningTags]],
    scrub: Scrubber,
    prior: Mapping[tuple[str, str], tuple[Mapping[str, Any], Generation]],
    rd: RunDir,
) -> dict[str, str]:
    """Each runner's fingerprint (as written: scrubbed); refuses one that changed mid-run.

    Raises:
        ResumeConflict: The run folder holds generations of a runner made under
            another fingerprint (its code, model or settings changed since).
    """
    out: dict[str, str] = {}
    for spec, runner, _ in built:
        fp = scrub.text(str(runner.fingerprint()))
        out[spec.name] = fp
        before = sorted(
            {
                str(rec["fingerprint"])
                for (name, _), (rec, _) in prior.items()
                if name == spec.name and rec.get("fingerprint")
            }
        )
        if before and before != [fp]:
            raise ResumeConflict(
                f"{rd.generations_path}: runner {spec.name!r} has changed since this run "
                f"began (fingerprint {', '.join(before)}, now {fp}: its code, model or "
                "settings differ); resuming would mix the outputs of two versions. Start a "
                "new run, or resume with the runner as it was"
            )
    return out


def score_key(ctx: Context, sample: Sample) -> str:
    """What a sample's scores depend on besides the output: the sample, article and facts.

    Recorded with each score line, so that a resume scores again exactly the
    samples a gold change touched.
    """
    import hashlib
    import json

    doc = ctx.docs.get(sample.doc_id)
    parts: list[Any] = [sample.to_dict()]
    if doc is not None:
        known = ctx.doc_parts.get(sample.doc_id)
        if known is None:
            article = hashlib.sha256(doc.article.encode("utf-8", "surrogatepass")).hexdigest()
            known = ctx.doc_parts[sample.doc_id] = (
                article,
                [f.model_dump(mode="json") for f in doc.facts],
            )
        parts += list(known)
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def generation_key(g: Generation) -> str:
    """What a score was computed from: the answer text and why it failed, if it did."""
    if g.epochs:  # every epoch's answer counts
        each = [[e.text, e.failed] for e in g.epoch_generations()]
        return stable_hash(g.text, g.error, g.failure, each)
    return stable_hash(g.text, g.error, g.failure)


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
        stop_reason=optional(g.stop_reason),
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
    from harness.results import regular_file

    path = rd.path / "config.yaml"
    if not regular_file(path):  # a FIFO or folder there: RunFileError, nothing read
        raise ValueError(f"{rd.path}: not a run directory (no config.yaml); nothing to resume")
    try:
        before = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
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
    config_path: Path | None = None,
) -> Path:
    """Evaluate every configured runner; returns the run directory.

    Each runner's requests flow through its window of work in flight (a server:
    its ``concurrency``; ``hf``: its batches; others: chunks of
    :data:`harness.streaming.BATCH`), with no barrier between groups; every
    answer is written and scored as it arrives, and the files are forced to
    disk every 1,000 lines or second (:mod:`harness.streaming`). The summary
    and reports come from one streaming pass over the files
    (:class:`harness.tally.RunTally`), in bounded memory.

    Everything that can be checked is checked before the run folder exists: the
    gold, the metrics, every runner's options (each runner is built first, so a
    missing executable or a bad URL fails at once), the results folder and the
    generation cache. ``config_path`` (the config file) lets those errors name its
    lines.

    With ``max_errors``, the run stops with :class:`TooManyErrors` once more than
    that many samples failed (counted over all runners), after writing what was
    produced. Resuming generates failed samples again; it also generates again
    what a gold change altered (a question, the article), scores again what the
    gold change touches (answers, facts), and refuses a runner whose fingerprint
    changed since the run began (its code, model or settings), rather than mix
    the outputs of two versions.

    Raises:
        ConfigError: A runner's options are refused by its constructor.
        OutputError: The results folder or the cache cannot be written (nothing made).
        ResumeConflict: ``resume`` holds outputs of a runner that has changed since.
        RunFileError: ``resume`` holds a damaged file (``file:line: field: what``).
        RunInterrupted: Ctrl-C or SIGTERM; what was computed is on disk.
        RunAborted: Writing failed mid-run (a full disk); what was written is kept.
        TooManyErrors, RunnerFailed: See above; what was produced is on disk.
    """
    from harness.report.load import save_inputs

    t_start = time.perf_counter()
    bar = as_progress(progress)
    ctx = prepare(cfg, base)
    if runner_factory is create_runner:
        check_runners(cfg, config_path)  # before anything is written
    # Secrets of this run (keys, tokens, URL passwords, their environment variables):
    # removed from everything written, wherever a runner might have put them.
    scrub = Scrubber(secret_values([dict(spec.options) for spec in cfg.runners]))
    built = _build_runners(cfg, runner_factory, config_path)
    cache = _open_cache(cfg, base) if use_cache and cfg.cache.enabled else None
    lock: RunLock | None = None
    try:
        if resume is not None:
            rd = RunDir(resume.resolve())
            if not rd.path.is_dir():
                raise FileNotFoundError(f"{resume}: no such run directory to resume")
            _check_resumable(rd, cfg, scrub)
        else:
            out_dir = output_dir or resolve(base, cfg.output_dir)
            rd = RunDir.create(out_dir, run_id or new_run_id(cfg.name))
        lock = rd.lock()  # one writer per run folder: a second resume of it fails at once
        for name in RUN_FILES:  # a FIFO, link or folder in their place is refused, untouched
            check_output_file(rd.path / name)
        prior_gen = {(g.runner, g.sample_id): (rec, g) for _, rec, g in rd.generation_records()}
        prior_score = {(s.runner, s.sample_id): rec for _, rec, s in rd.score_records()}
        fps = _fingerprints(built, scrub, prior_gen, rd)  # refuses a changed runner
        gen_out = JsonlAppender(rd.generations_path, scrub.value)
        score_out = JsonlAppender(rd.scores_path, scrub.value)
        cadence = SyncCadence([gen_out, score_out])  # fsync every 1,000 lines or second
    except BaseException:
        if lock is not None:
            lock.release()
        if cache:
            cache.close()
        raise
    rd.scrub = scrub.value
    done_gen = {k: g for k, (_, g) in prior_gen.items()}
    done_req = {k: rec.get("request") for k, (rec, _) in prior_gen.items()}
    gold_keys = {s.id: score_key(ctx, s) for s in ctx.samples}
    done_score = {
        k
        for k, rec in prior_score.items()
        if k in done_gen
        and rec.get("gold") == gold_keys.get(k[1])
        and rec.get("generation") == generation_key(done_gen[k])
    }  # scored on this gold, from the generation that is on disk now
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
    if resume is not None:
        manifest["resumed"] = True
    n_errors, last_error = 0, ""

    def stop(extra: Mapping[str, Any]) -> None:
        """Record why the run stopped in the manifest, if the disk still takes it."""
        with contextlib.suppress(OSError, ValueError):
            rd.write_json("manifest.json", {**manifest, **extra})

    try:
        rd.write_text(
            "config.yaml",
            yaml.safe_dump(_config_record(cfg, scrub), sort_keys=False, allow_unicode=True),
        )
        save_inputs(rd.path, ctx.samples, ctx.docs, scrub.value)  # reports rebuild from the run
        for spec, runner, reasoning_tags in built:
            t0 = time.perf_counter()
            fp = fps[spec.name]
            # baselines return the answer itself: no stop sequences to cut at
            cut_at_stops = not getattr(runner, "output_is_answer", False)
            cacheable = getattr(runner, "cacheable", True)
            wrapped: Runner = (
                CachedRunner(runner, cache, scrub.value) if cache and cacheable else runner
            )
            tasks = spec.tasks or cfg.tasks
            todo = [s for s in ctx.samples if s.task in tasks]
            make = partial(request_for, ctx, spec.few_shot, _params(spec.generation), spec.system)
            # built when read (a run of 100,000 samples never holds all its requests)
            req_keys = {s.id: request_key(fp, make(s)) for s in todo}

            def pending(
                sid: str, name: str = spec.name, keys: Mapping[str, str] = req_keys
            ) -> bool:
                """Not generated yet, failed before, or asked differently since (gold changed)."""
                g = done_gen.get((name, sid))
                if g is None or g.error:
                    return True
                before = done_req.get((name, sid))
                return before is not None and before != keys[sid]

            requests = Requests(make, [s for s in todo if pending(s.id)])
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
            # Requests flow through the runner's window (a server: its concurrency; hf: its
            # batches) with no barrier between groups; each answer is written and scored as
            # it arrives, and the files are forced to disk on a time or count cadence.
            k = max(1, spec.epochs)
            asked = Requests(make, requests.items, k)  # k seeds per sample (epochs: k)
            epochs_of: dict[int, list[Generation | None]] = {}
            n_inline = 0
            answers = stream_answers(wrapped, asked)
            last = time.perf_counter()
            try:
                while True:
                    try:
                        arrived = next(answers)
                    except StopIteration:
                        break
                    except (KeyboardInterrupt, TooManyErrors):
                        raise
                    except Exception as exc:  # a runner bug or a lost model: keep what is done
                        raise RunnerFailed(rd.path, spec.name, exc) from exc
                    share = (time.perf_counter() - last) / max(1, len(arrived))
                    for index, g in arrived:
                        request = asked[index]
                        g = _clean_generation(g, spec.name, scrub)
                        # the same post-processing for every runner: echo, reasoning, stops
                        g = finalize(g, request, reasoning_tags, cut_at_stops)
                        g = replace(g, text=complete_answer(g.text, request))
                        slot = epochs_of.setdefault(index // k, [None] * k)
                        slot[index % k] = g
                        if any(x is None for x in slot):
                            continue  # more epochs of this sample to come
                        del epochs_of[index // k]
                        (g,) = combine_epochs([x for x in slot if x is not None], k)
                        key = (spec.name, g.sample_id)
                        gen_out.write(
                            {
                                **g.to_dict(),
                                "fingerprint": fp,
                                "request": req_keys.get(g.sample_id),
                                "wall": round(share * k, 6),
                            }
                        )
                        done_req[key] = req_keys.get(g.sample_id)
                        done_gen.pop(key, None)  # scored now: no copy kept
                        if g.error:
                            n_errors, last_error = n_errors + 1, g.error
                        t1 = time.perf_counter()
                        score = score_generation(ctx, g, spec.epoch_reducer)
                        score_out.write(
                            {
                                **score.to_dict(),
                                "gold": gold_keys[g.sample_id],
                                "generation": generation_key(g),
                                "wall": round(time.perf_counter() - t1, 6),
                            }
                        )
                        done_score.add(key)
                        n_inline += 1
                        cadence.wrote(2)
                        bar.advance()
                    last = time.perf_counter()  # scoring time is not the runner's
                    if max_errors is not None and n_errors > max_errors:
                        raise TooManyErrors(rd.path, n_errors, max_errors, last_error)
            finally:
                answers.close()  # stopped early: the runner cancels what is in flight
            cadence.sync()
            bar.done()
            ts = time.perf_counter()
            # generated in an earlier session, not scored yet (or the gold changed since)
            n_score = sum((spec.name, s.id) not in done_score for s in todo)
            bar.start(f"[{spec.name}] score", n_score + n_inline)
            bar.advance(n_inline)  # scored above, as they arrived
            for s in todo:
                key = (spec.name, s.id)
                if key in done_score:
                    continue
                t1 = time.perf_counter()
                score = score_generation(ctx, done_gen[key], spec.epoch_reducer)
                score_out.write(
                    {
                        **score.to_dict(),
                        "gold": gold_keys[s.id],
                        "generation": generation_key(done_gen[key]),
                        "wall": round(time.perf_counter() - t1, 6),
                    }
                )
                done_score.add(key)
                cadence.wrote()
                bar.advance()
            cadence.sync()
            bar.done()
            manifest["runners"][spec.name] = {
                "type": spec.type,
                "options": redact(dict(spec.options)),
                "fingerprint": fp,
                "prompt_templates": templates,
                "few_shot": spec.few_shot,
                "seconds_total": round(time.perf_counter() - t0, 3),
                "seconds_generate": 0.0,  # over every session: set from the files below
                "seconds_score": round(time.perf_counter() - ts, 3),
                "cache": {"hits": 0, "misses": 0},
                "trust_remote_code": bool(spec.options.get("trust_remote_code", False)),
            }
            bar.say(f"[{spec.name}] done in {time.perf_counter() - t0:.1f}s")
    except KeyboardInterrupt as exc:
        signame = getattr(exc, "signal_name", None)
        stop({"interrupted": True, **({"signal": signame} if signame else {})})
        lock.release()  # a resume in this same process may follow
        raise RunInterrupted(rd.path, signame) from None
    except (TooManyErrors, RunnerFailed) as exc:
        stop({"aborted": str(redact(str(exc)))})
        lock.release()
        raise
    except OSError as exc:  # a full or read-only disk: what was written stays
        lock.release()
        why = describe_os_error(exc)
        if resume is None and not (rd.path / "config.yaml").exists():
            _remove_empty_run(rd.path)  # nothing was written: no folder to resume
            raise RunAborted(rd.path, f"{why}; nothing was written", False) from None
        stop({"aborted": why})
        raise RunAborted(rd.path, why) from None
    finally:
        bar.done()
        for out in (gen_out, score_out):
            with contextlib.suppress(OSError):
                out.close()
        if cache:
            cache.close()
    # The per-sample bookkeeping of the generation loop is done with: the reports read the files.
    for bookkeeping in (done_gen, done_req, done_score, prior_gen, prior_score, gold_keys):
        bookkeeping.clear()
    try:
        from harness.tally import RunTally

        bar.start("summary (bootstrap CIs) and reports", None)
        # One streaming pass over the run's files (every session's lines, the latest of each
        # pair): the numbers, offsets and counts, never a second copy of texts and details.
        tally = RunTally.read(rd.path, [r.name for r in cfg.runners], ctx.samples)
        tally.session_totals(manifest)  # over every session, not only this one
        tally.usage_totals(manifest, {r.name: r.price for r in cfg.runners})
        manifest["seconds_total"] = round(time.perf_counter() - t_start, 3)
        write_outputs(rd, ctx, cfg, [r.name for r in cfg.runners], manifest, tally)
    except KeyboardInterrupt as exc:
        raise RunInterrupted(rd.path, getattr(exc, "signal_name", None)) from None
    except OSError as exc:  # every generation and score is on disk: a resume finishes it
        stop({"aborted": describe_os_error(exc)})
        raise RunAborted(rd.path, describe_os_error(exc)) from None
    finally:
        bar.done()
        lock.release()
    return rd.path


#: The files a run writes whole (temp file and rename); checked before anything is written.
RUN_FILES = (
    "config.yaml",
    "samples.jsonl",
    "documents.json",
    "manifest.json",
    "summary.json",
    "report.md",
    "report.html",
    "scores.parquet",
)


def write_outputs(
    rd: RunDir,
    ctx: Context,
    cfg: RunConfig,
    runners: list[str],
    manifest: dict[str, Any],
    tally: Any = None,
) -> None:
    """Aggregate, then write manifest.json, summary.json, scores.parquet, report.md, report.html.

    Everything comes from the run's files (``tally``: a
    :class:`~harness.tally.RunTally` of them, read here when not given), in
    bounded memory: the numbers are aggregated from the tally, the reports and
    the Parquet table read back the lines they show.
    """
    from harness.report.html import write_html_report
    from harness.report.stream import render_markdown_from_tally, write_scores_parquet
    from harness.tally import RunTally, aggregate_tally

    if tally is None:
        tally = RunTally.read(rd.path, runners, ctx.samples)
    results = aggregate_tally(tally, ctx.metrics, lambda g: generation_input(ctx, g), _boot(cfg))
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
    # The per-sample scores as one table that pandas, DuckDB, Spark, ... read.
    from harness.report.frame import PARQUET_FILE

    write_scores_parquet(rd.path / PARQUET_FILE, tally, rd.path.name, rd.scrub)
    report = render_markdown_from_tally(
        rd.path, ctx, tally, summary, manifest, worst=cfg.report.worst
    )
    rd.write_text("report.md", report)
    write_html_report(rd.path, scrub=rd.scrub, tally=tally)
    tally.close()


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
    with JsonlAppender(rd.generations_path) as g_out, JsonlAppender(rd.scores_path) as s_out:
        for runner, preds in predictions.items():
            for sid, text in preds.items():
                text = valid_text(text)  # JSON's "\\ud800" escapes give lone surrogates
                g = finalize(Generation(sid, runner, text, raw=text), None, cut_at_stops=False)
                s = score_generation(ctx, g)
                g_out.write(g.to_dict())
                s_out.write(s.to_dict())
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
    write_outputs(rd, ctx, cfg, list(predictions), manifest)
    return rd.path
