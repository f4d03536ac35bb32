"""The run's numbers from one streaming pass: the summary as before, in bounded memory."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from harness.config import RunConfig
from harness.pipeline import Context, generation_input, prepare, run
from harness.report.load import load_run
from harness.report.markdown import render_markdown
from harness.report.stream import render_markdown_from_tally
from harness.results import RunDir, RunFileError
from harness.stats import bootstrap_mean
from harness.tally import RunTally
from harness.types import Generation, Score
from tests.conftest import GOLD

RUNNERS = ["oracle", "abstain", "lead", "retrieval"]


def _config(tmp: Path) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": "tally",
            "gold": [str(GOLD)],
            "tasks": ["qa", "summary"],
            "runners": [{"name": r, "type": r} for r in RUNNERS],
            "metrics": {
                "qa": ["answer_equivalence", "qa_de", "squad_v2", "hallucination", "abstention"],
                "summary": ["faithful_coverage", "rouge", "chrf", "key_facts", "hallucination"],
            },
            "bootstrap": {"resamples": 200, "seed": 7},
            "cache": {"enabled": False},
            "output_dir": str(tmp / "results"),
        }
    )


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunConfig]:
    tmp = tmp_path_factory.mktemp("tally")
    cfg = _config(tmp)
    return run(cfg, tmp, run_id="base", use_cache=False), cfg


def _aggregate_as_before(
    ctx: Context, scores: list[Score], generations: list[Generation], cfg: RunConfig
) -> dict[str, Any]:
    """The summary's algorithm before the streaming tally: one bootstrap per key and subset."""
    boot = cfg.bootstrap
    by_id = ctx.by_id
    gens = {(g.runner, g.sample_id): g for g in generations}
    grouped: dict[tuple[str, str], list[Score]] = defaultdict(list)
    for s in scores:
        grouped[(s.runner, by_id[s.sample_id].task)].append(s)
    out: dict[str, Any] = {}
    for (runner, task), rows in sorted(grouped.items()):
        rows = sorted(rows, key=lambda s: s.sample_id)
        keys = sorted({k for r in rows for k in r.values})

        def estimates(subset: list[Score], keys: list[str] = keys) -> dict[str, Any]:
            return {
                k: bootstrap_mean(
                    [r.values[k] for r in subset if k in r.values],
                    boot.resamples,
                    boot.confidence,
                    boot.seed,
                ).to_dict()
                for k in keys
            }

        categories: dict[str, list[Score]] = defaultdict(list)
        subsets: dict[str, list[Score]] = defaultdict(list)
        for r in rows:
            sample = by_id[r.sample_id]
            categories[sample.category].append(r)
            if task == "qa":
                subsets["answerable" if sample.answerable else "unanswerable"].append(r)
        corpus: dict[str, float] = {}
        for metric in ctx.metrics.get(task, []):
            if not metric.corpus_level:
                continue
            prefix = metric.metric_name + "."
            scored = [r for r in rows if (runner, r.sample_id) in gens]
            items = [generation_input(ctx, gens[(runner, r.sample_id)]) for r in scored]
            per = [
                {k[len(prefix) :]: v for k, v in r.values.items() if k.startswith(prefix)}
                for r in scored
            ]
            for k, v in metric.aggregate(per, items).items():
                corpus[f"{metric.metric_name}.{k}"] = v
        mine = [gens[(runner, r.sample_id)] for r in rows if (runner, r.sample_id) in gens]
        out.setdefault(runner, {})[task] = {
            "n": len(rows),
            "errors": sum(1 for g in mine if g.error),
            "failed": sum(1 for g in mine if g.failed),
            "metrics": estimates(rows),
            "corpus": corpus,
            "categories": {c: estimates(v) for c, v in sorted(categories.items())},
            "subsets": {c: estimates(v) for c, v in sorted(subsets.items())},
        }
    return out


