"""LLM-as-judge: the tolerant parser, rubric prompts, k repeats, caching, alpha.

Judges are scripted: ``Scripted`` (answers by the judge request's sample id)
and ``ByContent`` below, which answers by what the prompt contains and by the
repeat's seed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from harness.cli import main
from harness.metrics import create
from harness.metrics.base import ScoringInput
from harness.metrics.judge import Judge, VerdictError, krippendorff_alpha, parse_verdict
from harness.prompts.judge import build_judge_request, judge_template, judge_template_hash
from harness.runners.base import RUNNERS, postprocess, stable_hash
from harness.types import Generation, Request, Sample
from tests.conftest import DOC_ID, GOLD

ARTICLE = (
    "Kambodscha hat auf einer UN-Sitzung in New York sein Engagement gegen Menschenhandel "
    "bekräftigt. Botschafter Keo Chhea sprach am 24. November."
)
QA = Sample(
    id="d/speaker",
    doc_id="d",
    task="qa",
    language="de",
    input="Wer sprach für Kambodscha?",
    references=("Keo Chhea", "Botschafter Keo Chhea"),
)
QA_EN = Sample(
    id="d/speaker@en",
    doc_id="d",
    task="qa",
    language="en",
    input="Who spoke for Cambodia?",
    references=("Keo Chhea",),
)
UNANSWERABLE = Sample(
    id="d/budget",
    doc_id="d",
    task="qa",
    language="de",
    input="Wie hoch ist das Budget?",
    references=(),
    answerable=False,
)
SUMMARY = Sample(
    id="d/summary-headline",
    doc_id="d",
    task="summary",
    language="de",
    input="headline",
    references=("Kambodscha bekräftigt Engagement gegen Menschenhandel.",),
    category="headline",
)


@RUNNERS.register("test-judge-by-content")
class ByContent:
    """Answers ``replies[key][seed]`` for the first ``key`` in the prompt; records requests."""

    def __init__(self, name: str, replies: Mapping[str, Sequence[str]], default: str = "") -> None:
        self.name = name
        self.replies = {k: list(v) for k, v in replies.items()}
        self.default = default
        self.seen: list[Request] = []

    def fingerprint(self) -> str:
        return stable_hash("by-content", self.replies, self.default)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        out = []
        for r in requests:
            self.seen.append(r)
            raw = next(
                (v[r.params.seed % len(v)] for k, v in self.replies.items() if k in r.prompt),
                self.default,
            )
            out.append(Generation(r.sample_id, self.name, postprocess(raw, r.params.stop), raw=raw))
        return out


def scripted(outputs: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    return {"type": "scripted", "options": {"outputs": dict(outputs), **extra}}


# -- the parser ----------------------------------------------------------------

SCALE_REPLIES = [
    ('{"score": 4, "reason": "gut"}', "4", 0.75),
    ('```json\n{"score": 5, "reason": "alles belegt"}\n```', "5", 1.0),
    ('```\n{"score": 1}\n```\nDas war leicht.', "1", 0.0),
    ('Here is my verdict: {"score": 3, "reason": "one claim {unsupported}"} Thanks!', "3", 0.5),
    ("{'score': 2, 'reason': 'zu viele Fehler'}", "2", 0.25),
    ('{"score": "4", "reason": "ok",}', "4", 0.75),
    ('{"Score": 4.5, "valid": true}', "4.5", 0.875),
    ('{"score": "4/5"}', "4", 0.75),
    ("Score: 4", "4", 0.75),
    ("Bewertung: 2\nBegründung: holprig", "2", 0.25),
    ("Ich gebe 3/5 Punkten.", "3", 0.5),
    ('{"rating": 5}', "5", 1.0),
    ('{"score": 4, "reason": "cut off by the token lim', "4", 0.75),
]


@pytest.mark.parametrize(("reply", "label", "score"), SCALE_REPLIES)
def test_parser_reads_scale_verdicts(reply: str, label: str, score: float) -> None:
    v = parse_verdict(reply, "faithfulness")
    assert (v.label, v.score) == (label, pytest.approx(score))


def test_parser_keeps_the_reason() -> None:
    v = parse_verdict(
        '```json\n{"score": 5, "reason": "Jede Aussage ist belegt."}\n```', "coverage"
    )
    assert v.reason == "Jede Aussage ist belegt."


VERDICT_REPLIES = [
    ('{"verdict": "correct", "reason": "same person"}', "correct", 1.0),
    ('```json\n{"verdict": "partially_correct"}\n```', "partially_correct", 0.5),
    ("{'verdict': 'Partially Correct'}", "partially_correct", 0.5),
    ('{"verdict": "incorrect"} because the name is wrong', "incorrect", 0.0),
    ('{"verdict": "teilweise richtig"}', "partially_correct", 0.5),
    ('{"urteil": "falsch"}', "incorrect", 0.0),
    ('{"score": 1}', "correct", 1.0),
    ('{"score": 0.5}', "partially_correct", 0.5),
    ("Verdict: incorrect", "incorrect", 0.0),
    ("correct", "correct", 1.0),
    ("Richtig.", "correct", 1.0),
    ("**incorrect**", "incorrect", 0.0),
]


@pytest.mark.parametrize(("reply", "label", "score"), VERDICT_REPLIES)
def test_parser_reads_correctness_verdicts(reply: str, label: str, score: float) -> None:
    v = parse_verdict(reply, "correctness")
    assert (v.label, v.score) == (label, score)


@pytest.mark.parametrize(
    ("reply", "rubric", "why"),
    [
        ("", "fluency", "empty reply"),
        ("   ", "correctness", "empty reply"),
        ("I cannot judge this text.", "fluency", "no verdict found"),
        ('{"score": 7}', "fluency", "outside 1-5"),
        ('{"score": 0}', "faithfulness", "outside 1-5"),
        ('{"score": "gut"}', "fluency", "not a number"),
        ('{"score": true}', "fluency", "not a number"),
        ('{"reason": "no score given"}', "coverage", "no verdict found"),
        ('{"verdict": "maybe"}', "correctness", "not correct / partially_correct / incorrect"),
        ('{"score": 0.7}', "correctness", "not 0, 0.5 or 1"),
        ("The answer is correct, I think.", "correctness", "no verdict found"),
        ("The answer is incorrect.", "correctness", "no verdict found"),
    ],
)
def test_parser_rejects_what_it_cannot_read(reply: str, rubric: str, why: str) -> None:
    with pytest.raises(VerdictError, match=why):
        parse_verdict(reply, rubric)


def test_parser_prefers_a_usable_object_over_an_earlier_unusable_one() -> None:
    reply = 'Example format: {"score": <1-5>}. My answer: {"score": 2, "reason": "holprig"}'
    assert parse_verdict(reply, "fluency").label == "2"


# -- prompts -------------------------------------------------------------------


def test_correctness_prompt_shows_question_and_gold_not_the_article() -> None:
    r = build_judge_request("correctness", QA, "Chhea", article=ARTICLE, seed=1, temperature=0.7)
    assert r.sample_id == "d/speaker#judge-correctness"
    assert (r.params.seed, r.params.temperature, r.params.stop) == (1, 0.7, ())
    assert "Frage: Wer sprach für Kambodscha?" in r.prompt
    assert "- Keo Chhea\n- Botschafter Keo Chhea" in r.prompt
    assert "Zu prüfende Antwort: Chhea" in r.prompt
    assert '"verdict"' in r.prompt and "Referenzantworten" in r.context + r.prompt
    assert ARTICLE not in r.full_prompt
    assert r.messages[0]["content"] == (r.context + r.prompt[: -len("JSON:")]).strip()
    assert r.template == "judge-correctness-de"
    assert r.template_hash == judge_template_hash(judge_template("correctness", "de"))


def test_unanswerable_gold_tells_the_judge_only_an_abstention_is_right() -> None:
    r = build_judge_request("correctness", UNANSWERABLE, "nicht im Text")
    assert "der Artikel beantwortet diese Frage nicht" in r.prompt


def test_summary_prompts_carry_the_article_in_the_shared_context() -> None:
    for rubric in ("faithfulness", "coverage"):
        r = build_judge_request(rubric, SUMMARY, "Kambodscha kämpft.", article=ARTICLE)
        assert ARTICLE in r.context and "Kambodscha kämpft." in r.prompt
        assert '"score"' in r.prompt
    cov = build_judge_request("coverage", SUMMARY, "x", article=ARTICLE)
    assert "eine Überschrift, ein einziger Satz" in cov.prompt
    assert "(1) Kambodscha bekräftigt Engagement" in cov.prompt
    flu = build_judge_request("fluency", SUMMARY, "Kambodscha kämpft.")
    assert ARTICLE not in flu.full_prompt
    with pytest.raises(ValueError, match="needs the source article"):
        build_judge_request("faithfulness", SUMMARY, "x")


def test_english_samples_get_the_english_rubric() -> None:
    r = build_judge_request("correctness", QA_EN, "Keo Chhea")
    assert r.template == "judge-correctness-en" and "Question: Who spoke" in r.prompt
    assert build_judge_request("fluency", QA_EN, "x", language="de").template.endswith("-de")


def test_templates_hash_differently() -> None:
    hashes = {
        judge_template_hash(judge_template(r, lang))
        for r in ("faithfulness", "coverage", "fluency", "correctness")
        for lang in ("de", "en")
    }
    assert len(hashes) == 8


# -- the metric ----------------------------------------------------------------


def test_fenced_json_from_a_scripted_judge() -> None:
    judge = Judge(
        runner=scripted({"d/speaker#judge-correctness": '```json\n{"verdict": "correct"}\n```'}),
        cache=False,
    )
    res = judge.score_one(ScoringInput("Keo Chhea", QA.references, sample=QA, source=ARTICLE))
    assert res.values == {"score": 1.0, "agreement": 1.0}
    assert res.details["rubric"] == "correctness"
    assert res.details["verdicts"][0]["label"] == "correct"
    assert res.details["template"].startswith("judge-correctness-de@")
    assert len(judge.runner.seen) == 1


def test_default_rubric_by_task() -> None:
    judge = Judge(runner=scripted({}, default='{"score": 4}'), cache=False)
    res = judge.score_one(ScoringInput("Kambodscha kämpft.", SUMMARY.references, SUMMARY, ARTICLE))
    assert res.details["rubric"] == "faithfulness" and res.values["score"] == 0.75
    (req,) = judge.runner.seen
    assert ARTICLE in req.context


def test_garbage_reply_gives_no_value_and_says_why() -> None:
    judge = Judge(runner=scripted({}, default="Als KI kann ich das nicht bewerten."), cache=False)
    res = judge.score_one(ScoringInput("Keo Chhea", QA.references, QA, ARTICLE))
    assert res.values == {}
    assert res.details["parse_failures"][0]["error"].startswith("no verdict found")
    assert res.details["parse_failures"][0]["reply"] == "Als KI kann ich das nicht bewerten."
    assert "none of the 1 judgement(s) could be used (1 unreadable" in res.details["no_value"]


def test_runner_errors_are_recorded_not_scored() -> None:
    judge = Judge(
        runner=scripted({}, errors={"d/speaker#judge-correctness": "HTTP 500"}), cache=False
    )
    res = judge.score_one(ScoringInput("Keo Chhea", QA.references, QA, ARTICLE))
    assert res.values == {}
    assert res.details["runner_errors"] == [{"seed": 0, "error": "HTTP 500"}]


def test_k3_disagreement_and_partial_parse_failures() -> None:
    spec = {
        "type": "test-judge-by-content",
        "options": {
            "replies": {
                "Zusammenfassung:\nGut.": ['{"score": 4}', '{"score": 4}', '{"score": 2}'],
                "Zusammenfassung:\nHalb.": ['{"score": 5}', "kaputt", '{"score": 3}'],
            }
        },
    }
    judge = Judge(runner=spec, rubric="faithfulness", k=3, temperature=0.8, cache=False)
    good = judge.score_one(ScoringInput("Gut.", SUMMARY.references, SUMMARY, ARTICLE))
    assert good.values["score"] == pytest.approx((0.75 + 0.75 + 0.25) / 3)
    assert good.values["agreement"] == pytest.approx(2 / 3)
    assert [v["seed"] for v in good.details["verdicts"]] == [0, 1, 2]
    seen = judge.runner.seen
    assert [r.params.seed for r in seen] == [0, 1, 2]
    assert {r.params.temperature for r in seen} == {0.8}
    half = judge.score_one(ScoringInput("Halb.", SUMMARY.references, SUMMARY, ARTICLE))
    assert half.values["score"] == pytest.approx((1.0 + 0.5) / 2)
    assert half.values["agreement"] == pytest.approx(1 / 2)
    assert half.details["parse_failures"][0]["seed"] == 1


def test_aggregate_reports_krippendorff_alpha_when_k_above_one() -> None:
    replies = {
        "Zusammenfassung:\nA.": ['{"score": 5}', '{"score": 5}'],
        "Zusammenfassung:\nB.": ['{"score": 1}', '{"score": 2}'],
        "Zusammenfassung:\nC.": ['{"score": 3}', "unlesbar"],
        "Zusammenfassung:\nD.": ['{"score": 4}', '{"score": 3}'],
    }
    spec = {"type": "test-judge-by-content", "options": {"replies": replies}}
    judge = Judge(runner=spec, k=2, temperature=1.0, cache=False)
    assert judge.corpus_level
    items = [
        ScoringInput(text, SUMMARY.references, SUMMARY, ARTICLE)
        for text in ("A.", "B.", "C.", "D.")
    ]
    rows = [judge.score_one(i).values for i in items]
    calls = len(judge.runner.seen)
    out = judge.aggregate(rows, items)
    assert len(judge.runner.seen) == calls  # the verdicts are remembered, not asked again
    assert out["score"] == pytest.approx(np.mean([r["score"] for r in rows]))
    assert out["agreement"] == pytest.approx((1 + 0.5 + 1 + 0.5) / 4)
    want = krippendorff_alpha([[1.0, 1.0], [0.0, 0.25], [0.5], [0.75, 0.5]])
    assert want is not None and out["alpha"] == pytest.approx(want)

    single = Judge(runner=spec, cache=False)
    assert not single.corpus_level
    assert "alpha" not in single.aggregate([single.score_one(i).values for i in items], items)


def test_judgements_are_cached_like_generations(tmp_path: Path) -> None:
    spec = scripted({"d/speaker#judge-correctness": '{"verdict": "correct"}'})
    item = ScoringInput("Keo Chhea", QA.references, QA, ARTICLE)
    first = Judge(runner=spec, k=2)
    assert first.score_one(item).values["score"] == 1.0
    assert len(first.runner.seen) == 2
    first.close()
    second = Judge(runner=spec, k=2)
    res = second.score_one(item)
    assert second.runner.seen == []  # both repeats came from the cache
    assert res.values["score"] == 1.0 and res.details["cached"] == 2
    # A different prediction, or cache off, asks the runner.
    second.score_one(ScoringInput("Hun Sen", QA.references, QA, ARTICLE))
    assert len(second.runner.seen) == 2
    second.close()
    off = Judge(runner=spec, k=2, cache=False)
    off.score_one(item)
    assert len(off.runner.seen) == 2


def test_missing_article_gives_no_value_with_a_reason() -> None:
    judge = Judge(runner=scripted({}, default='{"score": 5}'), rubric="coverage", cache=False)
    res = judge.score_one(ScoringInput("x", SUMMARY.references, SUMMARY, source=""))
    assert res.values == {} and "needs the source article" in res.details["no_value"]
    assert judge.runner.seen == []


def test_compute_without_samples_judges_against_the_references() -> None:
    judge = Judge(
        runner={
            "type": "test-judge-by-content",
            "options": {
                "replies": {"Antwort: Keo": ['{"verdict": "correct"}']},
                "default": '{"verdict": "incorrect"}',
            },
        },
        cache=False,
    )
    out = judge.compute(["Keo Chhea", "Hun Sen"], [["Keo Chhea"], ["Keo Chhea"]])
    assert out["score"] == 0.5 and out["agreement"] == 1.0
    assert judge.signature().startswith("judge|rubric=auto(qa=correctness,summary=faithfulness)")
    assert "Frage: (nicht angegeben)" in judge.runner.seen[0].prompt


def test_signature_names_rubric_prompts_runner_and_sampling() -> None:
    spec = scripted({"a": "b"})
    sig = Judge(runner=spec, rubric="fluency", k=3, temperature=0.7, cache=False).signature()
    fp = create_scripted_fingerprint(spec)
    assert sig.startswith("judge|rubric=fluency|prompts=")
    assert f"|runner=scripted:{fp}|k=3|temperature=0.7|max_new_tokens=256" in sig
    other = Judge(runner=scripted({"a": "c"}), rubric="fluency", k=3, temperature=0.7, cache=False)
    assert other.signature() != sig


def create_scripted_fingerprint(spec: Mapping[str, Any]) -> str:
    from harness.runners.scripted import Scripted

    return Scripted(name="x", **spec["options"]).fingerprint()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "judge: runner: required"),
        ({"runner": {"options": {}}}, "judge: runner: type: required"),
        ({"runner": {"type": "scriptd"}}, "did you mean 'scripted'"),
        ({"runner": {"type": "scripted", "options": {"nope": 1}}}, "judge: runner: .*bad options"),
        ({"runner": {"type": "scripted", "extra": 1}}, "unknown field"),
        ({"runner": {"type": "scripted"}, "rubric": "style"}, "judge: rubric: unknown 'style'"),
        ({"runner": {"type": "scripted"}, "k": 0}, "judge: k"),
        ({"runner": {"type": "scripted"}, "temperature": -1}, "judge: temperature"),
        ({"runner": {"type": "scripted"}, "cache": "yes"}, "judge: cache"),
    ],
)
def test_bad_options_name_the_field(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create("judge", **options)


# -- Krippendorff's alpha --------------------------------------------------------


def test_alpha_matches_krippendorffs_published_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers,
    # 12 units, missing values; nominal 0.743, interval 0.849.
    rows = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[float(v) for v in col if v is not None] for col in zip(*rows, strict=True)]
    assert round(krippendorff_alpha(units, "nominal") or 0, 3) == 0.743
    assert round(krippendorff_alpha(units, "interval") or 0, 3) == 0.849


def _alpha_by_pairs(units: list[list[float]]) -> float:
    """Alpha from its pairwise definition: within-unit pairs vs all pairs of pairable values."""
    pairable = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    d_o = (
        sum(
            sum((a - b) ** 2 for a, b in itertools.permutations(u, 2)) / (len(u) - 1)
            for u in pairable
        )
        / n
    )
    values = [v for u in pairable for v in u]
    d_e = sum((a - b) ** 2 for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - d_o / d_e


def test_alpha_equals_the_pairwise_definition_on_random_ratings() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        units = [[float(x) for x in rng.integers(1, 6, size=rng.integers(1, 5))] for _ in range(12)]
        got = krippendorff_alpha(units)
        assert got == pytest.approx(_alpha_by_pairs(units))


def test_alpha_is_undefined_without_pairs_or_variation() -> None:
    assert krippendorff_alpha([[1.0], [2.0]]) is None
    assert krippendorff_alpha([[2.0, 2.0], [2.0, 2.0]]) is None
    assert krippendorff_alpha([[0.0, 0.0], [1.0, 1.0]]) == 1.0


# -- end to end ----------------------------------------------------------------


def test_judge_in_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    judge = {
        "name": "judge",
        "options": {
            "runner": {"type": "scripted", "options": {"default": '{"verdict": "correct"}'}},
            "k": 2,
        },
    }
    cfg = {
        "name": "judged",
        "gold": [str(GOLD)],
        "tasks": ["qa"],
        "limit": 4,
        "runners": [{"name": "oracle", "type": "oracle"}],
        "metrics": {"qa": ["qa_de", judge]},
        "bootstrap": {"resamples": 50, "seed": 0},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "judged.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    capsys.readouterr()
    (run,) = (tmp_path / "results").iterdir()
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    metrics = summary["results"]["oracle"]["qa"]["metrics"]
    assert metrics["judge.score"]["value"] == 1.0 and metrics["judge.score"]["n"] == 4
    assert metrics["judge.agreement"]["value"] == 1.0
    assert summary["signatures"]["judge"].startswith("judge|rubric=auto(")
    scores = [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines()]
    assert all(s["details"]["judge"]["verdicts"][0]["label"] == "correct" for s in scores)
    assert scores[0]["sample_id"].startswith(DOC_ID)
