"""Report sections for document-grounded scoring and paired comparisons.

Each function returns Markdown lines; :func:`harness.report.markdown.render_markdown`
places them after the per-task tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from harness.report.markdown import COLUMNS, PRIMARY, cell, decimals, fmt
from harness.stats import paired_compare
from harness.types import Sample, Score

ALPHA = 0.05  # the permutation test must agree: a bootstrap CI over 3 items says little
BASELINE_TYPES = frozenset({"abstain", "lead", "retrieval"})  # the oracle is a ceiling
PAIRED_KEYS = {
    "qa": ["answer_equivalence.score", "qa_de.exact", "qa_de.f1", "squad_v2.f1"],
    "summary": [
        "faithful_coverage.score",
        "rouge.rougeL",
        "rouge.rougeLsum",
        "chrf.chrf",
        "key_facts.recall",
    ],
}


def _detail_lines(metric: str, details: Mapping[str, Any]) -> list[str]:
    if metric == "key_facts":
        from harness.metrics.key_facts import report_lines as kf

        return kf(details, max_missed=8)
    if metric == "hallucination":
        from harness.metrics.hallucination import report_lines as hl

        return hl(details)
    return []


def grounded_sections(
    runners: Sequence[str],
    results: Mapping[str, Any],
    scores: Sequence[Score],
    by_id: Mapping[str, Sample],
    max_items: int = 12,
) -> list[str]:
    """Key facts found and missed, invented dates/numbers/names, abstention behaviour."""
    lines: list[str] = []
    per_runner: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        per_runner[s.runner].append(s)

    if any(
        "key_facts.recall" in results.get(r, {}).get("summary", {}).get("metrics", {})
        for r in runners
    ):
        lines += [
            "## Key facts in summaries",
            "",
            "Weighted recall of the gold key facts; the facts each summary contradicted "
            "(stated with another value) and missed.",
            "",
        ]
        lines += [
            "| runner | key-fact recall | summary | found | contradicted | missed |",
            "|---|---:|---|---:|---|---|",
        ]
        for r in runners:
            est = results.get(r, {}).get("summary", {}).get("metrics", {}).get("key_facts.recall")
            rows = sorted(
                (s for s in per_runner[r] if "key_facts" in s.details), key=lambda s: s.sample_id
            )
            for i, s in enumerate(rows):
                d = s.details["key_facts"]
                detail = _detail_lines("key_facts", d)
                missed = [x for x in detail if x.startswith("missed: ")]
                wrong = [x.removeprefix("contradicted: ") for x in detail if x.startswith("contra")]
                n_found, n_wrong = len(d.get("found", [])), len(d.get("contradicted", []))
                found = f"{n_found}/{n_found + n_wrong + len(d.get('missed', []))}"
                lines.append(
                    f"| {cell(r) if i == 0 else ''} | {fmt(est, 3) if i == 0 else ''} | "
                    f"{cell(by_id[s.sample_id].input)} | {found} | "
                    f"{cell('; '.join(wrong)) if wrong else 'none'} | "
                    f"{cell('; '.join(missed)) if missed else 'nothing missed'} |"
                )
        lines.append("")

    if any(
        k.startswith("hallucination.")
        for r in runners
        for t in ("qa", "summary")
        for k in results.get(r, {}).get(t, {}).get("metrics", {})
    ):
        lines += [
            "## Hallucinated dates, numbers and names",
            "",
            "Every date, year and number in an output must occur in the source article; "
            "names that never occur there are listed separately (a heuristic).",
            "",
        ]
        lines += [
            "| runner | task | outputs with an invented date/number | rate of unsupported "
            "mentions | examples |",
            "|---|---|---:|---:|---|",
        ]
        for r in runners:
            for task in ("qa", "summary"):
                m = results.get(r, {}).get(task, {}).get("metrics", {})
                if "hallucination.has_hallucination" not in m:
                    continue
                offending: list[str] = []
                for s in sorted(per_runner[r], key=lambda s: s.sample_id):
                    if by_id[s.sample_id].task != task or "hallucination" not in s.details:
                        continue
                    for line in _detail_lines("hallucination", s.details["hallucination"]):
                        offending.append(f"{s.sample_id.split('/', 1)[-1]}: {line}")
                shown = "; ".join(offending[:max_items])
                if len(offending) > max_items:
                    shown += f" (+{len(offending) - max_items} more)"
                corpus = results.get(r, {}).get(task, {}).get("corpus", {})
                rate = corpus.get("hallucination.pooled_rate")
                lines.append(
                    f"| {cell(r)} | {task} | {fmt(m['hallucination.has_hallucination'], 3)} | "
                    f"{'–' if rate is None else f'{rate:.3f}'} | "
                    f"{cell(shown) if shown else 'none'} |"
                )
        lines.append("")

    abst = {r: results.get(r, {}).get("qa", {}).get("corpus", {}) for r in runners}
    if any("abstention.recall" in c or "abstention.precision" in c for c in abst.values()):
        lines += [
            "## Abstention on unanswerable questions",
            "",
            "Recall: unanswerable questions the runner declined; precision: its abstentions "
            "that were right; confident wrong: unanswerable questions it answered anyway; "
            "false abstention: answerable questions it declined.",
            "",
        ]
        keys = ["precision", "recall", "f1", "confident_wrong_rate", "false_abstention_rate"]
        lines += ["| runner | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
        for r in runners:
            c = abst[r]
            vals = [f"{c[f'abstention.{k}']:.3f}" if f"abstention.{k}" in c else "–" for k in keys]
            lines.append(f"| {cell(r)} | " + " | ".join(vals) + " |")
        lines.append("")
    return lines


def best_baseline(
    task: str, runners: Sequence[str], results: Mapping[str, Any], types: Mapping[str, str]
) -> str | None:
    """The baseline runner with the highest primary metric on ``task`` (the first of the
    report's columns that the run has, when it lacks the headline metric)."""
    have = {k for r in runners for k in results.get(r, {}).get(task, {}).get("metrics", {})}
    key = next((k for k in (PRIMARY[task], *COLUMNS[task]) if k in have), PRIMARY[task])
    cands = [
        (results[r][task]["metrics"][key]["value"], r)
        for r in runners
        if types.get(r) in BASELINE_TYPES
        and key in results.get(r, {}).get(task, {}).get("metrics", {})
    ]
    return max(cands)[1] if cands else None


def paired_section(
    runners: Sequence[str],
    results: Mapping[str, Any],
    scores: Sequence[Score],
    by_id: Mapping[str, Sample],
    types: Mapping[str, str],
    resamples: int = 1000,
    seed: int = 0,
) -> list[str]:
    """Each model runner against the best baseline, item by item (paired bootstrap, permutation)."""
    from harness.report.compare import is_significant

    models = [r for r in runners if types.get(r) not in BASELINE_TYPES | {"oracle"}]
    if not models:
        return []
    table: dict[tuple[str, str], dict[str, float]] = {}
    for s in scores:
        table[(s.runner, s.sample_id)] = dict(s.values)
    lines = [
        "## Paired comparison against the best baseline",
        "",
        "Difference model − baseline on the same items, with its paired bootstrap 95% CI, "
        "the permutation-test p-value and per-item wins / losses / ties. "
        f"Significant means the CI excludes 0 and p < {ALPHA}.",
        "",
    ]
    lines += [
        "| task | model | baseline | metric | n | difference [95% CI] | p | wins/losses/ties | |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for task in ("qa", "summary"):
        base = best_baseline(task, runners, results, types)
        if base is None:
            continue
        ids = sorted(sid for (r, sid) in table if r == base and by_id[sid].task == task)
        for model in models:
            for key in PAIRED_KEYS[task]:
                pairs = [
                    (table[(base, i)][key], table[(model, i)][key])
                    for i in ids
                    if (model, i) in table and key in table[(model, i)] and key in table[(base, i)]
                ]
                if not pairs:
                    continue
                c = paired_compare(
                    [a for a, _ in pairs], [b for _, b in pairs], resamples=resamples, seed=seed
                )
                places = decimals(key)
                verdict = "no significant difference"
                if is_significant(c, ALPHA):
                    verdict = "**better**" if c.low > 0 else "**worse**"
                lines.append(
                    f"| {task} | {cell(model)} | {cell(base)} | {key} | {c.n} | "
                    f"{c.diff:+.{places}f} [{c.low:+.{places}f}, {c.high:+.{places}f}] | "
                    f"{c.p_permutation:.3f} | {c.wins}/{c.losses}/{c.ties} | {verdict} |"
                )
    lines.append("")
    return lines
