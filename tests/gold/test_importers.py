"""Gold from elsewhere: SQuAD-format files and Hugging Face datasets, proven by the validator."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import main
from harness.config import ConfigError, DatasetSpec, RunConfig, load_config
from harness.gold.importers import (
    ImportReport,
    SquadFormatError,
    import_squad,
    load_dataset_docs,
    read_squad,
    rows_to_documents,
)
from harness.gold.load import load_gold
from harness.gold.schema import ID_PATTERN
from harness.gold.validate import validate_path
from tests.conftest import GOLD, ROOT

XQUAD = ROOT.parent / "shared" / "data" / "xquad"
needs_xquad = pytest.mark.skipif(
    not (XQUAD / "xquad.de.json").is_file(), reason="the shared XQuAD files are not beside this"
)

CONTEXT = "Die Sitzung fand am 24. November 2025 in New York statt. Keo Chhea sprach dort."


def squad_file(tmp_path: Path, qas: list[dict[str, Any]], name: str = "mini.de.json") -> Path:
    data = {
        "version": "v2.0",
        "data": [
            {"title": "Vereinte_Nationen", "paragraphs": [{"context": CONTEXT, "qas": qas}]},
            {
                "title": "Zweiter Artikel",
                "paragraphs": [
                    {
                        "context": "Berlin ist eine Stadt.",
                        "qas": [
                            {
                                "id": "b1",
                                "question": "Was ist Berlin?",
                                "answers": [{"text": "eine Stadt", "answer_start": 11}],
                            }
                        ],
                    }
                ],
            },
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def qa(qid: str, question: str, *answers: tuple[str, int | None], **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "question": question,
        "answers": [{"text": t, "answer_start": s} for t, s in answers],
        **extra,
    }


def test_paragraphs_become_valid_gold_folders(tmp_path: Path) -> None:
    start = CONTEXT.index("New York")
    src = squad_file(
        tmp_path,
        [
            qa(
                "Q-1", "Wo fand die Sitzung statt?", ("New York", start), ("in New York", start - 3)
            ),
            qa("q2", "Wer sprach?", ("Keo Chhea", CONTEXT.index("Keo")), ("Keo Chhea", None)),
            qa("q3", "Wie alt ist er?", is_impossible=True, plausible_answers=[]),
        ],
    )
    result = import_squad(src, tmp_path / "gold", license="CC BY-SA 4.0")
    assert validate_path(tmp_path / "gold") == []
    docs = load_gold(tmp_path / "gold")
    assert [d.id for d in docs] == ["mini-de-0-0", "mini-de-1-0"]
    doc = docs[0]
    assert (tmp_path / "gold" / "mini-de-0-0" / "article.txt").read_bytes() == CONTEXT.encode()
    assert doc.meta.title == "Vereinte Nationen" and doc.meta.license == "CC BY-SA 4.0"
    assert doc.meta.source.publication == "mini.de.json"
    q1, q2, q3 = doc.qa
    assert q1.id == "q-1" and q1.answers == ["New York", "in New York"]
    assert [(e.start, e.text) for e in q1.evidence] == [
        (start, "New York"),
        (start - 3, "in New York"),
    ]
    assert q1.category == "squad" and q1.type == "factoid" and q1.answerable
    assert q1.question_en == q1.question
    assert q2.answers == ["Keo Chhea"] and len(q2.evidence) == 1  # duplicates merged
    assert not q3.answerable and q3.answers == [] and q3.evidence == []
    assert result.report.questions == 4 and result.report.unanswerable == 1
    assert result.report.warnings == []


def test_offsets_off_by_a_little_are_moved_and_bad_answers_dropped(tmp_path: Path) -> None:
    keo = CONTEXT.index("Keo Chhea")
    src = squad_file(
        tmp_path,
        [
            qa("moved", "Wer sprach?", ("Keo Chhea", keo + 2)),
            qa("padded", "Wer sprach dort?", (" Keo Chhea ", keo - 1)),
            qa("missing", "Wer fehlt?", ("Hun Sen", 3)),
            qa("half", "Wo?", ("Paris", 0), ("New York", CONTEXT.index("New York"))),
            qa("article", "Welcher Artikel?", ("Die", 0)),
        ],
    )
    result = import_squad(src, tmp_path / "gold", limit_articles=1)
    report = result.report
    assert validate_path(tmp_path / "gold") == []
    (doc,) = result.documents
    items = {q.id: q for q in doc.qa}
    assert set(items) == {"moved", "padded", "half"}
    assert items["moved"].evidence[0].start == keo and report.moved == 1
    assert items["padded"].answers == ["Keo Chhea"] and items["padded"].evidence[0].start == keo
    assert items["half"].answers == ["New York"]
    assert len(report.dropped_answers) == 3
    assert any("'Hun Sen' (answer_start 3) does not occur" in w for w in report.dropped_answers)
    assert any("nothing but articles" in w for w in report.dropped_answers)
    assert [w.split(" (id ")[1].split(")")[0] for w in report.dropped_questions] == [
        "missing",
        "article",
    ]
    assert all(w.startswith("data[0].paragraphs[0]") for w in report.warnings)


def test_ids_are_made_safe_and_unique(tmp_path: Path) -> None:
    keo = CONTEXT.index("Keo")
    src = squad_file(
        tmp_path,
        [qa("A_1", "Wer?", ("Keo", keo)), qa("a 1", "Wer sonst?", ("Keo", keo))],
        name="My File.json",
    )
    (doc, _) = import_squad(src, tmp_path / "gold").documents
    assert doc.id == "my-file-0-0"
    assert [q.id for q in doc.qa] == ["a-1", "a-1-2"]
    assert all(re.match(ID_PATTERN, q.id) for q in doc.qa)


def test_english_questions_are_matched_by_id(tmp_path: Path) -> None:
    keo = CONTEXT.index("Keo")
    de = squad_file(tmp_path, [qa("q1", "Wer sprach?", ("Keo", keo))], name="x.de.json")
    en = squad_file(tmp_path, [qa("q1", "Who spoke?", ("Keo", keo))], name="x.en.json")
    result = import_squad(de, tmp_path / "gold", english=en, id_prefix="x")
    assert result.documents[0].qa[0].question_en == "Who spoke?"
    # b1 is in both files, so nothing is missing
    assert result.report.notes == []
    en.write_text(json.dumps({"data": []}), encoding="utf-8")
    other = import_squad(de, tmp_path / "gold2", english=en)
    assert other.documents[0].qa[0].question_en == "Wer sprach?"
    assert "2 question ids have no English question" in other.report.notes[0]


def test_existing_folders_are_not_overwritten_unless_asked(tmp_path: Path) -> None:
    src = squad_file(tmp_path, [qa("q1", "Wer?", ("Keo", CONTEXT.index("Keo")))])
    import_squad(src, tmp_path / "gold")
    marker = tmp_path / "gold" / "mini-de-0-0" / "note.txt"
    marker.write_text("hand edits", encoding="utf-8")
    with pytest.raises(FileExistsError, match="--overwrite"):
        import_squad(src, tmp_path / "gold")
    assert marker.exists()
    import_squad(src, tmp_path / "gold", overwrite=True)
    assert not marker.exists() and validate_path(tmp_path / "gold") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", r'data: expected \{"data": \[...\]\}'),
        ('{"data": [{"title": "t"}]}', r"data\[0\]\.paragraphs: missing or not a list"),
        (
            '{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "1"}]}]}]}',
            r"data\[0\]\.paragraphs\[0\]\.qas\[0\]\.question: missing or not a str",
        ),
        (
            '{"data": [{"paragraphs": [{"context": "c", "qas": [{"question": "q", '
            '"answers": [{"text": "c", "answer_start": "0"}]}]}]}]}',
            r"answers\[0\]\.answer_start: not an integer",
        ),
        ('{"data": [', r":1: invalid JSON"),
    ],
)
def test_malformed_files_name_the_json_path(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SquadFormatError, match=message):
        read_squad(path)


def test_cli_import_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = squad_file(tmp_path, [qa("q1", "Wer?", ("Keo", CONTEXT.index("Keo")))])
    out = tmp_path / "gold"
    assert main(["gold", "import-squad", str(src), str(out), "--id-prefix", "mini"]) == 0
    assert "2 documents, 2 questions (0 unanswerable), 2 answers" in capsys.readouterr().out
    assert main(["gold", "validate", str(out)]) == 0
    assert main(["gold", "import-squad", str(src), str(out), "--id-prefix", "mini"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["gold", "import-squad", str(src), str(tmp_path / "g2"), "--language", "DE"]) == 2
    assert "language" in capsys.readouterr().err


@needs_xquad
def test_xquad_de_imports_completely_and_validates(tmp_path: Path) -> None:
    result = import_squad(
        XQUAD / "xquad.de.json",
        tmp_path / "xquad",
        english=XQUAD / "xquad.en.json",
        publication="XQuAD",
        license="CC BY-SA 4.0",
    )
    report = result.report
    assert (report.documents, report.questions, report.answers) == (240, 1190, 1190)
    assert report.warnings == [] and report.moved == 0
    assert validate_path(tmp_path / "xquad") == []
    docs = load_gold(tmp_path / "xquad")
    assert docs[0].id == "xquad-de-00-0" and docs[-1].id == "xquad-de-47-4"
    english = {q.id: q.question_en for d in docs for q in d.qa}
    assert (
        english["56beb4343aeaaa14008c925b"] == "How many points did the Panthers defense surrender?"
    )
    for d in docs:
        for q in d.qa:
            assert all(d.article[e.start : e.end] == e.text for e in q.evidence)


@needs_xquad
def test_xquad_de_scores_oracle_100_and_retrieval_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "build" / "xquad-de"
    args = ["gold", "import-squad", str(XQUAD / "xquad.de.json"), str(gold)]
    assert main([*args, "--limit-articles", "4"]) == 0
    cfg = yaml.safe_load((ROOT / "configs" / "examples" / "xquad-de.yaml").read_text())
    assert cfg["gold"] == ["../../build/xquad-de"]  # where the documented import writes
    cfg["gold"] = [str(gold)]
    cfg["output_dir"] = str(tmp_path / "results")
    cfg["bootstrap"]["resamples"] = 100
    path = tmp_path / "xquad-de.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    capsys.readouterr()
    assert main(["run", str(path), "-q"]) == 0
    (run,) = (tmp_path / "results").iterdir()
    res = json.loads((run / "summary.json").read_text(encoding="utf-8"))["results"]
    for metric in ("qa_de.exact", "qa_de.f1", "squad_v2.exact", "squad_v2.f1"):
        assert res["oracle"]["qa"]["metrics"][metric]["value"] == 100.0
    assert res["oracle"]["qa"]["n"] > 50
    assert 5 < res["retrieval"]["qa"]["metrics"]["qa_de.f1"]["value"] < 50
    assert (
        res["retrieval"]["qa"]["metrics"]["qa_de.f1"]["value"]
        > res["lead"]["qa"]["metrics"]["qa_de.f1"]["value"]
    )


def test_the_example_config_is_valid() -> None:
    cfg, base = load_config(ROOT / "configs" / "examples" / "xquad-de.yaml")
    assert cfg.tasks == ["qa"] and [r.type for r in cfg.runners] == ["oracle", "lead", "retrieval"]
    assert (base / cfg.gold[0]).resolve() == (ROOT / "build" / "xquad-de").resolve()


# -- Hugging Face datasets ---------------------------------------------------


def spec(**kw: Any) -> DatasetSpec:
    return DatasetSpec.model_validate({"path": "json", **kw})


ROWS: list[dict[str, Any]] = [
    {
        "id": "r1",
        "title": "UN",
        "context": CONTEXT,
        "question": "Wo fand die Sitzung statt?",
        "answers": {"text": ["New York"], "answer_start": [CONTEXT.index("New York")]},
    },
    {
        "id": "r2",
        "title": "UN",
        "context": CONTEXT,
        "question": "Wer sprach?",
        "answers": {"text": ["Keo Chhea"], "answer_start": [CONTEXT.index("Keo")]},
    },
    {
        "id": "r3",
        "title": "Berlin",
        "context": "Berlin ist eine Stadt.",
        "question": "Wie viele Einwohner?",
        "answers": {"text": [], "answer_start": []},
    },
]


def test_rows_group_by_context_into_documents() -> None:
    report = ImportReport()
    docs = rows_to_documents(ROWS, spec(columns={"title": "title"}, id_prefix="un"), "t", report)
    assert [d.id for d in docs] == ["un-0", "un-1"]
    assert [q.id for q in docs[0].qa] == ["r1", "r2"] and docs[0].meta.title == "UN"
    assert not docs[1].qa[0].answerable
    assert docs[0].qa[0].evidence[0].text == "New York"
    assert report.questions == 3 and report.unanswerable == 1


@pytest.mark.parametrize(
    ("answers", "columns", "expected"),
    [
        ("Keo Chhea", {}, ["Keo Chhea"]),
        (["Keo Chhea", "Keo"], {}, ["Keo Chhea", "Keo"]),
        ([{"text": "Keo", "answer_start": CONTEXT.index("Keo")}], {}, ["Keo"]),
        (["New York"], {"answer_start": "start"}, ["New York"]),
    ],
)
def test_answer_shapes(answers: Any, columns: dict[str, str], expected: list[str]) -> None:
    row = {"id": 1, "context": CONTEXT, "question": "?", "answers": answers, "start": [41]}
    report = ImportReport()
    (doc,) = rows_to_documents([row], spec(columns=columns), "t", report)
    assert doc.qa[0].answers == expected
    assert report.moved == 0 and report.warnings == []
    assert all(CONTEXT[e.start : e.end] == e.text for e in doc.qa[0].evidence)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": 1, "context": CONTEXT, "question": "?"}, "t row 0: no column 'answers'"),
        ({"id": 1, "context": 5, "question": "?", "answers": []}, "column 'context'"),
        ({"id": 1, "context": CONTEXT, "question": "?", "answers": [1]}, "expected answer strings"),
    ],
)
def test_bad_rows_name_the_row_and_column(row: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        rows_to_documents([row], spec(), "t")


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import datasets

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    return cache


def test_load_dataset_docs_reads_local_files(tmp_path: Path, hf_cache: Path) -> None:
    data = tmp_path / "data" / "rows.jsonl"
    data.parent.mkdir()
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    docs = load_dataset_docs(spec(data_files="data/rows.jsonl", split="train", limit=2), tmp_path)
    assert [d.id for d in docs] == ["json-0"]
    assert [q.question for q in docs[0].qa] == ["Wo fand die Sitzung statt?", "Wer sprach?"]
    with pytest.raises(ValueError, match="cannot load"):
        load_dataset_docs(spec(data_files="data/missing.jsonl", split="train"), tmp_path)


def test_a_config_runs_a_dataset_without_gold_folders(
    tmp_path: Path, hf_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rows.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8"
    )
    cfg = {
        "name": "hf",
        "gold": [],
        "datasets": [
            {
                "path": "json",
                "data_files": "rows.jsonl",
                "split": "train",
                "columns": {"title": "title"},
                "id_prefix": "mini",
            }
        ],
        "tasks": ["qa"],
        "runners": [{"name": "oracle", "type": "oracle"}, {"name": "abstain", "type": "abstain"}],
        "bootstrap": {"resamples": 50},
        "output_dir": "results",
    }
    path = tmp_path / "hf.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    (run,) = (tmp_path / "results").iterdir()
    res = json.loads((run / "summary.json").read_text(encoding="utf-8"))["results"]
    assert res["oracle"]["qa"]["n"] == 3
    assert res["oracle"]["qa"]["metrics"]["qa_de.exact"]["value"] == 100.0
    assert res["abstain"]["qa"]["subsets"]["unanswerable"]["qa_de.exact"]["value"] == 100.0
    scores = (run / "scores.jsonl").read_text(encoding="utf-8")
    assert "mini-0/r1" in scores and "mini-1/r3" in scores


def test_dataset_ids_must_not_clash_with_gold(tmp_path: Path, hf_cache: Path) -> None:
    from harness.gold.importers import add_dataset_docs

    (tmp_path / "rows.jsonl").write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    gold = load_gold(GOLD)
    docs = add_dataset_docs(gold, [spec(data_files="rows.jsonl", split="train")], tmp_path)
    assert [d.id for d in docs] == [gold[0].id, "json-0"]
    twice = [spec(data_files="rows.jsonl", split="train")] * 2
    with pytest.raises(ValueError, match="'json-0' is also used by"):
        add_dataset_docs([], twice, tmp_path)


def test_config_needs_gold_or_datasets() -> None:
    runners = [{"name": "oracle", "type": "oracle"}]
    with pytest.raises(ValueError, match="at least one gold path"):
        RunConfig.model_validate({"gold": [], "runners": runners})
    cfg = RunConfig.model_validate(
        {"gold": [], "datasets": [{"path": "deepset/germanquad"}], "runners": runners}
    )
    assert cfg.datasets[0].split == "validation" and cfg.datasets[0].columns.answers == "answers"


def test_config_rejects_unknown_dataset_keys(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "gold: []\ndatasets:\n  - path: json\n    colums: {id: x}\nrunners:\n"
        "  - {name: o, type: oracle}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"c.yaml:4: datasets.0.colums: unknown key 'colums'"):
        load_config(path)
