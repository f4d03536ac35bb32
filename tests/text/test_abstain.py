"""is_abstention: an output counts only when its content is an abstention statement."""

from __future__ import annotations

import pytest

from harness.text.abstain import DEFAULT_PHRASES, is_abstention

# (output, is an abstention): German and English, statements and answers that merely
# contain an abstention word.
CASES: list[tuple[str, bool]] = [
    # -- abstentions: empty, or the whole content says the text does not answer
    ("", True),
    ("   ", True),
    ("…", True),
    ("Antwort:", True),
    ("nicht im Text", True),
    ("Nicht im Text.", True),
    ("Das steht nicht im Text.", True),
    ("Dazu steht nichts im Artikel.", True),
    ("Das geht aus dem Text nicht hervor.", True),
    ("Der Artikel nennt keine Zahl.", True),
    ("Keine Angabe.", True),
    ("keine Angaben", True),
    ("unbekannt", True),
    ("Unbekannt.", True),
    ("Das ist unbekannt.", True),
    ("Nicht bekannt.", True),
    ("Es wird nicht erwähnt, wer die Sitzung leitete.", True),
    ("Wer die Sitzung leitete, wird nicht erwähnt.", True),
    ("Die Zahl der Opfer wird nicht genannt.", True),
    ("Das Datum wird im Text nicht ausdrücklich genannt.", True),
    ("Der Text enthält dazu keine Informationen.", True),
    ("Hierzu macht der Artikel keine Angaben.", True),
    ("Angaben dazu fehlen.", True),
    ("Das lässt sich aus dem Text nicht beantworten.", True),
    ("Ich weiß es nicht.", True),
    ("Weiß nicht.", True),
    ("Keine Ahnung.", True),
    ("Antwort: Das steht nicht im Text.", True),
    ("Leider steht das nicht im Artikel.", True),
    ("Tut mir leid, aber das steht nicht im Text.", True),
    ("Es tut mir leid, dazu finde ich im Text nichts.", True),
    ("k. A.", True),
    ("I don't know.", True),
    ("The article doesn't say.", True),
    ("The article does not say who led the meeting.", True),
    ("Not mentioned in the text.", True),
    ("Not stated.", True),
    ("Unknown.", True),
    ("It is unknown.", True),
    ("n/a", True),
    ("No information.", True),
    ("No answer.", True),
    ("Sorry, the article does not say.", True),
    ("I'm afraid the text doesn't mention it.", True),
    ("Unfortunately, this is not stated in the article.", True),
    ("This question cannot be answered from the text.", True),
    ("The text does not specify the number.", True),
    ("Answer: unanswerable", True),
    # -- answers: a value, a name, a date, a contrast, or other content words
    ("Keo Chhea", False),
    ("Täter unbekannt", False),
    ("Unbekannter Täter", False),
    ("the Unknown Soldier", False),
    ("Unknown Pleasures", False),
    ("Die Zahl ist nicht bekannt, aber Keo Chhea sprach", False),
    ("Es wird nicht erwähnt, wer die Sitzung leitete, aber es war der Botschafter.", False),
    ("Das steht nicht im Text, vermutlich aber 2024.", False),
    ("Nicht im Text. Es war Keo Chhea.", False),
    ("Der Artikel nennt keine Zahl, es waren vier.", False),
    ("Es wird nicht erwähnt, wann Keo Chhea sprach.", False),
    ("Nicht in Berlin, sondern in Genf.", False),
    ("Die Sitzung fand nicht in New York statt.", False),
    ("Die Antwort ist nicht der Präsident.", False),
    ("Es gibt keinen Täter.", False),
    ("Nicht vor Ort", False),
    ("Nein.", False),
    ("Nein, es ist das 15-jährige Jubiläum.", False),
    ("No.", False),
    ("Yes, fully.", False),
    ("Keine", False),
    ("Niemand", False),
    ("2024", False),
    ("vier", False),
    ("Am 24. November", False),
    ("Im November", False),
    ("Not Keo Chhea.", False),
    ("The answer is not the blue car.", False),
    ("I don't know, but it might be Hun Sen.", False),
    ("Der Botschafter Keo Chhea", False),
    ("Dazu schweigt der Artikel.", False),  # no negation: add it with extra_phrases
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_content_decides(text: str, expected: bool) -> None:
    assert is_abstention(text) is expected


def test_the_table_is_large_and_balanced() -> None:
    assert len(CASES) >= 40
    assert sum(e for _, e in CASES) >= 20 and sum(not e for _, e in CASES) >= 20


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        # the question's words may be restated, names included
        ("Es wird nicht erwähnt, wann Keo Chhea sprach.", "Wann sprach Keo Chhea?", True),
        ("The article does not give the number of victims.", "How many victims?", True),
        ("Täter unbekannt", "Wer war der Täter?", True),
        # ... but a value is still a value, and other names are still answers
        ("Es wird nicht erwähnt, wann Keo Chhea sprach.", "Wer sprach?", False),
        ("Das steht nicht im Text, vermutlich 2024.", "Wann war das im Jahr 2024?", False),
        ("Not mentioned; maybe Hun Sen.", "Who spoke?", False),
        # several renderings of the question
        ("Wann Keo Chhea sprach, steht nicht im Text.", ["Who spoke?", "Wann sprach Keo Chhea?"],
         True),
    ],
)  # fmt: skip
def test_question_words_may_be_restated(
    text: str, question: str | list[str], expected: bool
) -> None:
    assert is_abstention(text, question=question) is expected


