"""Run outputs written from a :class:`~harness.tally.RunTally`, in bounded memory.

- :func:`write_scores_parquet`: ``scores.parquet`` in row groups of
  :data:`PARQUET_ROWS` rows, each generation read back from its line as its
  group is written; the table :func:`harness.report.frame.score_columns`
  gives (same columns, same row order: the order of ``scores.jsonl``).
- :class:`GenerationLookup`: ``(runner, sample_id) -> Generation`` read on
  demand, for the few generations ``report.md`` quotes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from harness.tally import RunTally
from harness.types import Generation

__all__ = ["PARQUET_ROWS", "GenerationLookup", "write_scores_parquet"]

#: Rows per Parquet row group (and per read-back batch).
PARQUET_ROWS = 50_000


class GenerationLookup(Mapping[tuple[str, str], Generation]):
    """The latest generation of each ``(runner, sample_id)``, read from its line when asked."""

    def __init__(self, tally: RunTally) -> None:
        self.tally = tally

    def __getitem__(self, key: tuple[str, str]) -> Generation:
        at = self.tally._at(*key)
        g = self.tally.generation(*at) if at is not None else None
        if g is None:
            raise KeyError(key)
        return g

    def __iter__(self) -> Iterator[tuple[str, str]]:
        rs, ss = np.nonzero(self.tally.gen_at != -1)
        for r, s in zip(rs, ss, strict=True):
            yield self.tally.runners[int(r)], self.tally.samples[int(s)].id

    def __len__(self) -> int:
        return int((self.tally.gen_at != -1).sum())


def write_scores_parquet(
    path: Path,
    tally: RunTally,
    run_id: str,
    scrub: Callable[[Any], Any] | None = None,
    rows_per_group: int = PARQUET_ROWS,
) -> Path:
    """Write ``scores.parquet`` from ``tally`` atomically, one row group at a time.

    Args:
        path: The file to write (replaced through a temporary file and a rename).
        tally: The run's tally; its generations are read back for the text columns.
        run_id: Repeated in every row.
        scrub: Applied to each row group's columns (a run's ``Scrubber.value``).
        rows_per_group: Rows per row group, and the most generations held at once.

    Raises:
        OSError: If the file cannot be written.
    """
    import os
    import tempfile

    import pyarrow.parquet as pq

    from harness.report.frame import FIXED_COLUMNS, _arrow_table, score_columns

    order = tally.score_order()
    keys = sorted(
        k for k in tally.keys if not np.isnan(tally.values[k][tally.score_at != -1]).all()
    )
    by_id = {s.id: s for s in tally.samples}
    fd, tmp = tempfile.mkstemp(prefix=".scores-", suffix=".parquet", dir=path.parent)
    os.close(fd)
    writer: Any = None
    try:
        for start in range(0, max(len(order), 1), rows_per_group):
            chunk = order[start : start + rows_per_group]
            scores = []
            gens: dict[tuple[str, str], Generation] = {}
            for r, s in chunk:
                g = tally.generation(r, s)
                score = tally.light_score(r, s)
                if g is None:  # "failure" then comes from the score's details
                    full = tally.score(r, s)
                    score = full if full is not None else score
                else:
                    gens[(g.runner, g.sample_id)] = g
                scores.append(score)
            columns = score_columns(by_id, scores, gens, run_id)
            columns = {
                c: columns.get(c, [None] * len(scores)) for c in (*FIXED_COLUMNS, *keys)
            }
            table = _arrow_table(scrub(columns) if scrub else columns)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
        writer.close()
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            writer.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def render_markdown_from_tally(
    run_dir: Path,
    ctx: Any,
    tally: RunTally,
    summary: Mapping[str, Any],
    manifest: Mapping[str, Any],
    worst: int,
) -> str:
    """``report.md`` from a tally: the pipeline and ``harness report`` write it this way.

    A run with model runners compares each with a baseline item by item, so every
    pair's values are read; a run of baselines only needs the pairs the report lists
    (:meth:`RunTally.report_scores`). Quoted generations are read back on demand.
    """
    from harness.report.markdown import PRIMARY, _columns, render_markdown
    from harness.report.sections import BASELINE_TYPES

    runners = [str(r) for r in summary.get("runners", [])]
    results = summary.get("results", {})
    types = {name: info.get("type") for name, info in manifest.get("runners", {}).items()}
    if any(types.get(r) not in BASELINE_TYPES | {"oracle"} for r in runners):
        listed = tally.light_scores()
    else:
        primary = {}
        for task in PRIMARY:
            cols = _columns(task, results)
            primary[task] = PRIMARY[task] if PRIMARY[task] in cols else (cols[0] if cols else "")
        listed = tally.report_scores(worst, primary)
    return render_markdown(
        run_dir, ctx, listed, GenerationLookup(tally), summary, manifest, worst=worst
    )
