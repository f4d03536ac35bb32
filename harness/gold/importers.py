"""Gold from elsewhere: SQuAD-format files and Hugging Face datasets.

SQuAD v1/v2 JSON (SQuAD, XQuAD, GermanQuAD, MLQA) and flat SQuAD-style
datasets (one row per question: id, title, context, question, answers) become
the same :class:`~harness.gold.load.GoldDocument` values the hand-written gold
loads into: one document per context (a SQuAD "paragraph"), one question per
``qa`` item with every distinct answer and an evidence span per answer taken
from ``answer_start``. Spans are proven: ``context[start:end] == text`` or the
answer is looked for nearby; answers that cannot be placed, or that the gold
validator would reject, are dropped and counted in the :class:`ImportReport`.

Example:
    >>> para = SquadParagraph(
    ...     title="Berlin", context="Berlin ist die Hauptstadt Deutschlands.",
    ...     questions=(SquadQuestion("q1", "Was ist Berlin?",
    ...                              (SquadAnswer("die Hauptstadt", 11),)),),
    ...     where="data[0].paragraphs[0]")
    >>> report = ImportReport()
    >>> doc = to_document(para, "xquad-de-0-0", "de", source_name="XQuAD", report=report)
    >>> doc.qa[0].evidence[0].text, doc.qa[0].evidence[0].start
    ('die Hauptstadt', 11)
    >>> report.questions, report.moved, report.dropped_answers
    (1, 0, [])
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from harness.gold.load import GoldDocument, pydantic_problems
from harness.gold.schema import EvidenceModel, MetaModel, QAModel, SourceModel
from harness.text.answers import answer_supported

if TYPE_CHECKING:
    from harness.config import DatasetSpec

CATEGORY = "squad"
_UNSAFE = re.compile(r"[^a-z0-9]+")


class SquadFormatError(ValueError):
    """The input is not in SQuAD format; the message names the file and the JSON path."""


def safe_id(text: str, fallback: str = "x") -> str:
    """``text`` as a gold id (``[a-z0-9][a-z0-9-]*``): lowercase, other runs to ``-``.

    >>> safe_id("xquad.de"), safe_id("56beb4343aeaaa14008c925b"), safe_id("__")
    ('xquad-de', '56beb4343aeaaa14008c925b', 'x')
    """
    out = _UNSAFE.sub("-", text.lower()).strip("-")
    return out or fallback


@dataclass(frozen=True)
class SquadAnswer:
    """One answer as SQuAD gives it; ``start`` is ``None`` when the source has no offset."""

    text: str
    start: int | None


@dataclass(frozen=True)
class SquadQuestion:
    """One SQuAD question; no answers and ``impossible`` for SQuAD v2 unanswerables."""

    id: str
    question: str
    answers: tuple[SquadAnswer, ...]
    impossible: bool = False
    question_en: str | None = None


@dataclass(frozen=True)
class SquadParagraph:
    """One context with its questions; ``where`` locates it in the source for messages."""

    title: str
    context: str
    questions: tuple[SquadQuestion, ...]
    where: str = ""


@dataclass
class ImportReport:
    """What an import did, and every answer or question it could not keep (with the reason)."""

    documents: int = 0
    questions: int = 0
    unanswerable: int = 0
    answers: int = 0
    moved: int = 0
    located: int = 0
    dropped_answers: list[str] = field(default_factory=list)
    dropped_questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [*self.dropped_answers, *self.dropped_questions, *self.notes]

    def summary(self) -> str:
        """One line for people.

        >>> print(ImportReport(documents=2, questions=5, answers=6).summary())
        ... # doctest: +NORMALIZE_WHITESPACE
        2 documents, 5 questions (0 unanswerable), 6 answers;
        0 spans moved, 0 answers dropped, 0 questions dropped
        """
        return (
            f"{self.documents} documents, {self.questions} questions "
            f"({self.unanswerable} unanswerable), {self.answers} answers; "
            f"{self.moved} spans moved, {len(self.dropped_answers)} answers dropped, "
            f"{len(self.dropped_questions)} questions dropped"
        )


# -- reading SQuAD JSON -------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need(obj: Mapping[str, Any], key: str, kind: type, where: str, path: Path) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (kind is int and not _is_int(value)):
        raise SquadFormatError(
            f"{path}: {where}.{key}: missing or not a {kind.__name__} (got {value!r:.60})"
        )
    return value


def _read_json(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SquadFormatError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SquadFormatError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SquadFormatError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None


def read_squad(path: Path | str, limit_articles: int | None = None) -> list[SquadParagraph]:
    """Every paragraph of a SQuAD v1/v2 JSON file (``{"data": [{"title", "paragraphs"}]}``)."""
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise SquadFormatError(f'{path}: data: expected {{"data": [...]}} (SQuAD format)')
    out: list[SquadParagraph] = []
    for ai, article in enumerate(data["data"][:limit_articles]):
        where_a = f"data[{ai}]"
        if not isinstance(article, dict):
            raise SquadFormatError(f"{path}: {where_a}: expected an object")
        title = article.get("title")
        title = title if isinstance(title, str) else ""
        for pi, para in enumerate(_need(article, "paragraphs", list, where_a, path)):
            where_p = f"{where_a}.paragraphs[{pi}]"
            if not isinstance(para, dict):
                raise SquadFormatError(f"{path}: {where_p}: expected an object")
            context = _need(para, "context", str, where_p, path)
            questions = []
            for qi, qa in enumerate(_need(para, "qas", list, where_p, path)):
                where_q = f"{where_p}.qas[{qi}]"
                if not isinstance(qa, dict):
                    raise SquadFormatError(f"{path}: {where_q}: expected an object")
                answers = []
                for ni, ans in enumerate(qa.get("answers") or []):
                    where_n = f"{where_q}.answers[{ni}]"
                    if not isinstance(ans, dict):
                        raise SquadFormatError(f"{path}: {where_n}: expected an object")
                    text = _need(ans, "text", str, where_n, path)
                    start = ans.get("answer_start")
                    if start is not None and not _is_int(start):
                        raise SquadFormatError(
                            f"{path}: {where_n}.answer_start: not an integer ({start!r:.40})"
                        )
                    answers.append(SquadAnswer(text, start))
                qid = qa.get("id")
                questions.append(
                    SquadQuestion(
                        id=str(qid) if isinstance(qid, str | int) else f"{ai}-{pi}-{qi}",
                        question=_need(qa, "question", str, where_q, path),
                        answers=tuple(answers),
                        impossible=bool(qa.get("is_impossible", False)),
                    )
                )
            out.append(SquadParagraph(title, context, tuple(questions), where_p))
    return out


def squad_questions(path: Path | str) -> dict[str, str]:
    """Question id -> question text of a SQuAD file (for ``--english``)."""
    return {q.id: q.question for p in read_squad(path) for q in p.questions}


# -- conversion -----------------------------------------------------------------


def _place(context: str, answer: SquadAnswer) -> tuple[int, str] | str:
    """``(start, text)`` of an answer in ``context``, or why it cannot be placed."""
    text = answer.text.strip()
    if not text:
        return "the answer is empty"
    if answer.start is None:
        found = context.find(text)
        return (found, text) if found >= 0 else f"{text!r} does not occur in the context"
    start = answer.start + (len(answer.text) - len(answer.text.lstrip()))
    if context[start : start + len(text)] == text:
        return start, text
    hits = [m.start() for m in re.finditer(re.escape(text), context)]
    if not hits:
        return f"{text!r} (answer_start {answer.start}) does not occur in the context"
    return min(hits, key=lambda h: abs(h - start)), text


def _question_item(
    q: SquadQuestion,
    item_id: str,
    context: str,
    where: str,
    report: ImportReport,
) -> QAModel | None:
    answers: list[str] = []
    spans: list[EvidenceModel] = []
    seen_spans: set[tuple[int, int]] = set()
    for i, ans in enumerate(q.answers):
        placed = _place(context, ans)
        label = f"{where} (id {q.id}) answers[{i}]"
        if isinstance(placed, str):
            report.dropped_answers.append(f"{label}: {placed}")
            continue
        start, text = placed
        if not answer_supported(text, text):
            report.dropped_answers.append(
                f"{label}: {text!r} is nothing but articles or punctuation once normalised"
            )
            continue
        if ans.start is None:
            report.located += 1
        elif start != ans.start + (len(ans.text) - len(ans.text.lstrip())):
            report.moved += 1
            report.notes.append(f"{label}: {text!r} moved from {ans.start} to {start}")
        if text not in answers:
            answers.append(text)
        if (start, start + len(text)) not in seen_spans:
            seen_spans.add((start, start + len(text)))
            spans.append(EvidenceModel(start=start, end=start + len(text), text=text))
    unanswerable = q.impossible or not q.answers
    if not unanswerable and not answers:
        report.dropped_questions.append(
            f"{where} (id {q.id}): no answer could be placed in the context"
        )
        return None
    question = q.question.strip()
    if not question:
        report.dropped_questions.append(f"{where} (id {q.id}): the question is empty")
        return None
    item = QAModel(
        id=item_id,
        question=question,
        question_en=(q.question_en or "").strip() or question,
        answers=[] if unanswerable else answers,
        category=CATEGORY,
        type="factoid",
        answerable=not unanswerable,
        evidence=[] if unanswerable else spans,
    )
    report.questions += 1
    report.unanswerable += unanswerable
    report.answers += len(item.answers)
    return item


def to_document(
    para: SquadParagraph,
    doc_id: str,
    language: str,
    source_name: str,
    report: ImportReport,
    path: Path | None = None,
    license: str | None = None,
) -> GoldDocument | None:
    """One paragraph as a gold document, or ``None`` when none of its questions survive."""
    title = " ".join(para.title.replace("_", " ").split()) or doc_id
    try:
        meta = MetaModel(
            id=doc_id,
            title=title,
            language=language,
            source=SourceModel(author="", publication=source_name, title=title, date=""),
            license=license,
        )
    except ValidationError as exc:
        field_name, msg = pydantic_problems(exc)[0]
        raise ValueError(f"{para.where}: meta {field_name}: {msg}") from None
    items: list[QAModel] = []
    used: set[str] = set()
    for q in para.questions:
        base = safe_id(q.id, fallback="q")
        item_id, n = base, 2
        while item_id in used:
            item_id, n = f"{base}-{n}", n + 1
        item = _question_item(q, item_id, para.context, para.where, report)
        if item is not None:
            used.add(item_id)
            items.append(item)
    if not items:
        report.notes.append(f"{para.where}: no questions left; document {doc_id} skipped")
        return None
    report.documents += 1
    return GoldDocument(
        id=doc_id,
        path=path or Path(doc_id),
        article=para.context,
        meta=meta,
        qa=tuple(items),
        summaries=(),
        facts=(),
    )


def write_document(doc: GoldDocument, folder: Path) -> None:
    """Write a gold folder: ``article.txt`` byte for byte, ``meta.json``, ``qa.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.txt").write_bytes(doc.article.encode("utf-8"))
    meta = doc.meta.model_dump(exclude_none=True)
    (folder / "meta.json").write_bytes(
        (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    )
    lines = [
        json.dumps(q.model_dump(exclude_none=True, exclude_defaults=False), ensure_ascii=False)
        for q in doc.qa
    ]
    (folder / "qa.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


@dataclass(frozen=True)
class ImportResult:
    """The documents an import wrote and its report."""

    documents: tuple[GoldDocument, ...]
    report: ImportReport


def import_squad(
    path: Path | str,
    out: Path | str,
    language: str = "de",
    id_prefix: str | None = None,
    limit_articles: int | None = None,
    english: Path | str | None = None,
    publication: str | None = None,
    license: str | None = None,
    overwrite: bool = False,
) -> ImportResult:
    """Turn a SQuAD-format file into gold folders ``OUT/<prefix>-<article>-<paragraph>/``.

    Args:
        path: the SQuAD v1/v2 JSON file.
        out: the gold root to write into (created if missing).
        language: the language of contexts and questions (two letters).
        id_prefix: document id prefix; default the file name (``xquad.de.json``
            -> ``xquad-de``).
        limit_articles: import only the first N SQuAD articles.
        english: a parallel SQuAD file whose questions (matched by id) become
            ``question_en``; without it ``question_en`` repeats the question.
        publication: ``source.publication`` in ``meta.json`` (default the file name).
        license: ``license`` in ``meta.json``.
        overwrite: replace document folders that already exist (otherwise an error).

    Raises:
        SquadFormatError: the file is not SQuAD JSON (message names the JSON path).
        FileExistsError: a target folder exists and ``overwrite`` is false.
    """
    path, out = Path(path), Path(out)
    prefix = id_prefix if id_prefix is not None else safe_id(path.name.removesuffix(".json"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", prefix):
        raise ValueError(f"id prefix {prefix!r}: use lowercase letters, digits and '-'")
    paragraphs = read_squad(path, limit_articles)
    report = ImportReport()
    if english is not None:
        en = squad_questions(english)
        missing = [q.id for p in paragraphs for q in p.questions if q.id not in en]
        if missing:
            report.notes.append(
                f"{english}: {len(missing)} question ids have no English question "
                f"(e.g. {missing[0]}); question_en repeats the question for them"
            )
        paragraphs = [
            SquadParagraph(
                p.title,
                p.context,
                tuple(
                    SquadQuestion(q.id, q.question, q.answers, q.impossible, en.get(q.id))
                    for q in p.questions
                ),
                p.where,
            )
            for p in paragraphs
        ]
    ids = _paragraph_ids(paragraphs, prefix)
    clashes = [out / i for i in ids if (out / i).exists()]
    if clashes and not overwrite:
        raise FileExistsError(
            f"{clashes[0]}: already exists ({len(clashes)} of {len(ids)} document folders do); "
            "pass --overwrite to replace them"
        )
    docs = []
    for para, doc_id in zip(paragraphs, ids, strict=True):
        doc = to_document(
            para,
            doc_id,
            language,
            source_name=publication or path.name,
            report=report,
            path=out / doc_id,
            license=license,
        )
        if doc is not None:
            docs.append(doc)
    out.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        if doc.path.exists():
            shutil.rmtree(doc.path)
        write_document(doc, doc.path)
    return ImportResult(tuple(docs), report)


def _paragraph_ids(paragraphs: Sequence[SquadParagraph], prefix: str) -> list[str]:
    """``<prefix>-<article>-<paragraph>``, zero-padded so that folders sort in file order."""
    pos = [_indices(p.where) for p in paragraphs]
    wa = len(str(max((a for a, _ in pos), default=0)))
    wp = len(str(max((b for _, b in pos), default=0)))
    return [f"{prefix}-{a:0{wa}d}-{b:0{wp}d}" for a, b in pos]


def _indices(where: str) -> tuple[int, int]:
    m = re.fullmatch(r"data\[(\d+)\]\.paragraphs\[(\d+)\]", where)
    if m is None:  # pragma: no cover - read_squad always sets it
        raise ValueError(f"not a SQuAD paragraph location: {where!r}")
    return int(m.group(1)), int(m.group(2))


# -- Hugging Face datasets ------------------------------------------------------


def _row_answers(
    row: Mapping[str, Any], answers_col: str, start_col: str | None, where: str
) -> list[SquadAnswer]:
    """The answers of one dataset row in any of the common shapes."""
    value = row[answers_col]
    starts: Any = row[start_col] if start_col else None
    if isinstance(value, Mapping):  # {"text": [...], "answer_start": [...]} (HF SQuAD)
        texts, starts = value.get("text"), value.get("answer_start", starts)
    elif isinstance(value, str):
        texts = [value]
    elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        texts = [v.get("text") for v in value]
        starts = [v.get("answer_start") for v in value]
    else:
        texts = value
    if texts is None:
        texts = []
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValueError(
            f"{where}: column {answers_col!r}: expected answer strings, "
            f'{{"text": [...], "answer_start": [...]}} or a list of such objects; got {value!r:.80}'
        )
    if _is_int(starts):
        starts = [starts]
    if starts is None:
        starts = [None] * len(texts)
    if not isinstance(starts, list) or len(starts) != len(texts):
        raise ValueError(
            f"{where}: answer_start: expected one offset per answer ({len(texts)}), "
            f"got {starts!r:.80}"
        )
    out = []
    for t, s in zip(texts, starts, strict=True):
        if s is not None and not _is_int(s):
            raise ValueError(f"{where}: answer_start: not an integer: {s!r:.40}")
        out.append(SquadAnswer(t, s))
    return out


def rows_to_documents(
    rows: Iterable[Mapping[str, Any]],
    spec: DatasetSpec,
    source_name: str,
    report: ImportReport | None = None,
) -> list[GoldDocument]:
    """Flat question rows (one per question) grouped by context into gold documents."""
    report = report if report is not None else ImportReport()
    cols = spec.columns
    needed = [cols.id, cols.context, cols.question, cols.answers]
    needed += [c for c in (cols.title, cols.answer_start, cols.question_en) if c]
    groups: dict[tuple[str, str], list[SquadQuestion]] = {}
    for i, row in enumerate(rows):
        where = f"{source_name} row {i}"
        missing = [c for c in needed if c not in row]
        if missing:
            raise ValueError(
                f"{where}: no column {missing[0]!r} (columns: {', '.join(sorted(row))}); "
                "map it under columns:"
            )
        context, question = row[cols.context], row[cols.question]
        title = row[cols.title] if cols.title else ""
        for col, value in ((cols.context, context), (cols.question, question)):
            if not isinstance(value, str):
                raise ValueError(f"{where}: column {col!r}: expected a string, got {value!r:.60}")
        answers = _row_answers(row, cols.answers, cols.answer_start, where)
        q_en = row[cols.question_en] if cols.question_en else None
        groups.setdefault((str(title or ""), context), []).append(
            SquadQuestion(
                id=str(row[cols.id]),
                question=question,
                answers=tuple(answers),
                impossible=not answers,
                question_en=q_en if isinstance(q_en, str) else None,
            )
        )
    default_prefix = Path(spec.path).name + (f"-{spec.name}" if spec.name else "")
    prefix = spec.id_prefix or safe_id(default_prefix)
    width = len(str(max(len(groups) - 1, 0)))
    docs = []
    for k, ((title, context), questions) in enumerate(groups.items()):
        doc_id = f"{prefix}-{k:0{width}d}"
        doc = to_document(
            SquadParagraph(title, context, tuple(questions), f"{source_name} context {k}"),
            doc_id,
            spec.language,
            source_name=source_name,
            report=report,
            path=Path(source_name) / doc_id,
        )
        if doc is not None:
            docs.append(doc)
    return docs


def _resolve_files(value: Any, base: Path) -> Any:
    if isinstance(value, str):
        p = Path(value).expanduser()
        return str(p if p.is_absolute() else (base / p).resolve())
    if isinstance(value, list):
        return [_resolve_files(v, base) for v in value]
    if isinstance(value, Mapping):
        return {k: _resolve_files(v, base) for k, v in value.items()}
    return value


def load_dataset_docs(spec: DatasetSpec, base: Path) -> list[GoldDocument]:
    """Load a dataset named in a config through ``datasets.load_dataset`` as gold documents.

    ``data_files`` and a ``path`` that names an existing local folder or file
    are relative to ``base`` (the config's folder); anything else is passed
    as is (a hub id, or a builder name such as ``json`` or ``parquet``).
    """
    import datasets

    local = (base / spec.path).resolve() if not Path(spec.path).is_absolute() else Path(spec.path)
    path = str(local) if local.exists() else spec.path
    kwargs: dict[str, Any] = {"split": spec.split}
    if spec.name:
        kwargs["name"] = spec.name
    if spec.revision:
        kwargs["revision"] = spec.revision
    if spec.data_files is not None:
        kwargs["data_files"] = _resolve_files(spec.data_files, base)
    label = f"dataset {spec.path}" + (f" ({spec.name})" if spec.name else "") + f" [{spec.split}]"
    try:
        ds = datasets.load_dataset(path, **kwargs)
    except (FileNotFoundError, ValueError) as exc:
        raise ValueError(f"{label}: cannot load: {exc}") from exc
    if spec.limit is not None:
        ds = ds.select(range(min(spec.limit, len(ds))))
    return rows_to_documents(ds.to_list(), spec, label)


def add_dataset_docs(
    docs: Sequence[GoldDocument], specs: Sequence[DatasetSpec], base: Path
) -> list[GoldDocument]:
    """``docs`` plus the documents of every dataset spec; document ids stay unique."""
    out = list(docs)
    seen = {d.id: str(d.path) for d in out}
    for spec in specs:
        for doc in load_dataset_docs(spec, base):
            if doc.id in seen:
                raise ValueError(
                    f"dataset {spec.path}: document id {doc.id!r} is also used by {seen[doc.id]}; "
                    "set id_prefix"
                )
            seen[doc.id] = str(doc.path)
            out.append(doc)
    return out