def test_gold_answers_are_never_abstentions() -> None:
    assert is_abstention("keine Angaben")
    assert not is_abstention("keine Angaben", answers=["Keine Angaben"])
    assert not is_abstention("Leider keine Angaben.", answers=["keine Angaben"])
    assert not is_abstention("unbekannt", answers=["Unbekannt"])


def test_custom_phrases_replace_the_grammar() -> None:
    only = ["weiß nicht"]
    assert is_abstention("Weiß nicht!", only)
    assert is_abstention("Leider weiß nicht.", only)
    assert not is_abstention("nicht im Text", only)
    assert not is_abstention("Keo Chhea weiß nicht", only)  # the rest still carries no value
    assert is_abstention("", only)


def test_extra_phrases_add_to_the_grammar() -> None:
    extra = [*DEFAULT_PHRASES, "dazu schweigt der artikel"]
    assert is_abstention("Dazu schweigt der Artikel.", extra)
    assert is_abstention("Nicht im Text.", extra)
    assert not is_abstention("Dazu schweigt der Artikel, aber Keo Chhea sprach.", extra)


def test_long_outputs_are_answers() -> None:
    long = "Das steht nicht im Text. " * 20
    assert not is_abstention(long)


def test_signature_stays_backward_compatible() -> None:
    # positional phrases and answers, as callers have always passed them
    assert is_abstention("Keine Angabe.", DEFAULT_PHRASES, ["Keo Chhea"])
    assert not is_abstention("Keo Chhea", DEFAULT_PHRASES, ["Keo Chhea"])
    assert len(DEFAULT_PHRASES) == 30


@pytest.mark.parametrize(
    ("prediction", "abstained"),
    [
        ("Täter unbekannt", False),
        ("the Unknown Soldier", False),
        ("Die Zahl ist nicht bekannt, aber Keo Chhea sprach", False),
        ("Es wird nicht erwähnt, wer die Sitzung leitete.", True),
        ("Leider steht dazu nichts im Artikel.", True),
    ],
)
def test_metrics_read_the_content(prediction: str, abstained: bool) -> None:
    from harness import metrics
    from harness.metrics.base import ScoringInput
    from harness.types import Sample

    sample = Sample(id="d/u", doc_id="d", task="qa", language="de",
                    input="Wer leitete die Sitzung?", references=(), answerable=False)  # fmt: skip
    item = ScoringInput(prediction, [], sample=sample)
    assert metrics.create("abstention").score(item).values["abstained"] == float(abstained)
    assert metrics.create("qa_de").score(item).values["exact"] == (100.0 if abstained else 0.0)
