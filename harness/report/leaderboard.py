"""``harness leaderboard RESULTS_DIR``: one table of every run and runner.

Reads only ``summary.json`` and ``manifest.json`` of each ``RESULTS_DIR/*/``
(fast on hundreds of runs); folders without a summary (interrupted or
running) are listed as skipped, and so is a run whose files are damaged,
with the file, line and field that is wrong. Markdown for the terminal, and an HTML page
whose columns sort on click.

Example:
    >>> rows = [Row("r1", "", "a", "oracle", "", "", {"qa_de.f1": {"value": 9.0, "low": 8.0,
    ...        "high": 10.0, "n": 3}}, 3, 0)]
    >>> print(leaderboard_markdown(rows, ["qa_de.f1"]).splitlines()[2])
    | 1 | `r1` | a | oracle | 3 | 0 | 9.0 [8.0, 10.0] |
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.report.html import SORT_SCRIPT, esc, estimate_cell, page
from harness.report.load import (
    RunLoadError,
    check_manifest,
    check_summary,
    higher_is_better,
    read_run_json,
)
from harness.report.markdown import cell, decimals, fmt

DEFAULT_KEYS = ("answer_equivalence.score", "qa_de.f1", "qa_de.exact", "rouge.rougeL", "chrf.chrf")


@dataclass(frozen=True)
class Row:
    """One runner of one run."""

    run_id: str
    created: str
    runner: str
    type: str
    model: str
    fingerprint: str
    values: Mapping[str, Mapping[str, Any]]  # metric key -> estimate dict
    n: int
    errors: int


def _model(info: Mapping[str, Any]) -> str:
    opts = info.get("options")
    if not isinstance(opts, dict):
        return ""
    for key in ("model", "model_path", "path", "base_url", "command"):
        if isinstance(opts.get(key), str):
            return str(opts[key])
    return ""


def scan(results_dir: Path | str) -> tuple[list[Row], list[str]]:
    """Rows of every finished run under ``results_dir``, and notes on folders skipped.

    Raises:
        FileNotFoundError: ``results_dir`` is not a folder.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such results folder")
    rows: list[Row] = []
    skipped: list[str] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        path = folder / "summary.json"
        if not os.path.lexists(path):
            skipped.append(f"{folder.name}: no summary.json (interrupted or still running)")
            continue
        try:
            summary, text = read_run_json(path)
            check_summary(path, text, summary)
            manifest: dict[str, Any] = {}
            mpath = folder / "manifest.json"
            if os.path.lexists(mpath):
                raw, mtext = read_run_json(mpath)
                manifest = check_manifest(mpath, mtext, raw)
        except RunLoadError as exc:
            skipped.append(f"{folder.name}: skipped: {exc}")
            continue
        results = summary["results"]
        runners_info = manifest.get("runners") or {}
        for runner in summary.get("runners") or list(results):
            tasks = results.get(runner) or {}
            values: dict[str, Mapping[str, Any]] = {}
            for task in tasks.values():
                for key, est in (task.get("metrics") or {}).items():
                    values.setdefault(key, est)
            info = runners_info.get(runner) or {}
            rows.append(
                Row(
                    run_id=str(summary.get("run_id") or folder.name),
                    created=str(manifest.get("created", "")),
                    runner=str(runner),
                    type=str(info.get("type", "")),
                    model=_model(info),
                    fingerprint=str(info.get("fingerprint", "")),
                    values=values,
                    n=sum(int(t.get("n", 0)) for t in tasks.values()),
                    errors=sum(int(t.get("errors", 0)) for t in tasks.values()),
                )
            )
    return rows, skipped


def present_keys(rows: Sequence[Row], wanted: Sequence[str] | None = None) -> list[str]:
    """The metric columns: ``wanted`` if given, else the default ones any row has.

    Raises:
        ValueError: A wanted key is in no row (a typo would show an empty column).
    """
    if wanted:
        check_keys("--metrics", wanted, rows)
        return list(wanted)
    have = {k for r in rows for k in r.values}
    return [k for k in DEFAULT_KEYS if k in have] or sorted(have)[:6]


