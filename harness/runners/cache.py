"""A content-addressed cache of generations (SQLite, safe for concurrent runs).

The key covers everything that determines an output: the runner's
fingerprint (model file hash, dtype, settings), the rendered prompt and chat
messages, the generation parameters and the harness's cache format version.
Change any of them and exactly the affected entries miss. Failed generations
are never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.results import cache_root
from harness.runners.base import Runner
from harness.types import Generation, GenerationParams, Request

CACHE_VERSION = 1


def default_cache_path() -> Path:
    """The generation cache file (``$HARNESS_GENERATION_CACHE`` is its folder, if set)."""
    folder = os.environ.get("HARNESS_GENERATION_CACHE")
    return (Path(folder).expanduser() if folder else cache_root()) / "generations.sqlite"


@lru_cache(maxsize=256)
def _params_dict(params: GenerationParams) -> dict[str, Any]:
    return params.to_dict()  # the same few settings for a whole run: converted once


def request_key(fingerprint: str, request: Request) -> str:
    blob = json.dumps(
        {
            "v": CACHE_VERSION,
            "runner": fingerprint,
            "prompt": request.full_prompt,
            "messages": [dict(m) for m in request.messages],
            "params": _params_dict(request.params),
            # Baselines read the sample itself (oracle, lead); models must not, but
            # keying on the sample id keeps both kinds honest.
            "sample": request.sample_id,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class GenerationCache:
    """``key -> Generation`` in one SQLite file (WAL mode; each write is a transaction)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        # Switching to WAL needs a moment of exclusive access, and SQLite answers "locked"
        # at once (without its busy handler) when another process is creating the same
        # file: retry, bounded.
        deadline = time.monotonic() + 60
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS generations ("
                    " key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
                )
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def get_many(self, keys: Sequence[str]) -> dict[str, Generation]:
        out: dict[str, Generation] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, value FROM generations WHERE key IN ({marks})", chunk
            ).fetchall()
            for key, value in rows:
                out[key] = Generation.from_dict(json.loads(value))
        return out

    def put_many(self, items: Sequence[tuple[str, Generation]]) -> None:
        rows = [
            (k, json.dumps(g.to_dict(), ensure_ascii=False), time.time())
            for k, g in items
            if g.error is None
        ]
        if rows:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO generations (key, value, created) VALUES (?, ?, ?)",
                    rows,
                )

    def close(self) -> None:
        self._db.close()


class CachedRunner:
    """Wraps a runner: cached requests are answered without calling (or loading) the model."""

    def __init__(
        self,
        inner: Runner,
        cache: GenerationCache,
        scrub: Callable[[Any], Any] | None = None,
    ) -> None:
        self.inner = inner
        self.cache = cache
        # A run's secrets never reach the cache file either (a Scrubber's value).
        self.scrub = scrub
        self.name = inner.name
        self.hits = 0
        self.misses = 0
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self.inner.fingerprint()
        return self._fingerprint

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        fp = self.fingerprint()
        keys = [request_key(fp, r) for r in requests]
        found = self.cache.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        fresh: dict[int, Generation] = {}
        if missing:
            outs = self.inner.generate([requests[i] for i in missing])
            fresh = dict(zip(missing, outs, strict=True))
            scrub = self.scrub
            stored = [
                (keys[i], Generation.from_dict(scrub(g.to_dict())) if scrub else g)
                for i, g in fresh.items()
            ]
            self.cache.put_many(stored)
        self.hits += len(requests) - len(missing)
        self.misses += len(missing)
        result = []
        for i, (r, k) in enumerate(zip(requests, keys, strict=True)):
            if i in fresh:
                result.append(fresh[i])
            else:
                result.append(
                    replace(found[k], sample_id=r.sample_id, runner=self.name, cached=True)
                )
        return result
