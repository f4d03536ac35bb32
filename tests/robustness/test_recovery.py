"""Recovery (issue 12, class 7): torn UTF-8 lines, a full disk, SIGTERM.

- A last line torn inside a UTF-8 character (a crash mid-write) is skipped by every
  reader: ``--resume``, ``report``, ``compare`` and ``gate`` go on.
- A disk that fills up at any step ends the run with exit 1, ``aborted`` in the manifest
  where the disk still takes it, and the ``--resume`` command; no traceback. Once there is
  space again, the resume finishes the run with the results of a clean one.
- SIGTERM stops a run as Ctrl-C does: exit 143, ``interrupted`` in the manifest, the
  resume command, and no process of a ``command`` runner (nor its children) left running.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import harness.results
from harness.cli import main
from harness.results import JsonlAppender
from tests.conftest import GOLD
from tests.robustness.procs import start, stop_leftovers, wait_for


def teardown_function() -> None:
    stop_leftovers()


def _config(root: Path, runners: list[dict[str, Any]] | None = None, **extra: Any) -> Path:
    cfg = {
        "name": "rec",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 20,
        "runners": runners or [{"name": "o", "type": "oracle"}, {"name": "lead", "type": "lead"}],
        "bootstrap": {"resamples": 10},
        "cache": {"enabled": False},
        "output_dir": str(root / "results"),
        **extra,
    }
    path = root / "c.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


# -- torn UTF-8 ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["resume", "report", "compare", "gate"])
@pytest.mark.parametrize("name", ["generations.jsonl", "scores.jsonl"])
def test_a_line_torn_inside_a_utf8_character_is_skipped(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["run", str(config), "-q", "--run-id", "r"]) == 0
    run = tmp_path / "results" / "r"
    with (run / name).open("ab") as f:  # "Säule" cut after the first byte of "ä"
        f.write(b'{"sample_id": "S\xc3')
    (tmp_path / "gates.yaml").write_text("thresholds: ['qa_de.f1 >= 0']\n", encoding="utf-8")
    argv = {
        "resume": ["run", str(config), "-q", "--resume", str(run)],
        "report": ["report", str(run)],
        "compare": ["compare", str(run), str(run), "--runner-a", "o", "--runner-b", "lead"],
        "gate": ["gate", str(run), "--config", str(tmp_path / "gates.yaml")],
    }[command]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    if command == "resume":  # the torn line was cut before appending
        assert (run / name).read_bytes().endswith(b"\n")


# -- a full disk --------------------------------------------------------------------------


def _enospc(path: Path) -> OSError:
    return OSError(errno.ENOSPC, f"{path}: cannot write: No space left on device")


def fail_appender(name: str, after: int) -> Callable[[pytest.MonkeyPatch], None]:
    """Appends to ``name`` fail once ``after`` lines are written (by this process)."""

    def go(mp: pytest.MonkeyPatch) -> None:
        real = JsonlAppender.write
        count = {"n": 0}

        def write(self: JsonlAppender, obj: Any) -> None:
            if self.path.name == name:
                count["n"] += 1
                if count["n"] > after:
                    raise _enospc(self.path)
            real(self, obj)

        mp.setattr(JsonlAppender, "write", write)

    return go


def fail_whole_file(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def go(mp: pytest.MonkeyPatch) -> None:
        real = harness.results.atomic_write_text

        def write(path: Path, text: str) -> None:
            if path.name == name:
                raise _enospc(path)
            real(path, text)

        mp.setattr(harness.results, "atomic_write_text", write)

    return go


@dataclass(frozen=True)
class Full:
    id: str
    fill: Callable[[pytest.MonkeyPatch], None]
    aborted_in_manifest: bool
    resumable: bool = True  # False: nothing was written, the new folder is removed again


FULL = [
    Full("config-yaml", fail_whole_file("config.yaml"), False, resumable=False),
    Full("generation-line", fail_appender("generations.jsonl", 5), True),
    Full("score-line", fail_appender("scores.jsonl", 5), True),
    Full("summary", fail_whole_file("summary.json"), True),
    Full("report", fail_whole_file("report.md"), True),
    Full("manifest", fail_whole_file("manifest.json"), False),  # nowhere to say it
]


@pytest.mark.parametrize("full", FULL, ids=[f.id for f in FULL])
def test_a_full_disk_stops_with_a_resume_hint_and_the_resume_finishes(
    full: Full, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["run", str(config), "-q", "--run-id", "clean"]) == 0
    with pytest.MonkeyPatch.context() as mp:
        full.fill(mp)
        code = main(["run", str(config), "-q", "--run-id", "full"])
    out, err = capsys.readouterr()
    run = tmp_path / "results" / "full"
    assert code == 1, err
    assert "Traceback" not in out + err
    assert "No space left on device" in err
    if not full.resumable:
        assert "nothing was written" in err and not run.exists()
        assert main(["run", str(config), "-q", "--run-id", "full"]) == 0  # space again
        return
    assert f"resume with: harness run {config} --resume {run}" in err
    manifest = run / "manifest.json"
    if full.aborted_in_manifest:
        assert "No space left on device" in json.loads(manifest.read_text("utf-8"))["aborted"]
    assert main(["run", str(config), "-q", "--resume", str(run)]) == 0  # space again
    results = [json.loads((tmp_path / "results" / r / "summary.json").read_text("utf-8"))
               for r in ("clean", "full")]  # fmt: skip
    assert results[0]["results"] == results[1]["results"]


@pytest.mark.parametrize("where", ["results-folder", "cache-folder"])
def test_an_unwritable_folder_is_exit_2_before_anything_is_made(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As root, permissions do not stop writes: the folder is read-only as os.access sees it.
    blocked = tmp_path / ("results" if where == "results-folder" else "cache")
    blocked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **kw: Path(p) != blocked and real(p, m, **kw))
    real_open = harness.runners.cache.sqlite3.connect

    def connect(path: Any, *a: Any, **kw: Any) -> Any:
        if Path(path).parent == blocked:
            raise harness.runners.cache.sqlite3.OperationalError("unable to open database file")
        return real_open(path, *a, **kw)

    monkeypatch.setattr(harness.runners.cache.sqlite3, "connect", connect)
    cache = {"enabled": True, "path": str(tmp_path / "cache" / "gen.sqlite")}
    config = _config(tmp_path, cache=cache)
    code = main(["run", str(config), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert str(blocked) in err
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


# -- SIGTERM ------------------------------------------------------------------------------

SCRIPT = """\
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.05)"])
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {child.pid}\\n")
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
sys.stdin.read()
while True:
    time.sleep(0.05)
"""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_sigterm_stops_the_run_and_its_command_processes(tmp_path: Path) -> None:
    script = tmp_path / "hang.py"
    script.write_text(SCRIPT, encoding="utf-8")
    pids = tmp_path / "pids"
    runner = {"name": "c", "type": "command",
              "options": {"command": [sys.executable, str(script), str(pids)]}}  # fmt: skip
    config = _config(tmp_path, [{"name": "o", "type": "oracle"}, runner])
    proc = start(["run", str(config), "-q", "--run-id", "term"], tmp_path, "term")
    wait_for(pids.exists, "the command runner to start", proc)
    child, grandchild = map(int, pids.read_text(encoding="ascii").split())
    proc.popen.send_signal(signal.SIGTERM)
    assert proc.wait() == 143, proc.stderr
    assert "terminated (SIGTERM)" in proc.stderr and "Traceback" not in proc.stderr
    run = tmp_path / "results" / "term"
    assert f"resume with: harness run {config} --resume {run}" in proc.stderr
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] is True and manifest["signal"] == "SIGTERM"
    wait_for(lambda: not _alive(child) and not _alive(grandchild), "the command's processes")
    shutil.rmtree(run)
