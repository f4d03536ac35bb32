"""Prediction files made elsewhere, for ``harness score``: SQuAD's layout and bare SQuAD ids.

Besides the harness's JSONL (``{"sample_id", "text"[, "runner"]}`` per line),
``harness score`` reads the official SQuAD evaluation's files:

* a prediction file: one JSON object ``{"<question id>": "<answer text>", ...}``
  (SQuAD v1.1 and v2; ``""`` is "no answer" in v2);
* with ``--na-prob FILE``, the no-answer probabilities
  ``{"<question id>": 0.93, ...}``: as in the official v2 script, a prediction
  whose probability exceeds ``--na-prob-thresh`` (default 1.0) is scored as
  "no answer" (the empty string), whatever its text.

A question id is a sample id (``<doc-id>/<item-id>``) or a bare SQuAD id as in
the source file: gold imported with ``harness gold import-squad`` (or a
``datasets:`` entry) keeps each question's id as its item id (lower-cased,
other characters to ``-``), so a bare id names the one QA sample of the
original language whose item id it is.

Example:
    >>> from harness.types import Sample
    >>> s = Sample(id="xquad-de-0/56beb4343aeaaa14008c925b", doc_id="xquad-de-0", task="qa",
    ...            language="de", input="?", references=("Denver Broncos",))
    >>> resolve_ids(["56beb4343aeaaa14008c925b"], [s])
    {'56beb4343aeaaa14008c925b': 'xquad-de-0/56beb4343aeaaa14008c925b'}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.gold.importers import safe_id
from harness.gold.load import loads_strict
from harness.types import Sample

__all__ = [
    "PredictionFileError",
    "apply_na_probs",
    "is_squad_predictions",
    "read_na_probs",
    "read_squad_predictions",
    "resolve_ids",
]


class PredictionFileError(ValueError):
    """A prediction or na_prob file is malformed; the message is ``file:line: field: what``."""


def _key_line(text: str, key: str) -> int:
    """The line of ``"key":`` in a JSON object's text (1 when not found)."""
    needle = json.dumps(key, ensure_ascii=False)
    at = text.find(needle + ":")
    if at < 0:
        at = text.find(needle)
    return text[:at].count("\n") + 1 if at >= 0 else 1


def _read_object(path: Path, what: str) -> tuple[dict[str, Any], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PredictionFileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PredictionFileError(f"{path}:{line}: not valid UTF-8 (byte {exc.start})") from None
    try:
        obj = loads_strict(text)
    except json.JSONDecodeError as exc:
        raise PredictionFileError(
            f"{path}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    except ValueError as exc:  # NaN, Infinity
        raise PredictionFileError(f"{path}:1: invalid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise PredictionFileError(
            f"{path}:1: (file): expected one JSON object {what}, got {type(obj).__name__}"
        )
    return obj, text


def is_squad_predictions(text: str, record_keys: Iterable[str]) -> bool:
    """Whether a prediction file's text is SQuAD's single object (not the harness's JSONL).

    It is when the whole text is one JSON object none of whose keys is one of
    the harness's record keys (``sample_id``, ``text``, ...).

    >>> is_squad_predictions('{"56be4db0acb8001400a502ec": "Denver Broncos"}', ["text"])
    True
    >>> is_squad_predictions('{"sample_id": "d/q", "text": "x"}', ["sample_id", "text"])
    False
    """
    try:
        obj = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):  # JSONL, or too deep: the line reader says where
        return False
    return isinstance(obj, dict) and bool(obj) and not set(obj) & set(record_keys)


def read_squad_predictions(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """``{question id: text}`` of a SQuAD prediction file, and each id's line.

    Raises:
        PredictionFileError: If the file is not one JSON object of strings, or is empty.
    """
    obj, text = _read_object(path, "{question id: answer text}")
    if not obj:
        raise PredictionFileError(f"{path}:1: (file): no predictions (the object is empty)")
    lines = {qid: _key_line(text, qid) for qid in obj}
    for qid, value in obj.items():
        if not isinstance(value, str):
            raise PredictionFileError(
                f"{path}:{lines[qid]}: {qid}: expected the answer text (a string), "
                f"got {type(value).__name__}"
            )
    return dict(obj), lines


def read_na_probs(path: Path) -> tuple[dict[str, float], dict[str, int]]:
    """``{question id: probability of no answer}`` of a SQuAD ``na_prob`` file, and lines.

    Raises:
        PredictionFileError: If a value is not a number between 0 and 1.
    """
    obj, text = _read_object(path, "{question id: no-answer probability}")
    lines = {qid: _key_line(text, qid) for qid in obj}
    out: dict[str, float] = {}
    for qid, value in obj.items():
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise PredictionFileError(
                f"{path}:{lines[qid]}: {qid}: expected a probability between 0 and 1, "
                f"got {value!r:.40}"
            )
        out[qid] = float(value)
    return out, lines


def apply_na_probs(
    predictions: Mapping[str, str],
    na_probs: Mapping[str, float],
    threshold: float,
    path: Path,
    lines: Mapping[str, int],
) -> dict[str, str]:
    """The official v2 rule: a prediction whose no-answer probability exceeds ``threshold``
    becomes ``""`` (no answer).

    Raises:
        PredictionFileError: If an id of the na_prob file has no prediction, or a prediction
            has no probability.
    """
    extra = sorted(set(na_probs) - set(predictions))
    if extra:
        raise PredictionFileError(
            f"{path}:{lines.get(extra[0], 1)}: {extra[0]}: no prediction has this id"
        )
    missing = sorted(set(predictions) - set(na_probs))
    if missing:
        raise PredictionFileError(
            f"{path}:1: {missing[0]}: no probability for this prediction "
            f"({len(missing)} missing)"
        )
    return {q: "" if na_probs[q] > threshold else t for q, t in predictions.items()}


def resolve_ids(ids: Iterable[str], samples: Sequence[Sample]) -> dict[str, str]:
    """Sample ids for the given ids: a sample id stays; a bare SQuAD id maps to its QA sample.

    A bare id ``X`` names the QA sample of the original language (no ``@lang``)
    whose item id is ``safe_id(X)``. Ids that name nothing, or more than one
    sample, are left out (the caller reports them).
    """
    known = {s.id for s in samples}
    by_item: dict[str, list[str]] = {}
    for s in samples:
        if s.task == "qa" and "@" not in s.id:
            by_item.setdefault(s.id.rsplit("/", 1)[-1], []).append(s.id)
    out: dict[str, str] = {}
    for qid in ids:
        if qid in known:
            out[qid] = qid
            continue
        hits = by_item.get(safe_id(qid, fallback="q"), [])
        if len(hits) == 1:
            out[qid] = hits[0]
    return out
