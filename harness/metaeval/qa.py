"""Meta-evaluation of QA metrics against the human verdicts shipped with the gold.

Every judged answer (``judgements.jsonl``) is scored by each metric as if a
runner had produced it; the metric's values map to "right" through its
:attr:`~harness.metrics.base.HarnessMetric.correct_rules` (``exact`` = 100,
F1 ≥ 50, the verdict ``correct``, ...). People's "right" is the verdict
``correct``, or ``abstained`` on a question the article does not answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.gold.judgements import VERDICTS, load_qa_judgements
from harness.gold.load import GoldDocument, build_samples
from harness.metaeval.agreement import BinaryAgreement, binary_agreement, kappa, label_confusion
from harness.metrics.base import CorrectRule, HarnessMetric, MetricResult, ScoringInput
from harness.stats import DEFAULT_RESAMPLES
from harness.types import Sample

__all__ = [
    "Disagreement",
    "JudgedAnswer",
    "QAMetricAgreement",
    "VerdictAgreement",
    "evaluate_qa",
    "human_right",
    "judged_answers",
]


@dataclass(frozen=True)
class JudgedAnswer:
    """One answer with its human verdict, and what a metric needs to score it."""

    sample: Sample
    answer: str
    verdict: str
    reason: str
    source_text: str
    facts: tuple[Mapping[str, Any], ...] = ()
    written_by: str | None = None

    def scoring_input(self) -> ScoringInput:
        return ScoringInput(
            prediction=self.answer,
            references=list(self.sample.references),
            sample=self.sample,
            source=self.source_text,
            facts=self.facts,
        )


def human_right(j: JudgedAnswer) -> bool:
    """People call the answer right: ``correct``, or an abstention where the article is silent."""
    return j.verdict == "correct" or (j.verdict == "abstained" and not j.sample.answerable)


def judged_answers(docs: Sequence[GoldDocument]) -> list[JudgedAnswer]:
    """Every judged QA answer of ``docs``, with the sample of the language it was asked in.

    Raises:
        harness.gold.load.GoldError: For a malformed judgement file (file, line, field).
    """
    out: list[JudgedAnswer] = []
    for doc in docs:
        judgements = load_qa_judgements(doc)
        if not judgements:
            continue
        samples: dict[str, Sample] = {}
        langs = {j.language or doc.language for j in judgements}
        for lang in sorted(langs):
            for s in build_samples([doc], ["qa"], [lang]):
                samples[s.id] = s
        facts = tuple(f.model_dump() for f in doc.facts)
        for j in judgements:
            suffix = "" if j.language in (None, doc.language) else f"@{j.language}"
            sample = samples[f"{doc.id}/{j.qa_id}{suffix}"]
            out.append(
                JudgedAnswer(sample, j.answer, j.verdict, j.reason, doc.article, facts, j.source)
            )
    return out


@dataclass(frozen=True)
class Disagreement:
    """A judged answer on which a metric's call differs from people's."""

    sample_id: str
    question: str
    answer: str
    verdict: str
    reason: str
    values: Mapping[str, float]
    metric_reason: str


@dataclass(frozen=True)
class VerdictAgreement:
    """Four-way agreement of a metric that gives verdicts (``answer_equivalence``)."""

    labels: tuple[str, ...]
    matrix: list[list[int]]
    accuracy: float
    kappa: float


@dataclass(frozen=True)
class QAMetricAgreement:
    """One metric under one correctness rule against the human verdicts."""

    metric: str
    rule: str
    agreement: BinaryAgreement
    disagreements: list[Disagreement] = field(default_factory=list)
    skipped: int = 0  # items the metric gave no value for
    verdicts: VerdictAgreement | None = None


def _metric_reason(result: MetricResult) -> str:
    d = result.details
    for key in ("reason", "no_value"):
        if isinstance(d.get(key), str):
            return str(d[key])
    if d.get("abstained"):
        return "counted as an abstention"
    return ""


def _for_rule(
    metric: HarnessMetric,
    rule: CorrectRule,
    judged: Sequence[JudgedAnswer],
    results: Sequence[MetricResult],
    resamples: int,
    seed: int,
) -> QAMetricAgreement:
    human: list[bool] = []
    calls: list[bool] = []
    disagreements: list[Disagreement] = []
    skipped = 0
    for j, r in zip(judged, results, strict=True):
        call = rule.holds(r.values)
        if call is None:
            skipped += 1
            continue
        right = human_right(j)
        human.append(right)
        calls.append(call)
        if call != right:
            disagreements.append(
                Disagreement(
                    j.sample.id,
                    j.sample.input,
                    j.answer,
                    j.verdict,
                    j.reason,
                    dict(r.values),
                    _metric_reason(r),
                )
            )
    verdicts = None
    got = [r.details.get("verdict") for r in results]
    if all(isinstance(v, str) for v in got) and got:
        labels = tuple(VERDICTS)
        hv = [j.verdict for j in judged]
        mv = [str(v) for v in got]
        verdicts = VerdictAgreement(
            labels,
            label_confusion(hv, mv, labels),
            sum(a == b for a, b in zip(hv, mv, strict=True)) / len(hv),
            kappa(hv, mv),
        )
    return QAMetricAgreement(
        metric.metric_name,
        rule.label,
        binary_agreement(human, calls, resamples, seed),
        disagreements,
        skipped,
        verdicts,
    )


def evaluate_qa(
    judged: Sequence[JudgedAnswer],
    metrics: Sequence[HarnessMetric],
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[QAMetricAgreement]:
    """Score every judged answer with each metric; one row per metric and correctness rule.

    Metrics without :attr:`correct_rules` (counts and rates such as ``hallucination``)
    are left out: they make no right/wrong call.
    """
    rows: list[QAMetricAgreement] = []
    items = [j.scoring_input() for j in judged]
    for metric in metrics:
        if not metric.correct_rules or not judged:
            continue
        results = metric.score_many(items)
        for rule in metric.correct_rules:
            rows.append(_for_rule(metric, rule, judged, results, resamples, seed))
    return rows
