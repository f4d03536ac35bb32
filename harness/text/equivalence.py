"""Answer equivalence: does a free-form answer say what a gold answer says?

A careful reader's rules (``gold/README.md``, "Judging answers"; the field's
answer-equivalence work, BEM and PEDANTS, agrees on most of them), made
deterministic:

* **Abstention** — an answer whose content says the text does not answer
  (:func:`harness.text.abstain.is_abstention`) is ``abstained``.
* **Yes/no** — the polarity of the answer (a leading "Ja"/"Nein"/"Yes"/"No",
  else a negation in the statement, else a value the question does not state)
  against the gold's; the reason may follow, but a date or number in it that
  the source does not state makes it wrong.
* **Dates** — by value (:mod:`harness.text.dates`): the same day, days or
  period in any format is ``correct``; a coarser date that agrees ("2024" for
  "August 2024", "November" for "24.–25. November") or one end of a span is
  ``partial``; any disagreeing field is ``wrong``. A gold date without a year
  takes the source's year when the answer states one.
* **Numbers** — by value with scale words and units
  (:mod:`harness.text.quantities`): "4 Säulen" = "vier", "48 Stunden" =
  "zwei Tage"; a different value, or a unit of another kind, is ``wrong``.
* **Text** (names, noun phrases, lists) — content words of a gold variant
  (German or English) found in the answer after normalisation, stemming,
  compound splitting ("Opferschutz" = "Schutz der Opfer") and common
  abbreviations ("UNO" = "Vereinte Nationen"); words the question already
  contains are not needed, nor the trailing verb of a verb phrase
  ("Opferschutz" answers "den Opferschutz verbessern"). All words: ``correct``;
  at least half, with the gold's head word: ``partial``. Lists by the share of
  items covered (all: ``correct``, some: ``partial``).
* **Conflicts** — a right answer becomes ``wrong`` when it hedges between
  candidates ("2024 oder 2025"), negates the matched answer ("nicht in New
  York"), also states another value of the asked kind (another date or
  number), or states a date or number the source does not support.

Example:
    >>> judge_answer("Die Sitzung fand am 24. und 25. November statt.",
    ...              ["vom 24. bis 25. November"], answer_type="date").verdict
    'correct'
    >>> judge_answer("2024", ["im August 2024"], answer_type="date").verdict
    'partial'
    >>> judge_answer("15 Tage", ["zwei Tage"], answer_type="number").verdict
    'wrong'
    >>> judge_answer("Nein, es ist das 15-jährige Jubiläum.", ["Nein"],
    ...              answer_type="yes/no").verdict
    'correct'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from harness.text.abstain import is_abstention
from harness.text.answers import ARTICLES
from harness.text.dates import PartialDate, find_dates
from harness.text.normalize import clean, collapse_spaces, unify_dashes
from harness.text.numbers import (
    find_numbers,
    parse_number_word,
    parse_ordinal_word,
    words_to_digits,
)
from harness.text.quantities import Quantity, find_quantities, same_quantity
from harness.text.spans import Cover
from harness.text.stem import stem
from harness.text.synonyms import synonym_group

__all__ = ["SCORES", "AnswerJudgement", "Verdict", "judge_answer", "strip_answer"]

Verdict = Literal["correct", "partial", "wrong", "abstained"]
SCORES: dict[str, float] = {"correct": 1.0, "partial": 0.5, "wrong": 0.0, "abstained": 0.0}
_RANK = {"wrong": 0, "partial": 1, "correct": 2}


@dataclass(frozen=True)
class AnswerJudgement:
    """The verdict on one answer, the gold variant it was compared with and why."""

    verdict: Verdict
    reason: str
    matched: str | None = None


# ---------------------------------------------------------------------------
# Clean-up
# ---------------------------------------------------------------------------

_LABEL = re.compile(
    r"^\s*(?:(?:die\s+)?antwort(?:\s+lautet)?|answer|a|lösung|response)\s*[:：]\s*", re.I
)
# "Ich bin mir nicht sicher, aber ...": uncertainty about one candidate is no hedge
_UNSURE = re.compile(
    r"^\s*(?:ich\s+bin\s+mir\s+nicht\s+(?:ganz\s+)?sicher|ich\s+weiß\s+(?:es\s+)?nicht\s+genau"
    r"|i'?m\s+not\s+(?:entirely\s+|quite\s+)?sure|not\s+sure)\s*[,;:–-]?\s*(?:aber|but)?\s*",
    re.I,
)
# Markup and list markers ("1)" but not "1.", which opens a date: "28. November").
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+", re.M)
_BULLET = re.compile(r"^\s*[-*•·]\s+", re.M)
_MARKUP = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*(?:[-*•·]|\d+\))\s+)", re.M)


def strip_answer(text: str) -> str:
    """The answer without markup, list markers, an "Antwort:" label and outer quotes.

    Example:
        >>> strip_answer("**Antwort:** „Keo Chhea“.")
        'Keo Chhea'
    """
    t = clean(text)
    if len(_NUMBERED.findall(t)) >= 2:  # "1. Strafverfolgung\n2. Opferschutz": one item a line
        t = re.sub(r"\s*;\s*", "; ", _NUMBERED.sub("; ", t)).strip("; ")
    elif len(_BULLET.findall(t)) >= 2:
        t = re.sub(r"\s*;\s*", "; ", _BULLET.sub("; ", t)).strip("; ")
    t = _MARKUP.sub(" ", t)
    t = collapse_spaces(t)
    t = _UNSURE.sub("", _LABEL.sub("", t))
    before = None
    while before != t:
        before = t
        t = t.strip(" \t\n\"'„“”‚‘’«»‹›;:!")
        if t.endswith(".") and not t[-2:-1].isdigit():  # "24.–25.11." keeps its dot
            t = t[:-1]
    return collapse_spaces(t)


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

STOPWORDS = ARTICLES | frozenset(
    [
        "kein",
        "keine",
        "und",
        "oder",
        "sowie",
        "bzw",
        "aber",
        "auch",
        "sowohl",
        "als",
        "wie",
        "noch",
        "nur",
        "schon",
        "sehr",
        "mehr",
        "am",
        "an",
        "auf",
        "aus",
        "bei",
        "bis",
        "durch",
        "für",
        "gegen",
        "im",
        "in",
        "ins",
        "mit",
        "nach",
        "neben",
        "ohne",
        "seit",
        "über",
        "um",
        "unter",
        "vom",
        "von",
        "vor",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "er",
        "sie",
        "es",
        "ihr",
        "ihre",
        "ihren",
        "ihrem",
        "ihrer",
        "ihres",
        "sein",
        "seine",
        "seinen",
        "seinem",
        "seiner",
        "seines",
        "wir",
        "uns",
        "unser",
        "man",
        "sich",
        "ist",
        "sind",
        "war",
        "waren",
        "wird",
        "werden",
        "wurde",
        "wurden",
        "hat",
        "haben",
        "hatte",
        "hatten",
        "sei",
        "seien",
        "soll",
        "sollen",
        "kann",
        "können",
        "will",
        "wollen",
        "dass",
        "daß",
        "ob",
        "wenn",
        "weil",
        "damit",
        "denn",
        "also",
        "so",
        "da",
        "dazu",
        "darauf",
        "davon",
        "dabei",
        "laut",
        "zufolge",
        "genannt",
        "nennt",
        "heißt",
        "heisst",
        "lautet",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "about",
        "than",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "it",
        "its",
        "they",
        "their",
        "them",
        "he",
        "his",
        "she",
        "her",
        "we",
        "our",
        "which",
        "who",
        "whom",
        "laut",
    ]
)
# Phrases and abbreviations a reader takes as the same thing, mapped to one token.
_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.I), token)
    for pattern, token in (
        (r"vereinte[nr]?\s+nationen|united\s+nations|uno|un|vn|u\.\s?n\.", "⟨un⟩"),
        (r"künstliche[rn]?\s+intelligenz|artificial\s+intelligence|ki|ai", "⟨ki⟩"),
        (r"soziale[rn]?\s+medien|social\s+media|social-media", "⟨socialmedia⟩"),
        (r"usa|vereinigte[nr]?\s+staaten|united\s+states|us-amerika", "⟨usa⟩"),
        (r"eu|europäische[rn]?\s+union|european\s+union", "⟨eu⟩"),
        (r"hauptquartier|hauptsitz|hauptverwaltung|zentrale|headquarters?|hq", "⟨hq⟩"),
        (r"new\s+york(?:\s+city)?|nyc", "⟨nyc⟩"),
        (
            r"internationale[nr]?\s+gemeinschaft|staatengemeinschaft|weltgemeinschaft"
            r"|völkergemeinschaft|international\s+community",
            "⟨intcommunity⟩",
        ),
    )
)
_TOKEN_RE = re.compile(r"⟨[a-z0-9.]+⟩|[^\W_]+", re.UNICODE)
NEGATIONS = frozenset(
    [
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "keines",
        "nie",
        "niemals",
        "nirgends",
        "weder",
        "not",
        "no",
        "never",
        "neither",
        "nor",
        "none",
        "nowhere",
    ]
)
_HEDGE_RE = re.compile(
    r"(?<!\w)(?:oder|or|bzw\.?|beziehungsweise|entweder|either|vielleicht|maybe|perhaps"
    r"|möglicherweise|possibly|eventuell)(?!\w)",
    re.I,
)


@dataclass(frozen=True)
class _Tok:
    text: str  # casefolded surface form
    keys: frozenset[str]  # German and English stems
    capital: bool  # written with a capital letter (a German noun or a name)
    start: int
    end: int


def _canon_numbers(text: str) -> str:
    """Each number outside a day-month date as one value token: "2.000", "2000" and
    "zweitausend" all read ``⟨n2000⟩``."""
    t = unify_dashes(clean(text))
    skip = Cover(
        (d.start, d.end)
        for d in find_dates(t)
        if not (d.first == d.last and d.granularity == "year")
    )
    pieces: list[str] = []
    pos = 0
    for n in find_numbers(t):
        if n.start in skip or n.kind == "ordinal":
            continue
        pieces += [t[pos : n.start], f" ⟨n{n.value:g}⟩ "]
        pos = n.end
    pieces.append(t[pos:])
    return "".join(pieces)


def _prepare(text: str) -> str:
    t = unify_dashes(clean(text))
    for pattern, token in _SYNONYMS:
        t = pattern.sub(f" {token} ", t)
    return t


@lru_cache(maxsize=65536)
def _keys(word: str) -> frozenset[str]:
    w = word.casefold()
    if w.startswith("⟨"):
        return frozenset([w])
    group = synonym_group(w)
    keys = {stem(w, "de"), stem(w, "en"), w}
    return frozenset(keys | {group} if group else keys)


def _tokens(text: str) -> list[_Tok]:
    prepared = _prepare(text)
    out: list[_Tok] = []
    for m in _TOKEN_RE.finditer(prepared):
        word = m.group()
        folded = word.casefold()
        out.append(_Tok(folded, _keys(word), word[0].isupper(), m.start(), m.end()))
    return out


def _content(tokens: Iterable[_Tok]) -> list[_Tok]:
    return [t for t in tokens if t.text not in STOPWORDS]


def _word_in(word: str, pred: Sequence[_Tok]) -> bool:
    """``word`` (a stem, a surface form or a compound part) is one of the answer's words,
    or the first or last part of one of its compounds ("opfer" in "Opferschutz")."""
    keys = _keys(word)
    for p in pred:
        if keys & p.keys:
            return True
    g = min(keys, key=len)
    if len(g) >= 4:
        for p in pred:
            for k in p.keys:
                if len(k) > len(g) and (k.startswith(g) or k.endswith(g)):
                    return True
    return False


_LINKS = ("", "s", "es", "n", "en", "er", "e")


def _found_at(gold: _Tok, pred: Sequence[_Tok]) -> int | None:
    """Index of the answer word that states ``gold`` (the first part of a split compound)."""
    for i, p in enumerate(pred):
        if _found(gold, [p]):
            return i
    return 0 if pred and _found(gold, pred) else None


#: Longer "words" are no compounds (a megabyte of letters in one token): not split, which
#: would take time quadratic in their length.
MAX_COMPOUND_CHARS = 64


def _splits(word: str) -> Iterable[tuple[str, str]]:
    """Every way to cut a compound into two parts of 3+ letters (a linking "s", "en", ... off)."""
    if len(word) > MAX_COMPOUND_CHARS:
        return
    for i in range(4, len(word) - 3):
        head = word[:i]
        for link in _LINKS:
            if head.endswith(link) and len(head) - len(link) >= 3:
                yield head[: len(head) - len(link)], word[i:]


def _found(gold: _Tok, pred: Sequence[_Tok]) -> bool:
    """A gold word is in the answer as itself, inflected, as a synonym, inside a compound,
    or split into its parts in two other words of the answer ("Opferschutz" = "Schutz der
    Opfer", "Tech-Konzerne" = "Technologieunternehmen"), or the answer's compound holds
    it with a synonym ("sozioökonomisch" for "sozial")."""
    if _word_in(gold.text, pred):
        return True
    word = gold.text
    if word.startswith("⟨"):
        return False
    if len(word) >= 8:
        for head, tail in _splits(word):
            # Whole words only: "Schutz der Opfer", not fragments ("regi" + "onal").
            hk, tk = _keys(head), _keys(tail)
            hs = [i for i, p in enumerate(pred) if hk & p.keys]
            ts = [i for i, p in enumerate(pred) if tk & p.keys]
            if any(h != t for h in hs for t in ts):
                return True
    keys = gold.keys
    for p in pred:
        if len(p.text) >= 8 and not p.text.startswith("⟨"):
            for head, tail in _splits(p.text):
                if _keys(head) & keys or _keys(tail) & keys:
                    return True
    return False


# ---------------------------------------------------------------------------
# Kinds of answer
# ---------------------------------------------------------------------------

_YES = frozenset(
    [
        "ja",
        "jawohl",
        "genau",
        "richtig",
        "stimmt",
        "korrekt",
        "zutreffend",
        "natürlich",
        "selbstverständlich",
        "doch",
        "yes",
        "yeah",
        "yep",
        "correct",
        "true",
        "indeed",
        "certainly",
        "absolutely",
        "sure",
        "right",
    ]
)
_NO = frozenset(["nein", "nö", "keineswegs", "falsch", "no", "nope", "false", "never", "niemals"])
_PARTLY = frozenset(["teilweise", "teils", "bedingt", "partly", "partially", "somewhat"])
_MONTH_ONLY = re.compile(
    r"(?<!\w)(?P<m>januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober"
    r"|november|dezember|january|february|march|may|june|july|october|december)(?!\w)",
    re.I,
)
_MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "februar": 2, "february": 2, "märz": 3,
    "march": 3, "april": 4, "mai": 5, "may": 5, "juni": 6, "june": 6, "juli": 7, "july": 7,
    "august": 8, "september": 9, "oktober": 10, "october": 10, "november": 11,
    "dezember": 12, "december": 12,
}  # fmt: skip
_WEEKDAY_RE = re.compile(
    r"(?<!\w)(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|monday"
    r"|tuesday|wednesday|thursday|friday|saturday|sunday)\s*,?\s*",
    re.I,
)


_ROMAN = re.compile(r"(?<!\w)(?=[IVXLC]+(?!\w))(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})(?!\w)")
_ROMAN_ANSWER = re.compile(r"[IVXLC]+(?:\s+[^\W\d_]+)?", re.UNICODE)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ONE = re.compile(r"(?<!\w)(?:ein|eine|einen|einem|einer|eines|one|a|an|single)\s+(?=\w)", re.I)
_WORD_AGE = re.compile(r"(?<!\w)([^\W\d_]+?)(jährig|jaehrig|tägig|taegig)", re.I)


def _roman(token: str) -> int:
    total = 0
    for i, ch in enumerate(token):
        v = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[token[i + 1]] if i + 1 < len(token) else 0
        total += -v if v < nxt else v
    return total


def _numbers_read(answer: str) -> str:
    """A Roman numeral answer ("IV", "IV Säulen"), "fünfzehnjährig" and "ein Tag" with
    digits, for numbers by value. Roman letters inside a longer text stay letters ("Toyota
    Mark II", "30 °C")."""
    text = answer
    if _ROMAN_ANSWER.fullmatch(answer.strip()):
        text = _ROMAN.sub(lambda m: str(_roman(m.group())) if m.group() else "", answer)

    def age(m: re.Match[str]) -> str:
        value = parse_number_word(m.group(1))
        return m.group() if value is None else f"{value}-{m.group(2)}"

    text = _WORD_AGE.sub(age, text)
    return _ONE.sub("1 ", text)


def _polarity(answer: str, question: str) -> str | None:
    words = [w.casefold() for w in re.findall(r"[^\W\d_]+|\d+", answer)]
    if not words:
        return None
    if words[0] in ("jein",) or _PARTLY & set(words):
        return "hedge"
    if words[0] in _YES:
        return "yes"
    if words[0] in _NO:
        return "no"
    # A statement answers a yes/no question only when it is about the question's subject.
    if question and not any(t.keys & _question_keys(question) for t in _content(_tokens(answer))):
        return None
    if any(w in NEGATIONS for w in words):
        return "no"
    relation = _temporal(question, answer)
    if relation is not None:
        return relation
    # A value the question does not state ("Er feiert sein 15-jähriges" for "... 20-jähriges?").
    q_vals = {q.value for q in find_quantities(question)} | {
        m.canonical() for m in find_dates(question)
    }
    a_vals = {q.value for q in find_quantities(answer)} | {
        m.canonical() for m in find_dates(answer)
    }
    if q_vals and a_vals and not (q_vals & a_vals):
        return "no"
    return "yes"


_BEFORE_AFTER = re.compile(
    r"(?<!\w)(?P<rel>vor|before|nach|after|früher als|später als|earlier than|later than)\s+",
    re.I,
)


def _temporal(question: str, answer: str) -> str | None:
    """Polarity of an answer to "... vor/nach <date>?" from the date the answer states."""
    for m in _BEFORE_AFTER.finditer(question):
        ref = next((d for d in _dates(question) if d.start == m.end()), None)
        if ref is None:
            continue
        stated = [d for d in _dates(answer) if d.single and d.first.year is not None]
        if not stated or ref.first.year is None:
            return None
        key = (stated[-1].first.year, stated[-1].first.month or 0)
        ref_key = (ref.first.year, ref.first.month or 0)
        before = m.group("rel").casefold() in ("vor", "before", "früher als", "earlier than")
        if key[0] == ref_key[0] and (ref.first.month is None or key[1] == ref_key[1]):
            return "no"  # in the year (month) itself: neither before nor after it
        return "yes" if (key < ref_key) == before else "no"
    return None


_FILLER = frozenset(
    [
        "möglich",
        "unmöglich",
        "richtig",
        "falsch",
        "korrekt",
        "klar",
        "sicher",
        "genau",
        "tatsächlich",
        "wirklich",
        "vollständig",
        "völlig",
        "ganz",
        "teilweise",
        "eindeutig",
        "laut",
        "artikel",
        "text",
        "bericht",
        "quelle",
    ]
)
_EN_FUNCTION = frozenset(
    [
        "the",
        "of",
        "and",
        "is",
        "are",
        "was",
        "were",
        "it",
        "this",
        "that",
        "to",
        "with",
        "not",
        "yes",
        "no",
        "because",
    ]
)
_MODIFIER_ENDINGS = ("lich", "ig", "isch", "bar", "sam", "haft", "weise", "ly")
_DE_FUNCTION = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "sind",
        "war",
        "es",
        "dies",
        "nicht",
        "mit",
        "zu",
        "den",
        "dem",
    ]
)