def check_keys(option: str, keys: Sequence[str], rows: Sequence[Row]) -> None:
    """Raise ValueError naming ``option`` when a key is the metric of no row."""
    have = sorted({k for r in rows for k in r.values})
    unknown = [k for k in keys if k not in have]
    if unknown:
        raise ValueError(
            f"{option}: no run has metric {unknown[0]!r} (metrics there: {', '.join(have)})"
        )


def sort_rows(rows: Sequence[Row], key: str | None) -> list[Row]:
    """Best first by ``key`` (its direction from the metric), rows without it last.

    Raises:
        ValueError: ``key`` is the metric of no row.
    """
    if not key:
        return list(rows)
    check_keys("--sort", [key], rows)
    sign = -1.0 if higher_is_better(key) else 1.0

    def order(r: Row) -> tuple[int, float, str, str]:
        est = r.values.get(key)
        v = est.get("value") if est else None
        if v is None or not math.isfinite(v) or not est or not est.get("n"):
            return (1, 0.0, r.run_id, r.runner)
        return (0, sign * v, r.run_id, r.runner)

    return sorted(rows, key=order)


def leaderboard_markdown(
    rows: Sequence[Row], keys: Sequence[str], skipped: Sequence[str] = ()
) -> str:
    """A Markdown table, one row per run and runner, in the order given."""
    lines = [
        "| # | run | runner | type | n | errors | " + " | ".join(keys) + " |",
        "|---:|---|---|---|---:|---:|" + "---:|" * len(keys),
    ]
    for i, r in enumerate(rows, start=1):
        kind = r.type + (f" `{cell(r.model, 60)}`" if r.model else "")
        vals = [fmt(r.values.get(k), decimals(k)) for k in keys]
        lines.append(
            f"| {i} | `{cell(r.run_id)}` | {cell(r.runner)} | {kind} | {r.n} | {r.errors} | "
            + " | ".join(vals)
            + " |"
        )
    if skipped:
        lines += ["", "Skipped:"] + [f"- {cell(s)}" for s in skipped]
    return "\n".join(lines) + "\n"


def leaderboard_html(
    rows: Sequence[Row], keys: Sequence[str], skipped: Sequence[str] = (), title: str = ""
) -> str:
    """A self-contained page with the table; click a column header to sort by it."""
    best: dict[str, float] = {}
    for k in keys:
        vals = [
            r.values[k]["value"]
            for r in rows
            if k in r.values and r.values[k].get("n") and math.isfinite(r.values[k]["value"])
        ]
        if vals:
            best[k] = max(vals) if higher_is_better(k) else min(vals)
    body = [
        f'<p class="note">{len(rows)} runners in {len({r.run_id for r in rows})} runs. Means '
        "with bootstrap 95% confidence intervals (answer equivalence, faithful coverage, key "
        "facts and ROUGE on 0–1, the others on 0–100); the "
        "best of each column is shaded. Click a column to sort.</p>",
        '<table class="sortable" id="leaderboard"><thead><tr><th class="num">#</th><th>run</th>'
        "<th>created</th><th>runner</th><th>type</th><th>model</th><th>fingerprint</th>"
        '<th class="num">n</th><th class="num">errors</th>'
        + "".join(f'<th class="num">{esc(k)}</th>' for k in keys)
        + "</tr></thead><tbody>",
    ]
    for i, r in enumerate(rows, start=1):
        cells = "".join(
            estimate_cell(
                k,
                r.values.get(k),
                best=k in best and r.values.get(k, {}).get("value") == best[k],
            )
            for k in keys
        )
        body.append(
            f'<tr><td class="num" data-sort="{i}">{i}</td><td><code>{esc(r.run_id)}</code></td>'
            f"<td>{esc(r.created)}</td><td><b>{esc(r.runner)}</b></td><td>{esc(r.type)}</td>"
            f"<td>{esc(r.model)}</td><td><code>{esc(r.fingerprint)}</code></td>"
            f'<td class="num" data-sort="{r.n}">{r.n}</td>'
            f'<td class="num" data-sort="{r.errors}">{r.errors}</td>{cells}</tr>'
        )
    body.append("</tbody></table>")
    if skipped:
        body.append(
            "<h3>Skipped</h3><ul>" + "".join(f"<li>{esc(s)}</li>" for s in skipped) + "</ul>"
        )
    return page("Leaderboard", "".join(body), SORT_SCRIPT, subtitle=esc(title))
