"""chrF / chrF++: identical to sacrebleu's sentence and corpus scores."""

from __future__ import annotations

import random

import pytest
from sacrebleu.metrics.chrf import CHRF

from harness.metrics.base import ScoringInput
from harness.metrics.chrf import Chrf, reference_streams

CHRF_REF = CHRF()
CHRF_PP_REF = CHRF(word_order=2)

CASES: list[tuple[str, list[str]]] = [  # (hypothesis, references)
    ("Die Säulen stärken", ["die Säule stärkt"]),
    ("Kambodscha bekräftigt sein Engagement.", ["Kambodscha bekräftigt Engagement."]),
    ("Menschenhandels", ["Menschenhandel"]),
    ("vom 24. bis 25. November", ["vom 24.–25. November"]),
    ("", ["etwas"]),
    ("etwas", [""]),
    ("", [""]),
    ("...", ["!!!"]),
    ("(hi) there,", ["hi there"]),
    ("Keo Chhea", ["Botschafter Keo Chhea", "Keo Chhea", "Chhea"]),
    ("vier Säulen", ["4 Säulen", "vier Säulen"]),
    ("a", ["b", "c"]),
]


@pytest.mark.parametrize(("hyp", "refs"), CASES)
def test_sentence_scores_equal_sacrebleu(hyp: str, refs: list[str]) -> None:
    values = Chrf().score_one(ScoringInput(hyp, refs)).values
    assert values["chrf"] == CHRF_REF.sentence_score(hyp, refs).score
    assert values["chrf_pp"] == CHRF_PP_REF.sentence_score(hyp, refs).score
    assert 0.0 <= values["chrf"] <= 100.0


def _corpus(items: list[ScoringInput]) -> dict[str, float]:
    m = Chrf()
    rows = [dict(m.score_one(i).values) for i in items]
    return m.aggregate(rows, items)


def test_corpus_equals_sacrebleu_single_reference() -> None:
    items = [ScoringInput(h, r[:1]) for h, r in CASES]
    hyps = [i.prediction for i in items]
    streams = [[i.references[0] for i in items]]
    got = _corpus(items)
    assert got["chrf"] == CHRF().corpus_score(hyps, streams).score
    assert got["chrf_pp"] == CHRF(word_order=2).corpus_score(hyps, streams).score


def test_corpus_is_not_mean_of_sentences() -> None:
    items = [ScoringInput(h, r) for h, r in CASES]
    m = Chrf()
    rows = [dict(m.score_one(i).values) for i in items]
    mean = sum(r["chrf"] for r in rows) / len(rows)
    assert m.aggregate(rows, items)["chrf"] != pytest.approx(mean)


def test_corpus_with_variable_reference_counts() -> None:
    rnd = random.Random(5)
    words = [
        "die", "der", "Säule", "Säulen", "stärken", "stärkt", "Plan", "Pläne", "Kambodscha", "UN",
        "2024", "vier",
    ]

    def text() -> str:
        return " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 8)))

    items = [ScoringInput(text(), [text() for _ in range(rnd.randint(1, 4))]) for _ in range(60)]
    hyps = [i.prediction for i in items]
    streams = reference_streams([list(i.references) for i in items])
    assert len(streams) == max(len(i.references) for i in items)
    got = _corpus(items)
    assert got["chrf"] == CHRF().corpus_score(hyps, streams).score  # type: ignore[arg-type]
    pp = CHRF(word_order=2).corpus_score(hyps, streams).score  # type: ignore[arg-type]
    assert got["chrf_pp"] == pp
    # per item, the sentence score is the one sacrebleu gives with that item's references
    for item in items[:10]:
        values = Chrf().score_one(item).values
        assert values["chrf"] == CHRF_REF.sentence_score(item.prediction, item.references).score


def test_reference_streams_pad_with_none() -> None:
    assert reference_streams([["a", "b"], ["c"], []]) == [["a", "c", None], ["b", None, None]]
    assert reference_streams([]) == []


def test_items_without_references() -> None:
    m = Chrf()
    assert m.score_one(ScoringInput("x", [])).values == {"chrf": 0.0, "chrf_pp": 0.0}
    items = [ScoringInput("x", []), ScoringInput("Säulen", ["Säule"])]
    got = m.aggregate([], items)
    assert got["chrf"] == CHRF().corpus_score(["Säulen"], [["Säule"]]).score
    assert m.aggregate([], [ScoringInput("x", [])]) == {}


def test_signature_contains_sacrebleu_signatures() -> None:
    m = Chrf()
    before = m.signature()
    assert "nrefs:?|case:mixed|eff:yes|nc:6|nw:0|space:no|version:" in before
    m.compute(predictions=["a", "b"], references=[["a"], ["b", "c"]])
    chrf, pp = CHRF(), CHRF(word_order=2)
    chrf.corpus_score(["a", "b"], [["a", "b"], [None, "c"]])  # type: ignore[list-item]
    pp.corpus_score(["a", "b"], [["a", "b"], [None, "c"]])  # type: ignore[list-item]
    expected = f"chrf|chrF2:{{{chrf.get_signature()}}}|chrF2++:{{{pp.get_signature()}}}"
    assert m.signature() == expected
    assert "nrefs:var" in m.signature()


def test_load_by_name_and_compute() -> None:
    from harness import metrics

    m = metrics.load("chrf")
    assert isinstance(m.harness_metric, Chrf)
    hyps = ["Die Säulen stärken", "Kambodscha bekräftigt sein Engagement."]
    refs = [["die Säule stärkt"], ["Kambodscha bekräftigt Engagement."]]
    out = m.compute(predictions=hyps, references=refs)
    streams = [[r[0] for r in refs]]
    # evaluate's chrf: the corpus score and its settings; chrF++ is word_order=2
    assert out == {
        "score": CHRF().corpus_score(hyps, streams).score,
        "char_order": 6,
        "word_order": 0,
        "beta": 2,
    }
    pp = m.compute(predictions=hyps, references=refs, word_order=2)
    assert pp["score"] == CHRF(word_order=2).corpus_score(hyps, streams).score
    assert "nc:6|nw:2" in m.signature
