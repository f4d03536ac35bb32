"""The streaming pipeline: a window of requests in flight, answers written and scored as they
arrive, files forced to disk on a cadence, and a stopped run that resumes to the clean result.

No test waits on a clock: the fake server holds requests on a condition (with a generous
deadline that only a broken pipeline reaches), the fsync cadence gets a fake clock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from harness.config import RunConfig
from harness.gold.load import build_samples, load_gold
from harness.pipeline import RunInterrupted, RunnerFailed, run
from harness.runners.base import create_runner
from harness.streaming import BATCH, StreamError, SyncCadence, stream_answers
from harness.types import Generation, Request
from tests.conftest import GOLD
from tests.runners.fake_server import Action, FakeServer, Seen, completion

QA = build_samples(load_gold(GOLD), ("qa",))
DEADLINE = 60.0  # seconds; reached only when the pipeline holds requests back


class Window:
    """Server side: counts requests in flight; holds each until the window is full.

    Requests wait until ``size`` are in flight at once (or every request has
    arrived: the tail), then all that are waiting go together. The request
    whose prompt holds ``hold`` waits until ``2 * size`` others have been
    answered: with a barrier between groups, those others could never come.
    """

    def __init__(self, size: int, total: int, hold: str) -> None:
        self.size, self.total, self.hold = size, total, hold
        self.cond = threading.Condition()
        self.in_flight = self.most = self.arrived = self.answered = self.fills = 0
        self.held_until = -1  # answers before the held request was let go (-1: timed out)

    def respond(self, seen: Seen) -> Action:
        with self.cond:
            self.in_flight += 1
            self.arrived += 1
            self.most = max(self.most, self.in_flight)
            if self.in_flight >= self.size or self.arrived >= self.total:
                self.fills += 1
                self.cond.notify_all()
            if self.hold in seen.text:
                if self.cond.wait_for(lambda: self.answered >= 2 * self.size, DEADLINE):
                    self.held_until = self.answered
            else:
                fill = self.fills
                self.cond.wait_for(
                    lambda: self.fills > fill or self.in_flight >= self.size
                    or self.arrived >= self.total,
                    DEADLINE,
                )
            self.in_flight -= 1
            self.answered += 1
            self.cond.notify_all()
        return completion(seen.path, "Keo Chhea")


def _config(tmp: Path, runners: list[dict[str, Any]], **extra: Any) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": "stream",
            "gold": [str(GOLD)],
            "tasks": ["qa"],
            "runners": runners,
            "metrics": {"qa": ["squad_v2", "qa_de"], "summary": []},
            "bootstrap": {"resamples": 20},
            "cache": {"enabled": False},
            "output_dir": str(tmp / "results"),
            **extra,
        }
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_a_server_gets_its_concurrency_in_flight_with_no_barrier_between_groups(
    tmp_path: Path,
) -> None:
    size = 24  # more than the old fixed batch of 16
    assert size > BATCH
    window = Window(size, len(QA), hold=QA[0].input)
    with FakeServer(window.respond) as server:
        cfg = _config(
            tmp_path,
            [
                {
                    "name": "served",
                    "type": "openai",
                    "options": {
                        "base_url": server.url,
                        "model": "fake",
                        "endpoint": "completions",
                        "concurrency": size,
                        "max_retries": 0,
                        "timeout": DEADLINE + 30,
                    },
                }
            ],
        )
        folder = run(cfg, tmp_path, use_cache=False)
    assert window.most == size  # the window is full, and never more than the concurrency
    assert window.held_until >= 2 * size  # the others flowed past the slow one
    gens = _lines(folder / "generations.jsonl")
    assert len(gens) == len(QA) and not any(g["error"] for g in gens)
    assert len(_lines(folder / "scores.jsonl")) == len(QA)


class Streamy:
    """A test runner with its own window: answers each window's requests in reverse order.

    ``stop_after`` groups (when set) it raises KeyboardInterrupt, as Ctrl-C would.
    Every request it was given is recorded in ``asked``.
    """

    asked: list[str] = []

    def __init__(self, name: str, stop_after: int | None = None) -> None:
        self.name = name
        self.window = 5
        self.stop_after = stop_after

    def fingerprint(self) -> str:
        return "streamy-v1"

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        raise AssertionError("the pipeline streams from a runner that can")

    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        for n, start in enumerate(range(0, len(requests), self.window)):
            if self.stop_after is not None and n == self.stop_after:
                raise KeyboardInterrupt
            part = list(range(start, min(start + self.window, len(requests))))
            Streamy.asked += [requests[i].sample_id for i in part]
            yield [(i, self._answer(requests[i])) for i in reversed(part)]

    def _answer(self, r: Request) -> Generation:
        s = r.sample
        text = s.references[0] if s.references and len(s.id) % 2 else "Phnom Penh"
        return Generation(s.id, self.name, text, raw=text)


def _streamy(stop_after: int | None) -> Any:
    def factory(type_name: str, name: str, options: dict[str, Any]) -> Any:
        if type_name == "streamy":
            return Streamy(name, stop_after)
        return create_runner(type_name, name, options)

    return factory


def _generated(folder: Path) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for row in _lines(folder / "generations.jsonl"):
        key = (row["runner"], row["sample_id"])
        assert key not in out, f"duplicate {key}"
        out[key] = row["text"]
    return out


def _scored(folder: Path) -> dict[tuple[str, str], dict[str, float]]:
    out: dict[tuple[str, str], dict[str, float]] = {}
    for row in _lines(folder / "scores.jsonl"):
        key = (row["runner"], row["sample_id"])
        assert key not in out, f"duplicate score {key}"
        out[key] = row["values"]
    return out


def test_a_stopped_stream_resumes_to_the_clean_run(tmp_path: Path) -> None:
    runners = [{"name": "o", "type": "oracle"}, {"name": "s", "type": "streamy"}]
    cfg = _config(tmp_path, runners)
    clean = run(cfg, tmp_path, run_id="clean", use_cache=False, runner_factory=_streamy(None))
    Streamy.asked = []
    with pytest.raises(RunInterrupted) as stopped:
        run(cfg, tmp_path, run_id="stopped", use_cache=False, runner_factory=_streamy(3))
    folder = stopped.value.run_dir
    # Three windows of five arrived, each written and scored as it came, out of order.
    assert len([k for k in _generated(folder) if k[0] == "s"]) == 15
    assert len([k for k in _scored(folder) if k[0] == "s"]) == 15
    assert not (folder / "summary.json").exists()
    done = set(Streamy.asked)
    for name in ("generations.jsonl", "scores.jsonl"):  # a crash mid-write: half a line
        with (folder / name).open("ab") as f:
            f.write(b'{"sample_id": "kambodscha-menschenhandel-2025/speaker-n')
    Streamy.asked = []
    run(cfg, tmp_path, use_cache=False, resume=folder, runner_factory=_streamy(None))
    assert Streamy.asked and not set(Streamy.asked) & done  # nothing asked twice
    assert _generated(folder) == _generated(clean)
    assert _scored(folder) == _scored(clean)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    want = json.loads((clean / "summary.json").read_text(encoding="utf-8"))
    assert summary["results"] == want["results"]


def test_writes_are_forced_to_disk_on_the_cadence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harness.streaming as streaming

    syncs: list[int] = []
    real = SyncCadence.sync

    def counted(self: SyncCadence) -> None:
        syncs.append(self.pending)
        real(self)

    monkeypatch.setattr(streaming, "SYNC_LINES", 10)
    monkeypatch.setattr(streaming, "SYNC_SECONDS", float("inf"))
    monkeypatch.setattr(SyncCadence, "sync", counted)
    run(_config(tmp_path, [{"name": "o", "type": "oracle"}]), tmp_path, use_cache=False)
    # 72 answers, each a generation line and a score line: a sync every 10 lines (5 answers),
    # then one when the runner is done and one after the (empty) catch-up scoring.
    assert syncs[: len(QA) // 5] == [10] * (len(QA) // 5)
    assert syncs[len(QA) // 5 :] == [2 * len(QA) % 10, 0]


def test_sync_cadence_by_count_and_by_time() -> None:
    class File:
        synced = 0

        def sync(self) -> None:
            self.synced += 1

    now = [0.0]
    f = File()
    cadence = SyncCadence([f], lines=100, seconds=2.0, clock=lambda: now[0])
    for _ in range(99):
        cadence.wrote()
    assert f.synced == 0
    cadence.wrote()
    assert f.synced == 1 and cadence.pending == 0
    now[0] = 1.9
    cadence.wrote()
    assert f.synced == 1
    now[0] = 2.1  # two seconds after the last sync: time is up, one line or not
    cadence.wrote()
    assert f.synced == 2


class Broken:
    """Streams answers that break the protocol: a repeated position, or one left out."""

    def __init__(self, name: str, mode: str) -> None:
        self.name, self.mode, self.window = name, mode, 4

    def fingerprint(self) -> str:
        return f"broken-{self.mode}"

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return []

    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        g = [(i, Generation(r.sample_id, self.name, "x")) for i, r in enumerate(requests)]
        yield g[:3]
        yield g[2:3] if self.mode == "twice" else []


@pytest.mark.parametrize(("mode", "message"), [("twice", "twice"), ("missing", "never answered")])
def test_a_runner_that_breaks_the_stream_fails_with_what_it_wrote_kept(
    tmp_path: Path, mode: str, message: str
) -> None:
    reqs = [Request(sample=s, context="", prompt=s.input) for s in QA[:5]]
    with pytest.raises(StreamError, match=message):
        list(stream_answers(Broken("b", mode), reqs))

    def factory(type_name: str, name: str, options: dict[str, Any]) -> Any:
        return Broken(name, mode)

    cfg = _config(tmp_path, [{"name": "b", "type": "oracle"}])
    with pytest.raises(RunnerFailed, match=message) as failed:
        run(cfg, tmp_path, use_cache=False, runner_factory=factory)
    folder = failed.value.run_dir
    assert len(_lines(folder / "generations.jsonl")) == 3  # what arrived is written ...
    assert len(_lines(folder / "scores.jsonl")) == 3  # ... and scored
