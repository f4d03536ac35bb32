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
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from harness.results import atomic_write_json, atomic_write_text, dump_jsonl
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
        return cls(m.group(1), m.group(2), float(m.group(3)))

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

    def task_scores(self, runner: str, task: str) -> dict[str, Score]:
        """``sample_id -> Score`` of one runner on one task."""
        return {
            sid: s
            for (r, sid), s in self.scores.items()
            if r == runner and sid in self.samples and self.samples[sid].task == task
        }


def save_inputs(run_dir: Path, samples: Sequence[Sample], docs: Mapping[str, GoldDocument]) -> None:
    """Write ``samples.jsonl`` and ``documents.json`` so reports rebuild without the gold."""
    atomic_write_text(run_dir / SAMPLES_FILE, dump_jsonl(s.to_dict() for s in samples))
    atomic_write_json(
        run_dir / DOCUMENTS_FILE,
        {
            doc_id: {
                "title": doc.meta.title,
                "language": doc.meta.language,
                "text": doc.article,
                "meta": doc.meta.model_dump(mode="json"),
            }
            for doc_id, doc in docs.items()
        },
    )


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RunLoadError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunLoadError(f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunLoadError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)``; a torn last line (a crash mid-write) is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            if not line.endswith("\n"):
                return
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RunLoadError(f"{path}:{no}: invalid JSON: {exc.msg}") from None
            if not isinstance(obj, dict):
                raise RunLoadError(f"{path}:{no}: expected a JSON object")
            yield no, obj


def _records(path: Path, make: Callable[[Mapping[str, Any]], Any]) -> Iterator[Any]:
    for no, obj in _read_jsonl(path):
        try:
            yield make(obj)
        except KeyError as exc:
            raise RunLoadError(f"{path}:{no}: {exc.args[0]}: missing") from None
        except (TypeError, ValueError) as exc:
            raise RunLoadError(f"{path}:{no}: {exc}") from None


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


def load_run(path: Path | str) -> RunData:
    """Read a finished run directory; :class:`RunLoadError` names the file and line of a problem.

    Raises:
        RunLoadError: the folder is not a finished run or a file in it is malformed.
    """
    path = Path(path)
    if not path.is_dir():
        raise RunLoadError(f"{path}: no such run directory")
    if not (path / "summary.json").is_file():
        raise RunLoadError(
            f"{path / 'summary.json'}: missing; not a finished run "
            "(an interrupted run is finished with: harness run CONFIG --resume RUN_DIR)"
        )
    summary = _read_json(path / "summary.json")
    if not isinstance(summary, dict) or not isinstance(summary.get("results"), dict):
        raise RunLoadError(f"{path / 'summary.json'}: results: missing or not a mapping")
    manifest = _read_json(path / "manifest.json") if (path / "manifest.json").is_file() else {}
    config: dict[str, Any] = {}
    if (path / "config.yaml").is_file():
        try:
            loaded = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RunLoadError(f"{path / 'config.yaml'}: invalid YAML: {exc}") from None
        config = loaded if isinstance(loaded, dict) else {}
    warnings: list[str] = []
    if (path / SAMPLES_FILE).is_file():
        samples = {s.id: s for s in _records(path / SAMPLES_FILE, Sample.from_dict)}
        documents: dict[str, Document] = {}
        if (path / DOCUMENTS_FILE).is_file():
            raw_docs = _read_json(path / DOCUMENTS_FILE)
            if not isinstance(raw_docs, dict):
                raise RunLoadError(f"{path / DOCUMENTS_FILE}: expected a mapping of documents")
            for doc_id, d in raw_docs.items():
                if not isinstance(d, dict) or not isinstance(d.get("text"), str):
                    raise RunLoadError(f"{path / DOCUMENTS_FILE}: {doc_id}.text: missing")
                documents[doc_id] = Document(
                    doc_id,
                    str(d.get("title", doc_id)),
                    d["text"],
                    str(d.get("language", "")),
                    dict(d.get("meta") or {}),
                )
        else:
            warnings.append(f"{DOCUMENTS_FILE} missing: articles are not shown")
    else:
        samples, documents = _from_gold(path, manifest, config)
        warnings.append(
            f"{SAMPLES_FILE} missing (a run made by an older harness): samples and articles "
            "were read from the gold folders named in manifest.json, which may have changed since"
        )
    runners = set(summary.get("runners", []))
    generations = {
        (g.runner, g.sample_id): g
        for g in _records(path / "generations.jsonl", Generation.from_dict)
        if g.runner in runners and g.sample_id in samples
    }
    scores = {
        (s.runner, s.sample_id): s
        for s in _records(path / "scores.jsonl", Score.from_dict)
        if s.runner in runners and s.sample_id in samples
    }
    scored = {sid for _, sid in scores}
    if not (path / SAMPLES_FILE).is_file():
        samples = {sid: s for sid, s in samples.items() if sid in scored}
    return RunData(
        path=path,
        manifest=manifest if isinstance(manifest, dict) else {},
        summary=summary,
        config=config,
        samples=samples,
        documents=documents,
        generations=generations,
        scores=scores,
        warnings=tuple(warnings),
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
