"""The ``openai`` runner against a local server that misbehaves on purpose.

Nothing here waits on real time: backoff sleeps go to a recorder, and the one
timeout test uses a 0.2 s client timeout against a handler that blocks until
the server closes.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from harness.prompts import build_request
from harness.runners.base import create_runner
from harness.runners.openai_compat import OpenAIRunner, RetryPolicy, parse_retry_after
from harness.types import GenerationParams, Request, Sample
from tests.conftest import GOLD
from tests.runners.fake_server import (
    MALFORMED,
    Action,
    FakeServer,
    Hang,
    Reply,
    Reset,
    Seen,
    completion,
)

ARTICLE = "Botschafter Keo Chhea sprach am 24. November 2025 in New York."
KEY = "sk-planted-7f3a9c1e5b"


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    with FakeServer() as s:
        yield s


def requests_for(*questions: str, stop: tuple[str, ...] = ("\n",)) -> list[Request]:
    params = GenerationParams(max_new_tokens=16, stop=stop, temperature=0.0, seed=7)
    return [
        build_request(
            Sample(id=f"d/q{i}", doc_id="d", task="qa", language="de", input=q, references=()),
            ARTICLE,
            params=params,
        )
        for i, q in enumerate(questions)
    ]


class Sleeps(list[float]):
    """A fake ``sleep`` that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_runner(server: FakeServer, sleeps: Sleeps | None = None, **options: Any) -> OpenAIRunner:
    options = {"concurrency": 1, "timeout": 5, "max_retries": 3, **options}
    return OpenAIRunner(
        name="served",
        base_url=server.url,
        model="fake",
        sleep=sleeps if sleeps is not None else Sleeps(),
        rng=random.Random(0),
        **options,
    )


# -- what is sent and what comes back ------------------------------------------------


def test_completions_body_usage_and_client_side_stop(server: FakeServer) -> None:
    runner = make_runner(server, endpoint="completions", extra_body={"top_k": 1})
    (req,) = requests_for("Wer sprach?")
    (gen,) = runner.generate([req])
    (seen,) = server.seen
    assert seen.path == "/v1/completions"
    assert seen.body == {
        "model": "fake",
        "prompt": req.context + req.prompt,
        "max_tokens": 16,
        "temperature": 0.0,
        "top_p": 1.0,
        "seed": 7,
        "top_k": 1,
    }  # no "stop": a whitespace-only stop stays on the client (the answer may open with it)
    assert "authorization" not in seen.headers
    # The fake ignores `stop` (as some real servers do): the client cuts.
    assert gen.raw == "Keo Chhea\nFrage: Und wer noch?"
    assert gen.text == "Keo Chhea"
    assert (gen.error, gen.prompt_tokens, gen.completion_tokens) == (None, 11, 3)
    assert gen.runner == "served" and gen.sample_id == "d/q0"


