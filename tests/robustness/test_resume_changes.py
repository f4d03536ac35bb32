"""``--resume`` after the gold or a runner's code changed (issue 12, class 2).

A resumed run must equal a clean run on what is there now, or refuse:

- a gold change (answers, a question, the article, key facts, a question removed)
  generates again exactly the samples whose prompt changed and scores again exactly
  the samples whose scoring inputs changed; the results equal a clean run on the new gold;
- a runner whose code changed between the crash and the resume (the script, a helper it
  imports, a module constant) is refused with exit 2, and the run folder is left byte
  for byte as it was: the outputs of two versions are never mixed.

The "crash" is the loss of what a run writes last (summary, manifest, reports), which is
what a kill during scoring leaves; everything else is the real CLI, in process.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from tests.conftest import DOC_ID, GOLD

RUNNER = """\
import os
from helper import SUMMARY_CHARS

def answer(requests):
    with open(os.environ["ANSWER_LOG"], "a", encoding="utf-8") as log:
        log.write("".join(r.sample_id + "\\n" for r in requests))
    return [
        r.context[-SUMMARY_CHARS:] if r.sample.task == "summary" else "Keo Chhea"
        for r in requests
    ]
"""
HELPER = "SUMMARY_CHARS = 400\n"


@pytest.fixture()
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOLD / DOC_ID, tmp_path / "gold" / DOC_ID)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "answer.py").write_text(RUNNER, encoding="utf-8")
    (tmp_path / "code" / "helper.py").write_text(HELPER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.delitem(sys.modules, "helper", raising=False)
    monkeypatch.setenv("ANSWER_LOG", str(tmp_path / "calls.log"))
    config = {
        "name": "changes",
        "gold": [str(tmp_path / "gold")],
        "runners": [
            {"name": "fn", "type": "python",
             "options": {"function": "answer", "path": str(tmp_path / "code" / "answer.py")}},
        ],  # fmt: skip
        "metrics": {"qa": ["qa_de"], "summary": ["rouge", "key_facts"]},
        "bootstrap": {"resamples": 0},
        "cache": {"enabled": False},
        "output_dir": str(tmp_path / "results"),
    }
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def _run(ws: Path, *args: str) -> int:
    return main(["run", str(ws / "c.yaml"), "-q", *args])


def _crash(run: Path) -> None:
    for name in ("summary.json", "manifest.json", "report.md", "report.html"):
        (run / name).unlink()


def _calls(ws: Path) -> list[str]:
    path = ws / "calls.log"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def _latest_scores(run: Path) -> dict[str, dict[str, float]]:
    out = {}
    for line in (run / "scores.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["sample_id"]] = row["values"]
    return out


def _edit_jsonl(name: str, row_id: str, change: Callable[[dict[str, Any]], Any]) -> Any:
    def go(ws: Path) -> None:
        path = ws / "gold" / DOC_ID / name
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        kept = []
        for row in rows:
            if row["id"] == row_id and change(row) is False:
                continue  # removed
            kept.append(row)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), "utf-8")

    return go


def _append_to_article(ws: Path) -> None:
    path = ws / "gold" / DOC_ID / "article.txt"
    path.write_bytes(path.read_bytes() + b"\nNachtrag der Redaktion.\n")


S = f"{DOC_ID}/"


@dataclass(frozen=True)
class GoldChange:
    id: str
    change: Callable[[Path], None]
    regenerated: set[str] | None  # None: every sample
    rescored: set[str] | None


CHANGES = [
    GoldChange("answers-changed",
               _edit_jsonl("qa.jsonl", "speaker-name", lambda r: r.update(answers=["Hun Manet"])),
               set(), {f"{S}speaker-name"}),
    GoldChange("question-changed",
               _edit_jsonl("qa.jsonl", "speaker-title",
                           lambda r: r.update(question="Welches Amt hat Keo Chhea inne?")),
               {f"{S}speaker-title"}, {f"{S}speaker-title"}),
    # Key facts are an input of every metric of the document (not only key_facts).
    GoldChange("fact-changed",
               _edit_jsonl("facts.jsonl", "speaker", lambda r: r.update(weight=1)), set(), None),
    GoldChange("question-removed",
               _edit_jsonl("qa.jsonl", "speaker-title", lambda r: False), set(), set()),
    GoldChange("article-changed", _append_to_article, None, None),
]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=[c.id for c in CHANGES])
def test_resume_after_a_gold_change_equals_a_clean_run(change: GoldChange, ws: Path) -> None:
    assert _run(ws, "--run-id", "crashed") == 0
    crashed = ws / "results" / "crashed"
    _crash(crashed)
    lines_before = len((crashed / "scores.jsonl").read_text(encoding="utf-8").splitlines())
    change.change(ws)
    (ws / "calls.log").unlink()
    assert _run(ws, "--resume", str(crashed)) == 0
    regenerated = set(_calls(ws))
    rows = (crashed / "scores.jsonl").read_text(encoding="utf-8").splitlines()
    rescored = {json.loads(x)["sample_id"] for x in rows[lines_before:]}
    assert _run(ws, "--run-id", "clean") == 0
    clean = ws / "results" / "clean"
    every = set(_calls(ws)) - regenerated | regenerated  # the clean run asked for all
    assert regenerated == (every if change.regenerated is None else change.regenerated)
    assert rescored == (every if change.rescored is None else change.rescored)
    results = [json.loads((r / "summary.json").read_text("utf-8"))["results"]
               for r in (crashed, clean)]  # fmt: skip
    assert results[0] == results[1]
    clean_scores = _latest_scores(clean)
    assert {k: v for k, v in _latest_scores(crashed).items() if k in clean_scores} == clean_scores
    manifests = [json.loads((r / "manifest.json").read_text("utf-8")) for r in (crashed, clean)]
    assert manifests[0]["gold"][DOC_ID]["sha256"] == manifests[1]["gold"][DOC_ID]["sha256"]


@dataclass(frozen=True)
class CodeChange:
    id: str
    file: str
    old: str
    new: str


CODE_CHANGES = [
    CodeChange("script-edited", "answer.py", '"Keo Chhea"', '"Chhea"'),
    CodeChange("module-constant", "helper.py", "400", "300"),
    CodeChange("imported-helper-gains-code", "helper.py", "\n", "\nEXTRA = 1\n"),
]


@pytest.mark.parametrize("change", CODE_CHANGES, ids=[c.id for c in CODE_CHANGES])
@pytest.mark.parametrize("kind", ["python", "command"])
def test_resume_refuses_a_runner_whose_code_changed(
    change: CodeChange, kind: str, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if kind == "command":  # the same code as a JSON-lines script
        script = ws / "code" / "answer.py"
        script.write_text(
            script.read_text(encoding="utf-8")
            + "\nif __name__ == '__main__':\n    import json, sys\n"
            "    for line in sys.stdin:\n        r = json.loads(line)\n"
            "        print(json.dumps({'sample_id': r['sample_id'], 'text': 'Keo Chhea'}))\n",
            encoding="utf-8",
        )
        cfg = yaml.safe_load((ws / "c.yaml").read_text(encoding="utf-8"))
        cfg["runners"] = [
            {"name": "fn", "type": "command", "options": {"command": [sys.executable, str(script)]}}
        ]
        (ws / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert _run(ws, "--run-id", "crashed") == 0
    crashed = ws / "results" / "crashed"
    _crash(crashed)
    before = {p.name: p.read_bytes() for p in crashed.iterdir() if p.is_file()}
    path = ws / "code" / change.file
    path.write_text(path.read_text(encoding="utf-8").replace(change.old, change.new, 1), "utf-8")
    sys.modules.pop("helper", None)
    capsys.readouterr()
    assert _run(ws, "--resume", str(crashed)) == 2
    err = capsys.readouterr().err
    assert f"{crashed / 'generations.jsonl'}: runner 'fn' has changed since this run began" in err
    assert "Traceback" not in err
    after = {p.name: p.read_bytes() for p in crashed.iterdir() if p.is_file()}
    assert after == before
