"""Epochs with reducers, request/token-per-minute limits and cost estimates, on the fake server.

No test waits on real time: the rate limiter's clock is a fake that only the
injected ``sleep`` advances.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from harness.epochs import combine_epochs, reduce_values
from harness.gold.load import build_samples, load_gold
from harness.prompts import build_request
from harness.runners.limits import RateLimiter
from harness.runners.openai_compat import OpenAIRunner
from harness.types import Generation, GenerationParams, Request, Sample
from tests.conftest import GOLD
from tests.runners.fake_server import Action, FakeServer, Reply, Seen, completion


class FakeClock:
    """Monotonic time that moves only when someone sleeps; records the sleeps."""

    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        self.t += seconds


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    with FakeServer() as s:
        yield s


def _requests(n: int) -> list[Request]:
    params = GenerationParams(max_new_tokens=16, stop=("\n",))
    return [
        build_request(
            Sample(id=f"d/q{i}", doc_id="d", task="qa", language="de", input=f"Frage {i}?",
                   references=()),
            "Keo Chhea sprach in New York.",
            params=params,
        )
        for i in range(n)
    ]  # fmt: skip


# -- rate limits -------------------------------------------------------------------------


def test_requests_per_minute_space_the_starts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=30, clock=clock.now)
    waits = []
    for _ in range(4):
        wait = limiter.reserve()
        clock.sleep(wait) if wait else None
        waits.append(wait)
    assert waits == [0.0, 2.0, 2.0, 2.0]
    # Reservations made at the same moment (concurrent workers) get successive slots.
    burst = RateLimiter(requests_per_minute=60, clock=clock.now)
    assert [burst.reserve() for _ in range(3)] == [0.0, 1.0, 2.0]


def test_tokens_per_minute_wait_out_the_debt_and_book_the_real_usage() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=600, clock=clock.now)  # 10 tokens a second
    assert limiter.reserve(50) == 0.0  # a full bucket (10): goes, 40 in debt
    limiter.settle(50, 20)  # the server counted 20: 10 in debt
    assert limiter.reserve(50) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tokens_per_minute must be a positive number"):
        RateLimiter(tokens_per_minute=0)


def test_the_openai_runner_keeps_its_requests_per_minute(server: FakeServer) -> None:
    clock = FakeClock()
    runner = OpenAIRunner(
        name="o", base_url=server.url, model="m", concurrency=1, requests_per_minute=120,
        sleep=clock.sleep, monotonic=clock.now, rng=random.Random(0),
    )  # fmt: skip
    gens = runner.generate(_requests(4))
    assert [g.text for g in gens] == ["Keo Chhea"] * 4 and len(server.seen) == 4
    assert clock.sleeps == [0.5, 0.5, 0.5]


def test_retries_count_against_the_limit_too(server: FakeServer) -> None:
    clock = FakeClock()
    server.script.append(Reply(429, "slow down", {"Retry-After": "0"}))
    runner = OpenAIRunner(
        name="o", base_url=server.url, model="m", concurrency=1, requests_per_minute=60,
        sleep=clock.sleep, monotonic=clock.now, rng=random.Random(0),
    )  # fmt: skip
    (g,) = runner.generate(_requests(1))
    assert g.text == "Keo Chhea" and len(server.seen) == 2
    assert clock.sleeps == [0.0, 1.0]  # Retry-After: 0 s, then the limit's slot: 1 s


def test_the_openai_runner_keeps_its_tokens_per_minute(server: FakeServer) -> None:
    """The fake server reports 11 + 3 tokens per request; estimates are settled to that."""
    clock = FakeClock()
    runner = OpenAIRunner(
        name="o", base_url=server.url, model="m", concurrency=1, tokens_per_minute=600,
        sleep=clock.sleep, monotonic=clock.now,
    )  # fmt: skip
    runner.generate(_requests(3))
    # bucket 10 (a second of 10/s): the first goes; 14 used -> 4 in debt (0.4 s); then 14 more
    assert clock.sleeps == pytest.approx([0.4, 1.4])


# -- epochs ------------------------------------------------------------------------------


def test_reducers() -> None:
    assert reduce_values([100.0, 0.0, 100.0], "mean", True) == pytest.approx(200 / 3)
    assert reduce_values([100.0, 0.0, 100.0], "majority", True) == 100.0
    assert reduce_values([0.0, 100.0, 0.0], "at_least_one", True) == 100.0
    assert reduce_values([0.2, 0.0, 0.1], "at_least_one", False) == 0.0  # lower is better
    assert reduce_values([0.0, 1.0], "majority", False) == 1.0  # a tie goes to the worse


def test_combine_epochs_keeps_every_draw() -> None:
    gens = [
        Generation("d/q", "r", "a", seconds=1.0, prompt_tokens=5, completion_tokens=2),
        Generation("d/q", "r", "", error="HTTP 500", seconds=0.5),
    ]
    (one,) = combine_epochs(gens, 2)
    assert one.text == "a" and one.error == "epoch 2 of 2: HTTP 500"
    assert one.seconds == 1.5 and one.prompt_tokens is None  # an epoch without counts
    assert [e.text for e in one.epoch_generations()] == ["a", ""]
    assert Generation.from_dict(json.loads(json.dumps(one.to_dict()))) == one


def _samples(n: int) -> list[Sample]:
    return build_samples(load_gold(GOLD), ("qa",), ["de"])[:n]


def by_seed(samples: list[Sample]) -> Any:
    """Even seeds answer with the gold answer, odd seeds with a wrong one."""

    def respond(seen: Seen) -> Action:
        sample = next(s for s in samples if s.input in seen.text)
        right = sample.references[0] if sample.references else ""
        return completion(seen.path, right if seen.body["seed"] % 2 == 0 else "Hun Sen")

    return respond


def _run(tmp_path: Path, server: FakeServer, seed: int, reducer: str, **extra: Any) -> Path:
    cfg = {
        "name": "epochs",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "languages": ["de"],
        "limit": 3,
        "runners": [
            {
                "name": "sampled",
                "type": "openai",
                "options": {"base_url": server.url, "model": "fake", "endpoint": "completions",
                            "max_retries": 0},
                "generation": {"temperature": 0.7, "seed": seed},
                "epochs": 3,
                "epoch_reducer": reducer,
                **extra,
            }
        ],
        "metrics": {"qa": ["qa_de"]},
        "bootstrap": {"resamples": 20, "seed": 0},
        "output_dir": str(tmp_path / reducer / str(seed)),
    }  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{reducer}-{seed}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    (run,) = (tmp_path / reducer / str(seed)).iterdir()
    return run


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("seed", "reducer", "expected"),
    [
        (0, "mean", 200 / 3),  # seeds 0 1 2: right, wrong, right
        (0, "majority", 100.0),
        (1, "majority", 0.0),  # seeds 1 2 3: wrong, right, wrong
        (1, "mean", 100 / 3),
        (1, "at_least_one", 100.0),
    ],
)
def test_epochs_ask_k_seeds_and_reduce_the_scores(
    tmp_path: Path, server: FakeServer, seed: int, reducer: str, expected: float
) -> None:
    samples = _samples(3)
    server.respond = by_seed(samples)
    run = _run(tmp_path, server, seed, reducer)
    seeds = sorted(s.body["seed"] for s in server.seen)
    assert seeds == sorted([seed, seed + 1, seed + 2] * 3)
    gens = _lines(run / "generations.jsonl")
    assert len(gens) == 3 and all(len(g["epochs"]) == 3 for g in gens)
    scores = _lines(run / "scores.jsonl")
    for line in scores:
        assert line["values"]["qa_de.exact"] == pytest.approx(expected)
        assert line["details"]["epochs"]["reducer"] == reducer
        assert len(line["details"]["epochs"]["values"]) == 3
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    mean = summary["results"]["sampled"]["qa"]["metrics"]["qa_de.exact"]["value"]
    assert mean == pytest.approx(expected)


def test_token_counts_and_the_estimated_cost(tmp_path: Path, server: FakeServer) -> None:
    samples = _samples(3)
    server.respond = by_seed(samples)
    price = {"prompt": 2.5, "completion": 10.0, "currency": "EUR"}
    run = _run(tmp_path, server, 0, "mean", price=price)
    usage = json.loads((run / "manifest.json").read_text())["runners"]["sampled"]["usage"]
    # 3 samples x 3 epochs, 11 prompt + 3 completion tokens each (the fake server's usage)
    assert usage["generations"] == 9 and usage["with_token_counts"] == 9
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (99, 27)
    cost = usage["estimated_cost"]
    assert cost["total"] == pytest.approx((99 * 2.5 + 27 * 10.0) / 1e6)
    assert cost["uncached"] == cost["total"] and cost["currency"] == "EUR"
    # The same run again comes from the cache: the same estimate, nothing of it new.
    again = _run(tmp_path / "again", server, 0, "mean", price=price)
    usage2 = json.loads((again / "manifest.json").read_text())["runners"]["sampled"]["usage"]
    assert usage2["estimated_cost"]["total"] == cost["total"]
    assert usage2["estimated_cost"]["uncached"] == 0.0


def test_bad_epochs_and_prices_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "runners:\n  - name: a\n    type: oracle\n    epochs: 0\n"
        "  - name: b\n    type: oracle\n    price: {prompt: -1, completion: 2}\n",
        encoding="utf-8",
    )
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: runners.0.epochs" in err
    assert f"{path}:7: runners.1.price.prompt" in err
