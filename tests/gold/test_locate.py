"""`harness gold locate`: evidence offsets from evidence text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.gold.validate import validate_path
from tests.conftest import DOC_ID


def _strip_offsets(path: Path, article: str) -> None:
    """Drop end offsets everywhere, and start offsets where the text is unique."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        for ev in obj.get("evidence", []):
            if article.count(ev["text"]) == 1:
                ev.pop("start")
            ev.pop("end")
        out.append(json.dumps(obj, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_locate_restores_the_offsets(gold_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    article = (gold_copy / DOC_ID / "article.txt").read_text(encoding="utf-8")
    original = qa.read_text(encoding="utf-8")
    _strip_offsets(qa, article)
    assert validate_path(gold_copy)  # broken without offsets
    assert main(["gold", "locate", str(gold_copy)]) == 0
    assert "evidence span(s) set" in capsys.readouterr().out
    assert qa.read_text(encoding="utf-8") == original
    assert validate_path(gold_copy) == []


def test_ambiguous_text_uses_the_start_hint(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    qa.write_text(json.dumps({
        "id": "x", "question": "Worum geht es?", "question_en": "What?",
        "answers": ["Menschenhandel"], "category": "event", "type": "factoid",
        "evidence": [{"start": 2000, "text": "Menschenhandel"}]}) + "\n", encoding="utf-8")
    assert main(["gold", "locate", str(gold_copy)]) == 0
    ev = json.loads(qa.read_text(encoding="utf-8"))["evidence"][0]
    article = (gold_copy / DOC_ID / "article.txt").read_text(encoding="utf-8")
    assert article[ev["start"]:ev["end"]] == "Menschenhandel"
    hits = [i for i in range(len(article)) if article.startswith("Menschenhandel", i)]
    assert ev["start"] == min(hits, key=lambda h: abs(h - 2000))


def test_missing_text_and_check_mode(gold_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    qa.write_text(json.dumps({
        "id": "x", "question": "Wo?", "question_en": "Where?", "answers": ["Genf"],
        "category": "venue", "type": "factoid", "evidence": [{"text": "in Genf"}]}) + "\n",
        encoding="utf-8")
    assert main(["gold", "locate", "--check", str(gold_copy)]) == 2
    assert f"{qa}:1: evidence.0: text: 'in Genf' does not occur" in capsys.readouterr().err
    qa.write_text(json.dumps({
        "id": "x", "question": "Wo?", "question_en": "Where?", "answers": ["New York"],
        "category": "venue", "type": "factoid", "evidence": [{"text": "New York"}]}) + "\n",
        encoding="utf-8")
    before = qa.read_text(encoding="utf-8")
    assert main(["gold", "locate", "--check", str(gold_copy)]) == 1
    assert qa.read_text(encoding="utf-8") == before  # --check changes nothing
