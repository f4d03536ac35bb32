"""``harness compare RUN_A RUN_B``: paired differences per metric and the samples that flipped.

Samples are paired by id. For each runner pair and metric key, the mean
difference B − A comes with a paired bootstrap CI and two p-values
(:func:`harness.stats.paired_compare`); a difference is *significant* when
the CI excludes 0 and the sign-flip permutation p-value is below alpha.
Flips are samples that were right in A and wrong in B or the other way round,
by a :class:`~harness.report.load.Rule` such as ``qa_de.exact >= 100``.

Runner pairing: ``--runner-a/--runner-b`` when given (also two runners of
one run); otherwise runners with the same name, plus the one runner left
over on each side when exactly one is (a run of model X against a run of
model Y).

Example:
    >>> from harness.stats import paired_compare
    >>> is_significant(paired_compare([0.0] * 30, [1.0] * 30, resamples=200), alpha=0.05)
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.report.html import SORT_SCRIPT, TITLES, esc, fmt_value, page
from harness.report.load import DEFAULT_RIGHT, Rule, RunData, higher_is_better, verdict
from harness.report.markdown import COLUMNS, PRIMARY, cell
from harness.report.plots import forest_plot
from harness.stats import PairedComparison, paired_compare
from harness.types import Sample, Score


def is_significant(pc: PairedComparison, alpha: float) -> bool:
    """CI excludes 0 and the permutation p-value is below ``alpha``."""
    return pc.n > 1 and (pc.low > 0 or pc.high < 0) and pc.p_permutation < alpha


@dataclass(frozen=True)
class MetricDelta:
    """One metric of one runner pair: means over the paired samples and B − A."""

    task: str
    key: str
    mean_a: float
    mean_b: float
    stats: PairedComparison
    higher_is_better: bool
    significant: bool

    @property
    def direction(self) -> str:
        """``better`` or ``worse`` (for B, when significant), else ``same``."""
        if not self.significant:
            return "same"
        return "better" if (self.stats.diff > 0) == self.higher_is_better else "worse"


@dataclass(frozen=True)
class Flip:
    """A sample judged right by one side and wrong by the other."""

    sample: Sample
    rule: Rule
    pred_a: str
    pred_b: str
    value_a: float
    value_b: float


@dataclass(frozen=True)
class CategoryDelta:
    """The main metric of a task within one category: where each side wins."""

    task: str
    category: str
    key: str
    n: int
    mean_a: float
    mean_b: float
    wins_b: int
    wins_a: int


@dataclass(frozen=True)
class PairComparison:
    """Runner ``runner_a`` of run A against ``runner_b`` of run B."""

    runner_a: str
    runner_b: str
    fingerprint_a: str
    fingerprint_b: str
    n_paired: int
    only_a: int
    only_b: int
    deltas: tuple[MetricDelta, ...]
    right_to_wrong: tuple[Flip, ...]
    wrong_to_right: tuple[Flip, ...]
    categories: tuple[CategoryDelta, ...] = ()

    @property
    def label(self) -> str:
        if self.runner_a == self.runner_b:
            return self.runner_a
        return f"{self.runner_a} → {self.runner_b}"


@dataclass(frozen=True)
class Comparison:
    """Everything ``harness compare`` reports."""

    run_a: str
    run_b: str
    pairs: tuple[PairComparison, ...]
    rules: tuple[Rule, ...]
    confidence: float
    alpha: float


def pair_runners(
    a: RunData, b: RunData, runner_a: str | None = None, runner_b: str | None = None
) -> list[tuple[str, str]]:
    """Which runner of A is compared with which runner of B (see the module doc).

    Raises:
        ValueError: a named runner is not in its run, or nothing can be paired.
    """
    if runner_a or runner_b:
        ra, rb = runner_a or runner_b or "", runner_b or runner_a or ""
        for name, run, side in ((ra, a, "A"), (rb, b, "B")):
            if name not in run.runners:
                raise ValueError(
                    f"runner {name!r} is not in run {side} ({run.path}); it has: "
                    f"{', '.join(run.runners) or 'none'}"
                )
        return [(ra, rb)]
    if a.path.resolve() == b.path.resolve():
        raise ValueError(
            f"{a.path}: comparing a run with itself; choose two of its runners with "
            "--runner-a and --runner-b"
        )
    common = [r for r in a.runners if r in b.runners]
    pairs = [(r, r) for r in common]
    left_a = [r for r in a.runners if r not in common]
    left_b = [r for r in b.runners if r not in common]
    if len(left_a) == 1 and len(left_b) == 1:
        pairs.append((left_a[0], left_b[0]))
    if not pairs:
        raise ValueError(
            f"no runners to pair: A has {', '.join(a.runners) or 'none'}, B has "
            f"{', '.join(b.runners) or 'none'}; choose with --runner-a and --runner-b"
        )
    return pairs


def _ordered_keys(task: str, keys: set[str]) -> list[str]:
    first = [k for k in COLUMNS.get(task, []) if k in keys]
    return first + sorted(keys - set(first))


def _fingerprint(run: RunData, runner: str) -> str:
    info = (run.manifest.get("runners") or {}).get(runner) or {}
    return str(info.get("fingerprint", ""))


def compare_pair(
    a: RunData,
    b: RunData,
    runner_a: str,
    runner_b: str,
    *,
    rules: Sequence[Rule] = DEFAULT_RIGHT,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairComparison:
    """Paired statistics and flips of one runner pair."""
    alpha = 1 - confidence
    deltas: list[MetricDelta] = []
    r2w: list[Flip] = []
    w2r: list[Flip] = []
    cats: list[CategoryDelta] = []
    n_paired = only_a = only_b = 0
    extra = sorted((set(a.tasks()) | set(b.tasks())) - {"qa", "summary"})
    for task in ("qa", "summary", *extra):
        sa, sb = a.task_scores(runner_a, task), b.task_scores(runner_b, task)
        ids = sorted(set(sa) & set(sb))
        n_paired += len(ids)
        only_a += len(set(sa) - set(sb))
        only_b += len(set(sb) - set(sa))
        if not ids:
            continue
        keys = {k for i in ids for k in sa[i].values} & {k for i in ids for k in sb[i].values}
        for key in _ordered_keys(task, keys):
            both = [i for i in ids if key in sa[i].values and key in sb[i].values]
            xa = [sa[i].values[key] for i in both]
            xb = [sb[i].values[key] for i in both]
            pc = paired_compare(xa, xb, resamples, confidence, seed)
            deltas.append(
                MetricDelta(
                    task=task,
                    key=key,
                    mean_a=sum(xa) / len(xa),
                    mean_b=sum(xb) / len(xb),
                    stats=pc,
                    higher_is_better=higher_is_better(key),
                    significant=is_significant(pc, alpha),
                )
            )
        cats += _categories(a, b, task, ids, sa, sb)
        for i in ids:
            va, vb = verdict(sa[i].values, rules), verdict(sb[i].values, rules)
            if va is None or vb is None or va == vb:
                continue
            rule = next(r for r in rules if r.key in sa[i].values)
            sample = a.samples.get(i) or b.samples[i]
            ga, gb = a.generations.get((runner_a, i)), b.generations.get((runner_b, i))
            flip = Flip(
                sample=sample,
                rule=rule,
                pred_a=_shown(ga.text, ga.error) if ga else "",
                pred_b=_shown(gb.text, gb.error) if gb else "",
                value_a=sa[i].values[rule.key],
                value_b=sb[i].values.get(rule.key, math.nan),
            )
            (r2w if va else w2r).append(flip)
    return PairComparison(
        runner_a=runner_a,
        runner_b=runner_b,
        fingerprint_a=_fingerprint(a, runner_a),
        fingerprint_b=_fingerprint(b, runner_b),
        n_paired=n_paired,
        only_a=only_a,
        only_b=only_b,
        deltas=tuple(deltas),
        right_to_wrong=tuple(r2w),
        wrong_to_right=tuple(w2r),
        categories=tuple(cats),
    )


def _categories(
    a: RunData,
    b: RunData,
    task: str,
    ids: Sequence[str],
    sa: Mapping[str, Score],
    sb: Mapping[str, Score],
) -> list[CategoryDelta]:
    have = {k for i in ids for k in sa[i].values}
    key = next((k for k in (PRIMARY.get(task, ""), *COLUMNS.get(task, [])) if k in have), "")
    groups: dict[str, list[tuple[float, float]]] = {}
    for i in ids:
        if key in sa[i].values and key in sb[i].values:
            sample = a.samples.get(i) or b.samples[i]
            groups.setdefault(sample.category, []).append((sa[i].values[key], sb[i].values[key]))
    sign = 1.0 if higher_is_better(key) else -1.0
    return [
        CategoryDelta(
            task=task,
            category=c,
            key=key,
            n=len(pairs),
            mean_a=sum(x for x, _ in pairs) / len(pairs),
            mean_b=sum(y for _, y in pairs) / len(pairs),
            wins_b=sum(sign * (y - x) > 0 for x, y in pairs),
            wins_a=sum(sign * (x - y) > 0 for x, y in pairs),
        )
        for c, pairs in sorted(groups.items())
    ]


def _shown(text: str, error: str | None) -> str:
    return f"[error] {error}" if error else text


def compare_runs(
    a: RunData,
    b: RunData,
    *,
    runner_a: str | None = None,
    runner_b: str | None = None,
    rules: Sequence[Rule] = DEFAULT_RIGHT,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Compare run B against run A (B − A), every paired runner and metric."""
    pairs = tuple(
        compare_pair(
            a, b, ra, rb, rules=rules, resamples=resamples, confidence=confidence, seed=seed
        )
        for ra, rb in pair_runners(a, b, runner_a, runner_b)
    )
    return Comparison(a.run_id, b.run_id, pairs, tuple(rules), confidence, 1 - confidence)


