"""German-aware sentence splitting (the sentences of ROUGE-Lsum)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text.sentences import split_sentences
from harness.text.tokenize import tokens

ROOT = Path(__file__).resolve().parents[2]
GOLD_ARTICLE = ROOT / "gold" / "kambodscha-menschenhandel-2025" / "article.txt"
SEED_ARTICLE = ROOT.parent / "shared" / "seed" / "article.de.txt"
ARTICLE = GOLD_ARTICLE if GOLD_ARTICLE.is_file() else SEED_ARTICLE

# (first words, last words) of every sentence of the article, in order.
ARTICLE_SENTENCES: list[tuple[str, str]] = [
    ("Kambodscha bekräftigt Engagement", "gegen Menschenhandel"),  # title
    ("Kambodscha bekräftigt Engagement", "gegen Menschenhandel"),  # title again
    ("Kambodscha hat diese Woche", "gegen Menschenhandel bekräftigt."),
    ("Botschafter Keo Chhea, Ständiger", "nationalen Agenda des Königreichs habe."),
    ("Die Sitzung, die vom 24. bis 25. November", "sein 15-jähriges Bestehen feiert."),
    ("Botschafter Chhea versicherte", "nationalen Strategie übereinstimme."),
    ("Er hob die Fortschritte hervor", "denen sich die Welt gegenübersieht."),
    ("Ein zentrales Element", "der im August 2024 eingeführt wurde."),
    ("Dieser Plan basiert auf vier Säulen", "nachhaltige Lösungen zu entwickeln."),
    ("Der Botschafter betonte", "internationale Partnerschaften leite."),
    ("Kambodscha unterstrich auch", "anfällig für Menschenhandel machen."),
    ("Dazu gehören langfristige Strategien", "Förderung sicherer Migrationswege."),
    ("Diese strukturellen Maßnahmen", "die Gemeinschaft zu schützen."),
    ("Besondere Besorgnis äußerte Kambodscha", "Netzwerke für den Menschenhandel."),
    ("Das Land forderte dringende", "kriminellen Operationen entgegenzuwirken."),
    ("Dazu gehören die Stärkung", "Zusammenarbeit mit Technologieunternehmen."),
    ("Kambodscha rief die internationale", "kriminelle Syndikate zu zerschlagen."),
    ("Quelle: Men Kiri / Khmer Times", "Khmer Times, 28. November 2025."),
    ("Link zum Artikel", "Link zum Artikel"),
]


def test_article_sentences() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    got = split_sentences(text)
    assert len(got) == len(ARTICLE_SENTENCES), got
    for sentence, (head, tail) in zip(got, ARTICLE_SENTENCES, strict=True):
        assert sentence.startswith(head), sentence
        assert sentence.endswith(tail), sentence
    # nothing lost: the sentences hold every word of the article, in order
    assert [t for s in got for t in tokens(s)] == tokens(text)


CASES: list[tuple[str, list[str]]] = [
    ("", []),
    ("\n \n\t\n", []),
    ("vom 24. bis 25. November", ["vom 24. bis 25. November"]),
    ("z. B. am 3. Mai", ["z. B. am 3. Mai"]),
    ("am 24. November", ["am 24. November"]),
    ("Die Sitzung fand am 24. November statt. Danach sprach er.",
     ["Die Sitzung fand am 24. November statt.", "Danach sprach er."]),
    ("Sie tagte vom 24. bis 25. November in New York. Er sprach.",
     ["Sie tagte vom 24. bis 25. November in New York.", "Er sprach."]),
    ("Am 24.\u00a0Nov. 2025 begann sie. Dann endete sie.",
     ["Am 24.\u00a0Nov. 2025 begann sie.", "Dann endete sie."]),
    ("Er kam z. B. mit Dr. Keo und Prof. Müller. Sie gingen.",
     ["Er kam z. B. mit Dr. Keo und Prof. Müller.", "Sie gingen."]),
    ("Das gilt u. a. für Kambodscha, d. h. für alle. Gut.",
     ["Das gilt u. a. für Kambodscha, d. h. für alle.", "Gut."]),
    ("Das gilt z.B. Kambodscha bzw. Thailand, vgl. Nr. 5 usw. Ende.",
     ["Das gilt z.B. Kambodscha bzw. Thailand, vgl. Nr. 5 usw. Ende."]),
    ("Es kostet ca. 3 Mio. Euro. Gut.", ["Es kostet ca. 3 Mio. Euro.", "Gut."]),
    ("J. Smith kam. Dann ging er.", ["J. Smith kam.", "Dann ging er."]),
    ("Am 3. Tag endete die Sitzung.", ["Am 3. Tag endete die Sitzung."]),
    ("Im 19. Jahrhundert war es anders.", ["Im 19. Jahrhundert war es anders."]),
    ("Kambodscha belegte den 2. Platz.", ["Kambodscha belegte den 2. Platz."]),
    ("24. 11. 2025 war der Tag.", ["24. 11. 2025 war der Tag."]),
    ("Der Plan gilt bis 2028. Die Sitzung war im Jahr 2024. Er sprach.",
     ["Der Plan gilt bis 2028.", "Die Sitzung war im Jahr 2024.", "Er sprach."]),
    ("Die Zahl stieg auf 15. Die Behörden reagierten.",
     ["Die Zahl stieg auf 15.", "Die Behörden reagierten."]),
    ("1. Die Sitzung. 2. Der Plan.", ["1. Die Sitzung.", "2. Der Plan."]),
    ("Was? Nein! Doch… Ja.", ["Was?", "Nein!", "Doch…", "Ja."]),
    ("Er sagte: „Wir kämpfen weiter.“ Dann ging er.",
     ["Er sagte: „Wir kämpfen weiter.“", "Dann ging er."]),
    ("„Warum?“, fragte er. „Darum.“ Sie lachte.",
     ["„Warum?“, fragte er.", "„Darum.“", "Sie lachte."]),
    ("Er ging (endlich.) Sie blieb.", ["Er ging (endlich.)", "Sie blieb."]),
    ("Es endet. und geht weiter", ["Es endet. und geht weiter"]),
    ("Version 2.5 ist da. Gut.", ["Version 2.5 ist da.", "Gut."]),
    ("- Erstens.\n* Zweitens\n• Drittens\n\n  \n-\n1. Viertens",
     ["Erstens.", "Zweitens", "Drittens", "1. Viertens"]),
    ("Zeile eins\r\nZeile zwei\n", ["Zeile eins", "Zeile zwei"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


ENGLISH_CASES: list[tuple[str, list[str]]] = [
    ("Mr. Smith went home. He slept.", ["Mr. Smith went home.", "He slept."]),
    ("It grew in 2024. The plan, e.g. this one, works.",
     ["It grew in 2024.", "The plan, e.g. this one, works."]),
    ("the cat sat.\nthe dog ran!", ["the cat sat.", "the dog ran!"]),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_CASES)
def test_split_sentences_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, language="en") == expected


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        split_sentences("x", language="fr")


_FRAGMENTS = st.sampled_from(
    ["Die", "Säulen", "z.", "B.", "24.", "November", "Nr.", "Dr.", "J.", "3.", "Tag", "und",
     "Er", "sprach.", "Was?", "„Ja.“", "- ", "• ", "\n", "\r\n", " ", "...", "2024.", "(gut.)"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40).map(" ".join))
def test_sentences_keep_every_token(text: str) -> None:
    """Concatenated sentence tokens equal the text's tokens (ROUGE relies on it)."""
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert [t for s in sentences for t in tokens(s)] == tokens(text)
