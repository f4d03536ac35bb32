"""Requests flow through a runner's window of work in flight; answers are handled as they come.

A runner that can keep many requests in flight says so with two members::

    window: int     # how many requests it wants in flight (a server: its concurrency)
    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        ...         # yields answers as they arrive, each with its request's position

and refills its window as answers come back, with no barrier between groups:
the ``openai`` runner keeps ``concurrency`` requests in flight, the ``hf``
runner batches by shared context under a memory budget. :func:`stream_answers`
gives every runner that shape: through ``stream`` when it has one, else by
calling ``generate`` on consecutive chunks of ``window`` requests (default
:data:`BATCH`). The pipeline writes and scores each answer as it arrives.

:class:`SyncCadence` forces written lines to disk (``fsync``) every
``lines`` lines or ``seconds`` seconds, whichever comes first, instead of
once per small batch: every line reaches the operating system when it is
written (a killed process loses nothing written), the cadence bounds what a
power loss can take.

Example:
    >>> from harness.types import Request, Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="?", references=())
    >>> class Echo:
    ...     name = "echo"
    ...     def fingerprint(self): return "echo"
    ...     def generate(self, requests):
    ...         return [Generation(r.sample_id, "echo", r.prompt) for r in requests]
    >>> reqs = [Request(sample=s, context="", prompt=str(i)) for i in range(3)]
    >>> [[(i, g.text) for i, g in part] for part in stream_answers(Echo(), reqs, window=2)]
    [[(0, '0'), (1, '1')], [(2, '2')]]
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Protocol, overload, runtime_checkable

from harness.types import Generation, Request

__all__ = [
    "BATCH",
    "Requests",
    "SYNC_LINES",
    "SYNC_SECONDS",
    "StreamingRunner",
    "SyncCadence",
    "runner_window",
    "stream_answers",
]

#: Requests handed at once to a runner that has no ``window`` (and no ``stream``).
BATCH = 16
#: Written lines are forced to disk after this many lines ...
SYNC_LINES = 1000
#: ... or this many seconds, whichever comes first.
SYNC_SECONDS = 1.0


@runtime_checkable
class StreamingRunner(Protocol):
    """A runner that keeps ``window`` requests in flight and yields answers as they arrive."""

    name: str
    window: int

    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        """Answer every request once; yield ``(position in requests, generation)`` groups."""
        ...


class StreamError(RuntimeError):
    """A runner answered a request twice, one that does not exist, or not every request."""


def runner_window(runner: Any) -> int:
    """How many requests ``runner`` wants in flight: its ``window``, else :data:`BATCH`."""
    window = getattr(runner, "window", None)
    if isinstance(window, int) and not isinstance(window, bool) and window >= 1:
        return window
    return BATCH


def stream_answers(
    runner: Any, requests: Sequence[Request], window: int | None = None
) -> Generator[list[tuple[int, Generation]], None, None]:
    """Every request's generation, in groups as they arrive, each with its request's position.

    Through ``runner.stream`` when the runner has one (its own window), else
    ``runner.generate`` on consecutive chunks of ``window`` requests (default
    :func:`runner_window`), each answered in order.

    Raises:
        StreamError: The runner returned the wrong number of generations for a
            chunk, or answered a position twice, out of range, or not at all.
    """
    if not requests:
        return
    stream = getattr(runner, "stream", None)
    if callable(stream):
        seen = [False] * len(requests)
        left = len(requests)
        answers = stream(requests)
        try:
            for group in answers:
                for index, _ in group:
                    if not 0 <= index < len(requests) or seen[index]:
                        what = "twice" if 0 <= index < len(requests) else "out of range"
                        raise StreamError(f"answered request {index} {what}")
                    seen[index] = True
                    left -= 1
                if group:
                    yield list(group)
        finally:  # stopped early (an error, Ctrl-C): the runner cancels what is in flight
            close = getattr(answers, "close", None)
            if close is not None:
                close()
        if left:
            raise StreamError(f"{left} of {len(requests)} requests were never answered")
        return
    size = window or runner_window(runner)
    for start in range(0, len(requests), size):
        chunk = requests[start : start + size]
        gens = runner.generate(chunk)
        if len(gens) != len(chunk):
            raise StreamError(f"returned {len(gens)} generations for {len(chunk)} requests")
        yield [(start + i, g) for i, g in enumerate(gens)]


class SyncCadence:
    """Forces files to disk every ``lines`` written lines or ``seconds`` seconds.

    Args:
        files: Objects with ``sync()`` (:class:`harness.results.JsonlAppender`).
        lines: Sync after this many lines written since the last sync (default
            :data:`SYNC_LINES`).
        seconds: ... or once this many seconds have passed since it (default
            :data:`SYNC_SECONDS`).
        clock: Monotonic seconds (tests inject one).

    Example:
        >>> class File:
        ...     syncs = 0
        ...     def sync(self): self.syncs += 1
        >>> now = [0.0]
        >>> f = File()
        >>> cadence = SyncCadence([f], lines=3, seconds=10.0, clock=lambda: now[0])
        >>> for _ in range(7):
        ...     cadence.wrote()
        >>> f.syncs
        2
        >>> now[0] = 11.0
        >>> cadence.wrote()
        >>> f.syncs
        3
    """

    def __init__(
        self,
        files: Sequence[Any],
        lines: int | None = None,
        seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.files = list(files)
        self.lines = max(1, SYNC_LINES if lines is None else lines)
        self.seconds = SYNC_SECONDS if seconds is None else seconds
        self.clock = clock
        self.pending = 0
        self.syncs = 0
        self.last = clock()

    def wrote(self, n: int = 1) -> None:
        """``n`` more lines were written; sync if the cadence says so."""
        self.pending += n
        if self.pending >= self.lines or self.clock() - self.last >= self.seconds:
            self.sync()

    def sync(self) -> None:
        """Force everything written so far to disk now."""
        for f in self.files:
            f.sync()
        self.pending = 0
        self.syncs += 1
        self.last = self.clock()


class Requests(Sequence[Request]):
    """The requests of ``items``, built when read: a run of 100,000 samples never holds them all.

    ``requests[i]`` is ``make(items[i // epochs])`` with the seed raised by
    ``i % epochs`` (what :func:`harness.epochs.expand_epochs` gives: each
    request ``epochs`` times in a row, seeds ``seed``, ``seed + 1``, ...). The
    last ``keep`` requests read are kept, so a runner's window and the pipeline
    reading an answer's request back build each one once.

    Example:
        >>> from harness.types import GenerationParams, Sample
        >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="?", references=())
        >>> made = Requests(lambda x: Request(sample=x, context="", prompt="?"), [s], epochs=2)
        >>> len(made), [r.params.seed for r in made]
        (2, [0, 1])
    """

    def __init__(
        self,
        make: Callable[[Any], Request],
        items: Sequence[Any],
        epochs: int = 1,
        keep: int = 8192,
    ) -> None:
        self.make = make
        self.items = items
        self.epochs = max(1, epochs)
        self.keep = keep
        self._built: OrderedDict[int, Request] = OrderedDict()

    def __len__(self) -> int:
        return len(self.items) * self.epochs

    @overload
    def __getitem__(self, index: int) -> Request: ...

    @overload
    def __getitem__(self, index: slice) -> list[Request]: ...

    def __getitem__(self, index: int | slice) -> Request | list[Request]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        built = self._built.get(index)
        if built is None:
            from dataclasses import replace

            built = self.make(self.items[index // self.epochs])
            epoch = index % self.epochs
            if self.epochs > 1:
                built = replace(built, params=replace(built.params, seed=built.params.seed + epoch))
            self._built[index] = built
            if len(self._built) > self.keep:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(index)
        return built
