"""Fill in evidence offsets from evidence text, so gold authors never count characters.

Write evidence as ``{"text": "vom 24. bis 25. November"}`` (optionally with an
approximate ``start``); :func:`locate_document` finds the text in the article
and writes ``start``/``end``. A text that occurs more than once needs a
``start`` near the intended occurrence; one that does not occur is reported.
Files are rewritten atomically and only when something changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.gold.load import document_folders, read_gold_bytes
from harness.results import atomic_write_text

EVIDENCE_FILES = ("qa.jsonl", "facts.jsonl")


@dataclass(frozen=True)
class LocateResult:
    changed: list[str]
    problems: list[str]


def _occurrences(article: str, text: str) -> list[int]:
    out, i = [], article.find(text)
    while i >= 0:
        out.append(i)
        i = article.find(text, i + 1)
    return out


def _fix_evidence(article: str, ev: dict[str, Any], where: str) -> tuple[bool, str | None]:
    text = ev.get("text")
    if not isinstance(text, str) or not text:
        return False, f"{where}: text: evidence needs a non-empty text"
    start, end = ev.get("start"), ev.get("end")
    if isinstance(start, int) and isinstance(end, int) and article[start:end] == text:
        return False, None
    hits = _occurrences(article, text)
    if not hits:
        return False, f"{where}: text: {text!r} does not occur in the article"
    if len(hits) > 1:
        if not isinstance(start, int):
            return False, (f"{where}: start: {text!r} occurs {len(hits)} times (at "
                           f"{', '.join(map(str, hits))}); give a start near the one you mean")
        hits.sort(key=lambda h: abs(h - start))
    ev["start"], ev["end"] = hits[0], hits[0] + len(text)
    return True, None


def _ordered(ev: dict[str, Any]) -> dict[str, Any]:
    return {"start": ev["start"], "end": ev["end"], "text": ev["text"],
            **{k: v for k, v in ev.items() if k not in ("start", "end", "text")}}


def locate_document(folder: Path, write: bool = True) -> LocateResult:
    article = read_gold_bytes(folder / "article.txt").decode("utf-8")
    changed: list[str] = []
    problems: list[str] = []
    for name in EVIDENCE_FILES:
        path = folder / name
        if not path.is_file():
            continue
        lines = read_gold_bytes(path).decode("utf-8").splitlines()
        out_lines, dirty = [], False
        for no, line in enumerate(lines, start=1):
            if not line.strip():
                out_lines.append(line)
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{no}: (line): invalid JSON: {exc.msg}")
                out_lines.append(line)
                continue
            evidence = obj.get("evidence", []) if isinstance(obj, dict) else []
            line_dirty = False
            for i, ev in enumerate(evidence if isinstance(evidence, list) else []):
                if not isinstance(ev, dict):
                    continue
                fixed, problem = _fix_evidence(article, ev, f"{path}:{no}: evidence.{i}")
                if problem:
                    problems.append(problem)
                if fixed:
                    evidence[i] = _ordered(ev)
                    changed.append(f"{path}:{no}: evidence.{i}: {ev['text']!r} at "
                                   f"{ev['start']}-{ev['end']}")
                    line_dirty = True
            out_lines.append(json.dumps(obj, ensure_ascii=False) if line_dirty else line)
            dirty = dirty or line_dirty
        if dirty and write:
            atomic_write_text(path, "\n".join(out_lines) + "\n")
    return LocateResult(changed, problems)


def locate(path: Path | str, write: bool = True) -> LocateResult:
    """Fill in offsets in every document folder under ``path``."""
    changed: list[str] = []
    problems: list[str] = []
    for folder in document_folders(Path(path)):
        r = locate_document(folder, write)
        changed += r.changed
        problems += r.problems
    return LocateResult(changed, problems)
