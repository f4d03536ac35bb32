"""Test-only runners, and a ``harness`` entry point that registers them, for subprocess tests.

Run as a script, it registers the runners below and hands its arguments to
``harness.cli.main``::

    python tests/robustness/robust_runners.py run CONFIG --run-id r

- ``robust-gated`` answers deterministically but, when ``<gate_dir>/allow``
  holds a number N, generates only N batches and then blocks until the file
  allows more: a test can stop (SIGKILL, SIGINT) a run exactly mid-generation
  without sleeping itself. Every call is logged to ``<gate_dir>/calls.jsonl``
  (pid and sample ids), so a test can prove a resumed run asked for nothing
  twice.
- ``robust-leaky`` takes any options and leaks them wherever a careless
  runner would: its fingerprint, its output, its error messages.

Importing this module changes nothing; :func:`register` does.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.types import Generation, Request

GATE_TIMEOUT = 120.0  # seconds a gated runner waits before it gives up (a test went wrong)


def answer(request: Request) -> str:
    """A deterministic answer: right for every third answerable question, else a fixed miss."""
    sample = request.sample
    n = sum(map(ord, sample.id))
    if sample.references and n % 3 == 0:
        return sample.references[0]
    return "nicht im Text" if n % 3 == 1 else f"Antwort {n % 97} auf {sample.input[:20]}"


class Gated:
    """Answers after the gate in ``gate_dir`` lets the batch through (see the module doc)."""

    calls = 0  # per process, over every gated runner: "allow" counts batches of the whole run

    def __init__(self, name: str, gate_dir: str) -> None:
        self.name = name
        self.gate = Path(gate_dir)

    def fingerprint(self) -> str:
        return "robust-gated-v1"

    def _allowed(self) -> float:
        try:
            text = (self.gate / "allow").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return float("inf")
        return float(text) if text else 0.0

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        Gated.calls += 1
        call = Gated.calls
        with (self.gate / "calls.jsonl").open("a", encoding="utf-8") as log:
            record = {"pid": os.getpid(), "runner": self.name, "call": call}
            log.write(json.dumps({**record, "ids": [r.sample_id for r in requests]}) + "\n")
        deadline = time.monotonic() + GATE_TIMEOUT
        while call > self._allowed():
            if time.monotonic() > deadline:
                raise RuntimeError(f"gate {self.gate} stayed closed for {GATE_TIMEOUT}s")
            time.sleep(0.01)  # a subprocess waiting for the test: Ctrl-C lands here
        return [Generation(r.sample_id, self.name, answer(r), raw=answer(r)) for r in requests]


class Leaky:
    """Takes any options and repeats them in its fingerprint, output and errors."""

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        self.options = options
        key_env = options.get("api_key_env")
        self.key = os.environ.get(key_env, "") if isinstance(key_env, str) else ""

    def fingerprint(self) -> str:
        return f"leaky {json.dumps(self.options, sort_keys=True)} key={self.key}"

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        print(f"leaky runner sees {len(requests)} requests", file=sys.stderr)
        out = []
        for i, r in enumerate(requests):
            if i % 2:
                error = f"HTTP 401 from {self.options.get('base_url')} with {self.options}"
                out.append(Generation(r.sample_id, self.name, "", error=error))
            else:
                hf = os.environ.get("HF_TOKEN", "")  # a library reading the environment
                text = f"my key is {self.key}; headers {self.options.get('headers')}; hf {hf}"
                out.append(Generation(r.sample_id, self.name, text, raw=text))
        return out


def cache_writer(db: str, tag: str, go: str, n: int) -> None:
    """Write ``n`` entries into the generation cache at ``db`` once ``go`` exists, reading back."""
    from harness.runners.cache import GenerationCache

    Path(go).with_name(f"ready-{tag}").touch()
    deadline = time.monotonic() + GATE_TIMEOUT
    while not Path(go).exists():  # both writers start together
        if time.monotonic() > deadline:
            raise RuntimeError("no go")
        time.sleep(0.002)
    cache = GenerationCache(Path(db))  # the first one creates the file: a race too
    for i in range(0, n, 10):
        items = [(f"{tag}-{j}", Generation(f"s{j}", tag, f"{tag} {j}")) for j in range(i, i + 10)]
        cache.put_many(items)
        assert cache.get_many([f"{tag}-{i}"])[f"{tag}-{i}"].text == f"{tag} {i}"
        cache.put_many([("shared", Generation("s", tag, f"last from {tag}"))])
    cache.close()


def register() -> None:
    """Register the runners above (idempotent)."""
    from harness.runners.base import RUNNERS

    RUNNERS.add("robust-gated", Gated, origin="tests")
    RUNNERS.add("robust-leaky", Leaky, origin="tests")


if __name__ == "__main__":
    if sys.argv[1:2] == ["cache-writer"]:
        cache_writer(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        sys.exit(0)
    register()
    from harness.cli import main

    sys.exit(main(sys.argv[1:]))
