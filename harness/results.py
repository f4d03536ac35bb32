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
import math
import os
import re
import secrets as _secrets
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from harness.types import Generation, Score

# Option and header names whose value is a credential, by whole words (``api_key``,
# ``x-api-key``, ``accessToken``, ``Authorization``, ``db_password``), never by substring:
# ``tokenizer``, ``max_tokens`` and ``secret_name`` are settings, not secrets.
_SECRET_WORDS = frozenset(
    {
        "token", "secret", "password", "passwd", "passphrase", "pwd", "authorization",
        "bearer", "credential", "credentials", "apikey", "auth", "cookie",
    }
)  # fmt: skip
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "auth", "client", "subscription", "signing",
     "encryption", "master", "service", "session", "account"}
)  # fmt: skip
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def is_secret_key(key: str) -> bool:
    """Whether a mapping key (an option, a header) names a credential, by its last word.

    The key is split into words at ``_``, ``-``, ``.``, spaces and camelCase; it
    is secret when the last word is ``token``, ``secret``, ``password``,
    ``authorization``, ``apikey``, ... or ``key`` after ``api``, ``access``,
    ``private``, ``client``, ... . ``*_env`` keys name a variable and are not secret.

    >>> [k for k in ("api_key", "x-api-key", "accessToken", "Authorization", "db_password",
    ...              "tokenizer", "max_tokens", "secret_name", "key", "api_key_env")
    ...  if is_secret_key(k)]
    ['api_key', 'x-api-key', 'accessToken', 'Authorization', 'db_password']
    """
    words = [w for w in _NOT_WORD.split(_CAMEL.sub(r"\1_\2", key).lower()) if w]
    if not words or words[-1] == "env":
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


