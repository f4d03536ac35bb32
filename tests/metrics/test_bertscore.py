"""BERTScore on a tiny BERT built in-process: known values, a hand computation, parity.

The encoder is a seeded 2-layer BERT (hidden size 32) with a WordPiece
tokenizer trained on the gold article, saved into a session temp folder. The
hand computation extracts the layer's vectors with transformers directly and
does the greedy matching with numpy loops, independently of the metric.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.metrics import create
from harness.metrics.base import ScoringInput
from harness.metrics.bertscore import BertScore, greedy_match, idf_from_ids
from tests.conftest import DOC_ID, GOLD, ROOT

CANDS = [
    "Kambodscha hat diese Woche sein Engagement gegen Menschenhandel bekräftigt.",
    "Botschafter Keo Chhea sprach in New York.",
    "Der Strategieplan hat vier Säulen.",
]
REFS = [
    [
        "Kambodscha bekräftigte auf einer UN-Sitzung sein Engagement gegen Menschenhandel.",
        "Kambodscha will den Menschenhandel weiter bekämpfen.",
    ],
    ["Keo Chhea, Ständiger Vertreter Kambodschas, sprach vor den Vereinten Nationen."],
    ["Der Nationale Strategieplan 2024–2028 basiert auf vier Säulen.", "Vier Säulen."],
]


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded 2-layer BERT and a WordPiece tokenizer trained on the article."""
    import torch
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import BertConfig, BertModel, BertTokenizerFast

    article = (GOLD / DOC_ID / "article.txt").read_text(encoding="utf-8")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=500, special_tokens=specials, show_progress=False
    )
    tok.train_from_iterator([article], trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tokenizer = BertTokenizerFast(tokenizer_object=tok, do_lower_case=False, model_max_length=512)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=512,
    )
    folder = tmp_path_factory.mktemp("tiny-bert")
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@functools.cache
def _loaded(folder: Path) -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    return AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()


@functools.cache
def hand_vectors(folder: Path, text: str, layer: int) -> tuple[list[int], np.ndarray]:
    """Token ids and unit-length layer vectors, straight from transformers."""
    import torch

    tok, model = _loaded(folder)
    enc = tok(text.strip(), return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc, output_hidden_states=True).hidden_states[layer][0]
    vecs = hidden.double().numpy()
    ids = enc["input_ids"][0].tolist()
    return ids, vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def hand_prf(
    cand: tuple[list[int], np.ndarray],
    ref: tuple[list[int], np.ndarray],
    weight: dict[int, float] | None = None,
    drop_special: bool = False,
) -> tuple[float, float, float]:
    """Greedy matching with explicit loops; [CLS]/[SEP] (first, last) weigh 0."""

    def prepared(side: tuple[list[int], np.ndarray]) -> tuple[list[int], np.ndarray, list[float]]:
        ids, vecs = side
        w = [
            0.0 if i in (0, len(ids) - 1) else (weight or {}).get(t, 1.0) for i, t in enumerate(ids)
        ]
        if drop_special:
            return ids[1:-1], vecs[1:-1], w[1:-1]
        return ids, vecs, w

    _, cv, cw = prepared(cand)
    _, rv, rw = prepared(ref)
    p = sum(w * max(float(c @ r) for r in rv) for c, w in zip(cv, cw, strict=True)) / sum(cw)
    r = sum(w * max(float(x @ c) for c in cv) for x, w in zip(rv, rw, strict=True)) / sum(rw)
    return p, r, 2 * p * r / (p + r)


def test_identical_texts_score_one(tiny_bert: Path) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=2)
    for text in (CANDS[0], "Keo Chhea", "x"):
        v = m.score_one(ScoringInput(text, [text])).values
        for key in ("precision", "recall", "f1"):
            assert v[key] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("layer", [0, 2])
@pytest.mark.parametrize("special", ["match", "drop"])
def test_greedy_matching_equals_a_hand_computation(
    tiny_bert: Path, layer: int, special: str
) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=layer, special_tokens=special)
    for cand, refs in zip(CANDS, REFS, strict=True):
        got = m.score_one(ScoringInput(cand, refs)).values
        per_ref = [
            hand_prf(
                hand_vectors(tiny_bert, cand, layer),
                hand_vectors(tiny_bert, ref, layer),
                drop_special=special == "drop",
            )
            for ref in refs
        ]
        # bert_score's multi-reference rule: each value is its maximum over the references.
        want = [max(s[j] for s in per_ref) for j in range(3)]
        assert [got["precision"], got["recall"], got["f1"]] == pytest.approx(want, abs=1e-6)