def _english(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return sum(w in _EN_FUNCTION for w in words) > sum(w in _DE_FUNCTION for w in words)


def _unsupported_reason(answer: str, source: str, question: str) -> str | None:
    """A word of a yes/no answer's reason that neither the source nor the question has
    ("Ja, weil er von der UN *finanziert* wird"), or None."""
    if not source or _english(answer) != _english(source):
        return None  # a reason in another language than the source cannot be checked word by word
    known = _content(_tokens(source + " " + question))
    for t in _content(_tokens(answer)):
        if t.text in _YES or t.text in _NO or t.text in NEGATIONS or t.text in _FILLER:
            continue
        if len(t.text) < 4 or t.text.startswith("⟨") or t.text.endswith(_MODIFIER_ENDINGS):
            continue  # adverbs and adjectives ("ausdrücklich") qualify; nouns and verbs claim
        if _found(t, known):
            continue
        # A participle: "gefordert" is the source's "forderte"
        bare = t.text[2:] if t.text.startswith("ge") and len(t.text) > 6 else ""
        if bare and _found(_tokens(bare)[0], known):
            continue
        return t.text
    return None


def _conflicting_reason(answer: str, golds: Sequence[str], question: str) -> str | None:
    """A date in a yes/no answer's reason that disagrees with the dates of the gold's reasons
    ("Nein, erst 2025" where the gold says "Nein, im August 2024"), or None."""
    told = [d for g in golds for d in _dates(g)] + _dates(question)
    if not told:
        return None
    for d in _dates(answer):
        if not any(_agrees(d.first, t.first) or _agrees(d.first, t.last) for t in told):
            return d.text
    return None


def _gold_polarity(golds: Sequence[str]) -> str | None:
    for g in golds:
        words = re.findall(r"[^\W\d_]+", g.casefold())
        if words and words[0] in _YES:
            return "yes"
        if words and words[0] in _NO:
            return "no"
    return None


@dataclass(frozen=True)
class _Interval:
    first: PartialDate
    last: PartialDate
    text: str
    start: int = 0
    end: int = 0

    @property
    def single(self) -> bool:
        return self.first == self.last


_OF_YEAR = re.compile(r"\s+(?:des\s+jahres|im\s+jahr(?:e)?|of(?:\s+the\s+year)?)\s+(?=\d{4})", re.I)
_NTH_MONTH = re.compile(
    r"(?<!\w)(?:(?P<num>\d{1,2})\.|(?P<word>[^\W\d_]+))\s+monats?(?=\s+\d{4})", re.I
)
_MONTH_NAMES = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def _nth_month(m: re.Match[str]) -> str:
    n = int(m.group("num")) if m.group("num") else parse_ordinal_word(m.group("word") or "")
    if n is None or not 1 <= n <= 12:
        return m.group()
    return _MONTH_NAMES[n - 1].ljust(len(m.group()))


_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2}\.)(\d{2})(?![\d.,])")


