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

from harness.runners.base import RUNNERS, postprocess, stable_hash
from harness.types import Generation, Request


@RUNNERS.register("scripted")
class Scripted:
    """Answers ``outputs[sample_id]`` (or ``default``); ``errors`` maps ids to error messages.

    Outputs are raw model text: they are cut at the request's stop sequences
    and trimmed like any model's.
    """

    def __init__(
        self,
        name: str,
        outputs: Mapping[str, str] | None = None,
        default: str = "",
        errors: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.outputs = dict(outputs or {})
        self.default = default
        self.errors = dict(errors or {})
        self.seen: list[Request] = []

    def fingerprint(self) -> str:
        return stable_hash("scripted", self.outputs, self.default, self.errors)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        out = []
        for r in requests:
            self.seen.append(r)
            if r.sample_id in self.errors:
                out.append(Generation(r.sample_id, self.name, "", error=self.errors[r.sample_id]))
                continue
            raw = self.outputs.get(r.sample_id, self.default)
            out.append(Generation(r.sample_id, self.name, postprocess(raw, r.params.stop), raw=raw))
        return out
