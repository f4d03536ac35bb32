"""ROUGE: exact parity with rouge_score on English and in rouge_score mode; German-correct."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from rouge_score import rouge_scorer
from rouge_score.rouge_scorer import lcs_ind

from harness.metrics.base import ScoringInput
from harness.metrics.rouge import DEFAULT_TYPES, Rouge, lcs_ref_indices
from harness.text.sentences import split_sentences

TOL = 1e-12
ROOT = Path(__file__).resolve().parents[2]
GOLD_ARTICLE = ROOT / "gold" / "kambodscha-menschenhandel-2025" / "article.txt"
SEED_ARTICLE = ROOT.parent / "shared" / "seed" / "article.de.txt"
ARTICLE = GOLD_ARTICLE if GOLD_ARTICLE.is_file() else SEED_ARTICLE

# Few words with stem variants, so n-grams repeat and LCS ties are frequent.
VOCAB = [
    "the", "cat", "cats", "dog", "dogs", "runs", "running", "ran", "a", "lazy", "fox", "jumps",
    "jumped", "jumping", "and", "was", "is", "agreed", "agreement", "2024", "un", "nations",
    "flies",
]


def _sentence(rnd: random.Random) -> str:
    words = [rnd.choice(VOCAB) for _ in range(rnd.randint(1, 12))]
    if len(words) > 3 and rnd.random() < 0.3:
        words[rnd.randrange(1, len(words) - 1)] += ","
    text = " ".join(words) + rnd.choice([".", ".", "!", "?", ""])
    if rnd.random() < 0.1:
        text = text.capitalize()
    if rnd.random() < 0.05:
        text = "- " + text  # a list marker: no tokens, same numbers
    return text


def _text(rnd: random.Random) -> str:
    lines = [_sentence(rnd) for _ in range(rnd.randint(1, 4))]
    if rnd.random() < 0.1:
        lines.insert(rnd.randrange(len(lines) + 1), rnd.choice(["", " ", "...", ";"]))
    return "\n".join(lines)


def _battery(n: int, seed: int) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    return [(_text(rnd), _text(rnd)) for _ in range(n)]


HAND_CASES: list[tuple[str, str]] = [  # (prediction, reference)
    ("", ""),
    ("", "the cat sat."),
    ("the cat sat.", ""),
    ("...", "the cat"),
    ("\n\n", "the cat\nthe dog"),
    ("the cat sat on the mat.", "the cat sat on the mat."),
    ("the cat sat.\non the mat.", "the cat sat.\non the mat."),
    ("a b c d", "e f g h"),
    ("a b", "b a"),
    ("a a a", "a"),
    ("the the the cat", "the cat the cat the"),
    ("running dogs agreed", "the dog runs; agreement"),
    ("a b c\nb a c\nc b a", "a b c\nc a b"),
    ("x y z x y z", "z y x\nx z y"),
]
BATTERY = _battery(250, seed=20251128)
CONFIGS = [(tok, stemmer) for tok in ("unicode", "rouge_score") for stemmer in (True, False)]


def _assert_same(ours: dict[str, tuple[float, float, float]], theirs: dict[str, object]) -> None:
    for rouge_type, triple in ours.items():
        ref = theirs[rouge_type]
        for a, b in zip(triple, ref, strict=True):  # type: ignore[call-overload]
            assert abs(a - b) <= TOL, (rouge_type, triple, ref)


@pytest.mark.parametrize(("tokenizer", "use_stemmer"), CONFIGS)
def test_english_parity_with_rouge_score(tokenizer: str, use_stemmer: bool) -> None:
    scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=use_stemmer)
    ours = Rouge(language="en", tokenizer=tokenizer, use_stemmer=use_stemmer)
    for pred, ref in HAND_CASES + BATTERY:
        _assert_same(ours.score_triples(pred, [ref]), scorer.score(ref, pred))


@pytest.mark.parametrize(("prediction", "reference"), HAND_CASES)
def test_hand_cases(prediction: str, reference: str) -> None:
    scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=True)
    result = Rouge(language="en").score_one(ScoringInput(prediction, [reference]))
    theirs = scorer.score(reference, prediction)
    for t in DEFAULT_TYPES:
        assert result.values[t] == theirs[t].fmeasure
        assert result.details[t]["precision"] == theirs[t].precision
        assert result.details[t]["recall"] == theirs[t].recall
        assert 0.0 <= result.values[t] <= 1.0
    if not prediction.strip(". \n") or not reference.strip(". \n"):
        assert all(v == 0.0 for v in result.values.values())
    if prediction == reference and prediction:
        assert all(v == 1.0 for v in result.values.values())


def test_lcs_indices_equal_rouge_score_backtracking() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        k = rnd.randint(1, 5)
        ref = [rnd.randrange(k) for _ in range(rnd.randint(0, 14))]
        cand = [rnd.randrange(k) for _ in range(rnd.randint(0, 14))]
        assert lcs_ref_indices(ref, cand) == lcs_ind(ref, cand)[::-1], (ref, cand)


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_multi_reference_equals_score_multi(use_stemmer: bool) -> None:
    rnd = random.Random(11)
    scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=use_stemmer)
    ours = Rouge(language="en", use_stemmer=use_stemmer)
    for _ in range(80):
        refs = [_text(rnd) for _ in range(rnd.randint(1, 4))]
        if rnd.random() < 0.3:
            refs.append(refs[0])  # a tie: the first one wins
        pred = _text(rnd)
        _assert_same(ours.score_triples(pred, refs), scorer.score_multi(refs, pred))


def _german_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    sentences = split_sentences(ARTICLE.read_text(encoding="utf-8"))
    rnd = random.Random(seed)
    pairs = []
    for _ in range(n):
        ref = rnd.sample(sentences, rnd.randint(1, 3))
        pred = []
        for s in ref:
            words = [w for w in s.split() if rnd.random() > 0.2]
            if rnd.random() < 0.2:
                rnd.shuffle(words)
            pred.append(" ".join(words))
        pairs.append(("\n".join(pred), "\n".join(ref)))
    return pairs + [("Größe", "Grüße"), ("Die Säulen stärken", "die Säule stärkt")]


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_rouge_score_mode_on_german(use_stemmer: bool) -> None:
    scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=use_stemmer)
    for language in ("de", "en"):
        ours = Rouge(language=language, tokenizer="rouge_score", use_stemmer=use_stemmer)
        for pred, ref in _german_pairs(60, seed=3):
            _assert_same(ours.score_triples(pred, [ref]), scorer.score(ref, pred))


def test_groesse_gruesse() -> None:
    theirs = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True).score("Grüße", "Größe")
    assert theirs["rouge1"].fmeasure == 1.0  # rouge_score: umlauts split words
    ours = Rouge().score_one(ScoringInput("Größe", ["Grüße"]))
    assert ours.values["rouge1"] != 1.0
    assert ours.values["rouge1"] == 0.0


def test_inflection_gets_credit_from_stemming() -> None:
    item = ScoringInput("Die Säulen stärken", ["die Säule stärkt"])
    stemmed = Rouge().score_one(item).values
    plain = Rouge(use_stemmer=False).score_one(item).values
    assert stemmed["rouge1"] == pytest.approx(2 / 3)  # die, saul
    assert plain["rouge1"] == pytest.approx(1 / 3)  # die
    assert stemmed["rouge1"] > plain["rouge1"]


def test_lsum_uses_german_sentences() -> None:
    one_line = "Die Sitzung fand vom 24. bis 25. November statt. Danach sprach z. B. Dr. Keo."
    lines = "Die Sitzung fand vom 24. bis 25. November statt.\nDanach sprach z. B. Dr. Keo."
    pred = "Danach sprach Dr. Keo.\nDie Sitzung fand im November statt."
    m = Rouge()
    a = m.score_triples(pred, [one_line])["rougeLsum"]
    b = m.score_triples(pred, [lines])["rougeLsum"]
    assert a == b
    assert a[2] > m.score_triples(pred, [one_line])["rougeL"][2]


def test_no_references_scores_zero() -> None:
    values = Rouge().score_one(ScoringInput("etwas", [])).values
    assert values == dict.fromkeys(DEFAULT_TYPES, 0.0)


def test_custom_rouge_types() -> None:
    types = ("rouge3", "rougeL")
    scorer = rouge_scorer.RougeScorer(list(types))
    ours = Rouge(language="en", use_stemmer=False, rouge_types=types)
    for pred, ref in BATTERY[:50]:
        _assert_same(ours.score_triples(pred, [ref]), scorer.score(ref, pred))
    result = ours.score_one(ScoringInput("a b c d", ["a b c d"]))
    assert set(result.values) == set(types)
    assert "types=rouge3,rougeL" in ours.signature()


@pytest.mark.parametrize(
    "options",
    [
        {"language": "fr"},
        {"tokenizer": "whitespace"},
        {"rouge_types": ("rougeX",)},
        {"rouge_types": ("rouge0",)},
        {"rouge_types": ()},
    ],
)
def test_invalid_options(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Rouge(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, r"rouge\|tok=unicode-nfkc-casefold\|stem=snowball-german\(PyStemmer [\d.]+\)"
             r"\|lsum=de-sentences\|v=1"),
        ({"language": "en"}, r"rouge\|tok=unicode-nfkc-casefold\|stem=porter-len>3\(nltk [\d.]+\)"
                             r"\|lsum=en-sentences\|v=1"),
        ({"use_stemmer": False}, r"rouge\|tok=unicode-nfkc-casefold\|stem=none\|lsum=de-sentences"
                                 r"\|v=1"),
        ({"tokenizer": "rouge_score"}, r"rouge\|tok=rouge_score-0\.1\.2\|stem=porter-len>3"
                                       r"\(nltk [\d.]+\)\|lsum=newline\|v=1"),
    ],
)
def test_signature(options: dict[str, object], expected: str) -> None:
    assert re.fullmatch(expected, Rouge(**options).signature())  # type: ignore[arg-type]


def _mean(rows: Sequence[dict[str, float]], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows)


def test_compute_via_evaluate() -> None:
    preds = ["Die Säulen stärken", "Kambodscha bekräftigt sein Engagement.", ""]
    refs = [["die Säule stärkt"], ["Kambodscha bekräftigt Engagement.", "Anderes."], ["x"]]
    m = Rouge()
    out = m.compute(predictions=preds, references=refs)
    rows = [dict(m.score_one(ScoringInput(p, r)).values) for p, r in zip(preds, refs, strict=True)]
    for t in DEFAULT_TYPES:
        assert out[t] == pytest.approx(_mean(rows, t))
    assert "signature" not in out and all(isinstance(v, float) for v in out.values())


def test_load_by_name() -> None:
    import evaluate

    from harness import metrics

    m = metrics.load("rouge", language="en")
    assert isinstance(m, evaluate.EvaluationModule)
    assert isinstance(m.harness_metric, Rouge)
    out = m.compute(predictions=["the cat sat"], references=[["the cat sat"]])
    assert out == dict.fromkeys(DEFAULT_TYPES, 1.0)
    # evaluate's default: no stemming unless asked for
    assert m.signature.startswith("rouge|tok=unicode-nfkc-casefold|stem=none")
    stemmed = metrics.load("rouge", language="en", use_stemmer=True)
    assert stemmed.signature.startswith("rouge|tok=unicode-nfkc-casefold|stem=porter")


def test_token_cache_reset_keeps_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.metrics.rouge as rouge_module

    reference = Rouge(language="en")
    expected = [reference.score_triples(p, [r]) for p, r in BATTERY[:40]]
    monkeypatch.setattr(rouge_module, "_MAX_CACHE", 5)
    small = Rouge(language="en")
    assert [small.score_triples(p, [r]) for p, r in BATTERY[:40]] == expected
    assert len(small._token_ids) < 40
