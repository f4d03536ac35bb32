"""Helpers for tests that run ``harness`` in subprocesses: configs, starting, waiting, reading.

The test process never sleeps on a timer to let something happen: it polls a
condition (a line count, a log entry) in a short loop with a deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import GOLD, ROOT

SCRIPT = Path(__file__).with_name("robust_runners.py")
DEADLINE = 90.0  # seconds; generous for a loaded 2-core machine, never reached when all is well
STARTED: list[subprocess.Popen[bytes]] = []


def write_config(folder: Path, runners: list[dict[str, Any]], **overrides: Any) -> Path:
    """A config on the real gold into ``folder/results``, no cache, a cheap bootstrap."""
    cfg: dict[str, Any] = {
        "name": "robust",
        "gold": [str(GOLD)],
        "runners": runners,
        "bootstrap": {"resamples": 20, "seed": 0},
        "cache": {"enabled": False},
        "output_dir": str(folder / "results"),
    }
    cfg.update(overrides)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def gated(name: str, gate: Path) -> dict[str, Any]:
    return {"name": name, "type": "robust-gated", "options": {"gate_dir": str(gate)}}


@dataclass
class Proc:
    """A ``harness`` subprocess with its output in files (a pipe could fill up and block it)."""

    popen: subprocess.Popen[bytes]
    out: Path
    err: Path

    def wait(self, timeout: float = DEADLINE) -> int:
        return self.popen.wait(timeout=timeout)

    @property
    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=DEADLINE)


def start(args: list[str], folder: Path, tag: str, env: dict[str, str] | None = None) -> Proc:
    """``python robust_runners.py ARGS`` (the harness CLI with the test runners registered)."""
    out, err = folder / f"{tag}.out", folder / f"{tag}.err"
    full_env = {**os.environ, "HARNESS_GENERATION_CACHE": str(folder / "gen-cache"), **(env or {})}
    with out.open("wb") as o, err.open("wb") as e:
        popen = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args], cwd=ROOT, stdout=o, stderr=e, env=full_env
        )
    STARTED.append(popen)
    return Proc(popen, out, err)


def stop_leftovers() -> None:
    """Kill what a failed test left running (a run blocked at its gate), by process id."""
    while STARTED:
        popen = STARTED.pop()
        if popen.poll() is None:
            popen.kill()
            popen.wait(timeout=DEADLINE)


def wait_for(condition: Callable[[], bool], what: str, proc: Proc | None = None) -> None:
    """Poll ``condition`` until true; fail naming ``what`` (and the process's stderr)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if proc is not None and proc.popen.poll() is not None:
            code = proc.popen.returncode
            raise AssertionError(f"exited {code} waiting for {what}:\n{proc.stderr}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def lines(path: Path) -> int:
    """Complete lines in a file (0 if it does not exist)."""
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def calls(gate: Path) -> list[dict[str, Any]]:
    """The gated runner's call log."""
    path = gate / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a results file, each one checked to be a JSON object."""
    rows = []
    for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line:
            obj = json.loads(line)
            assert isinstance(obj, dict), f"{path}:{no}"
            rows.append(obj)
    return rows
