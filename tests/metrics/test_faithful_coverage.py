"""faithful_coverage: the formula, its options, and summaries ranked as a careful reader does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import metrics
from harness.metrics.base import ScoringInput
from harness.metrics.faithful_coverage import FaithfulCoverage, report_lines
from harness.types import Sample
from tests.conftest import DOC_ID, GOLD

FOLDER = GOLD / DOC_ID
ARTICLE = (FOLDER / "article.txt").read_text(encoding="utf-8")
FACTS: list[dict[str, Any]] = [
    json.loads(x) for x in (FOLDER / "facts.jsonl").read_text(encoding="utf-8").splitlines() if x
]
SUMMARIES: list[dict[str, Any]] = [
    json.loads(x)
    for x in (FOLDER / "summaries.jsonl").read_text(encoding="utf-8").splitlines()
    if x
]
REFERENCES = [s["text"] for s in SUMMARIES if s["length"] == "abstract" and s["language"] == "de"]
TOTAL_WEIGHT = sum(f["weight"] for f in FACTS)
M = FaithfulCoverage()


def sample(language: str = "de") -> Sample:
    return Sample(
        id=f"{DOC_ID}/summary-abstract", doc_id=DOC_ID, task="summary", language=language,
        input="abstract", references=tuple(REFERENCES),
    )  # fmt: skip


def item(text: str, language: str = "de", facts: Any = None) -> ScoringInput:
    return ScoringInput(
        text,
        REFERENCES,
        sample=sample(language),
        source=ARTICLE,
        facts=FACTS if facts is None else facts,
    )


# --- the example: six German abstracts, hand-written ------------------------------
# Three a careful reader rates 5/5 that word things differently from the references, and three
# bad ones written close to the references' wording: an invented session date, the four pillars
# left out, the wrong speaker. Written for this test, not taken from any judged set.

GOOD = [
    "Auf einer UN-Konferenz in New York am 24. und 25. November hat Kambodscha seinen Einsatz "
    "gegen Menschenhandel bekräftigt. Botschafter Keo Chhea, Kambodschas Ständiger Vertreter bei "
    "der UNO, stellte den nationalen Strategieplan 2024–2028 vor, der seit August 2024 gilt und "
    "auf vier Pfeilern ruht: Täter konsequenter verfolgen, Opfer besser schützen, Behörden und "
    "Sektoren enger abstimmen und dauerhafte Lösungen schaffen. Zudem warnte er vor dem "
    "Missbrauch von KI und sozialen Medien durch Kriminelle.",
    "Kambodschas UN-Botschafter Keo Chhea hat bei einem hochrangigen Treffen der Vereinten "
    "Nationen in New York (24.–25. November) den Kampf gegen Menschenhandel als oberste Priorität "
    "bezeichnet. Kern ist der im August 2024 gestartete Strategieplan für 2024 bis 2028 mit vier "
    "Schwerpunkten: strengere Strafverfolgung, besserer Schutz der Opfer, mehr Koordination über "
    "Behörden hinweg und nachhaltige Lösungen. Chhea forderte mehr Datenaustausch, eine engere "
    "Kooperation mit Tech-Konzernen und strengere Regeln gegen Online-Kriminalität.",
    "In New York hat Kambodscha vor den Vereinten Nationen bekräftigt, den Menschenhandel weiter "
    "entschlossen zu bekämpfen. Auf der Sitzung vom 24. bis 25. November erläuterte der Ständige "
    "Vertreter des Landes, Botschafter Keo Chhea, den im August 2024 eingeführten nationalen "
    "Strategieplan für die Jahre 2024 bis 2028. Er ruht auf vier Bereichen: Strafverfolgung "
    "stärken, Opferschutz verbessern, sektorübergreifende Zusammenarbeit fördern, langfristige "
    "Lösungen entwickeln. Kambodscha warnte zudem vor Kriminellen, die künstliche Intelligenz und "
    "soziale Netzwerke missbrauchen.",
]
BAD = [
    # an invented session date
    "Kambodscha hat auf einer hochrangigen UN-Sitzung in New York am 17. und 18. November sein "
    "Engagement gegen Menschenhandel bekräftigt. Botschafter Keo Chhea, Ständiger Vertreter bei "
    "den Vereinten Nationen, nannte die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller "
    "Ausbeutung oberste Priorität. Zentral für Kambodscha ist der im August 2024 eingeführte "
    "Nationale Strategieplan 2024–2028 mit vier Säulen: Strafverfolgung, Opferschutz, "
    "Koordination und nachhaltige Lösungen.",
    # the four pillars left out
    "Kambodscha hat auf einer hochrangigen UN-Sitzung in New York (24.–25. November) sein "
    "Engagement gegen Menschenhandel bekräftigt. Botschafter Keo Chhea, Ständiger Vertreter bei "
    "den Vereinten Nationen, nannte die Bekämpfung von Menschenhandel, Zwangsarbeit und sexueller "
    "Ausbeutung oberste Priorität. Die Sitzung bewertete den Globalen UN-Aktionsplan, der sein "
    "15-jähriges Bestehen feiert. Zentral für Kambodscha ist der im August 2024 eingeführte "
    "Nationale Strategieplan 2024–2028.",
    # the wrong speaker
    "Kambodscha hat auf einer hochrangigen UN-Sitzung in New York (24.–25. November) sein "
    "Engagement gegen Menschenhandel bekräftigt. Botschafter Men Kiri, Ständiger Vertreter "
    "Kambodschas bei den Vereinten Nationen, nannte die Bekämpfung von Menschenhandel, "
    "Zwangsarbeit und sexueller Ausbeutung oberste Priorität. Zentral ist der im August 2024 "
    "eingeführte Nationale Strategieplan 2024–2028 mit vier Säulen: Strafverfolgung, "
    "Opferschutz, Koordination und nachhaltige Lösungen.",
]


def value(metric: str, key: str, text: str) -> float:
    return float(metrics.create(metric).score_one(item(text)).values[key])


def pairs_right(metric: str, key: str) -> int:
    """Of the 9 (good, bad) pairs, how many the metric orders good above bad."""
    good = [value(metric, key, t) for t in GOOD]
    bad = [value(metric, key, t) for t in BAD]
    return sum(g > b for g in good for b in bad)


def test_the_headline_score_ranks_every_good_abstract_above_every_bad_one() -> None:
    good = [M.score_one(item(t)).values["score"] for t in GOOD]
    bad = [M.score_one(item(t)).values["score"] for t in BAD]
    assert min(good) > max(bad), (good, bad)


def test_the_lexical_scores_rank_them_the_other_way() -> None:
    # Measured: ROUGE-L and chrF put all three bad abstracts above all three good ones, and
    # key-fact recall alone gets 8 of 9 pairs (the wrong date and the wrong speaker still find
    # most facts; "Strategieplan 2024 bis 2028" states the national plan since the gold says so).
    assert pairs_right("rouge", "rougeL") == 0
    assert pairs_right("chrf", "chrf") == 0
    assert pairs_right("key_facts", "recall") < 9
    assert pairs_right("faithful_coverage", "score") == 9


def test_each_bad_abstract_is_held_to_its_fault() -> None:
    wrong_date, no_pillars, wrong_speaker = (M.score_one(item(t)) for t in BAD)
    assert [(c["id"], c["text"]) for c in wrong_date.details["contradicted"]] == [
        ("session-dates", "17. und 18. November")
    ]
    assert [u["text"] for u in wrong_date.details["unsupported"]] == ["17. und 18. November"]
    missed = {f["id"] for f in no_pillars.details["missed"]}
    assert {"four-pillars", "pillar-1", "pillar-2", "pillar-3", "pillar-4"} <= missed
    assert no_pillars.details["contradicted"] == []
    assert [(c["id"], c["text"]) for c in wrong_speaker.details["contradicted"]] == [
        ("speaker", "Men Kiri"),
        ("speaker-role", "Men Kiri"),
    ]


def test_the_good_abstracts_are_faithful() -> None:
    for text in GOOD:
        r = M.score_one(item(text))
        assert r.details["contradicted"] == [], text
        assert r.details["unsupported"] == [], text
        assert r.values["unsupported_names"] == 0.0, text
        found = {f["id"] for f in r.details["found"]}
        assert {"speaker", "venue", "session-dates", "plan-period", "four-pillars"} <= found


# --- the formula --------------------------------------------------------------------------


def test_formula_by_hand() -> None:
    text = (
        "Botschafter Keo Chhea stellte in New York den Nationalen Strategieplan 2024–2028 vor, "
        "der im August 2024 eingeführt wurde und auf vier Säulen ruht: Strafverfolgung, "
        "Opferschutz, Koordination und nachhaltige Lösungen. "
        "Die Sitzung fand am 17. und 18. November statt, vor 12 Staaten."
    )
    r = M.score_one(item(text))
    found = sum(f["weight"] for f in r.details["found"])
    contradicted = sum(f["weight"] for f in r.details["contradicted"])
    assert contradicted == 2.0
    assert [u["text"] for u in r.details["unsupported"]] == ["17. und 18. November", "12"]
    expected = found / TOTAL_WEIGHT - contradicted / TOTAL_WEIGHT - 0.1 * 2
    assert expected > 0
    assert r.values["score"] == pytest.approx(expected)
    assert r.values["coverage"] == pytest.approx(found / TOTAL_WEIGHT)
    assert r.values["contradicted"] == pytest.approx(contradicted / TOTAL_WEIGHT)
    assert r.values["unsupported"] == 2.0
    assert r.details["penalty"] == {
        "contradicted": pytest.approx(contradicted / TOTAL_WEIGHT),
        "unsupported": pytest.approx(0.2),
        "names": 0.0,
    }


def test_options_change_the_weights() -> None:
    text = (
        "Botschafter Keo Chhea sprach am 17. und 18. November in New York über UNICEF und den "
        "Nationalen Strategieplan 2024–2028 mit vier Säulen: Strafverfolgung, Opferschutz, "
        "Koordination und nachhaltige Lösungen."
    )
    default = M.score_one(item(text)).values
    assert default["score"] > 0
    assert default["unsupported_names"] == 1.0  # UNICEF
    lenient = FaithfulCoverage(contradiction_weight=0, unsupported_penalty=0, name_penalty=0)
    assert lenient.score_one(item(text)).values["score"] == pytest.approx(default["coverage"])
    no_names = FaithfulCoverage(names=False).score_one(item(text)).values
    assert "unsupported_names" not in no_names
    assert no_names["score"] == pytest.approx(default["score"] + 0.05)
    assert FaithfulCoverage(known_names=["UNICEF"]).score_one(item(text)).values[
        "unsupported_names"
    ] == (0.0)
    with pytest.raises(ValueError, match="unsupported_penalty must be >= 0"):
        FaithfulCoverage(unsupported_penalty=-0.1)


def test_scale_is_clipped_to_0_1() -> None:
    many_wrong = "Am 1. Mai, 2. Mai, 3. Mai, 4. Mai und 5. Mai 2030 tagten 17 Staaten."
    r = M.score_one(item(many_wrong))
    assert r.values["score"] == 0.0
    assert M.score_one(item("")).values["score"] == 0.0


@pytest.mark.parametrize("summary", SUMMARIES, ids=[s["id"] for s in SUMMARIES])
def test_references_lose_nothing_to_penalties(summary: dict[str, Any]) -> None:
    r = M.score_one(item(summary["text"], summary["language"]))
    assert r.values["score"] == pytest.approx(r.values["coverage"])
    if summary["length"] != "headline":
        assert r.values["score"] >= 0.5


def test_no_facts_no_value_and_an_empty_source_is_an_error() -> None:
    r = M.score_one(item("Irgendein Text.", facts=[]))
    assert r.values == {}
    with pytest.raises(ValueError, match="source document is empty"):
        M.score_one(ScoringInput("Text", [], facts=FACTS))


def test_report_lines_show_contradictions_next_to_misses() -> None:
    r = M.score_one(item(BAD[0]))
    lines = report_lines(r.details)
    assert lines[0] == "contradicted: Datum 24.–25. November — '17. und 18. November'"
    assert lines[1].startswith("missed: ")
    assert lines[-1] == "unsupported date: '17. und 18. November'"


def test_registered_first_in_the_default_config_and_declared() -> None:
    from harness.config import load_config
    from tests.conftest import ROOT

    m = metrics.create("faithful_coverage")
    assert isinstance(m, FaithfulCoverage)
    assert m.tasks == ("summary",)
    assert m.is_higher_better("score") and m.is_higher_better("coverage")
    assert not m.is_higher_better("contradicted") and not m.is_higher_better("unsupported")
    assert m.signature().startswith("faithful_coverage|v1|c=1,u=0.1,n=0.05|key_facts|")
    assert "faithful_coverage" in metrics.names()
    for name in ("default.yaml", "ci.yaml"):
        config, _ = load_config(ROOT / "configs" / name)
        first = config.metrics.summary[0]
        assert (first if isinstance(first, str) else first.name) == "faithful_coverage", name
