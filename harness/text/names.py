"""Names in a model's output that its source never mentions: a heuristic for German and English.

German capitalises every noun, so a capital letter alone says little. A word
is reported as part of a *new name* only when all of these hold:

1. It is **unknown**: neither its casefolded form nor its German or English
   stem occurs in the known texts (the source, plus whatever the caller adds:
   the gold references and key facts, so English renderings such as
   "Cambodia" count as known), it is not a compound of a known word (it shares
   a final stretch of at least five letters with a known word, as
   "Kinderschutz" with "Opferschutz", or one is a prefix of the other of at
   least five letters, as "Migration" of "Migrationswege"), and it is not a
   function word, a month or a weekday.
2. It **looks like a name**:

   * an acronym (``UNICEF``, ``NGOs``) or a word with inner capitals or digits
     (``McDonald``, ``G20``), except a few common non-name acronyms
     (:data:`COMMON_ACRONYMS`: ``KI``, ``AI``, ``CEO`` ...); or
   * part of a run of two or more capitalised words (``Hun Sen``,
     ``Antonio Guterres``, ``Botschafter Sokha``; lower-case particles such as
     "von der" may join a run). In German the unknown stretch of the run must
     hold a word without a common German noun ending (``-ung``, ``-heit``,
     ``-e``, ``-en``, ``-er`` ... see :data:`GERMAN_NOUN_ENDINGS`), and such
     words are trimmed from its start ("Premierminister Hun Manet" gives
     "Hun Manet", "Neue Gesetze" gives nothing); or
   * a single capitalised word that does not start a sentence (nor follow a
     colon or an opening quote): in English always; in German only without a
     common noun ending and not right after an article, determiner or
     inflected adjective ("mit Guterres", "in Bangkok", but not "die Regierung").

   English lines in title case (four or more content words, all of more than
   three letters capitalised: a headline) are only searched for acronyms.

   A known capitalised word right after an unknown stretch of a run joins it
   ("Amnesty International"), unless it is a German noun.

Measured on hand-made German and English sentences with and without invented
names (``tests/metrics/test_hallucination.py``): 26 sentences used while
designing it, all right; 16 written afterwards, 11 of 14 names found with 2
false alarms (precision 0.85, recall 0.79). Limits: a name that opens a German
sentence ("Merkel sagte") or ends like a German noun ("Google", "Philippinen")
is missed, and so is a name made of known or noun-like words ("Internationale
Organisation für Migration"); a German noun without a noun ending after a
preposition ("für Recht", "in Online-Betrug") is a false alarm; English
renderings of the source's names ("Cambodia" for "Kambodscha") are known only
when the caller passes them (the metric passes the references and key facts).
It reports candidates for a person to check, not proof.

Example:
    >>> source = "Botschafter Keo Chhea sprach in New York über den Opferschutz."
    >>> [n.text for n in new_names("Laut Antonio Guterres lobte Keo Chhea UNICEF.", [source])]
    ['Antonio Guterres', 'UNICEF']
    >>> new_names("Die Regierung stärkt den Kinderschutz in New York.", [source])
    []
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from harness.text.matchers import STOPWORDS, Word, sentence_spans, words
from harness.text.sentences import MONTHS
from harness.text.stem import stem

__all__ = [
    "COMMON_ACRONYMS",
    "GERMAN_NOUN_ENDINGS",
    "PERSON_TITLES",
    "NameMention",
    "Vocabulary",
    "new_names",
    "person_mentions",
]

# Acronyms that are common nouns rather than the name of a person or organisation.
COMMON_ACRONYMS: frozenset[str] = frozenset(
    {"ki", "ai", "it", "tv", "pc", "id", "ok", "usb", "sms", "pdf", "faq", "ceo", "ceos",
     "ngo", "ngos", "nro", "nros", "bip", "gdp", "dna", "pr", "co2", "ca", "bzw", "nr"}
)  # fmt: skip

# Endings of German common nouns (and plural forms); a lone capitalised word with one is a noun.
GERMAN_NOUN_ENDINGS: tuple[str, ...] = (
    "ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "tion", "tionen",
    "sion", "sionen", "ität", "itäten", "ismus", "nis", "nisse", "tum", "tümer", "ment",
    "mente", "enz", "enzen", "anz", "anzen", "ie", "ien", "ik", "iken", "ur", "uren", "ei",
    "eien", "ling", "linge", "chen", "lein", "är", "äre", "e", "en", "er", "el", "ern", "eln",
    "um",
)  # fmt: skip

_MONTHS_DAYS: frozenset[str] = MONTHS | frozenset(
    {"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend",
     "sonntag", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "mo", "di", "mi", "do", "fr", "sa", "so", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)  # fmt: skip

# Words that often open a sentence or a clause and are never names.
_FUNCTION_WORDS: frozenset[str] = STOPWORDS | frozenset(
    {"laut", "zudem", "außerdem", "ausserdem", "dabei", "dazu", "damit", "zugleich", "ferner",
     "daneben", "insgesamt", "besonders", "vor", "gegen", "ohne", "seit", "während",
     "trotz", "wenn", "obwohl", "weil", "denn", "doch", "jedoch", "dies", "ich", "du", "ihr",
     "man", "kein", "keine", "alle", "viele", "mehr", "hier", "dort", "dann", "nun", "jetzt",
     "heute", "gestern", "morgen", "ja", "nein", "bis", "ab", "beim", "ins", "zwischen",
     "wegen", "hinter", "neben", "also", "however", "meanwhile", "according", "during",
     "after", "before", "while", "both", "his", "her", "he", "she", "they", "we", "i", "you",
     "these", "those", "there", "here", "but", "if", "when", "not", "no", "yes", "all",
     "many", "more", "most", "some", "today", "yesterday", "in", "into", "under", "over",
     "against", "between", "since", "until", "about", "our", "my", "your", "what", "who",
     "which", "why", "how", "where", "wer", "was", "wann", "wo", "warum", "welche",
     "welcher", "welches"}
)  # fmt: skip

# German words after which a capitalised word is a noun, not a name.
_DETERMINERS: frozenset[str] = frozenset(
    {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem",
     "einen", "kein", "keine", "keiner", "keinen", "keinem", "keines", "dieser", "diese",
     "dieses", "diesen", "diesem", "jeder", "jede", "jedes", "jeden", "jedem", "sein",
     "seine", "seiner", "seinen", "seinem", "seines", "ihr", "ihre", "ihrer", "ihren", "ihrem",
     "ihres", "unser", "unsere", "unseren", "unserem", "unserer", "im", "am", "zum", "zur",
     "vom", "beim", "ins", "alle", "viele", "mehr", "mehrere", "einige", "andere", "anderen"}
)  # fmt: skip
# Prepositions and conjunctions ending like an inflected adjective ("unter", "gegen").
_NOT_ADJECTIVES: frozenset[str] = frozenset(
    {"unter", "über", "hinter", "gegen", "zwischen", "wegen", "neben", "oder", "aber", "sowie",
     "ohne", "wieder", "seitens", "entgegen", "gemäß", "innerhalb", "außerhalb", "ausserhalb",
     "jenseits", "nahe", "dessen", "deren", "wie", "nie", "sie", "wer", "der"}
)  # fmt: skip
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
_NAME_PARTICLES: frozenset[str] = frozenset(
    {"von", "van", "der", "den", "de", "da", "di", "du", "del", "dos", "al", "el", "bin", "ibn",
     "le", "la", "zu", "of"}
)  # fmt: skip
_COMPOUND_MIN = 5  # letters a compound must share with a known word
_RUN_GAP_RE = re.compile(r"[ \t\u00a0-]{1,2}")
_INITIAL_GAP_RE = re.compile(r"\.[ \t\u00a0]{1,2}")
_CLAUSE_START_RE = re.compile(r"[:„“\"«»‚(]\s*$")


@dataclass(frozen=True)
class NameMention:
    """A stretch of the output that looks like a name the source does not know."""

    start: int
    end: int
    text: str


class Vocabulary:
    """The words of the known texts, for "does the source know this word?".

    Example:
        >>> v = Vocabulary(["Der Opferschutz wird gestärkt; Migrationswege."])
        >>> v.knows("opferschutzes"), v.knows("kinderschutz"), v.knows("migration")
        (True, True, True)
        >>> v.knows("guterres")
        False
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._words: set[str] = set()
        self._stems: set[str] = set()
        self._tails: set[str] = set()
        self._add(texts)

    def _add(self, texts: Iterable[str]) -> None:
        new: set[str] = set()
        for text in texts:
            new.update(w.folded for w in words(text))
        new -= self._words
        self._words |= new
        self._stems |= {stem(w, "de") for w in new} | {stem(w, "en") for w in new}
        self._tails |= {w[-_COMPOUND_MIN:] for w in new if len(w) >= _COMPOUND_MIN}
        self._sorted = sorted(self._words)

    def extended(self, texts: Iterable[str]) -> Vocabulary:
        """A copy that also knows the words of ``texts`` (cheaper than starting again).

        Example:
            >>> Vocabulary(["Keo Chhea"]).extended(["Hun Sen"]).knows("sen")
            True
        """
        out = Vocabulary(())
        out._words, out._stems, out._tails = set(self._words), set(self._stems), set(self._tails)
        out._add(texts)
        return out

    def knows(self, folded: str) -> bool:
        """True if the casefolded word, its stem or its compound head or stem is known."""
        if folded in self._words or folded in _FUNCTION_WORDS or folded in _MONTHS_DAYS:
            return True
        if stem(folded, "de") in self._stems or stem(folded, "en") in self._stems:
            return True
        if len(folded) < _COMPOUND_MIN:
            return False
        if folded[-_COMPOUND_MIN:] in self._tails:
            return True
        i = bisect.bisect_left(self._sorted, folded)  # a known word that extends it
        if i < len(self._sorted) and self._sorted[i].startswith(folded):
            return True
        return any(folded[:k] in self._words for k in range(_COMPOUND_MIN, len(folded)))