# ``user[:password]@`` right after ``://``, up to the last ``@`` before the host (a password
# may hold ``@``, as ``urlsplit`` reads it). The pattern starts with the literal ``://`` on
# purpose: one that starts with the scheme (``[a-z][a-z0-9+.-]*://``) is tried at every
# letter, and a 1 MB model output made of letters took minutes; each match stops at the
# next ``/``, so the scans of successive ``://`` do not overlap.
_URL_CREDENTIALS = re.compile(r"://[^/?#\s]*@")
_QUERY_SECRET = re.compile(
    r"([?&](?:api[_-]?key|key|token|access_token|secret|password|sig|signature)=)[^&#\s]+",
    re.IGNORECASE,
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
        if key and is_secret_key(key) and value:
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
# Values of secret-named environment variables that no option names (HF_TOKEN, ...) are
# hunted for in free text from this length on (shorter ones would match ordinary words);
# secrets the config declares (under a secret key, in a URL, named by an ``*_env`` option)
# from MIN_DECLARED_SECRET_LENGTH on. Under a secret key, any value is redacted by
# :func:`redact`.
MIN_SECRET_LENGTH = 8
MIN_DECLARED_SECRET_LENGTH = 4
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
    ``OPENAI_API_KEY``, ...). A URL password is taken as written and
    percent-decoded (it may hold ``@``). Declared values shorter than
    :data:`MIN_DECLARED_SECRET_LENGTH`, and undeclared ones shorter than
    :data:`MIN_SECRET_LENGTH`, are left out.

    >>> sorted(secret_values({"api_key_env": "K", "base_url": "https://al:p@w-1234567@h/"},
    ...                      environ={"K": "sk-abcd"}))
    ['YWw6cEB3LTEyMzQ1Njc=', 'al:p@w-1234567', 'p@w-1234567', 'sk-abcd']
    """
    from urllib.parse import unquote

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
                if is_secret_key(key[: -len("_env")]):
                    add_env(v)
            elif env_names:
                add_env(v)  # e.g. header_env: {api-key: AZURE_KEY}
            elif is_secret_key(key):
                found.add(v)
                scheme, _, token = v.partition(" ")
                if token and scheme.lower() in ("bearer", "basic", "token"):
                    found.add(token.strip())
            for m in _URL_CREDENTIALS.finditer(v):
                creds = m.group(0)[len("://") : -1]
                found.add(creds)
                found.add(base64.b64encode(creds.encode()).decode("ascii"))
                if ":" in creds:
                    password = creds.split(":", 1)[1]
                    found.update((password, unquote(password)))
                    found.add(base64.b64encode(unquote(creds).encode()).decode("ascii"))
            for m in _QUERY_SECRET.finditer(v):
                found.add(m.group(0)[len(m.group(1)) :])
                found.add(unquote(m.group(0)[len(m.group(1)) :]))

    walk(value, "", False)
    declared = {s for s in found if len(s) >= MIN_DECLARED_SECRET_LENGTH}
    for name, v in env.items():
        if _SECRET_ENV_NAME.search(name) and len(v) >= MIN_SECRET_LENGTH:
            declared.add(v)
    return declared


def secret_forms(secret: str) -> set[str]:
    """``secret`` as it may turn up in text: as is, JSON-escaped, percent-encoded, base64.

    >>> sorted(secret_forms("k/y+1&2"))
    ['ay95KzEmMg', 'ay95KzEmMg==', 'k%2Fy%2B1%262', 'k/y%2B1%262', 'k/y+1&2', 'k\\\\/y+1&2']
    """
    from urllib.parse import quote, quote_plus

    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms = {secret, *escaped, *(e.replace("/", "\\/") for e in escaped)}  # JSON may write \/
    forms |= {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    raw = secret.encode("utf-8", "surrogatepass")
    for enc in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = enc.decode("ascii")
        forms |= {text, text.rstrip("=")}
    return {f for f in forms if len(f) >= MIN_DECLARED_SECRET_LENGTH}


class Scrubber:
    """Removes known secret values, URL credentials and secret query parameters.

    Applied to everything a run writes (results, manifest, config, reports),
    on top of :func:`redact`'s key-based redaction, so a secret that a runner
    puts into an error message, a fingerprint or its output is caught too.

    Each secret is also removed in its JSON-escaped, percent-encoded and base64
    forms (:func:`secret_forms`).

    >>> scrub = Scrubber(["sk-live-0123456789"])
    >>> scrub.text("401 for key sk-live-0123456789 at http://u:p@host/")
    '401 for key *** at http://***@host/'
    >>> scrub.value({"error": ["sk-live-0123456789"], "n": 1})
    {'error': ['***'], 'n': 1}
    >>> scrub.text("?k=c2stbGl2ZS0wMTIzNDU2Nzg5")
    '?k=***'
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {
            f for s in secrets if len(s) >= MIN_DECLARED_SECRET_LENGTH for f in secret_forms(s)
        }
        # Longest first, so a secret that contains another is removed whole.
        self.secrets = sorted(forms, key=len)[::-1]

    def text(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        if "://" not in text and "=" not in text:
            return str(text)  # what redact() returns: no URL, no query parameter
        return str(redact(text))

    def json_line(self, value: Any) -> str:
        """``json.dumps(self.value(value), ensure_ascii=False)``, faster when nothing changes.

        When the dumped ``value`` holds no secret (in any of its forms, the JSON-escaped
        one included), no ``://`` and no ``=``, no string in it can change, and the dump
        is the answer; otherwise ``value`` is scrubbed string by string and dumped again.
        """
        try:
            line = json.dumps(value, ensure_ascii=False)
        except TypeError:  # a Mapping that is no dict: value() makes it one
            line = "://"
        if "://" in line or "=" in line or any(s in line for s in self.secrets):
            line = json.dumps(self.value(value), ensure_ascii=False)
        return line

    def value(self, value: Any) -> Any:
        """``value`` (JSON-like) with :meth:`text` applied to every string in it."""
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is dict:  # the common case first (JSON objects), without the ABC checks
            return {k: self.value(v) for k, v in value.items()}
        if kind is int or kind is float or kind is bool or value is None:
            return value
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


class OutputError(ValueError):
    """An output path is not a regular file (a symlink, FIFO, device, folder) or cannot be made."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_output_file(path: Path) -> os.stat_result | None:
    """The ``lstat`` of ``path`` if it is a regular file, None if it does not exist.

    Raises:
        OutputError: ``path`` is a symlink, FIFO, device, socket or folder: writing
            would replace it (or block on it), so nothing is written.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"{path}: is {_kind(st.st_mode)}, not a regular file; refusing to replace it "
            "(give the path of a regular file, or of one that does not exist yet)"
        )
    return st


