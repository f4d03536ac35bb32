"""Crash safety: kill a run mid-generation (SIGKILL, Ctrl-C), resume it, get the clean results.

The runs are real ``harness run`` subprocesses with a gated test runner
(``tests/robustness/robust_runners.py``) that generates only as many batches
as the test allows, so each kill lands mid-generation, deterministically,
without the test sleeping on a timer.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.gold.load import build_samples, load_gold
from harness.pipeline import BATCH
from tests.conftest import GOLD
from tests.robustness.procs import (
    Proc,
    calls,
    gated,
    jsonl,
    lines,
    start,
    stop_leftovers,
    wait_for,
    write_config,
)

N_SAMPLES = len(build_samples(load_gold(GOLD)))  # 72 questions + 3 summaries, German
A_REST = -(-(N_SAMPLES - 2 * BATCH) // BATCH)  # batches runner a has left after two
assert N_SAMPLES > 3 * BATCH  # so that runner b is still mid-way after three batches


def teardown_function() -> None:
    stop_leftovers()  # a failed test may leave a run blocked at its gate


def key(row: dict[str, Any]) -> tuple[str, str]:
    return (row["runner"], row["sample_id"])


def generated(run: Path) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    """(runner, sample) -> (text, raw, error); fails on a duplicate line."""
    out: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for row in jsonl(run / "generations.jsonl"):
        assert key(row) not in out, f"duplicate generation {key(row)}"
        out[key(row)] = (row["text"], row["raw"], row["error"])
    return out


def scored(run: Path) -> dict[tuple[str, str], dict[str, float]]:
    out: dict[tuple[str, str], dict[str, float]] = {}
    for row in jsonl(run / "scores.jsonl"):
        assert key(row) not in out, f"duplicate score {key(row)}"
        out[key(row)] = row["values"]
    return out


def results(run: Path) -> Any:
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))["results"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One config (two gated runners) and its clean, uninterrupted run."""
    folder = tmp_path_factory.mktemp("resume")
    gate = folder / "gate"
    gate.mkdir()
    config = write_config(folder, [gated("a", gate), gated("b", gate)])
    clean = start(["run", str(config), "-q", "--run-id", "clean"], folder, "clean")
    assert clean.wait() == 0, clean.stderr
    (gate / "calls.jsonl").unlink()
    return {"folder": folder, "gate": gate, "config": config, "clean": folder / "results" / "clean"}


def _calls_of(proc: Proc, gate: Path) -> list[dict[str, Any]]:
    return [c for c in calls(gate) if c["pid"] == proc.popen.pid]


def test_sigkill_mid_generation_then_resume_equals_a_clean_run(setup: dict[str, Path]) -> None:
    folder, gate, config = setup["folder"], setup["gate"], setup["config"]
    run = folder / "results" / "killed"
    gens, scores = run / "generations.jsonl", run / "scores.jsonl"

    # 1. Two batches of runner a pass, the third blocks: SIGKILL mid-generation.
    (gate / "allow").write_text("2", encoding="utf-8")
    p1 = start(["run", str(config), "-q", "--run-id", "killed"], folder, "p1")
    wait_for(lambda: len(_calls_of(p1, gate)) == 3 and lines(gens) == 2 * BATCH, "batch 3", p1)
    p1.kill()
    assert p1.popen.returncode == -signal.SIGKILL
    assert lines(gens) == 2 * BATCH and lines(scores) == 2 * BATCH  # scored as they arrive
    assert not (run / "summary.json").exists()  # an interrupted run never looks complete
    done_before_p2 = set(generated(run))
    # A crash in the middle of a write leaves half a line: resuming must cut it.
    with gens.open("ab") as f:
        f.write(b'{"sample_id": "kambodscha-menschenh')
    with scores.open("ab") as f:
        f.write(b'{"sample_id": "kambodscha-menschenhandel-2025/speaker-name", "runner": "a", "val')

    # 2. Resume: runner a finishes, runner b gets 3 batches (each scored); SIGKILL again.
    (gate / "allow").write_text(str(A_REST + 3), encoding="utf-8")
    p2 = start(["run", str(config), "-q", "--resume", str(run)], folder, "p2")
    wait_for(
        lambda: (
            len(_calls_of(p2, gate)) == A_REST + 4
            and lines(gens) == N_SAMPLES + 3 * BATCH
            and lines(scores) == N_SAMPLES + 3 * BATCH
        ),
        "runner b's batch 4",
        p2,
    )
    p2.kill()
    done_before_p3 = set(generated(run))
    assert not (run / "summary.json").exists()

    # 3. Resume with the gate open: completes.
    (gate / "allow").unlink()
    p3 = start(["run", str(config), "-q", "--resume", str(run)], folder, "p3")
    assert p3.wait() == 0, p3.stderr
    assert "Traceback" not in p3.stderr

    # Nothing recomputed: no resumed process asked for a sample that was already generated.
    for proc, before in ((p2, done_before_p2), (p3, done_before_p3)):
        asked = {(c["runner"], sid) for c in _calls_of(proc, gate) for sid in c["ids"]}
        assert asked and not asked & before
    assert all(c["runner"] == "b" for c in _calls_of(p3, gate))  # a was complete
    # Nothing duplicated, nothing lost, and equal to the clean run.
    clean = setup["clean"]
    got, want = generated(run), generated(clean)
    assert len(got) == 2 * N_SAMPLES
    assert got == want
    assert scored(run) == scored(clean)
    assert results(run) == results(clean)
    assert "interrupted" not in json.loads((run / "manifest.json").read_text(encoding="utf-8"))


