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

Every output goes through one post-processing, :func:`process_output` (the
runners call it for their own ``text``; the pipeline applies :func:`finalize`
to every generation of every runner, plugins included): a prompt echo is
removed, then reasoning blocks (``<think>…</think>``, or the runner option
``reasoning_tags``), then the output is cut at the stop sequences and trimmed.
``raw`` keeps the output as produced. :func:`failure_reason` says when an empty
output is no answer (cut at the token limit, filtered, refused, reasoning not
finished): such samples are scored as failures, never as abstentions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
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


#: Reasoning blocks removed from every output before stop sequences apply.
DEFAULT_REASONING_TAGS: tuple[tuple[str, str], ...] = (("<think>", "</think>"),)

ReasoningTags = tuple[tuple[str, str], ...]


def parse_reasoning_tags(value: Any) -> ReasoningTags:
    """The ``reasoning_tags`` runner option as pairs: ``[["<think>", "</think>"], ...]``.

    None gives :data:`DEFAULT_REASONING_TAGS`; an empty list turns the removal off.

    Raises:
        ValueError: If ``value`` is not a list of ``[open, close]`` pairs of non-empty strings.

    >>> parse_reasoning_tags([["<think>", "</think>"], ["<reasoning>", "</reasoning>"]])[1]
    ('<reasoning>', '</reasoning>')
    >>> parse_reasoning_tags("<think>")
    Traceback (most recent call last):
    ...
    ValueError: reasoning_tags: give a list of [open, close] pairs, e.g. [["<think>", "</think>"]]
    """
    if value is None:
        return DEFAULT_REASONING_TAGS
    usage = 'reasoning_tags: give a list of [open, close] pairs, e.g. [["<think>", "</think>"]]'
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(usage)
    out: list[tuple[str, str]] = []
    for pair in value:
        if (
            isinstance(pair, str | bytes)
            or not isinstance(pair, Sequence)
            or len(pair) != 2
            or not all(isinstance(t, str) and t for t in pair)
        ):
            raise ValueError(usage)
        out.append((pair[0], pair[1]))
    return tuple(out)


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


def strip_echo(text: str, prompts: Sequence[str]) -> str:
    """``text`` without a leading copy of the first of ``prompts`` it starts with.

    Leading whitespace of both sides is ignored. Servers for completion models
    (and scripts) may return the prompt followed by the answer.

    >>> strip_echo("Frage: Wer?\\nAntwort: Keo Chhea", ["Artikel: ...", "Frage: Wer?\\nAntwort:"])
    ' Keo Chhea'
    >>> strip_echo("Keo Chhea", ["Frage: Wer?"])
    'Keo Chhea'
    """
    body = text.lstrip()
    for prompt in prompts:
        p = prompt.strip()
        if p and body.startswith(p) and len(body) >= len(p):
            return body[len(p) :]
    return text


@dataclass(frozen=True)
class Reasoning:
    """An output split into its answer and its reasoning traces.

    ``unfinished`` is True when an opening tag was never closed: everything
    after it is trace, and there is no answer after it.
    """

    answer: str
    traces: tuple[str, ...] = ()
    unfinished: bool = False

    @property
    def trace(self) -> str | None:
        """The traces joined by blank lines, or None when there were none."""
        return "\n\n".join(t.strip() for t in self.traces) if self.traces else None


