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

import base64
import datetime as _dt
import json
import os
import re
import secrets as _secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from harness.types import Generation, Score

_SECRET_KEY = re.compile(
    r"(api[_-]?key|token|secret|password|passwd|authorization|bearer)", re.IGNORECASE
)
# ``user[:password]@`` right after ``://``. The pattern starts with the literal ``://`` on
# purpose: one that starts with the scheme (``[a-z][a-z0-9+.-]*://``) is tried at every
# letter, and a 1 MB model output made of letters took minutes.
_URL_CREDENTIALS = re.compile(r"://[^/\s:@]+(?::[^/\s@]*)?@")
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
        if key.lower() == "headers":  # any HTTP header may carry a credential
            return {k: REDACTED if isinstance(v, str) and v else redact(v, str(k))
                    for k, v in value.items()}
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if key and _SECRET_KEY.search(key) and not key.endswith("_env") and value:
            return REDACTED
        if "://" in value:
            value = _URL_CREDENTIALS.sub(f"://{REDACTED}@", value)
        if "=" in value:
            value = _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, value)
        return value
    return value


# Environment variables whose value is a credential: HF_TOKEN, OPENAI_API_KEY, DB_PASSWORD, ...
# (whole words only: TOKENIZERS_PARALLELISM is not a token).
_SECRET_ENV_NAME = re.compile(
    r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(?:_|$)", re.IGNORECASE
)
# Shorter values are not hunted for in free text (they would match ordinary words);
# under a secret-looking key they are still redacted by :func:`redact`.
MIN_SECRET_LENGTH = 8
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` with lone surrogates, which no UTF-8 file can hold, replaced by U+FFFD.

    Model output decoded with ``surrogateescape`` or JSON's ``"\\ud800"`` escapes can
    carry them; everything else is returned unchanged.

    >>> valid_text("a\\ud800b") == "a\\ufffdb"
    True
    >>> valid_text("Säule")
    'Säule'
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def secret_values(value: Any, environ: Mapping[str, str] | None = None) -> set[str]:
    """The concrete secrets a run could leak, to be removed wherever they turn up.

    Collected from ``value`` (runner options): strings under secret-looking keys
    (and the bare token of ``Bearer <token>``), credentials in URLs and secret
    query parameters, and the values of environment variables named by
    secret-looking ``*_env`` keys or inside an ``*_env`` mapping; plus the
    values of secret-named environment variables (``HF_TOKEN``,
    ``OPENAI_API_KEY``, ...). Values shorter than :data:`MIN_SECRET_LENGTH` are left out.

    >>> sorted(secret_values({"api_key_env": "K", "base_url": "https://al:pw-1234567@h/"},
    ...                      environ={"K": "sk-abcdefgh"}))
    ['YWw6cHctMTIzNDU2Nw==', 'al:pw-1234567', 'pw-1234567', 'sk-abcdefgh']
    """
    env = os.environ if environ is None else environ
    found: set[str] = set()

    def add_env(name: str) -> None:
        if env.get(name):
            found.add(env[name])

    def walk(v: Any, key: str, env_names: bool) -> None:
        if isinstance(v, Mapping):
            for k, x in v.items():
                walk(x, str(k), env_names or str(k).endswith("_env"))
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x, key, env_names)
        elif isinstance(v, str) and v:
            if key.endswith("_env"):
                if _SECRET_KEY.search(key[: -len("_env")]):
                    add_env(v)
            elif env_names:
                add_env(v)  # e.g. header_env: {api-key: AZURE_KEY}
            elif _SECRET_KEY.search(key):
                found.add(v)
                scheme, _, token = v.partition(" ")
                if token and scheme.lower() in ("bearer", "basic", "token"):
                    found.add(token.strip())
            for m in _URL_CREDENTIALS.finditer(v):
                creds = m.group(0)[len("://") : -1]
                found.add(creds)
                found.add(base64.b64encode(creds.encode()).decode("ascii"))
                if ":" in creds:
                    found.add(creds.split(":", 1)[1])
            for m in _QUERY_SECRET.finditer(v):
                found.add(m.group(0)[len(m.group(1)) :])

    walk(value, "", False)
    for name, v in env.items():
        if _SECRET_ENV_NAME.search(name) and v:
            found.add(v)
    return {s for s in found if len(s) >= MIN_SECRET_LENGTH}


class Scrubber:
    """Removes known secret values, URL credentials and secret query parameters.

    Applied to everything a run writes (results, manifest, config, reports),
    on top of :func:`redact`'s key-based redaction, so a secret that a runner
    puts into an error message, a fingerprint or its output is caught too.

    >>> scrub = Scrubber(["sk-live-0123456789"])
    >>> scrub.text("401 for key sk-live-0123456789 at http://u:p@host/")
    '401 for key *** at http://***@host/'
    >>> scrub.value({"error": ["sk-live-0123456789"], "n": 1})
    {'error': ['***'], 'n': 1}
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is removed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len)[::-1]

    def text(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        return str(redact(text))

    def value(self, value: Any) -> Any:
        """``value`` (JSON-like) with :meth:`text` applied to every string in it."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def cache_root() -> Path:
    """``$HARNESS_CACHE`` or ``~/.cache/harness``: converted models and the generation cache."""
    return Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness")).expanduser()


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(valid_text(text))
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
    """Appends one JSON object per line and flushes each to the OS at once.

    A killed process (SIGKILL, OOM) loses nothing that ``write`` returned from;
    :meth:`sync` also forces the data to disk (against power loss) and is
    called once per batch rather than per line, which would cost a disk
    round trip per sample.
    """

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
        self._f.write(valid_text(json.dumps(obj, ensure_ascii=False)) + "\n")
        self._f.flush()

    def sync(self) -> None:
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if not self._f.closed:
            self.sync()
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


class RunExistsError(FileExistsError, ValueError):
    """A run folder with the requested id exists already."""


class RunLockedError(ValueError):
    """Another process is writing the run folder (a run or a resume in progress)."""


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``<run>/.lock``, held until :meth:`release`.

    The operating system drops it when the process ends, however it ends, so a
    killed run never leaves a stale lock. Where ``fcntl`` is missing (Windows)
    nothing is locked.
    """

    def __init__(self, run_dir: Path) -> None:
        self._file = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            return
        f = (run_dir / ".lock").open("a+", encoding="utf-8")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise RunLockedError(
                f"{run_dir}: another harness process is writing this run; "
                "let it finish (or stop it) before resuming"
            ) from None
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class RunDir:
    """One run's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Applied to everything written through write_json / write_text (a Scrubber's value).
        self.scrub: Callable[[Any], Any] | None = None

    @classmethod
    def create(cls, output_dir: Path, run_id: str) -> RunDir:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", run_id):
            raise ValueError(f"run id {run_id!r}: use letters, digits, '.', '_' and '-' only")
        path = (output_dir / run_id).resolve()
        if path.parent != output_dir.resolve():
            raise ValueError(f"run id {run_id!r} escapes the results folder {output_dir}")
        try:
            path.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise RunExistsError(
                f"{path}: a run with id {run_id!r} exists already; choose another --run-id, "
                f"or continue that run with --resume {path}"
            ) from None
        return cls(path)

    def lock(self) -> RunLock:
        """Lock the folder against a second writer; raises :class:`RunLockedError`."""
        return RunLock(self.path)

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
        atomic_write_json(self.path / name, self.scrub(data) if self.scrub else data)

    def write_text(self, name: str, text: str) -> None:
        atomic_write_text(self.path / name, self.scrub(text) if self.scrub else text)


def dump_jsonl(items: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
