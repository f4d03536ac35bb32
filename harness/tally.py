"""A run's numbers in one streaming pass over its files: aggregates in bounded memory.

:class:`RunTally` reads ``generations.jsonl`` and ``scores.jsonl`` line by
line and keeps, per runner and sample, only what the summary, the manifest
and the reports count: every metric value (one float array per metric key),
where the latest line of each file is (its byte offset, so a report can read
that one line again), whether the generation failed or came from the cache,
its seconds and token usage, and the two kinds of per-sample detail that
``report.md`` lists (key facts, hallucinated spans). No texts and no other
details are held: the memory is a few dozen bytes per runner and sample
(about 30 MB for 100,000 questions and three runners), and anything else is
read back from the files on demand (:meth:`RunTally.generation`,
:meth:`RunTally.score`).

As everywhere in a run folder, the latest line of a ``(runner, sample)`` pair
wins, a torn last line is skipped, and a damaged line is a
:class:`~harness.results.RunFileError` naming file, line and field.

:func:`aggregate_tally` computes ``summary.json``'s results from a tally,
with the numbers :func:`harness.pipeline.aggregate` always gave: the same
values in the same order (sorted by sample id) go into the same seeded
bootstrap, here resampled column by column in shared blocks
(:func:`harness.stats.bootstrap_means`).

Example:
    >>> import tempfile
    >>> from harness.types import Sample, Score
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="?", references=())
    >>> t = RunTally.from_records(["m"], [s], [Score("d/q", "m", {"qa_de.f1": 50.0})], [])
    >>> t.column("m", "qa_de.f1").tolist()
    [50.0]
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from harness.results import (
    RecordError,
    RunFileError,
    generation_from_record,
    regular_file,
    score_from_record,
)
from harness.stats import bootstrap_means
from harness.types import Generation, Sample, Score

if TYPE_CHECKING:
    from harness.metrics import HarnessMetric, ScoringInput

__all__ = ["REPORT_DETAILS", "RunTally", "aggregate_tally", "scan_jsonl"]

#: Per-sample details kept in a tally, for the sections of ``report.md`` that list them
#: (hallucination details only when they list an unsupported span or name).
REPORT_DETAILS = ("key_facts", "hallucination")

_ERROR, _FAILED, _CACHED = 1, 2, 4
# token usage per generation (every epoch counted): generations, with counts, prompt and
# completion tokens of those with counts, and the same two not served from the cache
_USAGE_FIELDS = 6


def scan_jsonl(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(byte offset, line number, object)`` of each line of a results JSONL file.

    The rules of :func:`harness.results.read_jsonl_lines`: nothing when the file
    does not exist, a torn last line (no newline) skipped, blank lines skipped,
    every other line UTF-8 and one JSON object.

    Raises:
        RunFileError: ``file:line: what`` for the first bad line, or a file that
            is no regular file or cannot be read.
    """
    if not regular_file(path):
        return
    try:
        f = path.open("rb")
    except OSError as exc:
        raise RunFileError(f"{path}: cannot read: {exc.strerror}") from None
    with f:
        offset = no = 0
        while True:
            try:
                raw = f.readline()
            except OSError as exc:
                raise RunFileError(f"{path}:{no + 1}: cannot read: {exc.strerror}") from None
            if not raw:
                return
            no += 1
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                return  # torn write
            obj = _parse(path, no, raw)
            if obj is not None:
                yield start, no, obj


