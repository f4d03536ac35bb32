"""Repeated generations per sample (a runner's ``epochs: k``) and how their scores combine.

With sampled decoding (``temperature > 0``) one generation is one draw; ``epochs:
k`` asks the runner k times per sample, with seeds ``seed``, ``seed + 1``, ...
(each cached on its own), scores every draw, and reduces the k scores of each
metric key to the sample's score, as inspect_ai's epoch reducers do:

* ``mean``: the mean over the epochs (the expected score of one draw);
* ``majority``: the value most epochs got (a tie goes to the worse value: a
  failure is never a success);
* ``at_least_one``: the best value of any epoch (pass@k for 0/1 keys; the
  smallest for keys where lower is better).

An epoch that failed (runner error, output that is no answer) is scored as a
failure like any sample and takes part in the reduction.

Example:
    >>> reduce_values([1.0, 0.0, 1.0], "majority", higher_is_better=True)
    1.0
    >>> reduce_values([1.0, 0.0], "majority", higher_is_better=True)
    0.0
    >>> reduce_values([0.0, 0.0, 1.0], "at_least_one", higher_is_better=True)
    1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Literal

from harness.types import Generation, Request, Score

__all__ = [
    "REDUCERS",
    "Reducer",
    "combine_epochs",
    "expand_epochs",
    "reduce_scores",
    "reduce_values",
]

Reducer = Literal["mean", "majority", "at_least_one"]
REDUCERS: tuple[Reducer, ...] = ("mean", "majority", "at_least_one")
_EPOCH_FIELDS = ("sample_id", "runner", "epochs")


def expand_epochs(requests: Sequence[Request], epochs: int) -> list[Request]:
    """Each request ``epochs`` times in a row, with seeds ``seed``, ``seed + 1``, ...

    >>> from harness.types import GenerationParams, Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="?", references=())
    >>> r = Request(sample=s, context="", prompt="?", params=GenerationParams(seed=7))
    >>> [x.params.seed for x in expand_epochs([r], 3)]
    [7, 8, 9]
    """
    if epochs <= 1:
        return list(requests)
    return [
        replace(r, params=replace(r.params, seed=r.params.seed + e))
        for r in requests
        for e in range(epochs)
    ]


def combine_epochs(generations: Sequence[Generation], epochs: int) -> list[Generation]:
    """Fold each run of ``epochs`` generations (one sample's, in seed order) into one.

    The result carries the first epoch's fields and every epoch in ``epochs``;
    its ``error`` names the first epoch that failed (so that a resumed run asks
    again), ``seconds`` and the token counts are the sums over the epochs (None
    when an epoch reported no count).

    Raises:
        ValueError: If the generations do not come in runs of one sample each.
    """
    if epochs <= 1:
        return list(generations)
    if len(generations) % epochs:
        raise ValueError(f"{len(generations)} generations are not runs of {epochs} epochs")
    out: list[Generation] = []
    for start in range(0, len(generations), epochs):
        group = list(generations[start : start + epochs])
        if len({g.sample_id for g in group}) != 1:
            raise ValueError(f"epochs of different samples in one run: {group[0].sample_id}")
        first = group[0]
        error = next(
            (f"epoch {i + 1} of {epochs}: {g.error}" for i, g in enumerate(group) if g.error), None
        )

        def total(values: list[int | None]) -> int | None:
            return None if any(v is None for v in values) else sum(v or 0 for v in values)

        out.append(
            replace(
                first,
                error=error,
                seconds=round(sum(g.seconds for g in group), 6),
                prompt_tokens=total([g.prompt_tokens for g in group]),
                completion_tokens=total([g.completion_tokens for g in group]),
                cached=all(g.cached for g in group),
                epochs=tuple(
                    {k: v for k, v in g.to_dict().items() if k not in _EPOCH_FIELDS} for g in group
                ),
            )
        )
    return out


def reduce_values(values: Sequence[float], reducer: Reducer, higher_is_better: bool) -> float:
    """One value from the epochs' values of one metric key.

    Raises:
        ValueError: On an unknown reducer or no values.
    """
    if not values:
        raise ValueError("no values to reduce")
    if reducer == "mean":
        return sum(values) / len(values)
    if reducer == "at_least_one":
        return max(values) if higher_is_better else min(values)
    if reducer == "majority":
        counts = Counter(round(v, 12) for v in values)
        top = max(counts.values())
        tied = [v for v, c in counts.items() if c == top]
        return min(tied) if higher_is_better else max(tied)
    raise ValueError(f"unknown epoch reducer {reducer!r}; expected one of {', '.join(REDUCERS)}")


def reduce_scores(
    scores: Sequence[Score],
    reducer: Reducer,
    higher_is_better: Callable[[str], bool],
    failures: Sequence[str | None] = (),
) -> Score:
    """The sample's score from its epochs' scores (one per epoch, in order).

    Every key that some epoch has is reduced over the epochs that have it. The
    details are the first epoch's, plus ``epochs``: the reducer, each epoch's
    values and why an epoch failed (``failures``, one entry per epoch or none).
    """
    first = scores[0]
    keys = sorted({k for s in scores for k in s.values})
    values = {
        k: reduce_values(
            [s.values[k] for s in scores if k in s.values], reducer, higher_is_better(k)
        )
        for k in keys
    }
    details: dict[str, Any] = dict(first.details)
    details.pop("error", None)
    record: dict[str, Any] = {
        "reducer": reducer,
        "n": len(scores),
        "values": [dict(s.values) for s in scores],
    }
    failed = {i + 1: why for i, why in enumerate(failures) if why}
    if failed:
        record["failed"] = {str(i): why for i, why in failed.items()}
    if failed and len(failed) == len(scores):
        details["error"] = next(iter(failed.values()))
    details["epochs"] = record
    return Score(first.sample_id, first.runner, values, details)
