"""Frozen, typed values that flow through the harness.

Every stage of the pipeline takes one of these and returns another, and each
one round-trips through plain JSON (``to_dict`` / ``from_dict``), so any stage
can be re-run from what the previous one wrote to disk.

Example:
    >>> span = Span(start=0, end=10, text="Kambodscha")
    >>> Span.from_dict(span.to_dict()) == span
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Task = Literal["qa", "summary"]
TASKS: tuple[Task, ...] = ("qa", "summary")


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass, in order (``to_dict`` builds its dict from them)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _plain(value: Any) -> Any:
    """Turn tuples into lists recursively so that JSON dumps are stable."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Span:
    """A character span ``[start, end)`` in a source document and the text it covers."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Span:
        return cls(start=int(data["start"]), end=int(data["end"]), text=str(data["text"]))


@dataclass(frozen=True)
class Sample:
    """One item to evaluate: a question or a summarisation instruction.

    Attributes:
        id: globally unique id, ``<doc-id>/<item-id>`` (plus ``@<lang>`` for
            renderings in a language other than the gold's own).
        doc_id: the gold document this sample belongs to.
        task: ``qa`` or ``summary``.
        language: language of ``input`` (and of the expected output).
        input: the question, or the summarisation instruction key
            (``headline``, ``abstract``, ``bullets``).
        references: every accepted answer, or every reference summary.
            Empty for unanswerable questions.
        evidence: spans of the source that support the references.
        category: e.g. ``speaker``, ``date``, ``pillar``; for summaries the length.
        answerable: False for questions the source does not answer.
        answer_type: ``factoid``, ``list``, ``date``, ``number``, ``yes/no`` or
            ``summary``.
        metadata: anything else a plugin may want (plain JSON values).
    """

    id: str
    doc_id: str
    task: Task
    language: str
    input: str
    references: tuple[str, ...]
    evidence: tuple[Span, ...] = ()
    category: str = ""
    answerable: bool = True
    answer_type: str = "factoid"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # what _plain(asdict(self)) gives, without asdict's deep copies (a hot path at scale)
        out: dict[str, Any] = {name: getattr(self, name) for name in _names(Sample)}
        out["references"] = list(self.references)
        out["evidence"] = [sp.to_dict() for sp in self.evidence]
        out["metadata"] = dict(self.metadata)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sample:
        return cls(
            id=data["id"],
            doc_id=data["doc_id"],
            task=data["task"],
            language=data["language"],
            input=data["input"],
            references=tuple(data.get("references", ())),
            evidence=tuple(Span.from_dict(s) for s in data.get("evidence", ())),
            category=data.get("category", ""),
            answerable=bool(data.get("answerable", True)),
            answer_type=data.get("answer_type", "factoid"),
            metadata=dict(data.get("metadata", {})),
        )


@dataclass(frozen=True)
class GenerationParams:
    """How to generate: greedy unless ``temperature`` > 0."""

    max_new_tokens: int = 64
    stop: tuple[str, ...] = ()
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _names(GenerationParams)}
        out["stop"] = list(self.stop)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GenerationParams:
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        if "stop" in kwargs:
            kwargs["stop"] = tuple(kwargs["stop"])
        return cls(**kwargs)


@dataclass(frozen=True)
class Request:
    """What a runner receives for one sample.

    The shared ``context`` (the article, plus any instructions that precede
    it) is kept apart from the per-sample ``prompt`` so that a runner can
    reuse work across requests with the same context (a prefix KV cache,
    server-side prefix caching). The full prompt is ``context + prompt``.

    ``messages`` holds the same content as chat messages for runners that
    apply a chat template; ``sample`` lets baselines such as ``oracle`` see
    the gold. Model runners must not look at ``sample.references``.
    """

    sample: Sample
    context: str
    prompt: str
    params: GenerationParams = GenerationParams()
    messages: tuple[Mapping[str, str], ...] = ()
    template: str = ""
    template_hash: str = ""
    answer_prefix: str = ""

    @property
    def sample_id(self) -> str:
        return self.sample.id

    @property
    def full_prompt(self) -> str:
        return self.context + self.prompt


@dataclass(frozen=True)
class Generation:
    """A runner's answer to one request.

    ``raw`` is what the model produced; ``text`` is the processed answer that
    gets scored (prompt echo and reasoning traces removed, cut at stop
    sequences, trimmed). ``error`` is set, and ``text`` empty, when the runner
    failed on this sample.

    The optional fields record why an output ended and what came with it;
    files written before they existed read back with ``None``:

    * ``finish_reason``: what ended the output, as the server or runner says:
      ``stop`` (an end token or stop sequence), ``length`` (``max_new_tokens``
      reached), ``content_filter``, ... (None when unknown).
    * ``refusal``: a refusal message the server sent instead of an answer.
    * ``reasoning``: the reasoning trace (a server's ``reasoning_content``, or
      ``<think>…</think>`` blocks taken out of the output).
    * ``failure``: why an output that the runner did produce is no answer
      (empty and cut at the token limit, filtered, refused, reasoning not
      finished). Set by post-processing; such a sample is scored as a failure,
      like an error, never as an abstention.
    * ``stop_reason``: the stop sequence (or stop token id) that ended the
      output, where the server says (vLLM does); None for an end token or
      when unknown. An empty answer that a stop sequence ended before it began
      is a ``failure``, never an abstention.
    * ``epochs``: with a runner's ``epochs: k`` (k > 1), every one of the k
      generations of the sample (seeds ``seed``, ``seed + 1``, ...), each a
      :meth:`to_dict` without ``sample_id``, ``runner`` and ``epochs``; the
      fields above are then the first epoch's, except ``error``, which names
      the first epoch that failed. Scores reduce the epochs' scores.

    Example:
        >>> g = Generation("d/q", "r", "", finish_reason="length", failure="cut off")
        >>> Generation.from_dict(g.to_dict()) == g
        True
        >>> Generation.from_dict({"sample_id": "d/q", "runner": "r", "text": "x"}).finish_reason
    """

    sample_id: str
    runner: str
    text: str
    raw: str = ""
    error: str | None = None
    seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached: bool = False
    finish_reason: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    failure: str | None = None
    stop_reason: str | None = None
    epochs: tuple[Mapping[str, Any], ...] = ()

    @property
    def failed(self) -> str | None:
        """Why this sample is scored as a failure (``error`` or ``failure``); None if it is not."""
        return self.error or self.failure

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _names(Generation)}  # flat fields
        if out["stop_reason"] is None:
            del out["stop_reason"]  # the line as it was before servers said
        if not self.epochs:
            del out["epochs"]  # one generation per sample: the line as it always was
        else:
            out["epochs"] = [dict(e) for e in self.epochs]
        return out

    def epoch_generations(self) -> list[Generation]:
        """The epochs as generations of this sample and runner (empty without epochs)."""
        names = set(_names(Generation)) - {"sample_id", "runner", "epochs"}
        return [
            Generation(
                sample_id=self.sample_id,
                runner=self.runner,
                text=str(e.get("text", "")),
                **{k: v for k, v in e.items() if k in names and k != "text"},
            )
            for e in self.epochs
        ]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Generation:
        names = _names(cls)
        kwargs = {k: v for k, v in data.items() if k in names}
        if "epochs" in kwargs:
            kwargs["epochs"] = tuple(dict(e) for e in kwargs["epochs"] or ())
        return cls(**kwargs)


@dataclass(frozen=True)
class Score:
    """All metric values of one runner on one sample.

    ``values`` maps ``<metric>.<key>`` (e.g. ``qa_de.f1``) to a number;
    ``details`` carries explanations (missed facts, invented numbers, ...).
    """

    sample_id: str
    runner: str
    values: Mapping[str, float]
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sample_id": self.sample_id,
            "runner": self.runner,
            "values": dict(self.values),
            "details": _plain(dict(self.details)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        return cls(
            sample_id=data["sample_id"],
            runner=data["runner"],
            values={k: float(v) for k, v in data["values"].items()},
            details=dict(data.get("details", {})),
        )


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its bootstrap confidence interval over ``n`` items."""

    value: float
    low: float
    high: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimate:
        return cls(
            value=float(data["value"]),
            low=float(data["low"]),
            high=float(data["high"]),
            n=int(data["n"]),
        )
