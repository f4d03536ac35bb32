"""Rubric prompts for an LLM judge, versioned and hashed; pure functions to a :class:`Request`.

Four rubrics, each in German and English (the sample's language picks one;
any other language gets the English rubric):

* ``faithfulness`` (summaries): is every statement backed by the article?
  The article is in the prompt. Scale 1–5.
* ``coverage`` (summaries): are the article's main points there, for the
  requested length? The article and the reference summaries (as examples of
  what matters) are in the prompt. Scale 1–5.
* ``fluency`` (summaries, or any text): grammar, spelling, word choice,
  readability; content is not judged. Only the text is in the prompt. Scale 1–5.
* ``correctness`` (QA): does the answer agree with one of the gold answers
  (or, for a question the article does not answer, does it say so)? The
  question and gold answers are in the prompt, not the article. Verdict
  ``correct`` / ``partially_correct`` / ``incorrect``.

The judge must answer with one JSON object: ``{"score": 1-5, "reason": "..."}``
for the scales, ``{"verdict": "...", "reason": "..."}`` for correctness. The
JSON keys and verdict labels are English in both languages so that one
parser reads them.

As for the generation prompts, the shared part (rubric and article) is the
request's ``context`` and the per-sample part its ``prompt``, so a runner can
reuse a prefix across samples of one document. Change a template's text, bump
its ``version``: its hash, the metric signature and every cache key change.

Example:
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de",
    ...            input="Wer sprach?", references=("Keo Chhea",))
    >>> r = build_judge_request("correctness", s, prediction="Chhea", seed=2)
    >>> r.sample_id, r.params.seed, r.template
    ('d/q#judge-correctness', 2, 'judge-correctness-de')
    >>> "- Keo Chhea" in r.prompt and r.prompt.endswith("JSON:")
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from harness.types import GenerationParams, Request, Sample

__all__ = [
    "RUBRICS",
    "SCALE_RUBRICS",
    "JudgeTemplate",
    "build_judge_request",
    "judge_request_id",
    "judge_template",
    "judge_template_hash",
]

RUBRICS: tuple[str, ...] = ("faithfulness", "coverage", "fluency", "correctness")
SCALE_RUBRICS: tuple[str, ...] = ("faithfulness", "coverage", "fluency")
# Which parts of a sample each rubric shows the judge.
NEEDS_ARTICLE: frozenset[str] = frozenset({"faithfulness", "coverage"})


@dataclass(frozen=True)
class JudgeTemplate:
    """One rubric in one language.

    ``instruction`` (with ``{article}`` where the rubric shows the article) is
    the shared context; ``item`` (with ``{question}``, ``{gold}``,
    ``{references}``, ``{format}`` and ``{prediction}`` as the rubric needs)
    is the per-sample part, ending with the JSON instruction; ``cue`` follows
    it for completion models (chat models get the messages without it).
    """

    rubric: str
    language: str
    version: int
    instruction: str
    item: str
    cue: str = "JSON:"

    @property
    def name(self) -> str:
        return f"judge-{self.rubric}-{self.language}"


_SCALE_JSON_DE = (
    "Antworte nur mit einem JSON-Objekt, ohne weiteren Text:\n"
    '{{"score": <ganze Zahl von 1 bis 5>, "reason": "<ein Satz Begründung>"}}\n'
)
_SCALE_JSON_EN = (
    "Reply with one JSON object only, and no other text:\n"
    '{{"score": <integer from 1 to 5>, "reason": "<one sentence of justification>"}}\n'
)
_VERDICT_JSON_DE = (
    "Antworte nur mit einem JSON-Objekt, ohne weiteren Text:\n"
    '{{"verdict": "correct" | "partially_correct" | "incorrect", '
    '"reason": "<ein Satz Begründung>"}}\n'
)
_VERDICT_JSON_EN = (
    "Reply with one JSON object only, and no other text:\n"
    '{{"verdict": "correct" | "partially_correct" | "incorrect", '
    '"reason": "<one sentence of justification>"}}\n'
)

_TEMPLATES: dict[tuple[str, str], JudgeTemplate] = {
    ("faithfulness", "de"): JudgeTemplate(
        rubric="faithfulness",
        language="de",
        version=1,
        instruction=(
            "Du bewertest, wie treu eine maschinell erstellte Zusammenfassung dem Artikel ist. "
            "Treu heißt: Jede Aussage der Zusammenfassung wird vom Artikel gestützt; nichts ist "
            "erfunden, verfälscht oder widerspricht dem Artikel. Ob wichtige Punkte fehlen, "
            "spielt hier keine Rolle.\n"
            "Skala:\n"
            "5 = jede Aussage ist vom Artikel gedeckt\n"
            "4 = ein Detail ist ungenau wiedergegeben, nichts ist erfunden\n"
            "3 = eine Aussage ist nicht gedeckt, verfälscht oder widerspricht dem Artikel\n"
            "2 = mehrere Aussagen sind nicht gedeckt oder widersprechen dem Artikel\n"
            "1 = die Zusammenfassung ist überwiegend erfunden oder falsch\n\n"
            "Artikel:\n{article}\n\n"
        ),
        item="Zusammenfassung:\n{prediction}\n\n" + _SCALE_JSON_DE,
    ),
    ("faithfulness", "en"): JudgeTemplate(
        rubric="faithfulness",
        language="en",
        version=1,
        instruction=(
            "You judge how faithful a machine-written summary is to the article. Faithful means: "
            "every statement in the summary is supported by the article; nothing is invented, "
            "distorted or contradicts the article. Whether important points are missing does "
            "not matter here.\n"
            "Scale:\n"
            "5 = every statement is supported by the article\n"
            "4 = one detail is rendered imprecisely, nothing is invented\n"
            "3 = one statement is unsupported, distorted or contradicts the article\n"
            "2 = several statements are unsupported or contradict the article\n"
            "1 = the summary is mostly invented or wrong\n\n"
            "Article:\n{article}\n\n"
        ),
        item="Summary:\n{prediction}\n\n" + _SCALE_JSON_EN,
    ),
    ("coverage", "de"): JudgeTemplate(
        rubric="coverage",
        language="de",
        version=1,
        instruction=(
            "Du bewertest, ob eine maschinell erstellte Zusammenfassung die wichtigsten Punkte "
            "des Artikels enthält, gemessen an der verlangten Länge. Ob die Aussagen stimmen, "
            "spielt hier keine Rolle.\n"
            "Skala:\n"
            "5 = alle wichtigen Punkte, die in diese Länge gehören, sind enthalten\n"
            "4 = ein wichtiger Punkt fehlt\n"
            "3 = mehrere wichtige Punkte fehlen, der Kern ist da\n"
            "2 = nur ein Nebenaspekt ist erfasst, der Kern fehlt\n"
            "1 = kein wichtiger Punkt ist erfasst\n\n"
            "Artikel:\n{article}\n\n"
        ),
        item=(
            "Verlangt war: {format}\n"
            "Gute Zusammenfassungen zum Vergleich (sie zeigen, welche Punkte wichtig sind):\n"
            "{references}\n\n"
            "Zu bewertende Zusammenfassung:\n{prediction}\n\n" + _SCALE_JSON_DE
        ),
    ),
    ("coverage", "en"): JudgeTemplate(
        rubric="coverage",
        language="en",
        version=1,
        instruction=(
            "You judge whether a machine-written summary contains the article's main points, "
            "given the requested length. Whether its statements are true does not matter here.\n"
            "Scale:\n"
            "5 = every main point that belongs in this length is there\n"
            "4 = one main point is missing\n"
            "3 = several main points are missing, the core is there\n"
            "2 = only a side issue is covered, the core is missing\n"
            "1 = no main point is covered\n\n"
            "Article:\n{article}\n\n"
        ),
        item=(
            "Requested: {format}\n"
            "Good summaries for comparison (they show which points matter):\n"
            "{references}\n\n"
            "Summary to judge:\n{prediction}\n\n" + _SCALE_JSON_EN
        ),
    ),
    ("fluency", "de"): JudgeTemplate(
        rubric="fluency",
        language="de",
        version=1,
        instruction=(
            "Du bewertest die sprachliche Qualität eines deutschen Textes: Grammatik, "
            "Rechtschreibung, Wortwahl und Lesefluss. Der Inhalt spielt keine Rolle.\n"
            "Skala:\n"
            "5 = fehlerfrei und natürlich\n"
            "4 = ein kleiner Fehler oder eine ungeschickte Formulierung\n"
            "3 = mehrere Fehler, gut verständlich\n"
            "2 = viele Fehler, schwer zu lesen\n"
            "1 = kaum verständlich\n\n"
        ),
        item="Text:\n{prediction}\n\n" + _SCALE_JSON_DE,
    ),
    ("fluency", "en"): JudgeTemplate(
        rubric="fluency",
        language="en",
        version=1,
        instruction=(
            "You judge the language quality of a text: grammar, spelling, word choice and "
            "readability. The content does not matter.\n"
            "Scale:\n"
            "5 = flawless and natural\n"
            "4 = one small error or one clumsy phrase\n"
            "3 = several errors, easy to understand\n"
            "2 = many errors, hard to read\n"
            "1 = barely understandable\n\n"
        ),
        item="Text:\n{prediction}\n\n" + _SCALE_JSON_EN,
    ),
    ("correctness", "de"): JudgeTemplate(
        rubric="correctness",
        language="de",
        version=1,
        instruction=(
            "Du prüfst, ob die Antwort auf eine Frage zu einem Artikel richtig ist. Maßgeblich "
            "sind die Referenzantworten: Jede von ihnen ist richtig, und eine Antwort mit "
            "derselben Bedeutung in anderen Worten oder in einer anderen Sprache ist ebenfalls "
            "richtig.\n"
            "Urteile:\n"
            "correct = die Antwort stimmt inhaltlich mit einer Referenzantwort überein\n"
            "partially_correct = teilweise richtig: unvollständig, oder mit einem falschen Zusatz\n"
            "incorrect = falsch, leer, ausweichend oder eine Antwort auf eine andere Frage\n\n"
        ),
        item=(
            "Frage: {question}\n"
            "Referenzantworten:\n{gold}\n"
            "Zu prüfende Antwort: {prediction}\n\n" + _VERDICT_JSON_DE
        ),
    ),
    ("correctness", "en"): JudgeTemplate(
        rubric="correctness",
        language="en",
        version=1,
        instruction=(
            "You check whether the answer to a question about an article is correct. The "
            "reference answers decide: each of them is correct, and an answer with the same "
            "meaning in other words or in another language is correct too.\n"
            "Verdicts:\n"
            "correct = the answer agrees in substance with one reference answer\n"
            "partially_correct = partly right: incomplete, or with a wrong addition\n"
            "incorrect = wrong, empty, evasive, or an answer to a different question\n\n"
        ),
        item=(
            "Question: {question}\n"
            "Reference answers:\n{gold}\n"
            "Answer to check: {prediction}\n\n" + _VERDICT_JSON_EN
        ),
    ),
}

_NO_ANSWER = {
    "de": (
        "- (keine: der Artikel beantwortet diese Frage nicht. Richtig ist nur eine Antwort, "
        "die das sagt, z. B. „nicht im Text“.)"
    ),
    "en": (
        "- (none: the article does not answer this question. Only an answer saying so, "
        'e.g. "not stated in the text", is correct.)'
    ),
}
_EMPTY = {"de": "(leer)", "en": "(empty)"}
_NO_QUESTION = {"de": "(nicht angegeben)", "en": "(not given)"}
_FORMATS = {
    "de": {
        "headline": "eine Überschrift, ein einziger Satz",
        "abstract": "eine Zusammenfassung in 40 bis 80 Wörtern",
        "bullets": "genau fünf Stichpunkte",
    },
    "en": {
        "headline": "a headline, one single sentence",
        "abstract": "a summary of 40 to 80 words",
        "bullets": "exactly five bullet points",
    },
}


def judge_template(rubric: str, language: str) -> JudgeTemplate:
    """The template of ``rubric`` in ``language`` (English for languages other than German).

    Raises:
        ValueError: ``rubric`` is not one of :data:`RUBRICS`.
    """
    if rubric not in RUBRICS:
        raise ValueError(f"unknown judge rubric {rubric!r}; known: {', '.join(RUBRICS)}")
    return _TEMPLATES[(rubric, "de" if language == "de" else "en")]


def judge_template_hash(t: JudgeTemplate) -> str:
    """A short sha256 of everything in the template."""
    blob = "\x1f".join([t.name, str(t.version), t.instruction, t.item, t.cue])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def judge_request_id(sample_id: str, rubric: str) -> str:
    """The sample id a judge request carries: ``<sample id>#judge-<rubric>``.

    A scripted judge answers by it; repeats differ by their seed only.
    """
    return f"{sample_id}#judge-{rubric}"


def _bullets(items: Sequence[str]) -> str:
    return "\n".join("- " + " ".join(x.split()) for x in items)


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"({i}) " + x.strip().replace("\n", "\n    ") for i, x in enumerate(items, 1))


def build_judge_request(
    rubric: str,
    sample: Sample,
    prediction: str,
    article: str = "",
    language: str | None = None,
    seed: int = 0,
    temperature: float = 0.0,
    max_new_tokens: int = 256,
) -> Request:
    """Render the judge's request for one prediction on ``sample``.

    Args:
        rubric: One of :data:`RUBRICS`.
        sample: The sample that was answered (question, gold answers or
            reference summaries, language, length in ``input``).
        prediction: The text to judge.
        article: The source document (needed by ``faithfulness`` and ``coverage``).
        language: The rubric's language; default the sample's.
        seed: The repeat's seed (repeats differ by seed only).
        temperature: Sampling temperature for the judge.
        max_new_tokens: Token budget of the verdict.

    Raises:
        ValueError: An unknown rubric, or a rubric that needs the article without one.
    """
    lang = language or sample.language
    t = judge_template(rubric, lang)
    if rubric in NEEDS_ARTICLE and not article.strip():
        raise ValueError(f"judge rubric {rubric!r} needs the source article, and none was given")
    key = "de" if lang == "de" else "en"
    shown = prediction.strip() or _EMPTY[key]
    gold = _bullets(sample.references) if sample.references else _NO_ANSWER[key]
    fmt = _FORMATS[key].get(sample.input, sample.input)
    context = t.instruction.format(article=article.strip())
    item = t.item.format(
        question=sample.input.strip() or _NO_QUESTION[key],
        gold=gold,
        references=_numbered(sample.references) if sample.references else "-",
        format=fmt,
        prediction=shown,
    )
    params = GenerationParams(
        max_new_tokens=max_new_tokens, stop=(), temperature=temperature, seed=seed
    )
    judged = replace(sample, id=judge_request_id(sample.id, rubric))
    return Request(
        sample=judged,
        context=context,
        prompt=item + t.cue,
        params=params,
        messages=({"role": "user", "content": (context + item).strip()},),
        template=t.name,
        template_hash=judge_template_hash(t),
    )
