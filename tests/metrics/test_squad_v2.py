"""SQuAD v2 EM/F1: identical to transformers' squad_metrics on a battery of cases."""

from __future__ import annotations

import random

import pytest

from harness.metrics.base import ScoringInput
from harness.metrics.squad_v2 import SquadV2
from tests.metrics.reference import squad_v2_reference

REF = squad_v2_reference()

CASES: list[tuple[list[str], str]] = [
    ([""], ""),
    ([], ""),
    ([], "something"),
    (["..."], ""),  # punctuation-only gold normalises to nothing
    (["...", "!"], "anything"),
    (["the"], ""),  # article-only gold
    (["Denver Broncos"], "Denver Broncos"),
    (["Denver Broncos"], "the Denver Broncos!"),
    (["Denver Broncos", "Broncos"], "Broncos win"),
    (["Carolina Panthers"], "Denver"),
    (["a b c"], "c b a"),
    (["2024–2028"], "2024-2028"),  # wrong for German, but the official numbers
    (["„Ernährungssicherheit“"], "Ernährungssicherheit"),
    (["der Botschafter Keo Chhea"], "Keo Chhea"),
    (["vier"], "4"),
    (["Ernährung"], "Ernährung"),  # NFD vs NFC
    (["x y y"], "y y z"),
    (["An apple"], "apple"),
    (["  spaced   out  "], "spaced out"),
    (["1,000"], "1000"),
    (["24. November"], "24 november"),
    # No answer is the empty string only: abstention wording is an answer like any other.
    ([], "Täter unbekannt"),
    ([], "unknown"),
    ([], "Unknown."),
    ([], "nicht im Text"),
    ([], "Das steht nicht im Text."),
    (["Keo Chhea"], "unknown"),
    (["Täter unbekannt"], "Täter unbekannt"),
    (["unknown"], "the Unknown"),
]


@pytest.mark.parametrize(("golds", "pred"), CASES)
def test_matches_reference(golds: list[str], pred: str) -> None:
    ours = SquadV2().score_one(ScoringInput(pred, golds)).values
    em, f1 = REF.scores(golds, pred)
    assert ours["exact"] == em
    assert ours["f1"] == pytest.approx(f1, abs=1e-12)


def test_matches_reference_on_random_battery() -> None:
    rng = random.Random(7)
    vocab = [
        "the",
        "a",
        "an",
        "Broncos",
        "broncos",
        "Denver",
        "!",
        ",",
        "x",
        "y",
        "ß",
        "Ü",
        "2024",
        "-",
        "–",
        "de",
        "",
    ]
    metric = SquadV2()
    for _ in range(500):
        golds = [
            " ".join(rng.choices(vocab, k=rng.randint(0, 5))) for _ in range(rng.randint(0, 3))
        ]
        pred = " ".join(rng.choices(vocab, k=rng.randint(0, 6)))
        ours = metric.score_one(ScoringInput(pred, golds)).values
        em, f1 = REF.scores(golds, pred)
        assert ours["exact"] == em, (golds, pred)
        assert ours["f1"] == pytest.approx(f1, abs=1e-12), (golds, pred)


def test_german_failures_are_reproduced() -> None:
    """The official metric is wrong for German: we keep it wrong here, on purpose."""
    m = SquadV2()
    assert m.score_one(ScoringInput("2024-2028", ["2024–2028"])).values["f1"] == 0.0
    assert m.score_one(ScoringInput("4", ["vier"])).values["exact"] == 0.0


@pytest.mark.parametrize(
    "pred", ["", "Täter unbekannt", "unknown", "Unknown.", "nicht im Text", "I don't know."]
)
def test_only_the_empty_string_is_no_answer_by_default(pred: str) -> None:
    """The official definition: abstention phrases are strings like any other."""
    ours = SquadV2().score_one(ScoringInput(pred, [])).values
    em, f1 = REF.scores([], pred)
    assert (ours["exact"], ours["f1"]) == (em, f1) == ((100.0, 100.0) if pred == "" else (0.0, 0.0))
    assert SquadV2().signature() == "squad_v2|official-normalize|official-no-answer"


def test_abstention_as_empty_is_an_opt_in_and_reads_content_only() -> None:
    m = SquadV2(abstention_as_empty=True)
    assert m.score_one(ScoringInput("Das steht nicht im Text.", [])).values["exact"] == 100.0
    assert m.score_one(ScoringInput("Täter unbekannt", [])).values["exact"] == 0.0
    assert m.score_one(ScoringInput("nicht im Text", ["Keo Chhea"])).values["f1"] == 0.0
    assert "abstention_as_empty=True" in m.signature()
    with pytest.raises(ValueError, match="true or false"):
        SquadV2(abstention_as_empty="yes")  # type: ignore[arg-type]


def test_evaluate_module_interface() -> None:
    from harness import metrics

    m = metrics.load("squad_v2")
    out = m.compute(predictions=["Keo Chhea", "x"], references=[["Keo Chhea"], ["y"]])
    assert out["exact"] == 50.0
    assert m.signature.startswith("squad_v2|")