def split_reasoning(text: str, tags: ReasoningTags = DEFAULT_REASONING_TAGS) -> Reasoning:
    """Take the reasoning blocks out of ``text``.

    A block runs from an opening tag to its closing tag. A closing tag with no
    opening tag before it closes a block that began before the output (chat
    templates that put ``<think>`` into the prompt), so everything before it is
    trace. An opening tag that is never closed makes the rest of the output
    trace, ``unfinished``.

    >>> split_reasoning("<think>Wer? Der Botschafter.</think> Keo Chhea")
    Reasoning(answer=' Keo Chhea', traces=('Wer? Der Botschafter.',), unfinished=False)
    >>> split_reasoning("Hmm.</think>Keo Chhea").answer
    'Keo Chhea'
    >>> split_reasoning("<think>\\nFirst, the").unfinished
    True
    """
    traces: list[str] = []
    for open_tag, close_tag in tags:
        end = text.find(close_tag)
        if end >= 0 and open_tag not in text[:end]:
            traces.append(text[:end])
            text = text[end + len(close_tag) :]
    parts: list[str] = []
    pos = 0
    while True:
        starts = [(text.find(o, pos), o, c) for o, c in tags if text.find(o, pos) >= 0]
        if not starts:
            parts.append(text[pos:])
            return Reasoning("".join(parts), tuple(traces))
        start, open_tag, close_tag = min(starts)
        parts.append(text[pos:start])
        body = start + len(open_tag)
        end = text.find(close_tag, body)
        if end < 0:
            traces.append(text[body:])
            return Reasoning("".join(parts), tuple(traces), unfinished=True)
        traces.append(text[body:end])
        pos = end + len(close_tag)


@dataclass(frozen=True)
class ProcessedOutput:
    """The answer of a raw output, with its reasoning trace and whether that ended."""

    text: str
    reasoning: str | None = None
    reasoning_unfinished: bool = False


def echo_candidates(request: Request | None) -> list[str]:
    """What a runner may echo before its answer: the full prompt, the per-sample prompt, the
    last chat message."""
    if request is None:
        return []
    out = [request.full_prompt, request.prompt]
    if request.messages:
        out.append(str(request.messages[-1].get("content", "")))
    return [p for p in out if p.strip()]


def process_output(
    raw: str,
    request: Request | None,
    reasoning_tags: ReasoningTags = DEFAULT_REASONING_TAGS,
    stop: Sequence[str] | None = None,
) -> ProcessedOutput:
    """The shared post-processing of every runner's output, in this order.

    1. a prompt echo is removed (the output starts with the full prompt, the
       per-sample prompt or the last chat message);
    2. reasoning blocks (``reasoning_tags``) are taken out;
    3. the rest is cut at the first stop sequence (``stop``, default: the
       request's) and trimmed.

    Args:
        raw: The runner's output as produced.
        request: The request it answers (None: no echo to remove, no stops).
        reasoning_tags: ``(open, close)`` pairs; empty turns the removal off.
        stop: Stop sequences instead of ``request.params.stop``.

    Returns:
        The answer text, the reasoning trace (None without one) and whether a
        reasoning block was left open (then the answer is empty).

    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    >>> r = Request(sample=s, context="Artikel: ...\\n", prompt="Frage: Wer?\\nAntwort:")
    >>> process_output("<think>a\\nb</think> Keo Chhea\\nFrage: Wann?", r, stop=["\\n"]).text
    'Keo Chhea'
    >>> process_output("Artikel: ...\\nFrage: Wer?\\nAntwort: Keo Chhea", r).text
    'Keo Chhea'
    """
    if stop is None:
        stop = request.params.stop if request is not None else ()
    stops = tuple(stop)
    text = strip_echo(raw, echo_candidates(request))
    split = split_reasoning(text, reasoning_tags) if reasoning_tags else Reasoning(text)
    if split.unfinished:
        return ProcessedOutput("", split.trace, True)
    return ProcessedOutput(cut_at_stop(split.answer, stops).strip(), split.trace, False)


