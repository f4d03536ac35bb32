"""Runs for the report tests, made by the real pipeline with scripted runners (fast, offline)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from harness.config import RunConfig
from harness.gold.load import build_samples, load_gold
from harness.pipeline import run
from harness.types import Sample
from tests.conftest import GOLD

MakeRun = Callable[..., Path]


def _qa_samples() -> list[Sample]:
    return build_samples(load_gold(GOLD), ("qa",))


@pytest.fixture(scope="session")
def qa_samples() -> list[Sample]:
    """The German QA samples of the gold (72: 62 answerable, 10 unanswerable)."""
    return _qa_samples()


def right_outputs(samples: Sequence[Sample]) -> dict[str, str]:
    """Every answer right: the first gold answer, empty (abstain) when unanswerable."""
    return {s.id: (s.references[0] if s.references else "") for s in samples}


def spoil(
    outputs: Mapping[str, str], ids: Sequence[str], text: str = "Phnom Penh"
) -> dict[str, str]:
    """``outputs`` with the answers of ``ids`` replaced by ``text``."""
    return {k: (text if k in ids else v) for k, v in outputs.items()}


def _make_run(
    root: Path,
    run_id: str,
    runners: Mapping[str, Mapping[str, str]],
    tasks: Sequence[str] = ("qa",),
    resamples: int = 50,
    errors: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    cfg = RunConfig.model_validate(
        {
            "name": "t",
            "gold": [str(GOLD)],
            "tasks": list(tasks),
            "runners": [
                {
                    "name": name,
                    "type": "scripted",
                    "options": {"outputs": dict(out), "errors": dict((errors or {}).get(name, {}))},
                }
                for name, out in runners.items()
            ],
            "bootstrap": {"resamples": resamples, "seed": 0},
            "cache": {"enabled": False},
        }
    )
    return run(cfg, root, output_dir=root, run_id=run_id, use_cache=False)


@pytest.fixture(scope="session")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> MakeRun:
    """``make_run(run_id, {runner: {sample_id: text}}, tasks=("qa",))`` -> run folder."""
    root = tmp_path_factory.mktemp("runs")

    def make(run_id: str, runners: Mapping[str, Mapping[str, str]], **kw: object) -> Path:
        return _make_run(root, run_id, runners, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def good_run(make_run: MakeRun, qa_samples: list[Sample]) -> Path:
    """One runner, ``model``, right on every QA sample."""
    return make_run("good", {"model": right_outputs(qa_samples)})


@pytest.fixture(scope="session")
def regressed_run(make_run: MakeRun, qa_samples: list[Sample]) -> Path:
    """``model`` wrong on 25 of the 62 answerable questions: a planted, significant regression."""
    answerable = [s.id for s in qa_samples if s.answerable]
    wrong = random.Random(1).sample(answerable, 25)
    return make_run("regressed", {"model": spoil(right_outputs(qa_samples), wrong)})


@pytest.fixture(scope="session")
def noisy_run(make_run: MakeRun, qa_samples: list[Sample]) -> Path:
    """``model`` with noise only: two answers worse, one partly right (as a retrained model)."""
    answerable = [s.id for s in qa_samples if s.answerable]
    rng = random.Random(2)
    worse = rng.sample(answerable, 2)
    outputs = spoil(right_outputs(qa_samples), worse)
    other = next(s for s in qa_samples if s.answerable and s.id not in worse)
    outputs[other.id] = other.references[0] + " und mehr"
    return make_run("noisy", {"model": outputs})
