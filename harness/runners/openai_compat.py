"""A runner for any OpenAI-compatible server: vLLM, TGI, Ollama, llama.cpp, OpenAI itself.

Registered as ``openai``. Options (plain YAML values)::

    runners:
      - name: served
        type: openai
        options:
          base_url: http://127.0.0.1:8000/v1
          model: my-model
          endpoint: chat              # chat (/chat/completions) | completions (/completions)
          api_key_env: OPENAI_API_KEY # the *name* of an environment variable; none for local
          concurrency: 4              # requests in flight at once
          timeout: 120                # seconds to connect, and to wait for the answer
          max_retries: 4              # after the first attempt
          backoff_base: 0.5           # exponential backoff: base * 2**attempt, with jitter
          backoff_max: 30             # no single wait longer than this
          extra_body: {top_k: 1}      # merged into every request body
          headers: {OpenAI-Organization: org-123}
          header_env: {api-key: AZURE_OPENAI_KEY}   # header values read from the environment
          reasoning_tags: [["<think>", "</think>"]] # a reasoning model: stops on the client only
          requests_per_minute: 500    # a hosted API's limits: requests are spaced to fit them
          tokens_per_minute: 200000

HTTP goes through ``httpx`` (the ``httpx2`` distribution that the ``openai`` SDK
and ``huggingface_hub`` use: a pool of keep-alive connections shared by the
worker threads, timeouts, decoding); retries through ``tenacity`` (this
runner's stop, wait and sleep, so ``Retry-After`` is honoured exactly and
tests never wait). What remains here is the OpenAI protocol: the request
body, parsing the answer, and turning every failure into a sample's error.

What the runner guarantees:

- A failed sample becomes a :class:`~harness.types.Generation` with ``error``
  set (HTTP status, a short excerpt of the body, how many attempts were made);
  the other samples go on. Nothing raised by one request reaches the others.
- 408, 409, 429, 5xx, connection errors (refused, reset, closed) and timeouts
  are retried up to ``max_retries`` times with exponential backoff and jitter.
  A ``Retry-After`` (or ``retry-after-ms``) header is honoured exactly; when it
  asks for more than ``backoff_max`` seconds the sample fails at once with a
  message saying so, instead of stalling the run. Other 4xx (a wrong key, an
  unknown model) fail at once.
- Stop sequences are sent to the server (at most four: the OpenAI limit) and
  applied again on the client, since some servers ignore them. Whitespace-only
  stops (``"\n"``, ``"\n\n"``) stay on the client: a server stops at the
  newline a model opens its answer with, where the client's rule (a stop
  counts once the answer has begun) gives the answer an in-process run gives.
  A server's ``stop_reason`` is recorded; an empty answer that a stop sequence
  ended before it began is scored as a failure, never as an abstention. With
  ``reasoning_tags`` set (a model that writes ``<think>…</think>``) they are
  applied on the client only, after the reasoning is removed: a server would
  cut inside the trace.
- ``finish_reason``, a ``refusal`` and a ``reasoning_content`` (or
  ``reasoning``) field are recorded in the generation; an empty answer that is
  refused, filtered or cut at the token limit is scored as a failure, never as
  an abstention (see :func:`harness.runners.base.failure_reason`).
- Greedy decoding is ``temperature: 0``; the seed is always sent.
- The API key is read from the environment when the first request is made
  and is sent only as a header: it is never stored on the runner, part of the
  fingerprint, or echoed in an error message (any secret is masked in bodies
  quoted in errors).

Example:
    >>> r = OpenAIRunner(name="local", base_url="http://127.0.0.1:8000/v1", model="m")
    >>> r.url
    'http://127.0.0.1:8000/v1/chat/completions'
    >>> OpenAIRunner(name="x", base_url="http://u:secret@host/v1", model="m").display_url
    'http://***@host/v1'
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit

import tenacity

from harness.runners.base import (
    RUNNERS,
    parse_reasoning_tags,
    process_output,
    stable_hash,
)
from harness.runners.limits import RateLimiter, estimate_tokens
from harness.types import Generation, Request

#: Bump when a change in this file can change outputs: it is part of the fingerprint.
RUNNER_VERSION = 3  # 2: finish_reason, refusal, reasoning; 3: whitespace stops on the client
#: HTTP statuses worth another try: timeouts, conflicts, rate limits, server errors.
RETRY_STATUSES = frozenset({408, 409, 429})
#: The OpenAI API accepts at most this many stop sequences.
MAX_SERVER_STOPS = 4
#: Bodies quoted in error messages are cut to this many characters.
EXCERPT_CHARS = 200
#: Responses larger than this are refused (a runaway or hostile server).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024

Endpoint = Literal["chat", "completions"]
ENDPOINTS: dict[str, str] = {"chat": "/chat/completions", "completions": "/completions"}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying a failed request again.

    The wait before retry ``n`` (0-based) is drawn uniformly from the upper
    half of ``min(backoff_max, backoff_base * 2**n)`` ("equal jitter"), so
    concurrent workers spread out but never retry at once.

    >>> policy = RetryPolicy(max_retries=3, backoff_base=1.0, backoff_max=5.0)
    >>> [policy.ceiling(n) for n in range(4)]
    [1.0, 2.0, 4.0, 5.0]
    >>> 1.0 <= policy.backoff(1, random.Random(0)) <= 2.0
    True
    """

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0

    def ceiling(self, attempt: int) -> float:
        """The longest wait before retry number ``attempt`` (0-based)."""
        return float(min(self.backoff_max, self.backoff_base * (2**attempt)))

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """A jittered wait before retry number ``attempt`` (0-based)."""
        top = self.ceiling(attempt)
        return top / 2 + rng.uniform(0, top / 2)


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds a server asks us to wait: ``retry-after-ms``, or ``Retry-After`` (seconds or date).

    ``headers`` keys must be lower-case. Returns None when there is no usable header.

    >>> parse_retry_after({"retry-after": "2"}, now=0.0)
    2.0
    >>> parse_retry_after({"retry-after-ms": "1500"}, now=0.0)
    1.5
    >>> parse_retry_after({"retry-after": "Thu, 01 Jan 1970 00:00:30 GMT"}, now=10.0)
    20.0
    >>> parse_retry_after({"retry-after": "soon"}, now=0.0) is None
    True
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:  # pragma: no cover - older Pythons returned None
            return None
        seconds = when.timestamp() - now
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a wait


