"""Request- and token-per-minute limits for hosted APIs, shared by a runner's worker threads.

Each limit is a bucket that refills at ``limit / 60`` per second. A request
reserves its start time under a lock, then waits outside it, so concurrent
workers get evenly spaced slots instead of waking together:

* requests: a bucket of capacity 1; a request starts once it holds a whole
  request, so starts are ``60 / requests_per_minute`` seconds apart;
* tokens: a bucket of capacity one second's worth (``tokens_per_minute / 60``);
  a request starts once the bucket is out of debt and takes its estimated
  tokens (prompt characters / 4 plus ``max_tokens``), which may leave the
  bucket in debt that later requests wait out. When the server reports the
  real usage, :meth:`RateLimiter.settle` books the difference.

Over any stretch of time, no more than the limit plus one request's worth
starts. The clock and the sleep are injected, so tests never wait.

Example:
    >>> t = [0.0]
    >>> limiter = RateLimiter(requests_per_minute=120, clock=lambda: t[0])
    >>> [limiter.reserve() for _ in range(3)]
    [0.0, 0.5, 1.0]
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "estimate_tokens"]


def estimate_tokens(prompt_chars: int, max_tokens: int) -> int:
    """A request's tokens before the server counts them: 4 characters a token, plus the answer.

    >>> estimate_tokens(400, 64)
    164
    """
    return max(1, prompt_chars // 4) + max(0, max_tokens)


@dataclass
class _Bucket:
    rate: float  # units per second
    capacity: float
    threshold: float  # the level a start needs
    level: float
    at: float  # when ``level`` was last brought up to date

    def level_at(self, now: float) -> float:
        return min(self.capacity, self.level + (now - self.at) * self.rate)

    def ready_at(self, now: float) -> float:
        """The earliest time at or after ``now`` when the level reaches the threshold."""
        level = self.level_at(now)
        return now if level >= self.threshold else now + (self.threshold - level) / self.rate

    def take(self, when: float, amount: float) -> None:
        self.level = self.level_at(when) - amount
        self.at = when


class RateLimiter:
    """Requests and tokens per minute for one runner (thread-safe).

    Args:
        requests_per_minute: At most this many request starts a minute; None: no limit.
        tokens_per_minute: At most this many (estimated, then reported) tokens a minute.
        clock: Monotonic seconds (tests inject a fake one).

    Raises:
        ValueError: If a limit is given and not a positive number.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        for label, value in (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
            ):
                raise ValueError(f"{label} must be a positive number, got {value!r}")
        self._clock = clock or time.monotonic
        now = self._clock()
        self._requests = (
            _Bucket(requests_per_minute / 60, 1.0, 1.0, 1.0, now) if requests_per_minute else None
        )
        self._tokens = None
        if tokens_per_minute:
            per_second = tokens_per_minute / 60
            self._tokens = _Bucket(per_second, per_second, 0.0, per_second, now)
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds of waiting handed out, over all requests

    @property
    def active(self) -> bool:
        """Whether any limit is set."""
        return self._requests is not None or self._tokens is not None

    def reserve(self, tokens: int = 0) -> float:
        """Book the next start for a request of ``tokens`` (estimated) tokens.

        Returns:
            Seconds to wait before sending (0.0 when it may go now).
        """
        with self._lock:
            now = self._clock()
            buckets = [b for b in (self._requests, self._tokens) if b is not None]
            start = max([now, *(b.ready_at(now) for b in buckets)])
            if self._requests is not None:
                self._requests.take(start, 1.0)
            if self._tokens is not None:
                self._tokens.take(start, float(tokens))
            wait = start - now
            self.waited += wait
            return wait

    def settle(self, estimated: int, actual: int | None) -> None:
        """Book the difference between a request's estimated and reported tokens."""
        if self._tokens is None or actual is None:
            return
        with self._lock:
            now = self._clock()
            self._tokens.take(now, float(actual - estimated))
