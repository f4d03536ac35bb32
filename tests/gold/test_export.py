"""``harness gold export``: the gold as a DatasetDict on disk and as Parquet, loaded back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.gold.export import export_gold
from harness.gold.importers import import_squad
from harness.gold.load import load_gold, to_datasets
from tests.conftest import GOLD

TABLES = ("qa", "summaries", "facts", "articles")


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import datasets

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    return cache


def rows(ds: Any) -> list[dict[str, Any]]:
    return list(ds.to_list())


def test_export_loads_back_with_the_same_rows(tmp_path: Path, hf_cache: Path) -> None:
    import datasets

    docs = load_gold(GOLD)
    result = export_gold(docs, tmp_path / "export", parquet=True)
    expected = to_datasets(docs)
    back = datasets.load_from_disk(str(tmp_path / "export"))
    assert sorted(back) == sorted(TABLES)
    for name in TABLES:
        assert rows(back[name]) == rows(expected[name]), name
        assert back[name].features == expected[name].features
    assert result.rows["qa"] == sum(len(d.qa) for d in docs) > 0
    assert result.rows["facts"] == sum(len(d.facts) for d in docs) > 0
    qa = datasets.load_dataset(str(tmp_path / "export" / "parquet"), "qa", split="test")
    assert rows(qa) == rows(expected["qa"])
    card = (tmp_path / "export" / "parquet" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nconfigs:\n- config_name: qa\n")


def test_empty_tables_stay_out_of_the_parquet_bundle(tmp_path: Path, hf_cache: Path) -> None:
    import datasets

    src = tmp_path / "mini.json"
    context = "Berlin ist eine Stadt."
    qas = [{"id": "q", "question": "Was?", "answers": [{"text": "Stadt", "answer_start": 16}]}]
    src.write_text(
        json.dumps({"data": [{"title": "B", "paragraphs": [{"context": context, "qas": qas}]}]}),
        encoding="utf-8",
    )
    docs = list(import_squad(src, tmp_path / "gold").documents)
    result = export_gold(docs, tmp_path / "export", parquet=True)
    assert result.rows == {"qa": 1, "summaries": 0, "facts": 0, "articles": 1}
    assert sorted(p.name for p in result.parquet) == ["README.md", "articles.parquet", "qa.parquet"]
    back = datasets.load_from_disk(str(tmp_path / "export"))
    assert len(back["summaries"]) == 0 and "text" in back["summaries"].column_names
    articles = datasets.load_dataset(str(tmp_path / "export" / "parquet"), "articles", split="test")
    assert articles[0]["text"] == context


def test_export_refuses_a_folder_with_other_files_but_replaces_an_export(tmp_path: Path) -> None:
    docs = load_gold(GOLD)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not an earlier export"):
        export_gold(docs, busy)
    export_gold(docs, tmp_path / "export")
    export_gold(docs, tmp_path / "export")  # a second export over the first is fine


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "export"
    assert main(["gold", "export", str(out), "--gold", str(GOLD), "--parquet"]) == 0
    printed = capsys.readouterr().out
    assert f"{out}: DatasetDict (qa " in printed and "qa.parquet" in printed
    assert (out / "dataset_dict.json").is_file()


def test_cli_export_refuses_invalid_gold(
    gold_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (qa_file,) = gold_copy.glob("*/qa.jsonl")
    lines = qa_file.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["evidence"][0]["start"] += 1
    qa_file.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    assert main(["gold", "export", str(tmp_path / "out"), "--gold", str(gold_copy)]) == 2
    captured = capsys.readouterr()
    assert "qa.jsonl:1: evidence.0:" in captured.out
    assert "fix them before exporting" in captured.err
    assert not (tmp_path / "out").exists()
