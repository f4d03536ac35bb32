"""The Markdown report: tables per task with CIs, categories, and the worst samples."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.text.display import neutral_markdown, printable
from harness.types import Generation, Score

if TYPE_CHECKING:
    from harness.pipeline import Context

# The metric keys shown per task, in order, and the one that ranks samples.
COLUMNS = {
    "qa": ["answer_equivalence.score", "qa_de.exact", "qa_de.f1", "squad_v2.exact", "squad_v2.f1"],
    "summary": [
        "faithful_coverage.score",
        "rouge.rouge1",
        "rouge.rouge2",
        "rouge.rougeL",
        "rouge.rougeLsum",
        "chrf.chrf",
        "chrf.chrf_pp",
    ],
}
PRIMARY = {"qa": "answer_equivalence.score", "summary": "faithful_coverage.score"}


def cell(text: str, limit: int = 300) -> str:
    """Text made safe for one Markdown table cell: escaped HTML, pipes, no line breaks.

    Control and direction-override characters show as U+FFFD; images, links,
    ``@mentions`` and ``#123`` references are neutralised (a report posted as a
    pull-request comment loads nothing and notifies nobody).

    >>> cell("![x](http://e.vil/p.png) cc @alice #7 |")
    '!\\\\[x\\\\](http://e.vil/p.png) cc @\u200balice #\u200b7 \\\\|'
    """
    text = printable(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(text, quote=False)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    text = text.replace("\r", "").replace("\n", "<br>")
    return neutral_markdown(text) or "∅"


def code(text: str) -> str:
    """``text`` as one inline code span that no backtick or line break in it can end.

    >>> code("a`b")
    '``a`b``'
    """
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text or ' '}{pad}{fence}"


def decimals(key: str) -> int:
    """ROUGE, answer equivalence and the key-fact scores are on 0-1, the others on 0-100: each
    on its native scale."""
    zero_one = ("rouge.", "faithful_coverage.", "key_facts.", "answer_equivalence.")
    return 3 if key.startswith(zero_one) else 1


def fmt(est: Mapping[str, Any] | None, places: int = 1) -> str:
    """``value [low, high]`` of an estimate, or a dash when there is none."""
    if not est or est.get("n", 0) == 0 or math.isnan(est["value"]):
        return "–"
    v, lo, hi = (est[k] for k in ("value", "low", "high"))
    return f"{v:.{places}f} [{lo:.{places}f}, {hi:.{places}f}]"


def _columns(task: str, results: Mapping[str, Any]) -> list[str]:
    present = {k for r in results.values() for k in r.get(task, {}).get("metrics", {})}
    cols = [c for c in COLUMNS.get(task, []) if c in present]
    return cols + sorted(present - set(cols))


def render_markdown(
    run_dir: Path,
    ctx: Context,
    scores: Sequence[Score],
    generations: Sequence[Generation] | Mapping[tuple[str, str], Generation],
    summary: Mapping[str, Any],
    manifest: Mapping[str, Any],
    worst: int = 5,
) -> str:
    """``report.md`` of a run.

    Args:
        scores: One :class:`Score` per runner and sample; the values, and the
            ``key_facts`` and ``hallucination`` details, are read.
        generations: The generations, or a mapping ``(runner, sample_id) ->
            Generation`` (only the worst samples' are looked up).
    """
    results: Mapping[str, Any] = summary["results"]
    runners: list[str] = list(summary["runners"])
    lines = [f"# Evaluation report: {cell(run_dir.name)}", ""]
    doc_ids = list(ctx.docs)
    docs = ", ".join(f"`{cell(d)}`" for d in doc_ids[:5])
    if len(doc_ids) > 5:
        docs += f" and {len(doc_ids) - 5} more ({len(doc_ids)} documents)"
    lines.append(
        f"Gold: {docs}. Runners: {', '.join(cell(r) for r in runners)}. "
        f"Values are means with seeded bootstrap 95% confidence intervals "
        f"(answer equivalence, faithful coverage, key facts and ROUGE on 0–1, the others on 0–100)."
    )
    lines.append("")
    by_id = ctx.by_id
    gens = (
        generations
        if isinstance(generations, Mapping)
        else {(g.runner, g.sample_id): g for g in generations}
    )
    for task, title in (("qa", "Question answering"), ("summary", "Summaries")):
        if not any(task in results.get(r, {}) for r in runners):
            continue
        cols = _columns(task, results)
        lines += [f"## {title}", ""]
        lines.append("| runner | n | errors | " + " | ".join(cols) + " |")
        lines.append("|---|---:|---:|" + "---:|" * len(cols))
        for r in runners:
            res = results.get(r, {}).get(task)
            if not res:
                continue
            vals = [fmt(res["metrics"].get(c), decimals(c)) for c in cols]
            lines.append(f"| {cell(r)} | {res['n']} | {res['errors']} | " + " | ".join(vals) + " |")
        lines.append("")
        corpus = {r: results.get(r, {}).get(task, {}).get("corpus", {}) for r in runners}
        if any(corpus.values()):
            keys = sorted({k for c in corpus.values() for k in c})
            lines += ["Corpus-level scores (not a mean of per-sample scores):", ""]
            lines.append("| runner | " + " | ".join(keys) + " |")
            lines.append("|---|" + "---:|" * len(keys))
            for r in runners:
                if corpus.get(r):
                    lines.append(
                        f"| {cell(r)} | "
                        + " | ".join(f"{corpus[r].get(k, float('nan')):.2f}" for k in keys)
                        + " |"
                    )
            lines.append("")
        primary = PRIMARY[task] if PRIMARY[task] in cols else (cols[0] if cols else "")
        if task == "qa":
            split = next(
                (k for k in ("answer_equivalence.score", "qa_de.exact") if k in cols), ""
            )
            lines += [f"### Answerable vs unanswerable (`{split}`)", ""]
            lines.append("| runner | answerable | unanswerable (abstained correctly) |")
            lines.append("|---|---:|---:|")
            for r in runners:
                sub = results.get(r, {}).get("qa", {}).get("subsets", {})
                lines.append(
                    f"| {cell(r)} | {fmt(sub.get('answerable', {}).get(split), decimals(split))}"
                    f" | {fmt(sub.get('unanswerable', {}).get(split), decimals(split))} |"
                )
            lines.append("")
        if primary:
            cats = sorted(
                {c for r in runners for c in results.get(r, {}).get(task, {}).get("categories", {})}
            )
            lines += [f"### Per category (`{primary}`)", ""]
            lines.append("| category | n | " + " | ".join(cell(r) for r in runners) + " |")
            lines.append("|---|---:|" + "---:|" * len(runners))
            for c in cats:
                n = max(
                    (
                        results[r][task]["categories"].get(c, {}).get(primary, {}).get("n", 0)
                        for r in runners
                        if task in results.get(r, {})
                    ),
                    default=0,
                )
                row = [
                    fmt(
                        results.get(r, {})
                        .get(task, {})
                        .get("categories", {})
                        .get(c, {})
                        .get(primary),
                        decimals(primary),
                    )
                    for r in runners
                ]
                few = " (few items)" if n < 5 else ""
                lines.append(f"| {cell(c)}{few} | {n} | " + " | ".join(row) + " |")
            lines.append("")
            if worst:
                lines += [f"### Worst samples per runner (by `{primary}`)", ""]
                for r in runners:
                    rows = [
                        s
                        for s in scores
                        if s.runner == r and by_id[s.sample_id].task == task and primary in s.values
                    ]
                    rows.sort(key=lambda s: (s.values[primary], s.sample_id))
                    if not rows:
                        continue
                    lines += [
                        f"**{cell(r)}**",
                        "",
                        "| sample | input | gold | prediction | score |",
                        "|---|---|---|---|---:|",
                    ]
                    for s in rows[:worst]:
                        sample = by_id[s.sample_id]
                        g = gens.get((r, s.sample_id))
                        pred = g.text if g else ""
                        if g and g.error:
                            pred = f"[error] {g.error}"
                        gold = (
                            " / ".join(sample.references[:3])
                            if sample.references
                            else ("(unanswerable: abstain)")
                        )
                        inp = sample.input if task == "qa" else f"summary: {sample.input}"
                        lines.append(
                            f"| `{cell(s.sample_id)}` | {cell(inp)} | {cell(gold)} | "
                            f"{cell(pred)} | {s.values[primary]:.3g} |"
                        )
                    lines.append("")
    from harness.report.sections import grounded_sections, paired_section

    types = {name: str(info.get("type")) for name, info in manifest.get("runners", {}).items()}
    boot = manifest.get("bootstrap", {})
    lines += grounded_sections(runners, results, scores, by_id)
    lines += paired_section(runners, results, scores, by_id, types,
                            resamples=int(boot.get("resamples", 1000)) or 1000,
                            seed=int(boot.get("seed", 0)))
    lines += ["## Run", ""]
    trusted = [n for n, i in manifest.get("runners", {}).items() if i.get("trust_remote_code")]
    if trusted:
        lines += [
            f"> **Warning: `trust_remote_code` was on** for {', '.join(cell(n) for n in trusted)}: "
            "code shipped with the model ran on this machine.",
            "",
        ]
    lines.append(f"- git commit: `{manifest.get('git_commit') or 'unknown'}`")
    for name, info in manifest.get("runners", {}).items():
        fp = info.get("fingerprint", "")
        secs = info.get("seconds_total")
        timing = f", {secs:.1f} s" if isinstance(secs, int | float) else ""
        cache = info.get("cache")
        hits = f", cache {cache['hits']} hits / {cache['misses']} misses" if cache else ""
        lines.append(
            f"- runner `{cell(name)}` ({cell(str(info.get('type')))}), fingerprint "
            f"{code(str(fp))}{timing}{hits}"
        )
    for name, sig in manifest.get("metrics", {}).items():
        lines.append(f"- metric {code(str(name))}: {code(str(sig))}")
    versions = manifest.get("versions", {})
    if versions:
        lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    lines.append("")
    return "\n".join(lines)
