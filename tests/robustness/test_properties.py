"""Properties over any Unicode text: no crash, scores in range, symmetric, identity scores the top.

The text layer and the metrics score whatever a model emits, so they must
hold for any string, not just German prose. Each property runs a few hundred
generated examples (no deadline: the 2-core CI machine is slow at times).
The strategies mix arbitrary Unicode (control characters, combining marks,
RTL overrides, lone surrogates where Python strings can hold them) with
German fragments that reach the interesting code paths: dates, number
words, abbreviations, quotes and dashes.
"""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from harness.metrics import ScoringInput, create
from harness.text.abstain import is_abstention
from harness.text.answers import answer_supported, answer_tokens, normalize_answer_de
from harness.text.dates import find_dates
from harness.text.normalize import clean, collapse_spaces, punctuation_to_space, unify_dashes
from harness.text.numbers import find_numbers
from harness.text.sentences import split_sentences
from harness.text.tokenize import tokens

FRAGMENTS = [
    "Die", "Säulen", "Kambodscha", "Keo Chhea", "24.", "November", "2025", "24.11.2025", "z.", "B.",
    "Nr.", "Dr.", "vier", "einundzwanzig", "1.000", "2,5", "%", "Prozent", "bis", "–", "-", "/",
    "„", "“", "»", "«", "'", "\"", "(", ")", "?", "!", "...", "\n", "\r\n", "\t", " ", "\u00a0",
    "\u00ad", "\u200b", "\ufeff", "\u202e", "\u0308", "a\u0308", "a\u00ad", "ß", "ẞ", "İ", "ﬁ",
    "|", "`", "<b>", "nicht im Text", "not stated", "2024–2028", "im August 2024", "der", "the",
    "\x00", "\x1b",
]  # fmt: skip

# Any code point Python can put in a str, lone surrogates (category Cs) included.
ANY_CHAR = st.one_of(st.characters(), st.characters(categories=["Cs"]))
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(ANY_CHAR, max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=20).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=20).map("".join),
)
REFS = st.lists(TEXT, max_size=3)
FAST = settings(max_examples=150, deadline=None)

# name -> (options, the range of every value)
METRICS: dict[str, tuple[dict[str, object], tuple[float, float]]] = {
    "squad_v2": ({}, (0.0, 100.0)),
    "qa_de": ({}, (0.0, 100.0)),
    "rouge": ({}, (0.0, 1.0)),
    "chrf": ({}, (0.0, 100.0)),
}
_INSTANCES = {name: create(name, **opts) for name, (opts, _) in METRICS.items()}


def score(name: str, prediction: str, references: list[str]) -> dict[str, float]:
    return dict(_INSTANCES[name].score_one(ScoringInput(prediction, references)).values)


# -- the text layer ------------------------------------------------------------------


@FAST
@given(TEXT)
def test_answer_tokens_any_text(text: str) -> None:
    toks = answer_tokens(text)
    assert all(t and not any(c.isspace() for c in t) for t in toks)
    assert normalize_answer_de(text) == " ".join(toks)
    # Surrounding blanks and quotes carry nothing.
    assert answer_tokens(f" „{text}“ ") == toks
    if toks:
        assert answer_supported(text, text)


@FAST
@given(TEXT)
def test_normalizers_any_text(text: str) -> None:
    assert unify_dashes(unify_dashes(text)) == unify_dashes(text)
    assert len(punctuation_to_space(text)) == len(text)  # replaced, never deleted
    collapsed = collapse_spaces(text)
    assert collapse_spaces(collapsed) == collapsed and "  " not in collapsed
    assert "\u00ad" not in clean(text) and "\ufeff" not in clean(text)  # invisibles go


@FAST
@example("Ma\u00ad\u0308rz")
@given(TEXT)
def test_clean_gives_nfc(text: str) -> None:
    cleaned = clean(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean(cleaned) == cleaned


@FAST
@given(TEXT)
def test_tokens_any_text(text: str) -> None:
    toks = tokens(text)
    # Casefolded and recomposed: a fixed point of casefold+NFKC (plain t == t.casefold()
    # cannot hold for "ẗ", whose case folding is decomposed).
    assert all(
        t and unicodedata.normalize("NFKC", t.casefold()) == t and not any(c.isspace() for c in t)
        for t in toks
    )
    assert tokens(" ".join(toks)) == toks  # tokens are a fixed point


@FAST
@given(TEXT)
def test_sentences_keep_every_token_of_any_text(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert [t for s in sentences for t in tokens(s)] == tokens(text)


@FAST
@given(TEXT)
def test_dates_and_numbers_any_text(text: str) -> None:
    for mentions in (find_dates(text), find_numbers(text)):
        end = 0
        for m in mentions:
            assert end <= m.start < m.end <= len(text)
            assert m.text == text[m.start : m.end]
            end = m.end
    for n in find_numbers(text):
        assert math.isfinite(n.value)


# -- the metrics ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_values_stay_in_range(name: str) -> None:
    low, high = METRICS[name][1]

    @FAST
    @given(TEXT, REFS)
    def check(prediction: str, references: list[str]) -> None:
        values = score(name, prediction, references)
        assert values
        for key, v in values.items():
            assert math.isfinite(v) and low <= v <= high, (key, v)

    check()


@FAST
@given(TEXT, TEXT)
def test_squad_is_symmetric(a: str, b: str) -> None:
    # Symmetric by definition once abstentions are not mapped to the empty answer.
    m = create("squad_v2", abstention_as_empty=False)
    ab = m.score_one(ScoringInput(a, [b])).values
    ba = m.score_one(ScoringInput(b, [a])).values
    assert ab == pytest.approx(ba)


@FAST
@given(TEXT, TEXT)
def test_qa_de_is_symmetric(a: str, b: str) -> None:
    # An answer that says "not in the text" is not a reference: exclude abstentions.
    assume(answer_tokens(a) and answer_tokens(b))
    assume(not is_abstention(a) and not is_abstention(b))
    assert score("qa_de", a, [b]) == pytest.approx(score("qa_de", b, [a]))


@FAST
@given(TEXT, TEXT)
def test_rouge_f_measures_are_symmetric(a: str, b: str) -> None:
    ab, ba = score("rouge", a, [b]), score("rouge", b, [a])
    for key in ("rouge1", "rouge2", "rougeL"):  # rougeLsum's union-LCS is not symmetric
        assert ab[key] == pytest.approx(ba[key]), key


@FAST
@given(TEXT)
def test_identical_input_scores_the_maximum(text: str) -> None:
    squad = create("squad_v2", abstention_as_empty=False).score_one(ScoringInput(text, [text]))
    assert squad.values == {"exact": 100.0, "f1": 100.0}
    if answer_tokens(text) and not is_abstention(text):
        assert score("qa_de", text, [text]) == {"exact": 100.0, "f1": 100.0}
    toks = tokens(text)
    if toks:
        r = score("rouge", text, [text])
        assert r["rouge1"] == r["rougeL"] == r["rougeLsum"] == pytest.approx(1.0)
        if len(toks) > 1:
            assert r["rouge2"] == pytest.approx(1.0)
    if "".join(text.split()):
        assert score("chrf", text, [text])["chrf"] == pytest.approx(100.0)
