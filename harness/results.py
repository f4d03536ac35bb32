"""The run directory: crash-safe appends, atomic writes, loading back.

Layout::

    results/<run-id>/
      config.yaml         resolved config, secrets redacted
      manifest.json       versions, git commit, fingerprints, prompt hashes, seeds, timings
      generations.jsonl   one line per (runner, sample), flushed as produced
      scores.jsonl        one line per (runner, sample), flushed as produced
      summary.json        aggregates with confidence intervals
      report.md
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import secrets as _secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from harness.types import Generation, Score

_SECRET_KEY = re.compile(
    r"(api[_-]?key|token|secret|password|passwd|authorization|bearer)", re.IGNORECASE
)
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@", re.IGNORECASE
)
_QUERY_SECRET = re.compile(
    r"([?&](?:api[_-]?key|key|token|access_token|secret)=)[^&\s]+", re.IGNORECASE
)
REDACTED = "***"


def redact(value: Any, key: str = "") -> Any:
    """Replace secrets in a JSON-like value: values of secret-looking keys, URL credentials.

    Keys ending in ``_env`` name an environment variable and are kept (the
    name is not the secret).

    >>> redact({"api_key": "sk-123", "api_key_env": "OPENAI_API_KEY",
    ...         "base_url": "https://u:p@host/v1?token=abc"})
    {'api_key': '***', 'api_key_env': 'OPENAI_API_KEY', 'base_url': 'https://***@host/v1?token=***'}
    """
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if key and _SECRET_KEY.search(key) and not key.endswith("_env") and value:
            return REDACTED
        value = _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + REDACTED + "@", value)
        return _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, value)
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def new_run_id(name: str) -> str:
    """``<UTC time>-<name>-<random>``: sortable and unique even for runs started together."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "run"
    return f"{stamp}-{safe[:40]}-{_secrets.token_hex(3)}"


class JsonlAppender:
    """Appends one JSON object per line and flushes each, so a crash loses at most one line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # A crash may have left a half-written last line: cut it before appending.
        if path.exists():
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                with path.open("r+b") as f:
                    f.truncate(cut)
        self._f = path.open("a", encoding="utf-8")

    def write(self, obj: Mapping[str, Any]) -> None:
        self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Read back a results JSONL file, skipping a torn last line left by a crash."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                return  # torn write
            line = line.strip()
            if line:
                yield json.loads(line)


class RunDir:
    """One run's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, output_dir: Path, run_id: str) -> RunDir:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", run_id):
            raise ValueError(f"run id {run_id!r}: use letters, digits, '.', '_' and '-' only")
        path = (output_dir / run_id).resolve()
        if path.parent != output_dir.resolve():
            raise ValueError(f"run id {run_id!r} escapes the results folder {output_dir}")
        path.mkdir(parents=True, exist_ok=False)
        return cls(path)

    @property
    def generations_path(self) -> Path:
        return self.path / "generations.jsonl"

    @property
    def scores_path(self) -> Path:
        return self.path / "scores.jsonl"

    def generations(self) -> list[Generation]:
        return [Generation.from_dict(d) for d in read_jsonl(self.generations_path)]

    def scores(self) -> list[Score]:
        return [Score.from_dict(d) for d in read_jsonl(self.scores_path)]

    def read_json(self, name: str) -> Any:
        return json.loads((self.path / name).read_text(encoding="utf-8"))

    def write_json(self, name: str, data: Any) -> None:
        atomic_write_json(self.path / name, data)

    def write_text(self, name: str, text: str) -> None:
        atomic_write_text(self.path / name, text)


def dump_jsonl(items: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