def failure_reason(g: Generation, reasoning_unfinished: bool = False) -> str | None:
    """Why ``g``'s output is no answer although the runner did not fail; None if it is one.

    Only an empty answer can be such a failure: one refused, filtered, cut at
    the token limit, consisting of reasoning only, or ended by a stop sequence
    before it began (the server's ``stop_reason`` names it; the raw output is
    empty). A non-empty answer that ended at the token limit is scored on its
    text; an empty answer that ended on its own is the model's choice (an
    abstention).

    >>> failure_reason(Generation("d/q", "r", "", finish_reason="length"))
    'empty output: cut off at the token limit (finish_reason: length)'
    >>> failure_reason(Generation("d/q", "r", "Keo", finish_reason="length")) is None
    True
    >>> print(failure_reason(Generation("d/q", "r", "", finish_reason="stop", stop_reason="#")))
    empty output: the server stopped at the stop sequence '#' before the answer began (stop_reason)
    """
    if g.error or g.text.strip():
        return None
    if g.refusal:
        return f"refused: {g.refusal}"
    if g.finish_reason == "content_filter":
        return "empty output: filtered by the server (finish_reason: content_filter)"
    if reasoning_unfinished:
        return "reasoning not finished: no answer after the reasoning block" + (
            " (finish_reason: length)" if g.finish_reason == "length" else ""
        )
    if g.reasoning:
        if g.finish_reason == "length":
            return "reasoning not finished: cut off at the token limit (finish_reason: length)"
        return "no answer after the reasoning (only a reasoning trace)"
    if g.finish_reason == "length":
        return "empty output: cut off at the token limit (finish_reason: length)"
    if g.stop_reason is not None and g.finish_reason in (None, "stop") and not g.raw.strip():
        return (
            f"empty output: the server stopped at the stop sequence {g.stop_reason!r} "
            "before the answer began (stop_reason)"
        )
    return None


def finalize(
    g: Generation,
    request: Request | None,
    reasoning_tags: ReasoningTags = DEFAULT_REASONING_TAGS,
    cut_at_stops: bool = True,
) -> Generation:
    """Apply :func:`process_output` to ``g.raw`` (or ``g.text`` when a runner gave no raw).

    The pipeline calls this on every generation of every runner, so echo
    removal, reasoning removal and stop sequences work the same for all of
    them. ``raw`` is kept; ``text``, ``reasoning`` and ``failure`` are set
    anew (a trace the runner recorded itself, such as a server's
    ``reasoning_content``, is kept in front). A failed generation (``error``)
    keeps an empty text. ``cut_at_stops=False`` leaves out the stop sequences
    (for runners whose output is already the answer, such as the baselines). An
    answer longer than :data:`MAX_SCORED_CHARS` is a failure (:func:`too_long`).
    """
    if g.error:
        return replace(g, text="", failure=None)
    source = g.raw if g.raw else g.text
    stop = None if cut_at_stops else ()
    out = process_output(source, request, reasoning_tags, stop)
    own, found = g.reasoning or None, out.reasoning
    if own and found and own.endswith(found):
        found = None  # finalized before: the trace is already there
    reasoning = "\n\n".join(t for t in (own, found) if t) or None
    done = replace(g, text=out.text, reasoning=reasoning, failure=None)
    if len(done.text) > MAX_SCORED_CHARS:
        return replace(done, failure=too_long(done.text))
    return replace(done, failure=failure_reason(done, out.reasoning_unfinished))


#: Answers longer than this (in characters, after post-processing) are scored as failures:
#: no answer or summary is that long, and some checks (dates, numbers, names against the
#: article) take time that grows faster than the length. ``raw`` keeps the whole output.
MAX_SCORED_CHARS = 20_000


def too_long(text: str) -> str:
    """The failure of an answer longer than :data:`MAX_SCORED_CHARS` (scored as a failure)."""
    return (
        f"output of {len(text):,} characters, longer than the {MAX_SCORED_CHARS:,} that are "
        "scored (no answer or summary is that long)"
    )


def postprocess(raw: str, stop: Sequence[str], prompt: str = "") -> str:
    """Strip a prompt echo and reasoning blocks, cut at stop sequences, trim whitespace.

    >>> postprocess("Frage: X\\nAntwort: Keo Chhea\\n\\nFrage:", ["\\n\\n"], "Frage: X\\nAntwort:")
    'Keo Chhea'
    >>> postprocess("<think>\\n</think>\\nKeo Chhea\\nFrage:", ["\\n"])
    'Keo Chhea'
    """
    text = strip_echo(raw, [prompt]) if prompt else raw
    split = split_reasoning(text)
    if split.unfinished:
        return ""
    return cut_at_stop(split.answer, stop).strip()