@dataclass(frozen=True)
class _Item:
    """A word, or a hyphenated compound ("UN-Generalsekretär"), with its spelling and parts."""

    start: int
    end: int
    text: str
    parts: tuple[str, ...]  # casefolded
    spellings: tuple[str, ...]  # as written

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and self.parts[0] not in _FUNCTION_WORDS

    @property
    def particle(self) -> bool:
        return len(self.parts) == 1 and self.text in _NAME_PARTICLES


def _items(text: str) -> list[_Item]:
    """Words of ``text``; words joined by a hyphen alone form one compound item."""
    out: list[_Item] = []
    group: list[Word] = []

    def flush() -> None:
        if group:
            start, end = group[0].start, group[-1].end
            out.append(
                _Item(
                    start,
                    end,
                    text[start:end],
                    tuple(w.folded for w in group),
                    tuple(text[w.start : w.end] for w in group),
                )
            )
            group.clear()

    for w in words(text):
        if group and text[group[-1].end : w.start] not in ("-", "‑"):
            flush()
        group.append(w)
    flush()
    return out


def _acronym_like(text: str) -> bool:
    """``UNICEF``, ``NGOs``, ``McDonald``, ``G20``, ``iPhone``: not an ordinary word."""
    body = text[:-1] if len(text) > 2 and text.endswith("s") and text[:-1].isupper() else text
    letters = [c for c in body if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    if any(c.isdigit() for c in body) and any(c.isupper() for c in body):
        return True
    return any(a.islower() and b.isupper() for a, b in zip(body, body[1:], strict=False))


def _noun_like(folded: str) -> bool:
    return any(folded.endswith(e) and len(folded) > len(e) + 1 for e in GERMAN_NOUN_ENDINGS)


def _after_determiner(prev: _Item | None) -> bool:
    """True if ``prev`` makes the next capitalised German word a common noun.

    Articles, determiners and contractions ("im", "zum") do, and so do words
    that look like inflected adjectives ("neue", "zunehmenden"), but not
    prepositions ending alike ("unter", "gegen") nor past-tense verbs ("sagte").
    """
    if prev is None or len(prev.parts) != 1:
        return False
    word = prev.parts[0]
    if word in _DETERMINERS:
        return True
    if word in _NOT_ADJECTIVES or len(word) < 4 or not word.isalpha():
        return False
    return word.endswith(_ADJECTIVE_ENDINGS) and not word.endswith(("te", "ten"))


class _Judge:
    """Per-output state: the vocabulary, the language, where clauses start."""

    def __init__(self, text: str, vocab: Vocabulary, language: str) -> None:
        self.text = text
        self.vocab = vocab
        self.german = language == "de"
        self.items = _items(text)
        self.starts = self._clause_starts(language)
        self.title = self._title_lines(language)

    def _clause_starts(self, language: str) -> set[int]:
        """Indices of items that open a sentence, or follow a colon or an opening quote."""
        out: set[int] = set()
        spans = sentence_spans(self.text, language)
        for s, e in spans:
            first = next((i for i, it in enumerate(self.items) if s <= it.start < e), None)
            if first is not None:
                out.add(first)
        for i, it in enumerate(self.items):
            if _CLAUSE_START_RE.search(self.text, max(0, it.start - 3), it.start):
                out.add(i)
        return out

    def _title_lines(self, language: str) -> set[int]:
        """Items on English title-case lines (four or more content words, all capitalised)."""
        if language != "en":
            return set()
        out: set[int] = set()
        for s, e in sentence_spans(self.text, language):
            idx = [i for i, it in enumerate(self.items) if s <= it.start < e]
            content = [
                self.items[i]
                for i in idx
                if self.items[i].parts[0] not in _FUNCTION_WORDS
                and self.items[i].text[:1].isalpha()
                and len(self.items[i].text) > 3
            ]
            if len(content) >= 4 and all(it.text[:1].isupper() for it in content):
                out.update(idx)
        return out

    def new_acronym(self, it: _Item) -> bool:
        return any(
            _acronym_like(sp) and p not in COMMON_ACRONYMS and not self.vocab.knows(p)
            for p, sp in zip(it.parts, it.spellings, strict=True)
        )

    def unknown(self, it: _Item) -> bool:
        if self.new_acronym(it):
            return True
        parts = [p for p in it.parts if not p.isdigit()]
        if not parts or any(p in COMMON_ACRONYMS for p in parts):
            return False
        return not any(self.vocab.knows(p) for p in parts)

    def noun_like(self, it: _Item) -> bool:
        return self.german and _noun_like(it.parts[-1])

    def closes_name(self, it: _Item) -> bool:
        """A known capitalised word that may end a name ("Amnesty International")."""
        return it.capitalised and not it.particle and not self.noun_like(it)

    def runs(self) -> list[list[int]]:
        """Indices of maximal runs of capitalised items (particles may join two of them)."""
        items, text = self.items, self.text
        runs: list[list[int]] = []
        i = 0
        while i < len(items):
            if not items[i].capitalised:
                i += 1
                continue
            run, j = [i], i
            while j + 1 < len(items):
                gap_ok = _RUN_GAP_RE.fullmatch(text, items[j].end, items[j + 1].start) or (
                    len(items[j].text) == 1
                    and _INITIAL_GAP_RE.fullmatch(text, items[j].end, items[j + 1].start)
                )
                if not gap_ok:
                    break
                if items[j + 1].capitalised:
                    run.append(j + 1)
                    j += 1
                    continue
                k = j + 1  # lower-case particles ("von der") join if a capital follows
                while k < len(items) and items[k].particle and k - j <= 2:
                    k += 1
                if k > j + 1 and k < len(items) and items[k].capitalised:
                    run.extend(range(j + 1, k + 1))
                    j = k
                    continue
                break
            runs.append(run)
            i = j + 1
        return runs

    def pieces(self, run: list[int]) -> list[list[int]]:
        """The unknown stretches of a run (particles only inside a stretch)."""
        out: list[list[int]] = []
        stretch: list[int] = []
        for i in run:
            if self.items[i].particle:
                if stretch:
                    stretch.append(i)
            elif self.unknown(self.items[i]):
                stretch.append(i)
            elif stretch:
                out.append(stretch)
                stretch = []
        if stretch:
            out.append(stretch)
        return out

    def judge(self, piece: list[int], run: list[int]) -> list[int] | None:
        """The name a piece of a run makes, or ``None`` if it is not one."""
        items = self.items

        def strip(p: list[int]) -> list[int]:
            while p and items[p[0]].particle:
                p = p[1:]
            while p and items[p[-1]].particle:
                p = p[:-1]
            return p

        piece = strip(piece)
        if not piece:
            return None
        if any(self.new_acronym(items[i]) for i in piece):
            return piece  # acronyms count even in a headline
        if all(i in self.title for i in piece):
            return None
        if len(run) >= 2:
            while piece and self.noun_like(items[piece[0]]):
                piece = strip(piece[1:])  # "Premierminister Hun Manet": the name only
            if not piece:
                return None
            while piece[-1] != run[-1] and self.closes_name(items[piece[-1] + 1]):
                piece = [*piece, piece[-1] + 1]
            if len(piece) == 1 and piece[0] == run[0] and piece[0] in self.starts:
                return None  # a sentence-opening word before known capitalised words
            return piece
        i = piece[0]  # a single capitalised word
        if i in self.starts:
            return None
        if self.german:
            prev = items[i - 1] if i > 0 else None
            if self.noun_like(items[i]) or _after_determiner(prev):
                return None
        return piece


def new_names(
    text: str, known: Iterable[str] | Vocabulary, language: str = "de"
) -> list[NameMention]:
    """Stretches of ``text`` that look like names none of the known texts mentions.

    Args:
        text: The model output.
        known: The source and any other texts whose words count as known
            (references, key facts), or a prepared :class:`Vocabulary`.
        language: ``"de"`` or ``"en"``: the language of ``text``.

    Returns:
        The candidates in order, each a whole name ("Antonio Guterres").

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> new_names("Cambodia's envoy met Hun Sen in Phnom Penh.", ["Cambodia envoy"], "en")
        [NameMention(start=21, end=28, text='Hun Sen'), \
NameMention(start=32, end=42, text='Phnom Penh')]
    """
    vocab = known if isinstance(known, Vocabulary) else Vocabulary(known)
    judge = _Judge(text, vocab, language)
    out: list[NameMention] = []
    taken = -1  # the last item already reported
    for run in judge.runs():
        for piece in judge.pieces(run):
            name = judge.judge(piece, run)
            if name is None or name[0] <= taken:
                continue
            start, end = judge.items[name[0]].start, judge.items[name[-1]].end
            out.append(NameMention(start, end, text[start:end]))
            taken = name[-1]
    return out


# -- persons ---------------------------------------------------------------------------

# Words that introduce a person's name ("Botschafter Keo Chhea", "Prime Minister Hun Manet");
# a word ending in one of the longer ones counts too ("UN-Botschafterin", "Außenminister").
PERSON_TITLES: frozenset[str] = frozenset(
    {"botschafter", "botschafterin", "ambassador", "minister", "ministerin", "premierminister",
     "premierministerin", "präsident", "präsidentin", "president", "generalsekretär",
     "generalsekretärin", "kanzler", "kanzlerin", "herr", "frau", "dr", "prof", "mr", "mrs",
     "ms", "sprecher", "sprecherin", "spokesman", "spokeswoman", "spokesperson", "vertreter",
     "vertreterin", "representative", "envoy", "gesandter", "gesandte", "könig", "königin",
     "king", "queen", "premier", "secretary", "samdech", "direktor", "direktorin", "director",
     "chef", "chefin", "leiter", "leiterin", "sir", "lord", "lady"}
)  # fmt: skip
_TITLE_SUFFIX_MIN = 6  # a compound ending in a title of at least this many letters is a title
_NAME_TAGS = ("NE", "FM")  # HanTa's tags of proper names and foreign words
_MAX_NAME_TOKENS = 4
_NAME_JOIN_RE = re.compile(r"[ \t\u00a0]{1,2}|-")


def _is_title(folded: str, extra: frozenset[str]) -> bool:
    if folded in PERSON_TITLES or folded in extra:
        return True
    return any(folded.endswith(t) and len(t) >= _TITLE_SUFFIX_MIN for t in PERSON_TITLES | extra)


def person_mentions(
    text: str, language: str = "de", extra_titles: Iterable[str] = ()
) -> list[NameMention]:
    """Stretches of ``text`` that name a person: candidates for binding a role to its holder.

    A name is a run of capitalised words that HanTa reads as proper names or
    foreign words (not German nouns, adjectives or verbs, not function words,
    months or titles), joined by single spaces or hyphens: two to four words
    anywhere ("Men Kiri", "Antonio Guterres"), or a single word right after
    a person title ("Botschafter Chhea"; :data:`PERSON_TITLES` and
    ``extra_titles``). A single word ending in ``s`` after a title is read
    as a genitive ("Botschafter Kambodschas"), not a name. Places made of two
    such words ("New York") are found too: the caller binds a mention to a
    role only when it stands right next to it.

    Args:
        text: Any German or English text.
        language: ``"de"`` or ``"en"`` (kept for symmetry; the analysis is the same).
        extra_titles: More words or phrases that introduce a name (a fact's roles).

    Returns:
        The mentions in order, spans into ``text``.

    Example:
        >>> [m.text for m in person_mentions("Botschafter Men Kiri sprach in New York.")]
        ['Men Kiri', 'New York']
        >>> [m.text for m in person_mentions("Botschafter Chhea und Botschafter Kambodschas")]
        ['Chhea']
        >>> person_mentions("Die Vereinten Nationen tagten.")
        []
    """
    from harness.text.compounds import analyse

    del language
    extra = frozenset(t for x in extra_titles for t in [*x.casefold().split()[-1:]] if t)
    toks = words(text)

    def name_like(i: int) -> bool:
        w = toks[i]
        spelling = text[w.start : w.end]
        if not spelling[:1].isupper() or not spelling[:1].isalpha():
            return False
        if w.folded in _FUNCTION_WORDS or w.folded in _MONTHS_DAYS or _is_title(w.folded, extra):
            return False
        return analyse(spelling)[2].startswith(_NAME_TAGS)

    out: list[NameMention] = []
    i = 0
    while i < len(toks):
        if not name_like(i):
            i += 1
            continue
        j = i
        while (
            j + 1 < len(toks)
            and j + 1 - i < _MAX_NAME_TOKENS
            and _NAME_JOIN_RE.fullmatch(text, toks[j].end, toks[j + 1].start)
            and name_like(j + 1)
        ):
            j += 1
        prev = toks[i - 1] if i > 0 else None
        after_title = (
            prev is not None
            and _is_title(prev.folded, extra)
            and _NAME_JOIN_RE.fullmatch(text, prev.end, toks[i].start) is not None
        )
        first = i
        if after_title:  # "Botschafter Kambodschas Keo Chhea": the genitive is no part of it
            while first < j and toks[first].folded.endswith("s"):
                first += 1
        single_ok = after_title and not toks[first].folded.endswith("s")
        if j > first or single_ok:
            start, end = toks[first].start, toks[j].end
            out.append(NameMention(start, end, text[start:end]))
        i = j + 1
    return out
