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

Only the standard library is used for HTTP (``http.client``), with one
keep-alive connection per worker thread.

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
  applied again on the client, since some servers ignore them. With
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
import http.client
import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit

from harness.runners.base import (
    RUNNERS,
    parse_reasoning_tags,
    process_output,
    stable_hash,
)
from harness.types import Generation, Request

#: Bump when a change in this file can change outputs: it is part of the fingerprint.
RUNNER_VERSION = 2  # 2: finish_reason, refusal and reasoning are recorded
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


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of at most ``limit`` characters.

    >>> _excerpt('{"error":\\n  "boom"}')
    '{"error": "boom"}'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        sleep: how to wait between attempts (tests inject a recorder).
        rng: random source for the jitter (tests inject a seeded one).
        clock: wall-clock time for ``Retry-After`` dates (tests inject one).
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
        *,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
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
        stops = [s for s in params.stop if s][:MAX_SERVER_STOPS] if self.server_stops else []
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

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        """Answer every request, in order; a sample that fails gets ``error`` set."""
        if not requests:
            return []
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
            secrets.append(self._parts.password)
        self._cancel.clear()
        pool = _ConnectionPool(self._parts, self.timeout, self._cancel)
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
        pool: _ConnectionPool,
    ) -> Generation:
        """One sample, with retries; every failure becomes ``Generation.error``."""
        try:
            payload = json.dumps(self.body(request), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            return self._failed(request, f"could not encode the request body: {exc}", secrets)
        attempt = 0
        while True:
            if self._cancel.is_set():
                return self._failed(request, "cancelled", secrets)
            try:
                answer = self._attempt(payload, headers, pool)
            except _Failure as failure:
                tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
                if not failure.retry:
                    return self._failed(request, f"{failure.message} ({tries})", secrets)
                if attempt >= self.retry.max_retries:
                    return self._failed(
                        request, f"{failure.message} (gave up after {tries})", secrets
                    )
                if failure.retry_after is not None:
                    if failure.retry_after > self.retry.backoff_max:
                        return self._failed(
                            request,
                            f"{failure.message}; the server asks to retry after "
                            f"{failure.retry_after:g} s, more than backoff_max="
                            f"{self.retry.backoff_max:g} s ({tries})",
                            secrets,
                        )
                    delay = failure.retry_after
                else:
                    with self._rng_lock:
                        delay = self.retry.backoff(attempt, self._rng)
                try:
                    self._sleep(delay)
                except _Cancelled:
                    return self._failed(request, "cancelled", secrets)
                attempt += 1
                continue
            except Exception as exc:  # a bug or an unforeseen client error: keep the run going
                return self._failed(request, f"{type(exc).__name__}: {exc}", secrets)
            text = process_output(answer.raw, request, self.reasoning_tags).text
            return Generation(
                sample_id=request.sample_id,
                runner=self.name,
                text=text,
                raw=answer.raw,
                seconds=round(answer.seconds, 6),
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
                finish_reason=answer.finish_reason,
                refusal=answer.refusal,
                reasoning=answer.reasoning,
            )

    def _interruptible_sleep(self, seconds: float) -> None:
        if self._cancel.wait(seconds):
            raise _Cancelled

    def _failed(self, request: Request, message: str, secrets: Sequence[str]) -> Generation:
        from harness.results import redact

        for s in sorted(set(secrets), key=len, reverse=True):
            message = message.replace(s, "***")
        return Generation(
            sample_id=request.sample_id, runner=self.name, text="", error=str(redact(message))
        )

    def _attempt(
        self, payload: bytes, headers: Mapping[str, str], pool: _ConnectionPool
    ) -> _Answer:
        """One HTTP round trip; raises :class:`_Failure` describing what went wrong."""
        url = self.url
        target = self._parts.path.rstrip("/") + ENDPOINTS[self.endpoint]
        if self._parts.query:
            target += "?" + self._parts.query
        started = time.perf_counter()
        status, reason, resp_headers, data = pool.post(target, payload, headers, url)
        seconds = time.perf_counter() - started
        text = data.decode("utf-8", errors="replace")
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
                f"HTTP {status} {reason} from {url}: {_excerpt(text)}{hint}",
                retry=retry,
                retry_after=wait,
            )
        try:
            obj = json.loads(text)
        except ValueError:
            raise _Failure(
                f"malformed JSON in the HTTP {status} response from {url}: {_excerpt(text)!r}",
                retry=False,
            ) from None
        return self._parse(obj, text, url, seconds)

    def _parse(self, obj: Any, text: str, url: str, seconds: float) -> _Answer:
        def bad(what: str) -> _Failure:
            return _Failure(f"unexpected response from {url}: {what}: {_excerpt(text)}", False)

        if not isinstance(obj, dict):
            raise bad("not a JSON object")
        if obj.get("error") and not obj.get("choices"):
            err = obj["error"]
            msg = err.get("message", err) if isinstance(err, dict) else err
            raise _Failure(f"server error from {url}: {_excerpt(str(msg))}", retry=False)
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
        )


class _ConnectionPool:
    """One keep-alive connection per worker thread; all closed at the end of a batch."""

    def __init__(self, parts: SplitResult, timeout: float, cancel: threading.Event) -> None:
        self.parts = parts
        self.timeout = timeout
        self.cancel = cancel
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connect(self) -> http.client.HTTPConnection:
        host, port = self.parts.hostname or "", self.parts.port
        conn: http.client.HTTPConnection
        if self.parts.scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=self.timeout)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        with self._lock:
            self._all.append(conn)
        self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def post(
        self, target: str, payload: bytes, headers: Mapping[str, str], url: str
    ) -> tuple[int, str, dict[str, str], bytes]:
        """POST ``payload``; returns status, reason, lower-cased headers and the body.

        A keep-alive connection the server closed while idle is reopened once
        without counting as an attempt. Raises :class:`_Failure` on connection
        errors and timeouts (retryable).
        """
        reused = getattr(self._local, "conn", None) is not None
        for fresh_try in (False, True):
            conn = self._local.conn if reused and not fresh_try else self._connect()
            try:
                conn.request("POST", target, body=payload, headers=dict(headers))
                resp = conn.getresponse()
                data = resp.read(MAX_RESPONSE_BYTES + 1)
            except TimeoutError:
                self._drop()
                raise _Failure(
                    f"no answer from {url} within timeout={self.timeout:g} s", retry=True
                ) from None
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self._drop()
                # RemoteDisconnected is a ConnectionResetError
                stale = isinstance(exc, BrokenPipeError | ConnectionResetError)
                if self.cancel.is_set():
                    raise _Failure("cancelled", retry=False) from None
                if reused and not fresh_try and stale:
                    continue  # the idle connection had been closed: reconnect once
                raise _Failure(
                    f"connection error talking to {url}: {type(exc).__name__}: {exc}",
                    retry=True,
                ) from None
            if len(data) > MAX_RESPONSE_BYTES:
                self._drop()
                raise _Failure(
                    f"response from {url} larger than {MAX_RESPONSE_BYTES} bytes", retry=False
                )
            if resp.will_close:
                self._drop()
            resp_headers = {k.lower(): v for k, v in resp.getheaders()}
            return resp.status, resp.reason, resp_headers, data
        raise AssertionError("unreachable")  # pragma: no cover

    def close_all(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            if conn.sock is not None:  # wakes a worker blocked in recv() on it
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()
