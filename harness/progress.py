"""Progress reporting for long steps: a bar with ETA on a terminal, plain lines elsewhere.

The pipeline talks to a :class:`Progress`: ``start(label, total)`` opens a
step (``total=None`` when the amount of work is unknown, e.g. loading a
model), ``advance(n)`` moves it on, ``done()`` closes it, and ``say(msg)``
prints a line. Calling the object like a function is ``say``, so code written
for the older ``Callable[[str], None]`` hook keeps working, and
:func:`as_progress` turns such a plain callable into a :class:`Progress`.

Three implementations:

- :class:`BarProgress`: tqdm bars with rate and ETA on stderr (a terminal);
- :class:`LineProgress`: plain lines, at most one every ``interval`` seconds
  per step plus the first and the last, for logs and CI (not a terminal);
- :class:`QuietProgress`: nothing (``--quiet``).

Example:
    >>> lines = []
    >>> ticks = iter([0.0, 0.0, 4.0, 10.0])
    >>> p = LineProgress(lines.append, interval=5.0, clock=lambda: next(ticks))
    >>> p.start("[lead] generate", 4)
    >>> p.advance(2)
    >>> p.advance(2)
    >>> p.done()
    >>> lines
    ['[lead] generate: 0/4', '[lead] generate: 4/4 (100%) in 10.0s']
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """What the pipeline reports to; every method is cheap and never raises."""

    def start(self, label: str, total: int | None = None) -> None:
        """Open a step of ``total`` units (``None``: unknown)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the open step are done."""

    def done(self) -> None:
        """Close the open step."""

    def say(self, msg: str) -> None:
        """Print one line (between bars, never through one)."""

    def __call__(self, msg: str) -> None:
        """Same as :meth:`say`, for code written for a plain ``Callable[[str], None]``."""


def _duration(seconds: float) -> str:
    """``12.3s``, ``4m05s`` or ``1h02m``.

    >>> _duration(3.21), _duration(245), _duration(3725)
    ('3.2s', '4m05s', '1h02m')
    """
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class QuietProgress:
    """Reports nothing."""

    def start(self, label: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def done(self) -> None:
        pass

    def say(self, msg: str) -> None:
        pass

    def __call__(self, msg: str) -> None:
        pass


class LineProgress:
    """Plain lines with counts, elapsed time and ETA; for logs, pipes and CI.

    Args:
        write: receives each finished line (no trailing newline).
        interval: at most one progress line per step every this many seconds
            (the first and the last line of a step are always written).
        clock: seconds as a float; injectable for tests.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._interval = interval
        self._clock = clock
        self._label = ""
        self._total: int | None = None
        self._count = 0
        self._t0 = 0.0
        self._last = 0.0
        self._open = False

    def start(self, label: str, total: int | None = None) -> None:
        if self._open:
            self.done()
        self._label, self._total, self._count, self._open = label, total, 0, True
        self._t0 = self._last = self._clock()
        self._write(f"{label}: 0/{total}" if total is not None else f"{label} ...")

    def advance(self, n: int = 1) -> None:
        if not self._open:
            return
        self._count += n
        now = self._clock()
        if now - self._last < self._interval:
            return
        self._last = now
        elapsed = now - self._t0
        if self._total:
            share = self._count / self._total
            eta = elapsed / share - elapsed if share > 0 else 0.0
            self._write(
                f"{self._label}: {self._count}/{self._total} ({share:.0%}), "
                f"{_duration(elapsed)} elapsed, ETA {_duration(eta)}"
            )
        else:
            self._write(f"{self._label}: {self._count} done, {_duration(elapsed)} elapsed")

    def done(self) -> None:
        if not self._open:
            return
        self._open = False
        elapsed = _duration(self._clock() - self._t0)
        if self._total is None:
            self._write(f"{self._label}: done in {elapsed}")
        else:
            share = f" ({self._count / self._total:.0%})" if self._total else ""
            self._write(f"{self._label}: {self._count}/{self._total}{share} in {elapsed}")

    def say(self, msg: str) -> None:
        self._write(msg)

    def __call__(self, msg: str) -> None:
        self.say(msg)


class BarProgress:
    """tqdm bars (count, rate, elapsed, ETA) on a terminal stream; tqdm is imported lazily."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._bar: Any = None

    def start(self, label: str, total: int | None = None) -> None:
        import shutil

        from tqdm import tqdm

        self.done()
        # Some terminals (CI ptys) report a 0 x 0 size; tqdm would then draw nothing.
        cols, rows = shutil.get_terminal_size((100, 24))
        self._bar = tqdm(
            total=total,
            desc=label,
            file=self._stream,
            unit="it" if total is None else " samples",
            ncols=min(cols, 120) if cols > 20 else 100,
            nrows=rows if rows > 0 else 24,
            leave=True,
            mininterval=0.2,
        )

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def done(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def say(self, msg: str) -> None:
        if self._bar is not None:
            from tqdm import tqdm

            tqdm.write(msg, file=self._stream)
        else:
            print(msg, file=self._stream, flush=True)

    def __call__(self, msg: str) -> None:
        self.say(msg)


def make_progress(quiet: bool = False, stream: TextIO | None = None) -> Progress:
    """The right reporter for ``stream`` (default stderr): bars on a terminal, else lines.

    >>> isinstance(make_progress(quiet=True), QuietProgress)
    True
    >>> import io
    >>> isinstance(make_progress(stream=io.StringIO()), LineProgress)
    True
    """
    if quiet:
        return QuietProgress()
    out = stream if stream is not None else sys.stderr
    isatty = getattr(out, "isatty", None)
    if callable(isatty) and isatty():
        return BarProgress(out)

    def write(line: str) -> None:
        print(line, file=out, flush=True)

    return LineProgress(write)


def as_progress(progress: Progress | Callable[[str], None] | None) -> Progress:
    """A :class:`Progress` from either a Progress, a plain ``(msg) -> None`` callable, or None.

    A plain callable receives the lines a :class:`LineProgress` would print.

    >>> seen = []
    >>> p = as_progress(seen.append)
    >>> p.say("hello")
    >>> seen
    ['hello']
    """
    if progress is None:
        return QuietProgress()
    if isinstance(progress, Progress):
        return progress
    return LineProgress(progress)