def _date_text(text: str) -> str:
    """Date phrasings the date finder does not know, rewritten in place (same length where
    it matters): weekdays out, "achten Monat 2024" as "August 2024", "August des Jahres
    2024" as "August 2024"."""
    t = _WEEKDAY_RE.sub(lambda m: " " * len(m.group()), text)
    t = _OF_YEAR.sub(lambda m: " " * len(m.group()), t)
    t = _SHORT_YEAR.sub(lambda m: f"{m.group(1)}20{m.group(2)}", t)  # "28.11.25"
    return _NTH_MONTH.sub(_nth_month, t)


def _dates(text: str) -> list[_Interval]:
    t = _date_text(text)
    found = [_Interval(m.first, m.last, m.text, m.start, m.end) for m in find_dates(t)]
    covered = Cover((d.start, d.end) for d in found)
    for m in _MONTH_ONLY.finditer(t):
        if m.start() in covered:
            continue
        month = PartialDate(month=_MONTHS[m.group("m").casefold()])
        found.append(_Interval(month, month, m.group(), m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _with_year(d: PartialDate, year: int | None) -> PartialDate:
    if d.year is not None or year is None:
        return d
    try:
        return PartialDate(year, d.month, d.day)
    except ValueError:
        return d


def _agrees(a: PartialDate, b: PartialDate) -> bool:
    """No field set on both sides differs (a month alone agrees with a year alone)."""
    return all(
        x is None or y is None or x == y
        for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day))
    )


