"""The HTML report: content, escaping, details, rebuilding from the run folder alone."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.html import excerpts, highlight, locate, render_html
from harness.report.load import RunLoadError, load_run
from harness.report.plots import bar_chart, forest_plot, heatmap
from harness.types import Sample
from tests.conftest import DOC_ID, GOLD
from tests.report.conftest import MakeRun, right_outputs

EVIL = '</script><script>alert(1)</script></table><table><tr><td>x<img src=x onerror="alert(2)">'


class Tags(HTMLParser):
    """Counts start tags and collects text, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tags:
    p = Tags()
    p.feed(page)
    p.close()
    return p


def test_every_run_writes_a_self_contained_report(regressed_run: Path) -> None:
    page = (regressed_run / "report.html").read_text(encoding="utf-8")
    tags = parse(page)
    assert tags.tags["script"] == 1  # ours, inline
    assert tags.tags["link"] == 0 and tags.tags["img"] == 0 and tags.tags["iframe"] == 0
    assert not any(
        name in ("src", "href") and value and value.startswith(("http:", "https:", "//"))
        for name, value in tags.attrs
    )
    assert "@import" not in page and "url(" not in page
    # overview, chart with CI whiskers, per-category heatmap, drill-down, metadata
    assert 'id="overview-qa"' in page and 'class="bar"' in page and 'class="whisker"' in page
    assert "answer_equivalence.score per category" in page and 'class="cell"' in page
    assert tags.tags["details"] >= 72
    assert page.count('<details class="sample"') == 72
    assert page.count('class="run" data-runner="model"') == 72
    assert page.count('data-result="wrong"') == 25
    manifest = json.loads((regressed_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runners"]["model"]["fingerprint"] in page
    for h in manifest["runners"]["model"]["prompt_templates"].values():
        assert h in page
    assert manifest["versions"]["numpy"] in page


def test_evidence_is_highlighted_in_the_article(good_run: Path, qa_samples: list[Sample]) -> None:
    page = (good_run / "report.html").read_text(encoding="utf-8")
    sample = next(s for s in qa_samples if s.id.endswith("/speaker-name"))
    block = page.split(f'data-id="{sample.id}"', 1)[1].split('<details class="sample"', 1)[0]
    assert f'<mark class="ev" title="evidence">{sample.evidence[0].text}</mark>' in block
    assert "article with the evidence highlighted" in block
    assert "Keo Chhea" in block  # the prediction


def test_model_text_is_escaped_not_injected(
    make_run: MakeRun, qa_samples: list[Sample], good_run: Path
) -> None:
    outputs = right_outputs(qa_samples)
    first = qa_samples[0].id
    outputs[first] = EVIL
    evil_run = make_run("evil", {"model": outputs})
    page = (evil_run / "report.html").read_text(encoding="utf-8")
    base = parse((good_run / "report.html").read_text(encoding="utf-8"))
    got = parse(page)
    # The same elements as a run without the evil answer: nothing was injected.
    for tag in ("script", "table", "img", "tr", "td"):
        assert got.tags[tag] == base.tags[tag], tag
    # ... and the answer is there, as text, in the prediction and in the raw output.
    assert sum(EVIL in t for t in got.text) >= 1
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/table&gt;" in page
    assert "</script><script>alert(1)" not in page


def test_hostile_runner_name_and_prediction_via_score(tmp_path: Path) -> None:
    preds = tmp_path / "preds.jsonl"
    name = '"><script>alert(3)</script>'
    preds.write_text(
        json.dumps({"sample_id": f"{DOC_ID}/speaker-name", "text": EVIL, "runner": name}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"
    assert main(["score", "--gold", str(GOLD), "--predictions", str(preds), "-o", str(out)]) == 0
    (run,) = out.iterdir()
    got = parse((run / "report.html").read_text(encoding="utf-8"))
    assert got.tags["script"] == 1 and got.tags["img"] == 0
    assert any(name in (v or "") for _, v in got.attrs)  # as an attribute value, intact


def test_key_facts_and_unsupported_spans_render_when_present(
    make_run: MakeRun, qa_samples: list[Sample]
) -> None:
    run = make_run("details", {"model": right_outputs(qa_samples)})
    lines = (run / "scores.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    pred = json.loads((run / "generations.jsonl").read_text(encoding="utf-8").splitlines()[0])
    text = pred["text"]  # "Keo Chhea"
    first["details"]["key_facts"] = {  # the key_facts metric's format
        "found": [
            {
                "id": "speaker",
                "label": "Redner Keo Chhea",
                "weight": 3,
                "span": [4, 9],
                "text": text[4:9],
            }
        ],
        "contradicted": [
            {
                "id": "session-dates",
                "label": "Datum 24.–25. November",
                "weight": 2,
                "span": [99, 119],  # not in this short text: listed, not marked
                "text": "17. und 18. November",
                "reason": "value",
            }
        ],
        "missed": [{"id": "speaker-role", "label": "Rolle: Ständiger Vertreter", "weight": 2}],
    }
    first["details"]["hallucination"] = {
        "unsupported": [
            {"text": text[:3], "start": 0, "end": 3, "kind": "name"},
            {"text": "<b>nirgends</b>", "start": 99, "end": 120, "kind": "number"},
        ]
    }
    lines[0] = json.dumps(first, ensure_ascii=False)
    (run / "scores.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = render_html(load_run(run))
    block = page.split(f'data-id="{first["sample_id"]}"', 1)[1].split('<details class="sample"')[0]
    assert '<mark class="unsupported" title="unsupported: name">Keo</mark>' in block
    assert '<mark class="fact" title="key fact: Redner Keo Chhea">Chhea</mark>' in block
    assert "key facts found (1)" in block and "Redner Keo Chhea" in block
    assert "matched: “Chhea”" in block
    assert "key facts missed (1)" in block and "Rolle: Ständiger Vertreter" in block
    assert "key facts contradicted (1)" in block and "Datum 24.–25. November" in block
    assert "states instead: “17. und 18. November”" in block
    assert "unsupported by the article (2)" in block
    assert "&lt;b&gt;nirgends&lt;/b&gt;" in block  # listed even where its offsets are wrong
    # Samples without such details show no such sections.
    other = page.split(f'data-id="{qa_samples[5].id}"', 1)[1].split('<details class="sample"')[0]
    assert "key facts" not in other and "unsupported" not in other


def test_errors_are_shown_and_counted(make_run: MakeRun, qa_samples: list[Sample]) -> None:
    sid = qa_samples[3].id
    run = make_run(
        "errors", {"model": right_outputs(qa_samples)}, errors={"model": {sid: "CUDA <OOM>"}}
    )
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "error: CUDA &lt;OOM&gt;" in page
    assert "model: 1 failed samples" in page


def test_report_command_rebuilds_both_reports_without_the_gold(
    tmp_path: Path, qa_samples: list[Sample], capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.config import RunConfig
    from harness.pipeline import run as run_pipeline

    gold = tmp_path / "gold"
    shutil.copytree(GOLD / DOC_ID, gold / DOC_ID)
    cfg = RunConfig.model_validate(
        {
            "gold": [str(gold)],
            "tasks": ["qa", "summary"],
            "runners": [{"name": "lead", "type": "lead"}, {"name": "oracle", "type": "oracle"}],
            "bootstrap": {"resamples": 30},
            "cache": {"enabled": False},
        }
    )
    run = run_pipeline(cfg, tmp_path, output_dir=tmp_path / "results", use_cache=False)
    md, page = (run / "report.md").read_text(), (run / "report.html").read_text()
    shutil.rmtree(gold)  # the run folder alone must be enough
    (run / "report.md").unlink()
    (run / "report.html").unlink()
    assert main(["report", str(run)]) == 0
    assert str(run / "report.html") in capsys.readouterr().out
    assert (run / "report.md").read_text() == md
    assert (run / "report.html").read_text() == page
    assert "Kambodscha hat diese Woche" in page  # the article, from documents.json


def test_old_runs_without_samples_fall_back_to_the_gold(
    make_run: MakeRun, qa_samples: list[Sample]
) -> None:
    run = make_run("old", {"model": right_outputs(qa_samples)})
    (run / "samples.jsonl").unlink()
    (run / "documents.json").unlink()
    data = load_run(run)
    assert len(data.samples) == 72 and DOC_ID in data.documents
    assert any("samples.jsonl missing" in w for w in data.warnings)
    assert "samples.jsonl missing" in render_html(data)


def test_bad_run_folders_exit_2_naming_the_file(
    make_run: MakeRun, qa_samples: list[Sample], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such run directory" in capsys.readouterr().err
    run = make_run("broken", {"model": right_outputs(qa_samples)})
    with (run / "scores.jsonl").open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err
    n = len((run / "scores.jsonl").read_text().splitlines())
    assert f"scores.jsonl:{n}: invalid JSON" in err
    (run / "summary.json").unlink()
    with pytest.raises(RunLoadError, match="summary.json: missing"):
        load_run(run)


def test_highlight_merges_and_clips_spans() -> None:
    assert highlight("abcdef", [(1, 3, "x", ""), (2, 5, "x", ""), (9, 12, "x", "")]) == (
        'a<mark class="x">bcde</mark>f'
    )
    assert (
        highlight("<a>", [(0, 3, "x", 't"')]) == '<mark class="x" title="t&quot;">&lt;a&gt;</mark>'
    )
    assert locate("abc", 5, 9, "zz") is None


def test_excerpts_show_context_around_evidence() -> None:
    text = "Erster Satz hier. " * 20 + "Keo Chhea sprach. " + "Letzter Satz dort. " * 20
    start = text.index("Keo Chhea")
    (piece,) = excerpts(text, [(start, start + 9)], context=30)
    assert piece.startswith("… ") and piece.endswith(" …")
    assert '<mark class="ev" title="evidence">Keo Chhea</mark>' in piece
    assert len(piece) < 200


def test_plots_are_valid_svg_with_escaped_text() -> None:
    import xml.etree.ElementTree as ET

    bars = bar_chart(
        ["qa_de.f1", "m<x>"],
        ["a&b", "c"],
        {("qa_de.f1", "a&b"): (50.0, 40.0, 60.0), ("m<x>", "c"): (10.0, 10.0, 10.0)},
    )
    root = ET.fromstring(bars)
    assert root.tag.endswith("svg")
    assert bars.count('class="bar"') == 2 and bars.count('class="whisker"') == 1  # no zero-width CI
    hm = heatmap(["r1", "r2"], ["a", "b"], {("r1", "a"): 10.0, ("r1", "b"): 90.0})
    ET.fromstring(hm)
    assert hm.count('stroke="#111"') == 1  # the best of row r1; r2 has no values
    fp = forest_plot(["x", "y"], [(1.0, 0.5, 1.5), (-1.0, -2.0, 0.1)], marks=["better", "same"])
    ET.fromstring(fp)
    assert fp.count('class="point"') == 2 and "#1a7f37" in fp
