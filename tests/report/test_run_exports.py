"""Results other tools read: scores.parquet, DataFrames, lm-eval results, SQuAD prediction files."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.report.load import load_run
from tests.report.conftest import MakeRun, right_outputs, spoil


@pytest.fixture(scope="module")
def two_runner_run(make_run: MakeRun, qa_samples: list[Any]) -> Path:
    right = right_outputs(qa_samples)
    wrong = spoil(right, [s.id for s in qa_samples[:20]])
    return make_run("export-run", {"good": right, "worse": wrong}, tasks=("qa", "summary"))


def test_every_run_writes_scores_parquet_that_pandas_reads(two_runner_run: Path) -> None:
    import pandas as pd

    frame = pd.read_parquet(two_runner_run / "scores.parquet")
    lines = [json.loads(x) for x in (two_runner_run / "scores.jsonl").read_text().splitlines()]
    assert len(frame) == len(lines)
    assert list(frame.columns[:4]) == ["run_id", "runner", "sample_id", "doc_id"]
    assert set(frame["runner"]) == {"good", "worse"}
    by_pair = frame.set_index(["runner", "sample_id"])
    for line in lines:
        row = by_pair.loc[(line["runner"], line["sample_id"])]
        for key, value in line["values"].items():
            assert row[key] == pytest.approx(value), key
    # Numbers are numbers, a metric another task has is null, booleans are booleans.
    assert frame["qa_de.f1"].dtype == "float64" and frame["answerable"].dtype == "bool"
    summary_rows = frame[frame["task"] == "summary"]
    assert summary_rows["qa_de.f1"].isna().all() and summary_rows["rouge.rougeL"].notna().all()
    # The means are those of summary.json.
    summary = json.loads((two_runner_run / "summary.json").read_text())
    qa = frame[(frame["runner"] == "worse") & (frame["task"] == "qa")]
    want = summary["results"]["worse"]["qa"]["metrics"]["qa_de.f1"]["value"]
    assert qa["qa_de.f1"].mean() == pytest.approx(want)


def test_load_run_to_pandas_equals_the_parquet_file(two_runner_run: Path) -> None:
    import pandas as pd

    frame = load_run(two_runner_run).to_pandas()
    stored = pd.read_parquet(two_runner_run / "scores.parquet")
    pd.testing.assert_frame_equal(frame, stored)


def test_export_parquet_for_a_run_folder(two_runner_run: Path, tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "out.parquet"
    assert main(["export", str(two_runner_run), "--format", "parquet", "-o", str(target)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(target), pd.read_parquet(two_runner_run / "scores.parquet")
    )


def test_lm_eval_export_has_lm_evals_layout(two_runner_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "lm"
    assert main(["export", str(two_runner_run), "--format", "lm-eval", "-o", str(out)]) == 0
    (results_file,) = sorted((out / "worse").glob("results_*.json"))
    data = json.loads(results_file.read_text(encoding="utf-8"))
    for key in (
        "results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config",
        "git_hash", "date", "model_name", "total_evaluation_time_seconds",
    ):  # fmt: skip
        assert key in data, key
    assert set(data["results"]) == {"harness_qa", "harness_summary"}
    qa = data["results"]["harness_qa"]
    summary = json.loads((two_runner_run / "summary.json").read_text())
    mean = summary["results"]["worse"]["qa"]["metrics"]["qa_de.f1"]["value"]
    assert qa["qa_de.f1,none"] == pytest.approx(mean)
    values = [
        s.values["qa_de.f1"] for s in load_run(two_runner_run).task_scores("worse", "qa").values()
    ]
    assert qa["qa_de.f1_stderr,none"] == pytest.approx(
        statistics.stdev(values) / math.sqrt(len(values))
    )
    assert data["results"]["harness_summary"]["chrf.chrf_corpus_stderr,none"] == "N/A"
    assert data["n-samples"]["harness_qa"] == {"original": 72, "effective": 72}
    assert data["higher_is_better"]["harness_qa"]["qa_de.f1"] is True
    assert data["config"]["model"] == "scripted" and data["model_name"] == "worse"
    assert isinstance(data["date"], float)
    # Per-sample logs, one line per scored sample.
    (samples_file,) = (out / "worse").glob("samples_harness_qa_*.jsonl")
    lines = [json.loads(x) for x in samples_file.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 72 and {"doc_id", "doc", "target", "resps", "filtered_resps"} <= set(
        lines[0]
    )


def test_lm_evals_own_table_reads_the_export(two_runner_run: Path, tmp_path: Path) -> None:
    """lm-evaluation-harness's ``make_table`` (what its CLI prints) reads our file."""
    utils = pytest.importorskip("lm_eval.utils", reason="lm-eval is a dev dependency")
    assert main(["export", str(two_runner_run), "--format", "lm-eval", "-o", str(tmp_path)]) == 0
    (results_file,) = (tmp_path / "good").glob("results_*.json")
    table = utils.make_table(json.loads(results_file.read_text(encoding="utf-8")))
    assert "harness_qa" in table and "harness_summary" in table
    row = next(line for line in table.splitlines() if "|qa_de.f1 " in line)
    cells = [c.strip() for c in row.split("|")]
    assert cells[cells.index("qa_de.f1") + 1 :][:4] == ["↑", "100", "±", "0"]


# -- SQuAD prediction files ------------------------------------------------------------

CONTEXT = "Die Sitzung fand am 24. November 2025 in New York statt. Keo Chhea sprach dort."


