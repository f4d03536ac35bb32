"""The gold as a ``datasets.DatasetDict`` on disk, and as Parquet ready for the Hugging Face Hub.

``export_gold(docs, DIR)`` writes ``DIR`` with ``DatasetDict.save_to_disk``
(four tables: ``qa``, ``summaries``, ``facts``, ``articles``; load them back
with ``datasets.load_from_disk``). With ``parquet=True`` it also writes
``DIR/parquet/``: one Parquet file per non-empty table and a ``README.md``
whose YAML header declares each table as a dataset config (the Hub shows
them as subsets; upload the folder as it is)::

    DIR/parquet/README.md
    DIR/parquet/qa.parquet          load_dataset("DIR/parquet", "qa", split="test")
    DIR/parquet/articles.parquet

Empty tables (XQuAD has no summaries or facts) stay out of the Parquet
bundle, since ``datasets`` cannot load an empty Parquet split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.gold.load import GoldDocument, to_datasets

PARQUET_SPLIT = "test"  # gold is evaluation data


@dataclass(frozen=True)
class ExportResult:
    """Where the export went and how many rows each table has."""

    path: Path
    rows: dict[str, int]
    parquet: tuple[Path, ...] = ()


def _card(tables: Sequence[str], rows: dict[str, int]) -> str:
    """A dataset card whose YAML header declares one config per table.

    >>> print(_card(["qa"], {"qa": 3}))  # doctest: +NORMALIZE_WHITESPACE
    ---
    configs:
    - config_name: qa
      data_files:
      - split: test
        path: qa.parquet
    ---
    <BLANKLINE>
    # Gold exported by harness
    <BLANKLINE>
    | table | rows |
    | --- | --- |
    | qa | 3 |
    <BLANKLINE>
    """
    head = ["---", "configs:"]
    for t in tables:
        head += [
            f"- config_name: {t}",
            "  data_files:",
            f"  - split: {PARQUET_SPLIT}",
            f"    path: {t}.parquet",
        ]
    head.append("---")
    body = ["", "# Gold exported by harness", "", "| table | rows |", "| --- | --- |"]
    body += [f"| {t} | {rows[t]} |" for t in tables]
    return "\n".join(head + body) + "\n"


def export_gold(
    docs: Sequence[GoldDocument], out: Path | str, parquet: bool = False
) -> ExportResult:
    """Save ``docs`` as a ``DatasetDict`` in ``out`` (and Parquet in ``out/parquet``).

    Raises:
        FileExistsError: ``out`` holds files that are not an earlier export
            (so that a typo cannot scatter Arrow files over a project folder).
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "dataset_dict.json").is_file():
        raise FileExistsError(f"{out}: exists and is not an earlier export; choose an empty folder")
    dd: Any = to_datasets(docs)
    out.mkdir(parents=True, exist_ok=True)
    # One shard per table: datasets writes no shard for an empty table and then cannot load it.
    dd.save_to_disk(str(out), num_shards={name: 1 for name in dd})
    rows = {name: len(ds) for name, ds in dd.items()}
    written: list[Path] = []
    if parquet:
        folder = out / "parquet"
        folder.mkdir(exist_ok=True)
        tables = [name for name in dd if rows[name]]
        for name in dd:
            target = folder / f"{name}.parquet"
            if name in tables:
                dd[name].to_parquet(str(target))
                written.append(target)
            elif target.exists():
                target.unlink()  # left by an earlier export of a gold that had rows here
        card = folder / "README.md"
        card.write_text(_card(tables, rows), encoding="utf-8")
        written.append(card)
    return ExportResult(out, rows, tuple(written))
