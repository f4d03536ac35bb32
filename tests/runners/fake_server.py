r"""A small OpenAI-compatible HTTP server that misbehaves on purpose, for fault tests.

It runs :mod:`http.server` in a thread on ``127.0.0.1`` (a free port), speaks
HTTP/1.1 with keep-alive, records every request, and answers each one with an
*action*: taken first from a queue (``server.script``), else from a
``respond`` function of the recorded request (which can route by prompt, so
behaviour per sample is deterministic under concurrency). Actions:

- :class:`Reply`: any status, headers and body (a dict is sent as JSON);
- :class:`Hang`: send nothing until the server is closed (client timeouts);
- :class:`Reset`: close the socket with a TCP reset, without any response;
- :data:`MALFORMED`: a 200 whose body is truncated JSON.

Example:
    >>> import json, urllib.request
    >>> with FakeServer() as server:
    ...     server.script.append(Reply(status=503, body="busy"))
    ...     req = urllib.request.Request(server.url + "/completions", method="POST",
    ...                                  data=json.dumps({"prompt": "Wer?"}).encode())
    ...     try:
    ...         urllib.request.urlopen(req)
    ...     except urllib.error.HTTPError as exc:
    ...         print(exc.code)
    ...     answer = json.load(urllib.request.urlopen(req))
    503
    >>> answer["choices"][0]["text"], len(server.seen)
    ('Keo Chhea\nFrage: Und wer noch?', 2)
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """An HTTP response: ``body`` as bytes, text, or a JSON-serialisable dict."""

    status: int = 200
    body: bytes | str | Mapping[str, Any] = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Hang:
    """Read the request, then send nothing until the server closes."""


@dataclass(frozen=True)
class Reset:
    """Close the connection with a TCP reset (RST), without a response."""


MALFORMED = Reply(200, b'{"choices": [{"text": "Keo', {"Content-Type": "application/json"})

Action = Reply | Hang | Reset


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    client_port: int

    @property
    def text(self) -> str:
        """The prompt, or all chat message contents joined (for routing)."""
        if not isinstance(self.body, dict):
            return ""
        if "prompt" in self.body:
            return str(self.body["prompt"])
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


def completion(
    path: str,
    text: str,
    prompt_tokens: int = 11,
    completion_tokens: int = 3,
    model: str = "fake",
) -> Reply:
    """A well-formed answer for ``/completions`` or ``/chat/completions``."""
    if path.endswith("/chat/completions"):
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
        kind = "chat.completion"
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop"}
        kind = "text_completion"
    return Reply(
        200,
        {
            "id": "cmpl-fake",
            "object": kind,
            "model": model,
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
        {"Content-Type": "application/json"},
    )


def answer_keo_chhea(seen: Seen) -> Action:
    """The default: every question gets "Keo Chhea" followed by text a stop sequence cuts."""
    return completion(seen.path, "Keo Chhea\nFrage: Und wer noch?")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # keep test output clean

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(Reply(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}))
        elif self.path.rstrip("/").endswith("/health"):
            self._send(Reply(200, {"status": "ok"}))
        else:
            self._send(Reply(404, {"error": {"message": f"no route {self.path}"}}))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        seen = Seen(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=self.client_address[1],
        )
        owner = self.server.owner
        action = owner.next_action(seen)
        if isinstance(action, Hang):
            owner.release.wait(timeout=60)
            self.close_connection = True
            return
        if isinstance(action, Reset):
            # SO_LINGER with a zero timeout turns close() into a TCP reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self._send(action)

    def _send(self, reply: Reply) -> None:
        data = reply.encoded()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the socket may be reset or gone
            super().finish()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connecting at once (concurrency tests, benchmarks)
    owner: FakeServer


class FakeServer:
    """The misbehaving server; use as a context manager (or ``start``/``close``).

    Attributes:
        script: actions for the next requests, in order (consumed first).
        respond: the action for a request when ``script`` is empty.
        seen: every request received, in arrival order.
        release: set on close; hanging handlers return then.
    """

    def __init__(self, respond: Callable[[Seen], Action] = answer_keo_chhea) -> None:
        self.script: deque[Action] = deque()
        self.respond = respond
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def next_action(self, seen: Seen) -> Action:
        with self._lock:
            self.seen.append(seen)
            if self.script:
                return self.script.popleft()
        return self.respond(seen)

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The API root, as a runner's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
