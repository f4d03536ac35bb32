"""SQuAD v2 exact match and F1, exactly as the official definitions.

Answers are lowercased, ASCII punctuation is deleted, the English articles
``a an the`` are dropped and whitespace is collapsed; EM is equality, F1 the
bag-of-tokens overlap; the maximum over the gold answers is taken; gold
answers that normalise to nothing are dropped and, if none remain, the gold is
the empty answer (no-answer). If either side is empty, F1 is 1 when both are.
Scores are on the official 0–100 scale.

This metric is kept for comparability with published SQuAD numbers. It is
wrong for German (see ``qa_de``). As in the official script, a prediction is
"no answer" only when it is the empty string: "nicht im Text", "unknown" or
"Täter unbekannt" are answers, scored as strings (0 on an unanswerable
question). ``abstention_as_empty=True`` (not official; the signature says so)
first turns an output whose content is an abstention
(:func:`harness.text.abstain.is_abstention`) into the empty answer.

Example:
    >>> m = SquadV2()
    >>> m.score_one(ScoringInput("the Keo Chhea.", ["Keo Chhea"])).values["exact"]
    100.0
    >>> m.score_one(ScoringInput("", [])).values["f1"]
    100.0
    >>> m.score_one(ScoringInput("nicht im Text", [])).values["f1"]
    0.0
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.metrics import METRICS
from harness.metrics.base import (
    CorrectRule,
    HarnessMetric,
    MetricResult,
    ScoringInput,
    own_references,
)
from harness.text.abstain import is_abstention

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = frozenset(string.punctuation)
_DELETE_PUNCT = str.maketrans("", "", string.punctuation)  # the same deletion, in C


def normalize_answer(text: str) -> str:
    """Lowercase, delete ASCII punctuation, drop a/an/the, collapse whitespace."""
    text = text.lower()
    text = text.translate(_DELETE_PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def answer_tokens(text: str) -> list[str]:
    return normalize_answer(text).split() if text else []


def exact(gold: str, pred: str) -> int:
    return int(normalize_answer(gold) == normalize_answer(pred))


def f1(gold: str, pred: str) -> float:
    g, p = answer_tokens(gold), answer_tokens(pred)
    if not g or not p:
        return float(g == p)
    same = sum((Counter(g) & Counter(p)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def gold_answers(references: list[str] | tuple[str, ...]) -> list[str]:
    """The gold list as SQuAD v2 scores it: non-empty after normalisation, else ``[""]``."""
    kept = [a for a in references if normalize_answer(a)]
    return kept or [""]


@dataclass(frozen=True)
class SquadInputs:
    """Predictions and references in SQuAD's shape, keyed by question id.

    Attributes:
        predictions: ``id -> predicted text``.
        no_answer_probability: ``id -> probability that there is no answer``
            (0.0 where none was given).
        answers: ``id -> gold answer texts`` in reference order (empty: no answer).
    """

    predictions: dict[str, str]
    no_answer_probability: dict[str, float]
    answers: dict[str, list[str]]


def squad_inputs(predictions: Sequence[Any], references: Sequence[Any]) -> SquadInputs:
    """Read ``evaluate``'s SQuAD input forms, or plain strings.

    Predictions are ``{"id", "prediction_text"[, "no_answer_probability"]}``
    records or strings; references ``{"id", "answers": {"text": [...], ...}}``
    records (``answers`` may also be SQuAD's list of ``{"text": ...}``) or a
    string / list of strings each. Plain strings are matched by position (ids
    ``"0"``, ``"1"``, ...).

    Raises:
        ValueError: If the lists differ in length, a record lacks a field, a
            record's field has the wrong type, or a reference's id has no
            prediction; the message names the position and the field.

    >>> squad_inputs(["Keo"], [["Keo Chhea", "Keo"]]).answers
    {'0': ['Keo Chhea', 'Keo']}
    >>> squad_inputs([{"id": "q", "prediction_text": ""}], [{"id": "q", "answers": {"text": []}}])
    SquadInputs(predictions={'q': ''}, no_answer_probability={'q': 0.0}, answers={'q': []})
    """
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    preds: dict[str, str] = {}
    na: dict[str, float] = {}
    for i, p in enumerate(predictions):
        if isinstance(p, str):
            preds[str(i)], na[str(i)] = p, 0.0
            continue
        if not isinstance(p, Mapping):
            raise ValueError(f"predictions[{i}]: expected a string or a record, got {p!r:.80}")
        qid, text = p.get("id"), p.get("prediction_text")
        if not isinstance(qid, str):
            raise ValueError(f"predictions[{i}]: id: missing or not a string")
        if not isinstance(text, str):
            raise ValueError(f"predictions[{i}]: prediction_text: missing or not a string")
        prob = p.get("no_answer_probability", 0.0)
        if isinstance(prob, bool) or not isinstance(prob, int | float):
            raise ValueError(f"predictions[{i}]: no_answer_probability: not a number: {prob!r}")
        preds[qid], na[qid] = text, float(prob)
    answers: dict[str, list[str]] = {}
    for i, r in enumerate(references):
        if isinstance(r, str):
            answers[str(i)] = [r]
            continue
        if not isinstance(r, Mapping):
            if isinstance(r, Sequence) and all(isinstance(a, str) for a in r):
                answers[str(i)] = list(r)
                continue
            raise ValueError(f"references[{i}]: expected a string, strings or a record")
        qid, given = r.get("id"), r.get("answers")
        if not isinstance(qid, str):
            raise ValueError(f"references[{i}]: id: missing or not a string")
        texts = given.get("text") if isinstance(given, Mapping) else given
        if isinstance(texts, Sequence) and not isinstance(texts, str):
            texts = [t.get("text") if isinstance(t, Mapping) else t for t in texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValueError(
                f"references[{i}]: answers: expected {{'text': [strings]}} or [{{'text': ...}}]"
            )
        if qid not in preds:
            raise ValueError(f"references[{i}]: id: {qid!r} has no prediction")
        answers[qid] = texts
    return SquadInputs(preds, na, answers)


def squad_v2_results(
    inputs: SquadInputs, no_answer_threshold: float = 1.0
) -> dict[str, float | int]:
    """The official SQuAD v2 evaluation (``evaluate``'s ``squad_v2``, its 13 keys).

    ``exact``, ``f1`` (0–100) and ``total`` over every question; the same with
    ``HasAns_`` / ``NoAns_`` over the answerable / unanswerable ones (only when
    there are such); ``best_exact``, ``best_f1`` and their ``_thresh``: the best
    scores over every no-answer probability threshold. A question whose
    ``no_answer_probability`` exceeds ``no_answer_threshold`` counts as
    answered "no answer".

    >>> r = squad_v2_results(squad_inputs(["1976", ""], [["1976"], []]))
    >>> r["exact"], r["HasAns_total"], r["NoAns_exact"], r["best_f1_thresh"]
    (100.0, 1, 100.0, 0.0)
    """
    has_ans = {qid: bool(texts) for qid, texts in inputs.answers.items()}
    exact_raw: dict[str, float] = {}
    f1_raw: dict[str, float] = {}
    for qid, texts in inputs.answers.items():
        golds = gold_answers(texts)
        pred = inputs.predictions[qid]
        exact_raw[qid] = max(exact(g, pred) for g in golds)
        f1_raw[qid] = max(f1(g, pred) for g in golds)
    na = inputs.no_answer_probability

    def thresholded(raw: dict[str, float]) -> dict[str, float]:
        return {
            q: (float(not has_ans[q]) if na[q] > no_answer_threshold else v) for q, v in raw.items()
        }

    ex, f = thresholded(exact_raw), thresholded(f1_raw)

    def block(qids: list[str]) -> dict[str, float | int]:
        return {
            "exact": 100.0 * sum(ex[q] for q in qids) / len(qids),
            "f1": 100.0 * sum(f[q] for q in qids) / len(qids),
            "total": len(qids),
        }

    out: dict[str, float | int] = {}
    if not ex:
        return out
    out.update(block(list(ex)))
    for prefix, want in (("HasAns", True), ("NoAns", False)):
        qids = [q for q, v in has_ans.items() if v is want]
        if qids:
            out.update({f"{prefix}_{k}": v for k, v in block(qids).items()})
    for key, raw in (("exact", exact_raw), ("f1", f1_raw)):
        best, thresh = _best_threshold(inputs.predictions, raw, na, has_ans)
        out[f"best_{key}"], out[f"best_{key}_thresh"] = best, thresh
    return out


def _best_threshold(
    preds: Mapping[str, str],
    scores: Mapping[str, float],
    na: Mapping[str, float],
    has_ans: Mapping[str, bool],
) -> tuple[float, float]:
    """The official ``find_best_thresh``: the best score over no-answer thresholds."""
    cur = best = float(sum(1 for v in has_ans.values() if not v))
    thresh = 0.0
    for qid in sorted(na, key=lambda k: na[k]):
        if qid not in scores:
            continue
        diff = scores[qid] if has_ans[qid] else (-1.0 if preds[qid] else 0.0)
        cur += diff
        if cur > best:
            best, thresh = cur, na[qid]
    return 100.0 * best / len(scores), thresh


def squad_features(no_answer_probability: bool) -> list[Any]:
    """``evaluate``'s SQuAD features, then the plain-string forms (imports datasets)."""
    import datasets

    pred: dict[str, Any] = {
        "id": datasets.Value("string"),
        "prediction_text": datasets.Value("string"),
    }
    if no_answer_probability:
        pred["no_answer_probability"] = datasets.Value("float32")
    ref = {
        "id": datasets.Value("string"),
        "answers": datasets.Sequence(
            {"text": datasets.Value("string"), "answer_start": datasets.Value("int32")}
        ),
    }
    official = datasets.Features({"predictions": pred, "references": ref})
    return [official, *HarnessMetric.evaluate_features()]


@METRICS.register("squad_v2")
class SquadV2(HarnessMetric):
    metric_name = "squad_v2"
    tasks = ("qa",)
    keys = ("exact", "f1")
    correct_rules = (CorrectRule("exact", 100.0, "exact = 100"), CorrectRule("f1", 50.0, "F1 ≥ 50"))
    higher_is_better: ClassVar[dict[str, bool]] = {"exact": True, "f1": True}
    description = "SQuAD v2 exact match and F1 (official definitions, 0-100)."

    def __init__(self, abstention_as_empty: bool = False) -> None:
        if not isinstance(abstention_as_empty, bool):
            raise ValueError(
                f"squad_v2: abstention_as_empty must be true or false, got {abstention_as_empty!r}"
            )
        super().__init__(abstention_as_empty=abstention_as_empty)
        self.abstention_as_empty = abstention_as_empty

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Official EM and F1 (0–100), the maximum over the gold answers."""
        pred = item.prediction
        if self.abstention_as_empty and is_abstention(
            pred,
            answers=item.references,
            question=item.sample.input if item.sample is not None else "",
        ):
            pred = ""
        golds = gold_answers(list(item.references))
        em = max(exact(g, pred) for g in golds)
        f = max(f1(g, pred) for g in golds)
        return MetricResult({"exact": 100.0 * em, "f1": 100.0 * f})

    @classmethod
    def evaluate_features(cls) -> list[Any]:
        """``evaluate``'s records (id, prediction_text, no_answer_probability), or strings."""
        return squad_features(no_answer_probability=True)

    @own_references
    def compute(
        self,
        predictions: Sequence[Any],
        references: Sequence[Any],
        no_answer_threshold: float = 1.0,
    ) -> dict[str, Any]:
        """``evaluate``'s squad_v2: the official evaluation, the same inputs and keys.

        Args:
            predictions: ``{"id", "prediction_text", "no_answer_probability"}``
                records, or strings.
            references: ``{"id", "answers": {"text": [...], "answer_start": [...]}}``
                records, or a string / list of strings per prediction (matched
                by position).
            no_answer_threshold: A prediction whose no-answer probability
                exceeds this counts as "no answer" (default 1.0: never).

        Returns:
            ``exact``, ``f1`` (0–100), ``total``, ``HasAns_*`` / ``NoAns_*``
            where there are such questions, ``best_exact``, ``best_f1`` and
            their thresholds; numbers only.

        Raises:
            ValueError: On malformed records (the message names position and field).
        """
        inputs = squad_inputs(predictions, references)
        if self.abstention_as_empty:  # not official; the signature says so
            inputs = SquadInputs(
                {
                    q: "" if is_abstention(t, answers=inputs.answers.get(q, [])) else t
                    for q, t in inputs.predictions.items()
                },
                inputs.no_answer_probability,
                inputs.answers,
            )
        return squad_v2_results(inputs, no_answer_threshold)

    def signature(self) -> str:
        if self.abstention_as_empty:  # not the official definition: say so
            return "squad_v2|official-normalize|abstention_as_empty=True"
        return "squad_v2|official-normalize|official-no-answer"
