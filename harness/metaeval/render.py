"""Markdown and HTML for ``harness meta-eval``.

The Markdown leads with one table per task (the rows people compare), then
the details: confusion matrices, and every disagreement with the answer, the
human verdict and reason, the metric's values and reason. The HTML page holds
the same, self-contained (Jinja2 with autoescape: nothing from the gold or a
metric can inject markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.metaeval.qa import QAMetricAgreement
from harness.metaeval.summary import SummaryMetaEval
from harness.text.display import neutral_markdown, printable
from harness.types import Estimate

__all__ = ["render_html", "render_markdown"]


def _cell(text: object, limit: int = 240) -> str:
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = printable(s, keep="")  # controls, direction overrides and isolates: U+FFFD
    s = s.replace("&", "&amp;").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return neutral_markdown(s)  # no images, links, @mentions or #refs in a PR comment


def _pct(e: Estimate) -> str:
    if e.value != e.value:
        return "–"
    return f"{100 * e.value:.1f} [{100 * e.low:.1f}, {100 * e.high:.1f}]"


def _num(e: Estimate, digits: int = 3) -> str:
    if e.value != e.value:
        return "–"
    return f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def _values(values: Any) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in values.items())


def qa_table(rows: Sequence[QAMetricAgreement]) -> list[str]:
    """The QA agreement table, one row per metric and rule."""
    if not rows:
        return []
    n = rows[0].agreement.n
    out = [
        f"QA: agreement with {n} human verdicts (right = correct, or abstained where the "
        "article is silent; 95% bootstrap CIs)",
        "",
        "| metric | right when | accuracy % | Cohen's κ | false-positive rate % "
        "| false-negative rate % | disagreements |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        a = r.agreement
        out.append(
            f"| {r.metric} | {r.rule} | {_pct(a.accuracy)} | {_num(a.kappa)} "
            f"| {_pct(a.false_positive_rate)} | {_pct(a.false_negative_rate)} "
            f"| {len(r.disagreements)} |"
        )
    return out


def _qa_details(rows: Sequence[QAMetricAgreement]) -> list[str]:
    out: list[str] = []
    for r in rows:
        a = r.agreement
        out += [
            "",
            f"### {r.metric} ({r.rule})",
            "",
            f"Right/right {a.tp}, right/not {a.fn}, not/right {a.fp}, not/not {a.tn} "
            "(people/metric)." + (f" No value for {r.skipped} answers." if r.skipped else ""),
        ]
        if r.verdicts is not None:
            v = r.verdicts
            out += [
                "",
                f"Verdicts, people (rows) × metric (columns): accuracy {100 * v.accuracy:.1f}%, "
                f"Cohen's κ {v.kappa:.3f}",
                "",
                "| people \\ metric | " + " | ".join(v.labels) + " |",
                "| --- |" + " ---: |" * len(v.labels),
            ]
            for label, row in zip(v.labels, v.matrix, strict=True):
                out.append(f"| {label} | " + " | ".join(str(c) for c in row) + " |")
        if r.disagreements:
            out += [
                "",
                "| sample | question | answer | people | their reason | metric | metric's reason |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            for d in r.disagreements:
                out.append(
                    f"| {_cell(d.sample_id.split('/', 1)[-1])} | {_cell(d.question, 90)} "
                    f"| {_cell(d.answer, 160)} | {d.verdict} | {_cell(d.reason, 120)} "
                    f"| {_cell(_values(d.values))} | {_cell(d.metric_reason, 120)} |"
                )
    return out


def render_markdown(qa: Sequence[QAMetricAgreement], summary: SummaryMetaEval | None) -> str:
    """The whole meta-evaluation as Markdown: both tables first, then the details."""
    lines: list[str] = ["# Meta-evaluation: metrics against human judgements", ""]
    if qa:
        lines += qa_table(qa) + [""]
    if summary is not None:
        lines += summary.tables() + [""]
    if not qa and summary is None:
        lines.append(
            "No judged answers or summaries found (judgements.jsonl, summary_judgements.jsonl)."
        )
    if qa:
        lines += ["## QA details"] + _qa_details(qa) + [""]
    if summary is not None:
        lines += ["## Summary details", ""] + summary.details() + [""]
    return "\n".join(lines).rstrip() + "\n"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Meta-evaluation</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1400px}
table{border-collapse:collapse;margin:.6em 0 1.4em}
td,th{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left}
th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap}
</style></head><body>
<h1>Meta-evaluation: metrics against human judgements</h1>
{% for block in blocks %}
  {% if block.kind == "h" %}<h{{ block.level }}>{{ block.text }}</h{{ block.level }}>
  {% elif block.kind == "p" %}<p>{{ block.text }}</p>
  {% else %}<table>
    <tr>{% for h in block.head %}<th>{{ h }}</th>{% endfor %}</tr>
    {% for row in block.rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}
  </table>{% endif %}
{% endfor %}
</body></html>
"""


def _blocks(markdown: str) -> list[dict[str, Any]]:
    """Markdown (headings, paragraphs, pipe tables) as blocks for the HTML template."""
    blocks: list[dict[str, Any]] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            head, *rows = table
            rows = [r for r in rows if not all(set(c) <= set("-: ") for c in r)]
            blocks.append({"kind": "table", "head": head, "rows": rows})
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [
                c.strip().replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">")
                for c in line.strip().strip("|").split(" | ")
            ]
            table.append(cells)
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            blocks.append({"kind": "h", "level": min(level, 4), "text": line.lstrip("# ")})
        elif line.strip():
            blocks.append({"kind": "p", "text": line})
    flush()
    return blocks[1:] if blocks and blocks[0].get("kind") == "h" else blocks


def render_html(markdown: str) -> str:
    """One self-contained page with the tables of :func:`render_markdown` (escaped)."""
    import jinja2

    env = jinja2.Environment(autoescape=True)
    return env.from_string(_PAGE).render(blocks=_blocks(markdown))
