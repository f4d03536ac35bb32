"""Meta-evaluation of summary metrics against the judged summaries of the gold.

Three questions, each answered from ``summary_judgements.jsonl``:

* **Ranking** — does a metric order summaries as people rate them (1–5)? For
  every pair of judged summaries of the same length with different ratings,
  a metric is right when it orders them the same way (a tie counts half):
  *pairwise ranking accuracy*. Kendall's tau-b (``scipy.stats.kendalltau``)
  per length, averaged weighted by the number of summaries.
* **Key facts** — does ``key_facts`` give each fact the state people gave it
  (present / missing / contradicted)? Accuracy and Cohen's kappa over all
  (summary, fact) pairs, and the 3 × 3 confusion matrix.
* **Planted errors** — of the errors planted on purpose (wrong date, year,
  number, person, role, invented name, venue), how many does a metric flag
  (a flagged span of ``hallucination`` or a contradicted fact of
  ``key_facts``/``faithful_coverage`` overlapping the planted span)? Flags on
  the gold's reference summaries and gold answers are false alarms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.gold.judgements import FACT_STATES, SummaryJudgement, load_summary_judgements
from harness.gold.load import GoldDocument, build_samples
from harness.metaeval.agreement import kappa, label_confusion
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput
from harness.types import Sample

__all__ = ["RankingRow", "SummaryMetaEval", "evaluate_summaries", "ranking_key"]

# Which value ranks summaries, for metrics whose first key is not it.
_RANK_KEYS: Mapping[str, str] = {"rouge": "rougeL", "hallucination": "rate", "bertscore": "f1"}
_CHECKED_TYPES = ("date", "year", "number", "person", "role", "name", "venue", "other")
_DATE_NUMBER_NAME = ("date", "year", "number", "name", "person")  # issue 11's goal


def ranking_key(metric: HarnessMetric) -> str:
    """The value of ``metric`` that ranks summaries (its first key unless listed above)."""
    key = _RANK_KEYS.get(metric.metric_name)
    if key is not None and key in metric.keys:
        return key
    return metric.keys[0]


@dataclass(frozen=True)
class _Judged:
    judgement: SummaryJudgement
    item: ScoringInput


@dataclass(frozen=True)
class RankingRow:
    metric: str
    key: str
    higher_is_better: bool
    pairs: int
    accuracy: float
    kendall_tau: float


@dataclass(frozen=True)
class FactAgreement:
    metric: str
    n: int
    accuracy: float
    kappa: float
    matrix: list[list[int]]
    disagreements: list[tuple[str, str, str, str]]  # summary id, fact id, people, metric


@dataclass(frozen=True)
class PlantedRow:
    metric: str
    planted: int
    caught: int
    by_type: Mapping[str, tuple[int, int]]  # type -> (caught, planted)
    flags: int  # all flagged spans on judged summaries
    flags_on_planted: int
    false_alarms_references: int  # reference summaries with a flag
    references: int
    false_alarms_answers: int  # gold answers with a flag
    answers: int
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # id, type, text


@dataclass(frozen=True)
class SummaryMetaEval:
    """Every summary agreement figure, ready to print."""

    n: int
    ranking: list[RankingRow]
    facts: list[FactAgreement]
    planted: list[PlantedRow]

    def tables(self) -> list[str]:
        out = [
            f"Summaries: {self.n} judged summaries; pairwise ranking accuracy over pairs of the "
            "same length with different ratings (metric ties count half)",
            "",
            "| metric | value | pairs | ranking accuracy % | Kendall τ-b |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for r in self.ranking:
            arrow = "" if r.higher_is_better else " (lower is better)"
            tau = "–" if r.kendall_tau != r.kendall_tau else f"{r.kendall_tau:.3f}"
            out.append(
                f"| {r.metric} | {r.key}{arrow} | {r.pairs} | {100 * r.accuracy:.1f} | {tau} |"
            )
        if self.facts:
            out += [
                "",
                "| key facts by | (summary, fact) pairs | agreement % | Cohen's κ |",
                "| --- | ---: | ---: | ---: |",
            ]
            for f in self.facts:
                out.append(f"| {f.metric} | {f.n} | {100 * f.accuracy:.1f} | {f.kappa:.3f} |")
        if self.planted:
            out += [
                "",
                "| planted errors caught by | caught | recall % | dates, numbers, names "
                "| precision of flags % | false alarms: references | false alarms: gold answers |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for p in self.planted:
                recall = 100 * p.caught / p.planted if p.planted else float("nan")
                prec = f"{100 * p.flags_on_planted / p.flags:.1f}" if p.flags else "–"
                dnn = [p.by_type[t] for t in _DATE_NUMBER_NAME if t in p.by_type]
                c, n = sum(x for x, _ in dnn), sum(y for _, y in dnn)
                sub = f"{c}/{n} ({100 * c / n:.1f}%)" if n else "–"
                out.append(
                    f"| {p.metric} | {p.caught}/{p.planted} | {recall:.1f} | {sub} | {prec} "
                    f"| {p.false_alarms_references}/{p.references} "
                    f"| {p.false_alarms_answers}/{p.answers} |"
                )
        return out

    def details(self) -> list[str]:
        out: list[str] = []
        for f in self.facts:
            out += [
                f"### Key-fact states by {f.metric}: people (rows) × metric (columns)",
                "",
                "| people \\ metric | " + " | ".join(FACT_STATES) + " |",
                "| --- |" + " ---: |" * len(FACT_STATES),
            ]
            for label, row in zip(FACT_STATES, f.matrix, strict=True):
                out.append(f"| {label} | " + " | ".join(str(c) for c in row) + " |")
            if f.disagreements:
                out += ["", "| summary | fact | people | metric |", "| --- | --- | --- | --- |"]
                out += [f"| {s} | {k} | {a} | {b} |" for s, k, a, b in f.disagreements]
            out.append("")
        for p in self.planted:
            kinds = ", ".join(f"{t} {c}/{n}" for t, (c, n) in sorted(p.by_type.items()))
            out += [f"### Planted errors, {p.metric}: {kinds}", ""]
            if p.missed:
                out += ["| summary | type | planted text (not flagged) |", "| --- | --- | --- |"]
                out += [f"| {i} | {t} | {x.replace('|', '/')} |" for i, t, x in p.missed]
                out.append("")
        return out


def _judged(docs: Sequence[GoldDocument]) -> list[_Judged]:
    out: list[_Judged] = []
    for doc in docs:
        judgements = load_summary_judgements(doc)
        if not judgements:
            continue
        facts = tuple(f.model_dump() for f in doc.facts)
        langs = sorted({j.language for j in judgements})
        samples: dict[tuple[str, str], Sample] = {}
        for lang in langs:
            for s in build_samples([doc], ["summary"], [lang]):
                samples[(s.input, s.language)] = s
        for j in judgements:
            sample = samples.get((j.length, j.language)) or Sample(
                f"{doc.id}/judged-{j.id}",
                doc.id,
                "summary",
                j.language,
                j.length,
                (),
                category=j.length,
                answer_type="summary",
            )
            item = ScoringInput(
                j.text, list(sample.references), sample=sample, source=doc.article, facts=facts
            )
            out.append(_Judged(j, item))
    return out


def _ranking(
    metric: HarnessMetric, judged: Sequence[_Judged], results: Sequence[MetricResult]
) -> RankingRow:
    from scipy.stats import kendalltau

    key = ranking_key(metric)
    sign = 1.0 if metric.is_higher_better(key) else -1.0
    groups: dict[str, list[tuple[float, float]]] = {}
    for j, r in zip(judged, results, strict=True):
        if key in r.values:
            groups.setdefault(j.judgement.length, []).append(
                (float(j.judgement.rating), sign * float(r.values[key]))
            )
    right = pairs = 0.0
    taus: list[tuple[float, int]] = []
    for rows in groups.values():
        for i in range(len(rows)):
            for k in range(i + 1, len(rows)):
                (ha, ma), (hb, mb) = rows[i], rows[k]
                if ha == hb:
                    continue
                pairs += 1
                if ma == mb:
                    right += 0.5
                elif (ma > mb) == (ha > hb):
                    right += 1
        if len(rows) >= 3:
            tau = kendalltau([h for h, _ in rows], [m for _, m in rows]).statistic
            if tau == tau:
                taus.append((float(tau), len(rows)))
    mean_tau = sum(t * n for t, n in taus) / sum(n for _, n in taus) if taus else float("nan")
    return RankingRow(
        metric.metric_name,
        key,
        metric.is_higher_better(key),
        int(pairs),
        right / pairs if pairs else float("nan"),
        mean_tau,
    )


def _fact_states(details: Mapping[str, Any]) -> dict[str, str] | None:
    if not isinstance(details.get("missed"), list) or not isinstance(details.get("found"), list):
        return None
    states: dict[str, str] = {}
    for state, key in (
        ("present", "found"),
        ("missing", "missed"),
        ("contradicted", "contradicted"),
    ):
        for f in details.get(key) or ():
            if isinstance(f, Mapping) and "id" in f:
                states[str(f["id"])] = state
    return states


def _fact_agreement(
    metric: str, judged: Sequence[_Judged], results: Sequence[MetricResult]
) -> FactAgreement | None:
    people: list[str] = []
    calls: list[str] = []
    disagreements: list[tuple[str, str, str, str]] = []
    for j, r in zip(judged, results, strict=True):
        states = _fact_states(r.details)
        if states is None:
            return None
        for fact_id, state in j.judgement.facts.items():
            got = states.get(fact_id, "missing")
            people.append(state)
            calls.append(got)
            if got != state:
                disagreements.append((j.judgement.id, fact_id, state, got))
    if not people:
        return None
    return FactAgreement(
        metric,
        len(people),
        sum(a == b for a, b in zip(people, calls, strict=True)) / len(people),
        kappa(people, calls),
        label_confusion(people, calls, FACT_STATES),
        disagreements,
    )


def _flag_spans(details: Mapping[str, Any]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for key in ("unsupported", "names"):
        for u in details.get(key) or ():
            if isinstance(u, Mapping) and "start" in u and "end" in u:
                spans.append((int(u["start"]), int(u["end"])))
    for f in details.get("contradicted") or ():
        if isinstance(f, Mapping) and isinstance(f.get("span"), list | tuple):
            spans.append((int(f["span"][0]), int(f["span"][1])))
    return spans


def _flags_anything(metric: HarnessMetric) -> bool:
    return metric.metric_name in ("hallucination", "key_facts", "faithful_coverage") or any(
        k in ("unsupported", "contradicted") for k in metric.keys
    )


def _planted(
    metric: HarnessMetric,
    judged: Sequence[_Judged],
    results: Sequence[MetricResult],
    docs: Sequence[GoldDocument],
) -> PlantedRow:
    by_type: Counter[str] = Counter()
    caught_type: Counter[str] = Counter()
    missed: list[tuple[str, str, str]] = []
    flags = flags_on = 0
    for j, r in zip(judged, results, strict=True):
        spans = _flag_spans(r.details)
        planted = []
        for e in j.judgement.errors:
            if e.type not in _CHECKED_TYPES or not e.text:
                continue
            start = j.judgement.text.find(e.text)
            planted.append((start, start + len(e.text), e))
        flags += len(spans)
        flags_on += sum(any(s < pe and ps < e for ps, pe, _ in planted) for s, e in spans)
        for ps, pe, err in planted:
            by_type[err.type] += 1
            if any(s < pe and ps < e for s, e in spans):
                caught_type[err.type] += 1
            else:
                missed.append((j.judgement.id, err.type, err.text))
    refs = answers = ref_alarms = answer_alarms = 0
    for doc in docs:
        facts = tuple(f.model_dump() for f in doc.facts)
        ref_items = [
            ScoringInput(
                s.text,
                [],
                sample=_summary_sample(doc, s.length, s.language),
                source=doc.article,
                facts=facts,
            )
            for s in doc.summaries
        ]
        for res in metric.score_many(ref_items):
            refs += 1
            ref_alarms += bool(_flag_spans(res.details))
        if "qa" in metric.tasks:
            samples = {s.id.rsplit("/", 1)[-1]: s for s in build_samples([doc], ["qa"])}
            gold_items = [
                ScoringInput(
                    a, list(q.answers), sample=samples[q.id], source=doc.article, facts=facts
                )
                for q in doc.qa
                for a in q.answers
            ]
            for res in metric.score_many(gold_items):
                answers += 1
                answer_alarms += bool(_flag_spans(res.details))
    return PlantedRow(
        metric.metric_name,
        sum(by_type.values()),
        sum(caught_type.values()),
        {t: (caught_type[t], n) for t, n in by_type.items()},
        flags,
        flags_on,
        ref_alarms,
        refs,
        answer_alarms,
        answers,
        missed,
    )


def _summary_sample(doc: GoldDocument, length: str, language: str) -> Sample:
    return Sample(
        f"{doc.id}/summary-{length}",
        doc.id,
        "summary",
        language,
        length,
        (),
        category=length,
        answer_type="summary",
    )


def evaluate_summaries(
    docs: Sequence[GoldDocument], metrics: Sequence[HarnessMetric]
) -> SummaryMetaEval | None:
    """Every summary agreement figure of ``metrics`` on the judged summaries of ``docs``.

    Returns None when no document has judged summaries.

    Raises:
        harness.gold.load.GoldError: For a malformed judgement file (file, line, field).
    """
    judged = _judged(docs)
    if not judged:
        return None
    items = [j.item for j in judged]
    ranking: list[RankingRow] = []
    facts: list[FactAgreement] = []
    planted: list[PlantedRow] = []
    for metric in metrics:
        results = metric.score_many(items)
        ranking.append(_ranking(metric, judged, results))
        fa = _fact_agreement(metric.metric_name, judged, results)
        if fa is not None:
            facts.append(fa)
        if _flags_anything(metric):
            planted.append(_planted(metric, judged, results, docs))
    return SummaryMetaEval(len(judged), ranking, facts, planted)
