"""A scripted runner: answers from a table, records every request. For tests and demos.

Example:
    >>> from harness.prompts import build_request
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de", input="Wer?", references=())
    >>> runner = Scripted(name="s", outputs={"d/q": "Keo Chhea"})
    >>> runner.generate([build_request(s, article="...")])[0].text
    'Keo Chhea'
    >>> len(runner.seen)
    1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.runners.base import RUNNERS, process_output, stable_hash
from harness.types import Generation, Request


@RUNNERS.register("scripted")
class Scripted:
    """Answers ``outputs[sample_id]`` (or ``default``); ``errors`` maps ids to error messages.

    Outputs are raw model text: a prompt echo and ``<think>`` blocks are
    removed and they are cut at the request's stop sequences and trimmed like
    any model's. ``finish_reasons`` maps ids to the ``finish_reason`` to record
    (``length``, ``content_filter``, ...).
    """

    def __init__(
        self,
        name: str,
        outputs: Mapping[str, str] | None = None,
        default: str = "",
        errors: Mapping[str, str] | None = None,
        finish_reasons: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.outputs = dict(outputs or {})
        self.default = default
        self.errors = dict(errors or {})
        self.finish_reasons = dict(finish_reasons or {})
        self.seen: list[Request] = []

    def fingerprint(self) -> str:
        parts: list[object] = ["scripted", self.outputs, self.default, self.errors]
        if self.finish_reasons:
            parts.append(self.finish_reasons)
        return stable_hash(*parts)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        out = []
        for r in requests:
            self.seen.append(r)
            if r.sample_id in self.errors:
                out.append(Generation(r.sample_id, self.name, "", error=self.errors[r.sample_id]))
                continue
            raw = self.outputs.get(r.sample_id, self.default)
            text = process_output(raw, r).text
            finish = self.finish_reasons.get(r.sample_id)
            out.append(Generation(r.sample_id, self.name, text, raw=raw, finish_reason=finish))
        return out
