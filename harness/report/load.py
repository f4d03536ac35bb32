"""Load a run directory back into what the report renderers need.

A finished run holds everything a report shows: ``summary.json`` (aggregates),
``manifest.json`` (fingerprints, prompt hashes, timings), ``generations.jsonl``
and ``scores.jsonl`` (per sample), and, written by the pipeline at the start
of a run, ``samples.jsonl`` (every :class:`~harness.types.Sample`) and
``documents.json`` (the article text of each gold document, for evidence
highlighting). Runs made before those two files existed are loaded from the
gold folders the manifest names, with a warning.

Also here: :class:`Rule`, the "right or wrong" test on one sample's scores
that the HTML filters, ``harness compare`` flips and JUnit per-sample cases
share.

Example:
    >>> rule = Rule.parse("qa_de.exact>=100")
    >>> rule.holds({"qa_de.exact": 100.0}), rule.holds({"qa_de.exact": 0.0})
    (True, False)
    >>> verdict({"rouge.rougeL": 0.7}, DEFAULT_RIGHT)
    True
    >>> verdict({"chrf.chrf": 10.0}, DEFAULT_RIGHT) is None
    True
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from harness.results import (
    RecordError,
    RunFileError,
    atomic_write_json,
    atomic_write_text,
    dump_jsonl,
    generation_from_record,
    read_jsonl_lines,
    regular_file,
    score_from_record,
)
from harness.types import Generation, Sample, Score

if TYPE_CHECKING:
    from harness.gold.load import GoldDocument

SAMPLES_FILE = "samples.jsonl"
DOCUMENTS_FILE = "documents.json"


class RunLoadError(ValueError):
    """A run directory is missing a file or holds a malformed one; names file and line."""


# -- right / wrong ---------------------------------------------------------

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_RULE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=|==|>|<)\s*(-?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Rule:
    """``key op value`` on one sample's metric values, e.g. ``qa_de.exact >= 100``."""

    key: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Rule:
        """Parse ``KEY>=VALUE`` (also ``>``, ``<=``, ``<``, ``==``); ValueError when malformed."""
        m = _RULE.match(text)
        if not m:
            raise ValueError(
                f"{text!r} is not a rule like 'qa_de.exact>=100' (KEY OP NUMBER, OP one of "
                f"{', '.join(OPS)})"
            )
        value = float(m.group(3))
        if not math.isfinite(value):
            raise ValueError(f"{text!r}: {m.group(3)} is not a finite number")
        return cls(m.group(1), m.group(2), value)

    def holds(self, values: Mapping[str, float]) -> bool:
        return OPS[self.op](values[self.key], self.value)

    def __str__(self) -> str:
        return f"{self.key} {self.op} {self.value:g}"


# QA: right by answer equivalence (older runs: exact by the German-aware metric);
# summaries: a rough split on ROUGE-L.
DEFAULT_RIGHT: tuple[Rule, ...] = (
    Rule("answer_equivalence.score", ">=", 1.0),
    Rule("qa_de.exact", ">=", 100.0),
    Rule("rouge.rougeL", ">=", 0.5),
)


def verdict(values: Mapping[str, float], rules: Sequence[Rule]) -> bool | None:
    """Right (True) or wrong (False) by the first rule whose key is scored; None if none is."""
    for rule in rules:
        if rule.key in values:
            return rule.holds(values)
    return None


