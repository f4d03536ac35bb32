"""The ``command`` runner: any executable that reads JSON lines and writes JSON lines.

The command (an argument list, never a shell line) gets one JSON object per
request on stdin::

    {"sample_id": "doc/q1", "task": "qa", "language": "de",
     "prompt": "<context + prompt: the full text a completion model reads>",
     "context": "...", "question": "Wer sprach?", "length": null,
     "messages": [{"role": "user", "content": "..."}],
     "max_new_tokens": 32, "stop": ["\\n"], "temperature": 0.0, "seed": 0}

and answers with one JSON object per request on stdout, in any order::

    {"sample_id": "doc/q1", "text": "Keo Chhea"}

optionally with ``prompt_tokens`` / ``completion_tokens``, ``finish_reason``
(``stop``, ``length``, ``content_filter``), ``refusal`` and ``reasoning``
(strings), or ``{"sample_id": ..., "error": "why"}`` for a sample it could not
answer. ``text`` is raw model text: a prompt echo and ``<think>`` blocks are
removed and it is cut at the stop sequences like any model's output.
``question`` is the question for QA and null for summaries (whose ``length``
is ``headline``, ``abstract`` or ``bullets``). Gold answers are never sent.

With ``batch: true`` (the default) one process answers every request the
pipeline hands over at once; with ``batch: false`` each request gets its own
process. A timeout or a non-zero exit status fails every sample of that
process; a missing or repeated answer fails its sample (naming the first
stdout line that was not a JSON answer, if any, and quoting the end of
stderr). Lines that are not answers are otherwise ignored, so a chatty
script still works. Whatever the process printed for a sample is kept in
``raw``, even when the sample failed.

Example:
    >>> import sys
    >>> from harness.prompts import build_request
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    >>> script = ("import json, sys\\n"
    ...           "for line in sys.stdin:\\n"
    ...           "    r = json.loads(line)\\n"
    ...           "    print(json.dumps({'sample_id': r['sample_id'], 'text': r['question']}))")
    >>> runner = Command(name="echo", command=[sys.executable, "-c", script])
    >>> runner.generate([build_request(s, article="...")])[0].text
    'Wer?'
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.runners.base import RUNNERS, process_output, stable_hash
from harness.runners.sources import is_library, local_sources
from harness.types import Generation, Request

HASH_LIMIT = 64 * 1024 * 1024  # larger files are identified by size and mtime, not content
STDERR_TAIL = 400


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (size and mtime for files over ``HASH_LIMIT``)."""
    st = path.stat()
    if st.st_size > HASH_LIMIT:
        return f"size={st.st_size},mtime={int(st.st_mtime)}"
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def request_line(request: Request) -> dict[str, Any]:
    """The JSON object a command receives for one request (no gold answers)."""
    s = request.sample
    return {
        "sample_id": s.id,
        "task": s.task,
        "language": s.language,
        "prompt": request.full_prompt,
        "context": request.context,
        "question": s.input if s.task == "qa" else None,
        "length": s.input if s.task == "summary" else None,
        "messages": [dict(m) for m in request.messages],
        "max_new_tokens": request.params.max_new_tokens,
        "stop": list(request.params.stop),
        "temperature": request.params.temperature,
        "seed": request.params.seed,
    }


def _tail(text: str) -> str:
    text = text.strip()
    if not text:
        return "(stderr empty)"
    return "stderr: " + ("..." + text[-STDERR_TAIL:] if len(text) > STDERR_TAIL else text)


def _as_text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


