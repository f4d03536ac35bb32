"""Helpers shared by the benchmarks: gold made of copies, peak memory, a browser's load time.

Not a benchmark itself. Every benchmark puts the repository root on ``sys.path``
and imports this module as ``benchmarks._common``.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold"
#: XQuAD-de as the task set places it: beside the checkout.
XQUAD_DE = ROOT.parent / "shared" / "data" / "xquad" / "xquad.de.json"


def replicate_gold(folders: Iterable[Path], copies: int, target: Path) -> list[Path]:
    """``copies`` copies of each gold document folder under ``target``, ids ``c0001-<id>``.

    Each copy is a valid gold folder (its ``meta.json`` id is the new folder name),
    so the copies load as distinct documents with distinct sample ids.
    """
    target.mkdir(parents=True, exist_ok=True)
    made = []
    sources = sorted(folders)
    for k in range(copies):
        for src in sources:
            dst = target / f"c{k:04d}-{src.name}"
            dst.mkdir()
            for f in src.iterdir():
                if not f.is_file():
                    continue
                if f.name == "meta.json":
                    meta = json.loads(f.read_text(encoding="utf-8"))
                    meta["id"] = dst.name
                    (dst / f.name).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
                else:
                    os.link(f, dst / f.name) if _same_fs(f, dst) else shutil.copy(f, dst / f.name)
            made.append(dst)
    return made


def _same_fs(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def import_xquad(target: Path) -> Path:
    """XQuAD-de imported into ``target`` (``harness gold import-squad``); returns the folder.

    Raises:
        FileNotFoundError: the XQuAD file is not beside the checkout.
    """
    if not XQUAD_DE.is_file():
        raise FileNotFoundError(f"{XQUAD_DE}: not found (XQuAD-de is expected beside the checkout)")
    from harness.cli import main

    out = target / "xquad-de"
    code = main(["gold", "import-squad", str(XQUAD_DE), str(out)])
    if code != 0:
        raise RuntimeError(f"importing {XQUAD_DE} failed (exit {code})")
    return out


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children) in MiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_load(page: Path, fragment: str = "") -> dict[str, float | str]:
    """Load ``page`` in headless Chromium from ``file://``; times in seconds.

    ``wall``: the whole browser process (start, load, scripts, DOM dump);
    ``blank``: the same for an empty page, measured right before (the browser's
    own start-up); ``load``: ``wall - blank``; ``ready``: the page's own clock
    (``performance.now()``) when its script marked it ready (``data-ms``), when
    the page records it. ``dom`` is the dumped DOM's size in characters.
    """
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "blank.html"
        blank.write_text("<!DOCTYPE html><html><body>x</body></html>", encoding="utf-8")

        def run(url: str, tag: str) -> tuple[float, str]:
            started = time.perf_counter()
            proc = subprocess.run(
                [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/{tag}", "--dump-dom", url],
                capture_output=True,
                text=True,
                timeout=600,
            )
            return time.perf_counter() - started, proc.stdout

        t_blank, _ = run(blank.as_uri(), "blank")
        t_page, dom = run(page.resolve().as_uri() + fragment, "page")
    ready = re.search(r'data-ms="([0-9.]+)"', dom)
    return {
        "wall": t_page,
        "blank": t_blank,
        "load": max(0.0, t_page - t_blank),
        "ready": float(ready.group(1)) / 1000 if ready else float("nan"),
        "dom": float(len(dom)),
    }
