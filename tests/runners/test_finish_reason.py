"""Runners record why an output ended (``finish_reason``, ``refusal``, ``reasoning``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.prompts import build_request
from harness.runners.base import finalize
from harness.runners.hf import HFRunner
from harness.runners.openai_compat import OpenAIRunner
from harness.types import GenerationParams, Request, Sample
from tests.runners.fake_server import FakeServer, Reply, Seen


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    with FakeServer() as s:
        yield s


def _request(stop: tuple[str, ...] = ("\n",)) -> Request:
    sample = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    return build_request(
        sample, "Keo Chhea sprach.", params=GenerationParams(max_new_tokens=8, stop=stop)
    )


def _chat(message: dict[str, Any], finish: str | None) -> Reply:
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", **message}}
    if finish is not None:
        choice["finish_reason"] = finish
    return Reply(200, {"object": "chat.completion", "choices": [choice]})


# (message fields, finish_reason, text, refusal, reasoning, failure substring or None)
CHAT_CASES: list[tuple[dict[str, Any], str | None, str, str | None, str | None, str | None]] = [
    ({"content": ""}, "length", "", None, None, "cut off at the token limit"),
    ({"content": None}, "length", "", None, None, "cut off at the token limit"),
    ({"content": None, "refusal": "I can't help."}, "stop", "", "I can't help.", None,
     "refused: I can't help."),
    ({"content": ""}, "content_filter", "", None, None, "filtered"),
    ({"content": None, "reasoning_content": "Let me think"}, "length", "", None,
     "Let me think", "reasoning not finished"),
    ({"content": "", "reasoning": "Done thinking."}, "stop", "", None, "Done thinking.",
     "no answer after the reasoning"),
    ({"content": "Keo Ch"}, "length", "Keo Ch", None, None, None),
    ({"content": "Keo Chhea", "reasoning_content": "Wer? Keo."}, "stop", "Keo Chhea", None,
     "Wer? Keo.", None),
    ({"content": ""}, "stop", "", None, None, None),  # empty by choice: an abstention
    ({"content": ""}, None, "", None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("message", "finish", "text", "refusal", "reasoning", "failure"),
                         CHAT_CASES)  # fmt: skip
def test_openai_records_finish_reason_refusal_and_reasoning(
    server: FakeServer, message: dict[str, Any], finish: str | None, text: str,
    refusal: str | None, reasoning: str | None, failure: str | None,
) -> None:  # fmt: skip
    server.respond = lambda seen: _chat(message, finish)
    runner = OpenAIRunner(name="o", base_url=server.url, model="m", max_retries=0)
    request = _request()
    (g,) = runner.generate([request])
    assert g.error is None
    assert (g.text, g.finish_reason, g.refusal, g.reasoning) == (text, finish, refusal, reasoning)
    done = finalize(g, request)
    assert done.text == text
    if failure is None:
        assert done.failure is None
    else:
        assert done.failure is not None and failure in done.failure


def test_openai_with_reasoning_tags_keeps_stops_on_the_client(server: FakeServer) -> None:
    seen: list[Seen] = []

    def answer(s: Seen) -> Reply:
        seen.append(s)
        return _chat({"content": "<think>\nWer?\nKeo.\n</think>\nKeo Chhea\nFrage:"}, "stop")

    server.respond = answer
    plain = OpenAIRunner(name="o", base_url=server.url, model="m", max_retries=0)
    tagged = OpenAIRunner(name="o", base_url=server.url, model="m", max_retries=0,
                          reasoning_tags=[["<think>", "</think>"]])  # fmt: skip
    assert plain.fingerprint() != tagged.fingerprint()
    (g,) = tagged.generate([_request()])
    assert "stop" not in seen[-1].body  # a server would cut inside the trace
    assert g.text == "Keo Chhea"
    plain.generate([_request(stop=("\n", "Frage:"))])
    assert seen[-1].body["stop"] == ["Frage:"]  # "\n" stays on the client


def test_hf_records_length_and_stop(tiny_gpt2: Path, model_cache: Path, qa_requests: Any) -> None:
    runner = HFRunner(name="tiny", model=str(tiny_gpt2), cache_dir=str(model_cache))
    short = runner.generate(qa_requests(2, max_new_tokens=3))
    assert [g.error for g in short] == [None, None]
    assert any(g.completion_tokens == 3 for g in short)
    for g in short:
        assert g.finish_reason == ("length" if g.completion_tokens == 3 else "stop")
    # stop at the first character the model writes: every row ends by a stop string
    free = runner.generate(qa_requests(2, max_new_tokens=16))
    stopped = []
    for g, r in zip(free, qa_requests(2, max_new_tokens=16), strict=True):
        first = g.raw.lstrip()[:1]
        if first:
            params = GenerationParams(max_new_tokens=16, stop=(first,))
            stopped.append(Request(r.sample, r.context, r.prompt, params=params))
    assert stopped
    for g in runner.generate(stopped):
        assert g.finish_reason == "stop"
    # the fingerprint changes only with tags other than the default
    same = HFRunner(name="t", model=str(tiny_gpt2), cache_dir=str(model_cache),
                    reasoning_tags=[["<think>", "</think>"]])  # fmt: skip
    other = HFRunner(name="t", model=str(tiny_gpt2), cache_dir=str(model_cache),
                     reasoning_tags=[["[R]", "[/R]"]])  # fmt: skip
    assert same.fingerprint() == runner.fingerprint() != other.fingerprint()


def test_a_server_stop_before_the_answer_began_is_a_failure_not_an_abstention(
    server: FakeServer,
) -> None:
    """vLLM reports which stop ended the output: an empty answer it cut is visible."""
    reply = {"index": 0, "text": "", "finish_reason": "stop", "stop_reason": "Frage:"}
    server.respond = lambda seen: Reply(200, {"object": "text_completion", "choices": [reply]})
    runner = OpenAIRunner(name="o", base_url=server.url, model="m", endpoint="completions")
    request = _request(stop=("\n", "Frage:"))
    (g,) = runner.generate([request])
    assert (g.text, g.finish_reason, g.stop_reason) == ("", "stop", "Frage:")
    done = finalize(g, request)
    assert done.failure is not None and "stopped at the stop sequence 'Frage:'" in done.failure
    # An end token at the start (no stop_reason) is the model's own empty answer.
    eos = {"index": 0, "text": "", "finish_reason": "stop", "stop_reason": None}
    server.respond = lambda seen: Reply(200, {"object": "text_completion", "choices": [eos]})
    (g,) = runner.generate([request])
    assert g.stop_reason is None and finalize(g, request).failure is None


def test_whitespace_stops_stay_on_the_client_so_a_leading_newline_is_no_stop(
    server: FakeServer,
) -> None:
    """A server that honours stops would cut "\\nKeo Chhea" to "" at its first character."""
    seen: list[Seen] = []

    def honouring(s: Seen) -> Reply:
        seen.append(s)
        text = "\nKeo Chhea\nFrage: Wer noch?"
        for stop in s.body.get("stop", []):
            text = text.split(stop)[0]
        choice = {"index": 0, "text": text, "finish_reason": "stop"}
        return Reply(200, {"object": "text_completion", "choices": [choice]})

    server.respond = honouring
    runner = OpenAIRunner(name="o", base_url=server.url, model="m", endpoint="completions")
    (g,) = runner.generate([_request(stop=("\n", "\n\n", "Frage:"))])
    assert seen[-1].body["stop"] == ["Frage:"]
    assert g.text == "Keo Chhea" and g.raw == "\nKeo Chhea\n"
