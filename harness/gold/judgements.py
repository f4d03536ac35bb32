"""Human judgements shipped with the gold: the ground truth of meta-evaluation.

Two optional files in a gold folder (format in ``gold/README.md``):

* ``judgements.jsonl``: one judged QA answer per line,
  ``{"sample_id", "answer", "verdict", "reason", "source"?}``. ``sample_id`` is
  the question's id in ``qa.jsonl`` (optionally ``<doc-id>/`` before it and
  ``@en`` after it when the English rendering of the question was asked);
  ``verdict`` is ``correct``, ``partial``, ``wrong`` or ``abstained``
  (``../shared/design/JUDGING.md`` and ``gold/README.md`` give the rules).
* ``summary_judgements.jsonl``: one judged summary per line,
  ``{"id", "length", "language", "text", "rating" (1-5), "facts": {fact id:
  "present" | "missing" | "contradicted"}, "errors": [{"type", "text"}],
  "reason"}``; ``errors`` lists the planted errors (the span of the summary
  that carries each).

Verdicts are written from the article, the question and the answer alone,
before any metric's output is seen; a metric that disagrees is wrong, not the
verdict.

Example:
    >>> j = QAJudgement.model_validate({"sample_id": "speaker-name", "answer": "Chhea",
    ...     "verdict": "correct", "reason": "surname alone is unambiguous"})
    >>> j.qa_id, j.language
    ('speaker-name', None)
    >>> QAJudgement.model_validate({"sample_id": "d/speaker-name@en", "answer": "x",
    ...     "verdict": "wrong", "reason": "r"}).qa_id
    'speaker-name'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.gold.load import GoldDocument, GoldError, pydantic_problems, read_jsonl

__all__ = [
    "ERROR_TYPES",
    "FACT_STATES",
    "QA_FILE",
    "SUMMARY_FILE",
    "VERDICTS",
    "QAJudgement",
    "SummaryJudgement",
    "check_judgements",
    "load_qa_judgements",
    "load_summary_judgements",
]

QA_FILE = "judgements.jsonl"
SUMMARY_FILE = "summary_judgements.jsonl"
Verdict = Literal["correct", "partial", "wrong", "abstained"]
VERDICTS: tuple[Verdict, ...] = ("correct", "partial", "wrong", "abstained")
FactState = Literal["present", "missing", "contradicted"]
FACT_STATES: tuple[FactState, ...] = ("present", "missing", "contradicted")
ErrorType = Literal[
    "date", "year", "number", "person", "role", "name", "pillars-missing", "venue", "other"
]
ERROR_TYPES: tuple[str, ...] = ErrorType.__args__  # type: ignore[attr-defined]
_SAMPLE_ID = re.compile(
    r"^(?:(?P<doc>[a-z0-9][a-z0-9-]*)/)?(?P<qa>[a-z0-9][a-z0-9-]*)(?:@(?P<lang>[a-z]{2}))?$"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QAJudgement(_Strict):
    """One human verdict on one answer to one question."""

    sample_id: str = Field(pattern=_SAMPLE_ID.pattern)
    answer: str
    verdict: Verdict
    reason: str = Field(min_length=1)
    source: str | None = None  # who wrote the answer: "hand", a runner name, ...

    @property
    def doc_id(self) -> str | None:
        m = _SAMPLE_ID.match(self.sample_id)
        return m.group("doc") if m else None

    @property
    def qa_id(self) -> str:
        m = _SAMPLE_ID.match(self.sample_id)
        return m.group("qa") if m else self.sample_id

    @property
    def language(self) -> str | None:
        """The language the question was asked in when not the article's (``en``), else None."""
        m = _SAMPLE_ID.match(self.sample_id)
        return m.group("lang") if m else None


class PlantedError(_Strict):
    type: ErrorType
    text: str = ""  # the span of the summary that carries the error ("" for a missing item)
    note: str | None = None