def test_ctrl_c_stops_cleanly_says_how_to_resume_and_resume_completes(
    setup: dict[str, Path],
) -> None:
    folder, gate, config = setup["folder"], setup["gate"], setup["config"]
    run = folder / "results" / "interrupted"
    gens = run / "generations.jsonl"
    (gate / "allow").write_text("1", encoding="utf-8")
    p1 = start(["run", str(config), "--run-id", "interrupted"], folder, "ctrl-c")
    wait_for(lambda: len(_calls_of(p1, gate)) == 2 and lines(gens) == BATCH, "batch 2", p1)
    p1.popen.send_signal(signal.SIGINT)
    assert p1.wait() == 130
    err = p1.stderr
    assert "Traceback" not in err
    assert "interrupted" in err and f"--resume {run}" in err
    # Partial files intact: complete JSON lines only, the manifest says it was interrupted.
    assert len(generated(run)) == BATCH
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] is True
    assert not (run / "summary.json").exists()

    (gate / "allow").unlink()
    p2 = start(["run", str(config), "-q", "--resume", str(run)], folder, "ctrl-c-resume")
    assert p2.wait() == 0, p2.stderr
    assert generated(run) == generated(setup["clean"])
    assert results(run) == results(setup["clean"])


# -- in process: what resume refuses, and run ids ------------------------------------


def _oracle_config(tmp_path: Path, **overrides: Any) -> Path:
    return write_config(tmp_path, [{"name": "o", "type": "oracle"}], limit=4, **overrides)


def _snapshot(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.is_file()}


def test_resume_of_a_complete_run_recomputes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _oracle_config(tmp_path)
    assert main(["run", str(config), "-q", "--run-id", "done"]) == 0
    run = tmp_path / "results" / "done"
    before = _snapshot(run)
    assert main(["run", str(config), "-q", "--resume", str(run)]) == 0
    after = _snapshot(run)
    for name in ("generations.jsonl", "scores.jsonl"):
        assert after[name] == before[name]
    assert (
        json.loads(after["summary.json"])["results"]
        == json.loads(before["summary.json"])["results"]
    )


def test_resume_refuses_a_different_config_and_a_folder_that_is_no_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _oracle_config(tmp_path)
    assert main(["run", str(config), "-q", "--run-id", "first"]) == 0
    run = tmp_path / "results" / "first"
    before = _snapshot(run)
    capsys.readouterr()
    other = tmp_path / "other"
    other.mkdir()
    changed = _oracle_config(other, tasks=["qa"])
    assert main(["run", str(changed), "-q", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert "different config" in err and "tasks" in err and "Traceback" not in err
    assert _snapshot(run) == before  # nothing touched

    empty = tmp_path / "not-a-run"
    empty.mkdir()
    assert main(["run", str(config), "-q", "--resume", str(empty)]) == 2
    assert "not a run directory" in capsys.readouterr().err
    assert list(empty.iterdir()) == []
    assert main(["run", str(config), "-q", "--resume", str(tmp_path / "missing")]) == 2
    assert "no such run directory" in capsys.readouterr().err


def test_an_existing_run_id_is_an_error_that_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _oracle_config(tmp_path)
    assert main(["run", str(config), "-q", "--run-id", "same"]) == 0
    run = tmp_path / "results" / "same"
    before = _snapshot(run)
    capsys.readouterr()
    assert main(["run", str(config), "-q", "--run-id", "same"]) == 2
    err = capsys.readouterr().err
    assert "exists already" in err and "--resume" in err and "Traceback" not in err
    assert _snapshot(run) == before
    assert main(["run", str(config), "-q", "--run-id", "../escape"]) == 2
    assert not (tmp_path / "escape").exists()
