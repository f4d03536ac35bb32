"""Prompt templates per task and language, versioned.

Each template has an ``instruction`` (what precedes the article), a per-item
``item`` part with ``{question}`` or nothing, the answer ``cue`` and default
stop sequences. Change the text, bump ``version``: the hash in the manifest
and every cache key change with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    name: str
    version: int
    instruction: str
    item: str
    cue: str
    stop: tuple[str, ...]
    max_new_tokens: int
    # What the cue already started of the answer ("-" of the first bullet): put back in
    # front of a completion that continues it.
    answer_prefix: str = ""


ABSTAIN_DE = "nicht im Text"
ABSTAIN_EN = "not stated in the text"

QA_DE = Template(
    name="qa-de",
    version=1,
    instruction=(
        "Lies den Artikel und beantworte die Frage kurz, mit Worten aus dem Artikel. "
        f"Wenn der Artikel die Antwort nicht enthält, antworte: {ABSTAIN_DE}.\n\n"
        "Artikel:\n{article}\n\n"
    ),
    item="Frage: {question}\n",
    cue="Antwort:",
    stop=("\n",),
    max_new_tokens=32,
)

QA_EN = Template(
    name="qa-en",
    version=1,
    instruction=(
        "Read the article and answer the question briefly, using words from the article. "
        f"If the article does not contain the answer, reply: {ABSTAIN_EN}.\n\n"
        "Article:\n{article}\n\n"
    ),
    item="Question: {question}\n",
    cue="Answer:",
    stop=("\n",),
    max_new_tokens=32,
)

_SUMMARY_DE = {
    "headline": (
        "Schreibe eine Überschrift zu diesem Artikel, in einem Satz.\n",
        "Überschrift:",
    ),
    "abstract": ("Fasse diesen Artikel in 40 bis 80 Wörtern zusammen.\n", "Zusammenfassung:"),
    "bullets": ("Fasse diesen Artikel in genau fünf Stichpunkten zusammen.\n", "Stichpunkte:\n-"),
}
_SUMMARY_EN = {
    "headline": ("Write a one-sentence headline for this article.\n", "Headline:"),
    "abstract": ("Summarise this article in 40 to 80 words.\n", "Summary:"),
    "bullets": ("Summarise this article in exactly five bullet points.\n", "Bullet points:\n-"),
}
_SUMMARY_TOKENS = {"headline": 40, "abstract": 160, "bullets": 200}


def summary_template(language: str, length: str) -> Template:
    table = _SUMMARY_DE if language == "de" else _SUMMARY_EN
    item, cue = table[length]
    article = "Artikel" if language == "de" else "Article"
    return Template(
        name=f"summary-{length}-{language}",
        version=2,
        instruction=f"{article}:\n{{article}}\n\n",
        item=item,
        cue=cue,
        stop=("\n\n",) if length == "bullets" else ("\n",),
        max_new_tokens=_SUMMARY_TOKENS[length],
        answer_prefix="- " if length == "bullets" else "",
    )


def qa_template(language: str) -> Template:
    return QA_DE if language == "de" else QA_EN