# -- the loaded run --------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A gold document as a report needs it: title and the article text."""

    id: str
    title: str
    text: str
    language: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunData:
    """Everything saved in one run directory, keyed for the renderers.

    ``generations`` and ``scores`` map ``(runner, sample_id)`` to the latest
    line for that pair; only runners of ``summary.json`` and known samples are
    kept.
    """

    path: Path
    manifest: Mapping[str, Any]
    summary: Mapping[str, Any]
    config: Mapping[str, Any]
    samples: Mapping[str, Sample]
    documents: Mapping[str, Document]
    generations: Mapping[tuple[str, str], Generation]
    scores: Mapping[tuple[str, str], Score]
    warnings: tuple[str, ...] = ()

    @property
    def run_id(self) -> str:
        return str(self.summary.get("run_id") or self.path.name)

    @property
    def runners(self) -> list[str]:
        return [str(r) for r in self.summary.get("runners", [])]

    @property
    def results(self) -> Mapping[str, Any]:
        res: Mapping[str, Any] = self.summary.get("results", {})
        return res

    def tasks(self) -> list[str]:
        """Tasks with results, in the usual order."""
        present = {t for r in self.results.values() for t in r}
        return [t for t in ("qa", "summary") if t in present] + sorted(present - {"qa", "summary"})

    def to_pandas(self) -> Any:
        """The per-sample scores as a pandas DataFrame: one row per runner and sample.

        Columns: see :mod:`harness.report.frame` (the same as ``scores.parquet``).
        """
        from harness.report.frame import to_pandas

        return to_pandas(self)

    def task_scores(self, runner: str, task: str) -> dict[str, Score]:
        """``sample_id -> Score`` of one runner on one task."""
        return {
            sid: s
            for (r, sid), s in self.scores.items()
            if r == runner and sid in self.samples and self.samples[sid].task == task
        }


def save_inputs(
    run_dir: Path,
    samples: Sequence[Sample],
    docs: Mapping[str, GoldDocument],
    scrub: Callable[[Any], Any] | None = None,
) -> None:
    """Write ``samples.jsonl`` and ``documents.json`` so reports rebuild without the gold.

    ``scrub`` (a :meth:`harness.results.Scrubber.value`) removes the run's secrets from both.
    """
    keep: Callable[[Any], Any] = scrub or (lambda x: x)
    atomic_write_text(run_dir / SAMPLES_FILE, dump_jsonl(keep(s.to_dict()) for s in samples))
    atomic_write_json(
        run_dir / DOCUMENTS_FILE,
        keep({
            doc_id: {
                "title": doc.meta.title,
                "language": doc.meta.language,
                "text": doc.article,
                "meta": doc.meta.model_dump(mode="json"),
            }
            for doc_id, doc in docs.items()
        }),
    )


def read_run_json(path: Path) -> tuple[Any, str]:
    """The parsed JSON of a run file, and its text (NaN is allowed: summaries hold it for n=0).

    Raises:
        RunLoadError: missing, not a regular file, unreadable, not UTF-8, or not JSON.
    """
    try:
        if not regular_file(path):
            raise RunLoadError(f"{path}: missing")
        text = path.read_text(encoding="utf-8")
    except RunFileError as exc:
        raise RunLoadError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise RunLoadError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise RunLoadError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise RunLoadError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise RunLoadError(f"{path}: invalid JSON: nested too deeply") from None


def _records(path: Path, make: Callable[[Mapping[str, Any]], Any]) -> Iterator[Any]:
    """Every line of a JSONL run file through ``make``; ``file:line: field: what`` on damage."""
    try:
        for no, obj in read_jsonl_lines(path):
            try:
                yield make(obj)
            except RecordError as exc:
                raise RunLoadError(f"{path}:{no}: {exc}") from None
            except KeyError as exc:
                raise RunLoadError(f"{path}:{no}: {exc.args[0]}: missing") from None
            except (TypeError, ValueError) as exc:
                raise RunLoadError(f"{path}:{no}: {exc}") from None
    except RunFileError as exc:
        raise RunLoadError(str(exc)) from None


def _where(path: Path, text: str, loc: Sequence[Any]) -> str:
    from harness.gold.load import json_line_of

    field_ = ".".join(str(p) for p in loc)
    return f"{path}:{json_line_of(text, loc)}: {field_}"


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_estimate(est: Any) -> str | None:
    """What is wrong with one ``{value, low, high, n}`` estimate, or None.

    ``n`` is a count; ``value``, ``low`` and ``high`` are numbers, finite unless ``n`` is 0
    (no values: NaN).

    >>> check_estimate({"value": float("nan"), "low": 0.5, "high": 1.0, "n": 3})
    'value: not a finite number (nan) although n = 3'
    """
    if not isinstance(est, dict):
        return f": expected an object with value, low, high and n, got {type(est).__name__}"
    n = est.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return f"n: expected a count, got {json.dumps(n)[:40]}"
    for k in ("value", "low", "high"):
        v = est.get(k)
        if not isinstance(v, int | float) or isinstance(v, bool):
            return f"{k}: expected a number, got {json.dumps(v)[:40]}"
        if n and not math.isfinite(v):
            return f"{k}: not a finite number ({v}) although n = {n}"
    return None


