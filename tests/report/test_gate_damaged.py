"""A gate never passes on data it could not read (issue 12, class 1).

Each row damages one file of a copy of a regressed run (or of its baseline) and runs
``harness gate``: the verdict must be exit 2 with a message naming the damaged file
(and the line where there is one), never exit 0 ("no drop") and never exit 1 (a verdict
computed from damaged data). Gate files with thresholds that are no finite number are
exit 2 as well.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import main

REGRESSION = "regression:\n  alpha: 0.05\n  metrics: [qa_de.f1]\n"


def _rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def score_value(value: str, line: int = 3, key: str = "qa_de.f1") -> Callable[[Path], int]:
    """Line ``line`` of scores.jsonl gets ``key`` set to the raw JSON ``value``."""

    def go(run: Path) -> int:
        path = run / "scores.jsonl"
        rows = _rows(path)
        obj = json.loads(rows[line - 1])
        obj["values"][key] = "@@V@@"
        rows[line - 1] = json.dumps(obj).replace('"@@V@@"', value)
        path.write_text("\n".join(rows), encoding="utf-8")
        return line

    return go


def drop_line(line: int) -> Callable[[Path], int]:
    def go(run: Path) -> int:
        path = run / "scores.jsonl"
        rows = _rows(path)
        del rows[line - 1]
        path.write_text("\n".join(rows), encoding="utf-8")
        return 0

    return go


def tear_last_line(run: Path) -> int:
    path = run / "scores.jsonl"
    data = path.read_bytes().rstrip(b"\n")
    cut = data.rfind(b"\n") + 1
    path.write_bytes(data[: cut + (len(data) - cut) // 2])
    return 0


def remove(run: Path) -> int:
    (run / "scores.jsonl").unlink()
    return 0


def as_folder(run: Path) -> int:
    (run / "scores.jsonl").unlink()
    (run / "scores.jsonl").mkdir()
    return 0


def bad_utf8(run: Path) -> int:
    path = run / "scores.jsonl"
    rows = path.read_bytes().split(b"\n")
    rows[4] = rows[4].replace(b"qa_de", b"qa\xffde", 1)
    path.write_bytes(b"\n".join(rows))
    return 5


def without_metric(run: Path) -> int:
    path = run / "scores.jsonl"
    out = []
    for row in _rows(path):
        if row:
            obj = json.loads(row)
            obj["values"].pop("qa_de.f1", None)
            row = json.dumps(obj)
        out.append(row)
    path.write_text("\n".join(out), encoding="utf-8")
    return 0


def summary_nan(run: Path) -> int:
    path = run / "summary.json"
    text = path.read_text(encoding="utf-8")
    obj = json.loads(text)
    obj["results"]["model"]["qa"]["metrics"]["qa_de.f1"]["value"] = "@@V@@"
    path.write_text(json.dumps(obj, indent=2).replace('"@@V@@"', "NaN"), encoding="utf-8")
    return 0


def summary_string_count(run: Path) -> int:
    path = run / "summary.json"
    obj = json.loads(path.read_text(encoding="utf-8"))
    obj["results"]["model"]["qa"]["n"] = "72"
    path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    return 0


@dataclass(frozen=True)
class Damage:
    id: str
    side: str  # run | baseline
    file: str
    breaks: Callable[[Path], int]  # returns the damaged line (0: none to name)
    expect: str


DAMAGES = [
    Damage("score-nan", "run", "scores.jsonl", score_value("NaN"),
           "values.qa_de.f1: expected a finite number"),
    Damage("score-infinity", "run", "scores.jsonl", score_value("-Infinity"),
           "values.qa_de.f1: expected a finite number"),
    Damage("score-string", "run", "scores.jsonl", score_value('"0.5"'),
           "values.qa_de.f1: expected a finite number"),
    Damage("score-null", "run", "scores.jsonl", score_value("null"),
           "values.qa_de.f1: expected a finite number"),
    Damage("scores-missing", "run", "scores.jsonl", remove, "missing"),
    Damage("scores-a-folder", "run", "scores.jsonl", as_folder, "a folder, not a regular file"),
    Damage("scores-line-lost", "run", "scores.jsonl", drop_line(7), "holds 71 scores"),
    Damage("scores-torn", "run", "scores.jsonl", tear_last_line, "holds 71 scores"),
    Damage("scores-bad-utf8", "run", "scores.jsonl", bad_utf8, "not valid UTF-8"),
    Damage("scores-without-metric", "run", "scores.jsonl", without_metric,
           "no qa_de.f1 of runner 'model'"),
    Damage("summary-nan", "run", "summary.json", summary_nan,
           "results.model.qa.metrics.qa_de.f1.value: not a finite number"),
    Damage("summary-count-string", "run", "summary.json", summary_string_count,
           "results.model.qa.n: expected a count"),
    Damage("baseline-score-nan", "baseline", "scores.jsonl", score_value("NaN", line=9),
           "values.qa_de.f1: expected a finite number"),
    Damage("baseline-scores-missing", "baseline", "scores.jsonl", remove, "missing"),
    Damage("baseline-without-metric", "baseline", "scores.jsonl", without_metric,
           "no qa_de.f1 of runner 'model'"),
]  # fmt: skip


@pytest.fixture()
def pair(tmp_path: Path, good_run: Path, regressed_run: Path) -> dict[str, Path]:
    runs = {"run": tmp_path / "regressed", "baseline": tmp_path / "good"}
    shutil.copytree(regressed_run, runs["run"])
    shutil.copytree(good_run, runs["baseline"])
    (tmp_path / "gates.yaml").write_text(REGRESSION, encoding="utf-8")
    return runs


def _gate(runs: dict[str, Path], tmp_path: Path) -> int:
    gates = str(tmp_path / "gates.yaml")
    return main(["gate", str(runs["run"]), "--config", gates, "--baseline", str(runs["baseline"])])


def test_the_undamaged_regression_fails(
    pair: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _gate(pair, tmp_path) == 1
    assert "FAILED" in capsys.readouterr().out


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.id for d in DAMAGES])
def test_damaged_scores_are_exit_2_naming_file_and_line(
    damage: Damage, pair: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = damage.breaks(pair[damage.side])
    code = _gate(pair, tmp_path)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "Traceback" not in out + err
    where = str(pair[damage.side] / damage.file) + (f":{line}:" if line else "")
    assert where in err, err
    assert damage.expect in err, err
    assert "passed" not in out


def test_a_baseline_without_the_metric_may_be_skipped_on_purpose(
    pair: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without_metric(pair["baseline"])
    (tmp_path / "gates.yaml").write_text(
        REGRESSION.replace("regression:\n", "regression:\n  if_missing: skip\n"), encoding="utf-8"
    )
    assert _gate(pair, tmp_path) == 0
    out = capsys.readouterr().out
    assert "no qa_de.f1 of runner 'model' on the samples of this run in the baseline good" in out


@pytest.mark.parametrize(
    "gate",
    [
        "thresholds: ['qa_de.f1 >= .nan']\n",
        "thresholds: ['qa_de.f1 >= 1e999']\n",
        "thresholds: [{metric: qa_de.f1, value: .nan}]\n",
        "thresholds: [{metric: qa_de.f1, value: .inf}]\n",
        "regression: {metrics: [qa_de.f1], min_effect: .nan}\n",
        "regression: {metrics: [{metric: qa_de.f1, min_effect: .inf}]}\n",
    ],
)
def test_thresholds_that_are_no_finite_number_are_exit_2(
    gate: str, pair: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "gates.yaml").write_text(gate, encoding="utf-8")
    assert _gate(pair, tmp_path) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'gates.yaml'}:1:" in err
    assert "Traceback" not in err
