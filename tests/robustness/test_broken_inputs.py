"""Broken inputs, one table: each is exit 2 naming file, line and field, or accepted on purpose.

Each row breaks one file of a small, valid workspace (a config, a copy of the
gold, a predictions file) and runs one command in process: ``harness run``,
``harness score`` or ``harness gold validate``. Every row checks that no
traceback is printed, and that an earlier run in the same results folder is
left byte for byte as it was; a failing row must create no run folder at all.

What is accepted on purpose: a byte order mark and CRLF line endings in YAML
and JSONL files (editors on Windows write them), a 5 MB comment line, and JSON
strings holding U+2028 or a lone-surrogate escape. What is not: CRLF in
``article.txt``, because evidence offsets count the characters of the file
as it is (converted line endings move every offset after the first line).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import main
from tests.conftest import DOC_ID, GOLD

HUGE = 5_000_000  # characters in one line


@dataclass
class Workspace:
    root: Path
    gold: Path
    config: Path
    preds: Path
    results: Path

    @property
    def doc(self) -> Path:
        return self.gold / DOC_ID

    def file(self, name: str) -> Path:
        """A workspace file by short name: config, preds, or a gold file name."""
        return {"config": self.config, "preds": self.preds}.get(name) or self.doc / name


def config_text(ws: Workspace) -> str:
    return (
        "name: robust\n"  # 1
        f"gold: [{json.dumps(str(ws.gold))}]\n"  # 2
        "runners:\n"  # 3
        "  - name: o\n"  # 4
        "    type: oracle\n"  # 5
        "limit: 3\n"  # 6
        "bootstrap: {resamples: 10}\n"  # 7
        "cache: {enabled: false}\n"  # 8
        f"output_dir: {json.dumps(str(ws.results))}\n"  # 9
    )


PREDS = [
    {"sample_id": f"{DOC_ID}/speaker-name", "text": "Keo Chhea"},
    {"sample_id": f"{DOC_ID}/speaker-title", "text": "Botschafter"},
]


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    gold = tmp_path / "gold"
    shutil.copytree(GOLD / DOC_ID, gold / DOC_ID)
    w = Workspace(tmp_path, gold, tmp_path / "c.yaml", tmp_path / "p.jsonl", tmp_path / "r")
    w.config.write_text(config_text(w), encoding="utf-8")
    w.preds.write_text("".join(json.dumps(p) + "\n" for p in PREDS), encoding="utf-8")
    earlier = w.results / "earlier-run"
    earlier.mkdir(parents=True)
    (earlier / "summary.json").write_text('{"results": {}}\n', encoding="utf-8")
    (earlier / "generations.jsonl").write_text('{"sample_id": "x"}\n', encoding="utf-8")
    return w


# -- ways to break a file ----------------------------------------------------------------


def replace(name: str, old: str, new: str) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        path = ws.file(name)
        text = path.read_bytes().decode("utf-8")
        assert old in text, (name, old)
        path.write_bytes(text.replace(old, new, 1).encode("utf-8"))

    return go


def write(name: str, data: bytes | str) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        ws.file(name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return go


def transform(name: str, f: Callable[[bytes], bytes]) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        path = ws.file(name)
        path.write_bytes(f(path.read_bytes()))

    return go


def line(
    name: str, no: int, change: Callable[[dict[str, object]], object]
) -> Callable[[Workspace], None]:
    """Rewrite JSON line ``no`` of a JSONL file: ``change`` edits the object or returns raw text."""

    def go(ws: Workspace) -> None:
        path = ws.file(name)
        rows = path.read_text(encoding="utf-8").split("\n")
        obj = json.loads(rows[no - 1])
        out = change(obj)
        rows[no - 1] = out if isinstance(out, str) else json.dumps(obj, ensure_ascii=False)
        path.write_text("\n".join(rows), encoding="utf-8")

    return go


def meta(change: Callable[[dict[str, object]], object]) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        path = ws.file("meta.json")
        obj = json.loads(path.read_text(encoding="utf-8"))
        out = change(obj)
        text = out if isinstance(out, str) else json.dumps(obj, indent=2, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")

    return go


def cut_middle_of_line(name: str, no: int) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        path = ws.file(name)
        rows = path.read_bytes().split(b"\n")
        path.write_bytes(b"\n".join(rows[: no - 1] + [rows[no - 1][: len(rows[no - 1]) // 2]]))

    return go


def bad_utf8_on_line(name: str, no: int) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        path = ws.file(name)
        rows = path.read_bytes().split(b"\n")
        rows[no - 1] = rows[no - 1].replace(b"e", b"\xff", 1)
        path.write_bytes(b"\n".join(rows))

    return go


def both(*steps: Callable[[Workspace], None]) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        for step in steps:
            step(ws)

    return go


def _set(**fields: object) -> Callable[[dict[str, object]], None]:
    def change(obj: dict[str, object]) -> None:
        obj.update(fields)

    return change


def _nan_in(field: str) -> Callable[[dict[str, object]], str]:
    def change(obj: dict[str, object]) -> str:
        obj[field] = "@@NAN@@"
        return json.dumps(obj, ensure_ascii=False).replace('"@@NAN@@"', "NaN")

    return change


def _nan_matcher(obj: dict[str, object]) -> str:
    obj["matcher"] = {"type": "number", "value": "@@NAN@@", "near": []}
    return json.dumps(obj, ensure_ascii=False).replace('"@@NAN@@"', "NaN")


def _number_fact_line() -> int:
    text = (GOLD / DOC_ID / "facts.jsonl").read_text(encoding="utf-8")
    return next(i for i, x in enumerate(text.splitlines(), 1) if '"type": "number"' in x)


def _as_crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def link_out(name: str) -> Callable[[Workspace], None]:
    """``name`` becomes a symlink to a file outside the gold (as to /proc/self/environ)."""

    def go(ws: Workspace) -> None:
        outside = ws.root / "environ"
        outside.write_bytes(b"OPENAI_API_KEY=sk-outside-0123456789\0")
        ws.file(name).unlink()
        ws.file(name).symlink_to(outside)

    return go


def link_in(name: str) -> Callable[[Workspace], None]:
    """``name`` becomes a symlink to a copy of itself inside the document folder."""

    def go(ws: Workspace) -> None:
        copy = ws.doc / f".{name}.orig"
        ws.file(name).rename(copy)
        ws.file(name).symlink_to(copy.name)

    return go


def as_fifo(name: str) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        ws.file(name).unlink()
        os.mkfifo(ws.file(name))

    return go


def as_folder(name: str) -> Callable[[Workspace], None]:
    def go(ws: Workspace) -> None:
        ws.file(name).unlink()
        ws.file(name).mkdir()

    return go


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


LAUGHS = (
    "    options:\n      function: harness.runners.python_callable:echo_question\n"
    "      arguments:\n        a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"        {c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


FIRST_QA = json.loads((GOLD / DOC_ID / "qa.jsonl").read_text(encoding="utf-8").split("\n")[0])


@dataclass(frozen=True)
class Case:
    id: str
    command: str  # run | score | validate
    broken: str  # the file broken: config, preds, or a gold file name
    breaks: Callable[[Workspace], None]
    code: int
    expect: tuple[str, ...] = ()  # "{file}" is the broken file's path


C, P = "config", "preds"
CASES = [
    # -- the config (YAML) -------------------------------------------------------------
    Case("config-truncated", "run", C, write(C, "name: robust\nrunners: [{name: o, type: ora"),
         2, ("{file}:", "invalid YAML")),
    Case("config-empty", "run", C, write(C, ""), 2, ("{file}: the config file is empty",)),
    Case("config-wrong-type", "run", C, replace(C, "limit: 3", "limit: three"), 2,
         ("{file}:6: limit: Input should be a valid integer",)),
    Case("config-unknown-key", "run", C, transform(C, lambda b: b + b"colour: red\n"), 2,
         ("{file}:10: colour: unknown key 'colour'",)),
    Case("config-unknown-runner-key", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n    flavour: 1\n"), 2,
         ("{file}:6: runners.0.flavour: unknown key 'flavour'",)),
    Case("config-duplicate-key", "run", C, transform(C, lambda b: b + b"name: other\n"), 2,
         ("{file}:10: invalid YAML: duplicate key 'name' (first given on line 1)",)),
    Case("config-invalid-utf8", "run", C,
         transform(C, lambda b: b.replace(b"oracle", b"or\xffcle")), 2,
         ("{file}:5: not valid UTF-8",)),
    Case("config-bom-accepted", "run", C, transform(C, lambda b: b"\xef\xbb\xbf" + b), 0),
    Case("config-crlf-accepted", "run", C, transform(C, _as_crlf), 0),
    Case("config-huge-comment-accepted", "run", C,
         transform(C, lambda b: b + b"# " + b"x" * HUGE + b"\n"), 0),
    Case("config-huge-line", "run", C, replace(C, "name: robust", "name: " + "x" * HUGE), 2,
         ("{file}:1: name: String should match pattern",)),
    Case("config-a-list", "run", C, write(C, "- name: robust\n- runners: []\n"), 2,
         ("{file}: a config is a mapping of keys to values, got list",)),
    Case("config-python-tag", "run", C,
         replace(C, "runners:\n  - name: o\n    type: oracle\n",
                 'runners: !!python/object/apply:os.system ["touch pwned"]\n'),
         2, ("{file}:3: invalid YAML: could not determine a constructor",)),
    Case("config-tab-indent", "run", C, replace(C, "  - name: o", "\t- name: o"), 2,
         ("{file}:4: invalid YAML",)),
    Case("config-nan", "run", C, replace(C, "{resamples: 10}", "{resamples: 10, confidence: .nan}"),
         2, ("{file}:7: bootstrap.confidence",)),
    Case("config-name-escapes", "run", C, replace(C, "name: robust", "name: ../../etc"), 2,
         ("{file}:1: name: String should match pattern",)),
    Case("config-trust-remote-code-string", "run", C,
         replace(C, "    type: oracle\n",
                 "    type: oracle\n    options: {trust_remote_code: 'yes'}\n"),
         2, ("{file}:6: runners.0.options", "trust_remote_code must be true or false")),
    Case("config-unknown-runner-option", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n    options:\n      colour: 1\n"), 2,
         ("{file}:7: runners.0.options.colour: runner type 'oracle' takes no option 'colour'",)),
    Case("config-gold-missing", "run", C, replace(C, "gold: [", 'gold: ["/nonexistent/gold"] #'),
         2, ("/nonexistent/gold: no such gold folder",)),
    # -- meta.json -----------------------------------------------------------------------
    Case("meta-truncated", "run", "meta.json",
         transform("meta.json", lambda b: b[: len(b) // 2]), 2, ("{file}:", "invalid JSON")),
    Case("meta-empty", "run", "meta.json", write("meta.json", ""), 2, ("{file}:1: (file): empty",)),
    Case("meta-array", "run", "meta.json", write("meta.json", "[1, 2]\n"), 2,
         ("{file}:1: (record): expected a JSON object, got list",)),
    Case("meta-unknown-key", "run", "meta.json", meta(_set(colour="red")), 2,
         ("{file}:12: colour: Extra inputs are not permitted",)),
    Case("meta-wrong-type", "run", "meta.json", meta(_set(title=5)), 2,
         ("{file}:3: title: Input should be a valid string",)),
    Case("meta-missing-field", "run", "meta.json",
         meta(lambda o: o["source"].pop("author") and None), 2,  # type: ignore[attr-defined]
         ("{file}:5: source.author: Field required",)),
    Case("meta-nan", "run", "meta.json", meta(_nan_in("title")), 2,
         ("{file}: invalid JSON: NaN is not a JSON number",)),
    Case("meta-bom-accepted", "run", "meta.json",
         transform("meta.json", lambda b: b"\xef\xbb\xbf" + b), 0),
    Case("meta-bom-flagged-by-validate", "validate", "meta.json",
         transform("meta.json", lambda b: b"\xef\xbb\xbf" + b), 2,
         ("{file}:1: (file): starts with a byte order mark",)),
    # -- article.txt ---------------------------------------------------------------------
    Case("article-empty", "run", "article.txt", write("article.txt", ""), 2,
         ("{file}: the article is empty",)),
    Case("article-invalid-utf8", "run", "article.txt", bad_utf8_on_line("article.txt", 3), 2,
         ("{file}:3: not valid UTF-8",)),
    Case("article-crlf-moves-offsets", "run", "qa.jsonl", transform("article.txt", _as_crlf), 2,
         ("{file}:", "evidence.0: article[", "CRLF line endings")),
    # -- qa.jsonl ------------------------------------------------------------------------
    Case("qa-truncated", "run", "qa.jsonl", cut_middle_of_line("qa.jsonl", 5), 2,
         ("{file}:5: invalid JSON",)),
    Case("qa-wrong-type", "run", "qa.jsonl", line("qa.jsonl", 2, _set(answers="Botschafter")), 2,
         ("{file}:2: answers: Input should be a valid list",)),
    Case("qa-unknown-key", "run", "qa.jsonl", line("qa.jsonl", 3, _set(colour="red")), 2,
         ("{file}:3: colour: Extra inputs are not permitted",)),
    Case("qa-duplicate-id", "run", "qa.jsonl", line("qa.jsonl", 4, _set(id=FIRST_QA["id"])), 2,
         ("{file}:4: id: duplicate id 'speaker-name' (first on line 1)",)),
    Case("qa-invalid-utf8", "run", "qa.jsonl", bad_utf8_on_line("qa.jsonl", 6), 2,
         ("{file}:6: not valid UTF-8",)),
    Case("qa-bom-accepted", "run", "qa.jsonl", transform("qa.jsonl", lambda b: b"\xef\xbb\xbf" + b),
         0),
    Case("qa-crlf-accepted", "run", "qa.jsonl", transform("qa.jsonl", _as_crlf), 0),
    Case("qa-crlf-valid", "validate", "qa.jsonl", transform("qa.jsonl", _as_crlf), 0),
    Case("qa-empty", "run", "qa.jsonl", write("qa.jsonl", ""), 2,
         ("{file}: (file): no questions; the file is empty",)),
    Case("qa-empty-validate", "validate", "qa.jsonl", write("qa.jsonl", ""), 2,
         ("{file}: (file): no questions",)),
    Case("qa-missing", "run", "qa.jsonl", lambda ws: ws.file("qa.jsonl").unlink(), 2,
         ("{file}: missing",)),
    Case("qa-huge-line", "run", "qa.jsonl",
         transform("qa.jsonl", lambda b: b + b'{"id": "huge", "question": "' + b"x" * HUGE + b"\n"),
         2, ("{file}:73: invalid JSON: Unterminated string",)),
    Case("qa-offset-out-of-range", "run", "qa.jsonl",
         line("qa.jsonl", 2, _set(evidence=[{"start": 10**6, "end": 10**6 + 5, "text": "x"}])),
         2, ("{file}:2: evidence.0: end 1000005 is past the article's end",)),
    Case("qa-offset-out-of-range-validate", "validate", "qa.jsonl",
         line("qa.jsonl", 2, _set(evidence=[{"start": 10**6, "end": 10**6 + 5, "text": "x"}])),
         2, ("{file}:2: evidence.0: end 1000005 is past the article's end",)),
    Case("qa-negative-offset", "run", "qa.jsonl",
         line("qa.jsonl", 2, _set(evidence=[{"start": -5, "end": 3, "text": "Kam"}])), 2,
         ("{file}:2: evidence.0.start: Input should be greater than or equal to 0",)),
    Case("qa-offset-wrong-text", "run", "qa.jsonl",
         line("qa.jsonl", 2, _set(evidence=[{"start": 0, "end": 5, "text": "Keo C"}])), 2,
         ("{file}:2: evidence.0: article[0:5] is 'Kambo', not 'Keo C'",)),
    Case("qa-nan", "run", "qa.jsonl", line("qa.jsonl", 2, _nan_in("answerable")), 2,
         ("{file}:2: invalid JSON: NaN is not a JSON number",)),
    Case("qa-array-not-object", "run", "qa.jsonl", line("qa.jsonl", 2, lambda o: json.dumps([o])),
         2, ("{file}:2: (record): Input should be a valid dictionary",)),
    Case("qa-u2028-in-string-accepted", "run", "qa.jsonl",
         line("qa.jsonl", 2, _set(note="eins\u2028zwei\u0085drei")), 0),
    # -- summaries.jsonl and facts.jsonl -------------------------------------------------
    Case("summaries-bad-length", "run", "summaries.jsonl",
         line("summaries.jsonl", 1, _set(length="epic")), 2,
         ("{file}:1: length: Input should be 'headline', 'abstract' or 'bullets'",)),
    Case("facts-nan-value", "run", "facts.jsonl",
         line("facts.jsonl", _number_fact_line(), _nan_matcher), 2,
         (f"{{file}}:{_number_fact_line()}: invalid JSON: NaN is not a JSON number",)),
    Case("facts-evidence-elsewhere", "run", "facts.jsonl",
         line("facts.jsonl", 1, _set(evidence=[{"start": 0, "end": 10, "text": "Botschafte"}])), 2,
         ("{file}:1: evidence.0: article[0:10] is 'Kambodscha'",)),
    # -- predictions for harness score ---------------------------------------------------
    Case("preds-truncated", "score", P, cut_middle_of_line(P, 2), 2, ("{file}:2: invalid JSON",)),
    Case("preds-wrong-type", "score", P, line(P, 1, _set(text=5)), 2,
         ("{file}:1: text: missing or not a string",)),
    Case("preds-unknown-key", "score", P, line(P, 1, _set(colour="red")), 2,
         ("{file}:1: colour: unknown key",)),
    Case("preds-duplicate-id", "score", P, line(P, 2, _set(sample_id=PREDS[0]["sample_id"])), 2,
         ("{file}:2: sample_id: 'kambodscha-menschenhandel-2025/speaker-name' appears twice",
          "(first on line 1)")),
    Case("preds-invalid-utf8", "score", P, bad_utf8_on_line(P, 2), 2,
         ("{file}:2: not valid UTF-8",)),
    Case("preds-bom-accepted", "score", P, transform(P, lambda b: b"\xef\xbb\xbf" + b), 0),
    Case("preds-crlf-accepted", "score", P, transform(P, _as_crlf), 0),
    Case("preds-empty", "score", P, write(P, ""), 2, ("{file}: no predictions",)),
    Case("preds-only-blank-lines", "score", P, write(P, "\n  \n\r\n"), 2,
         ("{file}: no predictions",)),
    Case("preds-huge-line-unknown-id", "score", P,
         write(P, json.dumps({"sample_id": "nope", "text": "x" * HUGE}) + "\n"), 2,
         ("{file}:1: sample_id: unknown sample ids: nope",)),
    Case("preds-nan", "score", P, line(P, 1, _nan_in("text")), 2,
         ("{file}:1: invalid JSON: NaN is not a JSON number",)),
    Case("preds-array-not-object", "score", P, write(P, json.dumps([PREDS[0]]) + "\n"), 2,
         ("{file}:1: (record): expected a JSON object, got list",)),
    Case("preds-unknown-sample", "score", P, line(P, 2, _set(sample_id="nope")), 2,
         ("{file}:2: sample_id: unknown sample ids: nope",)),
    Case("preds-runner-not-a-string", "score", P, line(P, 1, _set(runner=["a"])), 2,
         ("{file}:1: runner: not a non-empty string",)),
    Case("preds-missing-file", "score", P, lambda ws: ws.preds.unlink(), 2,
         ("{file}: cannot read",)),
    Case("preds-lone-surrogate-accepted", "score", P, write(P, '{"sample_id": "'
         + PREDS[0]["sample_id"] + '", "text": "Keo \\ud800Chhea"}\n'), 0),
    Case("preds-u2028-accepted", "score", P, line(P, 1, _set(text="Keo\u2028Chhea\u0085")), 0),
    # -- issue 12: special gold files, resource bombs, runner options, output folders -----
    Case("article-links-outside", "run", "article.txt", link_out("article.txt"), 2,
         ("{file}: (file): a symbolic link to", "outside the document folder")),
    Case("article-links-outside-validate", "validate", "article.txt", link_out("article.txt"), 2,
         ("{file}: (file): a symbolic link to",)),
    Case("qa-links-outside", "run", "qa.jsonl", link_out("qa.jsonl"), 2,
         ("{file}: (file): a symbolic link to",)),
    Case("meta-links-inside-accepted", "run", "meta.json", link_in("meta.json"), 0),
    Case("qa-fifo", "run", "qa.jsonl", as_fifo("qa.jsonl"), 2,
         ("{file}: (file): is a FIFO, not a regular file",)),
    Case("qa-fifo-validate", "validate", "qa.jsonl", as_fifo("qa.jsonl"), 2,
         ("{file}: (file): is a FIFO, not a regular file",)),
    Case("facts-a-folder", "run", "facts.jsonl", as_folder("facts.jsonl"), 2,
         ("{file}: (file): is a folder, not a regular file",)),
    Case("article-a-folder-validate", "validate", "article.txt", as_folder("article.txt"), 2,
         ("{file}: (file): is a folder",)),
    Case("article-too-long", "run", "article.txt",
         transform("article.txt", lambda b: b + b"\n" + b"Wort " * 250_000), 2,
         ("{file}: (file): 1,", "characters, more than the limit of 1,000,000")),
    Case("qa-nested-too-deeply", "run", "qa.jsonl",
         transform("qa.jsonl", lambda b: b + deep_json().encode() + b"\n"), 2,
         ("{file}:73: invalid JSON: nested too deeply",)),
    Case("meta-nested-too-deeply", "run", "meta.json", write("meta.json", deep_json()), 2,
         ("{file}: invalid JSON: nested too deeply",)),
    Case("preds-nested-too-deeply", "score", P,
         write(P, '{"sample_id": "x", "text": ' + deep_json() + "}\n"), 2,
         ("{file}:1: invalid JSON: nested too deeply",)),
    Case("config-nested-too-deeply", "run", C, transform(C, lambda b: b + b"x: " + b"[" * 100_000),
         2, ("{file}", "invalid YAML")),
    Case("config-billion-laughs", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n  - name: f\n    type: python\n"
                 + LAUGHS), 2,
         ("{file}:", "runners.1.options.arguments.e: expands to more than 100,000 values",)),
    Case("config-command-missing-binary", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n  - name: c\n    type: command\n"
                 "    options: {command: [/nonexistent/binary]}\n"), 2,
         ("{file}:8: runners.1.options: runner 'c': command: '/nonexistent/binary' is not an "
          "executable file",)),
    Case("config-openai-ftp-url", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n  - name: s\n    type: openai\n"
                 "    options: {base_url: 'ftp://host/v1', model: m}\n"), 2,
         ("{file}:8: runners.1.options: ", "base_url must be an http:// or https:// URL")),
    Case("config-python-unknown-module", "run", C,
         replace(C, "    type: oracle\n", "    type: oracle\n  - name: p\n    type: python\n"
                 "    options: {function: 'no_such_module:fn'}\n"), 2,
         ("{file}:8: runners.1.options: ", "cannot import module 'no_such_module'")),
    Case("config-output-dir-is-a-file", "run", C,
         both(write("preds", "a file\n"),
              lambda ws: ws.config.write_text(config_text(ws).replace(
                  json.dumps(str(ws.results)), json.dumps(str(ws.preds))), "utf-8")),
         2, ("not a folder; cannot make a results folder in it",)),
]  # fmt: skip


def _run(ws: Workspace, command: str) -> int:
    if command == "run":
        return main(["run", str(ws.config), "-q"])
    if command == "score":
        argv = ["score", "--gold", str(ws.gold), "--predictions", str(ws.preds)]
        return main([*argv, "-o", str(ws.results)])
    return main(["gold", "validate", str(ws.gold)])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    assert sum(c.code == 2 for c in CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_input(
    case: Case, ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws.root)  # a config tag that ran "touch pwned" would leave the file here
    earlier = _snapshot(ws.results)
    case.breaks(ws)
    code = _run(ws, case.command)
    out, err = capsys.readouterr()
    text = out + err
    assert code == case.code, text[-3000:]
    assert "Traceback" not in text
    for want in case.expect:
        assert want.format(file=ws.file(case.broken)) in text, text[-3000:]
    if case.code == 2:
        assert "harness: error:" in err or case.command == "validate"
    # Nothing already written is damaged, and a failure leaves no run folder behind.
    after = _snapshot(ws.results)
    assert {k: v for k, v in after.items() if k.startswith("earlier-run")} == earlier
    runs = sorted(p.name for p in ws.results.iterdir())
    if case.code == 0 and case.command != "validate":
        (new,) = (r for r in runs if r != "earlier-run")
        assert (ws.results / new / "summary.json").is_file()
    else:
        assert runs == ["earlier-run"]
    assert not (ws.root / "pwned").exists()
