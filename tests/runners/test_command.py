"""The ``command`` runner: JSON lines in and out of a real child process, every failure per sample.

The commands are small Python scripts written into ``tmp_path`` and run with
this interpreter; nothing here waits on real time except the timeout test,
whose child is killed after half a second.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.prompts import build_request
from harness.runners.base import create_runner
from harness.runners.command import Command, request_line
from harness.types import Request, Sample
from tests.conftest import GOLD

ARTICLE = "Keo Chhea sprach in New York. Die Sitzung war am 24. November 2025."

ECHO = """
import json, os, sys
log = os.environ.get("CALLS")
lines = [json.loads(x) for x in sys.stdin if x.strip()]
if log:
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(lines) + "\\n")
for r in lines:
    text = r["question"] if r["task"] == "qa" else r["length"]
    print(json.dumps({"sample_id": r["sample_id"], "text": text + "\\nFrage: noch was",
                      "completion_tokens": 3}))
"""


def script(tmp_path: Path, body: str, name: str = "answer.py") -> list[str]:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return [sys.executable, str(path)]


def requests(n: int = 3) -> list[Request]:
    out = []
    for i in range(n):
        s = Sample(
            id=f"doc/q{i}",
            doc_id="doc",
            task="qa",
            language="de",
            input=f"Frage {i}?",
            references=("GEHEIME-ANTWORT",),
        )
        out.append(build_request(s, article=ARTICLE))
    return out


def calls(log: Path) -> list[list[dict[str, object]]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_batch_sends_every_request_to_one_process(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    runner = Command(name="c", command=script(tmp_path, ECHO), env={"CALLS": str(log)})
    gens = runner.generate(requests(3))
    assert [g.text for g in gens] == ["Frage 0?", "Frage 1?", "Frage 2?"]  # cut at the stop "\n"
    assert gens[0].raw == "Frage 0?\nFrage: noch was"
    assert all(g.error is None and g.completion_tokens == 3 for g in gens)
    (batch,) = calls(log)
    assert [r["sample_id"] for r in batch] == ["doc/q0", "doc/q1", "doc/q2"]


def test_one_process_per_request_without_batch(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    runner = Command(name="c", command=script(tmp_path, ECHO), batch=False, env={"CALLS": str(log)})
    assert [g.text for g in runner.generate(requests(3))] == ["Frage 0?", "Frage 1?", "Frage 2?"]
    assert [len(batch) for batch in calls(log)] == [1, 1, 1]


def test_the_input_line_carries_the_prompt_and_settings_but_never_the_gold(
    tmp_path: Path,
) -> None:
    log = tmp_path / "calls.jsonl"
    req = requests(1)[0]
    Command(name="c", command=script(tmp_path, ECHO), env={"CALLS": str(log)}).generate([req])
    ((line,),) = calls(log)
    assert line == request_line(req)
    assert line["prompt"] == req.context + req.prompt
    assert ARTICLE in str(line["context"])
    assert line["question"] == "Frage 0?" and line["length"] is None
    assert line["stop"] == ["\n"] and line["temperature"] == 0.0
    assert set(line) >= {"task", "language", "messages", "max_new_tokens", "seed"}
    assert "GEHEIME-ANTWORT" not in json.dumps(line)


def test_summary_requests_name_their_length(tmp_path: Path) -> None:
    s = Sample(
        id="doc/summary-headline",
        doc_id="doc",
        task="summary",
        language="de",
        input="headline",
        references=("x",),
    )
    line = request_line(build_request(s, article=ARTICLE))
    assert line["question"] is None and line["length"] == "headline"


def test_answers_may_come_in_any_order_and_chatter_is_ignored(tmp_path: Path) -> None:
    body = """
import json, sys
rows = [json.loads(x) for x in sys.stdin]
print("loading model ...")
for r in reversed(rows):
    print(json.dumps({"sample_id": r["sample_id"], "text": r["sample_id"]}))
"""
    gens = Command(name="c", command=script(tmp_path, body)).generate(requests(3))
    assert [(g.sample_id, g.text, g.error) for g in gens] == [
        ("doc/q0", "doc/q0", None),
        ("doc/q1", "doc/q1", None),
        ("doc/q2", "doc/q2", None),
    ]


def test_a_non_zero_exit_fails_every_sample_and_keeps_what_was_printed(tmp_path: Path) -> None:
    body = """
import json, sys
rows = [json.loads(x) for x in sys.stdin]
print(json.dumps({"sample_id": rows[0]["sample_id"], "text": "halb fertig"}))
sys.stderr.write("CUDA out of memory\\n")
sys.exit(3)
"""
    gens = Command(name="c", command=script(tmp_path, body)).generate(requests(2))
    for g in gens:
        assert g.text == ""
        assert g.error is not None
        assert "exited with status 3" in g.error and "CUDA out of memory" in g.error
    assert gens[0].raw == "halb fertig"


def test_garbage_output_names_the_line(tmp_path: Path) -> None:
    body = """
