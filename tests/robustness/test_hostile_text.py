"""Hostile text in names and outputs (issue 12, classes 11 and 12).

Predictions scored with ``harness score`` carry a runner name and answers full of
control characters (ANSI escapes, an OSC window title, NUL, carriage return, DEL, a C1
CSI, direction overrides and isolates) and of Markdown meant to act in a pull-request
comment (remote images, links, reference definitions, ``@mentions``, ``#123``). Every
report, comparison, gate summary (also ``$GITHUB_STEP_SUMMARY``), JUnit file and
leaderboard, and everything printed, shows them as text: each control character as
U+FFFD, each image, link, mention or reference neutralised.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.metaeval.render import _cell as metaeval_cell
from harness.report.markdown import cell
from harness.report.plots import bar_chart
from tests.conftest import DOC_ID, GOLD

CONTROLS = {
    "ansi-clear": "\x1b[2J",
    "osc-title": "\x1b]0;pwned\x07",
    "nul": "\x00",
    "carriage-return": "\r",
    "del": "\x7f",
    "c1-csi": "\x9b31m",
    "rlo": "\u202e",
    "lri": "\u2066",
    "line-separator": "\u2028",
}
MARKDOWN = {
    "image": "![x](http://e.vil/p.png)",
    "link": "[click](http://e.vil/)",
    "reference": "\n[1]: http://e.vil/p.png\n",
    "mention": "@alice",
    "team-mention": "@org/team",
    "issue-ref": "#123",
    "cross-ref": "org/repo#45",
}
NAME = "ev\x1b[31mil@alice#123"  # a runner name from the predictions file
# Unescaped image, link and reference syntax; mentions and references without a break.
FORBIDDEN_MD = re.compile(r"(?<!\\)!\[|(?<!\\)\]\(http|(?<!\\)\]: http|@alice|@org|#123|#45")


@pytest.fixture()
def outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    qa_ids = [json.loads(x)["id"] for x in (GOLD / DOC_ID / "qa.jsonl").read_text("utf-8")
              .splitlines()[:6]]  # fmt: skip
    payloads = list(CONTROLS.values()) + list(MARKDOWN.values())
    texts = [f"Keo Chhea {p} Botschafter {p}" for p in payloads]
    out: dict[str, str] = {}
    for tag, runner in (("a", NAME), ("b", NAME)):
        rows = [
            {"sample_id": f"{DOC_ID}/{qa_ids[i % len(qa_ids)]}", "text": t, "runner": runner}
            for i, t in enumerate(texts[: len(qa_ids)] if tag == "a" else texts[len(qa_ids) :])
        ]
        seen: dict[str, dict[str, str]] = {}
        for r in rows:
            seen[r["sample_id"]] = r  # one line per sample
        path = tmp_path / f"{tag}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in seen.values()), encoding="utf-8")
        argv = ["score", "--gold", str(GOLD), "--predictions", str(path)]
        assert main([*argv, "-o", str(tmp_path / tag)]) == 0
    run_a, run_b = (next((tmp_path / t).iterdir()) for t in ("a", "b"))
    scored = capsys.readouterr()  # the score commands' own table is not Markdown
    out["score-stdout"], out["score-stderr"] = scored.out, scored.err
    gates = tmp_path / "gates.yaml"
    gates.write_text("thresholds: ['qa_de.f1 >= 101']\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    commands = [
        ["compare", str(run_a), str(run_b), "-o", str(tmp_path / "cmp.md"),
         "--html", str(tmp_path / "cmp.html")],
        ["gate", str(run_a), "--config", str(gates), "--junit", str(tmp_path / "junit.xml"),
         "--junit-samples"],
        ["leaderboard", str(tmp_path / "a"), "--html", str(tmp_path / "lb.html")],
    ]  # fmt: skip
    for argv in commands:
        main(argv)
    printed = capsys.readouterr()  # compare, gate and leaderboard print Markdown
    out["stdout"], out["stderr"] = printed.out, printed.err
    for p in [*run_a.iterdir(), *run_b.iterdir(), *tmp_path.glob("*.*")]:
        if p.suffix in (".md", ".html", ".xml") and p.is_file():
            out[str(p)] = p.read_text(encoding="utf-8")
    assert any(k.endswith("report.md") for k in out) and any(k.endswith("junit.xml") for k in out)
    return out


@pytest.mark.parametrize("name", list(CONTROLS))
def test_control_characters_reach_no_output(name: str, outputs: dict[str, str]) -> None:
    char = CONTROLS[name][0]
    for where, text in outputs.items():
        assert char not in text, f"{name} reached {where}"
    assert any("\ufffd" in text for text in outputs.values())


@pytest.mark.parametrize("name", list(MARKDOWN))
def test_markdown_cannot_act_in_a_pull_request_comment(
    name: str, outputs: dict[str, str]
) -> None:
    for where, text in outputs.items():
        if where.endswith(".md") or where == "stdout":
            bad = FORBIDDEN_MD.search(text)
            assert bad is None, f"{bad.group()!r} ({name}) in {where}"
        if where.endswith(".html"):
            assert 'src="http' not in text and "src='http" not in text


@pytest.mark.parametrize("payload", [*CONTROLS.values(), *MARKDOWN.values()])
def test_every_cell_and_label_function(payload: str) -> None:
    for shown in (cell(payload), metaeval_cell(payload)):
        assert not any(c in shown for c in "\x1b\x00\r\x7f\x9b\u202e\u2066\u2028")
        assert FORBIDDEN_MD.search(shown) is None, shown
    values = {(payload, "r" + payload): (1.0, 0.5, 1.0)}
    svg = bar_chart([payload], ["r" + payload], values, title=payload)
    assert not any(c in svg for c in "\x1b\x00\r\x7f\x9b\u202e\u2066\u2028")


def test_a_model_error_cannot_overwrite_the_max_errors_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = f"{DOC_ID}/speaker-name"
    error = "boom\r\x1b[2K\x1b]0;owned\x07harness: all good, exit 0"
    cfg = {
        "name": "errs", "gold": [str(GOLD)], "tasks": ["qa"], "limit": 2,
        "runners": [{"name": "s", "type": "scripted",
                     "options": {"outputs": {}, "errors": {sid: error}}}],
        "cache": {"enabled": False}, "output_dir": str(tmp_path / "results"),
    }  # fmt: skip
    (tmp_path / "c.yaml").write_text(json.dumps(cfg), encoding="utf-8")
    assert main(["run", str(tmp_path / "c.yaml"), "-q", "--max-errors", "0"]) == 1
    out, err = capsys.readouterr()
    assert "stopped: 1 samples failed, more than max_errors=0" in err
    for char in "\r\x1b\x07":
        assert char not in out + err
