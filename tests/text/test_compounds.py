"""German compound splitting and matching units (HanTa's analysis, Snowball stems, foldings)."""

from __future__ import annotations

import pytest

from harness.text.compounds import compounds_signature, split_compound, units


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Opferschutz", ("opfer", "schutz")),
        ("Opferschutzes", ("opfer", "schutzes")),  # the head keeps its ending
        ("Strafverfolgungsbehörden", ("straf", "verfolgung", "behörden")),  # -s- dropped
        ("Menschenhandel", ("mensch", "handel")),  # -en- dropped
        ("Technologieunternehmen", ("technologie", "unternehmen")),
        ("Informationsaustausch", ("information", "austausch")),
        ("sektorübergreifende", ("sektor", "übergreifende")),
        # not compounds: returned whole
        ("Zusammenarbeit", ("zusammenarbeit",)),
        ("Koordination", ("koordination",)),
        ("Säulen", ("säulen",)),
        ("Chhea", ("chhea",)),
        ("2024", ("2024",)),
        ("UN", ("un",)),
    ],
)
def test_split_compound(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stärkung", "stärken"),
        ("stärkere", "stärken"),
        ("gestärkte", "stärken"),
        ("Verbesserung", "verbessert"),
        ("Koordination", "koordinieren"),
        ("Förderung", "fördern"),
        ("Entwicklung", "entwickeln"),
        ("Lösungen", "lösen"),
        ("Ungleichheiten", "ungleich"),
        ("Kambodschas", "Kambodscha"),  # a name's genitive
        ("Opferschutzes", "Opferschutz"),
    ],
)
def test_units_meet_across_inflection_and_word_class(a: str, b: str) -> None:
    assert units(a) == units(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Opferschutz", "Kinderschutz"),
        ("Strafverfolgung", "Täterverfolgung"),
        ("Sektoren", "Sektorübergreifend"),
    ],
)
def test_different_compounds_differ(a: str, b: str) -> None:
    assert units(a) != units(b)
    assert set(units(a)) & set(units(b))  # ... yet share a part


def test_capitalised_names_are_not_read_as_participles() -> None:
    # "Vereinte" and "Vereinten" (in "Vereinte Nationen") must stay one unit
    assert units("Vereinte") == units("Vereinten") == ("vereint",)


def test_english_is_porter_stemmed_and_not_split() -> None:
    assert units("protections", "en") == ("protect",)
    assert units("lawenforcement", "en") == ("lawenforc",)
    with pytest.raises(ValueError, match="unsupported language"):
        units("Schutz", "fr")


def test_signature_names_the_analyser() -> None:
    assert compounds_signature().startswith("hanta-1.")
