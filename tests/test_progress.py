"""Progress reporting: bars on a terminal, plain lines elsewhere, silence with --quiet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.config import RunConfig
from harness.pipeline import run
from harness.progress import (
    BarProgress,
    LineProgress,
    QuietProgress,
    as_progress,
    make_progress,
)
from harness.runners.scripted import Scripted
from harness.types import Generation, Request
from tests.conftest import GOLD


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A Progress that records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def start(self, label: str, total: int | None = None) -> None:
        self.calls.append(("start", label, total))

    def advance(self, n: int = 1) -> None:
        self.calls.append(("advance", n))

    def done(self) -> None:
        self.calls.append(("done",))

    def say(self, msg: str) -> None:
        self.calls.append(("say", msg))

    def __call__(self, msg: str) -> None:
        self.say(msg)


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_with_eta_at_most_every_interval() -> None:
    clock, lines = Clock(), list[str]()
    p = LineProgress(lines.append, interval=10.0, clock=clock)
    p.start("[m] generate", 100)
    for _ in range(10):
        clock.now += 3.0
        p.advance(10)
    p.done()
    assert lines[0] == "[m] generate: 0/100"
    assert lines[1] == "[m] generate: 40/100 (40%), 12.0s elapsed, ETA 18.0s"
    assert lines[-1] == "[m] generate: 100/100 (100%) in 30.0s"
    assert lines[2].startswith("[m] generate: 80/100 (80%), 24.0s elapsed")
    assert len(lines) == 4  # start, 40 and 80 (10 s apart at least), done
    p.start("[m] load model", None)
    clock.now += 65
    p.done()
    assert lines[-2:] == ["[m] load model ...", "[m] load model: done in 1m05s"]


def test_bars_on_a_terminal_lines_elsewhere_nothing_when_quiet() -> None:
    tty = TTY()
    bar = make_progress(stream=tty)
    assert isinstance(bar, BarProgress)
    bar.start("[m] generate", 4)
    bar.advance(4)
    bar.say("hello")
    bar.done()
    out = tty.getvalue()
    assert "[m] generate" in out and "4/4" in out and "hello" in out
    assert isinstance(make_progress(stream=io.StringIO()), LineProgress)
    assert isinstance(make_progress(quiet=True, stream=tty), QuietProgress)


def test_plain_callables_still_work() -> None:
    seen: list[str] = []
    p = as_progress(seen.append)
    p.start("x", 1)
    p.advance()
    p.done()
    p("direct")
    assert seen[0] == "x: 0/1" and seen[-1] == "direct"
    rec = Recorder()
    assert as_progress(rec) is rec
    assert isinstance(as_progress(None), QuietProgress)


def _cfg(tmp_path: Path, tasks: Sequence[str] = ("qa",)) -> RunConfig:
    return RunConfig.model_validate(
        {
            "gold": [str(GOLD)],
            "tasks": list(tasks),
            "runners": [{"name": "m", "type": "scripted"}],
            "bootstrap": {"resamples": 10},
            "cache": {"path": str(tmp_path / "cache.sqlite")},
        }
    )


class Loadable(Scripted):
    """A scripted runner with a separate load step, like the hf runner."""

    loads = 0

    def __init__(self, name: str, **kw: Any) -> None:
        super().__init__(name, **kw)
        self.loaded = False

    def load(self) -> None:
        type(self).loads += 1
        self.loaded = True

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        assert self.loaded, "generate before load"
        return super().generate(requests)


def test_pipeline_reports_load_generate_and_score_steps(tmp_path: Path) -> None:
    rec = Recorder()
    cfg = _cfg(tmp_path)
    factory = lambda t, n, o: Loadable(n, **o)  # noqa: E731
    run(cfg, tmp_path, output_dir=tmp_path / "r", progress=rec, runner_factory=factory)
    starts = [c for c in rec.calls if c[0] == "start"]
    assert starts[:3] == [
        ("start", "[m] load model", None),
        ("start", "[m] generate", 72),
        ("start", "[m] score", 72),
    ]
    i_gen, i_score = rec.calls.index(starts[1]), rec.calls.index(starts[2])
    assert sum(c[1] for c in rec.calls[i_gen:i_score] if c[0] == "advance") == 72
    assert sum(c[1] for c in rec.calls[i_score:] if c[0] == "advance") == 72
    assert Loadable.loads == 1
    # Everything cached now: the model is not loaded again.
    rec2 = Recorder()
    run(cfg, tmp_path, output_dir=tmp_path / "r", progress=rec2, runner_factory=factory)
    assert ("start", "[m] load model", None) not in rec2.calls
    assert Loadable.loads == 1


def test_cli_progress_lines_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "gold": [str(GOLD)],
                "tasks": ["qa"],
                "runners": [{"name": "lead", "type": "lead"}],
                "bootstrap": {"resamples": 10},
                "output_dir": str(tmp_path / "results"),
            }
        ),
        encoding="utf-8",
    )
    assert main(["run", str(cfg)]) == 0
    captured = capsys.readouterr()
    assert "[lead] generate: 72/72 (100%)" in captured.err  # not a terminal: plain lines
    assert "[lead] score: 72/72 (100%)" in captured.err
    assert "html: " in captured.out and "report.html" in captured.out
    assert main(["run", str(cfg), "-q"]) == 0
    assert capsys.readouterr().err == ""
