"""Recognising an abstention ("not in the text") in a model's answer.

An output is an abstention when its *content* is an abstention statement, not
when it merely contains an abstention word: "Täter unbekannt", "the Unknown
Soldier" and "Die Zahl ist nicht bekannt, aber Keo Chhea sprach" are answers.
The recogniser is a small grammar over words (casefolded; digits, names and
clause boundaries kept apart):

1. **Filler is dropped**: a lead-in ``Antwort:`` / ``Answer:``, apologies and
   courtesy ("Leider", "Tut mir leid, aber", "Sorry", "I'm afraid",
   "Unfortunately", "bitte", "please", "danke", "thanks"), punctuation.
   Nothing left (an empty output, "Antwort:", "…") is an abstention: empty by
   the model's choice.
2. **An abstention core** must be present:

   * a negation (``nicht``, ``kein…``, ``nichts``, ``not``, ``no``, ``fehlt``,
     ...) with a verb, adjective or noun of stating, knowing or mention in the
     same sentence ("steht nicht", "nennt keine", "geht nicht hervor", "don't
     know", "doesn't say", "not mentioned", "keine Angabe", "no information");
   * a negation followed by a reference to the text ("nicht im Text", "not in
     the article");
   * a word that is an abstention by itself ("unbekannt", "unklar",
     "unknown", "unclear", "unanswerable", "n/a", "k. A.");
   * or one of the configured ``phrases`` as a run of words.

3. **Every other word carries no value**: function words, references to the
   text, article or question, generic nouns of what a question asks ("Zahl",
   "Datum", "Name", "number", "date"), more stating words, German nouns
   after an article ("die Zahl der Opfer"), words of the ``question``, and a
   clause that restates the question ("…, wer die Sitzung leitete"). A digit,
   a name (a capitalised word that follows no article), a month or number
   word, a contrast ("aber", "but", "vermutlich") or any other content word
   makes the output an answer.

The grammar is switched on when ``phrases`` holds all of
:data:`DEFAULT_PHRASES` (the default, or the defaults plus extra phrases);
with other ``phrases`` only those phrases are cores (rules 1 and 3 still
apply). A text equal to one of the gold ``answers`` is never an abstention.

Example:
    >>> is_abstention("Das steht nicht im Text.")
    True
    >>> is_abstention("")
    True
    >>> is_abstention("Keo Chhea")
    False
    >>> is_abstention("Täter unbekannt"), is_abstention("Unbekannt.")
    (False, True)
    >>> is_abstention("Es wird nicht erwähnt, wer die Sitzung leitete.")
    True
    >>> is_abstention("Die Zahl ist nicht bekannt, aber Keo Chhea sprach")
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from harness.text.normalize import clean, collapse_spaces, punctuation_to_space

DEFAULT_PHRASES: tuple[str, ...] = (
    # German
    "nicht im text",
    "nicht im artikel",
    "steht nicht",
    "geht nicht hervor",
    "geht aus dem text nicht hervor",
    "geht aus dem artikel nicht hervor",
    "nicht angegeben",
    "nicht erwähnt",
    "nicht genannt",
    "keine angabe",
    "keine angaben",
    "unbekannt",
    "nicht bekannt",
    "keine antwort",
    "nicht beantwortbar",
    "lässt sich nicht beantworten",
    "kann nicht beantwortet werden",
    # English
    "not stated",
    "not in the text",
    "not in the article",
    "not mentioned",
    "not specified",
    "not given",
    "no answer",
    "unanswerable",
    "unknown",
    "cannot be answered",
    "does not say",
    "doesn't say",
    "n a",
)

#: Outputs with more words than this (after filler) are answers, whatever they say.
MAX_WORDS = 40

# -- vocabulary (casefolded) ---------------------------------------------------


def _vocab(words: str) -> frozenset[str]:
    """The casefolded words of a whitespace-separated list ("weiß" -> "weiss")."""
    return frozenset(w.casefold() for w in words.split())


_NEGATIONS = _vocab(
    """nicht nichts kein keine keinen keinem keiner keines nirgends nirgendwo nie niemals
    weder ohne fehlt fehlen fehlte fehlten fehlend not no nothing nowhere never neither nor
    none missing lacks lack lacking absent"""
)
# Negations that are verbs: "Angaben fehlen", "information is missing".
_NEGATIVE_VERBS = _vocab("fehlt fehlen fehlte fehlten fehlend missing lacks lack lacking absent")
# Verbs, participles and adjectives of stating, knowing, mention, containing.
_STATING = _vocab(
    """steht stehen stand standen erwähnt erwähnen erwähnte erwähnten genannt nennt nennen
    nannte benannt angegeben angibt bekannt weiß wissen wisse beantworten beantwortet
    beantwortbar hervor hervorgehen enthält enthalten beschrieben beschreibt gesagt sagt
    sagen ersichtlich entnehmen entnommen ableiten abgeleitet belegt spezifiziert präzisiert
    berichtet geklärt klar thematisiert behandelt aufgeführt aufgelistet
    findet finden finde fand gefunden festgestellt mitgeteilt erläutert dargestellt sicher vorkommen
    say says said saying state states stated mention mentions mentioned specify specifies
    specified give gives given provide provides provided contain contains contained
    include includes included know knows known answered answerable indicate indicates
    indicated tell tells told reveal reveals revealed report reports reported discuss
    discusses discussed address addresses addressed find found determine determined cover
    covers covered available list lists listed disclose discloses disclosed describe
    describes described record recorded clear sure appear appears explain explains
    explained identify identifies identified name names named"""
)
# Nouns of stating: a core only right after a negation ("keine Angabe", "no answer").
_STATING_NOUNS = _vocab(
    """angabe angaben antwort antworten auskunft auskünfte information informationen info
    infos hinweis hinweise aussage aussagen erwähnung ahnung daten
    answer answers information info idea mention statement indication data"""
)
# What the output may say it is about: the text, the article, the question.
_TEXT_REFS = _vocab(
    """text texts textes artikel artikels quelle quellen dokument dokuments dokumente
    passage abschnitt abschnitts beitrag beitrags bericht berichts meldung vorlage kontext
    material frage fragestellung absatz auszug inhalt wortlaut
    article articles source sources document documents passages context excerpt snippet
    question story paragraph content"""
)
# Generic nouns of what a question asks.
_GENERIC = _vocab(
    """zahl zahlen anzahl datum namen name ort orte zeitpunkt zeit zeitraum grund gründe
    ursache person personen details einzelheiten wert werte höhe betrag dauer jahr tag
    uhrzeit summe menge ergebnis
    number numbers date dates place location time period reason reasons cause person
    people amount figure figures detail details value year day sum result specifics"""
)
_ALSO_ALLOWED = _vocab(
    """das dies diese dieser dieses diesem diesen es der die den dem des ein eine einen
    einem einer eines im in aus von vom zu zum zur an am auf über bei beim für mit nach um
    unter wird werden wurde wurden worden ist sind war waren sei sein seien wäre hat haben
    hatte hatten kann können konnte konnten könnte lässt lassen ließ sich man ich wir mir
    uns mich bin kommt kommen macht machen gemacht gibt geben gegeben geht gehen gehe und
    oder noch als etwas
    dabei darauf damit dafür dazu hierzu darüber hierüber davon darin daraus hier dort
    bezüglich betreffend hinsichtlich laut gemäß selbst bisher bislang jedenfalls
    eigentlich auch ebenfalls so mehr also somit daher deshalb genau genaue genauen
    genauer genaues konkret konkrete konkreten exakt exakte exakten näher nähere näheren
    weitere weiteren weiterer spezifisch spezifische spezifischen direkt explizit
    ausdrücklich eindeutig irgendwo irgendwelche irgendeine irgendeinen überhaupt gar
    vorliegenden vorliegende vorliegend gegebenen gegebene obigen oben bereitgestellten
    folgenden betreffenden entsprechende entsprechenden leider vor
    the a an it its this that these those there here is are was were be been being am
    has have had do does did can could will would should may might must i we me us you
    on at from of to for by with about regarding within inside according based and or as
    any such so also therefore anything enough sufficient relevant specific exact precise
    particular further additional more explicitly directly specifically clearly anywhere
    all exactly precisely actually above"""
)
_ALLOWED = _NEGATIONS | _STATING | _STATING_NOUNS | _TEXT_REFS | _GENERIC | _ALSO_ALLOWED
# Words that are an abstention by themselves.
_STANDALONE = _vocab(
    """unbekannt unklar ungeklärt ungewiss unbeantwortbar unbeantwortet unerwähnt
    unknown unclear unanswerable unanswered unspecified unstated unmentioned
    undetermined"""
)
_STANDALONE_RUNS: tuple[tuple[str, ...], ...] = (("n", "a"), ("k", "a"))
# A question word opens a clause that may restate the question.
_QUESTION_WORDS = _vocab(
    """wer wen wem wessen was wann wo wohin woher wie wieviel wieviele welche welcher
    welches welchen welchem warum weshalb wieso weswegen wozu womit wofür worüber wodurch
    ob who whom whose what when where which why how whether"""
)
# Words after which a capitalised word is a noun, not a name.
_DETERMINERS = _vocab(
    """der die das den dem des ein eine einen einem einer eines kein keine keinen keinem
    keiner keines dieser diese dieses diesem diesen jener jene jenes jenem jenen sein seine
    seinen seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere unseren im
    am zum zur vom beim ins viele vielen wenige einige mehrere alle manche welche welcher
    welches welchen welchem jede jeder jedes jeden jedem
    the a an this that these those his her its their our any no some many much several
    which whose what"""
)
_CONTRAST = _vocab(
    """aber jedoch sondern doch allerdings trotzdem dennoch vermutlich wahrscheinlich
    vielleicht möglicherweise eventuell but however though although yet probably likely
    perhaps maybe possibly presumably except instead"""
)
_VALUE_WORDS = _vocab(
    """null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig
    hundert tausend million millionen milliarde milliarden zero two three four five six
    seven eight nine ten eleven twelve twenty thirty hundred thousand million millions
    billion billions"""
)
_CALENDAR = _vocab(
    """januar jänner februar märz april mai juni juli august september oktober november
    dezember montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    january february march may june july october december monday tuesday wednesday
    thursday friday saturday sunday"""
)
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
# Apologies and courtesy, dropped wherever they stand (as runs of words).
_FILLER_RUNS: tuple[tuple[str, ...], ...] = tuple(
    tuple(run.casefold().split())
    for run in (
        "es tut mir leid",
        "das tut mir leid",
        "tut mir leid",
        "entschuldigung",
        "entschuldige",
        "verzeihung",
        "leider",
        "bedauerlicherweise",
        "ich fürchte",
        "bitte",
        "danke",
        "vielen dank",
        "i am sorry",
        "i am afraid",
        "sorry",
        "unfortunately",
        "my apologies",
        "apologies",
        "please",
        "thank you",
        "thanks",
    )
)
_LEAD_IN_RE = re.compile(
    r"^\s*(?:(?:die\s+)?antwort(?:\s+lautet)?|(?:the\s+)?answer(?:\s+is)?|a)\s*[:：]",
    re.IGNORECASE,
)
# After an apology, "aber" / "but" only joins it to the statement.
_APOLOGY_JOINERS = frozenset({"aber", "but", "doch"})

# Contractions split at the apostrophe: ("doesn", "t") -> ("does", "not").
_NOT_STEMS = {
    "don": "do", "doesn": "does", "didn": "did", "isn": "is", "aren": "are", "wasn": "was",
    "weren": "were", "hasn": "has", "haven": "have", "hadn": "had", "can": "can",
    "couldn": "could", "won": "will", "wouldn": "would", "shouldn": "should",
    "mustn": "must", "ain": "is",
}  # fmt: skip
_SUFFIXES = {"m": "am", "re": "are", "ve": "have", "ll": "will", "d": "would", "s": "is"}

_TOKEN_RE = re.compile(r"\w+|[.!?;:,\n]|['’]", re.UNICODE)
_SENTENCE_END = frozenset(".!?\n")


@dataclass(frozen=True)
class _Word:
    fold: str
    cap: bool  # written with a capital first letter
    sentence: int  # index of its sentence
    segment: int  # index of its clause segment (split at , ; : and sentence ends)


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(clean(text))


def _words(text: str) -> list[_Word]:
    """Words with their sentence and segment numbers; contractions expanded."""
    return list(_cached_words(text))


@lru_cache(maxsize=8192)
def _cached_words(text: str) -> tuple[_Word, ...]:
    """:func:`_words`, remembered: a run scores the same outputs and questions many times."""
    return tuple(_scan_words(text))


def _scan_words(text: str) -> list[_Word]:
    out: list[_Word] = []
    sentence = segment = 0
    tokens = _raw_tokens(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("'", "’"):
            i += 1
            continue
        if len(tok) == 1 and not tok.isalnum() and tok != "_":
            if tok in _SENTENCE_END:
                sentence += 1
            segment += 1
            i += 1
            continue
        fold = tok.casefold()
        nxt = tokens[i + 2].casefold() if i + 2 < len(tokens) and tokens[i + 1] in "'’" else ""
        cap = tok[:1].isupper()
        if nxt == "t" and fold in _NOT_STEMS:
            out.append(_Word(_NOT_STEMS[fold], cap, sentence, segment))
            out.append(_Word("not", False, sentence, segment))
            i += 3
            continue
        if nxt in _SUFFIXES:
            expanded = "es" if fold in ("gibt", "geht") else _SUFFIXES[nxt]
            out.append(_Word(fold, cap, sentence, segment))
            out.append(_Word(expanded, False, sentence, segment))
            i += 3
            continue
        if fold == "cannot":
            out.append(_Word("can", cap, sentence, segment))
            out.append(_Word("not", False, sentence, segment))
        elif fold in _NOT_STEMS and i + 1 < len(tokens) and tokens[i + 1].casefold() == "t":
            # "doesn t" (apostrophe already gone)
            out.append(_Word(_NOT_STEMS[fold], cap, sentence, segment))
            out.append(_Word("not", False, sentence, segment))
            i += 2
            continue
        else:
            out.append(_Word(fold, cap, sentence, segment))
        i += 1
    return out


@lru_cache(maxsize=1024)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(w.fold for w in _words(phrase))


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    return collapse_spaces(punctuation_to_space(clean(text).casefold()))


def _find_runs(folds: Sequence[str], run: Sequence[str]) -> list[int]:
    n = len(run)
    if n and run[0] not in folds:
        return []  # the common case, without a slice per position
    target = tuple(run)
    return [i for i in range(len(folds) - n + 1) if tuple(folds[i : i + n]) == target]


def _drop_filler(words: list[_Word]) -> list[_Word]:
    """Without apologies, courtesy and the "aber" that joins them to the statement."""
    folds = [w.fold for w in words]
    drop = [False] * len(words)
    for run in _FILLER_RUNS:
        for i in _find_runs(folds, run):
            if any(drop[i : i + len(run)]):
                continue
            for j in range(i, i + len(run)):
                drop[j] = True
            k = i + len(run)
            if k < len(words) and words[k].fold in _APOLOGY_JOINERS:
                drop[k] = True
    return [w for w, d in zip(words, drop, strict=True) if not d]


def _is_noun_after_determiner(words: Sequence[_Word], i: int) -> bool:
    """A capitalised word preceded by an article (over adjectives): a noun, not a name."""
    j = i - 1
    while j >= 0 and words[j].segment == words[i].segment:
        fold = words[j].fold
        if fold in _DETERMINERS:
            return True
        if fold.endswith(_ADJECTIVE_ENDINGS) and fold not in _QUESTION_WORDS:
            j -= 1
            continue
        return False
    return False


def _in_question(fold: str, question: frozenset[str]) -> bool:
    if fold in question:
        return True
    return len(fold) >= 4 and any(
        len(q) >= 4 and (q.startswith(fold) or fold.startswith(q)) for q in question
    )


def _value_like(w: _Word) -> bool:
    return (
        any(c.isdigit() for c in w.fold)
        or w.fold in _VALUE_WORDS
        or w.fold in _CONTRAST
        or (w.cap and w.fold in _CALENDAR)
    )


def _cores(words: Sequence[_Word], phrases: Sequence[tuple[str, ...]], grammar: bool) -> set[int]:
    """Indices of the words that make up abstention cores (empty: no core)."""
    folds = [w.fold for w in words]
    core: set[int] = set()
    for run in phrases:
        if run:
            for i in _find_runs(folds, run):
                core.update(range(i, i + len(run)))
    if not grammar:
        return core
    for run in _STANDALONE_RUNS:
        for i in _find_runs(folds, run):
            core.update(range(i, i + len(run)))
    for i, w in enumerate(words):
        if w.fold in _STANDALONE:
            core.add(i)
    # negation + a stating word or the text, in the same sentence
    for s in {w.sentence for w in words}:
        idx = [i for i, w in enumerate(words) if w.sentence == s]
        negs = [i for i in idx if words[i].fold in _NEGATIONS]
        states = [i for i in idx if words[i].fold in _STATING or words[i].fold in _TEXT_REFS]
        if negs and states:
            core.update(negs)
            core.update(states)
    # negation, then (articles, prepositions, adjectives), then a stating noun or the text
    skippable = _DETERMINERS | _ALSO_ALLOWED
    for i, w in enumerate(words):
        if w.fold not in _NEGATIONS:
            continue
        for j in range(i + 1, min(i + 5, len(words))):
            target = words[j].fold
            if words[j].sentence != w.sentence:
                break
            if target in _STATING_NOUNS or target in _TEXT_REFS:
                core.update((i, j))
                break
            if target not in skippable and not target.endswith(_ADJECTIVE_ENDINGS):
                break
    # a stating noun with a negative verb: "Angaben fehlen"
    for i, w in enumerate(words):
        if w.fold in _STATING_NOUNS:
            for j, v in enumerate(words):
                if v.sentence == w.sentence and v.fold in _NEGATIVE_VERBS:
                    core.update((i, j))
    return core


def _opens_clause(words: Sequence[_Word], i: int) -> bool:
    """A question word opens a clause; German "was" only where English "was" cannot stand."""
    if words[i].fold != "was" or i == 0 or words[i - 1].segment != words[i].segment:
        return True
    return words[i - 1].fold in _NEGATIONS or words[i - 1].fold in _STATING


def _rest_carries_no_value(
    words: Sequence[_Word], core: set[int], question: frozenset[str]
) -> bool:
    """Every word outside the cores is allowed (see the module docstring, rule 3)."""
    clause_segment = -1  # the segment a question word opened
    for i, w in enumerate(words):
        if _value_like(w):
            return False
        if i in core:
            continue
        if w.fold in _QUESTION_WORDS and _opens_clause(words, i):
            clause_segment = w.segment
            continue
        if _in_question(w.fold, question):
            continue
        if w.segment == clause_segment:
            # a clause restating the question: no names, numbers or contrasts
            if w.cap and w.fold not in _ALLOWED and not _is_noun_after_determiner(words, i):
                return False
            continue
        if w.fold in _ALLOWED:
            continue
        if w.cap and _is_noun_after_determiner(words, i):
            continue  # "die Zahl der Opfer"
        return False
    return True


@lru_cache(maxsize=64)
def _phrase_setup(phrases: tuple[str, ...]) -> tuple[bool, list[tuple[str, ...]]]:
    """Whether the built-in grammar is on for ``phrases``, and their word runs."""
    normalised = {_norm(p) for p in phrases}
    grammar = all(_norm(p) in normalised for p in DEFAULT_PHRASES)
    return grammar, [_phrase_words(p) for p in phrases if _norm(p)]


def _question_words(question: str | Iterable[str]) -> frozenset[str]:
    texts = [question] if isinstance(question, str) else [q for q in question if isinstance(q, str)]
    return frozenset(w.fold for t in texts for w in _words(t) if w.fold not in _ALSO_ALLOWED)


def is_abstention(
    text: str,
    phrases: Iterable[str] = DEFAULT_PHRASES,
    answers: Iterable[str] = (),
    *,
    question: str | Iterable[str] = "",
) -> bool:
    """True if the content of ``text`` says that the article does not answer (or is empty).

    Args:
        text: The model's answer (free text).
        phrases: Abstention phrases that count as cores. With all of
            :data:`DEFAULT_PHRASES` among them the built-in grammar is on too
            (see the module docstring); other phrases replace it.
        answers: The gold answers: a text equal to one of them (after
            normalisation) is an answer, never an abstention, even when it
            reads like one (XQuAD has the answer "keine Angaben").
        question: The question, when known (or several renderings of it):
            its words may be restated in the abstention ("Es steht nicht im
            Text, wann Keo Chhea sprach").

    Returns:
        True for an abstention, False for an answer.

    >>> is_abstention("keine Angaben"), is_abstention("keine Angaben", answers=["Keine Angaben"])
    (True, False)
    >>> is_abstention("Leider steht dazu nichts im Artikel."), is_abstention("I don't know.")
    (True, True)
    >>> is_abstention("the Unknown Soldier")
    False
    """
    phrase_list = [p for p in phrases if isinstance(p, str)]
    answer_list = [a for a in answers if isinstance(a, str)]
    norm = _norm(text)
    if not norm:
        return True
    if any(_norm(a) == norm for a in answer_list):
        return False
    words = _drop_filler(_words(_LEAD_IN_RE.sub(" ", clean(text), count=1)))
    if not words:
        return True
    content = " ".join(w.fold for w in words)
    if any(" ".join(_phrase_words(a)) == content for a in answer_list):
        return False
    if len(words) > MAX_WORDS:
        return False
    grammar, runs = _phrase_setup(tuple(phrase_list))
    core = _cores(words, runs, grammar)
    if not core:
        return False
    return _rest_carries_no_value(words, core, _question_words(question))