def test_special_tokens_modes_differ(tiny_bert: Path) -> None:
    item = ScoringInput(CANDS[1], REFS[1])
    match = BertScore(model=str(tiny_bert), num_layers=2).score_one(item).values["f1"]
    drop = BertScore(model=str(tiny_bert), num_layers=2, special_tokens="drop").score_one(item)
    assert drop.values["f1"] != pytest.approx(match, abs=1e-9)


def test_layers_differ_and_default_is_the_last(tiny_bert: Path) -> None:
    item = ScoringInput(CANDS[0], REFS[0])
    f = [BertScore(model=str(tiny_bert), num_layers=n).score_one(item).values["f1"] for n in (1, 2)]
    assert f[0] != pytest.approx(f[1], abs=1e-6)
    default = BertScore(model=str(tiny_bert))
    assert default.num_layers == 2
    assert default.score_one(item).values["f1"] == pytest.approx(f[1], abs=1e-12)


def test_idf_weights_are_computed_from_the_corpus_references(tiny_bert: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_bert)
    flat = [r for refs in REFS for r in refs]
    docs = [set(tok(r)["input_ids"]) for r in flat]
    m_docs = len(flat)
    weight = {
        t: math.log((m_docs + 1) / (sum(t in d for d in docs) + 1)) for t in set().union(*docs)
    }
    unseen = math.log(m_docs + 1)

    m = BertScore(model=str(tiny_bert), num_layers=2, idf=True)
    assert m.corpus_level
    results = m.score_items([ScoringInput(c, r) for c, r in zip(CANDS, REFS, strict=True)])
    for cand, refs, res in zip(CANDS, REFS, results, strict=True):
        assert res.details["weights"] == "idf (corpus)"
        c_vec = hand_vectors(tiny_bert, cand, 2)
        w = {t: weight.get(t, unseen) for t in c_vec[0]}
        per_ref = [hand_prf(c_vec, hand_vectors(tiny_bert, r, 2), weight=w | weight) for r in refs]
        want = [max(s[j] for s in per_ref) for j in range(3)]
        got = [res.values[k] for k in ("precision", "recall", "f1")]
        assert got == pytest.approx(want, abs=1e-6)

    # Without idf the same items score differently.
    uniform = BertScore(model=str(tiny_bert), num_layers=2).score_items(
        [ScoringInput(CANDS[0], REFS[0])]
    )[0]
    assert uniform.values["f1"] != pytest.approx(results[0].values["f1"], abs=1e-6)


def test_idf_down_weights_tokens_every_reference_shares() -> None:
    weights, unseen = idf_from_ids([[2, 7, 9, 3], [2, 7, 11, 3], [2, 7, 3]])
    assert weights[7] == 0.0 and weights[2] == 0.0
    assert weights[9] == pytest.approx(math.log(4 / 2))
    assert unseen == pytest.approx(math.log(4))
    # A candidate whose rare token matches exactly and whose common token matches at 0.8:
    # uniform precision is (1 + 0.8) / 2; with idf only the rare token counts.
    cand = np.array([[1.0, 0.0], [0.0, 1.0]])  # token 9 (rare), token 7 (in every reference)
    ref = np.array([[1.0, 0.0], [0.6, 0.8]])
    assert greedy_match(cand, ref, np.ones(2), np.ones(2))[0] == pytest.approx(0.9)
    p_idf = greedy_match(cand, ref, np.array([weights[9], weights[7]]), np.ones(2))[0]
    assert p_idf == pytest.approx(1.0)


def test_score_one_with_idf_is_uniform_but_aggregate_uses_the_corpus(tiny_bert: Path) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=2, idf=True)
    items = [ScoringInput(c, r) for c, r in zip(CANDS, REFS, strict=True)]
    rows = [m.score_one(i) for i in items]
    assert all(r.details["weights"] == "uniform" for r in rows)
    plain = BertScore(model=str(tiny_bert), num_layers=2)
    assert rows[0].values == plain.score_one(items[0]).values
    corpus = m.aggregate([r.values for r in rows], items)
    idf_rows = m.score_items(items)
    assert corpus["f1"] == pytest.approx(np.mean([r.values["f1"] for r in idf_rows]), abs=1e-12)
    assert corpus["f1"] != pytest.approx(np.mean([r.values["f1"] for r in rows]), abs=1e-6)


