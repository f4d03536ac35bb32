"""hallucination: unsupported dates, numbers and names against the real article; known values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import metrics
from harness.metrics.base import ScoringInput
from harness.metrics.hallucination import Hallucination, report_lines, unsupported_mentions
from harness.text.names import Vocabulary, new_names, person_mentions
from harness.types import Sample, Task
from tests.conftest import DOC_ID, GOLD

FOLDER = GOLD / DOC_ID
ARTICLE = (FOLDER / "article.txt").read_text(encoding="utf-8")


def load_jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (FOLDER / name).read_text(encoding="utf-8").splitlines() if x]


FACTS = load_jsonl("facts.jsonl")
SUMMARIES = load_jsonl("summaries.jsonl")
QA = load_jsonl("qa.jsonl")
M = Hallucination()


def fact_texts() -> list[str]:
    """What the metric adds to the known texts from the key facts."""
    out = [str(f.get(k) or "") for f in FACTS for k in ("statement", "statement_en", "label")]
    for f in FACTS:
        out.extend(f["matcher"].get("aliases", []) + f["matcher"].get("names", []))
    return out


def sample(language: str = "de", task: Task = "summary") -> Sample:
    return Sample(
        id=f"{DOC_ID}/x", doc_id=DOC_ID, task=task, language=language, input="abstract",
        references=(),
    )  # fmt: skip


def score(text: str, language: str = "de", refs: tuple[str, ...] = ()) -> Any:
    item = ScoringInput(text, list(refs), sample=sample(language), source=ARTICLE, facts=FACTS)
    return M.score_one(item)


def unsupported(text: str) -> list[tuple[str, str]]:
    return [(u["text"], u["kind"]) for u in unsupported_mentions(text, ARTICLE)[1]]


# --- dates and numbers --------------------------------------------------------------


def test_hand_built_invented_date_and_number() -> None:
    text = "Am 26. November 2025 sprach Botschafter Keo Chhea über fünf Säulen."
    r = score(text)
    assert r.details["unsupported"] == [
        {"text": "26. November 2025", "start": 3, "end": 20, "kind": "date"},
        {"text": "fünf", "start": 55, "end": 59, "kind": "number"},
    ]
    assert r.values == {
        "unsupported": 2.0,
        "checked": 2.0,
        "rate": 1.0,
        "has_hallucination": 1.0,
        "unsupported_names": 0.0,
    }
    assert report_lines(r.details) == [
        "unsupported date: '26. November 2025'",
        "unsupported number: 'fünf'",
    ]


def test_mixed_output_rate() -> None:
    # supported: 24.-25. November, vier, 2024-2028; invented: 2030, 12
    text = "Vom 24. bis 25. November: vier Säulen, 2024–2028, 12 Staaten und das Jahr 2030."
    r = score(text)
    assert [u["text"] for u in r.details["unsupported"]] == ["12", "2030"]
    assert r.values["checked"] == 5.0
    assert r.values["rate"] == pytest.approx(2 / 5)


@pytest.mark.parametrize(
    "text",
    [
        "vom 24. bis 25. November",
        "am 24. November",  # one end of the source's interval
        "am 25. November 2025",  # day from the interval, year from the publication date
        "24.11.2025",
        "im August 2024",
        "im Jahr 2024",
        "Strategieplan 2024–2028",
        "von 2024 bis 2028",
        "vier Säulen",
        "4 Säulen",
        "sein 15-jähriges Bestehen",
        "its 15th anniversary",
        "its fifteenth anniversary",
        "zwei Tage lang",  # the length of 24.-25. November
        "fünf Jahre lang",  # the length of 2024-2028
        "am 28. November 2025",
        "one of the four pillars",  # "one" is not checked
        "zum ersten Mal",
        "1. Strafverfolgung\n2. Opferschutz\n3. Koordination",  # list enumerators
        "wie bei COVID-19",
        "Keine Zahl, kein Datum.",
    ],
)
def test_supported(text: str) -> None:
    assert unsupported(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vom 24. bis 26. November", [("vom 24. bis 26. November", "date")]),
        ("am 24. November 2023", [("24. November 2023", "date")]),  # the year is invented
        ("am 24. August 2024", [("24. August 2024", "date")]),  # the day is invented
        ("im August 2023", [("August 2023", "date")]),
        ("im Jahr 2030", [("2030", "date")]),
        ("Strategieplan 2024–2030", [("2024–2030", "date")]),
        ("fünf Säulen", [("fünf", "number")]),
        ("5 Säulen", [("5", "number")]),
        ("die dritte Säule", [("dritte", "number")]),
        ("1,5 Millionen Opfer", [("1,5", "number")]),
        ("drei Tage", [("drei", "number")]),
        ("Säule 3: Koordination", [("3", "number")]),  # not an enumerator at a line start
    ],
)
def test_unsupported(text: str, expected: list[tuple[str, str]]) -> None:
    assert unsupported(text) == expected


def test_a_four_digit_amount_is_supported_by_the_same_amount() -> None:
    source = "Mehr als 2.000 Menschen wurden befreit."
    assert unsupported_mentions("2000 Menschen wurden befreit", source)[1] == []
    assert unsupported_mentions("2001 Menschen", source)[1] == [
        {"text": "2001", "start": 0, "end": 4, "kind": "number"}
    ]


# --- dates as a whole; years and amounts kept apart --------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # day, month and year each occur in the article, but never together
        ("Die Sitzung fand am 24. November 2024 statt.", [("24. November 2024", "date")]),
        ("vom 24. bis 25. November 2024", [("vom 24. bis 25. November 2024", "date")]),
        ("im November 2024", [("November 2024", "date")]),
        ("am 28. November 2024", [("28. November 2024", "date")]),
        ("am 28. August 2025", [("28. August 2025", "date")]),
        # the article is dated 2025: its "24. bis 25. November" is 2025
        ("Die Sitzung fand am 24. November 2025 statt.", []),
        ("vom 24. bis 25. November 2025", []),
        ("im November 2025", []),
        ("im August 2024", []),
    ],
)
def test_a_date_is_supported_as_a_whole(text: str, expected: list[tuple[str, str]]) -> None:
    assert unsupported(text) == expected


def test_yearless_source_dates_take_the_year_of_the_source_context() -> None:
    dated = "Bericht vom 3. März 2023. Die Tagung fand am 1. Februar statt. Seit 2020 gilt das."
    assert unsupported_mentions("am 1. Februar 2023", dated)[1] == []
    assert unsupported_mentions("am 1. Februar 2020", dated)[1] != []
    # without any full date, a yearless date may take any year the source mentions
    undated = "Die Tagung fand am 1. Februar statt. Der Plan gilt seit 2020."
    assert unsupported_mentions("am 1. Februar 2020", undated)[1] == []
    assert unsupported_mentions("am 1. Februar 2019", undated)[1] != []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Im Jahr 2000 begann das Programm.", [("2000", "date")]),  # a year, not the amount
        ("Seit 2000 gilt das.", [("2000", "date")]),
        ("2000 wurde es gegründet.", [("2000", "date")]),
        ("Es kostete 2000 Euro.", []),  # the amount
        ("Es kostete 2.000 Euro.", []),
        ("Es kostete 3000 Euro.", [("3000", "number")]),
    ],
)
def test_years_and_amounts_are_kept_apart(text: str, expected: list[tuple[str, str]]) -> None:
    source = "Die Kosten lagen bei 2.000 Euro. Der Plan wurde 2019 beschlossen."
    got = [(u["text"], u["kind"]) for u in unsupported_mentions(text, source)[1]]
    assert got == expected
    # and the other way round: a year of the source does not support an amount
    assert unsupported_mentions("2019 Euro", source)[1] == [
        {"text": "2019", "start": 0, "end": 4, "kind": "number"}
    ]
    assert unsupported_mentions("im Jahr 2019", source)[1] == []


def test_a_bare_number_takes_its_unit_from_the_question() -> None:
    assert unsupported_mentions("zwei", ARTICLE, "Wie viele Tage dauerte die Sitzung?")[1] == []
    assert unsupported_mentions("2", ARTICLE, "How many days did the session last?")[1] == []
    assert unsupported("zwei") == [("zwei", "number")]
    assert unsupported_mentions("zwei", ARTICLE, "Wie viele Säulen?")[1] != []


def test_spans_index_the_prediction() -> None:
    text = "Ergebnis:\u00ad am 26.\u00a0November, mit fünf Säulen"
    checked, found = unsupported_mentions(text, ARTICLE)
    assert checked == 2
    for u in found:
        assert text[u["start"] : u["end"]] == u["text"]


# --- the real gold: references and answers are grounded -------------------------------


@pytest.mark.parametrize("summary", SUMMARIES, ids=[s["id"] for s in SUMMARIES])
def test_reference_summaries_have_no_unsupported_date_or_number(summary: dict[str, Any]) -> None:
    checked, found = unsupported_mentions(summary["text"], ARTICLE)
    assert found == []
    if summary["length"] != "headline":
        assert checked >= 1


def test_gold_answers_have_no_unsupported_date_or_number() -> None:
    total = 0
    for q in QA:
        for answer in q["answers"]:
            checked, found = unsupported_mentions(answer, ARTICLE, q["question"])
            assert found == [], (q["id"], answer)
            _, found_en = unsupported_mentions(answer, ARTICLE, q["question_en"])
            assert found_en == [], (q["id"], answer)
            total += checked
    assert total >= 20


def test_reference_summaries_have_no_new_names_against_source_and_facts() -> None:
    # The references are left out of the known texts here, so this is a real test.
    known = Vocabulary([ARTICLE, *fact_texts()])
    for s in SUMMARIES:
        assert new_names(s["text"], known, s["language"]) == [], s["id"]
    for q in QA:
        for answer in q["answers"]:
            assert new_names(answer, known, "de") == [], (q["id"], answer)


# --- names ------------------------------------------------------------------------------

KNOWN = Vocabulary([ARTICLE, *(s["text"] for s in SUMMARIES), *fact_texts()])

# Hand-made outputs with and without invented names. DEVELOPMENT was used while designing
# the heuristic; HELD_OUT was written afterwards and only fixed for plain bugs (a name
# reported twice, "von" kept in front of a name, hyphenated compounds split), never tuned.
DEVELOPMENT: list[tuple[str, str, list[str]]] = [
    ("de", "Die Regierung stärkt den Opferschutz.", []),
    ("de", "Am 26. November sprach Botschafter Keo Chhea über fünf Säulen.", []),
    ("de", "Premierminister Hun Manet lobte den Plan in Phnom Penh.", ["Hun Manet", "Phnom Penh"]),
    ("de", "UN-Generalsekretär Antonio Guterres begrüßte die Zusagen Kambodschas.",
     ["Antonio Guterres"]),
    ("de", "Kambodscha arbeitet eng mit UNICEF und der ILO zusammen.", ["UNICEF", "ILO"]),
    ("de", "Neue Gesetze sollen Kinder besser vor Ausbeutung schützen.", []),
    ("de", "Die Polizei verhaftete mehrere Verdächtige in der Hauptstadt.", []),
    ("de", "Kambodschas Regierung will die Zusammenarbeit mit Thailand und Vietnam vertiefen.",
     ["Thailand", "Vietnam"]),
    ("de", "Laut Guterres ist der Kampf gegen Menschenhandel eine globale Aufgabe.", ["Guterres"]),
    ("de", "Die Vereinten Nationen bewerteten den Globalen Aktionsplan.", []),
    ("de", "Auch Interpol und Europol unterstützen die Strafverfolgung.", ["Interpol", "Europol"]),
    ("de", "Botschafter Sokha Chea kündigte neue Maßnahmen an.", ["Sokha Chea"]),
    ("de", "Das Treffen fand im Hauptquartier der Vereinten Nationen statt.", []),
    ("de", "Der Plan wurde von Ursula von der Leyen unterstützt.", ["Ursula von der Leyen"]),
    ("de", "Kinderschutz und Migrationspolitik stehen im Mittelpunkt.", []),
    ("de", "Im Dezember soll ein neuer Bericht des Ministeriums erscheinen.", []),
    ("de", "Die Menschenrechtsorganisation Amnesty International kritisierte das Land.",
     ["Amnesty International"]),
    ("en", "Cambodia reaffirmed its commitment at the United Nations in New York.", []),
    ("en", "Prime Minister Hun Manet praised the plan in Phnom Penh.",
     ["Prime Minister Hun Manet", "Phnom Penh"]),
    ("en", "UN Secretary-General Antonio Guterres welcomed the pledge.",
     ["Secretary-General Antonio Guterres"]),
    ("en", "Cambodia Reaffirms Commitment To Fighting Human Trafficking", []),
    ("en", "The plan was praised by UNICEF and the World Bank.", ["UNICEF", "World Bank"]),
    ("en", "Ambassador Keo Chhea called for stronger judicial cooperation.", []),
    ("en", "Officials from Thailand attended the meeting on Tuesday.", ["Thailand"]),
    ("en", "He said that Guterres had supported the strategy.", ["Guterres"]),
    ("en", "The four pillars include law enforcement and victim protection.", []),
]  # fmt: skip
HELD_OUT: list[tuple[str, str, list[str]]] = [
    ("de", "Kambodscha will den Menschenhandel bis 2028 deutlich reduzieren.", []),
    ("de", "Merkel sagte, Deutschland unterstütze Kambodscha.", ["Merkel", "Deutschland"]),
    ("de", "Nach Angaben der Internationalen Organisation für Migration sind Tausende betroffen.",
     ["Internationalen Organisation für Migration"]),
    ("de", "Der Botschafter forderte mehr Hilfe von Google und Meta.", ["Google", "Meta"]),
    ("de", "Opfer aus Myanmar und Laos werden in Lagern festgehalten.", ["Myanmar", "Laos"]),
    ("de", "Die Staats- und Regierungschefs berieten in New York über Zwangsarbeit.", []),
    ("de", "Besonders betroffen sind junge Menschen aus ländlichen Regionen.", []),
    ("de", "Kambodscha sieht in Online-Betrug und Cyberkriminalität eine wachsende Gefahr.", []),
    ("de", "Samdech Hun Sen hatte den Plan bereits 2023 angekündigt.", ["Samdech Hun Sen"]),
    ("de", "Für Recht und Ordnung sorgt künftig eine neue Sondereinheit.", []),
    ("en", "Cambodian officials met representatives of Meta and TikTok in Geneva.",
     ["Meta", "TikTok", "Geneva"]),
    ("en", "The strategy was drafted with help from the Asian Development Bank.",
     ["Asian Development Bank"]),
    ("en", "Victims are often lured with fake job offers on social media.", []),
    ("en", "According to Chhea, the plan will be reviewed in 2026.", []),
    ("en", "Mr Sokhonn told reporters that progress had been made.", ["Mr Sokhonn"]),
    ("en", "Cambodia and Thailand signed a memorandum last year.", ["Thailand"]),
]  # fmt: skip


def precision_recall(cases: list[tuple[str, str, list[str]]]) -> tuple[float, float, list[Any]]:
    tp = fp = fn = 0
    wrong = []
    for language, text, want in cases:
        got = {n.text for n in new_names(text, KNOWN, language)}
        tp += len(got & set(want))
        fp += len(got - set(want))
        fn += len(set(want) - got)
        if got != set(want):
            wrong.append((text, sorted(got)))
    return tp / (tp + fp), tp / (tp + fn), wrong


def test_name_detector_on_development_sentences() -> None:
    precision, recall, wrong = precision_recall(DEVELOPMENT)
    assert (precision, recall) == (1.0, 1.0), wrong


def test_name_detector_on_held_out_sentences() -> None:
    precision, recall, wrong = precision_recall(HELD_OUT)
    # Measured: P = 11/13 = 0.85, R = 11/14 = 0.79. The misses and false alarms are the
    # documented limits of harness.text.names (see its docstring).
    assert precision == pytest.approx(11 / 13)
    assert recall == pytest.approx(11 / 14)
    assert sorted(t for t, _ in wrong) == sorted(
        [
            "Merkel sagte, Deutschland unterstütze Kambodscha.",  # sentence-initial name
            "Nach Angaben der Internationalen Organisation für Migration sind Tausende "
            "betroffen.",  # a name made of known or noun-like words
            "Der Botschafter forderte mehr Hilfe von Google und Meta.",  # "Google": noun ending
            "Kambodscha sieht in Online-Betrug und Cyberkriminalität eine wachsende Gefahr.",
            "Für Recht und Ordnung sorgt künftig eine neue Sondereinheit.",  # lone noun
        ]
    )


def test_names_in_the_metric() -> None:
    text = "Premierminister Hun Manet und UNICEF lobten Botschafter Keo Chhea in New York."
    r = score(text)
    assert r.values["unsupported_names"] == 2.0
    assert [(n["text"], n["start"], n["end"]) for n in r.details["names"]] == [
        ("Hun Manet", 16, 25),
        ("UNICEF", 30, 36),
    ]
    assert r.values["has_hallucination"] == 0.0  # names are reported apart from the rate
    assert "new name: 'Hun Manet'" in report_lines(r.details)


def test_english_output_knows_english_renderings_from_the_facts() -> None:
    text = "Cambodia's Permanent Representative told the United Nations about its National "
    text += "Strategic Plan and praised Interpol."
    r = score(text, "en")
    assert [n["text"] for n in r.details["names"]] == ["Interpol"]


def test_known_names_option_and_names_off() -> None:
    text = "Premierminister Hun Manet lobte den Plan."
    assert (
        Hallucination(known_names=["Hun Manet"])
        .score_one(ScoringInput(text, [], sample=sample(), source=ARTICLE))
        .values["unsupported_names"]
        == 0.0
    )
    off = Hallucination(names=False).score_one(ScoringInput(text, [], source=ARTICLE))
    assert "unsupported_names" not in off.values
    assert "names" not in off.details


# --- metric plumbing ----------------------------------------------------------------------


def test_empty_source_is_an_error_not_a_zero() -> None:
    with pytest.raises(ValueError, match="source document is empty"):
        M.score_one(ScoringInput("am 26. November", []))


def test_nothing_checked_gives_rate_zero() -> None:
    r = score("Kambodscha bekräftigt sein Engagement.")
    assert r.values["checked"] == 0.0
    assert r.values["rate"] == 0.0
    assert r.details["unsupported"] == []


def test_aggregate_pools_the_rate() -> None:
    items = [
        ScoringInput(t, [], source=ARTICLE)
        for t in ("fünf Säulen", "vier Säulen, 2024–2028, August 2024", "ohne Zahlen")
    ]
    rows = [dict(M.score_one(i).values) for i in items]
    agg = M.aggregate(rows, items)
    assert agg["pooled_rate"] == pytest.approx(1 / 4)  # 1 unsupported of 4 checked
    assert agg["rate"] == pytest.approx(1 / 3)  # mean of 1.0, 0.0, 0.0
    assert agg["has_hallucination"] == pytest.approx(1 / 3)


def test_registered_and_lower_is_better() -> None:
    m = metrics.create("hallucination")
    assert isinstance(m, Hallucination)
    assert m.tasks == ("qa", "summary")
    assert m.corpus_level
    for key in ("unsupported", "rate", "has_hallucination", "unsupported_names", "pooled_rate"):
        assert not m.is_higher_better(key)
    assert m.signature() == "hallucination|dates+numbers-v2|names-heuristic-v1"


# --- person mentions (what a role is bound to in key facts) ----------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Botschafter Men Kiri sprach.", ["Men Kiri"]),
        ("Botschafter Chhea sprach.", ["Chhea"]),  # one word after a title
        ("UN-Botschafterin Sokha sprach.", ["Sokha"]),  # a compound ending in a title
        ("Botschafter Kambodschas bei der UN", []),  # a genitive, not a name
        ("Botschafter Kambodschas Keo Chhea sprach.", ["Keo Chhea"]),
        ("Antonio Guterres lobte den Plan.", ["Antonio Guterres"]),
        ("Die Vereinten Nationen und der Ständige Vertreter tagten.", []),
        ("Kambodscha sprach.", []),  # one capitalised word without a title
        ("Ambassador Men Kiri spoke.", ["Men Kiri"]),
    ],
)
def test_person_mentions(text: str, names: list[str]) -> None:
    found = person_mentions(text)
    assert [m.text for m in found] == names
    for m in found:
        assert text[m.start : m.end] == m.text
    assert [m.text for m in person_mentions("Redner Men Kiri", extra_titles=["Redner"])] == [
        "Men Kiri"
    ]
