"""The runner interface and its registry.

A runner turns requests into generations, batch-first::

    class MyRunner:
        name = "my-runner"
        def fingerprint(self) -> str: ...
        def generate(self, requests: Sequence[Request]) -> list[Generation]: ...

Register a class with ``@RUNNERS.register("type-name")`` (or the entry-point
group ``harness.runners``); the config's ``options`` mapping becomes the
constructor's keyword arguments, plus ``name`` (the label in reports).
Heavy imports (torch, transformers, HTTP clients) happen inside the runner,
never at ``import harness``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from harness.registry import Registry
from harness.types import Generation, Request


@runtime_checkable
class Runner(Protocol):
    """What every runner provides."""

    name: str

    def fingerprint(self) -> str:
        """A string that changes whenever the runner's outputs could change."""
        ...

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        """Answer every request, in order; a failed sample gets ``error`` set."""
        ...


RUNNERS: Registry[type[Any]] = Registry("runner", entry_point_group="harness.runners")

_BUILTIN_MODULES = ("baselines", "scripted", "hf", "openai_compat", "command", "python_callable")


def load_builtins() -> None:
    import importlib

    for mod in _BUILTIN_MODULES:
        importlib.import_module(f"harness.runners.{mod}")


def create_runner(type_name: str, name: str, options: dict[str, Any]) -> Runner:
    """Build the runner registered as ``type_name`` with plain keyword options."""
    load_builtins()
    cls = RUNNERS.get(type_name)
    try:
        runner = cls(name=name, **options)
    except TypeError as exc:
        raise ValueError(f"runner {name!r} (type {type_name!r}): bad options: {exc}") from exc
    if not isinstance(runner, Runner):
        raise TypeError(f"runner type {type_name!r} does not implement fingerprint/generate")
    return runner


def stable_hash(*parts: Any) -> str:
    """A short sha256 of JSON-serialisable parts, for fingerprints and cache keys."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def answer_start(text: str) -> int:
    """Where the answer begins: stop sequences in leading whitespace do not count.

    Models often open with a newline ("Antwort:\\n Keo Chhea"); a newline stop
    must not turn that into an empty answer.
    """
    return len(text) - len(text.lstrip())


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """Cut ``text`` at the first stop sequence after the answer has begun.

    >>> cut_at_stop("Keo Chhea\\nFrage: Wer", ["\\nFrage:", "\\n\\n"])
    'Keo Chhea'
    >>> cut_at_stop("\\n Keo Chhea\\nFrage:", ["\\n"])
    '\\n Keo Chhea'
    """
    cut = len(text)
    begin = answer_start(text)
    for s in stop:
        if s:
            i = text.find(s, begin)
            if 0 <= i < cut:
                cut = i
    return text[:cut]


def postprocess(raw: str, stop: Sequence[str], prompt: str = "") -> str:
    """Strip a prompt echo, cut at stop sequences, trim whitespace.

    >>> postprocess("Frage: X\\nAntwort: Keo Chhea\\n\\nFrage:", ["\\n\\n"], "Frage: X\\nAntwort:")
    'Keo Chhea'
    """
    text = raw
    if prompt and text.startswith(prompt):
        text = text[len(prompt) :]
    return cut_at_stop(text, stop).strip()