@RUNNERS.register("command")
class Command:
    """Any executable: JSON lines in on stdin, one {sample_id, text} per line out on stdout.

    Args:
        name: the label in reports.
        command: the argument list, e.g. ``["python", "answer.py"]`` (no shell;
            relative paths are relative to the directory ``harness`` runs in).
        timeout: seconds per request; a batch process may take ``timeout``
            times its number of requests.
        batch: one process per ``generate`` call (true) or per request (false).
        env: extra environment variables for the process.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        timeout: float = 60.0,
        batch: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(command, str) or not isinstance(command, Sequence) or not command:
            raise ValueError(
                f"runner {name!r}: command: give a non-empty list of arguments, "
                f"e.g. [python, answer.py] (no shell); got {command!r}"
            )
        if not all(isinstance(a, str | int | float) for a in command):
            raise ValueError(f"runner {name!r}: command: every argument must be a string")
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"runner {name!r}: timeout: must be a positive number of seconds")
        self.name = name
        self.argv = [str(a) for a in command]
        self.timeout = float(timeout)
        self.batch = bool(batch)
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        exe = self.argv[0]
        found = shutil.which(exe)
        if found is None:
            where = "an executable file" if os.sep in exe else "an executable on PATH"
            raise ValueError(f"runner {name!r}: command: {exe!r} is not {where}")
        self.executable = Path(found).resolve()

    def covers(self) -> dict[str, str]:
        """What the fingerprint hashes: ``{argument index or local import: sha256}``.

        The executable and every argument that is a file; for a Python script (a
        ``.py`` argument, or one starting ``#!...python``) also the project-local
        modules it imports, transitively, found next to it
        (:func:`harness.runners.sources.local_sources`). Programs a shell script
        runs, installed packages and data files are not covered.
        """
        files: dict[str, str] = {}
        for i, arg in enumerate(self.argv):
            p = self.executable if i == 0 else Path(arg)
            if not p.is_file():
                continue
            files[str(i)] = file_digest(p)
            if p.stat().st_size <= HASH_LIMIT and not is_library(p.resolve()):
                folder = p.resolve().parent
                for path, digest in local_sources(p, [folder]).items():
                    q = Path(path)
                    if q != p.resolve():
                        files[f"{i}:{q.relative_to(folder).as_posix()}"] = digest
        return files

    def fingerprint(self) -> str:
        """The argument list, the environment it adds, and :meth:`covers`: the content hash of
        the executable, of each file argument, and of the local modules a Python script
        imports. Say ``--no-cache`` when the command's output depends on anything else."""
        return stable_hash("command", 2, self.argv, self.covers(), self.env)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        if not requests:
            return []
        if self.batch:
            return self._run(list(requests))
        return [g for r in requests for g in self._run([r])]

    def _run(self, requests: list[Request]) -> list[Generation]:
        stdin = "".join(json.dumps(request_line(r), ensure_ascii=False) + "\n" for r in requests)
        limit = self.timeout * len(requests)
        t0 = time.perf_counter()
        failure: str | None = None
        try:
            code, out_b, err_b = _run_group(
                self.argv, stdin.encode("utf-8"), limit, {**os.environ, **self.env}
            )
            stdout, stderr = _as_text(out_b), _as_text(err_b)
            if code != 0:
                failure = f"command exited with status {code}; {_tail(stderr)}"
        except subprocess.TimeoutExpired as exc:
            stdout, stderr = _as_text(exc.stdout), _as_text(exc.stderr)
            failure = f"command timed out after {limit:g}s; {_tail(stderr)}"
        except OSError as exc:
            stdout, stderr = "", ""
            failure = f"command could not start: {exc}"
        per = (time.perf_counter() - t0) / len(requests)
        answers, twice, garbage = _parse(stdout)
        out = []
        for r in requests:
            got = answers.get(r.sample_id)
            raw = got.get("text") if got else None
            raw_str = raw if isinstance(raw, str) else ""
            error = failure
            if error is None:
                if r.sample_id in twice:
                    error = "the command answered this sample_id more than once"
                elif got is None:
                    error = "no output line for this sample_id"
                    error += f"; {garbage}" if garbage else ""
                    error += f"; {_tail(stderr)}"
                elif isinstance(got.get("error"), str):
                    error = f"command reported: {got['error']}"
                elif not isinstance(raw, str):
                    error = f"output line has no string 'text': {json.dumps(got)[:200]}"
            text = "" if error else process_output(raw_str, r).text
            out.append(
                Generation(
                    r.sample_id,
                    self.name,
                    text,
                    raw=raw_str,
                    error=error,
                    seconds=per,
                    prompt_tokens=_int_or_none(got, "prompt_tokens"),
                    completion_tokens=_int_or_none(got, "completion_tokens"),
                    finish_reason=None if error else _str_or_none(got, "finish_reason"),
                    refusal=None if error else _str_or_none(got, "refusal"),
                    reasoning=None if error else _str_or_none(got, "reasoning"),
                )
            )
        return out


def _run_group(
    argv: Sequence[str], stdin: bytes, timeout: float, env: Mapping[str, str]
) -> tuple[int, bytes, bytes]:
    """Run ``argv`` in its own process group; ``(status, stdout, stderr)``.

    Whatever ends the wait early (a timeout, Ctrl-C, SIGTERM, an error) kills the
    whole group, so no child or grandchild of the command outlives a stopped run.

    Raises:
        subprocess.TimeoutExpired: After ``timeout`` seconds (the group is killed).
        OSError: The command could not start.
    """
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=os.name == "posix",
    )
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        exc.stdout, exc.stderr = _kill_group(proc)  # what it printed before the timeout
        raise
    except BaseException:
        _kill_group(proc)  # not reaped yet: its pid is still its group's id
        raise
    return proc.returncode, out, err


def _kill_group(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Kill ``proc``'s process group (then ``proc``); the output it had left in its pipes."""
    import contextlib
    import signal

    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    try:
        out, err = proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        return b"", b""
    return out or b"", err or b""


def _str_or_none(obj: Mapping[str, Any] | None, key: str) -> str | None:
    value = obj.get(key) if obj else None
    return value if isinstance(value, str) and value.strip() else None


def _int_or_none(obj: Mapping[str, Any] | None, key: str) -> int | None:
    value = obj.get(key) if obj else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse(stdout: str) -> tuple[dict[str, dict[str, Any]], set[str], str | None]:
    """Output objects by sample id, ids answered twice, and the first unusable line (if any).

    >>> answers, twice, problem = _parse('{"sample_id": "a", "text": "x"}\\n\\nnot json\\n')
    >>> answers, twice
    ({'a': {'sample_id': 'a', 'text': 'x'}}, set())
    >>> problem
    "stdout line 3 is not a JSON object: 'not json'"
    """
    answers: dict[str, dict[str, Any]] = {}
    twice: set[str] = set()
    problem: str | None = None
    for no, line in enumerate(stdout.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict) or not isinstance(obj.get("sample_id"), str):
            what = "has no string 'sample_id'" if isinstance(obj, dict) else "is not a JSON object"
            problem = problem or f"stdout line {no} {what}: {line[:120]!r}"
            continue
        if obj["sample_id"] in answers:
            twice.add(obj["sample_id"])
        answers.setdefault(obj["sample_id"], obj)
    return answers, twice, problem
