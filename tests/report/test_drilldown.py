"""The report of a large run: the overview in report.html, the samples in report-data/.

The size thresholds are lowered so that the 75 gold samples make a "large" run
with several data files of each kind; the browser tests load the page from
``file://`` in headless Chromium, as a user opens it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import harness.report.drilldown as drilldown
from harness.cli import main
from harness.gold.load import build_samples, load_gold
from harness.report.load import DEFAULT_RIGHT, load_run, verdict
from harness.types import Sample
from tests.conftest import GOLD
from tests.report.conftest import MakeRun, right_outputs, spoil
from tests.report.test_browser import CHROMIUM, Browser
from tests.report.test_html import EVIL, parse

SMALL = {"INLINE_SAMPLES": 10, "PAGE_SAMPLES": 20, "VIEW_SAMPLES": 10, "INDEX_SAMPLES": 30,
         "TEXT_SAMPLES": 25, "DOCS_PER_FILE": 1}  # fmt: skip


@pytest.fixture(scope="module")
def small_files() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in SMALL.items():
            mp.setattr(drilldown, name, value)
        yield


@pytest.fixture(scope="module")
def large_run(small_files: None, make_run: MakeRun, qa_samples: list[Sample]) -> Path:
    """Two runners on QA and summaries (75 samples), one answer the model cannot escape."""
    answerable = [s.id for s in qa_samples if s.answerable]
    good = right_outputs(qa_samples)
    gemma = spoil(good, answerable[::3], "Das steht nicht im Text.")
    gemma[qa_samples[1].id] = EVIL
    qwen = spoil(good, answerable[1::5])
    for s in build_samples(load_gold(GOLD), ("summary",)):
        gemma[s.id] = s.references[0]
        qwen[s.id] = s.references[-1].split(".")[0] + "."
    return make_run("large", {"gemma": gemma, "qwen": qwen}, tasks=("qa", "summary"))


def _data(run: Path, kind: str) -> list[Any]:
    out = []
    for f in sorted((run / "report-data").glob(f"{kind}-*.js")):
        text = f.read_text(encoding="utf-8")
        m = re.fullmatch(rf'harnessData\("{kind}",(\d+),(.*)\);\n', text, re.S)
        assert m, f"{f.name} is not one data call"
        out.append((int(m.group(1)), json.loads(m.group(2))))
    assert [n for n, _ in out] == list(range(len(out)))
    return [d for _, d in out]


def test_the_page_keeps_the_overview_and_the_samples_go_to_data_files(large_run: Path) -> None:
    page = (large_run / "report.html").read_text(encoding="utf-8")
    tags = parse(page)
    assert tags.tags["script"] == 1  # ours, inline; data files are added by it
    assert '<details class="sample"' not in page
    assert 'id="overview-qa"' in page and 'id="overview-summary"' in page
    assert "Head to head" in page and '<span id="f-count">75 samples</span>' in page
    run = load_run(large_run)
    pages = _data(large_run, "page")
    assert [len(p) for p in pages] == [20, 20, 20, 15]
    records = [r for p in pages for r in p]
    assert [r["id"] for r in records] == list(run.samples)  # every sample, in order
    index = _data(large_run, "index")
    assert [len(i["ids"]) for i in index] == [30, 30, 15]
    verdicts = "".join(code for i in index for code in i["res"])
    assert verdicts.count("w") == sum(
        verdict(s.values, DEFAULT_RIGHT) is False for s in run.scores.values()
    )
    texts = [t for chunk in _data(large_run, "text") for t in chunk]
    assert len(texts) == 75 and "keo chhea" in texts[0]
    (doc,) = [d for chunk in _data(large_run, "docs") for d in chunk]
    assert doc["text"].startswith("Kambodscha")
    first = records[0]
    assert first["runs"][0]["vals"] and first["ev"]  # values and evidence spans


def test_model_text_reaches_the_data_files_escaped(
    large_run: Path, qa_samples: list[Sample]
) -> None:
    record = next(
        r for p in _data(large_run, "page") for r in p if r["id"] == qa_samples[1].id
    )
    gemma = record["runs"][0]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in gemma["pred"]  # HTML, escaped
    assert "<script>" not in gemma["pred"] and "<img" not in gemma["pred"]
    for f in (large_run / "report-data").glob("page-*.js"):
        body = f.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in body.replace('\\"', '"').split('"raw"')[0]


def test_harness_report_rebuilds_the_page_and_its_data_files(
    large_run: Path, small_files: None
) -> None:
    def files() -> dict[Path, bytes]:
        return {p.relative_to(large_run): p.read_bytes() for p in large_run.rglob("*")
                if p.is_file()}

    before = files()
    shutil.rmtree(large_run / "report-data")
    (large_run / "report.html").unlink()
    (large_run / "report.md").unlink()
    assert main(["report", str(large_run)]) == 0
    assert files() == before  # the same page, the same data files, nothing left over


# -- in the browser ---------------------------------------------------------------------

browser_only = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def _shown(dom: str) -> list[str]:
    return re.findall(r'<details class="sample" data-id="([^"]+)"', dom)


@browser_only
def test_the_drill_down_pages_filters_and_searches_from_the_data_files(
    large_run: Path, tmp_path: Path
) -> None:
    browser = Browser(tmp_path)
    url = (large_run / "report.html").as_uri()
    run = load_run(large_run)
    dom, console = browser.dom(url)
    assert console == []
    assert 'data-ready="1"' in dom and "75 of 75 samples shown" in dom
    assert _shown(dom) == list(run.samples)[:10]  # the first view of ten
    assert "samples 1–10 of 75" in dom

    wrong = sum(
        verdict(s.values, DEFAULT_RIGHT) is False
        for (r, _), s in run.scores.items()
        if r == "gemma"
    )
    dom, console = browser.dom(url + "#runner=gemma&result=wrong")
    assert console == []
    assert f'<span id="f-count">{wrong} of 75 samples shown</span>' in dom
    assert len(_shown(dom)) == min(10, wrong)

    dom, console = browser.dom(url + "#text=keo%20chhea&task=qa")
    want = [
        sid
        for sid, s in run.samples.items()
        if s.task == "qa"
        and "keo chhea"
        in " ".join(
            [sid, s.input, *s.references]
            + [run.generations[(r, sid)].text for r in run.runners if (r, sid) in run.generations]
        ).lower()
    ]
    assert console == [] and f"{len(want)} of 75 samples shown" in dom
    assert _shown(dom) == want[:10]


@browser_only
def test_a_link_opens_any_sample_with_its_evidence(large_run: Path, tmp_path: Path) -> None:
    browser = Browser(tmp_path)
    run = load_run(large_run)
    sid = [s.id for s in run.samples.values() if s.task == "qa" and s.answerable][-1]
    dom, console = browser.dom((large_run / "report.html").as_uri() + f"#open={sid}&focus=1")
    assert console == []
    opened = re.search(rf'<details class="sample" data-id="{re.escape(sid)}"[^>]*\bopen\b', dom)
    assert opened, "the linked sample did not open"
    block = dom[opened.start() :]
    assert 'class="focus"' in dom and '<mark class="ev"' in block
    assert '<details class="article" open' in block and 'class="run" data-runner="qwen"' in block
    shot = tmp_path / "lazy.png"
    assert browser.screenshot((large_run / "report.html").as_uri() + f"#open={sid}", shot) == []