class _Failure(Exception):
    """One attempt failed; ``retry`` says whether another attempt may help."""

    def __init__(self, message: str, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.retry_after = retry_after


class _Cancelled(Exception):
    """The run is being aborted (Ctrl-C): no further attempts."""


@dataclass(frozen=True)
class _Answer:
    raw: str
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float
    finish_reason: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    stop_reason: str | None = None


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of at most ``limit`` characters.

    >>> _excerpt('{"error":\\n  "boom"}')
    '{"error": "boom"}'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _stop_reason(value: Any) -> str | None:
    """A server's ``stop_reason``: the stop string, or a stop token id as text; else None."""
    if isinstance(value, str) and value:
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@RUNNERS.register("openai")
class OpenAIRunner:
    """Generate through an OpenAI-compatible HTTP server (completions or chat completions).

    Args:
        name: the label in reports.
        model: the model name the server knows (``model`` in the request body).
        base_url: the API root, usually ending in ``/v1``
            (``http://127.0.0.1:8000/v1``, ``https://api.openai.com/v1``).
        endpoint: ``chat`` sends the request's chat messages to
            ``/chat/completions``; ``completions`` sends the plain prompt
            (context + item) to ``/completions``.
        api_key_env: name of the environment variable holding the API key (sent
            as ``Authorization: Bearer``); None for servers without keys.
        concurrency: requests in flight at once (a thread pool).
        timeout: seconds to connect, and to wait for the answer.
        max_retries: retries after the first attempt (0: no retries).
        backoff_base: first backoff ceiling in seconds; doubles per retry.
        backoff_max: the longest single wait, and the longest ``Retry-After``
            honoured (a longer one fails the sample at once).
        extra_body: merged into every request body last (``top_k``,
            ``repetition_penalty``, ``chat_template_kwargs``, ...); a key set to
            null removes that field (``max_tokens: null`` together with
            ``max_completion_tokens: 64`` for OpenAI's reasoning models).
        headers: extra HTTP headers. Values of headers whose name looks like a
            secret (``Authorization``, ``*-Key``, ``*Token*``) are redacted in
            the saved config; put secrets in ``header_env`` instead.
        header_env: header name -> environment variable holding its value
            (e.g. Azure's ``api-key``).
        reasoning_tags: ``[[open, close], ...]`` when the model writes its
            reasoning into the answer (``[["<think>", "</think>"]]``): stop
            sequences are then not sent to the server but applied after the
            reasoning is removed. Unset, ``<think>`` blocks are still removed.
        requests_per_minute: start at most this many requests a minute (over
            all workers, retries included); None: no limit.
        tokens_per_minute: send at most this many tokens a minute (estimated
            before a request as prompt characters / 4 + ``max_tokens``, then
            corrected by the reported usage; see :mod:`harness.runners.limits`).
        sleep: how to wait between attempts and for the rate limits (tests
            inject a recorder).
        rng: random source for the jitter (tests inject a seeded one).
        clock: wall-clock time for ``Retry-After`` dates (tests inject one).
        monotonic: the rate limits' clock (tests inject one that ``sleep`` advances).
    """

    def __init__(
        self,
        name: str,
        model: str,
        base_url: str = "http://127.0.0.1:8000/v1",
        endpoint: Endpoint = "chat",
        api_key_env: str | None = None,
        concurrency: int = 4,
        timeout: float = 120.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        extra_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        header_env: Mapping[str, str] | None = None,
        reasoning_tags: Sequence[Sequence[str]] | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise ValueError(f"model must be a non-empty string, got {model!r}")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}, got {endpoint!r}")
        parts = urlsplit(base_url) if isinstance(base_url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http:// or https:// URL, got {base_url!r}")
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"base_url has a bad port: {exc}") from None
        if api_key_env is not None and (not isinstance(api_key_env, str) or not api_key_env):
            raise ValueError(
                f"api_key_env must name an environment variable (e.g. OPENAI_API_KEY), "
                f"got {api_key_env!r}"
            )
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        for label, value in (
            ("timeout", timeout),
            ("backoff_base", backoff_base),
            ("backoff_max", backoff_max),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{label} must be a positive number of seconds, got {value!r}")
        if extra_body is not None and not isinstance(extra_body, Mapping):
            raise ValueError(f"extra_body must be a mapping, got {type(extra_body).__name__}")
        for label, mapping in (("headers", headers), ("header_env", header_env)):
            if mapping is not None and not (
                isinstance(mapping, Mapping)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
            ):
                raise ValueError(f"{label} must map header names to strings")
        if sleep is not None and not callable(sleep):
            raise ValueError("sleep must be callable")
        self.name = name
        self.model = model
        self.base_url = base_url
        self.endpoint: Endpoint = endpoint
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.timeout = float(timeout)
        self.retry = RetryPolicy(max_retries, float(backoff_base), float(backoff_max))
        self.extra_body: dict[str, Any] = dict(extra_body or {})
        self.headers: dict[str, str] = dict(headers or {})
        self.header_env: dict[str, str] = dict(header_env or {})
        self._parts: SplitResult = parts
        self.server_stops = reasoning_tags is None
        self.reasoning_tags = parse_reasoning_tags(reasoning_tags)
        self._cancel = threading.Event()
        self._sleep = sleep if sleep is not None else self._interruptible_sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._clock = clock
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute, monotonic)

    # ------------------------------------------------------------------ identity

    @property
    def url(self) -> str:
        """The endpoint URL requests go to (credentials in ``base_url`` removed)."""
        p = self._parts
        netloc = p.hostname or ""
        if ":" in netloc:  # an IPv6 literal
            netloc = f"[{netloc}]"
        if p.port is not None:
            netloc += f":{p.port}"
        path = p.path.rstrip("/") + ENDPOINTS[self.endpoint]
        return urlunsplit((p.scheme, netloc, path, p.query, ""))

    @property
    def display_url(self) -> str:
        """``base_url`` with any credentials masked, for fingerprints and messages."""
        from harness.results import redact

        return str(redact(self.base_url))

    def fingerprint(self) -> str:
        """Identifies the outputs: server URL, model name, endpoint, extra body, runner version.

        Offline and cheap: the server is not asked anything. The same model name
        on the same URL is assumed to mean the same weights; run with
        ``--no-cache`` after changing what a server serves.
        """
        parts: list[Any] = [
            "openai",
            RUNNER_VERSION,
            self.display_url,
            self.model,
            self.endpoint,
            self.extra_body,
        ]
        if not self.server_stops:  # the server is sent no stops: longer raw outputs
            parts.append([list(t) for t in self.reasoning_tags])
        return stable_hash(*parts)

    # ------------------------------------------------------------------ requests

    def body(self, request: Request) -> dict[str, Any]:
        """The JSON body sent for ``request``."""
        params = request.params
        body: dict[str, Any] = {"model": self.model}
        if self.endpoint == "chat":
            messages = [dict(m) for m in request.messages] or [
                {"role": "user", "content": request.full_prompt.strip()}
            ]
            body["messages"] = messages
        else:
            body["prompt"] = request.full_prompt
        body["max_tokens"] = params.max_new_tokens
        body["temperature"] = params.temperature
        body["top_p"] = params.top_p
        body["seed"] = params.seed
        # A whitespace-only stop ("\n") stays on the client: a server would stop at the newline
        # a model opens its answer with, where the client's rule lets the answer begin first.
        sendable = [s for s in params.stop if s.strip()]
        stops = sendable[:MAX_SERVER_STOPS] if self.server_stops else []
        if stops:
            body["stop"] = stops
        body.update(self.extra_body)
        # a null in extra_body removes a field (e.g. max_tokens for models that reject it)
        return {k: v for k, v in body.items() if v is not None}

    def _secret_headers(self) -> dict[str, str]:
        """Headers built from the environment and URL credentials (never stored)."""
        out: dict[str, str] = {}
        p = self._parts
        if p.username is not None:
            user_pass = f"{p.username}:{p.password or ''}".encode()
            out["Authorization"] = "Basic " + base64.b64encode(user_pass).decode("ascii")
        if self.api_key_env is not None:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise ValueError(
                    f"runner {self.name!r}: api_key_env names {self.api_key_env}, "
                    "which is not set (or empty) in the environment"
                )
            out["Authorization"] = f"Bearer {key}"
        for header, var in self.header_env.items():
            value = os.environ.get(var)
            if not value:
                raise ValueError(
                    f"runner {self.name!r}: header_env: {header} names {var}, "
                    "which is not set (or empty) in the environment"
                )
            out[header] = value
        return out

    def _session(self) -> tuple[dict[str, str], list[str]]:
        """The request headers (the key read from the environment now) and the secrets to mask."""
        secret = self._secret_headers()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "harness-openai-runner",
            **self.headers,
            **secret,
        }
        secrets = [v for v in (*secret.values(), *self.headers.values()) if len(v) >= 4]
        for value in list(secrets):  # also the bare key inside "Bearer <key>"
            secrets.extend(part for part in value.split() if len(part) >= 4)
        if self._parts.password:
            from urllib.parse import unquote

            secrets += [self._parts.password, unquote(self._parts.password)]
        return headers, secrets

    @property
    def window(self) -> int:
        """Requests the pipeline keeps in flight through :meth:`stream`: ``concurrency``."""
        return self.concurrency

    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        """Answer every request with ``concurrency`` in flight, yielding answers as they arrive.

        Each yielded group holds ``(position in requests, generation)`` pairs. A
        request is sent as soon as one in flight is answered (no barrier between
        groups), and the window is refilled before each group is handed over, so
        the server stays busy while the caller writes and scores. Closing the
        iterator early (an error, Ctrl-C) cancels what is in flight at once.
        """
        if not requests:
            return
        headers, secrets = self._session()
        self._cancel.clear()
        pool = _Transport(self.timeout, self.concurrency, self._cancel)
        executor = ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(requests)),
            thread_name_prefix=f"harness-openai-{self.name}",
        )
        todo = iter(enumerate(requests))
        flying: dict[Future[Generation], int] = {}

        def refill() -> None:
            while len(flying) < self.concurrency:
                nxt = next(todo, None)
                if nxt is None:
                    return
                i, request = nxt
                flying[executor.submit(self._one, request, headers, secrets, pool)] = i

        try:
            refill()
            while flying:
                done, _ = wait(flying, return_when=FIRST_COMPLETED)
                group = [(flying.pop(f), f.result()) for f in done]
                refill()
                yield sorted(group, key=lambda x: x[0])
        except BaseException:  # Ctrl-C, or the caller stopped: end the requests in flight
            self._cancel.set()
            executor.shutdown(wait=False, cancel_futures=True)
            pool.close_all()
            raise
        executor.shutdown(wait=True)
        pool.close_all()

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        """Answer every request, in order; a sample that fails gets ``error`` set."""
        if not requests:
            return []
        headers, secrets = self._session()
        self._cancel.clear()
        pool = _Transport(self.timeout, self.concurrency, self._cancel)
        executor = ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(requests)),
            thread_name_prefix=f"harness-openai-{self.name}",
        )
        try:
            futures = [
                executor.submit(self._one, request, headers, secrets, pool) for request in requests
            ]
            results = [f.result() for f in futures]
        except BaseException:  # Ctrl-C: stop workers now, not after their timeouts
            self._cancel.set()  # no further attempts, backoff waits end
            executor.shutdown(wait=False, cancel_futures=True)
            pool.close_all()  # requests in flight end with a closed connection
            raise
        executor.shutdown(wait=True)
        pool.close_all()
        return results

    def _one(
        self,
        request: Request,
        headers: Mapping[str, str],
        secrets: Sequence[str],
        pool: _Transport,
    ) -> Generation:
        """One sample, with retries; every failure becomes ``Generation.error``."""
        try:
            payload = json.dumps(self.body(request), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            return self._failed(request, f"could not encode the request body: {exc}", secrets)
        from harness.results import Scrubber

        # Every text from the server is masked whole, before it is cut to an excerpt or
        # kept as the answer: a key after character 105 of a 401 body must not survive
        # as 42 of its 44 characters (also its JSON-escaped, percent-encoded, base64 forms).
        mask = Scrubber(secrets).text
        estimate = estimate_tokens(len(payload), request.params.max_new_tokens)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, _Failure) and e.retry),
            stop=self._stop,
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            answer = retrying(self._limited_attempt, payload, headers, pool, mask, estimate)
        except _Failure as failure:
            tries = int(retrying.statistics.get("attempt_number", 1))
            return self._failed(request, self._describe(failure, tries), secrets)
        except _Cancelled:
            return self._failed(request, "cancelled", secrets)
        except Exception as exc:  # a bug or an unforeseen client error: keep the run going
            return self._failed(request, f"{type(exc).__name__}: {exc}", secrets)
        if answer.prompt_tokens is not None and answer.completion_tokens is not None:
            self.limiter.settle(estimate, answer.prompt_tokens + answer.completion_tokens)
        raw = mask(answer.raw)
        text = process_output(raw, request, self.reasoning_tags).text
        return Generation(
            sample_id=request.sample_id,
            runner=self.name,
            text=text,
            raw=raw,
            seconds=round(answer.seconds, 6),
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            finish_reason=answer.finish_reason,
            refusal=mask(answer.refusal) if answer.refusal else None,
            reasoning=mask(answer.reasoning) if answer.reasoning else None,
            stop_reason=answer.stop_reason,
        )

    def _limited_attempt(
        self,
        payload: bytes,
        headers: Mapping[str, str],
        pool: _Transport,
        mask: Callable[[str], str],
        estimate: int,
    ) -> _Answer:
        """One attempt, after waiting for its slot under the rate limits."""
        if self._cancel.is_set():
            raise _Cancelled
        if self.limiter.active:  # requests and tokens per minute, over all workers
            wait = self.limiter.reserve(estimate)
            if wait > 0:
                self._sleep(wait)
        return self._attempt(payload, headers, pool, mask)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        """No retry after ``max_retries``, nor when the server asks for a longer wait than
        ``backoff_max`` (the sample fails at once instead of stalling the run)."""
        if state.attempt_number > self.retry.max_retries:
            return True
        failure = state.outcome.exception() if state.outcome is not None else None
        after = getattr(failure, "retry_after", None)
        return after is not None and after > self.retry.backoff_max

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """``Retry-After`` exactly, else the jittered exponential backoff."""
        failure = state.outcome.exception() if state.outcome is not None else None
        after = getattr(failure, "retry_after", None)
        if after is not None:
            return float(after)
        with self._rng_lock:
            return self.retry.backoff(state.attempt_number - 1, self._rng)

    def _describe(self, failure: _Failure, attempts: int) -> str:
        """The error message of a sample that failed for good after ``attempts`` attempts."""
        if failure.message == "cancelled":
            return "cancelled"
        tries = f"{attempts} attempt" + ("s" if attempts > 1 else "")
        if not failure.retry:
            return f"{failure.message} ({tries})"
        if attempts > self.retry.max_retries:
            return f"{failure.message} (gave up after {tries})"
        return (
            f"{failure.message}; the server asks to retry after {failure.retry_after:g} s, "
            f"more than backoff_max={self.retry.backoff_max:g} s ({tries})"
        )

    def _interruptible_sleep(self, seconds: float) -> None:
        if self._cancel.wait(seconds):
            raise _Cancelled

    def _failed(self, request: Request, message: str, secrets: Sequence[str]) -> Generation:
        from harness.results import Scrubber

        error = Scrubber(secrets).text(message)
        return Generation(sample_id=request.sample_id, runner=self.name, text="", error=error)

    def _attempt(
        self,
        payload: bytes,
        headers: Mapping[str, str],
        pool: _Transport,
        mask: Callable[[str], str] = lambda text: text,
    ) -> _Answer:
        """One HTTP round trip; raises :class:`_Failure` describing what went wrong.

        ``mask`` is applied to the whole response body before any part of it is quoted.
        """
        url = self.url
        started = time.perf_counter()
        status, reason, resp_headers, data = pool.post(url, payload, headers)
        seconds = time.perf_counter() - started
        text = data.decode("utf-8", errors="replace")
        shown = mask(text)  # whole, before an excerpt is cut from it
        if not 200 <= status < 300:
            retry = status in RETRY_STATUSES or status >= 500
            wait = parse_retry_after(resp_headers, self._clock()) if retry else None
            hint = ""
            if status in (401, 403):
                hint = (
                    f" (check the key in ${self.api_key_env})"
                    if self.api_key_env
                    else " (the server wants a key: set api_key_env)"
                )
            elif status == 404:
                hint = f" (is {self.display_url} the API root, and is model {self.model!r} served?)"
            raise _Failure(
                f"HTTP {status} {reason} from {url}: {_excerpt(shown)}{hint}",
                retry=retry,
                retry_after=wait,
            )
        try:
            obj = json.loads(text)
        except ValueError:
            raise _Failure(
                f"malformed JSON in the HTTP {status} response from {url}: {_excerpt(shown)!r}",
                retry=False,
            ) from None
        return self._parse(obj, shown, url, seconds, mask)

    def _parse(
        self,
        obj: Any,
        text: str,
        url: str,
        seconds: float,
        mask: Callable[[str], str] = lambda text: text,
    ) -> _Answer:
        def bad(what: str) -> _Failure:
            return _Failure(f"unexpected response from {url}: {what}: {_excerpt(text)}", False)

        if not isinstance(obj, dict):
            raise bad("not a JSON object")
        if obj.get("error") and not obj.get("choices"):
            err = obj["error"]
            msg = err.get("message", err) if isinstance(err, dict) else err
            raise _Failure(f"server error from {url}: {_excerpt(mask(str(msg)))}", retry=False)
        choices = obj.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise bad("no choices")
        first = choices[0]
        refusal = reasoning = None
        if self.endpoint == "chat":
            message = first.get("message")
            if not isinstance(message, dict):
                raise bad("choices[0] has no message")
            raw = message.get("content")
            if raw is None:
                raw = ""  # a refusal, a tool call, or reasoning only: see failure_reason
            refusal = _optional_text(message.get("refusal"))
            reasoning = _optional_text(message.get("reasoning_content")) or _optional_text(
                message.get("reasoning")
            )
        else:
            raw = first.get("text")
        if not isinstance(raw, str):
            raise bad("the answer text is not a string")
        usage: dict[str, Any] = obj["usage"] if isinstance(obj.get("usage"), dict) else {}
        return _Answer(
            raw=raw,
            prompt_tokens=_optional_int(usage.get("prompt_tokens")),
            completion_tokens=_optional_int(usage.get("completion_tokens")),
            seconds=seconds,
            finish_reason=_optional_text(first.get("finish_reason")),
            refusal=refusal,
            reasoning=reasoning,
            # vLLM says which stop sequence (or stop token id) ended the output
            stop_reason=_stop_reason(first.get("stop_reason")),
        )


