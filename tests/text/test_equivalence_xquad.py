"""Answer equivalence beyond the first article: German XQuAD (another domain, imported gold).

Imported gold says "factoid" for everything and has no English variants, so this checks
the rules that read the answers themselves: a gold span always states itself, the article
sentence that holds it states it, and another question's answer never does.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

from harness.text.equivalence import judge_answer
from tests.conftest import ROOT

XQUAD = ROOT.parent / "shared" / "data" / "xquad" / "xquad.de.json"
pytestmark = pytest.mark.skipif(
    not XQUAD.is_file(), reason="the shared XQuAD files are not beside this checkout"
)


def _items(n: int = 300) -> list[tuple[str, str, list[str]]]:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    items = [
        (p["context"], q["question"], [a["text"] for a in q["answers"]])
        for art in data["data"]
        for p in art["paragraphs"]
        for q in p["qas"]
    ]
    random.Random(0).shuffle(items)
    return items[:n]


def test_gold_spans_sentences_and_other_answers() -> None:
    items = _items()
    counts: Counter[str] = Counter()
    for ctx, question, golds in items:
        counts["self:" + judge_answer(golds[0], golds, question=question, source=ctx).verdict] += 1
        sentence = next((s for s in re.split(r"(?<=[.!?])\s+", ctx) if golds[0] in s), None)
        if sentence:
            j = judge_answer(sentence, golds, question=question, source=ctx)
            counts["sentence:" + j.verdict] += 1
        other = next(
            (gs[0] for c, _, gs in items if c == ctx and gs[0].casefold() != golds[0].casefold()),
            None,
        )
        if (
            other
            and other.casefold() not in golds[0].casefold()
            and golds[0].casefold() not in other.casefold()
        ):
            counts[
                "other:" + judge_answer(other, golds, question=question, source=ctx).verdict
            ] += 1
    selves = sum(v for k, v in counts.items() if k.startswith("self:"))
    sentences = sum(v for k, v in counts.items() if k.startswith("sentence:"))
    assert counts["self:correct"] == selves  # measured: 300 of 300
    assert counts["sentence:correct"] >= 0.9 * sentences  # measured: 94.6%
    assert counts["other:correct"] == 0  # never credits another question's answer