def _finer_or_equal(a: PartialDate, b: PartialDate) -> bool:
    """``a`` states every field ``b`` states."""
    return all(
        y is None or x is not None
        for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day))
    )


def _compare_dates(pred: _Interval, gold: _Interval, year: int | None) -> str:
    """``correct``, ``partial`` or ``wrong`` for one answer date against one gold date."""
    gf, gl = _with_year(gold.first, year), _with_year(gold.last, year)
    if pred.first.year is None and pred.last.year is None:
        gf, gl = gold.first, gold.last  # the answer names no year: compare without
    if (
        gold.single
        and not pred.single
        and (
            (_agrees(pred.last, gf) and _finer_or_equal(pred.last, gf))
            or (_agrees(pred.first, gf) and _finer_or_equal(pred.first, gf))
        )
    ):
        return "correct"  # "2024–2028" states the end the question asks for ("bis 2028")
    if not (_agrees(pred.first, gf) and _agrees(pred.last, gl)):
        # One end, or a part, of a gold span ("24. November" of "24.–25. November").
        if (
            not gold.single
            and pred.single
            and (
                (_agrees(pred.first, gf) and _finer_or_equal(pred.first, gf))
                or (_agrees(pred.first, gl) and _finer_or_equal(pred.first, gl))
            )
        ):
            return "partial"
        if (
            not gold.single
            and pred.single
            and pred.first.day is None
            and pred.first.month
            and (_agrees(pred.first, gf) or _agrees(pred.first, gl))
        ):
            return "partial"  # "November" for "24.–25. November"
        return "wrong"
    if pred.single != gold.single and not (
        pred.single and pred.first.granularity != "day" and gf.granularity == "day"
    ):
        # A span where the gold is one date, or one date where the gold is a span.
        if gold.single:
            return "wrong"
        return "partial"
    if _finer_or_equal(pred.first, gold.first) and _finer_or_equal(pred.last, gold.last):
        return "correct"
    return "partial"  # agrees but states less ("2024" for "August 2024")


