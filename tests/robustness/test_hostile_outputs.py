"""Hostile model outputs are scored and reported as text; they never crash a run or break a file.

Empty, 1 MB long, binary (bytes read as Latin-1), control characters and NUL,
markup (``</table>|<script>``), Markdown pipes and backticks, RTL overrides and
lone surrogates: the run finishes, every sample is scored, every results file
is valid UTF-8 JSON lines, and report.md shows each output as text in a table
whose rows keep their column count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from harness.config import load_config
from harness.pipeline import run
from harness.runners.scripted import Scripted
from harness.types import Generation, Request
from tests.conftest import DOC_ID, GOLD

QA_IDS = [
    json.loads(x)["id"]
    for x in (GOLD / DOC_ID / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    if x.strip()
]
BINARY = bytes(range(256)).decode("latin-1")
SCRIPT = "</table>|<script>alert(1)</script>"
HOSTILE = {
    "empty": "",
    "huge": "Wort Säule " * 100_000,  # 1.1 MB
    "binary": BINARY,
    "control": "x\x00y\x01\x1b[31mrot\x7f\x08\x0b\x0c\r\n\u0085\u2028\u2029ende",
    "markup": SCRIPT,
    "markdown": "| a | b |\n|---|---|\n`code` ``` **fett** \\| \\ [link](javascript:alert(1))",
    "rtl": "\u202eevil\u202c \u200f\u2066x\u2069",
    "whitespace": " \t\n\u00a0\u3000",
}


def sample_id(i: int) -> str:
    return f"{DOC_ID}/{QA_IDS[i]}"


OUTPUTS = {sample_id(i): text for i, text in enumerate(HOSTILE.values())}
OUTPUTS[f"{DOC_ID}/summary-abstract"] = "Säule " * 20_000 + SCRIPT  # 120 KB summary
OUTPUTS[f"{DOC_ID}/summary-headline"] = BINARY


def unescaped_pipes(row: str) -> int:
    """Table cell separators: ``|`` not escaped by a backslash (``\\\\`` is an escaped one)."""
    count, i = 0, 0
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        count += row[i] == "|"
        i += 1
    return count


def assert_tables_keep_their_columns(report: str) -> None:
    table: list[str] = []
    for line in [*report.split("\n"), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {unescaped_pipes(r) for r in table}
            assert len(widths) == 1, "\n".join(table)
            assert re.fullmatch(r"\|(:?-+:?\|)+", table[1].replace(" ", "")), table[1]
        table = []


def assert_valid_results(run_dir: Path, n: int) -> list[dict[str, Any]]:
    for name in ("generations.jsonl", "scores.jsonl"):
        text = (run_dir / name).read_bytes().decode("utf-8")  # strict: valid UTF-8
        rows = [json.loads(x) for x in text.split("\n") if x]
        assert len(rows) == n == len({(r["runner"], r["sample_id"]) for r in rows}), name
    json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return [json.loads(x) for x in (run_dir / "scores.jsonl").read_text("utf-8").split("\n") if x]


def test_hostile_outputs_are_scored_and_reported_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = {
        "name": "hostile",
        "gold": [str(GOLD)],
        "runners": [{"name": "evil", "type": "scripted", "options": {"outputs": OUTPUTS}}],
        "bootstrap": {"resamples": 20},
        "cache": {"enabled": False},
        "report": {"worst": 100},  # every sample in the worst-samples tables
        "output_dir": str(tmp_path / "results"),
    }
    config = tmp_path / "hostile.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(config), "-q", "--run-id", "h"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    run_dir = tmp_path / "results" / "h"
    scores = assert_valid_results(run_dir, 75)
    by_id = {s["sample_id"]: s for s in scores}
    for sid in OUTPUTS:
        values = by_id[sid]["values"]
        keys = ("rouge.rougeL", "chrf.chrf") if "summary" in sid else ("qa_de.f1", "squad_v2.f1")
        assert all(k in values for k in keys), (sid, values)
    lines = (run_dir / "generations.jsonl").read_text("utf-8").split("\n")[:-1]
    gens = {g["sample_id"]: g for g in map(json.loads, lines)}
    assert gens[sample_id(1)]["raw"] == HOSTILE["huge"]  # kept whole in the results
    assert gens[sample_id(2)]["raw"] == BINARY

    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "<script" not in report and "</table>" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    for bad in ("\x00", "\x1b", "\u202e", "\u2066", "\u0085", "\u2028", "\r"):
        assert bad not in report, repr(bad)
    assert "∅" in report  # the empty answer, shown as such
    assert_tables_keep_their_columns(report)
    assert max(len(line) for line in report.split("\n")) < 5000  # 1 MB is cut in the report
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html


def test_lone_surrogates_from_a_runner_are_written_as_replacement_characters(
    tmp_path: Path,
) -> None:
    # YAML cannot carry a lone surrogate (libyaml rejects "\ud800"), a Python runner can.
    evil = {sample_id(0): "Keo \ud800Chhea", sample_id(1): "\udfff", sample_id(2): "\ud83d\ude00"}
    config = tmp_path / "c.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "surrogates",
                "gold": [str(GOLD)],
                "runners": [{"name": "s", "type": "scripted"}],
                "limit": 3,
                "bootstrap": {"resamples": 10},
                "cache": {"enabled": False},
                "output_dir": str(tmp_path / "results"),
            }
        ),
        encoding="utf-8",
    )
    cfg, base = load_config(config)

    class Surrogates:
        """Scripted's answers, with a fingerprint that does not hash them (they cannot be)."""

        def __init__(self, name: str) -> None:
            self.name = name
            self.inner = Scripted(name=name, outputs=evil)

        def fingerprint(self) -> str:
            return "surrogates"

        def generate(self, requests: Sequence[Request]) -> list[Generation]:
            return self.inner.generate(requests)

    def factory(type_name: str, name: str, options: dict[str, Any]) -> Surrogates:
        return Surrogates(name)

    run_dir = run(cfg, base, runner_factory=factory)
    assert_valid_results(run_dir, 3)
    texts = [
        json.loads(x)["text"]
        for x in (run_dir / "generations.jsonl").read_text("utf-8").split("\n")
        if x
    ]
    assert texts == ["Keo \ufffdChhea", "\ufffd", "\U0001f600"]  # a split pair is rejoined
    assert "\ufffd" in (run_dir / "report.md").read_text(encoding="utf-8")