def test_supplied_idf_dict_is_used_by_score_one(tiny_bert: Path) -> None:
    from transformers import AutoTokenizer

    ids = AutoTokenizer.from_pretrained(tiny_bert)(REFS[1][0])["input_ids"]
    table = {str(t): float(i % 3) + 0.5 for i, t in enumerate(ids)}
    m = BertScore(model=str(tiny_bert), num_layers=2, idf=True, idf_dict=table)
    assert not m.corpus_level
    res = m.score_one(ScoringInput(CANDS[1], REFS[1]))
    assert res.details["weights"] == "idf (given)"
    unseen = max(table.values())
    c_vec = hand_vectors(tiny_bert, CANDS[1], 2)
    weight = {int(k): v for k, v in table.items()} | {
        t: unseen for t in c_vec[0] if str(t) not in table
    }
    want = hand_prf(c_vec, hand_vectors(tiny_bert, REFS[1][0], 2), weight=weight)
    assert [res.values[k] for k in ("precision", "recall", "f1")] == pytest.approx(want, abs=1e-6)
    assert "_idf-dict" in m.signature()


def test_baseline_rescaling(tiny_bert: Path) -> None:
    item = ScoringInput(CANDS[2], REFS[2])
    raw = BertScore(model=str(tiny_bert), num_layers=1).score_one(item).values
    one = BertScore(model=str(tiny_bert), num_layers=1, baseline=0.6).score_one(item).values
    for k in ("precision", "recall", "f1"):
        assert one[k] == pytest.approx((raw[k] - 0.6) / 0.4, abs=1e-12)
    three = BertScore(model=str(tiny_bert), num_layers=1, baseline=[0.5, 0.7, 0.9])
    v = three.score_one(item).values
    assert v["precision"] == pytest.approx((raw["precision"] - 0.5) / 0.5, abs=1e-12)
    assert v["recall"] == pytest.approx((raw["recall"] - 0.7) / 0.3, abs=1e-12)
    assert v["f1"] == pytest.approx((raw["f1"] - 0.9) / 0.1, abs=1e-12)
    assert three.signature().endswith("_rescaled(0.5,0.7,0.9)")
    # The identical text rescales to exactly 1.
    same = three.score_one(ScoringInput(CANDS[0], [CANDS[0]])).values
    assert same["f1"] == pytest.approx(1.0, abs=1e-6)


def test_empty_candidate_or_reference_scores_zero(tiny_bert: Path) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=2)
    for cand in ("", "   \n"):
        res = m.score_one(ScoringInput(cand, REFS[0]))
        assert res.values == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        assert res.details["empty"] == "candidate"
    res = m.score_one(ScoringInput(CANDS[0], [""]))
    assert res.values["f1"] == 0.0 and res.details["empty"] == "reference"
    # No reference at all (an unanswerable question): no value, and the details say why.
    none = m.score_one(ScoringInput(CANDS[0], []))
    assert none.values == {} and "no reference" in none.details["skipped"]


def test_batch_size_does_not_change_results(tiny_bert: Path) -> None:
    preds = [*CANDS, "Kurz.", CANDS[0] + " " + CANDS[1]]
    refs = [*REFS, ["Lang und ausführlich über Kambodscha."], REFS[0]]
    one = BertScore(model=str(tiny_bert), num_layers=2, batch_size=1, idf=True)
    big = BertScore(model=str(tiny_bert), num_layers=2, batch_size=64, idf=True)
    a = one.score_items([ScoringInput(p, r) for p, r in zip(preds, refs, strict=True)])
    b = big.score_items([ScoringInput(p, r) for p, r in zip(preds, refs, strict=True)])
    for x, y in zip(a, b, strict=True):
        assert [x.values[k] for k in x.values] == pytest.approx(
            [y.values[k] for k in x.values], abs=1e-6
        )
    ca, cb = one.compute(preds, refs), big.compute(preds, refs)
    assert ca["f1"] == pytest.approx(cb["f1"], abs=1e-6)
    assert one.signature() == big.signature()


