"""``harness gate``: thresholds, significant regressions (not noise), JUnit, step summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import ConfigError
from harness.report.gate import ThresholdSpec, evaluate_gates, load_gates
from harness.report.load import load_run
from harness.types import Sample
from tests.report.conftest import MakeRun, right_outputs

REGRESSION = """\
regression:
  alpha: 0.05
  min_effect: 2.0
  metrics: [qa_de.exact, qa_de.f1]
"""


def gates(tmp_path: Path, text: str, name: str = "gates.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_planted_significant_regression_fails(
    tmp_path: Path, good_run: Path, regressed_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = gates(tmp_path, REGRESSION)
    junit = tmp_path / "junit.xml"
    code = main(
        ["gate", str(regressed_run), "--config", str(cfg), "--baseline", str(good_run),
         "--junit", str(junit)]
    )  # fmt: skip
    assert code == 1
    out = capsys.readouterr().out
    assert out.startswith("## Quality gates FAILED (2 failed)")
    assert "❌ | model · qa_de.exact vs baseline | 100.0 → 65.3, Δ -34.7" in out
    assert "significant drop of 34.7" in out
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "2" and root.get("failures") == "2"
    (suite,) = root
    assert [c.get("name") for c in suite] == [
        "model · qa_de.exact vs baseline",
        "model · qa_de.f1 vs baseline",
    ]
    assert all(c.find("failure") is not None for c in suite)


def test_noise_passes(
    tmp_path: Path, good_run: Path, noisy_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Even with no minimum effect: three changed answers out of 72 are not a significant drop.
    cfg = gates(tmp_path, REGRESSION.replace("min_effect: 2.0", "min_effect: 0"))
    assert main(["gate", str(noisy_run), "--config", str(cfg), "--baseline", str(good_run)]) == 0
    out = capsys.readouterr().out
    assert "## Quality gates passed (2 passed)" in out
    assert "drop not significant (within noise)" in out


def test_significant_but_small_drop_passes_with_min_effect(
    tmp_path: Path, good_run: Path, regressed_run: Path
) -> None:
    cfg = gates(tmp_path, REGRESSION.replace("min_effect: 2.0", "min_effect: 50"))
    report = evaluate_gates(load_gates(cfg), load_run(regressed_run), load_run(good_run))
    assert report.passed
    assert all("smaller than min_effect 50" in r.message for r in report.results)


def test_baseline_from_the_file_relative_to_it(
    tmp_path: Path, good_run: Path, regressed_run: Path
) -> None:
    rel = Path("..") / good_run.parent.name / good_run.name
    folder = good_run.parent.parent / "gates"
    folder.mkdir(exist_ok=True)
    cfg = gates(folder, f"regression:\n  baseline: {rel}\n  metrics: [qa_de.exact]\n")
    assert main(["gate", str(regressed_run), "--config", str(cfg)]) == 1


def test_thresholds_both_ways(
    tmp_path: Path, good_run: Path, regressed_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = gates(
        tmp_path,
        "thresholds:\n"
        '  - "qa_de.f1 >= 80"\n'
        "  - {metric: qa_de.exact, op: '>=', value: 90, runner: model, task: qa}\n"
        "  - {metric: qa_de.exact, category: speaker, value: 50}\n"
        "  - {metric: qa_de.f1, op: '<', value: 101, bound: high}\n",
    )
    assert main(["gate", str(good_run), "--config", str(cfg)]) == 0
    assert "passed (4 passed)" in capsys.readouterr().out
    assert main(["gate", str(regressed_run), "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "FAILED (2 passed, 2 failed)" in out
    assert "| ❌ | model · qa · qa_de.f1 >= 80 | 65.3 (n=72) | >= 80 |" in out
    assert "| ❌ | model · qa · qa_de.exact >= 90 | 65.3 (n=72) |" in out
    assert "| ✅ | model · qa · qa_de.f1 (high CI bound) < 101 |" not in out  # '<' is escaped
    assert "✅ | model · qa / speaker · qa_de.exact >= 50" in out


def test_junit_samples_and_step_summary(
    tmp_path: Path,
    make_run: MakeRun,
    qa_samples: list[Sample],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = right_outputs(qa_samples)
    outputs[qa_samples[0].id] = "bad \x00\x1b control <chars> & more"
    run = make_run("ctrl", {"model": outputs})
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cfg = gates(tmp_path, 'thresholds: ["qa_de.exact >= 50"]\n')
    junit = tmp_path / "j.xml"
    args = ["gate", str(run), "--config", str(cfg), "--junit", str(junit), "--junit-samples"]
    assert main(args) == 0
    capsys.readouterr()
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Quality gates passed")
    root = ET.parse(junit).getroot()  # parses: control characters were replaced
    gates_suite, samples_suite = root
    assert samples_suite.get("name") == "samples" and samples_suite.get("tests") == "72"
    assert samples_suite.get("failures") == "1"  # informational: the exit code was 0
    failed = next(c for c in samples_suite if c.find("failure") is not None)
    assert failed.get("name") == qa_samples[0].id
    body = failed.find("failure").text or ""  # type: ignore[union-attr]
    assert "control <chars> & more" in body and "\x00" not in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thresholds:\n  - metric: qa_de.f1\n    value: 40\n    opp: '>='\n",
         "gates.yaml:4: thresholds.0.opp: unknown key 'opp'"),
        ("thresholds:\n  - {metric: qa_de.f1, value: 40}\n  - {metric: qa_de.f1, op: '=>', "
         "value: 1}\n", "gates.yaml:3: thresholds.1.op: Input should be '>=', '>', '<=' or '<'"),
        ('thresholds: ["f1 is high"]\n', "gates.yaml:1: thresholds.0: 'f1 is high' is not a rule"),
        ("regression:\n  alpha: 2\n", "gates.yaml:2: regression.alpha: Input should be less than"),
        ("{}\n", "no gates: give thresholds, regression or both"),
        ("thresholds: [\n", "gates.yaml:2: invalid YAML"),
    ],
)  # fmt: skip
def test_bad_gates_file_exit_2_naming_line_and_field(
    tmp_path: Path,
    good_run: Path,
    text: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = gates(tmp_path, text)
    assert main(["gate", str(good_run), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("harness: error: ")
    assert expected in err, err


def test_gates_naming_what_the_run_lacks_exit_2(
    tmp_path: Path, good_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = gates(tmp_path, "thresholds:\n  - {metric: qa_de.f2, value: 1}\n")
    assert main(["gate", str(good_run), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "gates.yaml:2: thresholds.0.metric: no 'qa_de.f2' in run good" in err
    assert "qa_de.f1" in err  # lists what is there
    cfg = gates(tmp_path, "thresholds:\n  - {metric: qa_de.f1, value: 1, runner: gpt}\n")
    assert main(["gate", str(good_run), "--config", str(cfg)]) == 2
    assert "thresholds.0.runner: 'gpt' is not in run good" in capsys.readouterr().err
    cfg = gates(tmp_path, REGRESSION)
    assert main(["gate", str(good_run), "--config", str(cfg)]) == 2
    assert "regression.baseline: missing" in capsys.readouterr().err
    assert main(["gate", str(good_run), "--config", str(cfg), "--baseline", "nope"]) == 2
    assert "nope: no such run directory" in capsys.readouterr().err
    skip = gates(tmp_path, REGRESSION + "  if_missing: skip\n", "skip.yaml")
    assert main(["gate", str(good_run), "--config", str(skip), "--baseline", "nope"]) == 0
    assert "⏭️ | regression vs baseline" in capsys.readouterr().out


def test_threshold_string_form() -> None:
    t = ThresholdSpec.model_validate("rouge.rougeL < 0.9")
    assert (t.metric, t.op, t.value) == ("rouge.rougeL", "<", 0.9)
    with pytest.raises(ValueError, match="use >=, >, <= or <"):
        ThresholdSpec.model_validate("qa_de.f1 == 3")
    with pytest.raises(ConfigError, match="no such gates file"):
        load_gates("/nonexistent/gates.yaml")


def test_shipped_ci_config_and_example_gates_pass_on_an_unchanged_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from tests.conftest import GOLD, ROOT

    cfg = yaml.safe_load((ROOT / "configs" / "ci.yaml").read_text(encoding="utf-8"))
    cfg.update(gold=[str(GOLD)], output_dir=str(tmp_path / "results"))
    cfg["bootstrap"]["resamples"] = 100
    path = tmp_path / "ci.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(path), "-q", "--run-id", "base"]) == 0
    run = tmp_path / "results" / "base"
    example = ROOT / "configs" / "gates.example.yaml"
    assert main(["gate", str(run), "--config", str(example), "--baseline", str(run)]) == 0
    out = capsys.readouterr().out
    assert "## Quality gates passed (19 passed)" in out  # 4 thresholds + 5 metrics x 3 runners
