"""A plugin from another package runs by name: the example package is installed, then used.

The example package (``tests/plugins/harness_example_plugin/``) is installed
with pip into a temporary folder (``--target``; the shared virtual
environment is left alone) and put on ``PYTHONPATH`` of a fresh ``harness``
process, which finds its runner and metric through their entry points.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from harness.gold.load import build_samples, load_gold
from tests.conftest import GOLD, ROOT

PLUGIN_SRC = Path(__file__).parent / "harness_example_plugin"
DIST_NAME = "harness-example-plugin"


def _dist_info_by_hand(target: Path) -> None:
    """What pip would write, from the package's own pyproject (when setuptools is missing)."""
    project = tomllib.loads((PLUGIN_SRC / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    shutil.copytree(PLUGIN_SRC / "harness_example_plugin", target / "harness_example_plugin")
    info = target / f"harness_example_plugin-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    groups = [
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items())
        for group, entries in project["entry-points"].items()
    ]
    (info / "entry_points.txt").write_text("\n".join(groups), encoding="utf-8")


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed example plugin (package + .dist-info)."""
    work = tmp_path_factory.mktemp("plugin")
    target = work / "site"
    if importlib.util.find_spec("setuptools") is None:
        target.mkdir()
        _dist_info_by_hand(target)
        return target
    src = work / "src"  # build from a copy: the build leaves egg-info and build/ behind
    shutil.copytree(PLUGIN_SRC, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return target


def harness(
    args: list[str], tmp_path: Path, plugin: Path | None
) -> subprocess.CompletedProcess[str]:
    """``harness ARGS`` in a fresh process (so that plugin discovery starts from scratch)."""
    env = {
        **os.environ,
        "HARNESS_GENERATION_CACHE": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    paths = [str(plugin)] if plugin else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def test_the_plugin_declares_its_entry_points() -> None:
    project = tomllib.loads((PLUGIN_SRC / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DIST_NAME
    assert project["entry-points"]["harness.runners"] == {
        "echo-question": "harness_example_plugin:EchoQuestion"
    }
    assert project["entry-points"]["harness.metrics"] == {
        "answer_length": "harness_example_plugin:AnswerLength"
    }


def test_list_shows_plugin_components_and_where_they_come_from(
    plugin_path: Path, tmp_path: Path
) -> None:
    runners = harness(["list", "runners"], tmp_path, plugin_path)
    assert runners.returncode == 0, runners.stderr
    lines = {line.split()[0]: line for line in runners.stdout.splitlines() if line.strip()}
    assert f"{DIST_NAME} (plugin)" in lines["echo-question"]
    assert "Answers every question with the question itself" in lines["echo-question"]
    assert lines["oracle"].split()[1] == "harness"  # built-ins keep their origin
    metrics = harness(["list", "metrics"], tmp_path, plugin_path)
    assert metrics.returncode == 0, metrics.stderr
    (line,) = [ln for ln in metrics.stdout.splitlines() if ln.startswith("answer_length")]
    assert f"{DIST_NAME} (plugin)" in line


def _config(tmp_path: Path, metrics: list[str] | None = None) -> Path:
    cfg = {
        "name": "plugin",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 6,
        "runners": [{"name": "echo", "type": "echo-question"}],
        "metrics": {"qa": metrics or ["squad_v2", "answer_length"]},
        "bootstrap": {"resamples": 50},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "plugin.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_a_config_runs_the_plugin_runner_and_metric_by_name(
    plugin_path: Path, tmp_path: Path
) -> None:
    proc = harness(["run", str(_config(tmp_path)), "-q"], tmp_path, plugin_path)
    assert proc.returncode == 0, proc.stderr
    (run,) = (tmp_path / "results").iterdir()
    samples = build_samples(load_gold(GOLD), ["qa"])[:6]
    gens = [json.loads(line) for line in (run / "generations.jsonl").read_text().splitlines()]
    assert [g["text"] for g in gens] == [s.input for s in samples]
    assert all(g["runner"] == "echo" and g["error"] is None for g in gens)
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    words = summary["results"]["echo"]["qa"]["metrics"]["answer_length.words"]["value"]
    assert words == pytest.approx(sum(len(s.input.split()) for s in samples) / len(samples))
    assert summary["signatures"]["answer_length"] == "answer_length"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runners"]["echo"]["type"] == "echo-question"


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        (None, "unknown metric 'answer_length'"),
        (["squad_v2"], "unknown runner 'echo-question'"),
    ],
)
def test_without_the_plugin_the_names_are_unknown(
    tmp_path: Path, metrics: list[str] | None, message: str
) -> None:
    proc = harness(["run", str(_config(tmp_path, metrics)), "-q"], tmp_path, None)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_the_hand_made_dist_info_fallback_is_found_too(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _dist_info_by_hand(site)
    proc = harness(["list", "runners"], tmp_path, site)
    assert proc.returncode == 0, proc.stderr
    assert any(
        line.startswith("echo-question") and f"{DIST_NAME} (plugin)" in line
        for line in proc.stdout.splitlines()
    )