class SummaryJudgement(_Strict):
    """One human rating of one summary, with a state per key fact."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    length: Literal["headline", "abstract", "bullets"]
    language: str = Field(pattern=r"^[a-z]{2}$")
    text: str = Field(min_length=1)
    rating: int = Field(ge=1, le=5)
    facts: dict[str, FactState]
    errors: list[PlantedError] = []
    reason: str = Field(min_length=1)

    @field_validator("facts")
    @classmethod
    def _some_facts(cls, v: dict[str, FactState]) -> dict[str, FactState]:
        if not v:
            raise ValueError("annotate every key fact of the document")
        return v


Problem = tuple[Path, int, str, str]  # file, line, field, message
_J = TypeVar("_J", "QAJudgement", "SummaryJudgement")


def _rows(path: Path, model: type[_Strict], problems: list[Problem]) -> list[tuple[int, _Strict]]:
    rows: list[tuple[int, _Strict]] = []
    try:
        lines = list(read_jsonl(path))
    except GoldError as exc:
        where, _, rest = str(exc).partition(": ")
        line = where.rpartition(":")[2]
        problems.append((path, int(line) if line.isdigit() else 0, "(line)", rest))
        return rows
    for no, obj in lines:
        try:
            rows.append((no, model.model_validate(obj)))
        except ValidationError as exc:
            for field, msg in pydantic_problems(exc):
                problems.append((path, no, field, msg))
    return rows


def _check_qa(
    path: Path, doc_id: str, questions: Mapping[str, bool], problems: list[Problem]
) -> list[QAJudgement]:
    out: list[QAJudgement] = []
    seen: dict[tuple[str, str | None, str], int] = {}
    for no, row in _rows(path, QAJudgement, problems):
        assert isinstance(row, QAJudgement)
        if row.doc_id not in (None, doc_id):
            problems.append(
                (path, no, "sample_id", f"document {row.doc_id!r} is not this folder's {doc_id!r}")
            )
            continue
        if row.qa_id not in questions:
            problems.append((path, no, "sample_id", f"no question {row.qa_id!r} in qa.jsonl"))
            continue
        if not questions[row.qa_id] and row.verdict in ("correct", "partial"):
            problems.append(
                (
                    path,
                    no,
                    "verdict",
                    f"{row.verdict!r} on an unanswerable question: an answer there is 'wrong', "
                    "an abstention 'abstained'",
                )
            )
            continue
        key = (row.qa_id, row.language, row.answer)
        if key in seen:
            problems.append(
                (path, no, "answer", f"the same answer is judged on line {seen[key]} already")
            )
            continue
        seen[key] = no
        out.append(row)
    return out


def _check_summaries(
    path: Path, fact_ids: Iterable[str], problems: list[Problem]
) -> list[SummaryJudgement]:
    out: list[SummaryJudgement] = []
    facts = list(fact_ids)
    seen: dict[str, int] = {}
    for no, row in _rows(path, SummaryJudgement, problems):
        assert isinstance(row, SummaryJudgement)
        ok = True
        if row.id in seen:
            problems.append(
                (path, no, "id", f"duplicate id {row.id!r} (first on line {seen[row.id]})")
            )
            continue
        seen[row.id] = no
        unknown = sorted(set(row.facts) - set(facts))
        if unknown:
            problems.append((path, no, "facts", f"no such key facts: {', '.join(unknown)}"))
            ok = False
        missing = [f for f in facts if f not in row.facts]
        if missing:
            problems.append((path, no, "facts", f"not annotated: {', '.join(missing)}"))
            ok = False
        for i, err in enumerate(row.errors):
            if err.text and err.text not in row.text:
                problems.append(
                    (path, no, f"errors.{i}.text", f"{err.text!r} is not in the summary's text")
                )
                ok = False
        if ok:
            out.append(row)
    return out


def check_judgements(doc: GoldDocument) -> list[Problem]:
    """Every problem in the judgement files of ``doc`` as ``(file, line, field, message)``."""
    problems: list[Problem] = []
    questions = {q.id: q.answerable for q in doc.qa}
    if (doc.path / QA_FILE).exists():
        _check_qa(doc.path / QA_FILE, doc.id, questions, problems)
    if (doc.path / SUMMARY_FILE).exists():
        _check_summaries(doc.path / SUMMARY_FILE, [f.id for f in doc.facts], problems)
    return problems


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        path, line, field, msg = problems[0]
        more = (
            f" (and {len(problems) - 1} more; run `harness gold validate`)"
            if len(problems) > 1
            else ""
        )
        raise GoldError(f"{path}:{line}: {field}: {msg}{more}")


def load_qa_judgements(doc: GoldDocument) -> list[QAJudgement]:
    """The QA judgements of ``doc`` (``[]`` without the file).

    Raises:
        GoldError: naming file, line and field of the first problem.
    """
    return _load(
        doc.path / QA_FILE,
        lambda path, problems: _check_qa(
            path, doc.id, {q.id: q.answerable for q in doc.qa}, problems
        ),
    )


def load_summary_judgements(doc: GoldDocument) -> list[SummaryJudgement]:
    """The summary judgements of ``doc`` (``[]`` without the file).

    Raises:
        GoldError: naming file, line and field of the first problem.
    """
    return _load(
        doc.path / SUMMARY_FILE,
        lambda path, problems: _check_summaries(path, [f.id for f in doc.facts], problems),
    )


def _load(path: Path, check: Callable[[Path, list[Problem]], list[_J]]) -> list[_J]:
    if not path.exists():
        return []
    problems: list[Problem] = []
    rows = check(path, problems)
    _raise_first(problems)
    return rows