def check_summary(path: Path, text: str, summary: Any) -> None:
    """Raise :class:`RunLoadError` naming file, line and field of the first damage in a summary.

    Checked: ``runners`` (a list of names), and per runner and task ``n``, ``errors``
    (counts) and every estimate under ``metrics``, ``categories`` and ``subsets``.
    """
    if not isinstance(summary, dict):
        raise RunLoadError(
            f"{path}:1: (file): expected a JSON object, got {type(summary).__name__}"
        )
    results = summary.get("results")
    if not isinstance(results, dict):
        raise RunLoadError(f"{_where(path, text, ['results'])}: missing or not a mapping")
    runners = summary.get("runners", list(results))
    if not isinstance(runners, list) or not all(isinstance(r, str) for r in runners):
        raise RunLoadError(f"{_where(path, text, ['runners'])}: expected a list of runner names")
    if not isinstance(summary.get("run_id", ""), str):
        raise RunLoadError(f"{_where(path, text, ['run_id'])}: expected a string")
    for runner, tasks in results.items():
        if not isinstance(tasks, dict):
            raise RunLoadError(f"{_where(path, text, ['results', runner])}: expected a mapping")
        for task, res in tasks.items():
            loc = ["results", runner, task]
            if not isinstance(res, dict):
                raise RunLoadError(f"{_where(path, text, loc)}: expected a mapping")
            for count in ("n", "errors"):
                v = res.get(count)
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    what = "missing" if count not in res else f"expected a count, got {v!r}"
                    raise RunLoadError(f"{_where(path, text, [*loc, count])}: {what}")
            for block in ("metrics", "categories", "subsets"):
                part = res.get(block, {})
                if not isinstance(part, dict):
                    raise RunLoadError(f"{_where(path, text, [*loc, block])}: expected a mapping")
                groups = {"": part} if block == "metrics" else part
                for group, estimates in groups.items():
                    where = [*loc, block] + ([group] if group else [])
                    if not isinstance(estimates, dict):
                        raise RunLoadError(f"{_where(path, text, where)}: expected a mapping")
                    for key, est in estimates.items():
                        problem = check_estimate(est)
                        if problem:
                            sub, _, what = problem.partition(":")
                            at = [*where, key] + ([sub] if sub else [])
                            raise RunLoadError(f"{_where(path, text, at)}:{what}")
            corpus = res.get("corpus", {})
            if not isinstance(corpus, dict) or not all(_number(v) for v in corpus.values()):
                raise RunLoadError(
                    f"{_where(path, text, [*loc, 'corpus'])}: expected a mapping of numbers"
                )


def sample_from_record(obj: Mapping[str, Any]) -> Sample:
    """A :class:`Sample` from one ``samples.jsonl`` object, every field checked.

    Raises:
        RecordError: ``field: what``.
    """

    def need(name: str, ok: Callable[[Any], bool], want: str, required: bool = True) -> None:
        if name not in obj:
            if required:
                raise RecordError(f"{name}: missing")
            return
        if not ok(obj[name]):
            raise RecordError(f"{name}: expected {want}, got {json.dumps(obj[name])[:60]}")

    def is_str(v: Any) -> bool:
        return isinstance(v, str)

    for name in ("id", "doc_id", "language", "input"):
        need(name, is_str, "a string")
    need("task", lambda v: v in ("qa", "summary"), "'qa' or 'summary'")
    need("references", lambda v: isinstance(v, list) and all(map(is_str, v)),
         "a list of strings", required=False)  # fmt: skip
    for name in ("category", "answer_type"):
        need(name, is_str, "a string", required=False)
    need("answerable", lambda v: isinstance(v, bool), "true or false", required=False)
    need("metadata", lambda v: isinstance(v, dict), "an object", required=False)
    need(
        "evidence",
        lambda v: isinstance(v, list)
        and all(
            isinstance(e, dict)
            and isinstance(e.get("start"), int)
            and isinstance(e.get("end"), int)
            and isinstance(e.get("text"), str)
            for e in v
        ),
        "a list of {start, end, text}",
        required=False,
    )
    return Sample.from_dict(obj)


