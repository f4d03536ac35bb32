"""The judgement files: format, validation with file:line:field, and the shipped minimums."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from harness.cli import main
from harness.gold.judgements import load_qa_judgements, load_summary_judgements
from harness.gold.load import GoldError, load_document
from harness.gold.validate import validate_path
from tests.conftest import DOC_ID, GOLD


def test_shipped_judgements_cover_every_kind() -> None:
    doc = load_document(GOLD / DOC_ID)
    qa = load_qa_judgements(doc)
    assert len(qa) >= 400
    verdicts = Counter(j.verdict for j in qa)
    assert all(verdicts[v] >= 40 for v in ("correct", "partial", "wrong", "abstained"))
    assert sum(j.language == "en" for j in qa) >= 20  # English questions
    assert {j.source for j in qa} >= {"hand", "gemma3-270m", "retrieval"}  # real outputs too
    assert {j.qa_id for j in qa} == {q.id for q in doc.qa}  # every question judged
    summaries = load_summary_judgements(doc)
    assert len(summaries) >= 40
    assert {s.length for s in summaries} == {"headline", "abstract", "bullets"}
    planted = Counter(e.type for s in summaries for e in s.errors)
    assert all(planted[t] >= 3 for t in ("date", "year", "number", "person", "role", "name"))
    assert {s.rating for s in summaries} == {1, 2, 3, 4, 5}


def test_every_answerable_question_has_english_answers() -> None:
    doc = load_document(GOLD / DOC_ID)
    assert all(q.answers_en for q in doc.qa if q.answerable)


def _append(path: Path, *rows: object) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += [json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - len(rows) + 1


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {"sample_id": "nope", "answer": "x", "verdict": "wrong", "reason": "r"},
            "sample_id",
            "no question 'nope'",
        ),
        (
            {"sample_id": "speaker-name", "answer": "x", "verdict": "right", "reason": "r"},
            "verdict",
            "correct",
        ),
        ({"sample_id": "speaker-name", "answer": "x", "verdict": "wrong"}, "reason", "required"),
        (
            {
                "sample_id": "session-chair",
                "answer": "Guterres",
                "verdict": "correct",
                "reason": "r",
            },
            "verdict",
            "unanswerable",
        ),
        (
            {
                "sample_id": "other-doc/speaker-name",
                "answer": "x",
                "verdict": "wrong",
                "reason": "r",
            },
            "sample_id",
            "not this folder",
        ),
        (
            {
                "sample_id": "speaker-name",
                "answer": "x",
                "verdict": "wrong",
                "reason": "r",
                "colour": 1,
            },
            "colour",
            "Extra",
        ),
        ("{not json", "(line)", "invalid JSON"),
    ],
)
def test_bad_qa_judgements_are_listed_with_file_line_field(
    gold_copy: Path, row: object, field: str, message: str
) -> None:
    path = gold_copy / DOC_ID / "judgements.jsonl"
    line = _append(path, row)
    problems = [str(p) for p in validate_path(gold_copy)]
    assert any(p.startswith(f"{path}:{line}: {field}") and message in p for p in problems), problems
    with pytest.raises(GoldError, match=f"judgements.jsonl:{line}: "):
        load_qa_judgements(load_document(gold_copy / DOC_ID))


def test_the_same_answer_judged_twice(gold_copy: Path) -> None:
    path = gold_copy / DOC_ID / "judgements.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    line = _append(path, first)
    assert any(f":{line}: answer: the same answer" in str(p) for p in validate_path(gold_copy))


def test_bad_summary_judgements(gold_copy: Path) -> None:
    path = gold_copy / DOC_ID / "summary_judgements.jsonl"
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    row["id"] = "sj-new"
    row["facts"] = {**row["facts"], "no-such-fact": "present"}
    del row["facts"]["speaker"]
    row["errors"] = [{"type": "date", "text": "not in the text"}]
    row["rating"] = 7
    line = _append(path, row)
    problems = [str(p) for p in validate_path(gold_copy)]
    assert any(f":{line}: rating" in p for p in problems), problems
    row["rating"] = 3
    path.write_text(
        "\n".join(path.read_text(encoding="utf-8").splitlines()[:-1] + [json.dumps(row)]) + "\n"
    )
    problems = [str(p) for p in validate_path(gold_copy)]
    assert any(f":{line}: facts: no such key facts: no-such-fact" in p for p in problems)
    assert any(f":{line}: facts: not annotated: speaker" in p for p in problems)
    assert any(f":{line}: errors.0.text" in p for p in problems)


def test_validate_cli_counts_judgements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold", "validate", str(GOLD)]) == 0
    assert re.search(r"\d{3} judged answers, \d+ judged summaries", capsys.readouterr().out)
