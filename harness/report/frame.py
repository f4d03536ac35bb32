"""A run's per-sample scores as one table: a pandas DataFrame, and ``scores.parquet``.

One row per runner and sample, in the order of ``scores.jsonl``; the columns
(:data:`FIXED_COLUMNS`, then one per metric key)::

    run_id, runner, sample_id, doc_id, task, language, category, answerable,
    prediction, failure, finish_reason, seconds, prompt_tokens,
    completion_tokens, cached, <metric>.<key> ...

``prediction`` is the scored answer text, ``failure`` why the sample was
scored as a failure (the runner's error, or an output that is no answer;
null otherwise). A metric column is null where that metric gave no value for
the sample (another task's metric, a question without reference). Metric
values are on each metric's own scale (``qa_de`` 0–100, ``rouge`` 0–1). The
pipeline writes ``scores.parquet`` with every run; ``harness export RUN
--format parquet`` writes it for older runs.

Example:
    >>> from harness.types import Sample, Score
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    >>> table = score_columns({"d/q": s}, [Score("d/q", "oracle", {"qa_de.f1": 100.0})], {}, "r1")
    >>> table["runner"], table["qa_de.f1"], table["prediction"]
    (['oracle'], [100.0], [None])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.types import Generation, Sample, Score

if TYPE_CHECKING:
    import pandas as pd

    from harness.report.load import RunData

__all__ = ["FIXED_COLUMNS", "PARQUET_FILE", "score_columns", "to_pandas", "write_parquet"]

PARQUET_FILE = "scores.parquet"
#: The columns every table has, before the metric columns (sorted by name).
FIXED_COLUMNS: tuple[str, ...] = (
    "run_id",
    "runner",
    "sample_id",
    "doc_id",
    "task",
    "language",
    "category",
    "answerable",
    "prediction",
    "failure",
    "finish_reason",
    "seconds",
    "prompt_tokens",
    "completion_tokens",
    "cached",
)
_TYPES = {
    "answerable": "bool",
    "cached": "bool",
    "seconds": "double",
    "prompt_tokens": "int64",
    "completion_tokens": "int64",
}


def score_columns(
    samples: Mapping[str, Sample],
    scores: Iterable[Score],
    generations: Mapping[tuple[str, str], Generation],
    run_id: str,
) -> dict[str, list[Any]]:
    """The table as columns: ``name -> values``, one value per score (row).

    Args:
        samples: ``sample_id -> Sample`` (a score of an unknown sample is left out).
        scores: One :class:`Score` per runner and sample.
        generations: ``(runner, sample_id) -> Generation``; a missing one leaves
            ``prediction`` and the generation columns null.
        run_id: The run's id, repeated in every row.

    Returns:
        :data:`FIXED_COLUMNS` followed by every metric key (sorted), all of the same length.
    """
    rows = [s for s in scores if s.sample_id in samples]
    keys = sorted({k for s in rows for k in s.values})
    out: dict[str, list[Any]] = {c: [] for c in (*FIXED_COLUMNS, *keys)}
    for score in rows:
        sample = samples[score.sample_id]
        gen = generations.get((score.runner, score.sample_id))
        fixed: dict[str, Any] = {
            "run_id": run_id,
            "runner": score.runner,
            "sample_id": score.sample_id,
            "doc_id": sample.doc_id,
            "task": sample.task,
            "language": sample.language,
            "category": sample.category,
            "answerable": sample.answerable,
            "prediction": gen.text if gen else None,
            "failure": gen.failed if gen else score.details.get("error"),
            "finish_reason": gen.finish_reason if gen else None,
            "seconds": gen.seconds if gen else None,
            "prompt_tokens": gen.prompt_tokens if gen else None,
            "completion_tokens": gen.completion_tokens if gen else None,
            "cached": gen.cached if gen else None,
        }
        for column, value in fixed.items():
            out[column].append(value)
        for key in keys:
            out[key].append(score.values.get(key))
    return out


def _arrow_table(columns: Mapping[str, list[Any]]) -> Any:
    """A ``pyarrow.Table`` with explicit types: strings, bools, ints, and float64 metrics."""
    import pyarrow as pa

    kinds = {"bool": pa.bool_(), "double": pa.float64(), "int64": pa.int64()}
    schema = pa.schema(
        [
            pa.field(
                name,
                kinds[_TYPES[name]]
                if name in _TYPES
                else (pa.string() if name in FIXED_COLUMNS else pa.float64()),
            )
            for name in columns
        ]
    )
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(path: Path, columns: Mapping[str, list[Any]]) -> Path:
    """Write the table to ``path`` as the run's other files are written.

    Through a temporary file in the same folder, synced and renamed into place
    (readers never see half a file); only a regular file is replaced, and the
    file gets the mode of the one it replaces, else ``0666`` minus the umask.

    Raises:
        OutputError: ``path`` is a symlink, FIFO, device or folder (left as it is).
        OSError: Writing failed; ``path`` is left as it was.
    """
    import io
    import os
    import stat
    import tempfile

    import pyarrow.parquet as pq

    from harness.results import _umask, check_output_file

    buffer = io.BytesIO()
    pq.write_table(_arrow_table(columns), buffer)
    before = check_output_file(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, stat.S_IMODE(before.st_mode) if before else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
            f.flush()
            os.fsync(f.fileno())
        check_output_file(path)  # nothing odd put there meanwhile
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_pandas(run: RunData) -> pd.DataFrame:
    """The per-sample scores of a loaded run as a DataFrame (columns as in the module docstring).

    >>> from harness.report.load import load_run  # doctest: +SKIP
    >>> df = load_run("results/<run-id>").to_pandas()  # doctest: +SKIP
    >>> df.groupby(["runner", "task"])["qa_de.f1"].mean()  # doctest: +SKIP
    """
    columns = score_columns(run.samples, run.scores.values(), run.generations, run.run_id)
    frame: pd.DataFrame = _arrow_table(columns).to_pandas()
    return frame