def check_manifest(path: Path, text: str, manifest: Any) -> dict[str, Any]:
    """The manifest as a mapping; :class:`RunLoadError` if it or its ``runners`` is no mapping."""
    if not isinstance(manifest, dict):
        raise RunLoadError(
            f"{path}:1: (file): expected a JSON object, got {type(manifest).__name__}"
        )
    runners = manifest.get("runners", {})
    if not isinstance(runners, dict) or not all(isinstance(v, dict) for v in runners.values()):
        raise RunLoadError(f"{_where(path, text, ['runners'])}: expected a mapping of runners")
    if not isinstance(manifest.get("gold", {}), dict):
        raise RunLoadError(f"{_where(path, text, ['gold'])}: expected a mapping")
    return manifest


def _from_gold(
    path: Path, manifest: Mapping[str, Any], config: Mapping[str, Any]
) -> tuple[dict[str, Sample], dict[str, Document]]:
    """Samples and documents of a run made before ``samples.jsonl`` existed, from its gold."""
    from harness.gold.load import GoldError, build_samples, load_document

    gold = manifest.get("gold") or {}
    if not gold:
        raise RunLoadError(f"{path / SAMPLES_FILE}: missing, and the manifest names no gold")
    docs = []
    for doc_id, info in gold.items():
        folder = Path(str(info.get("path", "")))
        try:
            docs.append(load_document(folder))
        except GoldError as exc:
            raise RunLoadError(
                f"{path / SAMPLES_FILE}: missing, and the gold of {doc_id!r} cannot be "
                f"loaded: {exc}"
            ) from None
    tasks = config.get("tasks") or ["qa", "summary"]
    samples = build_samples(docs, tasks, config.get("languages"))
    documents = {
        d.id: Document(d.id, d.meta.title, d.article, d.meta.language, d.meta.model_dump())
        for d in docs
    }
    return {s.id: s for s in samples}, documents


