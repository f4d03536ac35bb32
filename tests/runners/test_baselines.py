"""Baselines and the scripted runner, and the generation cache."""

from __future__ import annotations

from pathlib import Path

from harness.gold.load import build_samples, load_gold
from harness.prompts import build_request
from harness.runners.base import create_runner
from harness.runners.cache import CachedRunner, GenerationCache
from harness.runners.scripted import Scripted
from harness.types import GenerationParams
from tests.conftest import GOLD


def _requests(task: str = "qa"):  # type: ignore[no-untyped-def]
    (doc,) = load_gold(GOLD)
    return [build_request(s, doc.article) for s in build_samples([doc], [task])]


def test_oracle_and_abstain() -> None:
    reqs = _requests()
    oracle = create_runner("oracle", "o", {})
    for r, g in zip(reqs, oracle.generate(reqs), strict=True):
        assert g.text == (r.sample.references[0] if r.sample.references else "")
    assert all(g.text == "" for g in create_runner("abstain", "a", {}).generate(reqs))


def test_lead_summary_lengths() -> None:
    reqs = {r.sample.input: r for r in _requests("summary") if r.sample.language == "de"}
    lead = create_runner("lead", "l", {})
    bullets = lead.generate([reqs["bullets"]])[0].text
    assert bullets.count("\n- ") == 4 and bullets.startswith("- ")
    headline = lead.generate([reqs["headline"]])[0].text
    assert headline.startswith("Kambodscha bekräftigt")


def test_retrieval_finds_the_sentence() -> None:
    reqs = {r.sample.id.split("/")[1]: r for r in _requests()}
    ret = create_runner("retrieval", "r", {})
    g = ret.generate([reqs["speaker-title"]])[0]
    assert "Botschafter Keo Chhea" in g.text
    g = ret.generate([reqs["pillar-count"]])[0]
    assert "vier Säulen" in g.text


def test_scripted_cuts_at_stop() -> None:
    r = _requests()[0]
    s = Scripted(name="s", outputs={r.sample_id: " Keo Chhea\nFrage: mehr"})
    g = s.generate([r])[0]
    assert g.text == "Keo Chhea" and g.raw.startswith(" Keo")


def test_cache_hits_and_invalidation(tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path / "c.sqlite")
    reqs = _requests()[:3]
    inner = Scripted(name="s", default="x")
    runner = CachedRunner(inner, cache)
    first = runner.generate(reqs)
    assert runner.misses == 3 and len(inner.seen) == 3
    again = runner.generate(reqs)
    assert runner.hits == 3 and len(inner.seen) == 3
    assert [g.text for g in again] == [g.text for g in first] and all(g.cached for g in again)
    # A changed parameter misses exactly the affected entries.
    changed = [
        reqs[0].__class__(**{**reqs[0].__dict__, "params": GenerationParams(max_new_tokens=5)})
    ]
    runner.generate(changed + reqs[1:])
    assert len(inner.seen) == 4
    # A changed runner (fingerprint) misses everything.
    other = CachedRunner(Scripted(name="s", default="y"), cache)
    assert [g.text for g in other.generate(reqs)] == ["y", "y", "y"]


def test_cache_never_stores_errors(tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path / "c.sqlite")
    r = _requests()[0]
    inner = Scripted(name="s", errors={r.sample_id: "boom"})
    runner = CachedRunner(inner, cache)
    runner.generate([r])
    runner.generate([r])
    assert len(inner.seen) == 2
