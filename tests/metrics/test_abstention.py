"""abstention: per-sample outcomes and corpus precision/recall/F1/rates with known values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import metrics
from harness.metrics.abstention import Abstention, report_lines
from harness.metrics.base import ScoringInput
from harness.types import Sample
from tests.conftest import DOC_ID, GOLD

M = Abstention()


def item(prediction: str, answerable: bool, language: str = "de") -> ScoringInput:
    sample = Sample(
        id=f"{DOC_ID}/q",
        doc_id=DOC_ID,
        task="qa",
        language=language,
        input="Wer?",
        references=("Keo Chhea",) if answerable else (),
        answerable=answerable,
    )
    return ScoringInput(prediction, list(sample.references), sample=sample)


def run(metric: Abstention, items: list[ScoringInput]) -> dict[str, float]:
    rows = [dict(metric.score_one(i).values) for i in items]
    return metric.aggregate(rows, items)


@pytest.mark.parametrize(
    ("prediction", "answerable", "values", "outcome"),
    [
        ("Das steht nicht im Text.", False, {"abstained": 1.0, "correct_abstention": 1.0},
         "correct_abstention"),
        ("", False, {"abstained": 1.0, "correct_abstention": 1.0}, "correct_abstention"),
        ("Not stated.", False, {"abstained": 1.0, "correct_abstention": 1.0},
         "correct_abstention"),
        ("Hun Sen", False, {"abstained": 0.0, "correct_abstention": 0.0}, "confident_wrong"),
        ("unbekannt", True, {"abstained": 1.0, "false_abstention": 1.0}, "false_abstention"),
        ("Keo Chhea", True, {"abstained": 0.0, "false_abstention": 0.0}, "answered"),
    ],
)  # fmt: skip
def test_per_sample(
    prediction: str, answerable: bool, values: dict[str, float], outcome: str
) -> None:
    r = M.score_one(item(prediction, answerable))
    assert r.values == values
    assert r.details == {
        "abstained": values["abstained"] == 1.0,
        "answerable": answerable,
        "outcome": outcome,
    }


def test_corpus_values_hand_computed() -> None:
    # 4 unanswerable: 3 abstentions, 1 confident wrong answer.
    # 6 answerable: 1 abstention ("keine Angabe"), 5 answers.
    items = [
        item("nicht im Text", False),
        item("Unbekannt.", False),
        item("The article does not say.", False, "en"),
        item("Am 3. Dezember", False),
        item("keine Angabe", True),
        *(item(a, True) for a in ("Keo Chhea", "New York", "vier", "2024–2028", "August 2024")),
    ]
    agg = run(M, items)
    assert agg["abstentions"] == 4.0
    assert agg["unanswerable"] == 4.0
    assert agg["answerable"] == 6.0
    assert agg["precision"] == pytest.approx(3 / 4)
    assert agg["recall"] == pytest.approx(3 / 4)
    assert agg["f1"] == pytest.approx(3 / 4)
    assert agg["confident_wrong_rate"] == pytest.approx(1 / 4)
    assert agg["false_abstention_rate"] == pytest.approx(1 / 6)
    assert agg["abstained"] == pytest.approx(4 / 10)


def test_f1_is_the_harmonic_mean() -> None:
    # 2 unanswerable, both abstained on; 3 answerable, 2 abstained on: P = 2/4, R = 1.
    items = [item("", False), item("n/a", False), item("", True), item("unknown", True)]
    items.append(item("Keo Chhea", True))
    agg = run(M, items)
    assert (agg["precision"], agg["recall"]) == (0.5, 1.0)
    assert agg["f1"] == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_empty_denominators_are_left_out() -> None:
    never = run(M, [item("Hun Sen", False), item("Keo Chhea", True)])
    assert "precision" not in never  # no abstention: nothing to be precise about
    assert never["recall"] == 0.0
    assert never["f1"] == 0.0
    assert never["confident_wrong_rate"] == 1.0
    assert never["abstentions"] == 0.0

    only_answerable = run(M, [item("unbekannt", True), item("Keo Chhea", True)])
    assert "recall" not in only_answerable
    assert "f1" not in only_answerable
    assert "confident_wrong_rate" not in only_answerable
    assert only_answerable["precision"] == 0.0
    assert only_answerable["false_abstention_rate"] == 0.5

    assert run(M, []) == {"abstentions": 0.0, "unanswerable": 0.0, "answerable": 0.0}


def test_long_answers_containing_a_phrase_are_answers() -> None:
    long = (
        "Der Text nennt Keo Chhea als Redner, der Name seines Stellvertreters ist aber "
        "unbekannt, und auch sein Alter wird nirgends genannt."
    )
    assert M.score_one(item(long, False)).values["abstained"] == 0.0


def test_phrases_and_extra_phrases() -> None:
    own = Abstention(extra_phrases=["dazu schweigt der Artikel"])
    assert own.score_one(item("Dazu schweigt der Artikel.", False)).values["abstained"] == 1.0
    assert M.score_one(item("Dazu schweigt der Artikel.", False)).values["abstained"] == 0.0
    only = Abstention(phrases=["weiß nicht"])
    assert only.score_one(item("Weiß nicht!", False)).values["abstained"] == 1.0
    assert only.score_one(item("nicht im Text", False)).values["abstained"] == 0.0
    assert only.score_one(item("", False)).values["abstained"] == 1.0  # empty always abstains
    assert own.signature() != M.signature() != only.signature()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"phrases": "nicht im Text"}, "lists of strings"),
        ({"extra_phrases": ["ok", ""]}, "phrase 31: must be a non-empty string"),
        ({"phrases": [3]}, "phrase 0: must be a non-empty string"),
    ],
)
def test_bad_phrases_are_clear_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        metrics.create("abstention", **options)


def test_without_a_sample_the_references_decide() -> None:
    assert M.score_one(ScoringInput("unbekannt", [])).values == {
        "abstained": 1.0,
        "correct_abstention": 1.0,
    }
    assert M.score_one(ScoringInput("unbekannt", ["Keo Chhea"])).values == {
        "abstained": 1.0,
        "false_abstention": 1.0,
    }


def test_gold_oracle_is_perfect_and_always_abstaining_is_not() -> None:
    rows = [json.loads(x) for x in (GOLD / DOC_ID / "qa.jsonl").read_text("utf-8").splitlines()]
    oracle = [item(q["answers"][0] if q["answers"] else "", q["answerable"]) for q in rows]
    agg = run(M, oracle)
    assert (agg["precision"], agg["recall"], agg["f1"]) == (1.0, 1.0, 1.0)
    assert agg["false_abstention_rate"] == 0.0
    assert (agg["unanswerable"], agg["answerable"]) == (10.0, 62.0)
    always = run(M, [item("Nicht im Text.", q["answerable"]) for q in rows])
    assert always["precision"] == pytest.approx(10 / 72)
    assert always["recall"] == 1.0
    assert always["false_abstention_rate"] == 1.0


def test_report_lines() -> None:
    assert report_lines(M.score_one(item("Hun Sen", False)).details) == [
        "answered an unanswerable question (confident wrong answer)"
    ]
    assert report_lines(M.score_one(item("unbekannt", True)).details) == [
        "abstained on an answerable question"
    ]
    assert report_lines(M.score_one(item("Keo Chhea", True)).details) == []


def test_registered_and_declared() -> None:
    m = metrics.create("abstention")
    assert isinstance(m, Abstention)
    assert m.tasks == ("qa",)
    assert m.corpus_level
    assert not m.is_higher_better("confident_wrong_rate")
    assert not m.is_higher_better("false_abstention_rate")
    assert m.is_higher_better("f1")
