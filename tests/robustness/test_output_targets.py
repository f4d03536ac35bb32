"""Odd output targets (issue 12, class 8): only regular files are written.

Every command that writes where it is told (``run -o``, ``score -o``, ``compare -o`` and
``--html``, ``leaderboard --html``, ``gate --junit``) is pointed at a symlink, a FIFO, a
device, a folder, or a path under a regular file. Each is exit 2 naming the path, with no
traceback, no half-made run folder, and the target left exactly as it was (a symlink still
links to its untouched file, a FIFO is still a FIFO, a device node is still a device).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from tests.conftest import DOC_ID, GOLD


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("targets")
    cfg = {
        "name": "t", "gold": [str(GOLD)], "tasks": ["qa"], "limit": 4,
        "runners": [{"name": "o", "type": "oracle"}, {"name": "lead", "type": "lead"}],
        "bootstrap": {"resamples": 10}, "cache": {"enabled": False},
        "output_dir": str(root / "results"),
    }  # fmt: skip
    (root / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(root / "c.yaml"), "-q", "--run-id", "r"]) == 0
    (root / "gates.yaml").write_text("thresholds: ['qa_de.f1 >= 0']\n", encoding="utf-8")
    (root / "p.jsonl").write_text(
        json.dumps({"sample_id": f"{DOC_ID}/speaker-name", "text": "Keo Chhea"}) + "\n", "utf-8"
    )
    return root


def symlink(target: Path) -> None:
    victim = target.parent / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    target.symlink_to(victim)


def fifo(target: Path) -> None:
    os.mkfifo(target)


def device(target: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(target, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null


def folder(target: Path) -> None:
    target.mkdir()
    (target / "keep.txt").write_text("keep\n", encoding="utf-8")


def under_a_file(target: Path) -> None:
    target.parent.joinpath("plain").write_text("plain\n", encoding="utf-8")


KINDS: dict[str, Callable[[Path], None]] = {
    "symlink": symlink, "fifo": fifo, "device": device, "folder": folder,
    "under-a-file": under_a_file,
}  # fmt: skip


def _state(path: Path) -> object:
    """What is at ``path`` and around it, to prove nothing changed."""
    out: dict[str, object] = {}
    for p in sorted(path.parent.rglob("*")):
        st = os.lstat(p)
        content = p.read_bytes() if stat.S_ISREG(st.st_mode) else None
        out[str(p)] = (stat.S_IFMT(st.st_mode), os.readlink(p) if p.is_symlink() else None, content)
    return out


def _argv(command: str, target: Path, root: Path) -> list[str]:
    run = str(root / "results" / "r")
    return {
        "compare-o": ["compare", run, run, "--runner-a", "o", "--runner-b", "lead",
                      "-o", str(target)],
        "compare-html": ["compare", run, run, "--runner-a", "o", "--runner-b", "lead",
                         "--html", str(target)],
        "leaderboard-html": ["leaderboard", str(root / "results"), "--html", str(target)],
        "gate-junit": ["gate", run, "--config", str(root / "gates.yaml"), "--junit", str(target)],
        "run-o": ["run", str(root / "c.yaml"), "-q", "-o", str(target)],
        "score-o": ["score", "--gold", str(GOLD), "--predictions", str(root / "p.jsonl"),
                    "-o", str(target)],
    }[command]  # fmt: skip


COMMANDS = ["compare-o", "compare-html", "leaderboard-html", "gate-junit", "run-o", "score-o"]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("command", COMMANDS)
def test_odd_targets_are_refused_and_left_as_they_are(
    command: str, kind: str, runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    space = tmp_path / "space"
    space.mkdir()
    target = space / "out"
    KINDS[kind](target)
    if kind == "under-a-file":
        target = space / "plain" / "out"
    folder_target = command in ("run-o", "score-o")
    if folder_target and kind == "folder":
        pytest.skip("a folder is what -o of run and score wants")
    before = _state(space)
    code = main(_argv(command, target, runs))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if folder_target and kind == "symlink":  # a link to a regular file is no folder either
        assert code == 2 and "not a folder" in err
    else:
        assert code == 2, out + err
    shown = target if kind != "under-a-file" else target.parent
    assert str(shown) in err, err
    assert _state(space) == before
