"""The ``evaluate`` drop-in: the same calls through the official scripts and through ours.

The official scripts (``metrics/<name>/<name>.py`` of a local checkout of
huggingface/evaluate, named by ``HARNESS_EVALUATE_REFERENCE``; third-party code is
not kept in this repository) are loaded offline with ``evaluate.load(<path>)``.
Every call below goes through both modules with the same arguments; the result keys
must be the same and the values equal (exactly, unless a comment says why not).
Without the checkout the comparisons skip and say why; the drop-in tests that need
no official script still run.
"""

from __future__ import annotations

import math
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from harness import metrics

REFERENCE = Path(os.environ.get("HARNESS_EVALUATE_REFERENCE", "/nonexistent"))


def official(name: str) -> Any:
    script = REFERENCE / name / f"{name}.py"
    if not script.is_file():
        pytest.skip(
            f"no official evaluate script at {script}: set HARNESS_EVALUATE_REFERENCE to the "
            "metrics/ folder of a huggingface/evaluate checkout"
        )
    return _load_official(str(script))


@cache
def _load_official(path: str) -> Any:
    import evaluate

    return evaluate.load(path)


@cache
def ours(name: str) -> Any:
    return metrics.load(name)


def both(name: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return official(name).compute(**kwargs), ours(name).compute(**kwargs)


def same(a: Any, b: Any, rel: float = 0.0) -> bool:
    """Equal numbers (within ``rel``), lists and dicts; ints and floats compare by value."""
    if isinstance(a, dict):
        keys = isinstance(b, dict) and a.keys() == b.keys()
        return keys and all(same(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=rel)


ENGLISH = [
    ("the cat sat on the mat", "the cat was sitting on the mat"),
    ("Running dogs are faster than cats.", "The dog runs faster than the cat."),
    ("A quick brown fox.\nIt jumps over the lazy dog.", "The quick brown fox\njumped over a dog."),
    ("", "nothing predicted"),
    ("police killed the gunman", "the gunman was shot dead by police"),
]
PREDS = [p for p, _ in ENGLISH]
REFS = [r for _, r in ENGLISH]
MULTI = [[r, r.upper(), "an unrelated reference"] for r in REFS]
GERMAN_PREDS = ["Die Säulen stärken die Prävention.", "Größe zählt nicht", "Übermäßige Grüße"]
GERMAN_REFS = ["die Säule stärkt Prävention", "Grüße zählen", "übermäßige Größe"]


# -- rouge -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"use_stemmer": True},
        {"rouge_types": ["rouge1", "rougeL"]},
        {"rouge_types": ["rouge3", "rougeLsum"], "use_stemmer": True},
        {"tokenizer": str.split},
    ],
    ids=["default", "stemmer", "types", "rouge3-stemmer", "tokenizer"],
)
@pytest.mark.parametrize("references", [REFS, MULTI], ids=["strings", "lists"])
def test_rouge_per_sample_values_equal_evaluate(
    kwargs: dict[str, Any], references: list[Any]
) -> None:
    """English ASCII, one sentence per line: per-sample F-measures identical."""
    m = metrics.load("rouge", language="en")
    want = official("rouge").compute(
        predictions=PREDS, references=references, use_aggregator=False, **kwargs
    )
    got = m.compute(predictions=PREDS, references=references, use_aggregator=False, **kwargs)
    assert same(got, want)


def test_rouge_aggregate_is_the_mean_evaluate_bootstraps_around() -> None:
    """evaluate reports the median of 1,000 unseeded bootstrap means; ours is the mean."""
    m = metrics.load("rouge", language="en")
    for n in (1, len(PREDS)):
        want = official("rouge").compute(predictions=PREDS[:n], references=REFS[:n])
        got = m.compute(predictions=PREDS[:n], references=REFS[:n])
        assert got.keys() == want.keys() and all(isinstance(v, float) for v in got.values())
        per = m.compute(predictions=PREDS[:n], references=REFS[:n], use_aggregator=False)
        assert got == {k: sum(v) / len(v) for k, v in per.items()}
        # one sample: no resampling noise, the same number; five: within bootstrap noise
        assert same(got, want, rel=0.0 if n == 1 else 0.1)


def test_rouge_rouge_score_tokenizer_reproduces_evaluate_on_german() -> None:
    m = metrics.load("rouge", tokenizer="rouge_score")
    for stem in (False, True):
        want = official("rouge").compute(
            predictions=GERMAN_PREDS, references=GERMAN_REFS, use_aggregator=False, use_stemmer=stem
        )
        got = m.compute(
            predictions=GERMAN_PREDS, references=GERMAN_REFS, use_aggregator=False, use_stemmer=stem
        )
        assert same(got, want)