# ---------------------------------------------------------------------------
# The judge
# ---------------------------------------------------------------------------


def _source_year(source: str) -> int | None:
    years = [m.first.year for m in find_dates(source) if m.first.year is not None and m.first.day]
    return max(years) if years else None


def _supported_by_source(
    answer: str, source: str, question: str, golds: Sequence[str] = ()
) -> str | None:
    """A date or number of the answer that neither the source, the question nor a gold states."""
    if not source:
        return None
    answer = _numbers_read(words_to_digits(answer))
    pool = "\n".join([source, question, *golds])
    src_dates = _dates(pool)
    year = _source_year(source)
    src_ends = [_with_year(e, year) for sd in src_dates for e in (sd.first, sd.last)]
    src_amounts = {q.value for q in find_quantities(pool)}
    for d in _dates(answer):
        if d.single and d.first.granularity == "year" and d.first.year in src_amounts:
            continue  # "2000" may be the amount "2.000" of the source
        # Each end of the answer's date is stated, whole, by one date of the source.
        if not all(
            any(_agrees(end, s) and _finer_or_equal(s, end) for s in src_ends)
            for end in (d.first, d.last)
        ):
            return d.text
    date_spans = [(d.start, d.end) for d in _dates(answer)]
    src_q = find_quantities(pool, [(d.start, d.end) for d in src_dates])
    src_years = {y for d in src_dates for y in (d.first.year, d.last.year) if y is not None}
    for q in find_quantities(answer, date_spans):
        if q.value == 1 or q.noun == "th":
            continue
        if any(same_quantity(q, s) for s in src_q) or q.value in src_years:
            continue
        if any(abs(q.value - v) < 1e-9 for v in _spans_lengths(src_dates)):
            continue
        return q.text
    return None


def _spans_lengths(dates: Sequence[_Interval]) -> list[float]:
    """Lengths of date spans in days or years ("24. bis 25. November" is 2 days)."""
    out: list[float] = []
    for d in dates:
        if d.single:
            continue
        if d.first.day and d.last.day and d.first.month == d.last.month:
            out.append(d.last.day - d.first.day + 1)
        elif d.first.year and d.last.year and d.first.month is None:
            out.append(d.last.year - d.first.year + 1)
    return out


def _hedged(answer: str, golds: Sequence[str]) -> bool:
    if not _HEDGE_RE.search(answer):
        return False
    return not any(_HEDGE_RE.search(g) for g in golds)


_CLAUSE = re.compile(r"[,;:.!?]|\s[–—-]\s|(?<!\w)(?:aber|sondern|jedoch|but|however)(?!\w)", re.I)


def _negated_before(pred: Sequence[_Tok], index: int) -> bool:
    return any(t.text in NEGATIONS for t in pred[max(0, index - 3) : index])


def _split_items(text: str) -> list[str]:
    """Items of an enumeration; an item without a noun joins the next ("langfristige, nachhaltige
    Lösungen" is one item)."""
    parts = [p.strip() for p in re.split(r",|;|(?<!-)\s+(?:und|sowie|and|&)\s+|\n", text)]
    parts = [p for p in parts if p]
    items: list[str] = []
    carry = ""
    for i, p in enumerate(parts):
        p = f"{carry} {p}".strip() if carry else p
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        # A lone lower-case word before an item with a noun is its adjective.
        if len(p.split()) == 1 and p[:1].islower() and any(w[:1].isupper() for w in nxt.split()):
            carry = p
            continue
        carry = ""
        items.append(p)
    if carry:
        items.append(carry)
    return items


def _question_keys(question: str) -> frozenset[str]:
    """Keys of the question's content words, plus ``lc:<word>`` for those in lower case."""
    toks = _content(_tokens(question))
    lower = {f"lc:{k}" for t in toks if not t.capital for k in t.keys}
    return frozenset().union(*(t.keys for t in toks), lower)


def _required(gold: str, question_keys: frozenset[str]) -> tuple[list[_Tok], list[_Tok]]:
    """The gold's content words an answer must state, and those it may leave out.

    Words the question already contains are not needed; nor is the trailing
    verb of a verb phrase ("den Opferschutz *verbessern*").
    """
    toks = _content(_tokens(_canon_numbers(_numbers_read(gold)))) or _tokens(gold)
    # A capitalised adjective is part of a name ("*Nationaler* Strategieplan") even when
    # the question has the word in lower case ("Kambodschas nationaler Plan").
    need = [
        t
        for t in toks
        if not (t.keys & question_keys)
        or (t.capital and any(f"lc:{k}" in question_keys for k in t.keys))
    ]
    if not need:
        need = toks
    optional: list[_Tok] = []
    if len(need) >= 2:
        last = need[-1]
        if (
            not last.capital
            and re.search(r"(?:en|ern|eln)$", last.text)
            and any(t.capital for t in need[:-1])
        ):
            optional.append(last)
            need = need[:-1]
    return need, optional


