"""Resource bombs (issue 12, class 13): bounded work, or a limit with a clear error.

Each row is an input that took minutes, hours or gigabytes before: a 1 MB single-token
output (161 s in the name check), outputs dense with dates, numbers or names (quadratic
resolution), a summary of one word repeated (cubic window search in the key-fact
matcher), a retrieval summary of a long article (quadratic centrality). Each must now
finish well inside a generous budget (the fixed code takes a few seconds at most; the
old code minutes to hours at these sizes), with the same results where it is scored.
Config bombs (YAML aliases, deep nesting) and over-long articles are rows of the
broken-input table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness.config import RunConfig
from harness.gold.load import build_samples, load_gold
from harness.pipeline import DEFAULT_METRICS, prepare, score_generation
from harness.prompts import build_request
from harness.runners.base import MAX_SCORED_CHARS, finalize
from harness.runners.baselines import BM25, Retrieval, _sentences
from harness.text.dates import find_dates
from harness.text.quantities import find_quantities
from harness.text.tokenize import tokens
from harness.types import Generation
from tests.conftest import GOLD

BUDGET = 30.0  # seconds; generous for a loaded 2-core machine


def dense(unit: Callable[[int], str], chars: int) -> str:
    out, n, size = [], 0, 0
    while size < chars:
        piece = unit(n)
        out.append(piece)
        size += len(piece) + 1
        n += 1
    return " ".join(out)


def dates(i: int) -> str:
    return f"am {i % 28 + 1}. März {1900 + i % 100}"


def numbers(i: int) -> str:
    return f"{i} Millionen Euro"


def names(i: int) -> str:
    return f"Herr Abc{i} Xyz"


MB = 1_000_000
OUTPUTS = {
    "one-token-1MB": "A" + "b" * MB,
    "dates-1MB": dense(dates, MB),
    "numbers-1MB": dense(numbers, MB),
    "names-1MB": dense(names, MB),
    "one-word-repeated-19k": " ".join(["Botschafter"] * 1600),
    "dates-19k": dense(dates, 19_000),
    "numbers-19k": dense(numbers, 19_000),
}


@pytest.fixture(scope="module")
def ctx():  # type: ignore[no-untyped-def]
    cfg = RunConfig.model_validate(
        {"gold": [str(GOLD)], "runners": [{"name": "x", "type": "oracle"}],
         "metrics": DEFAULT_METRICS.model_dump()}  # fmt: skip
    )
    return prepare(cfg, GOLD)


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_scoring_a_hostile_output_is_bounded(name: str, ctx) -> None:  # type: ignore[no-untyped-def]
    text = OUTPUTS[name]
    for task in ("qa", "summary"):
        sample = next(s for s in ctx.samples if s.task == task)
        g = finalize(Generation(sample.id, "x", text, raw=text), None, cut_at_stops=False)
        t0 = time.perf_counter()
        score = score_generation(ctx, g)
        assert time.perf_counter() - t0 < BUDGET, (name, task)
        if len(text) > MAX_SCORED_CHARS:  # a failure, never a success
            assert g.failure and "longer than the 20,000 that are scored" in g.failure
            assert "longer than" in score.details["error"]
            assert all(v == 0 for k, v in score.values.items() if "score" in k or "f1" in k)
        else:
            assert g.failure is None and "error" not in score.details


@dataclass(frozen=True)
class TextBomb:
    id: str
    run: Callable[[], object]


TEXT_BOMBS = [
    TextBomb("find-dates-1MB", lambda: find_dates(OUTPUTS["dates-1MB"])),
    TextBomb("find-quantities-1MB", lambda: find_quantities(OUTPUTS["numbers-1MB"])),
]


@pytest.mark.parametrize("bomb", TEXT_BOMBS, ids=[b.id for b in TEXT_BOMBS])
def test_text_functions_are_near_linear(bomb: TextBomb) -> None:
    t0 = time.perf_counter()
    bomb.run()
    assert time.perf_counter() - t0 < BUDGET


def test_retrieval_summary_of_a_long_article_is_linear() -> None:
    doc = load_gold(GOLD)[0]
    article = doc.article
    while len(article) < 950_000:
        article += "\n" + doc.article  # near the 1,000,000-character limit
    summary = next(s for s in build_samples([doc]) if s.task == "summary")
    t0 = time.perf_counter()
    Retrieval(name="r").generate([build_request(summary, article)])
    assert time.perf_counter() - t0 < BUDGET


def test_linear_centrality_equals_the_pairwise_sums() -> None:
    sents = _sentences(load_gold(GOLD)[0].article, "de")
    index = BM25(sents, "de")
    fast = index.centrality([len(tokens(s)) for s in sents])
    for i, s in enumerate(sents):
        sc = index.scores(s)
        slow = sum(v for j, v in enumerate(sc) if j != i) / max(len(tokens(s)), 1)
        assert fast[i] == pytest.approx(slow, rel=1e-12, abs=1e-12)
