"""Prompts: pure functions from a sample (and its document) to a request.

Example:
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q1", doc_id="d", task="qa", language="de",
    ...            input="Wer sprach?", references=("Keo Chhea",))
    >>> r = build_request(s, article="Keo Chhea sprach.")
    >>> print(r.prompt)
    Frage: Wer sprach?
    Antwort:
    >>> r.params.stop
    ('\\n',)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from harness.prompts.templates import (
    ABSTAIN_DE,
    ABSTAIN_EN,
    Template,
    qa_template,
    summary_template,
)
from harness.types import GenerationParams, Request, Sample


def template_for(sample: Sample) -> Template:
    if sample.task == "qa":
        return qa_template(sample.language)
    return summary_template(sample.language, sample.input)


def template_hash(t: Template) -> str:
    blob = "\x1f".join([t.name, str(t.version), t.instruction, t.item, t.cue, t.answer_prefix,
                         *t.stop])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _item_text(t: Template, sample: Sample) -> str:
    return t.item.format(question=sample.input) if sample.task == "qa" else t.item


def build_request(
    sample: Sample,
    article: str,
    params: GenerationParams | None = None,
    few_shot: Sequence[Sample] = (),
    system: str = "",
) -> Request:
    """Render the request for ``sample``.

    ``few_shot`` examples (other gold items, never the one under test) are
    placed between the article and the question with their first reference
    as the answer. ``params`` overrides the template's stop sequences and
    token budget when given.
    """
    if any(ex.id == sample.id for ex in few_shot):
        raise ValueError(f"few-shot examples must not include the item under test {sample.id}")
    t = template_for(sample)
    context = t.instruction.format(article=article.strip())
    shots = ""
    for ex in few_shot:
        answer = (
            ex.references[0]
            if ex.references
            else (ABSTAIN_DE if ex.language == "de" else ABSTAIN_EN)
        )
        shots += f"{_item_text(t, ex)}{t.cue} {answer}\n\n"
    prompt = shots + _item_text(t, sample) + t.cue
    if params is None:
        params = GenerationParams(max_new_tokens=t.max_new_tokens, stop=t.stop)
    elif not params.stop:
        params = replace(params, stop=t.stop)
    messages: list[dict[str, str]] = []
    if system:
        messages.append({"role": "system", "content": system})
    # Chat models get the instruction and the item without the completion cue.
    messages.append({"role": "user", "content": (context + shots + _item_text(t, sample)).strip()})
    return Request(
        sample=sample,
        context=context,
        prompt=prompt,
        params=params,
        messages=tuple(messages),
        template=t.name,
        template_hash=template_hash(t),
        # A chat model gets no cue, so its answer starts afresh.
        answer_prefix=t.answer_prefix,
    )


def few_shot_pool(samples: Sequence[Sample], sample: Sample, k: int) -> list[Sample]:
    """The first ``k`` answerable items of the same document, task and language but ``sample``."""
    pool = [
        s
        for s in samples
        if s.id != sample.id
        and s.doc_id == sample.doc_id
        and s.task == sample.task
        and s.language == sample.language
        and s.answerable
    ]
    return pool[:k]


__all__ = [
    "Template",
    "build_request",
    "complete_answer",
    "few_shot_pool",
    "template_for",
    "template_hash",
]


def complete_answer(text: str, request: Request) -> str:
    """Put back what the prompt's cue started of the answer (the first bullet's ``-``).

    >>> from harness.types import Sample
    >>> s = Sample(id="d/summary-bullets", doc_id="d", task="summary", language="de",
    ...            input="bullets", references=("- a",))
    >>> r = build_request(s, article="...")
    >>> complete_answer("Menschenhandel\\n- Zwangsarbeit", r)
    '- Menschenhandel\\n- Zwangsarbeit'
    >>> complete_answer("- Menschenhandel", r)
    '- Menschenhandel'
    """
    prefix = request.answer_prefix
    if not prefix or not text or text.startswith(prefix.strip()):
        return text
    return prefix + text
