"""Loading gold folders into typed values, samples and ``datasets`` objects.

A gold root holds one folder per document (``gold/<doc-id>/``); a path to a
single document folder works too. Loading assumes a valid folder: run
``harness gold validate`` (or :func:`harness.gold.validate.validate_path`)
for a full list of problems; loading raises :class:`GoldError` with the
file, line and field of the first problem it meets.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.gold.schema import FactModel, MetaModel, QAModel, SummaryModel
from harness.types import Sample, Span

FILES = ("article.txt", "meta.json", "qa.jsonl", "summaries.jsonl", "facts.jsonl")
SUMMARY_LENGTHS = ("headline", "abstract", "bullets")


class GoldError(ValueError):
    """A gold file is missing or malformed; the message names file, line and field."""


#: A gold file larger than this is refused (an article of a few pages is some 10 kB).
MAX_GOLD_FILE_BYTES = 32 * 1024 * 1024
#: Articles longer than this many characters are refused: every runner and metric reads
#: the article per sample, and some work grows faster than its length.
MAX_ARTICLE_CHARS = 1_000_000


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def gold_file_present(path: Path) -> bool:
    """Whether anything (a file, a link, a FIFO, ...) is at ``path``: :func:`read_gold_bytes`
    then says whether it may be read."""
    return os.path.lexists(path)


def read_gold_bytes(path: Path, limit: int = MAX_GOLD_FILE_BYTES) -> bytes:
    """The bytes of one gold file, which must be a regular file inside its document folder.

    A symbolic link is followed only when it leads to a regular file inside the
    folder that holds it (``article.txt -> /proc/self/environ`` would put the
    environment into the run's outputs); FIFOs (which would block), devices,
    sockets and folders are refused, as are files over ``limit`` bytes.

    Raises:
        FileNotFoundError: Nothing is at ``path``.
        GoldError: ``path: (file): why`` for anything else.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise GoldError(f"{path}: (file): cannot read: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        folder = path.parent.resolve()
        try:
            target = path.resolve(strict=True)
            st = target.stat()
        except (OSError, RuntimeError):
            raise GoldError(f"{path}: (file): a symbolic link that leads nowhere") from None
        if not target.is_relative_to(folder):
            raise GoldError(
                f"{path}: (file): a symbolic link to {target}, outside the document folder "
                f"{folder}; gold files must lie in their own folder"
            )
    if not stat.S_ISREG(st.st_mode):
        raise GoldError(f"{path}: (file): is {_kind(st.st_mode)}, not a regular file")
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise GoldError(f"{path}: (file): cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise GoldError(
            f"{path}: (file): larger than the limit of {limit:,} bytes; split the document"
        )
    return data


@dataclass(frozen=True)
class GoldDocument:
    """One source document and its hand-written gold."""

    id: str
    path: Path
    article: str
    meta: MetaModel
    qa: tuple[QAModel, ...]
    summaries: tuple[SummaryModel, ...]
    facts: tuple[FactModel, ...]

    @property
    def language(self) -> str:
        return self.meta.language


def pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) pairs of a pydantic error."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        out.append((loc, err["msg"]))
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (JSON has no NaN or Infinity)")


def loads_strict(text: str) -> Any:
    """``json.loads`` that rejects ``NaN`` and ``Infinity``, which Python accepts but JSON lacks.

    Raises:
        json.JSONDecodeError: Not JSON.
        ValueError: NaN or Infinity, or nesting deeper than Python's recursion limit.

    >>> loads_strict('{"weight": NaN}')
    Traceback (most recent call last):
    ...
    ValueError: NaN is not a JSON number (JSON has no NaN or Infinity)
    """
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply (more levels than can be read)") from None


def json_line_of(text: str, loc: Sequence[Any]) -> int:
    """Best-effort line of a field in a JSON document: each key of ``loc`` after its parent.

    A key that is not there (a missing field) gives the line of its parent.

    >>> text = '{\\n  "title": "t",\\n  "source": {\\n    "title": 5}}'
    >>> json_line_of(text, ("source", "title")), json_line_of(text, ("title",))
    (4, 2)
    >>> json_line_of('{"id": "x"}', ("source", "author"))
    1
    """
    pos = 0
    for key in (k for k in loc if isinstance(k, str)):
        quoted = json.dumps(key, ensure_ascii=False)
        i = text.find(quoted + ":", pos)
        if i < 0:
            i = text.find(quoted, pos)
        if i < 0:
            break
        pos = i
    return text.count("\n", 0, pos) + 1


def read_json_object(path: Path) -> tuple[dict[str, Any], str]:
    """A JSON file holding one object, and its text; :class:`GoldError` says where it is broken.

    A byte order mark is skipped; NaN and Infinity are errors.
    """
    try:
        raw = read_gold_bytes(path)
    except FileNotFoundError:
        raise GoldError(f"{path}: missing") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise GoldError(f"{path}:{bad_line}: not valid UTF-8 (byte {exc.start})") from exc
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise GoldError(f"{path}:1: (file): empty; expected one JSON object")
    try:
        obj = loads_strict(text)
    except json.JSONDecodeError as exc:
        raise GoldError(
            f"{path}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
        ) from exc
    except ValueError as exc:
        raise GoldError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise GoldError(f"{path}:1: (record): expected a JSON object, got {type(obj).__name__}")
    return obj, text


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line number, parsed object)``; raise :class:`GoldError` on bad lines."""
    try:
        raw = read_gold_bytes(path)
    except FileNotFoundError:
        raise GoldError(f"{path}: missing") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise GoldError(f"{path}:{bad_line}: not valid UTF-8 (byte {exc.start})") from exc
    # Split at "\n" only: JSON strings may hold U+2028 or U+0085 raw; splitlines() cuts there.
    for no, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = loads_strict(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{no}: invalid JSON: {exc.msg} (column {exc.colno})") from exc
        except ValueError as exc:
            raise GoldError(f"{path}:{no}: invalid JSON: {exc}") from exc
        yield no, obj


def span_problem(start: int, end: int, text: str, article: str) -> str | None:
    """Why an evidence span does not fit the article, or None when it does.

    >>> span_problem(0, 3, "Die", "Die Säulen")
    >>> span_problem(4, 99, "Säulen", "Die Säulen")
    "end 99 is past the article's end (10)"
    """
    if end <= start:
        return f"end {end} is not after start {start}"
    if end > len(article):
        return f"end {end} is past the article's end ({len(article)})"
    if article[start:end] != text:
        hint = ""
        if "\r\n" in article:
            hint = " (the article has CRLF line endings; offsets count them: was it converted?)"
        return f"article[{start}:{end}] is {article[start:end]!r}, not {text!r}{hint}"
    return None


def _parse(model: type[BaseModel], path: Path, article: str | None = None) -> list[Any]:
    """Every record of a JSONL file; ids must be unique and evidence must fit the article."""
    items = []
    seen: dict[str, int] = {}
    for no, obj in read_jsonl(path):
        try:
            item = model.model_validate(obj)
        except ValidationError as exc:
            field, msg = pydantic_problems(exc)[0]
            raise GoldError(f"{path}:{no}: {field}: {msg}") from exc
        ident = getattr(item, "id", None)
        if isinstance(ident, str):
            if ident in seen:
                raise GoldError(
                    f"{path}:{no}: id: duplicate id {ident!r} (first on line {seen[ident]})"
                )
            seen[ident] = no
        for i, ev in enumerate(getattr(item, "evidence", None) or ()):
            problem = None if article is None else span_problem(ev.start, ev.end, ev.text, article)
            if problem:
                raise GoldError(f"{path}:{no}: evidence.{i}: {problem}")
        items.append(item)
    return items


def load_document(folder: Path | str) -> GoldDocument:
    """Load one ``gold/<doc-id>/`` folder."""
    folder = Path(folder)
    for name in ("article.txt", "meta.json", "qa.jsonl"):
        if not gold_file_present(folder / name):
            raise GoldError(f"{folder / name}: missing (a gold folder needs {', '.join(FILES)})")
    raw_article = read_gold_bytes(folder / "article.txt")
    try:
        # Bytes, then decode: text mode would turn CRLF into LF and shift every offset.
        article = raw_article.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw_article[: exc.start].count(b"\n") + 1
        raise GoldError(
            f"{folder / 'article.txt'}:{bad_line}: not valid UTF-8 (byte {exc.start})"
        ) from exc
    if not article.strip():
        raise GoldError(f"{folder / 'article.txt'}: the article is empty")
    if len(article) > MAX_ARTICLE_CHARS:
        raise GoldError(
            f"{folder / 'article.txt'}: (file): {len(article):,} characters, more than the "
            f"limit of {MAX_ARTICLE_CHARS:,}; split the document"
        )
    meta_obj, meta_text = read_json_object(folder / "meta.json")
    try:
        meta = MetaModel.model_validate(meta_obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        field, msg = pydantic_problems(exc)[0]
        line = json_line_of(meta_text, err["loc"])
        raise GoldError(f"{folder / 'meta.json'}:{line}: {field}: {msg}") from exc
    opt = {name: folder / name for name in ("summaries.jsonl", "facts.jsonl")}
    qa = tuple(_parse(QAModel, folder / "qa.jsonl", article))
    if not qa:
        raise GoldError(f"{folder / 'qa.jsonl'}: (file): no questions; the file is empty")
    return GoldDocument(
        id=meta.id,
        path=folder,
        article=article,
        meta=meta,
        qa=qa,
        summaries=tuple(_parse(SummaryModel, opt["summaries.jsonl"]))
        if gold_file_present(opt["summaries.jsonl"])
        else (),
        facts=tuple(_parse(FactModel, opt["facts.jsonl"], article))
        if gold_file_present(opt["facts.jsonl"])
        else (),
    )


def document_folders(path: Path | str) -> list[Path]:
    """The document folders under ``path`` (or ``path`` itself if it is one)."""
    path = Path(path)
    if (path / "meta.json").is_file():
        return [path]
    if not path.is_dir():
        raise GoldError(f"{path}: no such gold folder")
    folders = sorted(p for p in path.iterdir() if p.is_dir() and (p / "meta.json").is_file())
    if not folders:
        raise GoldError(f"{path}: no gold documents (folders with meta.json) found")
    return folders


def load_gold(paths: Path | str | Iterable[Path | str]) -> list[GoldDocument]:
    """Load every document under one or more gold paths; ids must be unique."""
    if isinstance(paths, str | Path):
        paths = [paths]
    docs: list[GoldDocument] = []
    seen: dict[str, Path] = {}
    for p in paths:
        for folder in document_folders(p):
            doc = load_document(folder)
            if doc.id in seen:
                raise GoldError(f"{folder}/meta.json: id: {doc.id!r} also used by {seen[doc.id]}")
            seen[doc.id] = folder
            docs.append(doc)
    return docs


def _spans(evidence: Sequence[Any]) -> tuple[Span, ...]:
    return tuple(Span(e.start, e.end, e.text) for e in evidence)


def build_samples(
    docs: Sequence[GoldDocument],
    tasks: Sequence[str] = ("qa", "summary"),
    languages: Sequence[str] | None = None,
) -> list[Sample]:
    """Turn gold into samples.

    QA: one sample per question and language (the German question, or its
    English rendering with ids suffixed ``@en``; answers stay those of the
    article). Summaries: one sample per document, length and language, with
    every reference of that length and language.
    """
    out: list[Sample] = []
    for doc in docs:
        langs = list(languages) if languages else [doc.language]
        for lang in langs:
            suffix = "" if lang == doc.language else f"@{lang}"
            if "qa" in tasks:
                for q in doc.qa:
                    question = q.question if lang == doc.language else q.question_en
                    # A question asked in English accepts English answers first, then the
                    # article's own; answer_equivalence reads the English ones either way.
                    accepted = q.answers if lang == doc.language else [*q.answers_en, *q.answers]
                    out.append(
                        Sample(
                            id=f"{doc.id}/{q.id}{suffix}",
                            doc_id=doc.id,
                            task="qa",
                            language=lang,
                            input=question,
                            references=tuple(dict.fromkeys(accepted)),
                            evidence=_spans(q.evidence),
                            category=q.category,
                            answerable=q.answerable,
                            answer_type=q.type,
                            metadata={"abstractive": q.abstractive, "answers_en": q.answers_en},
                        )
                    )
            if "summary" in tasks:
                for length in SUMMARY_LENGTHS:
                    refs = [s for s in doc.summaries if s.length == length and s.language == lang]
                    if not refs:
                        continue
                    out.append(
                        Sample(
                            id=f"{doc.id}/summary-{length}{suffix}",
                            doc_id=doc.id,
                            task="summary",
                            language=lang,
                            input=length,
                            references=tuple(s.text for s in refs),
                            category=length,
                            answer_type="summary",
                            metadata={"reference_ids": [s.id for s in refs]},
                        )
                    )
    return out


def to_datasets(docs: Sequence[GoldDocument]) -> Any:
    """The gold as a ``datasets.DatasetDict`` (qa, summaries, facts, articles), typed features."""
    import datasets

    seq = getattr(datasets, "List", datasets.Sequence)  # datasets>=4 names lists List
    evidence = seq(
        {
            "start": datasets.Value("int32"),
            "end": datasets.Value("int32"),
            "text": datasets.Value("string"),
        }
    )
    qa_features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "id": datasets.Value("string"),
            "question": datasets.Value("string"),
            "question_en": datasets.Value("string"),
            "answers": seq(datasets.Value("string")),
            "category": datasets.Value("string"),
            "type": datasets.Value("string"),
            "answerable": datasets.Value("bool"),
            "abstractive": datasets.Value("bool"),
            "evidence": evidence,
        }
    )
    summary_features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "id": datasets.Value("string"),
            "length": datasets.Value("string"),
            "language": datasets.Value("string"),
            "text": datasets.Value("string"),
        }
    )
    fact_features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "id": datasets.Value("string"),
            "statement": datasets.Value("string"),
            "label": datasets.Value("string"),
            "weight": datasets.Value("int32"),
            "matcher": datasets.Value("string"),
            "evidence": evidence,
        }
    )
    article_features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "language": datasets.Value("string"),
            "text": datasets.Value("string"),
        }
    )

    def ev(items: Sequence[Any]) -> list[dict[str, Any]]:
        return [e.model_dump() for e in items]

    qa = [
        {
            "doc_id": d.id,
            **q.model_dump(
                include={
                    "id",
                    "question",
                    "question_en",
                    "answers",
                    "category",
                    "type",
                    "answerable",
                    "abstractive",
                }
            ),
            "evidence": ev(q.evidence),
        }
        for d in docs
        for q in d.qa
    ]
    summaries = [
        {"doc_id": d.id, **s.model_dump(include={"id", "length", "language", "text"})}
        for d in docs
        for s in d.summaries
    ]
    facts = [
        {
            "doc_id": d.id,
            "id": f.id,
            "statement": f.statement,
            "label": f.label,
            "weight": f.weight,
            "matcher": f.matcher.model_dump_json(),
            "evidence": ev(f.evidence),
        }
        for d in docs
        for f in d.facts
    ]
    articles = [
        {"doc_id": d.id, "title": d.meta.title, "language": d.language, "text": d.article}
        for d in docs
    ]

    def table(rows: list[dict[str, Any]], features: Any) -> Any:
        # from_list([]) loses the columns (datasets 5 then raises): build empty tables by column.
        if not rows:
            return datasets.Dataset.from_dict({k: [] for k in features}, features=features)
        return datasets.Dataset.from_list(rows, features=features)

    return datasets.DatasetDict(
        {
            "qa": table(qa, qa_features),
            "summaries": table(summaries, summary_features),
            "facts": table(facts, fact_features),
            "articles": table(articles, article_features),
        }
    )