import json, sys
rows = [json.loads(x) for x in sys.stdin]
print("Keo Chhea")
print(json.dumps({"sample_id": rows[1]["sample_id"], "text": "ok"}))
"""
    g0, g1 = Command(name="c", command=script(tmp_path, body)).generate(requests(2))
    assert g0.error is not None
    assert "no output line for this sample_id" in g0.error
    assert "stdout line 1 is not a JSON object: 'Keo Chhea'" in g0.error
    assert g1.error is None and g1.text == "ok"


def test_reported_errors_repeats_and_missing_text_are_per_sample(tmp_path: Path) -> None:
    body = """
import json, sys
rows = [json.loads(x) for x in sys.stdin]
print(json.dumps({"sample_id": rows[0]["sample_id"], "error": "context too long"}))
print(json.dumps({"sample_id": rows[1]["sample_id"], "text": "a"}))
print(json.dumps({"sample_id": rows[1]["sample_id"], "text": "b"}))
print(json.dumps({"sample_id": rows[2]["sample_id"], "text": 42}))
print(json.dumps({"sample_id": rows[3]["sample_id"], "text": "gut"}))
"""
    gens = Command(name="c", command=script(tmp_path, body)).generate(requests(4))
    assert gens[0].error == "command reported: context too long"
    assert gens[1].error is not None and "more than once" in gens[1].error
    assert gens[2].error is not None and "no string 'text'" in gens[2].error
    assert gens[3].error is None and gens[3].text == "gut"


def test_a_timeout_kills_the_process_and_fails_its_samples(tmp_path: Path) -> None:
    body = "import sys, time\nsys.stdin.read()\nsys.stderr.write('thinking\\n')\n"
    body += "sys.stderr.flush()\ntime.sleep(60)\n"
    gens = Command(name="c", command=script(tmp_path, body), timeout=0.25).generate(requests(2))
    for g in gens:
        assert g.error is not None and "timed out after 0.5s" in g.error


def test_bad_options_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="list of arguments"):
        Command(name="c", command="python answer.py")
    with pytest.raises(ValueError, match="'no-such-program-xyz' is not an executable on PATH"):
        Command(name="c", command=["no-such-program-xyz"])
    with pytest.raises(ValueError, match="is not an executable file"):
        Command(name="c", command=[str(tmp_path / "missing.sh")])
    with pytest.raises(ValueError, match="timeout"):
        Command(name="c", command=[sys.executable], timeout=0)
    with pytest.raises(ValueError, match="bad options"):
        create_runner("command", "c", {"command": [sys.executable], "shell": True})


def test_fingerprint_follows_the_script_content(tmp_path: Path) -> None:
    argv = script(tmp_path, ECHO)
    first = Command(name="c", command=argv).fingerprint()
    assert Command(name="other-label", command=argv).fingerprint() == first
    Path(argv[1]).write_text(ECHO + "\n# changed\n", encoding="utf-8")
    assert Command(name="c", command=argv).fingerprint() != first
    assert Command(name="c", command=[*argv, "--greedy"]).fingerprint() != first


def test_registered_and_built_from_a_config() -> None:
    runner = create_runner("command", "c", {"command": [sys.executable, "-V"], "timeout": 5})
    assert isinstance(runner, Command) and runner.timeout == 5.0


def test_configs_run_the_same_gold_through_a_command_and_a_python_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    echo = tmp_path / "echo.py"
    echo.write_text(ECHO, encoding="utf-8")
    fn = tmp_path / "fn.py"
    fn.write_text(
        "def answer(requests):\n"
        "    return [r.sample.input + '\\nFrage: noch was' for r in requests]\n",
        encoding="utf-8",
    )
    cfg = {
        "name": "cmd",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 20,
        "runners": [
            {"name": "cmd", "type": "command", "options": {"command": [sys.executable, str(echo)]}},
            {
                "name": "fn",
                "type": "python",
                "options": {"path": str(fn), "function": "answer"},
            },
        ],
        "bootstrap": {"resamples": 50},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    assert "errors" not in capsys.readouterr().out
    (run,) = (tmp_path / "results").iterdir()
    rows = [json.loads(x) for x in (run / "generations.jsonl").read_text().splitlines()]
    by_runner: dict[str, dict[str, str]] = {}
    for r in rows:
        assert r["error"] is None
        by_runner.setdefault(r["runner"], {})[r["sample_id"]] = r["text"]
    assert len(by_runner["cmd"]) == 20
    assert by_runner["cmd"] == by_runner["fn"]
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    res = summary["results"]
    assert res["cmd"]["qa"]["metrics"] == res["fn"]["qa"]["metrics"]
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runners"]["cmd"]["fingerprint"] != manifest["runners"]["fn"]["fingerprint"]
