"""The run directory: atomic writes, crash-tolerant JSONL, redaction, safe run ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import JsonlAppender, RunDir, atomic_write_json, new_run_id, read_jsonl, redact


def test_appender_cuts_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('{"a": 1}\n{"a": 2', encoding="utf-8")  # crash mid-write
    assert list(read_jsonl(path)) == [{"a": 1}]
    with JsonlAppender(path) as out:
        out.write({"a": 3})
    assert list(read_jsonl(path)) == [{"a": 1}, {"a": 3}]


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    atomic_write_json(tmp_path / "s.json", {"x": "ä"})
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    assert (tmp_path / "s.json").read_text(encoding="utf-8").strip() == '{\n  "x": "ä"\n}'


def test_run_ids_are_unique_and_contained(tmp_path: Path) -> None:
    ids = {new_run_id("default") for _ in range(50)}
    assert len(ids) == 50
    with pytest.raises(ValueError):
        RunDir.create(tmp_path, "../escape")
    with pytest.raises(ValueError):
        RunDir.create(tmp_path, "/abs")
    rd = RunDir.create(tmp_path, "ok-run")
    assert rd.path.parent == tmp_path.resolve()
    with pytest.raises(FileExistsError):
        RunDir.create(tmp_path, "ok-run")


def test_redaction() -> None:
    data = {
        "options": {
            "api_key": "sk-secret",
            "api_key_env": "MY_KEY",
            "headers": {"Authorization": "Bearer abc"},
            "base_url": "http://user:pw@127.0.0.1:8000/v1?api_key=zzz",
        }
    }
    red = redact(data)
    flat = str(red)
    for secret in ("sk-secret", "Bearer abc", "pw@", "zzz"):
        assert secret not in flat
    assert red["options"]["api_key_env"] == "MY_KEY"
    assert red["options"]["base_url"].startswith("http://***@127.0.0.1:8000/v1")