def _text_verdict(answer: str, gold: str, question_keys: frozenset[str]) -> tuple[str, int | None]:
    """Verdict of the words of ``answer`` against one gold variant, and where it matched."""
    words = _tokens(_canon_numbers(_numbers_read(answer)))
    pred = _content(words) or words
    need, _ = _required(gold, question_keys)
    if not need:
        return "wrong", None
    if _unit_clash(answer, gold):
        return "wrong", None
    hits = [_found_at(g, pred) for g in need]
    found = [h for h in hits if h is not None]
    if len(found) == len(need):
        return "correct", min(found)
    head = need[-1] if any(t.capital for t in need) else None
    nouns = [g for g in need if g.capital]
    head = nouns[-1] if nouns else head
    head_found = head is None or hits[need.index(head)] is not None
    if found and len(found) * 2 >= len(need) and head_found:
        return "partial", min(found)
    return "wrong", None


def _unit_clash(answer: str, gold: str) -> bool:
    """The answer gives a number of the gold in another unit ("15 Tage" for "15 Jahre alt")."""
    gq = [q for q in find_quantities(_numbers_read(gold)) if q.unit]
    if not gq:
        return False
    for p in find_quantities(_numbers_read(answer)):
        for q in gq:
            if abs(p.value - q.value) < 1e-9 and p.unit and not same_quantity(p, q):
                return True
    return False


def _list_verdict(answer: str, gold: str, question_keys: frozenset[str]) -> str:
    items = _split_items(gold)
    if len(items) < 2:
        return _text_verdict(answer, gold, question_keys)[0]
    got = [_text_verdict(answer, item, question_keys)[0] for item in items]
    some = sum(v != "wrong" for v in got)
    if some == len(items):
        return "correct"  # every item named (an item's head noun is enough)
    if some:
        return "partial"
    return "wrong"


def _best(verdicts: Iterable[tuple[str, str]]) -> tuple[str, str | None]:
    best, matched = "wrong", None
    for verdict, gold in verdicts:
        if _RANK[verdict] > _RANK[best] or matched is None and verdict == best == "wrong":
            best, matched = verdict, gold
    return best, matched


def _gold_kind(golds: Sequence[str], answer_type: str) -> str:
    """``yes/no``, ``list`` or ``factoid`` (dates and numbers are told apart per variant)."""
    if answer_type in ("yes/no", "list"):
        return answer_type
    # Imported gold says "factoid" for everything: a "Ja"/"Nein" gold is a yes/no question.
    first = re.findall(r"[^\W\d_]+", golds[0].casefold()) if golds else []
    if first and first[0] in (_YES | _NO) and len(first) <= 2:
        return "yes/no"
    return "factoid"


def _covers(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """The spans hold all of ``text``'s content words (prepositions and articles aside)."""
    rest = list(text)
    for s, e in spans:
        rest[s:e] = [" "] * (e - s)
    words = [w for w in "".join(rest).split() if w.strip(".,;:()")]
    return all(w.strip(".,;:()").casefold() in STOPWORDS for w in words)


def _variant_kind(gold: str) -> str:
    """How to compare with one gold variant: ``date``, ``number`` or ``text``."""
    dates = _dates(words_to_digits(gold))
    if dates:
        spans = [(d.start, d.end) for d in dates]
        return "date" if _covers(words_to_digits(gold), spans) else "text"
    q = find_quantities(gold)
    if q and _covers(gold, [(x.start, x.end) for x in q]):
        return "number"
    return "text"


def _date_vs(answer: str, gold: str, year: int | None) -> str:
    pred = _dates(words_to_digits(answer))
    gd = _dates(words_to_digits(gold))
    if not pred or len(gd) != 1:
        return "wrong"
    target = gd[0]
    if not target.single and len(pred) >= 2:
        # "am 24.11. und 25.11.": two days that make the gold's span
        first, last = pred[0], pred[-1]
        span = _Interval(first.first, last.last, answer, first.start, last.end)
        if _compare_dates(span, target, year) == "correct":
            return "correct"
    verdicts = [_compare_dates(p, target, year) for p in pred]
    best = max(verdicts, key=lambda v: _RANK[v])
    if best != "wrong" and "wrong" in verdicts:
        rest = list(answer)
        for p in pred:
            rest[p.start : p.end] = [" "] * (p.end - p.start)
        if len(_content(_tokens("".join(rest)))) <= 1:
            return "wrong"  # "2024/2028", "24. oder 25. November": two candidates
    return best


def _durations(answer: str) -> list[Quantity]:
    """Day spans of the answer as durations ("vom 24. bis 25. November" lasts 2 days)."""
    out: list[Quantity] = []
    for d in _dates(answer):
        if d.single or not (d.first.day and d.last.day):
            continue
        if d.first.month == d.last.month and d.first.year == d.last.year:
            days = d.last.day - d.first.day + 1
            out.append(Quantity(d.start, d.end, d.text, float(days), "day"))
    return out


def _number_vs(answer: str, gold: str, golds: Sequence[str]) -> str:
    answer = _numbers_read(answer)
    spans = [(d.start, d.end) for d in _dates(answer)]
    pred = find_quantities(answer, spans) + _durations(answer)
    targets = find_quantities(gold, [(d.start, d.end) for d in _dates(gold)])
    if not pred or not targets:
        return "wrong"
    if len(targets) > 1:  # "7 bis 10 Prozent", "4:51", "1321 bis 1323": every value, in order
        values = [p.value for p in pred]
        want = [t.value for t in targets]
        found = any(values[i : i + len(want)] == want for i in range(len(values)))
        return "correct" if found else "wrong"
    t = targets[0]
    same = [p for p in pred if same_quantity(p, t)]
    if not same:
        return "wrong"
    with_unit = [
        q
        for g in golds
        for q in find_quantities(g, [(d.start, d.end) for d in _dates(g)])
        if q.unit and abs(q.value - t.value) < 1e-9
    ]
    if with_unit and any(p.unit and not any(same_quantity(p, q) for q in with_unit) for p in same):
        return "wrong"  # "15 Tage" for "15 Jahre" (the gold's "15" alone says no unit)
    numbers = [(q.start, q.end) for q in pred]
    rest = list(answer)
    for a, b in numbers:
        rest[a:b] = [" "] * (b - a)
    short = len(_content(_tokens("".join(rest)))) <= 3  # a sentence mentions other numbers
    if short and any(not same_quantity(p, t) and _same_kind(p, t) for p in pred):
        return "wrong"  # a second value of the asked kind ("10 oder 15 Jahre", "15, 20")
    return "correct"


def _variant_verdict(
    answer: str,
    gold: str,
    kind: str,
    question_keys: frozenset[str],
    year: int | None,
    golds: Sequence[str],
) -> tuple[str, str]:
    """Verdict against one gold variant, compared as that variant's kind, and that kind."""
    vkind = _variant_kind(gold)
    if vkind == "date":
        return _date_vs(answer, gold, year), "date"
    if vkind == "number":
        return _number_vs(answer, gold, golds), "number"
    if kind == "list":
        return _list_verdict(answer, gold, question_keys), "list"
    return _text_verdict(answer, gold, question_keys)[0], "words"


def _same_kind(a: Quantity, b: Quantity) -> bool:
    """Two quantities that answer the same kind of question: one dimension, or no unit and
    the same noun (or none)."""
    if a.unit is not None and b.unit is not None:
        return a.dimension == b.dimension
    if a.unit is None and b.unit is None:
        return a.noun is None or b.noun is None or a.noun == b.noun
    return False


_WHO = re.compile(r"(?:wer|wen|wem|wessen|von wem|who|whom|whose)\b", re.I)
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "nis", "tum", "ium")


