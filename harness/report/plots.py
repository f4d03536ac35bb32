"""Hand-written SVG charts for the HTML reports: no plotting library, no external resources.

Every function returns one ``<svg>`` element as a string, sized by its
``viewBox`` so it scales with the page; every piece of text in it is escaped.
Hovering a bar, cell or point shows its exact numbers (an SVG ``<title>``).

Example:
    >>> svg = bar_chart(["qa_de.f1"], ["a", "b"], {("qa_de.f1", "a"): (50.0, 40.0, 60.0)})
    >>> svg.startswith("<svg") and svg.count("<rect class=\\"bar\\"") == 1
    True
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from harness.text.display import printable

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#999999",
    "#F0E442",
)
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""

Interval = tuple[float, float, float]  # value, low, high


def color(i: int) -> str:
    """The i-th series colour (cycles)."""
    return PALETTE[i % len(PALETTE)]


def _e(text: str) -> str:
    """Text for an SVG label or attribute: escaped, control and bidi characters as U+FFFD."""
    return html.escape(printable(str(text), keep=""), quote=True)


def _text_width(text: str, size: float = 11.0) -> float:
    """Rough rendered width of ``text`` in px (proportional font, average glyph)."""
    return len(text) * size * 0.6


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _label_lines(label: str) -> list[str]:
    """Split ``metric.key`` into two lines so group labels stay narrow."""
    if "." in label and len(label) > 10:
        head, tail = label.split(".", 1)
        return [head, tail]
    return [label]


def bar_chart(
    groups: Sequence[str],
    series: Sequence[str],
    values: Mapping[tuple[str, str], Interval],
    *,
    y_max: float = 100.0,
    y_label: str = "",
    title: str = "",
    fmt: str = "{:.1f}",
) -> str:
    """Grouped bars (one group per metric, one bar per runner) with CI whiskers.

    Args:
        groups: x-axis groups (e.g. metric keys), in order.
        series: bars within each group (e.g. runners); each gets a colour.
        values: ``(group, series) -> (value, low, high)``; missing pairs leave a gap.
        y_max: top of the axis (values are clipped to [0, y_max]).
        y_label: axis caption.
        title: accessible title of the chart.
        fmt: number format in the hover text.
    """
    n = max(1, len(series))
    bar_w = 18.0 if n <= 4 else max(6.0, 72.0 / n)
    widest = max((_text_width(line) for g in groups for line in _label_lines(g)), default=0.0)
    group_w = max(70.0, n * bar_w + 24.0, widest + 12.0)
    left, right, top = 48.0, 12.0, 34.0
    plot_h = 220.0
    label_h = 34.0
    width = left + right + group_w * max(1, len(groups))
    legend_w = sum(_text_width(s) + 28 for s in series)
    width = max(width, left + legend_w + right)
    height = top + plot_h + label_h + 8

    def y(v: float) -> float:
        v = min(max(v, 0.0), y_max)
        return top + plot_h * (1 - v / y_max)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_num(width)} '
        f'{_num(height)}" width="{_num(width)}" height="{_num(height)}" role="img" '
        f'aria-label="{_e(title)}" {FONT} font-size="11">',
        f"<title>{_e(title)}</title>",
    ]
    # legend
    x = left
    for i, s in enumerate(series):
        out.append(
            f'<rect x="{_num(x)}" y="8" width="12" height="12" rx="2" fill="{color(i)}"/>'
            f'<text x="{_num(x + 16)}" y="18" fill="#222">{_e(s)}</text>'
        )
        x += _text_width(s) + 28
    # grid and axis
    for k in range(5):
        v = y_max * k / 4
        yy = y(v)
        out.append(
            f'<line x1="{_num(left)}" x2="{_num(width - right)}" y1="{_num(yy)}" '
            f'y2="{_num(yy)}" stroke="{"#999" if k == 0 else "#e3e3e3"}" stroke-width="1"/>'
            f'<text x="{_num(left - 6)}" y="{_num(yy + 4)}" text-anchor="end" '
            f'fill="#555">{_num(v)}</text>'
        )
    if y_label:
        out.append(
            f'<text transform="translate(12 {_num(top + plot_h / 2)}) rotate(-90)" '
            f'text-anchor="middle" fill="#555">{_e(y_label)}</text>'
        )
    for gi, g in enumerate(groups):
        gx = left + gi * group_w
        start = gx + (group_w - n * bar_w) / 2
        for si, s in enumerate(series):
            iv = values.get((g, s))
            if iv is None or not _finite(iv[0]):
                continue
            v, lo, hi = iv
            bx = start + si * bar_w
            by = y(v)
            tip = f"{s} · {g}: {fmt.format(v)} [{fmt.format(lo)}, {fmt.format(hi)}]"
            out.append(
                f'<g><title>{_e(tip)}</title><rect class="bar" x="{_num(bx + 1)}" '
                f'y="{_num(by)}" width="{_num(bar_w - 2)}" height="{_num(y(0) - by)}" '
                f'fill="{color(si)}"/>'
            )
            if _finite(lo) and _finite(hi) and hi > lo:
                cx = bx + bar_w / 2
                cap = min(4.0, bar_w / 3)
                out.append(
                    f'<path class="whisker" d="M{_num(cx)} {_num(y(lo))}V{_num(y(hi))}'
                    f"M{_num(cx - cap)} {_num(y(lo))}H{_num(cx + cap)}"
                    f'M{_num(cx - cap)} {_num(y(hi))}H{_num(cx + cap)}" '
                    f'stroke="#222" stroke-width="1.2" fill="none"/>'
                )
            out.append("</g>")
        for li, line in enumerate(_label_lines(g)):
            out.append(
                f'<text x="{_num(gx + group_w / 2)}" y="{_num(top + plot_h + 15 + li * 13)}" '
                f'text-anchor="middle" fill="#222">{_e(line)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _shade(t: float) -> str:
    """A blue from very light (t=0) to dark (t=1)."""
    t = min(max(t, 0.0), 1.0)
    lo, hi = (0xF2, 0xF6, 0xFB), (0x0B, 0x4F, 0x8A)
    r, g, b = (round(a + (c - a) * t) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Mapping[tuple[str, str], float],
    *,
    v_max: float = 100.0,
    row_notes: Mapping[str, str] | None = None,
    title: str = "",
    fmt: str = "{:.1f}",
    higher_is_better: bool = True,
) -> str:
    """Rows × columns of shaded cells with their value; the best cell of each row is outlined.

    Args:
        rows: e.g. categories.
        cols: e.g. runners.
        values: ``(row, col) -> value``; missing cells are drawn empty.
        v_max: the value that gets the darkest shade.
        row_notes: a short note after each row label (e.g. ``n=4``).
        title: accessible title.
        fmt: number format in the cells.
        higher_is_better: which end of a row is its best.
    """
    notes = row_notes or {}
    labels = [f"{r}  {notes[r]}" if r in notes else r for r in rows]
    label_w = max([_text_width(s, 12) for s in labels] + [60.0]) + 14
    cell_w = max([_text_width(c, 12) + 16 for c in cols] + [76.0])
    cell_h = 26.0
    top = 30.0
    width = label_w + cell_w * max(1, len(cols)) + 8
    height = top + cell_h * max(1, len(rows)) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" viewBox="0 0 '
        f'{_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
        f'role="img" aria-label="{_e(title)}" {FONT} font-size="12">',
        f"<title>{_e(title)}</title>",
    ]
    for ci, c in enumerate(cols):
        out.append(
            f'<text x="{_num(label_w + ci * cell_w + cell_w / 2)}" y="{_num(top - 10)}" '
            f'text-anchor="middle" font-weight="600" fill="#222">{_e(c)}</text>'
        )
    for ri, (r, label) in enumerate(zip(rows, labels, strict=True)):
        yy = top + ri * cell_h
        out.append(
            f'<text x="{_num(label_w - 10)}" y="{_num(yy + cell_h / 2 + 4)}" '
            f'text-anchor="end" fill="#222">{_e(label)}</text>'
        )
        present = [values[(r, c)] for c in cols if _finite(values.get((r, c)))]
        best = (max(present) if higher_is_better else min(present)) if present else None
        for ci, c in enumerate(cols):
            xx = label_w + ci * cell_w
            v = values.get((r, c))
            if v is None or not math.isfinite(v):
                out.append(
                    f'<rect x="{_num(xx + 1)}" y="{_num(yy + 1)}" width="{_num(cell_w - 2)}" '
                    f'height="{_num(cell_h - 2)}" fill="#fafafa" stroke="#eee"/>'
                )
                continue
            t = v / v_max if v_max else 0.0
            is_best = best is not None and v == best and len(set(present)) > 1
            stroke = ' stroke="#111" stroke-width="2"' if is_best else ""
            weight = ' font-weight="700"' if is_best else ""
            tip = f"{r} · {c}: {fmt.format(v)}" + (" (best in row)" if is_best else "")
            out.append(
                f'<g><title>{_e(tip)}</title><rect class="cell" x="{_num(xx + 1)}" '
                f'y="{_num(yy + 1)}" width="{_num(cell_w - 2)}" height="{_num(cell_h - 2)}" '
                f'fill="{_shade(t)}"{stroke}/>'
                f'<text x="{_num(xx + cell_w / 2)}" y="{_num(yy + cell_h / 2 + 4)}" '
                f'text-anchor="middle" fill="{"#fff" if t > 0.55 else "#111"}"'
                f"{weight}>{_e(fmt.format(v))}</text></g>"
            )
    out.append("</svg>")
    return "".join(out)


def forest_plot(
    labels: Sequence[str],
    intervals: Sequence[Interval],
    *,
    marks: Sequence[str] | None = None,
    title: str = "",
    fmt: str = "{:+.2f}",
) -> str:
    """Differences with their CIs around a zero line, one row per label.

    Args:
        labels: row labels (e.g. ``runner · metric``).
        intervals: ``(diff, low, high)`` per row.
        marks: per row ``better``, ``worse`` or ``same`` (colours the point); default ``same``.
        title: accessible title.
        fmt: number format in the hover text and the value column.
    """
    kinds = list(marks or ["same"] * len(labels))
    colours = {"better": "#1a7f37", "worse": "#cf222e", "same": "#6e7781"}
    finite = [abs(v) for iv in intervals for v in iv if math.isfinite(v)]
    span = max(finite + [1e-9])
    label_w = max([_text_width(s, 12) for s in labels] + [60.0]) + 14
    plot_w, value_w = 360.0, 150.0
    row_h, top = 24.0, 24.0
    width = label_w + plot_w + value_w
    height = top + row_h * max(1, len(labels)) + 20

    def x(v: float) -> float:
        return label_w + plot_w / 2 + (plot_w / 2 - 10) * (v / span)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart forest" viewBox="0 0 '
        f'{_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
        f'role="img" aria-label="{_e(title)}" {FONT} font-size="12">',
        f"<title>{_e(title)}</title>",
        f'<line x1="{_num(x(0))}" x2="{_num(x(0))}" y1="{_num(top - 8)}" '
        f'y2="{_num(height - 16)}" stroke="#999" stroke-dasharray="3 3"/>',
        f'<text x="{_num(x(0))}" y="{_num(height - 4)}" text-anchor="middle" fill="#555">0</text>',
        f'<text x="{_num(x(-span))}" y="{_num(height - 4)}" text-anchor="start" '
        f'fill="#555">{_e(fmt.format(-span))}</text>',
        f'<text x="{_num(x(span))}" y="{_num(height - 4)}" text-anchor="end" '
        f'fill="#555">{_e(fmt.format(span))}</text>',
    ]
    for i, (label, (d, lo, hi)) in enumerate(zip(labels, intervals, strict=True)):
        yy = top + i * row_h + row_h / 2
        c = colours.get(kinds[i], colours["same"])
        out.append(
            f'<text x="{_num(label_w - 10)}" y="{_num(yy + 4)}" text-anchor="end" '
            f'fill="#222">{_e(label)}</text>'
        )
        if not math.isfinite(d):
            continue
        tip = f"{label}: {fmt.format(d)} [{fmt.format(lo)}, {fmt.format(hi)}]"
        out.append(f"<g><title>{_e(tip)}</title>")
        if math.isfinite(lo) and math.isfinite(hi):
            out.append(
                f'<line x1="{_num(x(lo))}" x2="{_num(x(hi))}" y1="{_num(yy)}" y2="{_num(yy)}" '
                f'stroke="{c}" stroke-width="2"/>'
            )
        out.append(
            f'<circle class="point" cx="{_num(x(d))}" cy="{_num(yy)}" r="4.5" fill="{c}"/></g>'
            f'<text x="{_num(label_w + plot_w + 8)}" y="{_num(yy + 4)}" fill="{c}">'
            f"{_e(fmt.format(d))} [{_e(fmt.format(lo))}, {_e(fmt.format(hi))}]</text>"
        )
    out.append("</svg>")
    return "".join(out)