def test_the_summary_has_the_numbers_of_the_algorithm_before(
    baseline_run: tuple[Path, RunConfig],
) -> None:
    folder, cfg = baseline_run
    ctx = prepare(cfg, folder)
    rd = RunDir(folder)
    want = _aggregate_as_before(ctx, rd.scores(), rd.generations(), cfg)
    got = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["results"]
    # The same seeded bootstrap numbers, float for float, and the same layout.
    assert json.dumps(got, sort_keys=False) == json.dumps(want, sort_keys=False)
    assert got["abstain"]["qa"]["subsets"]["unanswerable"]["qa_de.exact"]["value"] == 100.0
    assert got["lead"]["summary"]["corpus"]  # chrF and the like, from generations read back


def test_the_tally_keeps_numbers_and_offsets_not_texts(
    baseline_run: tuple[Path, RunConfig],
) -> None:
    folder, cfg = baseline_run
    ctx = prepare(cfg, folder)
    tally = RunTally.read(folder, RUNNERS, ctx.samples)
    assert not tally._gens and not tally._scores  # nothing per pair but arrays ...
    assert all(set(d) <= {"key_facts", "hallucination"} for d in tally.details.values())
    full = {(s.runner, s.sample_id): s for s in RunDir(folder).scores()}
    for (r, s), score in [((0, 0), None), ((2, 5), None), ((3, len(ctx.samples) - 1), None)]:
        score = full[(RUNNERS[r], ctx.samples[s].id)]
        assert tally.row_values(r, s) == score.values  # ... and every value, exactly
        assert tally.score(r, s) == score  # a line read back, details and all
        g = tally.generation(r, s)
        assert g is not None and g.sample_id == ctx.samples[s].id
    tally.close()


def test_report_md_from_the_listed_pairs_equals_the_one_from_all(
    baseline_run: tuple[Path, RunConfig],
) -> None:
    folder, cfg = baseline_run
    data = load_run(folder)
    ctx = prepare(cfg, folder)
    tally = RunTally.read(folder, RUNNERS, ctx.samples)
    every = render_markdown(
        folder, ctx, list(data.scores.values()), list(data.generations.values()),
        data.summary, data.manifest, worst=5,
    )
    listed = render_markdown_from_tally(folder, ctx, tally, data.summary, data.manifest, 5)
    assert listed == every == (folder / "report.md").read_text(encoding="utf-8")
    # only the pairs the report lists were turned into scores
    keep = tally.report_scores(5, {"qa": "answer_equivalence.score",
                                   "summary": "faithful_coverage.score"})
    assert len(keep) < len(data.scores)
    tally.close()


def test_a_later_line_replaces_a_pair_and_a_damaged_line_is_named(tmp_path: Path) -> None:
    from harness.gold.load import build_samples, load_gold

    samples = build_samples(load_gold(GOLD), ("qa",))[:2]
    folder = tmp_path / "run"
    folder.mkdir()
    lines = [
        Score(samples[0].id, "m", {"a.x": 1.0, "a.y": 2.0}).to_dict(),
        Score(samples[1].id, "m", {"a.x": 3.0}).to_dict(),
        Score(samples[0].id, "m", {"a.x": 5.0}, {"key_facts": {"found": []}}).to_dict(),
        Score(samples[0].id, "other", {"a.x": 9.0}).to_dict(),  # not a runner of the run
    ]
    path = folder / "scores.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"torn', encoding="utf-8")
    tally = RunTally.read(folder, ["m"], samples)
    assert tally.row_values(0, 0) == {"a.x": 5.0}  # a.y of the first line is gone
    assert tally.row_values(0, 1) == {"a.x": 3.0}
    assert tally.details == {(0, 0): {"key_facts": {"found": []}}}
    assert tally.score_order() == [(0, 0), (0, 1)]  # the order pairs first appeared
    path.write_text(json.dumps(lines[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(RunFileError, match=r"scores\.jsonl:2: invalid JSON"):
        RunTally.read(folder, ["m"], samples)
    bad = {**lines[1], "values": {"a.x": "high"}}
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(RunFileError, match=r"scores\.jsonl:1: values\.a\.x: expected a finite"):
        RunTally.read(folder, ["m"], samples)
