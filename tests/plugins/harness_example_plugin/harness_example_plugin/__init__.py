"""An example harness plugin: one runner and one metric, registered through entry points.

``pyproject.toml`` declares them; harness finds them by name with
``importlib.metadata`` (groups ``harness.runners`` and ``harness.metrics``).

Example:
    >>> from harness.prompts import build_request
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de",
    ...            input="Wer sprach?", references=("Keo Chhea",))
    >>> EchoQuestion(name="echo").generate([build_request(s, article="...")])[0].text
    'Wer sprach?'
    >>> AnswerLength().score_one(ScoringInput("Keo Chhea", ["Keo"])).values
    {'words': 2.0, 'ratio': 2.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.runners.base import stable_hash
from harness.types import Generation, Request

__version__ = "0.1.0"


class EchoQuestion:
    """Answers every question with the question itself; summaries with the instruction key."""

    def __init__(self, name: str, upper: bool = False) -> None:
        self.name = name
        self.upper = upper

    def fingerprint(self) -> str:
        return stable_hash("echo-question", __version__, self.upper)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        out = []
        for r in requests:
            text = r.sample.input.upper() if self.upper else r.sample.input
            out.append(Generation(r.sample_id, self.name, text, raw=text))
        return out


class AnswerLength(HarnessMetric):
    """Words in the prediction, and their ratio to the mean reference length."""

    metric_name = "answer_length"
    keys = ("words", "ratio")
    higher_is_better: ClassVar[dict[str, bool]] = {"words": False, "ratio": False}
    description = "Prediction length in words and its ratio to the references' mean length."

    def score_one(self, item: ScoringInput) -> MetricResult:
        words = float(len(item.prediction.split()))
        ref_words = [len(r.split()) for r in item.references if r.split()]
        values = {"words": words}
        if ref_words:
            values["ratio"] = words / (sum(ref_words) / len(ref_words))
        return MetricResult(values)
