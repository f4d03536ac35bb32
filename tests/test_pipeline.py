"""End to end: the CLI on small configs into tmp_path, asserting on what a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from tests.conftest import DOC_ID, GOLD, ROOT


def write_config(tmp_path: Path, **overrides: object) -> Path:
    cfg: dict[str, object] = {
        "name": "t",
        "gold": [str(GOLD)],
        "runners": [{"name": n, "type": n} for n in ("oracle", "abstain", "lead", "retrieval")],
        "bootstrap": {"resamples": 200, "seed": 0},
        "output_dir": str(tmp_path / "results"),
    }
    cfg.update(overrides)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def only_run(tmp_path: Path) -> Path:
    (run,) = (tmp_path / "results").iterdir()
    return run


def test_default_config_runs_all_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text(encoding="utf-8"))
    cfg["gold"] = [str(GOLD)]
    cfg["output_dir"] = str(tmp_path / "results")
    cfg["runners"] = [
        r for r in cfg["runners"] if r["type"] in ("oracle", "abstain", "lead", "retrieval")
    ]
    path = tmp_path / "default.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    run = only_run(tmp_path)
    assert f"report: {run / 'report.md'}" in out
    for name in (
        "config.yaml",
        "manifest.json",
        "generations.jsonl",
        "scores.jsonl",
        "summary.json",
        "report.md",
    ):
        assert (run / name).is_file(), name
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    res = summary["results"]
    # The oracle proves the scoring: 100 on answerable, abstain 100 on unanswerable.
    oracle_ans = res["oracle"]["qa"]["subsets"]["answerable"]
    assert oracle_ans["qa_de.exact"]["value"] == 100.0
    assert oracle_ans["squad_v2.exact"]["value"] == 100.0
    assert res["oracle"]["qa"]["subsets"]["unanswerable"]["qa_de.exact"]["value"] == 100.0
    assert res["abstain"]["qa"]["subsets"]["unanswerable"]["qa_de.exact"]["value"] == 100.0
    assert res["abstain"]["qa"]["subsets"]["answerable"]["qa_de.exact"]["value"] == 0.0
    # Baselines are floors with real, non-trivial scores.
    assert 0 < res["retrieval"]["qa"]["metrics"]["qa_de.f1"]["value"] < 60
    assert (
        res["retrieval"]["qa"]["metrics"]["qa_de.f1"]["value"]
        > res["lead"]["qa"]["metrics"]["qa_de.f1"]["value"]
    )
    assert res["oracle"]["summary"]["metrics"]["rouge.rougeL"]["value"] == 1.0
    assert 0 < res["lead"]["summary"]["metrics"]["rouge.rougeL"]["value"] < 1
    est = res["lead"]["summary"]["metrics"]["chrf.chrf"]
    assert est["low"] <= est["value"] <= est["high"]
    assert "chrf.chrf" in res["lead"]["summary"]["corpus"]
    assert "speaker" in res["retrieval"]["qa"]["categories"]
    report = (run / "report.md").read_text(encoding="utf-8")
    assert "## Question answering" in report and "## Summaries" in report
    assert "### Per category" in report and "### Worst samples per runner" in report
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["bootstrap"]["seed"] == 0
    assert "sacrebleu" in manifest["metrics"]["chrf"].lower() or manifest["metrics"]["chrf"]
    assert set(manifest["runners"]) == {"oracle", "abstain", "lead", "retrieval"}
    gens = [json.loads(x) for x in (run / "generations.jsonl").read_text().splitlines()]
    n_samples = len({g["sample_id"] for g in gens})
    assert len(gens) == 4 * n_samples


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        assert main(["run", str(write_config(d)), "-q"]) == 0
    sa = json.loads((only_run(a) / "summary.json").read_text())["results"]
    sb = json.loads((only_run(b) / "summary.json").read_text())["results"]
    assert sa == sb


def test_unknown_config_key_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, bootstrapp={"seed": 1})
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'bootstrapp'" in err and str(path) in err


def test_unknown_runner_suggests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, runners=[{"name": "x", "type": "oracel"}])
    assert main(["run", str(path)]) == 2
    assert "did you mean 'oracle'" in capsys.readouterr().err


def test_score_predictions_from_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preds = tmp_path / "preds.jsonl"
    preds.write_text(
        json.dumps({"sample_id": f"{DOC_ID}/speaker-name", "text": "Keo Chhea"})
        + "\n"
        + json.dumps({"sample_id": f"{DOC_ID}/plan-period", "text": "2024 bis 2028"})
        + "\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                "score",
                "--gold",
                str(GOLD),
                "--predictions",
                str(preds),
                "-o",
                str(tmp_path / "results"),
            ]
        )
        == 0
    )
    run = only_run(tmp_path)
    scores = [json.loads(x) for x in (run / "scores.jsonl").read_text().splitlines()]
    assert {s["sample_id"] for s in scores} == {f"{DOC_ID}/speaker-name", f"{DOC_ID}/plan-period"}
    assert all(s["values"]["qa_de.exact"] == 100.0 for s in scores)
    assert "report:" in capsys.readouterr().out


def test_score_rejects_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preds = tmp_path / "preds.jsonl"
    preds.write_text('{"sample_id": "x", "text": "a"}\n{"sample_id": 3}\n', encoding="utf-8")
    assert (
        main(["score", "--gold", str(GOLD), "--predictions", str(preds), "-o", str(tmp_path / "r")])
        == 2
    )
    assert f"{preds}:2: sample_id" in capsys.readouterr().err
    preds.write_text('{"sample_id": "nope", "text": "a"}\n', encoding="utf-8")
    assert (
        main(["score", "--gold", str(GOLD), "--predictions", str(preds), "-o", str(tmp_path / "r")])
        == 2
    )
    assert "unknown sample ids: nope" in capsys.readouterr().err


def test_list_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "runners"]) == 0
    out = capsys.readouterr().out
    for name in ("oracle", "abstain", "lead", "retrieval", "hf", "openai", "command", "python"):
        assert name in out
    assert main(["list", "metrics"]) == 0
    out = capsys.readouterr().out
    for name in ("squad_v2", "qa_de", "rouge", "chrf"):
        assert name in out


def test_import_and_help_do_not_import_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, harness, harness.cli, harness.pipeline;"
        "harness.runner_names(); harness.metric_names();"
        "assert 'torch' not in sys.modules, 'torch imported';"
        "assert 'transformers' not in sys.modules, 'transformers imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "--help"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert "run" in out.stdout


def test_a_crashing_runner_keeps_what_was_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A runner that raises (instead of recording errors) stops the run cleanly: exit 1,
    the earlier runners' results are on disk, and the message says how to resume."""
    from harness.runners.base import RUNNERS

    class Exploding:
        def __init__(self, name: str) -> None:
            self.name = name

        def fingerprint(self) -> str:
            return "exploding"

        def generate(self, requests: object) -> list[object]:
            raise OSError("model file vanished")

    RUNNERS.add("exploding-test-runner", Exploding, origin="tests")
    path = write_config(tmp_path, runners=[{"name": "oracle", "type": "oracle"},
                                           {"name": "boom", "type": "exploding-test-runner"}])
    assert main(["run", str(path), "-q"]) == 1
    err = capsys.readouterr().err
    assert "runner 'boom' failed: OSError: model file vanished" in err
    assert "--resume" in err and "Traceback" not in err
    run = only_run(tmp_path)
    gens = [json.loads(x) for x in (run / "generations.jsonl").read_text().splitlines()]
    assert gens and all(g["runner"] == "oracle" for g in gens)


def test_the_bullet_cue_is_part_of_the_answer(tmp_path: Path) -> None:
    """The bullets prompt ends with the first bullet's '-': a model continuing it gets it back."""
    sid = f"{DOC_ID}/summary-bullets"
    path = write_config(
        tmp_path, tasks=["summary"],
        runners=[{"name": "m", "type": "scripted",
                  "options": {"outputs": {sid: " Kambodscha bekräftigt\n- Vier Säulen\n\nx"}}}])
    assert main(["run", str(path), "-q"]) == 0
    gens = [json.loads(x) for x in (only_run(tmp_path) / "generations.jsonl").read_text()
            .splitlines()]
    bullets = next(g for g in gens if g["sample_id"] == sid)
    assert bullets["text"] == "- Kambodscha bekräftigt\n- Vier Säulen"
    assert bullets["raw"].startswith(" Kambodscha")
