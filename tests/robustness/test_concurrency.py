"""Runs at the same time: distinct run folders, one writer per run, a shared cache that holds up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.runners.cache import GenerationCache
from tests.conftest import ROOT
from tests.robustness.procs import (
    DEADLINE,
    SCRIPT,
    calls,
    gated,
    jsonl,
    start,
    stop_leftovers,
    wait_for,
    write_config,
)

LIMIT = 20  # samples per run: two batches


def teardown_function() -> None:
    stop_leftovers()  # a failed test may leave a run blocked at its gate


def test_two_runs_at_once_into_one_results_folder(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "allow").write_text("0", encoding="utf-8")  # both block in their first batch
    cache = tmp_path / "shared-cache.sqlite"
    config = write_config(
        tmp_path, [gated("a", gate)], limit=LIMIT, cache={"enabled": True, "path": str(cache)}
    )
    procs = [start(["run", str(config), "-q"], tmp_path, f"run{i}") for i in range(2)]
    wait_for(lambda: len({c["pid"] for c in calls(gate)}) == 2, "both runs generating")
    (gate / "allow").unlink()  # now both write at once: results, and the shared cache
    for p in procs:
        assert p.wait() == 0, p.stderr
    runs = sorted((tmp_path / "results").iterdir())
    assert len(runs) == 2 and runs[0].name != runs[1].name
    for run in runs:
        rows = jsonl(run / "generations.jsonl")
        assert len(rows) == LIMIT == len({r["sample_id"] for r in rows})
        assert len(jsonl(run / "scores.jsonl")) == LIMIT
        assert (run / "summary.json").is_file()
    # Both runs cached the same requests; the cache holds them once, intact.
    db = GenerationCache(cache)
    try:
        (n,) = db._db.execute("SELECT count(*) FROM generations").fetchone()
    finally:
        db.close()
    assert n == LIMIT


def test_a_second_writer_of_one_run_is_refused(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "allow").write_text("0", encoding="utf-8")
    config = write_config(tmp_path, [gated("a", gate)], limit=LIMIT)
    run = tmp_path / "results" / "busy"
    first = start(["run", str(config), "-q", "--run-id", "busy"], tmp_path, "first")
    wait_for(lambda: len(calls(gate)) == 1, "the first run generating", first)
    second = start(["run", str(config), "-q", "--resume", str(run)], tmp_path, "second")
    assert second.wait() == 2
    assert "another harness process is writing this run" in second.stderr
    assert "Traceback" not in second.stderr
    (gate / "allow").unlink()
    assert first.wait() == 0, first.stderr
    assert len(jsonl(run / "generations.jsonl")) == LIMIT  # no duplicates from the refused one


def test_generation_cache_survives_concurrent_writers(tmp_path: Path) -> None:
    db, go, n = tmp_path / "cache" / "generations.sqlite", tmp_path / "go", 1000
    procs = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), "cache-writer", str(db), tag, str(go), str(n)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("w1", "w2")
    ]
    wait_for(lambda: all((tmp_path / f"ready-{t}").exists() for t in ("w1", "w2")), "writers")
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=DEADLINE)
        assert p.returncode == 0, err
    cache = GenerationCache(db)
    try:
        keys = [f"{tag}-{j}" for tag in ("w1", "w2") for j in range(n)]
        got = cache.get_many(keys)
        assert len(got) == 2 * n
        assert all(got[k].text == k.replace("-", " ") for k in keys)
        assert cache.get_many(["shared"])["shared"].text in ("last from w1", "last from w2")
        (check,) = cache._db.execute("PRAGMA integrity_check").fetchone()
        assert check == "ok"
    finally:
        cache.close()
