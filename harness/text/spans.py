"""Character spans asked about many times: built once, each question in logarithmic time.

The metrics ask, for every number or date of an output, whether a date span holds it,
which sentence it is in, which word starts there. Asked by scanning every span, that is
quadratic in the length of the output: a megabyte dense with dates never finished.
These answer the same questions with the same results in ``O(log n)`` each.

Example:
    >>> cover = Cover([(10, 20), (0, 5), (15, 30)])
    >>> [p in cover for p in (0, 5, 12, 29, 30)]
    [True, False, True, True, False]
    >>> SpanIndex([(0, 10), (10, 25)]).find(12)
    1
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class Cover:
    """The positions that lie in at least one ``[start, end)`` span: ``pos in cover``.

    Equal to ``any(s <= pos < e for s, e in spans)`` for any spans (overlapping,
    unsorted, empty), after ``O(n log n)`` to merge them.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted((s, e) for s, e in spans if s < e):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def __contains__(self, pos: object) -> bool:
        if not isinstance(pos, int):
            return False
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


class SpanIndex:
    """Which of ``spans`` holds a position: the first with ``start <= pos < end``.

    Non-empty spans sorted by start and not overlapping (sentences, words) are
    searched by bisection; any others are scanned, so :meth:`find` always gives
    the scan's answer.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = [(int(s), int(e)) for s, e in spans]
        self._starts = [s for s, _ in self.spans]
        self._bisect = all(s < e for s, e in self.spans) and all(
            a[1] <= b[0] for a, b in zip(self.spans, self.spans[1:], strict=False)
        )

    def find(self, pos: int) -> int:
        """Index of the first span holding ``pos``, or -1."""
        if self._bisect:
            i = bisect.bisect_right(self._starts, pos) - 1
            return i if i >= 0 and pos < self.spans[i][1] else -1
        return next((i for i, (s, e) in enumerate(self.spans) if s <= pos < e), -1)