@pytest.fixture(scope="module")
def squad_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gold imported from a SQuAD v2 file: question ids s1, s2 (answerable), s3 (not)."""
    from harness.gold.importers import import_squad

    root = tmp_path_factory.mktemp("squad")
    qas = [
        {"id": "S1", "question": "Wo fand die Sitzung statt?",
         "answers": [{"text": "New York", "answer_start": CONTEXT.index("New York")}]},
        {"id": "s2", "question": "Wer sprach?",
         "answers": [{"text": "Keo Chhea", "answer_start": CONTEXT.index("Keo")}]},
        {"id": "s3", "question": "Wie alt ist er?", "answers": [], "is_impossible": True},
    ]  # fmt: skip
    data = {"version": "v2.0", "data": [{"title": "UN", "paragraphs": [
        {"context": CONTEXT, "qas": qas}]}]}  # fmt: skip
    src = root / "mini.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    import_squad(src, root / "gold", license="CC BY-SA 4.0")
    return root / "gold"


def _score(gold: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["score", "--gold", str(gold), "-o", str(out), "--config", str(_cfg(out)), *extra])
    if code != 0:
        return code, {}
    (run,) = out.glob("*-scored-*")
    return code, json.loads((run / "summary.json").read_text(encoding="utf-8"))


def _cfg(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out.parent / f"{out.name}-metrics.yaml"
    path.write_text(
        "runners: [{name: x, type: oracle}]\nmetrics: {qa: [squad_v2], summary: [rouge]}\n",
        encoding="utf-8",
    )
    return path


def test_a_squad_prediction_file_with_bare_ids_is_scored(squad_gold: Path, tmp_path: Path) -> None:
    preds = tmp_path / "predictions.json"
    preds.write_text(json.dumps({"S1": "in New York", "s2": "Keo Chhea", "s3": ""}))
    code, summary = _score(squad_gold, tmp_path / "out", "--predictions", str(preds))
    assert code == 0
    res = summary["results"]["predictions"]["qa"]
    assert res["n"] == 3
    assert res["metrics"]["squad_v2.exact"]["value"] == pytest.approx(200 / 3)


def test_the_na_prob_file_turns_confident_no_answers_into_no_answer(
    squad_gold: Path, tmp_path: Path
) -> None:
    from harness import metrics

    texts = {"S1": "New York", "s2": "Hun Sen", "s3": "nicht im Text"}
    probs = {"S1": 0.1, "s2": 0.7, "s3": 0.9}
    preds, na = tmp_path / "predictions.json", tmp_path / "na_prob.json"
    preds.write_text(json.dumps(texts))
    na.write_text(json.dumps(probs))
    code, summary = _score(
        squad_gold, tmp_path / "out", "--predictions", str(preds), "--na-prob", str(na),
        "--na-prob-thresh", "0.5",
    )  # fmt: skip
    assert code == 0
    got = summary["results"]["predictions"]["qa"]["metrics"]["squad_v2.exact"]["value"]
    # The official evaluation of the same predictions, probabilities and threshold.
    official = metrics.load("squad_v2").compute(
        predictions=[
            {"id": q, "prediction_text": t, "no_answer_probability": probs[q]}
            for q, t in texts.items()
        ],
        references=[
            {"id": "S1", "answers": {"text": ["New York"], "answer_start": [0]}},
            {"id": "s2", "answers": {"text": ["Keo Chhea"], "answer_start": [0]}},
            {"id": "s3", "answers": {"text": [], "answer_start": []}},
        ],
        no_answer_threshold=0.5,
    )
    assert got == pytest.approx(official["exact"]) == pytest.approx(200 / 3)


def test_jsonl_lines_may_name_bare_squad_ids(squad_gold: Path, tmp_path: Path) -> None:
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"sample_id": "s2", "text": "Keo Chhea"}\n')
    code, summary = _score(squad_gold, tmp_path / "out", "--predictions", str(preds))
    assert code == 0 and summary["results"]["predictions"]["qa"]["n"] == 1


@pytest.mark.parametrize(
    ("predictions", "na_prob", "message"),
    [
        (
            '{\n  "s1": "New York",\n  "nope": "x"\n}',
            None,
            r"predictions.json:3: sample_id: "
            r"unknown sample ids: nope",
        ),
        (
            '{\n  "s1": "New York",\n  "s2": 4\n}',
            None,
            r"predictions.json:3: s2: expected the "
            r"answer text",
        ),
        (
            '{"s1": "a", "s2": "b", "s3": ""}',
            '{\n "s1": 0.2,\n "s2": 1.5,\n "s3": 0}',
            r"na_prob.json:3: s2: expected a probability between 0 and 1",
        ),
        ('{"s1": "a", "s2": "b", "s3": ""}', '{"s1": 0.2}', r"na_prob.json:1: s2: no probability"),
        ('{"s1": "a", "S1": "b"}', None, r"predictions.json:1: sample_id: 'S1' names sample"),
    ],
    ids=["unknown-id", "not-a-string", "bad-probability", "missing-probability", "same-sample"],
)
def test_bad_squad_files_name_file_line_and_field(
    squad_gold: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    predictions: str,
    na_prob: str | None,
    message: str,
) -> None:
    (tmp_path / "predictions.json").write_text(predictions)
    extra = ["--predictions", str(tmp_path / "predictions.json")]
    if na_prob is not None:
        (tmp_path / "na_prob.json").write_text(na_prob)
        extra += ["--na-prob", str(tmp_path / "na_prob.json")]
    code, _ = _score(squad_gold, tmp_path / "out", *extra)
    assert code == 2
    assert __import__("re").search(message, capsys.readouterr().err)
    assert not list((tmp_path / "out").glob("*-scored-*"))  # nothing written