# -- rendering -------------------------------------------------------------

ARROW = {"better": "▲ better", "worse": "▼ worse", "same": ""}


def _signed(key: str, value: float) -> str:
    if not math.isfinite(value):
        return "–"
    s = fmt_value(key, abs(value))
    return ("+" if value > 0 else "−" if value < 0 else "") + s


def _p(value: float) -> str:
    return "–" if not math.isfinite(value) else (f"{value:.3f}" if value >= 0.001 else "<0.001")


def _pred(text: str) -> str:
    return esc(text) if text else '<span class="ci">(empty: abstains)</span>'


def _gold(sample: Sample) -> str:
    if sample.references:
        return " / ".join(sample.references[:3]) + (" / …" if len(sample.references) > 3 else "")
    return "(unanswerable: abstain)"


def _input(sample: Sample) -> str:
    return sample.input if sample.task == "qa" else f"summary: {sample.input}"


def _headline(c: Comparison) -> str:
    better = sum(d.direction == "better" for p in c.pairs for d in p.deltas)
    worse = sum(d.direction == "worse" for p in c.pairs for d in p.deltas)
    total = sum(len(p.deltas) for p in c.pairs)
    return (
        f"B is significantly better on {better} and significantly worse on {worse} "
        f"of {total} runner × metric comparisons."
    )