def _parse(path: Path, no: int, raw: bytes) -> dict[str, Any] | None:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunFileError(f"{path}:{no}: not valid UTF-8 (byte {exc.start} of the line)") from None
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RunFileError(f"{path}:{no}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise RunFileError(f"{path}:{no}: invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise RunFileError(f"{path}:{no}: invalid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise RunFileError(
            f"{path}:{no}: (record): expected a JSON object, got {type(obj).__name__}"
        )
    return obj


def _wall(record: Mapping[str, Any]) -> float:
    value = record.get("wall", 0.0)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


def _usage(g: Generation) -> tuple[int, int, int, int, int, int]:
    each = g.epoch_generations() or [g]
    counted = [e for e in each if e.prompt_tokens is not None and e.completion_tokens is not None]
    fresh = [e for e in counted if not e.cached]
    return (
        len(each),
        len(counted),
        sum(e.prompt_tokens or 0 for e in counted),
        sum(e.completion_tokens or 0 for e in counted),
        sum(e.prompt_tokens or 0 for e in fresh),
        sum(e.completion_tokens or 0 for e in fresh),
    )


@dataclass
class RunTally:
    """Per runner and sample: the latest lines' offsets, the values, and a few counts.

    Build one with :meth:`read` (a run folder) or :meth:`from_records` (values in
    memory). Runners and samples outside ``runners`` / ``samples`` are left out,
    as the summary leaves them out.

    Attributes:
        runners: Runner names, in order (index ``r``).
        samples: The samples, in order (index ``s``).
        keys: Metric keys in the order first seen.
    """

    runners: list[str]
    samples: list[Sample]
    path: Path | None = None
    keys: list[str] = field(default_factory=list)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # key -> (R, S), NaN: none
    details: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    _gens: dict[tuple[int, int], Generation] = field(default_factory=dict)
    _scores: dict[tuple[int, int], Score] = field(default_factory=dict)
    _files: dict[str, IO[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = (len(self.runners), len(self.samples))
        self.runner_index = {r: i for i, r in enumerate(self.runners)}
        self.sample_index = {s.id: i for i, s in enumerate(self.samples)}
        self.gen_at = np.full(shape, -1, dtype=np.int64)  # byte offset of the latest line
        self.score_at = np.full(shape, -1, dtype=np.int64)
        self.score_first = np.full(shape, -1, dtype=np.int64)  # line number first seen
        self.flags = np.zeros(shape, dtype=np.uint8)  # _ERROR | _FAILED | _CACHED
        self.gen_wall = np.zeros(shape)
        self.score_wall = np.zeros(shape)
        self.usage = np.zeros((*shape, _USAGE_FIELDS), dtype=np.int64)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def read(cls, path: Path, runners: Sequence[str], samples: Sequence[Sample]) -> RunTally:
        """One pass over ``path``'s ``generations.jsonl`` and ``scores.jsonl``.

        Raises:
            RunFileError: A damaged line (``file:line: field: what``).
        """
        tally = cls(list(runners), list(samples), path=path)
        for offset, no, obj in scan_jsonl(path / "generations.jsonl"):
            g = _record(path / "generations.jsonl", no, obj, generation_from_record)
            at = tally._at(g.runner, g.sample_id)
            if at is not None:
                tally._add_generation(at, g, _wall(obj), offset)
        for offset, no, obj in scan_jsonl(path / "scores.jsonl"):
            s = _record(path / "scores.jsonl", no, obj, score_from_record)
            at = tally._at(s.runner, s.sample_id)
            if at is not None:
                tally._add_score(at, s, _wall(obj), offset, no)
        return tally

    @classmethod
    def from_records(
        cls,
        runners: Sequence[str],
        samples: Sequence[Sample],
        scores: Iterable[Score],
        generations: Iterable[Generation],
    ) -> RunTally:
        """A tally of values in memory (the last of a pair wins); generations stay readable."""
        tally = cls(list(runners), list(samples))
        for g in generations:
            at = tally._at(g.runner, g.sample_id)
            if at is not None:
                tally._add_generation(at, g, 0.0, -2)
                tally._gens[at] = g
        for no, s in enumerate(scores):
            at = tally._at(s.runner, s.sample_id)
            if at is not None:
                tally._add_score(at, s, 0.0, -2, no)
                tally._scores[at] = s
        return tally

    def _at(self, runner: str, sample_id: str) -> tuple[int, int] | None:
        r = self.runner_index.get(runner)
        s = self.sample_index.get(sample_id)
        return None if r is None or s is None else (r, s)

    def _add_generation(self, at: tuple[int, int], g: Generation, wall: float, offset: int) -> None:
        self.gen_at[at] = offset
        self.flags[at] = (
            (_ERROR if g.error else 0) | (_FAILED if g.failed else 0) | (_CACHED if g.cached else 0)
        )
        self.gen_wall[at] = wall
        self.usage[at] = _usage(g)

    def _add_score(
        self, at: tuple[int, int], s: Score, wall: float, offset: int, line: int
    ) -> None:
        if self.score_at[at] != -1:  # a later line replaces every value of the pair
            for old in self.values.values():
                old[at] = np.nan
        else:
            self.score_first[at] = line
        self.score_at[at] = offset
        self.score_wall[at] = wall
        for k, v in s.values.items():
            column: np.ndarray | None = self.values.get(k)
            if column is None:
                column = self.values[k] = np.full(self.gen_at.shape, np.nan)
                self.keys.append(k)
            column[at] = v
        kept = {k: s.details[k] for k in REPORT_DETAILS if k in s.details}
        found = kept.get("hallucination")
        if isinstance(found, Mapping) and not found.get("unsupported") and not found.get("names"):
            del kept["hallucination"]  # nothing the report would list
        if kept:
            self.details[at] = kept
        else:
            self.details.pop(at, None)

    # -- reading ----------------------------------------------------------------------

    def column(self, runner: str, key: str) -> np.ndarray:
        """Values of ``key`` for ``runner``, one per sample (NaN: no value)."""
        out: np.ndarray = self.values[key][self.runner_index[runner]]
        return out

    def has_score(self, r: int, s: int) -> bool:
        return bool(self.score_at[r, s] != -1)

    def has_generation(self, r: int, s: int) -> bool:
        return bool(self.gen_at[r, s] != -1)

    def row_values(self, r: int, s: int) -> dict[str, float]:
        """The metric values of one pair, in the order the keys were first seen."""
        out = {}
        for k in self.keys:
            v = self.values[k][r, s]
            if v == v:
                out[k] = float(v)
        return out

    def generation(self, r: int, s: int) -> Generation | None:
        """The latest generation of runner ``r`` on sample ``s`` (read back from its line)."""
        if self.gen_at[r, s] == -1:
            return None
        if (r, s) in self._gens or self.path is None:
            return self._gens.get((r, s))
        obj = self._line(self.path / "generations.jsonl", int(self.gen_at[r, s]))
        return Generation.from_dict(obj)  # checked field by field when the tally was read

    def score(self, r: int, s: int) -> Score | None:
        """The latest score line of runner ``r`` on sample ``s``, details and all."""
        if self.score_at[r, s] == -1:
            return None
        if (r, s) in self._scores or self.path is None:
            return self._scores.get((r, s))
        return Score.from_dict(self._line(self.path / "scores.jsonl", int(self.score_at[r, s])))

    def light_score(self, r: int, s: int) -> Score:
        """A :class:`Score` with every value and only the :data:`REPORT_DETAILS`."""
        return Score(
            self.samples[s].id, self.runners[r], self.row_values(r, s), self.details.get((r, s), {})
        )

    def light_scores(self) -> list[Score]:
        """:meth:`light_score` of every scored pair, runner by runner, in sample order."""
        rs, ss = np.nonzero(self.score_at != -1)
        return [self.light_score(int(r), int(s)) for r, s in zip(rs, ss, strict=True)]

    def report_scores(self, worst: int, primary: Mapping[str, str]) -> list[Score]:
        """The light scores ``report.md`` lists, without one per pair.

        Every pair with :data:`REPORT_DETAILS`, and per runner and task the ``worst``
        pairs lowest on the task's ``primary`` key (ties by sample id, as the report
        sorts them), in :meth:`light_scores`' order.
        """
        keep = {(int(r), int(s)) for r, s in self.details}
        tasks = np.array([sample.task for sample in self.samples])
        ids = [sample.id for sample in self.samples]
        for task, key in primary.items():
            column = self.values.get(key)
            if column is None or worst <= 0:
                continue
            for r in range(len(self.runners)):
                have = np.nonzero((tasks == task) & ~np.isnan(column[r]))[0]
                lowest = sorted(have, key=lambda s: (column[r, s], ids[s]))[:worst]
                keep.update((r, int(s)) for s in lowest)
        return [self.light_score(r, s) for r, s in sorted(keep)]

    def score_order(self) -> list[tuple[int, int]]:
        """Scored pairs in the order their first line appears in ``scores.jsonl``."""
        rs, ss = np.nonzero(self.score_at != -1)
        first = self.score_first[rs, ss]
        order = np.argsort(first, kind="stable")
        return [(int(rs[i]), int(ss[i])) for i in order]

    def _line(self, path: Path, offset: int) -> dict[str, Any]:
        f = self._files.get(str(path))
        if f is None:
            f = self._files[str(path)] = path.open("rb")
        f.seek(offset)
        obj = _parse(path, 0, f.readline())
        if obj is None:  # pragma: no cover - offsets point at lines read before
            raise RunFileError(f"{path}: the line at byte {offset} is gone")
        return obj

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()

    # -- the manifest's totals ----------------------------------------------------------

    def session_totals(self, manifest: dict[str, Any]) -> None:
        """Cache counters and generate/score seconds of each runner over every session."""
        for name, info in manifest["runners"].items():
            r = self.runner_index.get(name)
            if r is None:
                continue
            have = self.gen_at[r] != -1
            hits = int(((self.flags[r] & _CACHED) != 0)[have].sum())
            info["cache"] = {"hits": hits, "misses": int(have.sum()) - hits}
            info["seconds_generate"] = round(float(self.gen_wall[r][have].sum()), 3)
            scored = self.score_at[r] != -1
            info["seconds_score"] = round(float(self.score_wall[r][scored].sum()), 3)

    def usage_totals(self, manifest: dict[str, Any], prices: Mapping[str, Any]) -> None:
        """Token counts of each runner (every epoch), and with a ``price`` the estimated cost.

        ``prices`` maps a runner name to its :class:`~harness.config.PriceSpec` (or None):
        ``(prompt * price.prompt + completion * price.completion) / 1e6``, in total and
        for the generations not served from the cache.
        """
        for name, info in manifest["runners"].items():
            r = self.runner_index.get(name)
            if r is None:
                continue
            total = self.usage[r][self.gen_at[r] != -1].sum(axis=0)
            each, counted, prompt, completion, fresh_prompt, fresh_completion = (
                int(v) for v in total
            ) if len(total) else (0,) * _USAGE_FIELDS
            usage: dict[str, Any] = {
                "generations": each,
                "with_token_counts": counted,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
            }
            price = prices.get(name)
            if price is not None:

                def cost(p_tokens: int, c_tokens: int, p: Any = price) -> float:
                    return float(round((p_tokens * p.prompt + c_tokens * p.completion) / 1e6, 10))

                estimate: dict[str, Any] = {
                    "currency": price.currency,
                    "total": cost(prompt, completion),
                    "uncached": cost(fresh_prompt, fresh_completion),
                    "price_per_million_tokens": price.model_dump(exclude={"currency"}),
                }
                if counted < each:
                    estimate["note"] = (
                        f"{each - counted} of {each} generations reported no token "
                        "counts and are not in the estimate"
                    )
                usage["estimated_cost"] = estimate
            info["usage"] = usage


def _record(
    path: Path, no: int, obj: Mapping[str, Any], make: Callable[[Mapping[str, Any]], Any]
) -> Any:
    try:
        return make(obj)
    except RecordError as exc:
        where = f"{path}:{no}" if no else str(path)
        raise RunFileError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Bootstrap:
    """The bootstrap settings of a run (``cfg.bootstrap``)."""

    resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0


def aggregate_tally(
    tally: RunTally,
    metrics: Mapping[str, Sequence[HarnessMetric]],
    scoring_input: Callable[[Generation], ScoringInput],
    boot: Bootstrap,
) -> dict[str, Any]:
    """Per runner and task: every metric key with a bootstrap CI, per category and subset.

    The structure and numbers of :func:`harness.pipeline.aggregate`: ``{runner: {task:
    {n, errors, failed, metrics, corpus, categories, subsets}}}``, runners and tasks
    sorted. Corpus-level metrics (``metric.corpus_level``) read the generations of their
    task back (``scoring_input`` turns one into what the metric sees).
    """
    samples = tally.samples
    by_id_order = sorted(range(len(samples)), key=lambda i: samples[i].id)
    tasks: list[str] = sorted({s.task for s in samples})
    plan: list[tuple[str, str, list[int]]] = []
    for r_name in sorted(tally.runners):
        r = tally.runner_index[r_name]
        scored = tally.score_at[r] != -1
        for task in tasks:
            rows = [i for i in by_id_order if scored[i] and samples[i].task == task]
            if rows:
                plan.append((r_name, task, rows))
    # every estimate's values, in one list, resampled together
    columns: list[np.ndarray] = []
    slots: list[tuple[int, str, str, str]] = []  # (plan index, block, group, key)
    for p, (r_name, task, rows) in enumerate(plan):
        r = tally.runner_index[r_name]
        idx = np.asarray(rows)
        keys = sorted(k for k in tally.keys if not np.isnan(tally.values[k][r, idx]).all())
        groups: list[tuple[str, str, np.ndarray]] = [("metrics", "", idx)]
        cats: dict[str, list[int]] = {}
        subsets: dict[str, list[int]] = {}
        for i in rows:
            cats.setdefault(samples[i].category, []).append(i)
            if task == "qa":
                part = "answerable" if samples[i].answerable else "unanswerable"
                subsets.setdefault(part, []).append(i)
        groups += [("categories", c, np.asarray(v)) for c, v in sorted(cats.items())]
        groups += [("subsets", c, np.asarray(v)) for c, v in sorted(subsets.items())]
        for block, group, members in groups:
            for k in keys:
                x = tally.values[k][r, members]
                columns.append(x[x == x])
                slots.append((p, block, group, k))
    estimates = bootstrap_means(columns, boot.resamples, boot.confidence, boot.seed)
    out: dict[str, Any] = {}
    results: dict[int, dict[str, Any]] = {}
    for p, (r_name, task, rows) in enumerate(plan):
        r = tally.runner_index[r_name]
        idx = np.asarray(rows)
        have = tally.gen_at[r, idx] != -1
        flags = tally.flags[r, idx][have]
        results[p] = {
            "n": len(rows),
            "errors": int(((flags & _ERROR) != 0).sum()),
            # scored as failures: the errors plus outputs that are no answer (cut off empty,
            # filtered, refused, reasoning not finished)
            "failed": int(((flags & _FAILED) != 0).sum()),
            "metrics": {},
            "corpus": _corpus(tally, r, rows, metrics.get(task, ()), scoring_input),
            "categories": {},
            "subsets": {},
        }
    for (p, block, group, k), est in zip(slots, estimates, strict=True):
        target = results[p][block]
        if block != "metrics":
            target = target.setdefault(group, {})
        target[k] = est.to_dict()
    for p, (r_name, task, _) in enumerate(plan):
        out.setdefault(r_name, {})[task] = results[p]
    return out


def _corpus(
    tally: RunTally,
    r: int,
    rows: Sequence[int],
    metrics: Sequence[HarnessMetric],
    scoring_input: Callable[[Generation], ScoringInput],
) -> dict[str, float]:
    corpus: dict[str, float] = {}
    wanted = [m for m in metrics if m.corpus_level]
    if not wanted:
        return corpus
    scored = [i for i in rows if tally.has_generation(r, i)]
    gens = [tally.generation(r, i) for i in scored]
    items = [scoring_input(g) for g in gens if g is not None]
    for metric in wanted:
        prefix = metric.metric_name + "."
        per = [
            {k[len(prefix) :]: v for k, v in tally.row_values(r, i).items() if k.startswith(prefix)}
            for i in scored
        ]
        for k, v in metric.aggregate(per, items).items():
            corpus[f"{metric.metric_name}.{k}"] = v
    return corpus