def test_truncation_is_reported(tiny_bert: Path) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=2, max_length=8)
    long = " ".join(["Kambodscha"] * 20)
    res = m.score_one(ScoringInput(long, [long + " bekräftigt"]))
    assert res.details.get("truncated") is True
    assert res.values["f1"] == pytest.approx(1.0, abs=1e-6)  # both cut to the same 8 tokens
    assert "_max-length=8" in m.signature()


def test_signature_names_model_layer_idf_and_versions(tiny_bert: Path) -> None:
    from importlib import metadata

    sig = BertScore(model=str(tiny_bert), num_layers=1).signature()
    assert sig == (
        f"{tiny_bert}_L1_no-idf_version=harness-bertscore-1("
        f"torch={metadata.version('torch')},transformers={metadata.version('transformers')})"
    )
    sig_idf = BertScore(model=str(tiny_bert), num_layers=2, idf=True).signature()
    assert sig_idf.startswith(f"{tiny_bert}_L2_idf_version=")


def test_registered_and_created_by_name(tiny_bert: Path) -> None:
    m = create("bertscore", model=str(tiny_bert), num_layers=2)
    assert isinstance(m, BertScore)
    out = m.compute([CANDS[0]], [[CANDS[0]]])
    assert out["f1"] == pytest.approx([1.0], abs=1e-6)  # evaluate's layout: one value each


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({}, "model"),
        ({"model": "/no/such/folder"}, "model"),
        ({"model": "m", "num_layers": -1}, "num_layers"),
        ({"model": "m", "idf": "yes"}, "idf"),
        ({"model": "m", "batch_size": 0}, "batch_size"),
        ({"model": "m", "baseline": 1.0}, "baseline"),
        ({"model": "m", "baseline": [0.1, 0.2]}, "baseline"),
        ({"model": "m", "special_tokens": "keep"}, "special_tokens"),
        ({"model": "m", "idf_dict": {"x": 1.0}}, "idf_dict"),
        ({"model": "m", "max_length": 1}, "max_length"),
    ],
)
def test_bad_options_name_the_field(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=f"bertscore: {field}"):
        BertScore(**options)


def test_layer_past_the_model_is_an_error_at_first_use(tiny_bert: Path) -> None:
    m = BertScore(model=str(tiny_bert), num_layers=5)
    with pytest.raises(ValueError, match=r"num_layers: 5 is past the model's last layer \(2\)"):
        m.score_one(ScoringInput("a", ["b"]))


def test_missing_torch_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tiny_bert: Path) -> None:
    real = importlib.util.find_spec

    def fake(name: str, *args: Any) -> Any:
        return None if name == "torch" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    with pytest.raises(ValueError, match=r"bertscore needs torch: pip install 'harness\[models\]'"):
        BertScore(model=str(tiny_bert))


def test_unloadable_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"num_hidden_layers": 2}), encoding="utf-8")
    m = BertScore(model=str(tmp_path), num_layers=1)
    with pytest.raises(RuntimeError, match="bertscore: model: cannot load"):
        m.score_one(ScoringInput("a", ["b"]))