def load_run(path: Path | str, per_sample: bool = True) -> RunData:
    """Read a finished run directory; :class:`RunLoadError` names the file and line of a problem.

    ``per_sample=False`` leaves ``generations.jsonl`` and ``scores.jsonl`` unread (empty
    ``generations`` and ``scores``): what a large run's report reads line by line instead
    (:class:`harness.tally.RunTally`).

    Every file is checked as it is read: ``summary.json`` (counts, and estimates
    that are numbers, finite wherever ``n`` > 0), ``manifest.json`` (a mapping),
    ``samples.jsonl``, ``generations.jsonl`` and ``scores.jsonl`` (every field of
    every line; score values finite numbers), and ``scores.jsonl`` must hold
    exactly the scores the summary counts. A run folder is never repaired or
    changed here.

    Raises:
        RunLoadError: the folder is not a finished run, or a file in it is missing,
            unreadable or malformed (``file:line: field: what``).
    """
    path = Path(path)
    if not path.is_dir():
        raise RunLoadError(f"{path}: no such run directory")
    summary_path = path / "summary.json"
    try:
        present = regular_file(summary_path)
    except RunFileError as exc:
        raise RunLoadError(str(exc)) from None
    if not present:
        raise RunLoadError(
            f"{summary_path}: missing; not a finished run "
            "(an interrupted run is finished with: harness run CONFIG --resume RUN_DIR)"
        )
    summary, summary_text = read_run_json(summary_path)
    check_summary(summary_path, summary_text, summary)
    manifest: dict[str, Any] = {}
    if _exists(path / "manifest.json"):
        raw_manifest, manifest_text = read_run_json(path / "manifest.json")
        manifest = check_manifest(path / "manifest.json", manifest_text, raw_manifest)
    config: dict[str, Any] = {}
    if _exists(path / "config.yaml"):
        try:
            loaded = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8"))
        except (yaml.YAMLError, RecursionError) as exc:
            raise RunLoadError(f"{path / 'config.yaml'}: invalid YAML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RunLoadError(f"{path / 'config.yaml'}: cannot read: {exc}") from None
        config = loaded if isinstance(loaded, dict) else {}
    warnings: list[str] = []
    have_samples = _exists(path / SAMPLES_FILE)
    if have_samples:
        samples = {s.id: s for s in _records(path / SAMPLES_FILE, sample_from_record)}
        documents: dict[str, Document] = {}
        if _exists(path / DOCUMENTS_FILE):
            raw_docs, docs_text = read_run_json(path / DOCUMENTS_FILE)
            if not isinstance(raw_docs, dict):
                raise RunLoadError(f"{path / DOCUMENTS_FILE}:1: expected a mapping of documents")
            for doc_id, d in raw_docs.items():
                if not isinstance(d, dict) or not isinstance(d.get("text"), str):
                    where = _where(path / DOCUMENTS_FILE, docs_text, [doc_id, "text"])
                    raise RunLoadError(f"{where}: missing or not a string")
                meta = d.get("meta")
                documents[doc_id] = Document(
                    doc_id,
                    str(d.get("title", doc_id)),
                    d["text"],
                    str(d.get("language", "")),
                    dict(meta) if isinstance(meta, dict) else {},
                )
        else:
            warnings.append(f"{DOCUMENTS_FILE} missing: articles are not shown")
    else:
        samples, documents = _from_gold(path, manifest, config)
        warnings.append(
            f"{SAMPLES_FILE} missing (a run made by an older harness): samples and articles "
            "were read from the gold folders named in manifest.json, which may have changed since"
        )
    runners = set(summary.get("runners", summary["results"]))
    if not per_sample:
        return RunData(path, manifest, summary, config, samples, documents, {}, {}, tuple(warnings))
    generations = {
        (g.runner, g.sample_id): g
        for g in _records(path / "generations.jsonl", generation_from_record)
        if g.runner in runners and g.sample_id in samples
    }
    scores_path = path / "scores.jsonl"
    if not _exists(scores_path) and any(
        res.get("n") for tasks in summary["results"].values() for res in tasks.values()
    ):
        raise RunLoadError(
            f"{scores_path}: missing; summary.json counts scored samples, so the run's "
            "per-sample scores are lost (the run cannot be compared or gated)"
        )
    scores = {
        (s.runner, s.sample_id): s
        for s in _records(scores_path, score_from_record)
        if s.runner in runners and s.sample_id in samples
    }
    if have_samples:
        _check_counts(scores_path, summary, scores, samples)
    scored = {sid for _, sid in scores}
    if not have_samples:
        samples = {sid: s for sid, s in samples.items() if sid in scored}
    return RunData(
        path=path,
        manifest=manifest,
        summary=summary,
        config=config,
        samples=samples,
        documents=documents,
        generations=generations,
        scores=scores,
        warnings=tuple(warnings),
    )


def _exists(path: Path) -> bool:
    try:
        return regular_file(path)
    except RunFileError as exc:
        raise RunLoadError(str(exc)) from None


def _check_counts(
    path: Path,
    summary: Mapping[str, Any],
    scores: Mapping[tuple[str, str], Score],
    samples: Mapping[str, Sample],
) -> None:
    """Every (runner, task) the summary counts has exactly that many scores in ``path``."""
    have: dict[tuple[str, str], int] = {}
    for runner, sid in scores:
        key = (runner, samples[sid].task)
        have[key] = have.get(key, 0) + 1
    for runner, tasks in summary["results"].items():
        for task, res in tasks.items():
            got, want = have.get((runner, task), 0), res["n"]
            if got != want:
                raise RunLoadError(
                    f"{path}: holds {got} scores of runner {runner!r} on {task}, but "
                    f"summary.json counts {want}: the run's files do not match (lines lost "
                    "or edited?)"
                )


def higher_is_better(key: str) -> bool:
    """Whether a larger value of ``metric.key`` is better (registered metrics say; else True).

    >>> higher_is_better("qa_de.f1")
    True
    """
    from harness import metrics

    name, _, sub = key.partition(".")
    if name not in metrics.names():
        return True
    return bool(metrics.METRICS.get(name).higher_is_better.get(sub, True))
