"""The validator: clean on the real gold, and each failure found on a small broken copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.gold.load import build_samples, load_gold, to_datasets
from harness.gold.validate import validate_path
from tests.conftest import DOC_ID, GOLD


def test_real_gold_is_valid() -> None:
    assert [str(p) for p in validate_path(GOLD)] == []


def test_real_gold_meets_the_minimums() -> None:
    (doc,) = load_gold(GOLD)
    answerable = [q for q in doc.qa if q.answerable]
    assert len(answerable) >= 35
    assert len(doc.qa) - len(answerable) >= 6
    assert len(doc.facts) >= 15
    for length in ("headline", "abstract", "bullets"):
        assert sum(s.length == length and s.language == "de" for s in doc.summaries) >= 2
        assert sum(s.length == length and s.language == "en" for s in doc.summaries) >= 1
    assert all(q.question_en for q in doc.qa)


def test_article_is_the_seed_byte_for_byte() -> None:
    seed = Path(__file__).resolve().parents[3] / "shared" / "seed" / "article.de.txt"
    if not seed.exists():
        pytest.skip("the shared seed is not beside this checkout")
    assert (GOLD / DOC_ID / "article.txt").read_bytes() == seed.read_bytes()


def _rewrite(
    path: Path, lineno: int, change: dict[str, object] | None = None, raw: str | None = None
) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    if raw is not None:
        lines[lineno - 1] = raw
    else:
        obj = json.loads(lines[lineno - 1])
        for k, v in (change or {}).items():
            if v is _DELETE:
                obj.pop(k, None)
            else:
                obj[k] = v
        lines[lineno - 1] = json.dumps(obj, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_DELETE = object()


def _first_line(path: Path, pred: object) -> int:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if pred(json.loads(line)):  # type: ignore[operator]
            return no
    raise AssertionError("no such line")


def _problems(gold: Path) -> list[str]:
    return [str(p) for p in validate_path(gold)]


def test_every_problem_is_listed_with_file_line_and_field(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    _rewrite(qa, 1, {"evidence": [{"start": 0, "end": 5, "text": "Keo C"}]})
    _rewrite(qa, 2, {"type": "essay"})
    _rewrite(qa, 3, raw="{not json")
    problems = _problems(gold_copy)
    assert any("qa.jsonl:1: evidence.0: article[0:5] is 'Kambo'" in p for p in problems)
    assert any("qa.jsonl:2: type:" in p for p in problems)
    assert any("qa.jsonl:3: (line): invalid JSON" in p for p in problems)
    assert len(problems) >= 3


def test_duplicate_ids(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    first = json.loads(qa.read_text(encoding="utf-8").splitlines()[0])
    _rewrite(qa, 2, {"id": first["id"]})
    assert any("qa.jsonl:2: id: duplicate id" in p for p in _problems(gold_copy))


def test_offsets_out_of_range(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    _rewrite(qa, 1, {"evidence": [{"start": 5000, "end": 5010, "text": "x"}]})
    assert any("past the article's end" in p for p in _problems(gold_copy))


def test_answer_not_supported_by_evidence(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    no = _first_line(qa, lambda o: o["answerable"] and not o.get("abstractive"))
    obj = json.loads(qa.read_text(encoding="utf-8").splitlines()[no - 1])
    _rewrite(qa, no, {"answers": obj["answers"] + ["Phnom Penh"]})
    problems = _problems(gold_copy)
    assert any(
        f"qa.jsonl:{no}: answers.{len(obj['answers'])}: 'Phnom Penh' is not supported" in p
        for p in problems
    ), problems


def test_abstractive_allows_paraphrase(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    no = _first_line(qa, lambda o: o["answerable"] and not o.get("abstractive"))
    obj = json.loads(qa.read_text(encoding="utf-8").splitlines()[no - 1])
    _rewrite(qa, no, {"answers": obj["answers"] + ["Phnom Penh"], "abstractive": True})
    assert _problems(gold_copy) == []


def test_unanswerable_with_answers(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    no = _first_line(qa, lambda o: not o["answerable"])
    _rewrite(qa, no, {"answers": ["42"]})
    assert any(
        f"qa.jsonl:{no}: answers: an unanswerable question must have no answers" in p
        for p in _problems(gold_copy)
    )


def test_fact_without_evidence(gold_copy: Path) -> None:
    facts = gold_copy / DOC_ID / "facts.jsonl"
    _rewrite(facts, 1, {"evidence": []})
    assert any(
        "facts.jsonl:1: evidence: a fact needs evidence spans" in p for p in _problems(gold_copy)
    )


def test_fact_matcher_must_find_its_evidence(gold_copy: Path) -> None:
    facts = gold_copy / DOC_ID / "facts.jsonl"
    no = _first_line(facts, lambda o: o["matcher"]["type"] == "year_range")
    _rewrite(facts, no, {"matcher": {"type": "year_range", "start": 2020, "end": 2021}})
    assert any(
        f"facts.jsonl:{no}: matcher: the year_range matcher does not find" in p
        for p in _problems(gold_copy)
    )


def test_unknown_key_and_bad_matcher(gold_copy: Path) -> None:
    facts = gold_copy / DOC_ID / "facts.jsonl"
    _rewrite(facts, 1, {"colour": "red"})
    _rewrite(facts, 2, {"matcher": {"type": "date", "start": "November", "end": "--11-25"}})
    problems = _problems(gold_copy)
    assert any("facts.jsonl:1: colour: Extra inputs are not permitted" in p for p in problems)
    assert any("facts.jsonl:2: matcher.date.start:" in p for p in problems)


def test_fact_synonyms_context_holder_roles_are_checked(gold_copy: Path) -> None:
    facts = gold_copy / DOC_ID / "facts.jsonl"
    rows = [json.loads(x) for x in facts.read_text(encoding="utf-8").splitlines()]
    text_no = 1 + next(i for i, r in enumerate(rows) if r["matcher"]["type"] == "text")
    person_no = 1 + next(i for i, r in enumerate(rows) if r["matcher"]["type"] == "person")
    text_m = rows[text_no - 1]["matcher"]
    _rewrite(facts, text_no, {"matcher": {**text_m, "synonyms": [["UN"], ["UNO", "UN", "UNO"]]}})
    person_m = rows[person_no - 1]["matcher"]
    _rewrite(facts, person_no, {"matcher": {**person_m, "roles": ["Botschafter", " "]}})
    problems = _problems(gold_copy)
    assert any(
        f"facts.jsonl:{text_no}: matcher.text.synonyms: " in p and "at least two members" in p
        for p in problems
    ), problems
    assert any(f"facts.jsonl:{person_no}: matcher.person.roles: " in p for p in problems)


def test_a_synonym_in_two_groups_and_words_without_content(gold_copy: Path) -> None:
    facts = gold_copy / DOC_ID / "facts.jsonl"
    rows = [json.loads(x) for x in facts.read_text(encoding="utf-8").splitlines()]
    no = 1 + next(i for i, r in enumerate(rows) if r["matcher"]["type"] == "text")
    m = rows[no - 1]["matcher"]
    groups = [["UN", "UNO"], ["uno", "Weltorganisation"]]
    _rewrite(facts, no, {"matcher": {**m, "synonyms": groups}})
    assert any("'uno' is in synonym groups 1 and 2" in p for p in _problems(gold_copy))
    empty = {**m, "aliases": [*m["aliases"], "und die"], "context": ["der"]}
    _rewrite(facts, no, {"matcher": empty})
    problems = _problems(gold_copy)
    for field, word in (("aliases", "und die"), ("context", "der")):
        want = f"facts.jsonl:{no}: matcher.{field}: {word!r} holds no content word"
        assert any(want in p for p in problems), problems


def test_summary_shapes(gold_copy: Path) -> None:
    summaries = gold_copy / DOC_ID / "summaries.jsonl"
    no = _first_line(summaries, lambda o: o["length"] == "bullets")
    _rewrite(summaries, no, {"text": "- eins\n- zwei"})
    no2 = _first_line(summaries, lambda o: o["length"] == "abstract")
    _rewrite(summaries, no2, {"text": "Zu kurz."})
    problems = _problems(gold_copy)
    assert any(f"summaries.jsonl:{no}: text: bullets need five lines" in p for p in problems)
    assert any(f"summaries.jsonl:{no2}: text: an abstract has 40-80 words" in p for p in problems)


def test_invalid_utf8_and_bom(gold_copy: Path) -> None:
    qa = gold_copy / DOC_ID / "qa.jsonl"
    qa.write_bytes(b"\xef\xbb\xbf" + qa.read_bytes())
    assert any("byte order mark" in p for p in _problems(gold_copy))
    qa.write_bytes(b"\xff\xfe" + qa.read_bytes())
    assert any("not valid UTF-8" in p for p in _problems(gold_copy))


def test_missing_files_and_meta(gold_copy: Path) -> None:
    (gold_copy / DOC_ID / "article.txt").unlink()
    meta = gold_copy / DOC_ID / "meta.json"
    meta.write_text(
        json.dumps({"id": DOC_ID, "title": "t", "language": "deutsch", "source": {}}),
        encoding="utf-8",
    )
    problems = _problems(gold_copy)
    assert any("article.txt: (file): missing" in p for p in problems)
    assert any("meta.json:1: language:" in p for p in problems)  # the line of the field
    assert any("meta.json:1: source.author: Field required" in p for p in problems)


def test_cli_exit_codes(gold_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold", "validate", str(gold_copy)]) == 0
    assert "ok" in capsys.readouterr().out
    _rewrite(gold_copy / DOC_ID / "qa.jsonl", 1, {"id": "Not An Id"})
    assert main(["gold", "validate", str(gold_copy)]) == 2
    out = capsys.readouterr().out
    assert "qa.jsonl:1: id: String should match pattern" in out


def test_adding_a_document_is_adding_a_folder(gold_copy: Path) -> None:
    src = gold_copy / DOC_ID
    other = gold_copy / "zweites-dokument"
    other.mkdir()
    (other / "article.txt").write_text(
        "Die Konferenz fand am 3. Mai 2024 in Genf statt.", encoding="utf-8"
    )
    meta = json.loads((src / "meta.json").read_text(encoding="utf-8"))
    meta["id"] = "zweites-dokument"
    (other / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (other / "qa.jsonl").write_text(
        json.dumps(
            {
                "id": "ort",
                "question": "Wo fand die Konferenz statt?",
                "question_en": "Where?",
                "answers": ["Genf", "in Genf"],
                "category": "venue",
                "type": "factoid",
                "evidence": [{"start": 34, "end": 41, "text": "in Genf"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert _problems(gold_copy) == []
    docs = load_gold(gold_copy)
    assert {d.id for d in docs} == {DOC_ID, "zweites-dokument"}
    samples = build_samples(docs, ["qa"])
    assert "zweites-dokument/ort" in {s.id for s in samples}


def test_loads_through_datasets_with_typed_features() -> None:
    dd = to_datasets(load_gold(GOLD))
    assert set(dd) == {"qa", "summaries", "facts", "articles"}
    assert dd["qa"].features["answerable"].dtype == "bool"
    assert dd["qa"].features["evidence"].feature["start"].dtype == "int32"
    assert len(dd["qa"]) == len(load_gold(GOLD)[0].qa)
