"""The gold validator: every problem in a gold folder, as ``file:line: field: message``.

Checks schemas, duplicate ids, evidence spans against the article text,
answers against their evidence (after German normalisation, unless the item
is ``abstractive``), unanswerable items without answers or evidence, facts
with evidence that their own matcher finds, and the shape of summaries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.gold.load import (
    MAX_ARTICLE_CHARS,
    GoldError,
    document_folders,
    gold_file_present,
    json_line_of,
    load_document,
    loads_strict,
    pydantic_problems,
    read_gold_bytes,
    read_json_object,
)
from harness.gold.schema import FactModel, MetaModel, QAModel, SummaryModel
from harness.text.answers import answer_supported
from harness.text.matchers import content_units, match_fact
from harness.text.tokenize import tokens


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(str(file), line, field, message))


def _read_lines(path: Path, out: _Collector) -> list[tuple[int, Any]]:
    try:
        raw = read_gold_bytes(path)
    except FileNotFoundError:
        out.add(path, 0, "(file)", "missing")
        return []
    except GoldError as exc:
        out.problems.append(_problem_of(exc))
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(path, raw[: exc.start].count(b"\n") + 1, "(file)", "not valid UTF-8")
        return []
    if text.startswith("\ufeff"):
        out.add(path, 1, "(file)", "starts with a byte order mark; save as UTF-8 without BOM")
        text = text[1:]
    rows = []
    for no, line in enumerate(text.split("\n"), start=1):  # not at U+2028 inside a string
        if not line.strip():
            continue
        try:
            rows.append((no, loads_strict(line)))
        except json.JSONDecodeError as exc:
            out.add(path, no, "(line)", f"invalid JSON: {exc.msg} (column {exc.colno})")
        except ValueError as exc:  # NaN, Infinity
            out.add(path, no, "(line)", f"invalid JSON: {exc}")
    return rows


def _models(path: Path, model: type[BaseModel], out: _Collector) -> list[tuple[int, Any]]:
    result = []
    seen: dict[str, int] = {}
    for no, obj in _read_lines(path, out):
        try:
            item = model.model_validate(obj)
        except ValidationError as exc:
            for field, msg in pydantic_problems(exc):
                out.add(path, no, field, msg)
            continue
        ident = getattr(item, "id", None)
        if ident is not None:
            if ident in seen:
                out.add(path, no, "id", f"duplicate id {ident!r} (first on line {seen[ident]})")
                continue
            seen[ident] = no
        result.append((no, item))
    return result


def _check_evidence(
    path: Path, no: int, evidence: Sequence[Any], article: str, out: _Collector
) -> bool:
    ok = True
    for i, ev in enumerate(evidence):
        field = f"evidence.{i}"
        if ev.end <= ev.start:
            out.add(path, no, field, f"end {ev.end} is not after start {ev.start}")
            ok = False
        elif ev.end > len(article):
            out.add(path, no, field, f"end {ev.end} is past the article's end ({len(article)})")
            ok = False
        elif article[ev.start : ev.end] != ev.text:
            found = article.find(ev.text)
            hint = (
                f"; the text occurs at {found}"
                if found >= 0
                else "; the text is not in the article"
            )
            out.add(
                path,
                no,
                field,
                f"article[{ev.start}:{ev.end}] is {article[ev.start : ev.end]!r}, "
                f"not {ev.text!r}{hint}",
            )
            ok = False
    return ok


def _validate_qa(path: Path, article: str, out: _Collector) -> int:
    """Problems of ``qa.jsonl`` go to ``out``; returns how many questions it holds."""
    items = _models(path, QAModel, out)
    for no, q in items:
        assert isinstance(q, QAModel)
        spans_ok = _check_evidence(path, no, q.evidence, article, out)
        if not q.answerable:
            if q.answers:
                out.add(path, no, "answers", "an unanswerable question must have no answers")
            if q.answers_en:
                out.add(path, no, "answers_en", "an unanswerable question must have no answers")
            if q.evidence:
                out.add(path, no, "evidence", "an unanswerable question must have no evidence")
            continue
        if not q.answers:
            out.add(path, no, "answers", "an answerable question needs at least one answer")
        if not q.evidence:
            out.add(path, no, "evidence", "an answerable question needs evidence spans")
            continue
        if spans_ok and not q.abstractive:
            joined = " ".join(e.text for e in q.evidence)
            for i, a in enumerate(q.answers):
                if not answer_supported(a, joined):
                    out.add(
                        path,
                        no,
                        f"answers.{i}",
                        f"{a!r} is not supported by the evidence {joined!r} "
                        '(mark the item "abstractive": true if it is a paraphrase)',
                    )
    return len(items)


def _validate_summaries(path: Path, out: _Collector) -> None:
    for no, s in _models(path, SummaryModel, out):
        assert isinstance(s, SummaryModel)
        if s.length == "bullets":
            lines = [ln for ln in s.text.splitlines() if ln.strip()]
            bad = [ln for ln in lines if not ln.startswith("- ")]
            if len(lines) != 5 or bad:
                out.add(
                    path,
                    no,
                    "text",
                    f"bullets need five lines starting with '- ' "
                    f"(found {len(lines)} lines, {len(bad)} without '- ')",
                )
        elif s.length == "abstract":
            words = len(tokens(s.text))
            if not 40 <= words <= 80:
                out.add(path, no, "text", f"an abstract has 40-80 words, this one {words}")
        elif s.length == "headline" and "\n" in s.text.strip():
            out.add(path, no, "text", "a headline is one line")


def _validate_facts(path: Path, article: str, language: str, out: _Collector) -> None:
    for no, f in _models(path, FactModel, out):
        assert isinstance(f, FactModel)
        if not f.evidence:
            out.add(path, no, "evidence", "a fact needs evidence spans")
            continue
        if not _check_evidence(path, no, f.evidence, article, out):
            continue
        matcher = f.matcher.model_dump()
        _check_matcher_words(path, no, matcher, language, out)
        if not any(match_fact(matcher, e.text, language) for e in f.evidence):
            out.add(
                path,
                no,
                "matcher",
                f"the {matcher['type']} matcher does not find the fact in its own evidence",
            )


def _check_matcher_words(
    path: Path, no: int, matcher: dict[str, Any], language: str, out: _Collector
) -> None:
    """Aliases, synonyms and context words must hold a content word (else they never match)."""
    fields = [("aliases", a) for a in matcher.get("aliases", [])]
    fields += [("context", c) for c in matcher.get("context", [])]
    fields += [("synonyms", m) for group in matcher.get("synonyms", []) for m in group]
    for field, text in fields:
        if not content_units(text, language):
            out.add(path, no, f"matcher.{field}", f"{text!r} holds no content word")


def _problem_of(exc: GoldError) -> Problem:
    """A loader error (``file[:line]: [field: ]message``) as a problem."""
    where, _, rest = str(exc).partition(": ")
    file, _, line = where.rpartition(":")
    if not (file and line.isdigit()):
        file, line = where, "0"
    field, _, message = rest.partition(": ")
    if not message or " " in field:
        field, message = "(file)", rest
    return Problem(file, int(line), field, message)


def validate_document(folder: Path) -> list[Problem]:
    out = _Collector()
    article_path = folder / "article.txt"
    article = ""
    try:
        article = read_gold_bytes(article_path).decode("utf-8")
        if not article.strip():
            out.add(article_path, 0, "(file)", "the article is empty")
        elif len(article) > MAX_ARTICLE_CHARS:
            out.add(
                article_path, 0, "(file)",
                f"{len(article):,} characters, more than the limit of {MAX_ARTICLE_CHARS:,}",
            )  # fmt: skip
            article = ""
    except FileNotFoundError:
        out.add(article_path, 0, "(file)", "missing")
    except GoldError as exc:
        out.problems.append(_problem_of(exc))
    except UnicodeDecodeError:
        out.add(article_path, 0, "(file)", "not valid UTF-8")
    meta_path = folder / "meta.json"
    language = "de"
    meta_text = ""
    try:
        if read_gold_bytes(meta_path).startswith(b"\xef\xbb\xbf"):
            out.add(
                meta_path, 1, "(file)", "starts with a byte order mark; save as UTF-8 without BOM"
            )
        meta_obj, meta_text = read_json_object(meta_path)
        meta = MetaModel.model_validate(meta_obj)
        language = meta.language
        if meta.id != folder.name:
            line = json_line_of(meta_text, ("id",))
            out.add(
                meta_path, line, "id", f"{meta.id!r} differs from the folder name {folder.name!r}"
            )
    except FileNotFoundError:
        out.add(meta_path, 0, "(file)", "missing")
    except GoldError as exc:  # unreadable, not JSON, not an object: the message says where
        out.problems.append(_problem_of(exc))
    except ValidationError as exc:
        for err, (field, msg) in zip(exc.errors(), pydantic_problems(exc), strict=True):
            out.add(meta_path, json_line_of(meta_text, err["loc"]), field, msg)
    if gold_file_present(folder / "qa.jsonl"):
        rows = _validate_qa(folder / "qa.jsonl", article, out)
        if rows == 0 and not any(p.file == str(folder / "qa.jsonl") for p in out.problems):
            out.add(folder / "qa.jsonl", 0, "(file)", "no questions; the file is empty")
    else:
        out.add(folder / "qa.jsonl", 0, "(file)", "missing")
    if gold_file_present(folder / "summaries.jsonl"):
        _validate_summaries(folder / "summaries.jsonl", out)
    if gold_file_present(folder / "facts.jsonl"):
        _validate_facts(folder / "facts.jsonl", article, language, out)
    _validate_judgements(folder, out)
    return out.problems


def _validate_judgements(folder: Path, out: _Collector) -> None:
    """Judgement files, once the rest of the folder loads (they refer to its ids)."""
    from harness.gold.judgements import QA_FILE, SUMMARY_FILE, check_judgements

    if not any((folder / name).exists() for name in (QA_FILE, SUMMARY_FILE)):
        return
    try:
        doc = load_document(folder)
    except GoldError:
        return  # the folder's own problems are listed; judgements are checked once it loads
    for path, line, field, message in check_judgements(doc):
        out.add(path, line, field, message)


def validate_path(path: Path | str) -> list[Problem]:
    """Every problem in every document folder under ``path``."""
    path = Path(path)
    try:
        folders = document_folders(path)
    except ValueError as exc:
        return [Problem(str(path), 0, "(folder)", str(exc).split(": ", 1)[-1])]
    problems: list[Problem] = []
    ids: dict[str, Path] = {}
    for folder in folders:
        problems.extend(validate_document(folder))
        if folder.name in ids:
            problems.append(Problem(str(folder), 0, "id", f"duplicate document id {folder.name}"))
        ids[folder.name] = folder
    return problems