def _surname(gold: str) -> str | None:
    """The last name of a two-word personal name ("Keo Chhea" -> "Chhea"), else None."""
    words = gold.split()
    if len(words) != 2 or not all(w[:1].isupper() and w[1:].islower() for w in words):
        return None
    if any(w.casefold().endswith(_NOUN_ENDINGS) or w.casefold() in STOPWORDS for w in words):
        return None
    return words[1]


_STATE_VERBS = (
    r"genannt|erwähnt|angegeben|angeführt|aufgeführt|beschrieben|beantwortet|berichtet|gesagt"
    r"|spezifiziert|bekannt|bekanntgegeben|mitgeteilt|thematisiert|hervor|entnehmen|enthalten"
)
_NOT_STATED = re.compile(
    r"(?<!\w)(?:"
    # "X wird (im Artikel) nicht genannt", "keine Zahl wird genannt", "nicht bekannt"
    rf"(?:nicht|kein\w*|nirgends|weder)\b[^,;.]*?\b(?:{_STATE_VERBS}|steht|stehen)\b"
    # "der Artikel nennt keine Staaten", "im Text steht nichts", "macht keine Angaben"
    r"|(?:nennt|nennen|erwähnt|erwähnen|enthält|sagt|steht)\b[^,;.]*?"
    r"\b(?:nicht|kein\w*|nichts)\b"
    r"|(?:gibt|macht|liefert)\s+(?:es\s+)?(?:keine|nichts|keinerlei)\s+"
    r"(?:angabe\w*|information\w*|auskunft|hinweis\w*|details?)\b"
    r"|(?:unklar|offen|unbekannt|unknown|unclear)\b"
    r"|(?:im\s+(?:artikel|text|bericht)|in\s+the\s+(?:article|text))\b[^,;.]*?"
    r"\b(?:nicht|nichts|kein\w*|not|nothing)\b"
    r"|\b(?:nicht|nichts|kein\w*)\b[^,;.]*?\bim\s+(?:artikel|text|bericht)\b"
    r"|ohne\b[^,;.]*?\b(?:zu\s+)?(?:nennen|erwähnen|benennen|angeben|spezifizieren)\b"
    r"|without\s+(?:naming|mentioning|specifying|saying|giving|listing|identifying)\b"
    # English: "doesn't mention", "is not stated", "no information is given", "not named"
    r"|(?:does\s*n[o']t|did\s*n[o']t|do\s*n[o']t|is\s*n[o']t|are\s*n[o']t|not|never|no)\b"
    r"[^,;.]*?\b(?:mention\w*|name[sd]?|say\w*|said|state[sd]?|specif\w*|give[sn]?|list\w*"
    r"|provide[sd]?|report\w*|include[sd]?|tell\w*|indicate[sd]?|known|information|details?)\b"
    r")",
    re.I,
)
_GUESS = re.compile(
    r"(?<!\w)(?:vermutlich|wahrscheinlich|vielleicht|möglicherweise|eventuell|wohl|probably"
    r"|likely|perhaps|maybe|presumably|possibly)(?!\w)",
    re.I,
)


def _says_not_stated(text: str) -> bool:
    """Some clause of the answer says the article does not state it ("Der Vorsitz wird nicht
    genannt; ...", "The article doesn't name any partner countries"), without a guess."""
    return bool(_NOT_STATED.search(text)) and not _GUESS.search(text)


_EXAMPLES = re.compile(
    r"(?<!\w)(?:etwa|z\.\s?b\.|zum\s+beispiel|beispielsweise|darunter|insbesondere|such\s+as"
    r"|e\.\s?g\.|including|for\s+example)(?!\w)",
    re.I,
)


_EXPLICITLY = re.compile(
    r"(?<!\w)(?:ausdrücklich|explizit|direkt|eindeutig|wörtlich|explicitly|directly|clearly)(?!\w)",
    re.I,
)


def _parallel(a: str, b: str) -> bool:
    """Two enumeration items of the same shape ("den Opferschutz zu verbessern" and "die
    Strafverfolgung zu stärken"): lengths within one word, the same kind of last word."""
    wa, wb = a.split(), b.split()
    if not wa or not wb or abs(len(wa) - len(wb)) > 1 or max(len(wa), len(wb)) > 5:
        return False
    return wa[-1][:1].isupper() == wb[-1][:1].isupper() and ("zu" in wa) == ("zu" in wb)