def compare_markdown(c: Comparison, max_flips: int = 20) -> str:
    """Markdown for a pull-request comment or the terminal."""
    conf = f"{c.confidence:.0%}"
    lines = [
        f"## Comparison: `{cell(c.run_a)}` (A) → `{cell(c.run_b)}` (B)",
        "",
        f"{_headline(c)} Δ is B − A on the same samples, with its paired bootstrap {conf} CI "
        f"and the sign-flip permutation p-value; ▲/▼ mark significant changes (CI excludes 0 "
        f"and p < {c.alpha:g}).",
        "",
    ]
    for pair in c.pairs:
        lines += [f"### {cell(pair.label)}", ""]
        fp = (
            f"fingerprint `{pair.fingerprint_a or '?'}` → `{pair.fingerprint_b or '?'}`"
            if pair.fingerprint_a != pair.fingerprint_b
            else f"same fingerprint `{pair.fingerprint_a or '?'}`"
        )
        unpaired = (
            f"; unpaired: {pair.only_a} only in A, {pair.only_b} only in B"
            if pair.only_a or pair.only_b
            else ""
        )
        lines += [f"{pair.n_paired} paired samples, {fp}{unpaired}.", ""]
        if pair.deltas:
            lines.append(f"| task | metric | A | B | Δ (B − A) | {conf} CI | p | |")
            lines.append("|---|---|---:|---:|---:|---|---:|---|")
            for d in pair.deltas:
                s = d.stats
                lines.append(
                    f"| {d.task} | `{cell(d.key)}` | {fmt_value(d.key, d.mean_a)} | "
                    f"{fmt_value(d.key, d.mean_b)} | {_signed(d.key, s.diff)} | "
                    f"[{_signed(d.key, s.low)}, {_signed(d.key, s.high)}] | "
                    f"{_p(s.p_permutation)} | {ARROW[d.direction]} |"
                )
            lines.append("")
        if pair.categories:
            lines += ["<details><summary>Per category: where each side wins</summary>", ""]
            lines.append("| task | category | metric | n | A | B | A wins | B wins |")
            lines.append("|---|---|---|---:|---:|---:|---:|---:|")
            for cd in pair.categories:
                lines.append(
                    f"| {cd.task} | {cell(cd.category)} | `{cd.key}` | {cd.n} | "
                    f"{fmt_value(cd.key, cd.mean_a)} | {fmt_value(cd.key, cd.mean_b)} | "
                    f"{cd.wins_a} | {cd.wins_b} |"
                )
            lines += ["", "</details>", ""]
        for title, flips in (
            ("Right → wrong", pair.right_to_wrong),
            ("Wrong → right", pair.wrong_to_right),
        ):
            rules = sorted({str(f.rule) for f in flips})
            by = f" (right: {', '.join(f'`{r}`' for r in rules)})" if rules else ""
            lines += [f"**{title}: {len(flips)}**{by}", ""]
            if not flips:
                continue
            lines.append("| sample | input | gold | A | B |")
            lines.append("|---|---|---|---|---|")
            for f in flips[:max_flips]:
                item = f.sample.id.split("/", 1)[-1]
                lines.append(
                    f"| `{cell(item)}` | {cell(_input(f.sample), 120)} | "
                    f"{cell(_gold(f.sample), 120)} | {cell(f.pred_a, 160)} | "
                    f"{cell(f.pred_b, 160)} |"
                )
            if len(flips) > max_flips:
                lines.append(f"| … | {len(flips) - max_flips} more | | | |")
            lines.append("")
    return "\n".join(lines)