def test_import_does_not_load_torch() -> None:
    code = (
        "import sys, harness.metrics.bertscore, harness.metrics.judge, harness.metrics;"
        "harness.metrics.names();"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_parity_with_bert_score(tiny_bert: Path) -> None:
    if importlib.util.find_spec("bert_score") is None:
        pytest.skip("bert_score is not installed (pip install bert-score==0.3.13)")
    import bert_score

    # batch_size=1: bert_score pads similarity batches with zeros, which can change a
    # token's maximum when all its similarities are negative (see the module docstring).
    for layer, idf in ((1, False), (2, True)):
        (p, r, f) = bert_score.score(
            CANDS,
            REFS,
            model_type=str(tiny_bert),
            num_layers=layer,
            idf=idf,
            batch_size=1,
            device="cpu",
            nthreads=0,
            use_fast_tokenizer=True,
        )
        ours = BertScore(model=str(tiny_bert), num_layers=layer, idf=idf).score_items(
            [ScoringInput(c, rs) for c, rs in zip(CANDS, REFS, strict=True)]
        )
        for i, res in enumerate(ours):
            want = [float(p[i]), float(r[i]), float(f[i])]
            got = [res.values[k] for k in ("precision", "recall", "f1")]
            assert got == pytest.approx(want, abs=1e-5), (layer, idf, i)


def test_bertscore_in_a_run(tiny_bert: Path, tmp_path: Path) -> None:
    import yaml

    from harness.cli import main

    bertscore = {"name": "bertscore", "options": {"model": str(tiny_bert), "idf": True}}
    cfg = {
        "name": "semantic",
        "gold": [str(GOLD)],
        "tasks": ["summary"],
        "runners": [{"name": "oracle", "type": "oracle"}, {"name": "lead", "type": "lead"}],
        "metrics": {"summary": [bertscore]},
        "bootstrap": {"resamples": 50, "seed": 0},
        "output_dir": str(tmp_path / "results"),
    }
    path = tmp_path / "semantic.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "-q"]) == 0
    (run,) = (tmp_path / "results").iterdir()
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    oracle = summary["results"]["oracle"]["summary"]
    # The oracle answers with a reference: F1 against that reference is 1, with or without idf.
    assert oracle["metrics"]["bertscore.f1"]["value"] == pytest.approx(1.0, abs=1e-6)
    assert oracle["corpus"]["bertscore.f1"] == pytest.approx(1.0, abs=1e-6)
    lead = summary["results"]["lead"]["summary"]
    assert 0 < lead["corpus"]["bertscore.f1"] < 1
    assert lead["corpus"]["bertscore.f1"] != pytest.approx(lead["metrics"]["bertscore.f1"]["value"])
    assert summary["signatures"]["bertscore"].startswith(f"{tiny_bert}_L2_idf_version=")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_layers": 2},
        {"num_layers": 1, "idf": True},
        {"num_layers": 2, "use_fast_tokenizer": True},
        {"num_layers": 2, "rescale_with_baseline": True, "baseline_path": "BASELINE", "lang": "de"},
    ],
    ids=["default", "idf", "fast", "rescaled"],
)
def test_evaluate_drop_in_equals_evaluate_bertscore(
    tiny_bert: Path, tmp_path: Path, kwargs: dict[str, Any]
) -> None:
    """The same call through evaluate's official bertscore script and through ours."""
    import evaluate

    from harness import metrics

    if kwargs.get("baseline_path") == "BASELINE":
        path = tmp_path / "baseline.tsv"
        path.write_text("LAYER,P,R,F\n0,0.1,0.1,0.1\n1,0.2,0.2,0.2\n2,0.3,0.4,0.5\n")
        kwargs = {**kwargs, "baseline_path": str(path)}
    reference = Path(os.environ.get("HARNESS_EVALUATE_REFERENCE", "/nonexistent"))
    script = reference / "bertscore" / "bertscore.py"
    if not script.is_file():
        pytest.skip(f"no official evaluate script at {script} (HARNESS_EVALUATE_REFERENCE)")
    official = evaluate.load(str(script))
    # batch_size=1: bert_score pads similarity batches with zeros (see the module docstring)
    call = {"predictions": CANDS, "references": REFS, "model_type": str(tiny_bert), **kwargs}
    want = official.compute(batch_size=1, device="cpu", **call)
    got = metrics.load("bertscore").compute(**call)
    assert list(got) == list(want) == ["precision", "recall", "f1", "hashcode"]
    assert got["hashcode"] == want["hashcode"]
    for key in ("precision", "recall", "f1"):
        assert got[key] == pytest.approx(want[key], abs=1e-6), key


def test_shipped_german_baseline_is_used_by_name(tiny_bert: Path) -> None:
    from harness.metrics.bertscore import shipped_baseline

    assert shipped_baseline("de", "~/models/xlm-roberta-large", 17) == (
        0.83927697,
        0.83923465,
        0.83889884,
    )
    with pytest.raises(ValueError, match="no baseline for 'tiny' in 'de'.*xlm-roberta-large"):
        shipped_baseline("de", "/models/tiny", 2)
    m = BertScore(model=str(tiny_bert), num_layers=2, baseline="de")
    with pytest.raises(ValueError, match="bertscore: baseline: bert_score ships no baseline"):
        m.score_one(ScoringInput("a", ["b"]))
    assert m.signature().endswith("_rescaled(de)")