def test_chat_sends_messages_and_the_key_from_the_environment(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_TEST_KEY", KEY)
    runner = make_runner(
        server,
        api_key_env="HARNESS_TEST_KEY",
        headers={"X-Team": "eval"},
        header_env={"api-key": "HARNESS_TEST_KEY"},
    )
    (req,) = requests_for("Wer sprach?")
    (gen,) = runner.generate([req])
    (seen,) = server.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.body["messages"] == [dict(m) for m in req.messages]
    assert "prompt" not in seen.body
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["api-key"] == KEY and seen.headers["x-team"] == "eval"
    assert gen.text == "Keo Chhea"
    assert KEY not in repr(vars(runner))  # the key is never stored on the runner


def test_more_than_four_stop_sequences_are_all_cut_on_the_client(server: FakeServer) -> None:
    stops = ("#1", "#2", "#3", "#4", "\n")
    server.respond = lambda seen: completion(seen.path, "Keo Chhea\nE")
    (gen,) = make_runner(server).generate(requests_for("Wer?", stop=stops))
    assert server.seen[0].body["stop"] == ["#1", "#2", "#3", "#4"]  # the OpenAI limit
    assert gen.text == "Keo Chhea"


def test_results_keep_request_order_and_run_concurrently(server: FakeServer) -> None:
    # Each handler waits until four requests are in flight at once: a client that sent
    # them one by one would break the barrier (and get 500s).
    barrier = threading.Barrier(4, timeout=10)

    def respond(seen: Seen) -> Action:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return Reply(500, "not concurrent")
        question = seen.text.rsplit("Frage: ", 1)[1].split("\n")[0]
        return completion(seen.path, f"Antwort auf {question}")

    server.respond = respond
    questions = [f"Frage Nummer {i}?" for i in range(8)]
    gens = make_runner(server, concurrency=4, max_retries=0).generate(requests_for(*questions))
    assert [g.error for g in gens] == [None] * 8
    assert [g.text for g in gens] == [f"Antwort auf {q}" for q in questions]


def test_one_keep_alive_connection_is_reused(server: FakeServer) -> None:
    gens = make_runner(server).generate(requests_for("A?", "B?", "C?"))
    assert all(g.text == "Keo Chhea" for g in gens)
    assert len({s.client_port for s in server.seen}) == 1


# -- faults ----------------------------------------------------------------------------


def test_500_is_retried_with_jittered_exponential_backoff(server: FakeServer) -> None:
    server.script.extend([Reply(500, "oops"), Reply(502, "bad gateway")])
    sleeps = Sleeps()
    (gen,) = make_runner(server, sleeps, backoff_base=1.0).generate(requests_for("Wer?"))
    assert gen.error is None and gen.text == "Keo Chhea"
    assert len(server.seen) == 3
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_429_honours_retry_after_seconds(server: FakeServer) -> None:
    server.script.append(Reply(429, {"error": "slow down"}, {"Retry-After": "2"}))
    sleeps = Sleeps()
    (gen,) = make_runner(server, sleeps).generate(requests_for("Wer?"))
    assert gen.text == "Keo Chhea"
    assert sleeps == [2.0]


def test_retry_after_as_an_http_date(server: FakeServer) -> None:
    server.script.append(Reply(503, "", {"Retry-After": "Wed, 21 Oct 2015 07:28:03 GMT"}))
    sleeps = Sleeps()
    now = 1445412480.0  # 07:28:00 that day
    (gen,) = make_runner(server, sleeps, clock=lambda: now).generate(requests_for("Wer?"))
    assert gen.error is None
    assert sleeps == [3.0]


def test_retry_after_longer_than_backoff_max_fails_at_once(server: FakeServer) -> None:
    server.respond = lambda seen: Reply(429, "quota", {"Retry-After": "3600"})
    sleeps = Sleeps()
    (gen,) = make_runner(server, sleeps, backoff_max=30).generate(requests_for("Wer?"))
    assert gen.error is not None and gen.text == ""
    assert "HTTP 429" in gen.error and "retry after 3600 s" in gen.error
    assert "backoff_max=30 s" in gen.error
    assert sleeps == [] and len(server.seen) == 1


def test_retries_run_out(server: FakeServer) -> None:
    server.respond = lambda seen: Reply(503, "overloaded " * 100)
    sleeps = Sleeps()
    (gen,) = make_runner(server, sleeps, max_retries=2).generate(requests_for("Wer?"))
    assert gen.error is not None
    assert gen.error.startswith(f"HTTP 503 Service Unavailable from {server.url}/chat/completions")
    assert "gave up after 3 attempts" in gen.error
    assert len(gen.error) < 400  # a short excerpt of the body, not all of it
    assert len(server.seen) == 3 and len(sleeps) == 2


def test_hang_past_the_timeout_is_recorded_and_the_others_go_on(server: FakeServer) -> None:
    server.respond = lambda seen: Hang() if "Hänger" in seen.text else completion(seen.path, "ok")
    sleeps = Sleeps()
    runner = make_runner(server, sleeps, timeout=0.2, max_retries=1, concurrency=2)
    gens = runner.generate(requests_for("Wer?", "Hänger?", "Wann?"))
    assert [g.text for g in gens] == ["ok", "", "ok"]
    assert gens[1].error is not None
    assert "no answer" in gens[1].error and "timeout=0.2 s" in gens[1].error
    assert "gave up after 2 attempts" in gens[1].error
    assert len(sleeps) == 1


def test_malformed_json_is_an_error_without_retry(server: FakeServer) -> None:
    server.script.append(MALFORMED)
    sleeps = Sleeps()
    gens = make_runner(server, sleeps).generate(requests_for("Wer?", "Wann?"))
    assert gens[0].error is not None and "malformed JSON" in gens[0].error
    assert '{"choices": [{"text": "Keo' in gens[0].error
    assert gens[1].error is None and gens[1].text == "Keo Chhea"
    assert sleeps == [] and len(server.seen) == 2


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ({"choices": []}, "no choices"),
        ({"choices": [{"message": {"content": 5}}]}, "not a string"),
        ({"error": {"message": "model overloaded"}}, "model overloaded"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_unexpected_json_is_an_error(server: FakeServer, body: Any, what: str) -> None:
    server.script.append(Reply(200, json.dumps(body)))
    (gen,) = make_runner(server).generate(requests_for("Wer?"))
    assert gen.error is not None and what in gen.error


def test_connection_reset_is_retried(server: FakeServer) -> None:
    server.script.append(Reset())
    sleeps = Sleeps()
    (gen,) = make_runner(server, sleeps).generate(requests_for("Wer?"))
    assert gen.error is None and gen.text == "Keo Chhea"
    assert len(server.seen) == 2 and len(sleeps) == 1


def test_connection_reset_every_time_is_recorded(server: FakeServer) -> None:
    server.respond = lambda seen: Reset()
    (gen,) = make_runner(server, max_retries=1).generate(requests_for("Wer?"))
    assert gen.error is not None
    assert "connection error" in gen.error and "gave up after 2 attempts" in gen.error


def test_a_closed_keep_alive_connection_is_reopened_without_a_retry(server: FakeServer) -> None:
    server.script.extend([completion("/v1/chat/completions", "eins"), Reset()])
    sleeps = Sleeps()
    gens = make_runner(server, sleeps).generate(requests_for("A?", "B?"))
    assert [g.text for g in gens] == ["eins", "Keo Chhea"]
    assert sleeps == []  # the reset hit the reused connection: reconnected at once
    assert len(server.seen) == 3


def test_connection_refused_is_retried_then_recorded() -> None:
    with FakeServer() as gone:
        url = gone.url
    sleeps = Sleeps()
    runner = OpenAIRunner(
        name="r", base_url=url, model="m", max_retries=2, sleep=sleeps, rng=random.Random(0)
    )
    (gen,) = runner.generate(requests_for("Wer?"))
    assert gen.error is not None and "connection error" in gen.error
    assert "ConnectionRefusedError" in gen.error and len(sleeps) == 2


def test_401_is_not_retried_and_never_echoes_the_key(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_TEST_KEY", KEY)
    # A careless server that quotes the credentials it was given.
    server.respond = lambda seen: Reply(
        401, {"error": f"bad key {seen.headers['authorization']} ({KEY[-6:]})"}
    )
    sleeps = Sleeps()
    runner = make_runner(server, sleeps, api_key_env="HARNESS_TEST_KEY")
    (gen,) = runner.generate(requests_for("Wer?"))
    assert gen.error is not None
    assert gen.error.startswith("HTTP 401 Unauthorized")
    assert "check the key in $HARNESS_TEST_KEY" in gen.error
    assert KEY not in gen.error and "***" in gen.error
    assert len(server.seen) == 1 and sleeps == []


def test_a_missing_key_variable_is_a_clear_error(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HARNESS_TEST_KEY", raising=False)
    runner = make_runner(server, api_key_env="HARNESS_TEST_KEY")
    with pytest.raises(ValueError, match="api_key_env names HARNESS_TEST_KEY, which is not set"):
        runner.generate(requests_for("Wer?"))
    assert server.seen == []


# -- options, identity, helpers -----------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model": ""}, "model must be a non-empty string"),
        ({"endpoint": "embeddings"}, "endpoint must be one of chat, completions"),
        ({"base_url": "ftp://host/v1"}, "base_url must be an http:// or https:// URL"),
        ({"base_url": "http://host:99999/v1"}, "bad port"),
        ({"concurrency": 0}, "concurrency must be a positive integer"),
        ({"max_retries": -1}, "max_retries must be an integer >= 0"),
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"headers": {"X": 1}}, "headers must map header names to strings"),
        ({"api_key": "sk-inline"}, "unexpected keyword argument 'api_key'"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], message: str) -> None:
    full = {"model": "m", **options}
    with pytest.raises(ValueError, match=message):
        create_runner("openai", "served", full)


def test_fingerprint_covers_what_changes_outputs_and_nothing_secret() -> None:
    def fp(**kw: Any) -> str:
        return OpenAIRunner(**{"name": "r", "model": "m", **kw}).fingerprint()

    base = fp()
    assert base == fp(concurrency=16, timeout=5, max_retries=0, api_key_env="X")
    assert base != fp(model="other")
    assert base != fp(endpoint="completions")
    assert base != fp(extra_body={"top_k": 1})
    assert base != fp(base_url="http://10.0.0.1:8000/v1")
    # credentials in the URL do not enter it
    assert fp(base_url="http://u:one@h/v1") == fp(base_url="http://u:two@h/v1")


def test_basic_auth_from_url_credentials(server: FakeServer) -> None:
    url = server.url.replace("http://", "http://user:pa55word@")
    runner = OpenAIRunner(name="r", base_url=url, model="m", sleep=Sleeps())
    (gen,) = runner.generate(requests_for("Wer?"))
    assert gen.error is None
    assert server.seen[0].headers["authorization"] == "Basic dXNlcjpwYTU1d29yZA=="
    assert "pa55word" not in runner.display_url


def test_retry_policy_ceiling_and_bounds() -> None:
    policy = RetryPolicy(max_retries=8, backoff_base=0.5, backoff_max=3.0)
    rng = random.Random(1)
    for attempt in range(8):
        top = policy.ceiling(attempt)
        assert top == min(3.0, 0.5 * 2**attempt)
        assert top / 2 <= policy.backoff(attempt, rng) <= top


def test_parse_retry_after_edge_cases() -> None:
    assert parse_retry_after({}, 0.0) is None
    assert parse_retry_after({"retry-after": "-5"}, 0.0) == 0.0
    assert parse_retry_after({"retry-after": "nan"}, 0.0) is None
    assert parse_retry_after({"retry-after-ms": "x", "retry-after": "1"}, 0.0) == 1.0


# -- through `harness run` ----------------------------------------------------------


def write_config(tmp_path: Path, server: FakeServer, **options: Any) -> Path:
    cfg = {
        "name": "served",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "languages": ["de"],
        "limit": 6,
        "runners": [
            {
                "name": "served",
                "type": "openai",
                "options": {
                    "base_url": server.url,
                    "model": "fake",
                    "api_key_env": "HARNESS_TEST_KEY",
                    "max_retries": 0,
                    "timeout": 5,
                    **options,
                },
            }
        ],
        "bootstrap": {"resamples": 50, "seed": 0},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "served.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def flaky(seen: Seen) -> Action:
    """Fails two of the first six questions; one failure quotes the credentials back."""
    if "Titel" in seen.text:
        return Reply(500, "internal error")
    if "Land vertritt" in seen.text:
        return Reply(401, f"denied: {seen.headers.get('authorization')}")
    return completion(seen.path, "Keo Chhea\nFrage:")


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_records_failed_samples_scores_the_rest_and_never_writes_the_key(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HARNESS_TEST_KEY", KEY)
    server.respond = flaky
    config = write_config(tmp_path, server, headers={"Authorization-Extra": KEY})
    assert main(["run", str(config)]) == 0
    (run,) = (tmp_path / "results").iterdir()
    gens = {g["sample_id"].split("/")[1]: g for g in read_lines(run / "generations.jsonl")}
    assert len(gens) == 6
    failed = {k for k, g in gens.items() if g["error"]}
    assert failed == {"speaker-title", "speaker-country"}
    assert "HTTP 500" in gens["speaker-title"]["error"]
    assert "HTTP 401" in gens["speaker-country"]["error"]
    assert gens["speaker-name"]["text"] == "Keo Chhea"
    assert gens["speaker-name"]["prompt_tokens"] == 11
    scores = {s["sample_id"].split("/")[1]: s for s in read_lines(run / "scores.jsonl")}
    assert scores["speaker-name"]["values"]["qa_de.exact"] == 100.0
    assert scores["speaker-title"]["details"]["error"].startswith("HTTP 500")
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["results"]["served"]["qa"]["errors"] == 2
    assert summary["results"]["served"]["qa"]["n"] == 6
    report = (run / "report.md").read_text(encoding="utf-8")
    assert "| served | 6 | 2 |" in report
    out, err = capfd.readouterr()
    assert "(2 errors)" in out
    # The key reached the server, but no file of the run and no output holds it.
    assert all(s.headers["authorization"] == f"Bearer {KEY}" for s in server.seen)
    cache = Path(os.environ["HARNESS_GENERATION_CACHE"])
    assert list(cache.glob("generations.sqlite*"))
    for path in [*run.iterdir(), *cache.iterdir()]:
        assert KEY not in path.read_bytes().decode("utf-8", errors="replace"), path
    assert KEY not in out and KEY not in err
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runners"]["served"]["options"]["api_key_env"] == "HARNESS_TEST_KEY"
    assert manifest["runners"]["served"]["options"]["headers"] == {"Authorization-Extra": "***"}


def test_max_errors_stops_the_run_keeps_what_was_produced_and_resume_retries(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HARNESS_TEST_KEY", KEY)
    server.respond = flaky
    config = write_config(tmp_path, server)
    assert main(["run", str(config), "-q", "--max-errors", "1"]) == 1
    err = capsys.readouterr().err
    (run,) = (tmp_path / "results").iterdir()
    assert "2 samples failed, more than max_errors=1" in err
    assert f"saved in {run}" in err and f"--resume {run}" in err
    assert KEY not in err
    gens = read_lines(run / "generations.jsonl")
    assert len(gens) == 6 and sum(1 for g in gens if g["error"]) == 2
    assert "max_errors=1" in json.loads((run / "manifest.json").read_text())["aborted"]
    assert not (run / "summary.json").exists()

    # The server recovers; resuming generates only the failed samples again.
    server.respond = lambda seen: completion(seen.path, "Keo Chhea")
    before = len(server.seen)
    assert main(["run", str(config), "-q", "--resume", str(run), "--max-errors", "1"]) == 0
    assert len(server.seen) - before == 2
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["results"]["served"]["qa"]["errors"] == 0
    assert summary["results"]["served"]["qa"]["n"] == 6


def test_negative_max_errors_is_a_usage_error(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(write_config(tmp_path, server)), "--max-errors", "-1"]) == 2
    assert "--max-errors: must be 0 or more" in capsys.readouterr().err


def test_null_in_extra_body_removes_a_field() -> None:
    runner = OpenAIRunner(
        name="r", model="m", extra_body={"max_tokens": None, "max_completion_tokens": 64}
    )
    (req,) = requests_for("Wer?")
    body = runner.body(req)
    assert "max_tokens" not in body and body["max_completion_tokens"] == 64
    assert body["temperature"] == 0.0


SERVER_EXAMPLES = ("vllm", "tgi", "ollama", "llamacpp", "openai", "transformers-serve")


@pytest.mark.parametrize("name", SERVER_EXAMPLES)
def test_example_configs_are_valid_and_build_their_runners(name: str) -> None:
    from harness.config import load_config
    from tests.conftest import ROOT

    cfg, base = load_config(ROOT / "configs" / "examples" / f"{name}.yaml")
    specs = [r for r in cfg.runners if r.type == "openai"]
    assert specs, "an example without an openai runner"
    for spec in specs:
        runner = create_runner(spec.type, spec.name, dict(spec.options))
        assert runner.fingerprint()  # built offline; nothing is contacted
    assert all(Path(g).is_dir() for g in [str((base / p).resolve()) for p in cfg.gold])


class _InterruptingMessages(tuple):  # type: ignore[type-arg]
    """Chat messages whose reading waits for a request to hang, then raises Ctrl-C."""

    server: FakeServer

    def __iter__(self) -> Any:
        tick = threading.Event()  # never set: wait() is a short pause
        for _ in range(500):  # until the other request is in flight (at most ~5 s)
            if self.server.seen:
                break
            tick.wait(0.01)
        raise KeyboardInterrupt


def test_ctrl_c_ends_requests_in_flight_without_waiting_for_their_timeout(
    server: FakeServer,
) -> None:
    server.respond = lambda seen: Hang()
    messages = _InterruptingMessages()
    messages.server = server
    hanging, _ = requests_for("Hänger?", "Abbruch?")
    interrupting = Request(
        sample=Sample(id="d/x", doc_id="d", task="qa", language="de", input="x", references=()),
        context="",
        prompt="x",
        messages=messages,
    )
    runner = make_runner(server, timeout=60, concurrency=2, max_retries=5)
    with pytest.raises(KeyboardInterrupt):
        runner.generate([interrupting, hanging])
    assert len(server.seen) == 1  # the hanging request was in flight
    workers = [t for t in threading.enumerate() if t.name.startswith("harness-openai-served")]
    for t in workers:
        t.join(timeout=10)  # far below the 60 s client timeout
    assert not any(t.is_alive() for t in workers)
