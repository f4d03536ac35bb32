"""Samples without a usable output are failures in every metric, never abstentions.

Bug classes of issue 10, each table-driven: runner errors (1), empty outputs that
are cut off, filtered, refused or only reasoning (2), prompt echoes (3), reasoning
traces (4), plain-string references (7) and ``harness score``'s metric set (8).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness import metrics
from harness.cli import main
from harness.config import MetricsSpec, RunConfig, RunnerSpec
from harness.gold.load import load_gold
from harness.metrics.base import HarnessMetric, ScoringInput, reference_lists
from harness.pipeline import DEFAULT_METRICS, check_runners, default_metrics, run
from harness.prompts import build_request
from harness.runners.base import (
    Runner,
    failure_reason,
    finalize,
    parse_reasoning_tags,
    process_output,
    split_reasoning,
)
from harness.types import Generation, GenerationParams, Request, Sample
from tests.conftest import DOC_ID, GOLD, ROOT

# -- helpers -----------------------------------------------------------------------------

QUESTION = Sample(
    id="d/q", doc_id="d", task="qa", language="de", input="Wer sprach?", references=("Keo Chhea",)
)
UNANSWERABLE = replace(QUESTION, id="d/u", input="Wer leitete die Sitzung?", references=(),
                       answerable=False)  # fmt: skip
SUMMARY = Sample(
    id="d/summary-abstract", doc_id="d", task="summary", language="de", input="abstract",
    references=("Botschafter Keo Chhea sprach am 24. November 2025 in New York.",),
    answer_type="summary",
)  # fmt: skip
ARTICLE = "Botschafter Keo Chhea sprach am 24. November 2025 in New York über Menschenhandel."
FACTS: list[dict[str, Any]] = [
    {"id": "speaker", "label": "Sprecher", "weight": 2,
     "matcher": {"person": {"names": ["Keo Chhea"]}}},
]  # fmt: skip


def request_for(sample: Sample, stop: tuple[str, ...] = ("\n",)) -> Request:
    return build_request(sample, ARTICLE, params=GenerationParams(max_new_tokens=32, stop=stop))


class Canned:
    """A runner (as a plugin would write one) that returns prepared generations as they are."""

    def __init__(self, name: str, make: Callable[[Request], Generation]) -> None:
        self.name = name
        self.make = make

    def fingerprint(self) -> str:
        return f"canned-{id(self)}"

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return [self.make(r) for r in requests]


def run_with(
    tmp_path: Path,
    make: Callable[[Request], Generation],
    options: dict[str, Any] | None = None,
    metric_spec: MetricsSpec = DEFAULT_METRICS,
) -> Path:
    cfg = RunConfig(
        name="t",
        gold=[str(GOLD)],
        runners=[RunnerSpec(name="canned", type="canned", options=options or {})],
        metrics=metric_spec,
        bootstrap={"resamples": 50, "seed": 0},  # type: ignore[arg-type]
        cache={"enabled": False},  # type: ignore[arg-type]
    )

    def factory(type_name: str, name: str, opts: dict[str, Any]) -> Runner:
        assert "reasoning_tags" not in opts  # the pipeline's own option, never the runner's
        return Canned(name, make)

    return run(cfg, ROOT, tmp_path / "results", run_id="r", runner_factory=factory)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- 1. runner errors are failures in every metric ---------------------------------------


def _judge() -> HarnessMetric:
    return metrics.create("judge", runner={"type": "scripted", "options": {"default": "x"}},
                          cache=False)  # fmt: skip


def _bertscore() -> HarnessMetric:
    pytest.importorskip("transformers")
    return metrics.create("bertscore", model="never-loaded-model")


METRIC_FACTORIES: list[tuple[str, Callable[[], HarnessMetric]]] = [
    ("qa_de", lambda: metrics.create("qa_de")),
    ("squad_v2", lambda: metrics.create("squad_v2")),
    ("abstention", lambda: metrics.create("abstention")),
    ("rouge", lambda: metrics.create("rouge")),
    ("chrf", lambda: metrics.create("chrf")),
    ("key_facts", lambda: metrics.create("key_facts")),
    ("hallucination", lambda: metrics.create("hallucination")),
    ("bertscore", _bertscore),
    ("judge", _judge),
]


@pytest.mark.parametrize(("name", "make"), METRIC_FACTORIES, ids=[n for n, _ in METRIC_FACTORIES])
@pytest.mark.parametrize("sample", [QUESTION, UNANSWERABLE, SUMMARY], ids=["ans", "unans", "sum"])
def test_an_errored_sample_is_a_failure_in_every_metric(
    name: str, make: Callable[[], HarnessMetric], sample: Sample
) -> None:
    metric = make()
    if sample.task not in metric.tasks:
        pytest.skip(f"{name} does not score {sample.task}")
    item = ScoringInput("", list(sample.references), sample=sample, source=ARTICLE, facts=FACTS,
                        error="HTTP 503 from the server (gave up after 5 attempts)")  # fmt: skip
    result = metric.score(item)
    for key, value in result.values.items():
        if metric.is_higher_better(key):
            assert value == 0.0, (key, value)  # the worst score, never a perfect one
    assert result.details.get("error") == item.error
    if name == "abstention":
        assert result.values["abstained"] == 0.0
        assert result.values.get("correct_abstention", 0.0) == 0.0
        assert result.values.get("false_abstention", 0.0) == 0.0  # no abstention at all
        assert result.details["outcome"] == "error"


def test_server_down_reads_zero_not_fifty(tmp_path: Path) -> None:
    """Every request failing gave 100 on each unanswerable question: a run read 50.0."""

    def down(r: Request) -> Generation:
        return Generation(r.sample_id, "canned", "", error="connection refused (5 attempts)")

    path = run_with(tmp_path, down)
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))["results"]["canned"]
    qa = summary["qa"]
    assert qa["errors"] == qa["failed"] == qa["n"]
    for key in ("qa_de.exact", "qa_de.f1", "squad_v2.exact", "squad_v2.f1",
                "abstention.abstained", "abstention.correct_abstention"):  # fmt: skip
        assert qa["metrics"][key]["value"] == 0.0, key
        assert qa["subsets"]["unanswerable"].get(key, {"value": 0.0})["value"] == 0.0, key
    assert qa["corpus"]["abstention.abstentions"] == 0.0
    assert qa["corpus"]["abstention.recall"] == 0.0
    for key in ("rouge.rougeL", "chrf.chrf", "key_facts.recall"):
        assert summary["summary"]["metrics"][key]["value"] == 0.0, key
    assert summary["summary"]["corpus"]["chrf.chrf"] == 0.0
    for s in read_jsonl(path / "scores.jsonl"):
        assert s["details"]["error"] == "connection refused (5 attempts)"


# -- 2. empty outputs that are no abstention ---------------------------------------------

# (raw, finish_reason, refusal, server reasoning, expected text, failure substring or None)
EMPTY_CASES: list[tuple[str, str | None, str | None, str | None, str, str | None]] = [
    ("", "length", None, None, "", "cut off at the token limit"),
    ("  \n", "length", None, None, "", "cut off at the token limit"),
    ("<think></think>\n", "length", None, None, "", "cut off at the token limit"),
    ("", "content_filter", None, None, "", "filtered"),
    ("", "stop", "I can't help with that.", None, "", "refused: I can't help with that."),
    ("", None, "Nope.", None, "", "refused"),
    ("", "length", None, "The user asks who spoke. Let me", "", "reasoning not finished"),
    ("", "stop", None, "Thinking done.", "", "no answer after the reasoning"),
    ("<think>Wer sprach? Der Bot", "length", None, None, "", "reasoning not finished"),
    ("<think>Wer sprach?\nDer Botschafter", "stop", None, None, "", "reasoning not finished"),
    # an answer is scored on its text, whatever ended it
    ("Keo Chhea", "length", None, None, "Keo Chhea", None),
    ("Keo Ch", "length", None, None, "Keo Ch", None),
    ("Keo Chhea", "content_filter", None, None, "Keo Chhea", None),
    ("<think>kurz</think> Keo Chhea", "length", None, None, "Keo Chhea", None),
    # empty by the model's own choice: an abstention, not a failure
    ("", "stop", None, None, "", None),
    ("", None, None, None, "", None),
    ("\n\n", "stop", None, None, "", None),
]


@pytest.mark.parametrize(("raw", "finish", "refusal", "reasoning", "text", "failure"), EMPTY_CASES)
def test_empty_outputs_that_are_cut_filtered_or_refused_are_failures(
    raw: str, finish: str | None, refusal: str | None, reasoning: str | None, text: str,
    failure: str | None,
) -> None:  # fmt: skip
    g = Generation("d/q", "r", raw, raw=raw, finish_reason=finish, refusal=refusal,
                   reasoning=reasoning)  # fmt: skip
    done = finalize(g, request_for(QUESTION))
    assert done.text == text
    assert done.raw == raw
    if failure is None:
        assert done.failure is None and done.failed is None
    else:
        assert done.failure is not None and failure in done.failure
        assert done.failed == done.failure
    assert (done.finish_reason, done.refusal) == (finish, refusal)


def test_generation_fields_round_trip_and_old_files_read() -> None:
    g = Generation("d/q", "r", "", raw="<think>x", finish_reason="length", refusal="no",
                   reasoning="x", failure="reasoning not finished")  # fmt: skip
    back = Generation.from_dict(json.loads(json.dumps(g.to_dict())))
    assert back == g
    old = {"sample_id": "d/q", "runner": "r", "text": "x", "raw": "x", "error": None,
           "seconds": 0.1, "prompt_tokens": 3, "completion_tokens": 1, "cached": False}  # fmt: skip
    read = Generation.from_dict(old)
    assert (read.finish_reason, read.refusal, read.reasoning, read.failure) == (None,) * 4
    assert read.failed is None
    assert Generation("d/q", "r", "", error="boom").failed == "boom"


@pytest.mark.parametrize(
    ("text", "finish", "expected_unanswerable", "expected_answerable"),
    [
        ("", "length", 0.0, 0.0),  # cut off before any answer: a failure everywhere
        ("", "content_filter", 0.0, 0.0),
        ("", "stop", 100.0, 0.0),  # the model chose to say nothing: an abstention
        ("Keo Chhea", "length", 0.0, 100.0),  # an answer is scored on its text
    ],
)
def test_pipeline_scores_cut_off_empty_outputs_as_failures(
    tmp_path: Path, text: str, finish: str, expected_unanswerable: float,
    expected_answerable: float,
) -> None:  # fmt: skip
    def canned(r: Request) -> Generation:
        return Generation(r.sample_id, "canned", text, raw=text, finish_reason=finish)

    path = run_with(tmp_path, canned, metric_spec=MetricsSpec(qa=["qa_de", "abstention"],
                                                               summary=["rouge"]))  # fmt: skip
    docs = {d.id: d for d in load_gold([GOLD])}
    qa = {q.id: q for q in docs[DOC_ID].qa}
    speaker = next(i for i, q in qa.items() if "Keo Chhea" in q.answers)
    unanswerable = [i for i, q in qa.items() if not q.answerable]
    scores = {s["sample_id"]: s for s in read_jsonl(path / "scores.jsonl")}
    gens = {g["sample_id"]: g for g in read_jsonl(path / "generations.jsonl")}
    for qid in unanswerable:
        s = scores[f"{DOC_ID}/{qid}"]
        assert s["values"]["qa_de.exact"] == expected_unanswerable
        assert s["values"]["abstention.correct_abstention"] == expected_unanswerable / 100
    assert scores[f"{DOC_ID}/{speaker}"]["values"]["qa_de.exact"] == expected_answerable
    g = gens[f"{DOC_ID}/{speaker}"]
    assert g["finish_reason"] == finish
    failed = expected_unanswerable == 0.0 and not text
    assert (g["failure"] is not None) is failed
    assert ("error" in scores[f"{DOC_ID}/{speaker}"]["details"]) is failed
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    res = summary["results"]["canned"]["qa"]
    assert res["errors"] == 0
    assert res["failed"] == (res["n"] if failed else 0)


# -- 3. a prompt echo is stripped for every runner ---------------------------------------


def _echo_full(r: Request) -> str:
    return r.full_prompt + " Keo Chhea\nFrage: Und wann?"


def _echo_item(r: Request) -> str:
    return r.prompt + " Keo Chhea"


def _echo_chat(r: Request) -> str:
    return str(r.messages[-1]["content"]) + "\nKeo Chhea"


ECHOES: list[tuple[str, Callable[[Request], str]]] = [
    ("full prompt", _echo_full),
    ("per-sample prompt", _echo_item),
    ("chat message", _echo_chat),
    ("no echo", lambda r: "Keo Chhea"),
]


@pytest.mark.parametrize(("what", "echo"), ECHOES, ids=[w for w, _ in ECHOES])
@pytest.mark.parametrize("runner", ["scripted", "python", "command", "plugin"])
def test_prompt_echo_is_stripped_for_every_runner(
    what: str, echo: Callable[[Request], str], runner: str, tmp_path: Path
) -> None:
    from harness.runners.base import create_runner

    request = request_for(QUESTION)
    raw = echo(request)
    if runner == "scripted":
        r = create_runner("scripted", "s", {"outputs": {request.sample_id: raw}})
    elif runner == "python":
        module = tmp_path / "answers.py"
        module.write_text(f"def answer(requests):\n    return [{raw!r}] * len(requests)\n",
                          encoding="utf-8")  # fmt: skip
        r = create_runner("python", "p", {"function": "answer", "path": str(module)})
    elif runner == "command":
        script = tmp_path / "answer.py"
        script.write_text(
            "import json, sys\nfor line in sys.stdin:\n    r = json.loads(line)\n"
            f"    print(json.dumps({{'sample_id': r['sample_id'], 'text': {raw!r}}}))\n",
            encoding="utf-8",
        )
        r = create_runner("command", "c", {"command": [sys.executable, str(script)]})
    else:  # a third-party runner that does no post-processing of its own
        r = Canned("plugin", lambda req: Generation(req.sample_id, "plugin", raw, raw=raw))
    (g,) = r.generate([request])
    done = finalize(g, request)  # what the pipeline applies to every generation
    assert done.text == "Keo Chhea", (what, runner, g.text)
    assert done.raw == raw  # the raw output is kept as produced
    if runner != "plugin":
        assert g.text == "Keo Chhea"  # the runner's own processing agrees


def test_openai_completions_echo_is_stripped() -> None:
    from harness.runners.openai_compat import OpenAIRunner
    from tests.runners.fake_server import FakeServer, Seen, completion

    def echoing(seen: Seen) -> Any:
        return completion(seen.path, seen.body["prompt"] + " Keo Chhea\nFrage: Wann?")

    with FakeServer(echoing) as server:
        runner = OpenAIRunner(name="o", base_url=server.url, model="m", endpoint="completions",
                              max_retries=0)  # fmt: skip
        request = request_for(QUESTION)
        (g,) = runner.generate([request])
    assert g.text == "Keo Chhea"
    assert g.raw.startswith(request.full_prompt)
    assert finalize(g, request).text == "Keo Chhea"


# -- 4. reasoning traces are removed before stop sequences -------------------------------

# (raw, stop, tags, expected text, expected trace, unfinished)
REASONING_CASES: list[tuple[str, tuple[str, ...], Any, str, str | None, bool]] = [
    ("<think>\nWer sprach?\nDer Botschafter.\n</think>\nKeo Chhea\nFrage:", ("\n",), None,
     "Keo Chhea", "Wer sprach?\nDer Botschafter.", False),
    ("<think>a</think>Keo<think>b</think> Chhea", ("\n",), None, "Keo Chhea", "a\n\nb", False),
    ("Der Sprecher ist gesucht.\n</think>\n\nKeo Chhea", ("\n",), None, "Keo Chhea",
     "Der Sprecher ist gesucht.", False),  # the template opened the block
    ("<think>\nErst lesen\nund dann", ("\n",), None, "", "Erst lesen\nund dann", True),
    ("<think></think>", ("\n",), None, "", "", False),
    ("[R]x\ny[/R] Keo Chhea", ("\n",), [["[R]", "[/R]"]], "Keo Chhea", "x\ny", False),
    ("<think>x</think> Keo", ("\n",), [], "<think>x</think> Keo", None, False),  # off
    ("Keo Chhea\nFrage:", ("\n",), None, "Keo Chhea", None, False),
]


@pytest.mark.parametrize(("raw", "stop", "tags", "text", "trace", "unfinished"), REASONING_CASES)
def test_reasoning_is_removed_before_stop_sequences(
    raw: str, stop: tuple[str, ...], tags: Any, text: str, trace: str | None, unfinished: bool
) -> None:
    request = request_for(QUESTION, stop=stop)
    out = process_output(raw, request, parse_reasoning_tags(tags))
    assert out.text == text
    assert out.reasoning == trace
    assert out.reasoning_unfinished is unfinished
    g = finalize(Generation("d/q", "r", raw, raw=raw), request, parse_reasoning_tags(tags))
    assert g.raw == raw and g.text == text
    assert (g.failure == "reasoning not finished: no answer after the reasoning block") is (
        unfinished
    )


def test_unfinished_reasoning_is_a_failure_not_an_abstention(tmp_path: Path) -> None:
    def thinking(r: Request) -> Generation:
        raw = "<think>\nDie Frage ist, wer\ndie Sitzung"
        return Generation(r.sample_id, "canned", raw, raw=raw, finish_reason="length")

    path = run_with(tmp_path, thinking, metric_spec=MetricsSpec(qa=["qa_de", "abstention"],
                                                                summary=["rouge"]))  # fmt: skip
    for s in read_jsonl(path / "scores.jsonl"):
        if "qa_de.exact" in s["values"]:
            assert s["values"]["qa_de.exact"] == 0.0
            assert s["values"]["abstention.abstained"] == 0.0
        assert s["details"]["error"].startswith("reasoning not finished")
    for g in read_jsonl(path / "generations.jsonl"):
        assert g["text"] == "" and g["raw"].startswith("<think>")
        assert g["reasoning"] == "Die Frage ist, wer\ndie Sitzung"


def test_reasoning_tags_are_a_runner_option_for_every_runner(tmp_path: Path) -> None:
    def tagged(r: Request) -> Generation:
        raw = "[[denk]]\nwer?\n[[/denk]] Keo Chhea\nFrage:"
        return Generation(r.sample_id, "canned", raw, raw=raw)

    path = run_with(tmp_path, tagged, options={"reasoning_tags": [["[[denk]]", "[[/denk]]"]]},
                    metric_spec=MetricsSpec(qa=["qa_de"], summary=["rouge"]))  # fmt: skip
    gens = read_jsonl(path / "generations.jsonl")
    qa = [g for g in gens if "/summary-" not in g["sample_id"]]
    assert qa and {g["text"] for g in qa} == {"Keo Chhea"}
    assert all(g["reasoning"] == "wer?" for g in gens)


@pytest.mark.parametrize(
    "tags", ["<think>", [["<think>"]], [["<think>", ""]], [[1, 2]], {"open": "<think>"}]
)
def test_bad_reasoning_tags_fail_before_the_run(tags: Any) -> None:
    spec = RunnerSpec(name="o", type="oracle", options={"reasoning_tags": tags})
    cfg = RunConfig(gold=[str(GOLD)], runners=[spec])
    with pytest.raises(ValueError, match="reasoning_tags: give a list of"):
        check_runners(cfg)


def test_reasoning_tags_pass_every_runner_type_check() -> None:
    tags = [["<think>", "</think>"]]
    for type_name, options in (("oracle", {}), ("scripted", {}), ("openai", {"model": "m"})):
        cfg = RunConfig(gold=[str(GOLD)], runners=[RunnerSpec(
            name="x", type=type_name, options={**options, "reasoning_tags": tags})])  # fmt: skip
        check_runners(cfg)


def test_hf_stop_strings_do_not_fire_inside_reasoning() -> None:
    from harness.runners.hf import _RowEnds

    class Tokens:  # decode = join: each token id is a string in this table
        table = ["<think>", "\n", "Wer", "?", "</think>", " Keo", " Chhea", "x"]

        def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
            return "".join(self.table[i] for i in ids)

    ends = _RowEnds(Tokens(), ["\n"], eos_ids={99}, rows=1)
    for token in (0, 1, 2, 3, 1, 4, 1, 5, 6):  # <think>\nWer?\n</think>\n Keo Chhea
        assert not ends.add(0, token)  # newlines inside (and leading) the trace are no stop
    assert ends.add(0, 1)  # the first newline of the answer is
    plain = _RowEnds(Tokens(), ["\n"], eos_ids={99}, rows=1, reasoning_tags=())
    assert not plain.add(0, 0) and plain.add(0, 1)  # without tags: the old behaviour


# -- 7. a plain string per reference ---------------------------------------------------

REFERENCE_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("rouge", {}, "Keo Chhea sprach in New York", "Botschafter Keo Chhea sprach in New York"),
    ("chrf", {}, "Keo Chhea sprach in New York", "Botschafter Keo Chhea sprach in New York"),
    ("qa_de", {}, "Keo Chhea", "Botschafter Keo Chhea"),
    ("squad_v2", {}, "Keo Chhea", "Botschafter Keo Chhea"),
]


@pytest.mark.parametrize(("name", "options", "prediction", "reference"), REFERENCE_CASES)
def test_a_string_reference_is_one_reference(
    name: str, options: dict[str, Any], prediction: str, reference: str
) -> None:
    metric = metrics.create(name, **options)
    as_list = metric.compute([prediction], [[reference]])
    as_string = metric.compute([prediction], [reference])
    assert as_string == as_list
    module = metrics.load(name, **options)
    via_evaluate = module.compute(predictions=[prediction], references=[reference])
    assert via_evaluate == module.compute(predictions=[prediction], references=[[reference]])
    assert via_evaluate == as_list


def test_rouge_reads_0_8_not_0_for_a_string_reference() -> None:
    pred, ref = "Keo Chhea sprach in New York", "Botschafter Keo Chhea sprach in New York"
    m = metrics.load("rouge")
    out = m.compute(predictions=[pred], references=[ref])
    assert out["rouge1"] == pytest.approx(2 * 6 / (6 + 7), abs=1e-9)  # 6 of 6 and 7 words
    assert out["rouge1"] > 0.8
    assert metrics.create("rouge").compute([pred], [ref])["rouge1"] == out["rouge1"]


def test_judge_compute_takes_string_references_too() -> None:
    judge = _judge()
    seen: list[list[str]] = []
    original = judge.judge_items  # type: ignore[attr-defined]

    def spy(items: Sequence[ScoringInput]) -> Any:
        seen.extend(list(i.references) for i in items)
        return original(items)

    judge.judge_items = spy  # type: ignore[attr-defined]
    judge.compute(["Keo Chhea"], ["Botschafter Keo Chhea"])
    assert seen == [["Botschafter Keo Chhea"]]


@pytest.mark.parametrize(
    ("references", "expected"),
    [(["a"], [["a"]]), ([["a", "b"]], [["a", "b"]]), ([("a",), "b", []], [["a"], ["b"], []])],
)
def test_reference_lists(references: Any, expected: list[list[str]]) -> None:
    assert reference_lists(references) == expected


@pytest.mark.parametrize("bad", [[1], [["a", 2]], "abc"])
def test_reference_lists_reject_other_types(bad: Any) -> None:
    with pytest.raises(TypeError, match="references"):
        reference_lists(bad)


# -- 8. harness score uses the default config's metrics ----------------------------------


def test_default_metrics_are_those_of_the_default_config() -> None:
    cfg = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text(encoding="utf-8"))
    assert default_metrics().model_dump() == MetricsSpec(**cfg["metrics"]).model_dump()


def test_default_metrics_without_the_config_file(tmp_path: Path) -> None:
    # an installed package has no configs/: the built-in copy of the default set
    assert default_metrics(tmp_path / "missing.yaml") == DEFAULT_METRICS
    assert {"key_facts", "hallucination"} <= set(map(str, DEFAULT_METRICS.summary))
    assert "abstention" in DEFAULT_METRICS.qa


def _predictions(tmp_path: Path) -> Path:
    docs = {d.id: d for d in load_gold([GOLD])}
    unanswerable = next(q.id for q in docs[DOC_ID].qa if not q.answerable)
    lines = [
        {"sample_id": f"{DOC_ID}/speaker-name", "text": "Keo Chhea"},
        {"sample_id": f"{DOC_ID}/{unanswerable}", "text": "Das steht nicht im Text."},
        {"sample_id": f"{DOC_ID}/summary-abstract",
         "text": "Botschafter Keo Chhea sprach am 24. und 25. November 2025 in New York."},
    ]  # fmt: skip
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def _names(entries: Sequence[Any]) -> set[str]:
    return {e if isinstance(e, str) else e.name for e in entries}


@pytest.mark.parametrize(
    ("config_metrics", "qa_prefixes", "summary_prefixes"),
    [
        (None, None, None),  # the default config's metrics
        ({"qa": ["qa_de"], "summary": ["key_facts"]}, {"qa_de"}, {"key_facts"}),
    ],
)  # fmt: skip
def test_harness_score_uses_the_default_metrics_or_a_configs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_metrics: dict[str, Any] | None,
    qa_prefixes: set[str] | None, summary_prefixes: set[str] | None,
) -> None:  # fmt: skip
    if config_metrics is None:
        qa_prefixes, summary_prefixes = _names(default_metrics().qa), _names(
            default_metrics().summary
        )
        assert {"key_facts", "hallucination"} <= summary_prefixes
        assert {"abstention", "hallucination"} <= qa_prefixes
    argv = ["score", "--gold", str(GOLD), "--predictions", str(_predictions(tmp_path)),
            "-o", str(tmp_path / "results")]  # fmt: skip
    if config_metrics is not None:
        config = tmp_path / "other.yaml"
        config.write_text(yaml.safe_dump({"runners": [{"name": "x", "type": "oracle"}],
                                          "metrics": config_metrics}), "utf-8")  # fmt: skip
        argv += ["--config", str(config)]
    assert main(argv) == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    scores = read_jsonl(run_dir / "scores.jsonl")
    for s in scores:
        prefixes = {k.split(".")[0] for k in s["values"]}
        expected = summary_prefixes if "summary" in s["sample_id"] else qa_prefixes
        assert prefixes == expected, s["sample_id"]
    if config_metrics is None:
        by_id = {s["sample_id"]: s for s in scores}
        assert by_id[f"{DOC_ID}/summary-abstract"]["values"]["key_facts.recall"] > 0
        assert any(s["values"].get("abstention.correct_abstention") == 1.0 for s in scores)
    assert "report:" in capsys.readouterr().out


def test_harness_score_with_a_missing_config_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["score", "--gold", str(GOLD), "--predictions", str(_predictions(tmp_path)),
            "-o", str(tmp_path / "results"), "--config", str(tmp_path / "nope.yaml")]  # fmt: skip
    assert main(argv) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


def test_harness_score_strips_reasoning_from_predictions(tmp_path: Path) -> None:
    path = tmp_path / "preds.jsonl"
    line = {"sample_id": f"{DOC_ID}/speaker-name", "text": "<think>wer?</think> Keo Chhea"}
    path.write_text(json.dumps(line) + "\n", "utf-8")
    assert main(["score", "--gold", str(GOLD), "--predictions", str(path),
                 "-o", str(tmp_path / "r")]) == 0  # fmt: skip
    (run_dir,) = (tmp_path / "r").iterdir()
    (g,) = read_jsonl(run_dir / "generations.jsonl")
    assert (g["text"], g["raw"]) == ("Keo Chhea", "<think>wer?</think> Keo Chhea")
    (s,) = read_jsonl(run_dir / "scores.jsonl")
    assert s["values"]["qa_de.exact"] == 100.0


def test_failure_reason_precedence() -> None:
    g = Generation("d/q", "r", "", refusal="no", finish_reason="length", reasoning="x")
    assert failure_reason(g) == "refused: no"
    assert failure_reason(replace(g, refusal=None)) is not None
    assert failure_reason(replace(g, error="boom")) is None  # an error is reported as the error
    assert split_reasoning("no tags").answer == "no tags"
