"""The HTML pages in a real headless Chromium (Debian's ``chromium``): render, script, no errors.

Each check starts the browser on a ``file://`` URL with networking features
off: ``--dump-dom`` gives the DOM after the inline script ran, ``--screenshot``
a PNG, and ``--enable-logging=stderr`` every console message (our pages log
nothing, so any console line is an error). Screenshots are kept under the
test's temp folder and copied to ``/tmp/harness-screens/``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.load import DEFAULT_RIGHT, load_run, verdict
from harness.types import Sample
from tests.report.conftest import MakeRun, right_outputs, spoil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
SCREENS = Path("/tmp/harness-screens")
FLAGS = (
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
    "--enable-logging=stderr",
    "--v=0",
)


class Browser:
    """One fresh profile per call, so runs never share state."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.calls = 0

    def _run(self, url: str, *extra: str) -> tuple[str, list[str]]:
        self.calls += 1
        profile = self.tmp / f"profile-{self.calls}"
        proc = subprocess.run(
            [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=120,
        )
        console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
        return proc.stdout, console

    def dom(self, url: str) -> tuple[str, list[str]]:
        return self._run(url, "--dump-dom")

    def screenshot(self, url: str, path: Path, size: str = "1400,2000") -> list[str]:
        _, console = self._run(url, f"--screenshot={path}", f"--window-size={size}")
        assert path.is_file(), f"no screenshot of {url}"
        return console


def distinct_bytes(png: Path) -> int:
    """How many distinct byte values the image data holds (a blank page has very few)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


@pytest.fixture()
def browser(tmp_path: Path) -> Browser:
    return Browser(tmp_path)


@pytest.fixture(scope="module")
def two_models(make_run: MakeRun, qa_samples: list[Sample]) -> Path:
    """Two models that each win somewhere, on QA and summaries."""
    from harness.gold.load import build_samples, load_gold
    from tests.conftest import GOLD

    answerable = [s.id for s in qa_samples if s.answerable]
    good = right_outputs(qa_samples)
    gemma = spoil(good, answerable[::3], "Das steht nicht im Text.")
    qwen = spoil(good, answerable[1::5] + [s.id for s in qa_samples if not s.answerable][:4])
    for s in build_samples(load_gold(GOLD), ("summary",)):
        gemma[s.id] = s.references[0]
        qwen[s.id] = s.references[-1].split(".")[0] + "."
    return make_run("two-models", {"gemma": gemma, "qwen": qwen}, tasks=("qa", "summary"))


def test_console_errors_are_detected(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>notDefined();</script></body></html>", encoding="utf-8")
    _, console = browser.dom(page.as_uri())
    assert any("Uncaught ReferenceError" in line for line in console), console


def test_report_overview_and_drill_down(browser: Browser, tmp_path: Path, two_models: Path) -> None:
    url = (two_models / "report.html").as_uri()
    run = load_run(two_models)
    n = len(run.samples)
    dom, console = browser.dom(url)
    assert console == []
    assert 'data-ready="1"' in dom
    assert f'<span id="f-count">{n} of {n} samples shown</span>' in dom
    assert 'id="overview-qa"' in dom and 'id="overview-summary"' in dom
    shot = tmp_path / "overview.png"
    assert browser.screenshot(url, shot) == []
    assert distinct_bytes(shot) > 50

    # Filters from the URL: gemma's wrong answers only.
    wrong = sum(
        verdict(s.values, DEFAULT_RIGHT) is False
        for (r, _), s in run.scores.items()
        if r == "gemma"
    )
    dom, console = browser.dom(url + "#runner=gemma&result=wrong")
    assert console == []
    assert f'<span id="f-count">{wrong} of {n} samples shown</span>' in dom
    visible = re.findall(r'<details class="sample" data-id="([^"]+)"(?![^>]*hidden)', dom)
    assert len(visible) == wrong

    # Drill-down: one sample opened, alone, its article open with the evidence marked.
    sid = next(s.id for s in run.samples.values() if s.answerable and s.task == "qa")
    deep = url + f"#open={sid}&focus=1"
    dom, console = browser.dom(deep)
    assert console == []
    opened = re.search(rf'<details class="sample" data-id="{re.escape(sid)}"[^>]*\bopen\b', dom)
    assert opened, "the linked sample did not open"
    assert 'class="focus"' in dom and '<mark class="ev"' in dom
    shot2 = tmp_path / "drill-down.png"
    assert browser.screenshot(deep, shot2, "1400,1500") == []
    assert distinct_bytes(shot2) > 50
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / "report-overview.png")
    shutil.copy(shot2, SCREENS / "report-drill-down.png")


def test_leaderboard_sorts_and_compare_renders(
    browser: Browser, tmp_path: Path, two_models: Path, good_run: Path
) -> None:
    results = tmp_path / "results"
    for run in (two_models, good_run):
        shutil.copytree(run, results / run.name)
    page = tmp_path / "lb.html"
    assert main(["leaderboard", str(results), "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")

    def runners(text: str) -> list[str]:
        return re.findall(r"<td><b>([^<]+)</b></td>", text)

    assert runners(html)[0] == "model"  # ranked by qa_de.f1: the perfect one first
    # Click the "runner" header (ascending), as a user would.
    click = "<script>document.querySelectorAll('th')[3].click();</script></body>"
    page.write_text(html.replace("</body>", click), encoding="utf-8")
    dom, console = browser.dom(page.as_uri())
    assert console == []
    assert runners(dom) == sorted(runners(html))
    assert browser.screenshot(page.as_uri(), tmp_path / "leaderboard.png", "1400,600") == []

    cmp = tmp_path / "compare.html"
    args = ["compare", str(two_models), str(two_models), "--runner-a", "gemma"]
    assert main([*args, "--runner-b", "qwen", "--html", str(cmp), "--resamples", "300"]) == 0
    shot = tmp_path / "compare.png"
    assert browser.screenshot(cmp.as_uri(), shot, "1400,1400") == []
    assert distinct_bytes(shot) > 50
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / "compare.png")
    shutil.copy(tmp_path / "leaderboard.png", SCREENS / "leaderboard.png")