def _umask() -> int:
    """The process's umask (read from /proc where it is, so no other thread sees umask 0)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for row in f:
                if row.startswith("Umask:"):
                    return int(row.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: readers never see half a file.

    Only regular files are written: an existing symlink, FIFO, device or folder
    at ``path`` is an :class:`OutputError` and stays as it is. The file gets the
    mode of the file it replaces, else ``0666`` minus the umask (as ``open`` would).

    Raises:
        OutputError: ``path`` is not a regular file, or its folder cannot be made.
        OSError: Writing failed (a full disk, a read-only file system); ``path`` is
            left as it was.
    """
    before = check_output_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror}") from None
    try:
        os.fchmod(fd, stat.S_IMODE(before.st_mode) if before else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(valid_text(text))
            f.flush()
            os.fsync(f.fileno())
        check_output_file(path)  # nothing odd put there meanwhile
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_os_error(exc: OSError) -> str:
    """``path: what`` for an OSError (``No space left on device``, ``Permission denied``).

    >>> describe_os_error(OSError(28, "No space left on device", "/r/x.json"))
    '/r/x.json: No space left on device'
    """
    if exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return exc.strerror or str(exc)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def new_run_id(name: str) -> str:
    """``<UTC time>-<name>-<random>``: sortable and unique even for runs started together."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "run"
    return f"{stamp}-{safe[:40]}-{_secrets.token_hex(3)}"


class JsonlAppender:
    """Appends one JSON object per line and writes each to the OS at once.

    A killed process (SIGKILL, OOM) loses nothing that ``write`` returned from;
    :meth:`sync` also forces the data to disk (against power loss) and is
    called on a cadence (:class:`harness.streaming.SyncCadence`: every 1,000
    lines or second) rather than per line, which would cost a disk round trip
    per sample. Writes are unbuffered, so a failed write (a full
    disk) leaves at most a torn last line, which the next appender cuts.
    ``scrub`` (a :meth:`Scrubber.value`) is applied to every object written.

    Raises:
        OutputError: ``path`` is a symlink, FIFO, device or folder (opened
            without following or blocking on it).
    """

    def __init__(self, path: Path, scrub: Callable[[Any], Any] | None = None) -> None:
        self.path = path
        self.scrub = scrub
        path.parent.mkdir(parents=True, exist_ok=True)
        check_output_file(path)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o666)
        except OSError as exc:
            raise OutputError(f"{path}: cannot open for writing: {exc.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            check_output_file(path)  # raises, naming what it is
            raise OutputError(f"{path}: not a regular file")
        self._f = os.fdopen(fd, "ab", buffering=0)
        # A crash may have left a half-written last line: cut it before appending.
        size = self._f.seek(0, os.SEEK_END)
        if size:
            with path.open("rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    cut = _last_newline(f, size) + 1
                    os.truncate(fd, cut)

    def write(self, obj: Mapping[str, Any]) -> None:
        owner = getattr(self.scrub, "__self__", None)
        if isinstance(owner, Scrubber):  # scrubbing the line's text finds what it would change
            line = owner.json_line(obj)
        else:
            if self.scrub is not None:
                obj = self.scrub(obj)
            line = json.dumps(obj, ensure_ascii=False)
        data = (valid_text(line) + "\n").encode("utf-8")
        view = memoryview(data)
        try:
            while view:
                n = self._f.write(view)
                view = view[n or 0 :]
        except OSError as exc:
            raise OSError(exc.errno, f"{self.path}: cannot write: {exc.strerror}") from None

    def sync(self) -> None:
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if not self._f.closed:
            try:
                self.sync()
            except OSError:
                pass  # a full disk: what was written stays, the caller has the error already
            finally:
                self._f.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _last_newline(f: Any, size: int, chunk: int = 1 << 16) -> int:
    """Offset of the last ``\\n`` in the open binary file ``f`` of ``size`` bytes, or -1."""
    end = size
    while end > 0:
        start = max(0, end - chunk)
        f.seek(start)
        i: int = f.read(end - start).rfind(b"\n")
        if i >= 0:
            return start + i
        end = start
    return -1


class RunFileError(ValueError):
    """A file of a run folder is damaged or unreadable; the message names file, line and field."""


def regular_file(path: Path) -> bool:
    """Whether ``path`` exists; :class:`RunFileError` when it is there but no regular file.

    A folder, FIFO or device in place of a run file is damage, never read (a FIFO blocks).
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise RunFileError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise RunFileError(f"{path}: is {_kind(st.st_mode)}, not a regular file")
    return True


def read_jsonl_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` of a results JSONL file; nothing when it does not exist.

    A torn last line (no newline: a crash mid-write, even inside a UTF-8
    character) is skipped. Every other line must be UTF-8 and one JSON object
    (NaN and Infinity parse, for the record checks to name the field that holds them).

    Raises:
        RunFileError: ``file:line: what`` for the first bad line, or a file that
            is not a regular one or cannot be read.
    """
    if not regular_file(path):
        return
    try:
        f = path.open("rb")
    except OSError as exc:
        raise RunFileError(f"{path}: cannot read: {exc.strerror}") from None
    with f:
        no = 0
        while True:
            try:
                raw = f.readline()
            except OSError as exc:
                raise RunFileError(f"{path}:{no + 1}: cannot read: {exc.strerror}") from None
            if not raw:
                return
            no += 1
            if not raw.endswith(b"\n"):
                return  # torn write
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RunFileError(
                    f"{path}:{no}: not valid UTF-8 (byte {exc.start} of the line)"
                ) from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)  # NaN parses; the record checks name its field
            except json.JSONDecodeError as exc:
                raise RunFileError(
                    f"{path}:{no}: invalid JSON: {exc.msg} (column {exc.colno})"
                ) from None
            except RecursionError:
                raise RunFileError(f"{path}:{no}: invalid JSON: nested too deeply") from None
            except ValueError as exc:
                raise RunFileError(f"{path}:{no}: invalid JSON: {exc}") from None
            if not isinstance(obj, dict):
                raise RunFileError(
                    f"{path}:{no}: (record): expected a JSON object, got {type(obj).__name__}"
                )
            yield no, obj


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a results JSONL file (:func:`read_jsonl_lines` without line numbers)."""
    for _, obj in read_jsonl_lines(path):
        yield obj


class RecordError(ValueError):
    """One field of a record is missing or of the wrong type: ``field: what``."""


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _field(obj: Mapping[str, Any], name: str, kind: str, required: bool = True) -> Any:
    if name not in obj:
        if required:
            raise RecordError(f"{name}: missing")
        return None
    v = obj[name]
    ok = {
        "str": isinstance(v, str),
        "str?": v is None or isinstance(v, str),
        "int?": v is None or (isinstance(v, int) and not isinstance(v, bool)),
        "number": _is_number(v) and math.isfinite(v),
        "bool": isinstance(v, bool),
        "object": isinstance(v, dict),
    }[kind]
    if not ok:
        want = {"str": "a string", "str?": "a string or null", "int?": "an integer or null",
                "number": "a finite number", "bool": "true or false", "object": "an object"}
        raise RecordError(f"{name}: expected {want[kind]}, got {json.dumps(v)[:60]}")
    return v


def generation_from_record(obj: Mapping[str, Any]) -> Generation:
    """A :class:`Generation` from one ``generations.jsonl`` object, every field checked.

    Raises:
        RecordError: ``field: what`` for a missing field or one of the wrong type.
    """
    for name in ("sample_id", "runner", "text"):
        _field(obj, name, "str")
    for name, kind in (("raw", "str"), ("error", "str?"), ("seconds", "number"),
                       ("prompt_tokens", "int?"), ("completion_tokens", "int?"),
                       ("cached", "bool"), ("finish_reason", "str?"), ("refusal", "str?"),
                       ("reasoning", "str?"), ("failure", "str?"),
                       ("stop_reason", "str?")):  # fmt: skip
        _field(obj, name, kind, required=False)
    return Generation.from_dict(obj)


def score_from_record(obj: Mapping[str, Any]) -> Score:
    """A :class:`Score` from one ``scores.jsonl`` object: every value a finite number.

    Raises:
        RecordError: ``field: what``, e.g. ``values.qa_de.f1: expected a finite number``.
    """
    _field(obj, "sample_id", "str")
    _field(obj, "runner", "str")
    values = _field(obj, "values", "object")
    for k, v in values.items():
        if not _is_number(v) or not math.isfinite(v):
            raise RecordError(f"values.{k}: expected a finite number, got {json.dumps(v)[:60]}")
    _field(obj, "details", "object", required=False)
    return Score.from_dict(obj)


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
        check_output_dir(output_dir)
        try:
            path.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise RunExistsError(
                f"{path}: a run with id {run_id!r} exists already; choose another --run-id, "
                f"or continue that run with --resume {path}"
            ) from None
        except OSError as exc:
            raise OutputError(f"{path}: cannot create the run folder: {exc.strerror}") from None
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
        """Every line of ``generations.jsonl``; :class:`RunFileError` names a bad line."""
        return [g for _, _, g in self.generation_records()]

    def generation_records(self) -> list[tuple[int, dict[str, Any], Generation]]:
        """``(line, object, Generation)`` per line (the object has fields beyond the type's)."""
        return list(_records(self.generations_path, generation_from_record))

    def scores(self) -> list[Score]:
        """Every line of ``scores.jsonl``; :class:`RunFileError` names a bad line."""
        return [s for _, _, s in self.score_records()]

    def score_records(self) -> list[tuple[int, dict[str, Any], Score]]:
        """``(line, object, Score)`` per line of ``scores.jsonl``."""
        return list(_records(self.scores_path, score_from_record))

    def read_json(self, name: str) -> Any:
        return json.loads((self.path / name).read_text(encoding="utf-8"))

    def write_json(self, name: str, data: Any) -> None:
        atomic_write_json(self.path / name, self.scrub(data) if self.scrub else data)

    def write_text(self, name: str, text: str) -> None:
        atomic_write_text(self.path / name, self.scrub(text) if self.scrub else text)


def _records(
    path: Path, make: Callable[[Mapping[str, Any]], Any]
) -> Iterator[tuple[int, dict[str, Any], Any]]:
    for no, obj in read_jsonl_lines(path):
        try:
            yield no, obj, make(obj)
        except RecordError as exc:
            raise RunFileError(f"{path}:{no}: {exc}") from None


def check_output_dir(folder: Path) -> None:
    """A results folder that a run folder can be made in: a folder (or none yet), writable.

    Raises:
        OutputError: ``folder`` (or the nearest part of it that exists) is a file,
            or is not writable; nothing is created.
    """
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{existing}: not a folder; cannot make a results folder in it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{existing}: not writable (permission denied or a read-only disk)")


def dump_jsonl(items: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
