"""key_facts: weighted recall of the gold facts, known misses, hand-built and real summaries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import metrics
from harness.metrics.base import ScoringInput
from harness.metrics.key_facts import KeyFacts, report_lines
from harness.types import Sample
from tests.conftest import DOC_ID, GOLD

FACTS: list[dict[str, Any]] = [
    json.loads(line)
    for line in (GOLD / DOC_ID / "facts.jsonl").read_text(encoding="utf-8").splitlines()
]
TOTAL_WEIGHT = sum(f["weight"] for f in FACTS)  # 51
M = KeyFacts()


def summary_sample(language: str = "de") -> Sample:
    suffix = "" if language == "de" else f"@{language}"
    return Sample(
        id=f"{DOC_ID}/summary-abstract{suffix}",
        doc_id=DOC_ID,
        task="summary",
        language=language,
        input="abstract",
        references=(),
        category="abstract",
        answer_type="summary",
    )


ARTICLE = (GOLD / DOC_ID / "article.txt").read_text(encoding="utf-8")


def score(text: str, language: str = "de", facts: Any = None, source: str = "") -> Any:
    item = ScoringInput(
        prediction=text,
        references=[],
        sample=summary_sample(language),
        source=source,
        facts=FACTS if facts is None else facts,
    )
    return M.score_one(item)


def test_hand_built_summary_with_known_misses_and_contradictions() -> None:
    r = score("Am 26. November 2025 sprach Botschafter Keo Chhea über fünf Säulen.")
    assert [f["id"] for f in r.details["found"]] == ["speaker"]
    assert r.details["found"][0]["span"] == [40, 49]
    assert r.details["found"][0]["text"] == "Keo Chhea"
    assert r.details["contradicted"] == [
        {"id": "session-dates", "label": "Datum 24.–25. November", "weight": 2.0,
         "span": [3, 20], "text": "26. November 2025", "reason": "value"},
        {"id": "four-pillars", "label": "Vier Säulen", "weight": 3.0,
         "span": [55, 59], "text": "fünf", "reason": "value"},
    ]  # fmt: skip
    missed = {f["id"] for f in r.details["missed"]}
    assert "pillar-3" in missed
    assert len(missed) == 25
    assert r.values == {
        "found": 1.0,
        "contradicted": 2.0,
        "total": 28.0,
        "recall": pytest.approx(3 / TOTAL_WEIGHT),
        "recall_unweighted": pytest.approx(1 / 28),
        "net_recall": 0.0,  # 3 found - 5 contradicted, clipped at 0
    }
    lines = report_lines(r.details, max_missed=30)
    assert lines[0] == (
        "contradicted: Vier Säulen — 'fünf'; Datum 24.–25. November — '26. November 2025'"
    )
    assert "Säule 3 (Koordination)" in lines[1]


def test_hand_built_summary_finds_exactly_its_facts() -> None:
    text = (
        "Botschafter Keo Chhea stellte in New York den Nationalen Strategieplan 2024–2028 vor, "
        "der im August 2024 eingeführt wurde. Er ruht auf vier Säulen: Strafverfolgung, "
        "Opferschutz, Koordination und nachhaltige Lösungen."
    )
    r = score(text)
    found = {f["id"] for f in r.details["found"]}
    assert found == {
        "speaker",  # 3
        "venue",  # 2
        "national-plan",  # 3
        "plan-period",  # 2
        "plan-launch",  # 2
        "four-pillars",  # 3
        "pillar-1",  # 2
        "pillar-2",  # 2
        "pillar-3",  # 2
        "pillar-4",  # 2
    }
    assert r.values["recall"] == pytest.approx(23 / TOTAL_WEIGHT)
    assert r.values["recall_unweighted"] == pytest.approx(10 / 28)
    for f in r.details["found"]:
        s, e = f["span"]
        assert text[s:e] == f["text"]


def test_english_summary_uses_english_aliases_and_stemmer() -> None:
    text = (
        "Ambassador Keo Chhea told a UN meeting in New York on 24-25 November that Cambodia's "
        "plan rests on four pillars, including strengthening law enforcement."
    )
    found = {f["id"] for f in score(text, "en").details["found"]}
    expected = {"speaker", "un-session", "venue", "session-dates", "four-pillars", "pillar-1"}
    # "law enforcement capacities" (digital-capacities) needs all three words
    # (min_overlap 1.0 in the gold), so "law enforcement" alone is not that fact.
    assert found == expected


def test_bad_and_empty_summaries_find_nothing() -> None:
    for text in ("Das Wetter in Berlin war schön.", ""):
        r = score(text)
        assert r.values["recall"] == 0.0
        assert r.values["found"] == 0.0
        assert r.values["contradicted"] == 0.0
        assert len(r.details["missed"]) == 28


def test_weights_are_respected() -> None:
    facts = [
        {"id": "a", "label": "A", "weight": 3, "matcher": {"type": "person", "names": ["Keo"]}},
        {"id": "b", "label": "B", "weight": 1, "matcher": {"type": "number", "value": 7}},
    ]
    r = score("Keo kam.", facts=facts)
    assert r.values["recall"] == 0.75
    assert r.values["recall_unweighted"] == 0.5
    assert report_lines(r.details) == ["missed: B"]


def test_no_facts_means_no_recall_rather_than_zero() -> None:
    r = score("Irgendein Text.", facts=[])
    assert r.values == {"found": 0.0, "contradicted": 0.0, "total": 0.0}
    assert "recall" not in r.values
    assert "net_recall" not in r.values


def test_malformed_fact_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="fact 'x': matcher"):
        score("Text", facts=[{"id": "x", "label": "X", "weight": 1}])


def test_report_lines_heaviest_first_and_truncated() -> None:
    r = score("Das Wetter in Berlin war schön.")
    (line,) = report_lines(r.details, max_missed=3)
    assert line == "missed: Redner Keo Chhea, Bekräftigtes Engagement gegen Menschenhandel, " + (
        "Hochrangige UN-Sitzung (+25 more)"
    )
    assert report_lines({"found": [{"id": "a"}], "missed": []}) == []


def test_registered_and_declared() -> None:
    m = metrics.create("key_facts")
    assert isinstance(m, KeyFacts)
    assert m.tasks == ("summary",)
    assert m.is_higher_better("recall")
    assert m.is_higher_better("net_recall")
    assert not m.is_higher_better("contradicted")
    assert m.signature().startswith(
        "key_facts|matchers-v3|weighted|contradictions|de:snowball-german"
    )
    assert "+hanta-" in m.signature()


# --- contradictions against the real article ------------------------------------------


def test_the_article_grounds_contradictions() -> None:
    # The publication date (28 November 2025) is in the article: another fact, no contradiction.
    r = score("Die Khmer Times berichtete am 28. November 2025.", source=ARTICLE)
    assert r.values["contradicted"] == 0.0
    # "fünf Jahre" is the plan's length (2024-2028): no contradiction of the 15 years
    r = score("Der Plan läuft fünf Jahre lang.", source=ARTICLE)
    assert r.values["contradicted"] == 0.0
    # the session's days with a year the article does not give them
    r = score("Die UN-Sitzung fand am 24. und 25. November 2024 statt.", source=ARTICLE)
    assert [(c["id"], c["text"], c["reason"]) for c in r.details["contradicted"]] == [
        ("session-dates", "24. und 25. November 2024", "unsupported")
    ]


def test_one_wrong_date_contradicts_one_fact() -> None:
    # "5. August 2024" states the plan's launch month with an invented day: it is the launch's
    # (contradicted as unsupported), not also another value of the session's days.
    r = score("Der Plan wurde am 5. August 2024 eingeführt.", source=ARTICLE)
    assert [(c["id"], c["reason"]) for c in r.details["contradicted"]] == [
        ("plan-launch", "unsupported")
    ]


@pytest.mark.parametrize(
    ("text", "fact_id", "other"),
    [
        ("Die UN-Sitzung in New York fand am 17. und 18. November statt.", "session-dates",
         "17. und 18. November"),
        ("Der Nationale Strategieplan 2024–2030 wurde vorgestellt.", "plan-period", "2024–2030"),
        ("Der Plan wurde im Juli 2024 eingeführt.", "plan-launch", "Juli 2024"),
        ("Der Plan ruht auf drei Säulen.", "four-pillars", "drei"),
        ("Der UN-Aktionsplan feiert sein 20-jähriges Bestehen.", "un-plan-anniversary", "20"),
        ("Botschafter Men Kiri sprach für Kambodscha.", "speaker", "Men Kiri"),
        ("Men Kiri, Ständiger Vertreter Kambodschas bei den Vereinten Nationen, sprach.",
         "speaker-role", "Men Kiri"),
    ],
)  # fmt: skip
def test_each_kind_of_contradiction(text: str, fact_id: str, other: str) -> None:
    r = score(text, source=ARTICLE)
    by_id = {c["id"]: c for c in r.details["contradicted"]}
    assert fact_id in by_id
    c = by_id[fact_id]
    assert c["text"] == other
    assert text[c["span"][0] : c["span"][1]] == other
    assert fact_id not in {f["id"] for f in r.details["found"] + r.details["missed"]}


def test_net_recall_subtracts_contradicted_weight() -> None:
    text = (
        "Botschafter Keo Chhea stellte in New York den Nationalen Strategieplan 2024–2028 vor. "
        "Die Sitzung fand am 17. und 18. November statt."
    )
    r = score(text, source=ARTICLE)
    found = sum(f["weight"] for f in r.details["found"])
    contradicted = sum(f["weight"] for f in r.details["contradicted"])
    assert contradicted == 2.0  # the session's days
    assert r.values["recall"] == pytest.approx(found / TOTAL_WEIGHT)
    assert r.values["net_recall"] == pytest.approx((found - contradicted) / TOTAL_WEIGHT)


@pytest.mark.parametrize(
    "summary",
    [json.loads(x) for x in (GOLD / DOC_ID / "summaries.jsonl").read_text("utf-8").splitlines()],
    ids=lambda s: str(s["id"]),
)
def test_reference_summaries_contradict_nothing(summary: dict[str, Any]) -> None:
    r = score(summary["text"], summary["language"], source=ARTICLE)
    assert r.details["contradicted"] == []
