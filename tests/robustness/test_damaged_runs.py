"""Damaged run folders, one table (issue 12, class 9).

Each row damages one file of a copy of a finished run: a file replaced by a folder or a
FIFO, a garbage line, a field of the wrong type or missing, NaN, a torn or lost line,
invalid UTF-8. Every reader then names the file (and line and field where there is one)
and exits 2 without a traceback: ``harness report``, ``compare``, ``gate`` and
``run --resume`` (which rewrites only what it recomputes: a damaged summary or manifest
is made again, damaged generations or scores are refused). ``harness leaderboard``
skips a run it cannot read and says why, listing the others. Nothing in the damaged
folder is changed by a command that refuses it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from tests.conftest import GOLD


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    cfg = {
        "name": "dmg",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 5,
        "runners": [{"name": "o", "type": "oracle"}, {"name": "lead", "type": "lead"}],
        "bootstrap": {"resamples": 10},
        "cache": {"enabled": False},
        "output_dir": str(root / "results"),
    }
    (root / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(root / "c.yaml"), "-q", "--run-id", "good"]) == 0
    return root


def set_line(name: str, no: int, text: str) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        rows = (run / name).read_text(encoding="utf-8").split("\n")
        rows[no - 1] = text
        (run / name).write_text("\n".join(rows), encoding="utf-8")

    return go


def edit_line(name: str, no: int, change: Callable[[dict[str, object]], object]) -> Callable[
    [Path], None
]:
    def go(run: Path) -> None:
        rows = (run / name).read_text(encoding="utf-8").split("\n")
        obj = json.loads(rows[no - 1])
        out = change(obj)
        rows[no - 1] = out if isinstance(out, str) else json.dumps(obj)
        (run / name).write_text("\n".join(rows), encoding="utf-8")

    return go


def edit_json(name: str, change: Callable[[dict[str, object]], object]) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        obj = json.loads((run / name).read_text(encoding="utf-8"))
        out = change(obj)
        text = out if isinstance(out, str) else json.dumps(obj, indent=2)
        (run / name).write_text(text, encoding="utf-8")

    return go


def write(name: str, text: str) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        (run / name).write_text(text, encoding="utf-8")

    return go


def folder(name: str) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        (run / name).unlink()
        (run / name).mkdir()
        (run / name / "x").write_text("x", encoding="utf-8")

    return go


def fifo(name: str) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        (run / name).unlink()
        os.mkfifo(run / name)

    return go


def remove(name: str) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        (run / name).unlink()

    return go


def bad_utf8(name: str, no: int) -> Callable[[Path], None]:
    def go(run: Path) -> None:
        rows = (run / name).read_bytes().split(b"\n")
        rows[no - 1] = rows[no - 1].replace(b"o", b"\xc3", 1)
        (run / name).write_bytes(b"\n".join(rows))

    return go


def _pop(key: str) -> Callable[[dict[str, object]], None]:
    def change(obj: dict[str, object]) -> None:
        obj.pop(key)

    return change


def _set(**fields: object) -> Callable[[dict[str, object]], None]:
    def change(obj: dict[str, object]) -> None:
        obj.update(fields)

    return change


def _summary(change: Callable[[dict[str, object]], None]) -> Callable[[dict[str, object]], None]:
    def go(obj: dict[str, object]) -> None:
        change(obj["results"]["o"]["qa"])  # type: ignore[index]

    return go


def _nan_value(obj: dict[str, object]) -> str:
    obj["values"]["qa_de.f1"] = "@@"  # type: ignore[index]
    return json.dumps(obj).replace('"@@"', "NaN")


@dataclass(frozen=True)
class Damage:
    id: str
    file: str
    line: int  # 0: none to name
    breaks: Callable[[Path], None]
    expect: str
    resume: int = 2  # exit code of --resume (0: the file is one it makes again)


S, G, Y = "scores.jsonl", "generations.jsonl", "summary.json"
DAMAGES = [
    Damage("scores-folder", S, 0, folder(S), "is a folder, not a regular file"),
    Damage("scores-fifo", S, 0, fifo(S), "is a FIFO, not a regular file"),
    Damage("scores-garbage-line", S, 2, set_line(S, 2, "garbage"), "invalid JSON"),
    Damage("scores-not-an-object", S, 2, set_line(S, 2, "[1, 2]"), "expected a JSON object"),
    Damage("scores-no-values", S, 3, edit_line(S, 3, _pop("values")), "values: missing"),
    Damage("scores-values-string", S, 3, edit_line(S, 3, _set(values="high")),
           "values: expected an object"),
    Damage("scores-value-nan", S, 4, edit_line(S, 4, _nan_value),
           "values.qa_de.f1: expected a finite number"),
    Damage("scores-runner-number", S, 2, edit_line(S, 2, _set(runner=5)),
           "runner: expected a string"),
    Damage("scores-bad-utf8", S, 3, bad_utf8(S, 3), "not valid UTF-8"),
    Damage("scores-missing", S, 0, remove(S), "missing", resume=0),
    Damage("scores-line-lost", S, 0, set_line(S, 2, ""), "holds 4 scores of runner 'o'",
           resume=0),
    Damage("generations-folder", G, 0, folder(G), "is a folder, not a regular file"),
    Damage("generations-garbage-line", G, 2, set_line(G, 2, "{not json"), "invalid JSON"),
    Damage("generations-text-number", G, 3, edit_line(G, 3, _set(text=5)),
           "text: expected a string"),
    Damage("generations-no-sample-id", G, 1, edit_line(G, 1, _pop("sample_id")),
           "sample_id: missing"),
    Damage("summary-a-list", Y, 1, write(Y, "[]\n"), "expected a JSON object", resume=0),
    Damage("summary-results-list", Y, 0, edit_json(Y, _set(results=[])),
           "results: missing or not a mapping", resume=0),
    Damage("summary-value-string", Y, 0,
           edit_json(Y, _summary(lambda t: t["metrics"]["qa_de.f1"].update(value="x"))),
           "results.o.qa.metrics.qa_de.f1.value: expected a number", resume=0),
    Damage("summary-no-errors", Y, 0, edit_json(Y, _summary(_pop("errors"))),
           "results.o.qa.errors: missing", resume=0),
    Damage("summary-truncated", Y, 0, lambda r: (r / Y).write_bytes((r / Y).read_bytes()[:40]),
           "invalid JSON", resume=0),
    Damage("summary-fifo", Y, 0, fifo(Y), "is a FIFO"),  # never replaced, not even by --resume
    Damage("manifest-a-list", "manifest.json", 1, write("manifest.json", "[]\n"),
           "expected a JSON object", resume=0),
    Damage("manifest-runners-list", "manifest.json", 0,
           edit_json("manifest.json", _set(runners=["o"])),
           "runners: expected a mapping of runners", resume=0),
    Damage("samples-garbage-line", "samples.jsonl", 2, set_line("samples.jsonl", 2, "]]"),
           "invalid JSON", resume=0),
    Damage("samples-bad-task", "samples.jsonl", 1,
           edit_line("samples.jsonl", 1, _set(task="poetry")), "task: expected 'qa' or 'summary'",
           resume=0),
    Damage("documents-a-list", "documents.json", 1, write("documents.json", "[]"),
           "expected a mapping of documents", resume=0),
]  # fmt: skip


@pytest.fixture()
def damaged(finished: Path, tmp_path: Path) -> Path:
    shutil.copytree(finished / "results" / "good", tmp_path / "results" / "bad")
    shutil.copytree(finished / "results" / "good", tmp_path / "results" / "other")
    (tmp_path / "gates.yaml").write_text("thresholds: ['qa_de.f1 >= 0']\n", encoding="utf-8")
    return tmp_path / "results" / "bad"


def _snapshot(run: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(run)): p.read_bytes()
        for p in run.rglob("*")
        if p.is_file() and not p.is_fifo() and p.name != ".lock"
    }


def test_the_table_covers_two_dozen_kinds() -> None:
    assert len(DAMAGES) >= 24
    assert len({d.id for d in DAMAGES}) == len(DAMAGES)


@pytest.mark.parametrize("command", ["report", "compare", "gate", "resume"])
@pytest.mark.parametrize("damage", DAMAGES, ids=[d.id for d in DAMAGES])
def test_every_reader_names_the_damage(
    damage: Damage,
    command: str,
    damaged: Path,
    finished: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    damage.breaks(damaged)
    before = _snapshot(damaged)
    argv = {
        "report": ["report", str(damaged)],
        "compare": ["compare", str(damaged), str(damaged.parent / "other")],
        "gate": ["gate", str(damaged), "--config", str(damaged.parent.parent / "gates.yaml")],
        "resume": ["run", str(finished / "c.yaml"), "-q", "--resume", str(damaged)],
    }[command]
    want = 2 if command != "resume" else damage.resume
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == want, out + err
    if want == 2:
        where = str(damaged / damage.file) + (f":{damage.line}:" if damage.line else "")
        assert where in err and damage.expect in err, err
        assert _snapshot(damaged) == before  # a refusal changes nothing
    else:  # the resume made the derived files again: the run is whole
        assert main(["report", str(damaged)]) == 0


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.id for d in DAMAGES])
def test_leaderboard_skips_a_run_it_cannot_read(
    damage: Damage, damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage.breaks(damaged)
    assert main(["leaderboard", str(damaged.parent)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    rows = [x for x in out.splitlines() if x[:3] in {f"| {i}" for i in range(1, 10)}]
    if damage.file in ("summary.json", "manifest.json"):  # the only files it reads
        assert f"bad: skipped: {damaged / damage.file}" in out
        assert len(rows) == 2  # the other run's two runners
    else:
        assert len(rows) == 4 and "skipped" not in out
