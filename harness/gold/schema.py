"""The gold file schemas (pydantic, unknown keys rejected). See ``gold/README.md``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ISO_PATTERN = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class EvidenceModel(_Strict):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(min_length=1)


class SourceModel(_Strict):
    author: str
    publication: str
    title: str
    date: str
    url: str | None = None


class MetaModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    source: SourceModel
    license: str | None = None


QAType = Literal["factoid", "list", "date", "number", "yes/no"]


class QAModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    question: str = Field(min_length=1)
    question_en: str = Field(min_length=1)
    answers: list[str]
    answers_en: list[str] = []
    category: str = Field(min_length=1)
    type: QAType
    answerable: bool = True
    evidence: list[EvidenceModel] = []
    abstractive: bool = False
    note: str | None = None

    @field_validator("answers", "answers_en")
    @classmethod
    def _answers_not_blank(cls, v: list[str]) -> list[str]:
        for a in v:
            if not a.strip():
                raise ValueError("an answer is empty or blank")
        if len(set(v)) != len(v):
            raise ValueError("duplicate answer variants")
        return v


class SummaryModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    length: Literal["headline", "abstract", "bullets"]
    language: str = Field(pattern=r"^[a-z]{2}$")
    text: str = Field(min_length=1)
    author: str | None = None


def _iso(v: str) -> str:
    if not ISO_PATTERN.match(v):
        raise ValueError(f"{v!r} is not an ISO date like 2025-11-24, --11-24 or 2024-08")
    return v


IsoDate = Annotated[str, AfterValidator(_iso)]


def _words(v: list[str]) -> list[str]:
    """A list of words or phrases: none blank, none twice."""
    for w in v:
        if not w.strip():
            raise ValueError("an entry is empty or blank")
    if len(set(v)) != len(v):
        raise ValueError("duplicate entries")
    return v


Words = Annotated[list[str], AfterValidator(_words)]


def _synonym_groups(v: list[list[str]]) -> list[list[str]]:
    """Groups of at least two interchangeable words; a word belongs to one group only."""
    seen: dict[str, int] = {}
    for i, group in enumerate(v):
        if len(group) < 2:
            raise ValueError(f"synonym group {i + 1} needs at least two members")
        _words(group)
        for w in group:
            key = w.strip().casefold()
            if key in seen and seen[key] != i:
                raise ValueError(f"{w!r} is in synonym groups {seen[key] + 1} and {i + 1}")
            seen[key] = i
    return v


class DateMatcher(_Strict):
    type: Literal["date"]
    start: IsoDate
    end: IsoDate
    near: Words = []  # the slot's words: another date contradicts only in their sentence


class YearRangeMatcher(_Strict):
    type: Literal["year_range"]
    start: int = Field(ge=1000, le=2999)
    end: int = Field(ge=1000, le=2999)
    near: Words = []


class PersonMatcher(_Strict):
    type: Literal["person"]
    names: list[str] = Field(min_length=1)
    roles: Words = []  # another person bound to one of these contradicts the fact


class NumberMatcher(_Strict):
    type: Literal["number"]
    value: float
    near: list[str] = []


class TextMatcher(_Strict):
    type: Literal["text"]
    aliases: list[str] = Field(min_length=1)
    min_overlap: float = Field(default=0.6, gt=0, le=1)
    synonyms: Annotated[list[list[str]], AfterValidator(_synonym_groups)] = []
    context: Words = []  # a match inside one word counts only in a sentence holding one
    holder: Words = []  # the role's person: the role bound to another person contradicts


Matcher = Annotated[
    DateMatcher | YearRangeMatcher | PersonMatcher | NumberMatcher | TextMatcher,
    Field(discriminator="type"),
]


class FactModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    statement: str = Field(min_length=1)
    statement_en: str | None = None
    matcher: Matcher
    weight: int = Field(default=1, ge=1, le=3)
    label: str = Field(min_length=1)
    evidence: list[EvidenceModel] = []