def test_rouge_differs_from_evaluate_only_where_german_needs_it() -> None:
    """rouge_score splits "Größe" at the umlaut ("gr", "e"): "Grüße" then matches it."""
    want = official("rouge").compute(predictions=["Größe"], references=["Grüße"])
    got = ours("rouge").compute(predictions=["Größe"], references=["Grüße"])
    assert want["rouge1"] == 1.0 and got["rouge1"] == 0.0
    stemmed = ours("rouge").compute(
        predictions=["Die Säulen"], references=["die Säule"], use_stemmer=True
    )
    assert stemmed["rouge1"] == 1.0  # Snowball German: Säulen = Säule


# -- chrf ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"word_order": 2},
        {"char_order": 4, "beta": 3},
        {"lowercase": True, "whitespace": True},
        {"eps_smoothing": True, "word_order": 1},
    ],
)
@pytest.mark.parametrize(
    ("predictions", "references"),
    [
        (PREDS, REFS),
        (PREDS, MULTI),
        (GERMAN_PREDS, GERMAN_REFS),
    ],
    ids=["english", "multi", "german"],
)
def test_chrf_equals_evaluate(
    kwargs: dict[str, Any], predictions: list[str], references: list[Any]
) -> None:
    want, got = both("chrf", predictions=predictions, references=references, **kwargs)
    assert got == want
    assert isinstance(got["score"], float)


def test_chrf_takes_different_numbers_of_references_where_evaluate_raises() -> None:
    refs = [["a b c"], ["d e", "f g"]]
    with pytest.raises(ValueError, match="same number of references"):
        official("chrf").compute(predictions=["a b", "d"], references=refs)
    assert 0 < ours("chrf").compute(predictions=["a b", "d"], references=refs)["score"] < 100


# -- squad_v2 and squad --------------------------------------------------------------


def _squad_records(no_answer: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = [
        ("q1", "Denver Broncos", ["Denver Broncos", "The Denver Broncos"], 0.1),
        ("q2", "the Panthers", ["Carolina Panthers"], 0.4),
        ("q3", "", [], 0.9),
        ("q4", "Levi's Stadium", [], 0.3),
        ("q5", "", ["Santa Clara, California"], 0.95),
        ("q6", "Gold", ["gold", "golden anniversary"], 0.2),
        ("q7", "unknown", [], 0.4),
    ]
    preds: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = []
    for qid, pred, answers, prob in rows:
        p: dict[str, Any] = {"id": qid, "prediction_text": pred}
        if no_answer:
            p["no_answer_probability"] = prob
        preds.append(p)
        refs.append({"id": qid, "answers": {"text": answers, "answer_start": [0] * len(answers)}})
    return preds, refs


@pytest.mark.parametrize("threshold", [None, 0.35, 0.5, 0.0])
def test_squad_v2_equals_evaluate(threshold: float | None) -> None:
    preds, refs = _squad_records(no_answer=True)
    kwargs = {} if threshold is None else {"no_answer_threshold": threshold}
    want, got = both("squad_v2", predictions=preds, references=refs, **kwargs)
    assert list(got) == list(want)  # the same 13 keys, in the same order
    assert same(got, want)
    assert all(isinstance(v, int | float) for v in got.values())


def test_squad_v2_answerable_only_has_no_noans_keys() -> None:
    preds, refs = _squad_records(no_answer=True)
    keep = [0, 1, 5]
    want, got = both(
        "squad_v2", predictions=[preds[i] for i in keep], references=[refs[i] for i in keep]
    )
    assert list(got) == list(want) and "NoAns_exact" not in got
    assert same(got, want)


def test_squad_equals_evaluate() -> None:
    preds, refs = _squad_records(no_answer=False)
    answerable = [i for i, r in enumerate(refs) if r["answers"]["text"]]
    want, got = both(
        "squad",
        predictions=[preds[i] for i in answerable],
        references=[refs[i] for i in answerable],
    )
    assert got == want and list(got) == ["exact_match", "f1"]


def test_squad_and_squad_v2_also_take_plain_strings() -> None:
    v2 = ours("squad_v2").compute(predictions=["Keo Chhea", ""], references=[["Keo Chhea"], []])
    assert v2["exact"] == 100.0 and v2["HasAns_total"] == 1 and v2["NoAns_total"] == 1
    v1 = ours("squad").compute(predictions=["the Keo Chhea"], references=["Keo Chhea"])
    assert v1 == {"exact_match": 100.0, "f1": 100.0}


# -- every result value is a number ------------------------------------------------------


def test_signatures_are_attributes_not_results() -> None:
    for name in ("rouge", "chrf", "squad_v2", "squad", "qa_de", "answer_equivalence"):
        module = metrics.load(name)
        out = module.compute(predictions=["Keo Chhea"], references=[["Keo Chhea"]])
        assert out and all(isinstance(v, int | float) for v in out.values()), (name, out)
        assert {k: v * 100 for k, v in out.items()}  # the notebook idiom works
        assert module.signature == module.harness_metric.signature()
        assert module.signature.startswith(name)