class _Transport:
    """httpx's pooled keep-alive client for one batch of requests.

    httpx keeps up to ``concurrency`` connections alive and shares them between
    the worker threads. The sockets it opens are noted (httpcore's ``trace``
    extension), so that :meth:`close_all` can shut them down and wake a worker
    blocked reading an answer (Ctrl-C must not wait for a 120 s timeout).
    """

    def __init__(self, timeout: float, concurrency: int, cancel: threading.Event) -> None:
        import httpx2

        self.timeout = timeout
        self.cancel = cancel
        # trust_env=False: no proxy, netrc or certificate settings from the environment,
        # as the standard library client this replaces; redirects are answers like any other.
        self.client = httpx2.Client(
            timeout=httpx2.Timeout(timeout),
            limits=httpx2.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            ),
            trust_env=False,
            follow_redirects=False,
        )
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def post(
        self, url: str, payload: bytes, headers: Mapping[str, str]
    ) -> tuple[int, str, dict[str, str], bytes]:
        """POST ``payload``; returns status, reason, lower-cased headers and the body.

        A kept-alive connection that the server closed meanwhile is reopened
        once without counting as an attempt. Raises :class:`_Failure` on
        connection errors and timeouts (retryable) and on an oversized body.
        """
        import httpx2

        for fresh_try in (False, True):
            opened: list[bool] = []

            def trace(event: str, info: Mapping[str, Any], opened: list[bool] = opened) -> None:
                if event == "connection.connect_tcp.complete":
                    opened.append(True)
                    stream = info.get("return_value")
                    sock = stream.get_extra_info("socket") if stream is not None else None
                    if sock is not None:
                        with self._lock:
                            self._sockets.append(sock)

            try:
                with self.client.stream(
                    "POST", url, content=payload, headers=dict(headers),
                    extensions={"trace": trace},
                ) as resp:  # fmt: skip
                    data = bytearray()
                    for chunk in resp.iter_bytes():
                        data += chunk
                        if len(data) > MAX_RESPONSE_BYTES:
                            raise _Failure(
                                f"response from {url} larger than {MAX_RESPONSE_BYTES} bytes",
                                retry=False,
                            )
                    headers_out = {k.lower(): v for k, v in resp.headers.items()}
                    return resp.status_code, resp.reason_phrase, headers_out, bytes(data)
            except httpx2.TimeoutException:
                raise _Failure(
                    f"no answer from {url} within timeout={self.timeout:g} s", retry=True
                ) from None
            except httpx2.TransportError as exc:
                if self.cancel.is_set():
                    raise _Failure("cancelled", retry=False) from None
                stale = isinstance(exc, httpx2.RemoteProtocolError | httpx2.ReadError)
                if stale and not opened and not fresh_try:
                    continue  # a reused connection the server had closed: reconnect once
                root = _root_cause(exc)
                raise _Failure(
                    f"connection error talking to {url}: {type(root).__name__}: {root}",
                    retry=True,
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close_all(self) -> None:
        """Shut down every socket opened (wakes workers blocked on them), then close."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.client.close()


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind ``exc`` (httpx wraps httpcore wraps the OSError)."""
    seen = {id(exc)}
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner
