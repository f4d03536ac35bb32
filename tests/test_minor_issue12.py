"""The minor list of issue 12, one table each.

- unknown metrics in ``compare --right`` and ``leaderboard --sort`` / ``--metrics`` are
  exit 2 naming the metrics there (gate thresholds that are no finite number:
  ``tests/report/test_gate_damaged.py``);
- files written by temp-and-rename get the mode ``open`` would give (as the JSONL files);
- after a resume the manifest's cache counters and times describe the whole run;
- output piped into a reader that goes away (``| head``) ends without a traceback, with
  the command's own exit code.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from tests.conftest import GOLD, ROOT


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("minor")
    cfg = {
        "name": "m", "gold": [str(GOLD)], "tasks": ["qa"], "limit": 6,
        "runners": [{"name": "o", "type": "oracle"}, {"name": "lead", "type": "lead"}],
        "bootstrap": {"resamples": 10}, "cache": {"enabled": False},
        "output_dir": str(root / "results"),
    }  # fmt: skip
    (root / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(root / "c.yaml"), "-q", "--run-id", "r"]) == 0
    (root / "gates.yaml").write_text("thresholds: ['qa_de.f1 >= 101']\n", encoding="utf-8")
    return root / "results" / "r"


UNKNOWN = [
    (["compare", "{run}", "{run}", "--runner-a", "o", "--runner-b", "lead",
      "--right", "qa_de.exactt>=100"], "--right: no score of either run has metric 'qa_de.exactt'"),
    (["leaderboard", "{results}", "--sort", "rouge.rougeX"],
     "--sort: no run has metric 'rouge.rougeX'"),
    (["leaderboard", "{results}", "--metrics", "qa_de.f1", "qa_de.fl"],
     "--metrics: no run has metric 'qa_de.fl'"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "expect"), UNKNOWN, ids=["compare-right", "sort", "metrics"])
def test_unknown_metric_names_are_exit_2(
    argv: list[str], expect: str, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(run=run, results=run.parent) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expect in err and "metrics there: " in err and "qa_de.f1" in err


@pytest.mark.parametrize(
    "name", ["config.yaml", "manifest.json", "summary.json", "report.md", "report.html",
             "samples.jsonl", "documents.json"],
)  # fmt: skip
def test_whole_files_get_the_mode_of_the_appended_ones(name: str, run: Path) -> None:
    want = stat.S_IMODE((run / "generations.jsonl").stat().st_mode)
    assert want == 0o666 & ~_umask()
    assert stat.S_IMODE((run / name).stat().st_mode) == want


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_resumed_manifest_counts_every_session(tmp_path: Path) -> None:
    cfg = {
        "name": "resumed", "gold": [str(GOLD)], "tasks": ["qa"], "limit": 8,
        "runners": [{"name": "f", "type": "python",
                     "options": {"function": "harness.runners.python_callable:echo_question"}}],
        "bootstrap": {"resamples": 0},
        "cache": {"enabled": True, "path": str(tmp_path / "cache.sqlite")},
        "output_dir": str(tmp_path / "results"),
    }  # fmt: skip
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(tmp_path / "c.yaml"), "-q", "--run-id", "r"]) == 0  # 8 misses
    run = tmp_path / "results" / "r"
    # A crash after half the generations: the rest, asked again, come from the cache.
    for name in ("generations.jsonl", "scores.jsonl"):
        rows = (run / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (run / name).write_text("".join(rows[:4]), encoding="utf-8")
    for name in ("summary.json", "manifest.json"):
        (run / name).unlink()
    assert main(["run", str(tmp_path / "c.yaml"), "-q", "--resume", str(run)]) == 0
    info = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["runners"]["f"]
    assert info["cache"] == {"hits": 4, "misses": 4}  # not {"hits": 4, "misses": 0}
    walls = [json.loads(x).get("wall", 0) for x in (run / "generations.jsonl").open()]
    assert info["seconds_generate"] == pytest.approx(sum(walls), abs=2e-3)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["compare", "{run}", "{run}", "--runner-a", "o", "--runner-b", "lead"], 0),
        (["leaderboard", "{results}"], 0),
        (["gate", "{run}", "--config", "{gates}"], 1),  # the verdict, not a pipe error
    ],
    ids=["compare", "leaderboard", "gate"],
)
def test_a_reader_that_went_away_is_no_traceback(argv: list[str], code: int, run: Path) -> None:
    args = [a.format(run=run, results=run.parent, gates=run.parent.parent / "gates.yaml")
            for a in argv]  # fmt: skip
    read, write = os.pipe()
    os.close(read)  # `| head -0`: nobody reads
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "harness.cli", *args],
            stdout=write, stderr=subprocess.PIPE, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == code, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