def _conflict(
    text: str,
    matched: str,
    kind: str,
    how: str,
    question_keys: frozenset[str],
    golds: Sequence[str],
    source: str,
    question: str,
) -> str | None:
    """Why an answer that states the gold is wrong all the same, or None."""
    if not any(t.text in NEGATIONS for t in _tokens(matched)):
        need, _ = _required(matched, question_keys)
        for clause in _CLAUSE.split(text):
            pred = _content(_tokens(_canon_numbers(clause or "")))
            idx = _found_at(need[0], pred) if need else None
            if idx is not None and _negated_before(pred, idx):
                return "negates the answer"
    for clause in _CLAUSE.split(text):
        # "nicht ausdrücklich genannt, aber ..." infers the answer: no contradiction
        if clause and _says_not_stated(clause) and not _EXPLICITLY.search(clause):
            subject = [t for t in _content(_tokens(clause)) if t.keys & question_keys]
            if subject:  # "Der Autor ist nicht bekannt – es wird nur Men Kiri genannt."
                return "says the article does not state what it then answers"
    # Examples ("etwa ...", "such as ...") elaborate the answer; they are no candidates.
    items = _split_items(_EXAMPLES.split(text, maxsplit=1)[0])
    if kind != "list" and how == "words" and len(items) >= 3 and len(_split_items(matched)) < 2:
        gold_items = _split_items(matched)
        mine = [
            i
            for i in items
            if any(_text_verdict(i, g, question_keys)[0] != "wrong" for g in gold_items)
        ]
        others = [i for i in items if i not in mine and any(_parallel(i, m) for m in mine)]
        if mine and len(others) >= 2 and 2 * (len(others) + len(mine)) >= len(items):
            return "offers several candidates"
    same_language = _english(text) == _english(source)  # an English answer, a German article
    if same_language and len(items) >= 2 and (kind == "list" or len(_split_items(matched)) >= 2):
        gold_items = [i for g in golds for i in _split_items(g)]
        src = _content(_tokens(source + " " + question))
        for item in items:
            if any(_text_verdict(item, gi, question_keys)[0] != "wrong" for gi in gold_items):
                continue
            words = _content(_tokens(item))
            if words and not any(_found(w, src) for w in words):
                return f"adds an item the article does not name ({item!r})"
    bad = _supported_by_source(text, source, question, golds)
    if bad:
        return f"states {bad!r}, which the source does not"
    return None


def judge_answer(
    answer: str,
    golds: Sequence[str],
    *,
    question: str = "",
    answer_type: str = "factoid",
    answerable: bool = True,
    source: str = "",
    golds_en: Sequence[str] = (),
    abstention_phrases: Sequence[str] | None = None,
) -> AnswerJudgement:
    """Judge ``answer`` against the gold variants as a careful reader would.

    Args:
        answer: The answer to judge (free text, any length).
        golds: Every accepted answer (German or the article's language).
        question: The question (its words are not needed in the answer).
        answer_type: ``factoid``, ``list``, ``date``, ``number`` or ``yes/no``.
        answerable: False when the source does not answer the question.
        source: The article (dates and numbers of the answer are checked against it).
        golds_en: English renderings of the accepted answers.
        abstention_phrases: Passed to :func:`harness.text.abstain.is_abstention`.

    Returns:
        The verdict (``correct``, ``partial``, ``wrong`` or ``abstained``), a
        reason a person can check, and the gold variant it matched.
    """
    text = strip_answer(answer)
    all_golds = [g for g in (*golds, *golds_en) if g.strip()]
    kwargs = {} if abstention_phrases is None else {"phrases": abstention_phrases}
    if is_abstention(text, answers=all_golds, question=question, **kwargs):
        why = "says the article does not answer" if text else "empty answer"
        return AnswerJudgement("abstained", why)
    if not answerable or not all_golds:
        if _says_not_stated(text):
            return AnswerJudgement("abstained", "says the article does not state it")
        return AnswerJudgement("wrong", "answers a question the article does not answer")
    question_keys = _question_keys(question)
    kind = _gold_kind(all_golds, answer_type)
    if _WHO.match(question.strip()):  # "Chhea" names "Keo Chhea" when the question asks who
        all_golds += [n for g in all_golds if (n := _surname(g)) and n not in all_golds]

    if kind == "yes/no":
        want = _gold_polarity(all_golds)
        got = _polarity(text, question)
        if got == "hedge":
            return AnswerJudgement("wrong", "hedges between yes and no")
        if got is None and want is not None:
            return AnswerJudgement("wrong", "says neither yes nor no about the question")
        if want is not None:
            if got != want:
                return AnswerJudgement("wrong", f"polarity {got}, the gold says {want}")
            bad = (
                _supported_by_source(text, source, question, all_golds)
                or _unsupported_reason(text, source, question)
                or _conflicting_reason(text, all_golds, question)
            )
            if bad:
                return AnswerJudgement("wrong", f"right polarity, but {bad!r} is not in the source")
            return AnswerJudgement("correct", f"polarity {got}, as the gold", all_golds[0])

    year = _source_year(source)
    if _hedged(text, all_golds):
        # "2024 oder 2025" hedges; "Verbrecherbanden bzw. kriminelle Netzwerke" names one
        # thing twice: a hedge only when one alternative is right and another is not.
        alternatives = [a for a in _HEDGE_RE.split(text) if _content(_tokens(a))]
        # Candidates side by side ("2024 oder 2025", "Keo Chhea oder Men Kiri"), not a
        # sentence that happens to say "or" ("... eines Gebäudes oder einer Infrastruktur").
        sizes = [len(_content(_tokens(a))) for a in alternatives]
        if sizes and (max(sizes) > 6 or max(sizes) - min(sizes) > 3):
            alternatives = []
        verdicts = [
            _best(
                (_variant_verdict(a, g, kind, question_keys, year, all_golds)[0], g)
                for g in all_golds
            )
            for a in alternatives
        ]
        if (
            len(verdicts) >= 2
            and any(v != "wrong" for v, _ in verdicts)
            and any(v == "wrong" for v, _ in verdicts)
        ):
            matched = next(g for v, g in verdicts if v != "wrong")
            return AnswerJudgement("wrong", "hedges between candidates", matched)

    results = [
        (_variant_verdict(text, g, kind, question_keys, year, all_golds), g) for g in all_golds
    ]
    verdict, matched = _best((v, g) for (v, _), g in results)
    how = next((h for (v, h), g in results if g == matched), "words")
    if verdict == "wrong":
        if _says_not_stated(text):
            return AnswerJudgement("abstained", "says the article does not state it")
        return AnswerJudgement("wrong", f"does not state the gold answer ({how})", matched)
    assert matched is not None
    conflict = _conflict(text, matched, kind, how, question_keys, all_golds, source, question)
    if conflict:
        return AnswerJudgement("wrong", conflict, matched)
    label = {"correct": "states", "partial": "partly states"}[verdict]
    return AnswerJudgement(verdict, f"{label} {matched!r} ({how})", matched)  # type: ignore[arg-type]
