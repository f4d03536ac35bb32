"""Benchmark: does the pipeline keep an OpenAI-compatible server busy?

A local OpenAI-compatible server of our own (``tests/runners/fake_server.py``)
answers every request after a fixed latency and counts the requests in flight.
A real ``harness`` run (the pipeline, the ``openai`` runner, scoring and
writing) sends it N questions (copies of the repository's gold) with
``concurrency: C``. Ideal throughput is ``C / latency`` requests a second; the
benchmark prints the most and the mean requests in flight (time-weighted over
the busy span, from the server's first arrival to its last answer) and the
throughput against that ideal, all from one run::

    .venv/bin/python benchmarks/bench_server.py                           # C=64, 100 ms, 2,000
    .venv/bin/python benchmarks/bench_server.py --concurrency 4 16 64 --n 1000

Goal: in flight = C, throughput >= 90% of ideal at C=64 against a 100 ms server.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import GOLD, peak_rss_mb, replicate_gold  # noqa: E402
from tests.runners.fake_server import Action, FakeServer, Seen, completion  # noqa: E402


class LatencyServer(FakeServer):
    """Answers every request after ``latency`` seconds; records requests in flight."""

    def __init__(self, latency: float) -> None:
        super().__init__(self._answer)
        self.latency = latency
        self.in_flight = 0
        self.max_in_flight = 0
        self.events: list[tuple[float, int]] = []  # (time, in flight after the change)
        self._count_lock = threading.Lock()

    def _change(self, delta: int) -> None:
        with self._count_lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.events.append((time.perf_counter(), self.in_flight))

    def _answer(self, seen: Seen) -> Action:
        self._change(+1)
        try:
            time.sleep(self.latency)
        finally:
            self._change(-1)
        return completion(seen.path, "Keo Chhea\nFrage: Und wer noch?")

    def busy(self) -> tuple[float, float]:
        """(span from the first arrival to the last answer in s, time-weighted mean in flight)."""
        if len(self.events) < 2:
            return 0.0, 0.0
        start, end = self.events[0][0], self.events[-1][0]
        area = sum(
            (t1 - t0) * n for (t0, n), (t1, _) in zip(self.events, self.events[1:], strict=False)
        )
        return end - start, area / max(end - start, 1e-9)


def one(concurrency: int, latency: float, n: int, workdir: Path) -> dict[str, Any]:
    from harness.config import RunConfig
    from harness.gold.load import build_samples, load_gold
    from harness.pipeline import run

    per_copy = len(build_samples(load_gold(GOLD), ("qa",)))
    copies = -(-n // per_copy)
    gold = workdir / f"gold-{concurrency}"
    replicate_gold([p for p in GOLD.iterdir() if p.is_dir()], copies, gold)
    with LatencyServer(latency) as server:
        cfg = RunConfig.model_validate(
            {
                "name": "bench-server",
                "gold": [str(gold)],
                "tasks": ["qa"],
                "limit": n,
                "runners": [
                    {
                        "name": "served",
                        "type": "openai",
                        "options": {
                            "base_url": server.url,
                            "model": "fake",
                            "endpoint": "completions",
                            "concurrency": concurrency,
                            "max_retries": 0,
                            "timeout": 60,
                        },
                    }
                ],
                "metrics": {"qa": ["squad_v2"], "summary": []},
                "bootstrap": {"resamples": 100},
                "cache": {"enabled": False},
            }
        )
        started = time.perf_counter()
        run_dir = run(cfg, workdir, output_dir=workdir / "results", use_cache=False)
        wall = time.perf_counter() - started
        span, mean = server.busy()
        seen = len(server.seen)
    import json

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    generate_s = float(manifest["runners"]["served"]["seconds_generate"])
    ideal = concurrency / latency
    return {
        "concurrency": concurrency,
        "requests": seen,
        "max_in_flight": server.max_in_flight,
        "mean_in_flight": mean,
        "span": span,
        "throughput": seen / span if span else 0.0,
        "ideal": ideal,
        "generate_s": generate_s,
        "wall": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[64])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--n", type=int, default=2000, help="questions per run")
    args = parser.parse_args(argv)
    print(
        f"fake OpenAI-compatible server on 127.0.0.1, {args.latency * 1000:.0f} ms per request, "
        f"{args.n} questions per run (the pipeline: openai runner, squad_v2 scoring, writing)"
    )
    header = (
        f"{'C':>4}{'requests':>10}{'max in flight':>15}{'mean in flight':>16}{'busy s':>9}"
        f"{'req/s':>9}{'ideal':>8}{'of ideal':>10}{'run s':>8}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        for c in args.concurrency:
            r = one(c, args.latency, args.n, Path(tmp))
            rows.append(r)
            print(
                f"{c:>4}{r['requests']:>10}{r['max_in_flight']:>15}{r['mean_in_flight']:>16.1f}"
                f"{r['span']:>9.2f}{r['throughput']:>9.1f}{r['ideal']:>8.0f}"
                f"{r['throughput'] / r['ideal']:>9.1%}{r['wall']:>8.2f}"
            )
    print(f"peak RSS {peak_rss_mb():.0f} MiB")
    for r in rows:
        ok = r["max_in_flight"] == r["concurrency"] and r["throughput"] >= 0.9 * r["ideal"]
        print(
            f"C={r['concurrency']}: in flight {r['max_in_flight']} of {r['concurrency']}, "
            f"throughput {r['throughput'] / r['ideal']:.1%} of ideal "
            f"({'meets' if ok else 'misses'} the goal: in flight = C, >= 90%)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