def compare_html(c: Comparison) -> str:
    """The comparison as one self-contained HTML page (tables, a forest plot, every flip)."""
    conf = f"{c.confidence:.0%}"
    body = [
        f'<p class="note">{esc(_headline(c))} Δ is B − A on the same samples with its paired '
        f"bootstrap {conf} CI and the sign-flip permutation p-value; a change is significant "
        f"when the CI excludes 0 and p &lt; {c.alpha:g}.</p>"
    ]
    for pair in c.pairs:
        body.append(f"<h2>{esc(pair.label)}</h2>")
        body.append(
            f'<p class="note">{pair.n_paired} paired samples; fingerprint '
            f"<code>{esc(pair.fingerprint_a or '?')}</code> → "
            f"<code>{esc(pair.fingerprint_b or '?')}</code>"
            + (
                f"; unpaired: {pair.only_a} only in A, {pair.only_b} only in B"
                if pair.only_a or pair.only_b
                else ""
            )
            + "</p>"
        )
        if pair.deltas:
            body.append(
                '<table class="sortable"><thead><tr><th>task</th><th>metric</th>'
                '<th class="num">A</th><th class="num">B</th><th class="num">Δ (B − A)</th>'
                f'<th class="num">{conf} CI</th><th class="num">p (permutation)</th>'
                '<th class="num">p (bootstrap)</th><th class="num">wins / losses / ties</th>'
                "<th></th></tr></thead><tbody>"
            )
            for d in pair.deltas:
                s = d.stats
                cls = {"better": "right", "worse": "wrong", "same": ""}[d.direction]
                body.append(
                    f"<tr><td>{esc(TITLES.get(d.task, d.task))}</td><td><code>{esc(d.key)}"
                    f'</code></td><td class="num">{fmt_value(d.key, d.mean_a)}</td>'
                    f'<td class="num">{fmt_value(d.key, d.mean_b)}</td>'
                    f'<td class="num {cls}" data-sort="{s.diff!r}">{_signed(d.key, s.diff)}</td>'
                    f'<td class="num">[{_signed(d.key, s.low)}, {_signed(d.key, s.high)}]</td>'
                    f'<td class="num">{_p(s.p_permutation)}</td>'
                    f'<td class="num">{_p(s.p_bootstrap)}</td>'
                    f'<td class="num">{s.wins} / {s.losses} / {s.ties}</td>'
                    f'<td class="{cls}">{esc(ARROW[d.direction])}</td></tr>'
                )
            body.append("</tbody></table>")
            scaled = [
                (
                    f"{d.task} · {d.key}",
                    tuple(
                        v * (100.0 if d.key.startswith("rouge.") else 1.0)
                        for v in (d.stats.diff, d.stats.low, d.stats.high)
                    ),
                    d.direction,
                )
                for d in pair.deltas
            ]
            body.append(
                forest_plot(
                    [s[0] for s in scaled],
                    [(s[1][0], s[1][1], s[1][2]) for s in scaled],
                    marks=[s[2] for s in scaled],
                    title=f"{pair.label}: B − A with {conf} CIs (ROUGE ×100)",
                    fmt="{:+.1f}",
                )
            )
            body.append('<p class="note">Differences on 0–100 (ROUGE ×100).</p>')
        if pair.categories:
            body.append(
                "<h3>Per category: where each side wins</h3>"
                '<table class="sortable"><thead><tr><th>task</th><th>category</th>'
                '<th>metric</th><th class="num">n</th><th class="num">A</th>'
                '<th class="num">B</th><th class="num">Δ</th><th class="num">A wins</th>'
                '<th class="num">B wins</th></tr></thead><tbody>'
            )
            for cd in pair.categories:
                diff = cd.mean_b - cd.mean_a
                better = (diff > 0) == higher_is_better(cd.key)
                cls = "" if diff == 0 else ("right" if better else "wrong")
                body.append(
                    f"<tr><td>{esc(cd.task)}</td><td>{esc(cd.category)}</td>"
                    f'<td><code>{esc(cd.key)}</code></td><td class="num">{cd.n}</td>'
                    f'<td class="num">{fmt_value(cd.key, cd.mean_a)}</td>'
                    f'<td class="num">{fmt_value(cd.key, cd.mean_b)}</td>'
                    f'<td class="num {cls}" data-sort="{diff!r}">{_signed(cd.key, diff)}</td>'
                    f'<td class="num">{cd.wins_a}</td><td class="num">{cd.wins_b}</td></tr>'
                )
            body.append("</tbody></table>")
        for title, flips in (
            ("Right → wrong", pair.right_to_wrong),
            ("Wrong → right", pair.wrong_to_right),
        ):
            body.append(f"<h3>{title}: {len(flips)}</h3>")
            if not flips:
                continue
            body.append(
                "<table><thead><tr><th>sample</th><th>input</th><th>gold</th>"
                f"<th>A: {esc(pair.runner_a)}</th><th>B: {esc(pair.runner_b)}</th></tr>"
                "</thead><tbody>"
            )
            for f in flips:
                body.append(
                    f"<tr><td><code>{esc(f.sample.id)}</code></td><td>{esc(_input(f.sample))}"
                    f"</td><td>{esc(_gold(f.sample))}</td>"
                    f'<td>{_pred(f.pred_a)}<div class="ci">{esc(f.rule.key)} = '
                    f"{fmt_value(f.rule.key, f.value_a)}</div></td>"
                    f'<td>{_pred(f.pred_b)}<div class="ci">{esc(f.rule.key)} = '
                    f"{fmt_value(f.rule.key, f.value_b)}</div></td></tr>"
                )
            body.append("</tbody></table>")
    return page(
        "Comparison",
        "".join(body),
        SORT_SCRIPT,
        subtitle=f"A: {esc(c.run_a)} → B: {esc(c.run_b)}",
    )
