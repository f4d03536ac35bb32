"""Benchmark: N questions through the baselines, in time, memory, report size and load time.

The gold is XQuAD-de (``../shared/data/xquad/xquad.de.json`` beside the
checkout), imported once and copied until it holds N questions. A real
``harness run`` (a subprocess: the CLI, as a user runs it) evaluates the
baselines of ``configs/examples/xquad-de.yaml`` (oracle, lead, retrieval;
``squad_v2`` and ``qa_de``) on them. Printed, from one run: wall time, the
run's peak RSS, the sizes of ``report.html`` and of the drill-down data
beside it, and the time headless Chromium takes to load ``report.html`` from
``file://`` (the browser's own start-up, measured on an empty page right
before, taken off; and the page's own clock when its script marked it
ready). A second load opens the last sample (``#open=<id>``) to prove the
drill-down reaches it::

    .venv/bin/python benchmarks/bench_scale.py                  # 100,000 questions
    .venv/bin/python benchmarks/bench_scale.py --n 12000 --keep /tmp/scale

Goals: 100,000 questions in at most 60 s and 1.5 GB peak RSS; ``report.html``
at most 20 MB, loaded within 3 s. Skipped (exit 0, with the reason) when the
XQuAD file is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    XQUAD_DE,
    chromium,
    chromium_load,
    folder_mb,
    import_xquad,
    replicate_gold,
)

XQUAD_QUESTIONS = 1190


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="questions (default 100,000)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (else a temp dir)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium load")
    args = parser.parse_args(argv)
    if not XQUAD_DE.is_file():
        print(f"skipped: {XQUAD_DE} not found (XQuAD-de is expected beside the checkout)")
        return 0
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, work: Path) -> int:
    t0 = time.perf_counter()
    imported = import_xquad(work / "import")
    copies = -(-args.n // XQUAD_QUESTIONS)
    gold = work / "gold"
    replicate_gold([p for p in imported.iterdir() if p.is_dir()], copies, gold)
    prep = time.perf_counter() - t0
    example = yaml.safe_load((ROOT / "configs/examples/xquad-de.yaml").read_text("utf-8"))
    cfg = {
        **example,
        "name": "bench-scale",
        "gold": [str(gold)],
        "limit": args.n,
        "cache": {"enabled": False},
        "output_dir": str(work / "results"),
    }
    config = work / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    runners = ", ".join(r["name"] for r in cfg["runners"])
    print(
        f"{args.n:,} questions ({copies} copies of XQuAD-de, {len(list(gold.iterdir())):,} "
        f"documents; made in {prep:.1f} s), runners {runners}, metrics "
        f"{', '.join(cfg['metrics']['qa'])}"
    )
    code = "import sys; from harness.cli import main; sys.exit(main(sys.argv[1:]))"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(config), "-q", "--run-id", "scale"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
        print(f"harness run failed (exit {proc.returncode})")
        return 1
    run = work / "results" / "scale"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    html = run / "report.html"
    data = run / "report-data"
    print(f"wall time            {wall:8.1f} s   (goal <= 60 s)")
    print(f"peak RSS             {rss:8.0f} MiB (goal <= 1536 MiB)")
    for name, info in manifest.get("runners", {}).items():
        gen, score = info.get("seconds_generate", 0), info.get("seconds_score", 0)
        print(
            f"  {name:<18} {info.get('seconds_total', 0):6.1f} s (generate {gen:.1f} s, "
            f"score {score:.1f} s)"
        )
    before = float(manifest.get("seconds_total", 0.0))
    print(f"  {'until the summary':<18} {before:6.1f} s (gold, samples, requests, runners)")
    print(f"  {'summary, reports':<18} {wall - before:6.1f} s (with interpreter start-up)")
    print(f"report.html          {html.stat().st_size / 2**20:8.2f} MB  (goal <= 20 MB)")
    if data.is_dir():
        n_files = sum(1 for _ in data.iterdir())
        size = folder_mb(data)
        print(f"report-data/         {size:8.1f} MB  ({n_files} files, read on demand)")
    print(f"report.md            {(run / 'report.md').stat().st_size / 2**10:8.1f} KB")
    print(f"run folder           {folder_mb(run):8.1f} MB")
    if args.no_browser:
        return 0
    if chromium() is None:
        print("browser load: skipped (Debian's chromium is not installed: scripts/setup)")
        return 0
    load = chromium_load(html)
    print(
        f"Chromium load        {load['load']:8.2f} s   (goal <= 3 s; process {load['wall']:.2f} s "
        f"minus start-up {load['blank']:.2f} s; page ready after {load['ready']:.2f} s)"
    )
    last = _last_sample(run)
    opened = chromium_load(html, f"#open={last}&focus=1")
    dom = _dom_has(html, f"#open={last}&focus=1", last)
    print(
        f"drill-down           last sample {last}: {'opened' if dom else 'NOT FOUND'} "
        f"({opened['load']:.2f} s)"
    )
    return 0


def _last_sample(run: Path) -> str:
    last = ""
    with (run / "samples.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                last = json.loads(line)["id"]
    return last


def _dom_has(page: Path, fragment: str, sample_id: str) -> bool:
    from benchmarks._common import CHROMIUM_FLAGS

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [chromium() or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp}",
             "--dump-dom", page.resolve().as_uri() + fragment],
            capture_output=True,
            text=True,
            timeout=600,
        )
    import re

    return bool(
        re.search(rf'<details class="sample" data-id="{re.escape(sample_id)}"[^>]*\bopen\b',
                  proc.stdout)
    )


if __name__ == "__main__":
    raise SystemExit(main())
