"""German-aware answer normalisation, shared by the ``qa_de`` metric and the gold validator.

Steps: NFC and invisible characters out, dashes unified, each date or date
interval replaced by one canonical token (so "24.11.2025" equals
"24. November 2025"), number words to digits ("vier" -> "4"), casefold,
punctuation to a space (never deleted, so "2024–2028" does not glue into
"20242028"), German and English articles dropped.

Example:
    >>> answer_tokens("„Ernährungssicherheit“")
    ['ernährungssicherheit']
    >>> answer_tokens("der Botschafter Keo Chhea")
    ['botschafter', 'keo', 'chhea']
    >>> answer_tokens("vier Säulen") == answer_tokens("4 Säulen")
    True
    >>> answer_tokens("24.–25. November") == answer_tokens("vom 24. bis 25. November")
    True
"""

from __future__ import annotations

from functools import lru_cache

from harness.text.dates import find_dates, parse_iso
from harness.text.normalize import clean, punctuation_to_space, unify_dashes
from harness.text.numbers import words_to_digits
from harness.text.quantities import Quantity, find_quantities

DE_ARTICLES = frozenset(
    ["ein", "eine", "einen", "einem", "eines", "einer"] + ["der", "die", "das", "den", "dem", "des"]
)
EN_ARTICLES = frozenset(["a", "an", "the"])
ARTICLES = DE_ARTICLES | EN_ARTICLES
DATE_PREFIX = "⟨date:"
# A preposition right before a date adds nothing: "im August 2024" answers "August 2024".
DATE_PREPOSITIONS = frozenset(
    ["am", "im", "vom", "von", "ab", "seit", "zum", "bis", "on", "in", "from", "since"]
)


_EN_WORDS = frozenset(
    ["the", "of", "and", "is", "are", "was", "were", "to", "in", "on", "for", "with", "from", "by"]
)
_DE_WORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einen",
        "einem",
        "und",
        "ist",
        "sind",
        "war",
        "im",
        "in",
        "am",
        "vom",
        "zum",
        "zur",
        "mit",
        "von",
        "für",
        "auf",
    ]
)


def _articles(text: str) -> frozenset[str]:
    """The articles to drop: German ones and "the" always, "a"/"an" only from English text
    ("Plan A" keeps its "A")."""
    words = punctuation_to_space(text.casefold()).split()
    english = sum(w in _EN_WORDS for w in words) > sum(w in _DE_WORDS for w in words)
    return ARTICLES if english else DE_ARTICLES | {"the"}


def _plain_tokens(chunk: str, articles: frozenset[str]) -> list[str]:
    text = punctuation_to_space(words_to_digits(chunk).casefold())
    return [t for t in text.split() if t not in articles]


def _quantity_tokens(q: Quantity) -> list[str]:
    """A number as one token of its value ("2.000" and "2000" read "2000", "3,5" reads
    "3.5", "62 Mio." reads "62000000"), its unit as a canonical token ("km", "%", "EUR")."""
    out = [f"{q.value:.12g}"]
    if q.unit:
        out.append(q.unit.casefold())
    return out


@lru_cache(maxsize=65536)
def _answer_tokens(text: str) -> tuple[str, ...]:
    text = unify_dashes(clean(text))
    articles = _articles(text)
    out: list[str] = []
    pos = 0
    dates = find_dates(text)
    pieces: list[tuple[int, int, list[str]]] = [
        (m.start, m.end, [f"{DATE_PREFIX}{m.canonical()}⟩"]) for m in dates
    ]
    for q in find_quantities(text, [(m.start, m.end) for m in dates]):
        pieces.append((q.start, q.end, _quantity_tokens(q)))
    for start, end, toks in sorted(pieces):
        if start < pos:
            continue
        out.extend(_plain_tokens(text[pos:start], articles))
        out.extend(toks)
        pos = end
    out.extend(_plain_tokens(text[pos:], articles))
    return tuple(
        t
        for i, t in enumerate(out)
        if not (t in DATE_PREPOSITIONS and i + 1 < len(out) and out[i + 1].startswith(DATE_PREFIX))
    )


def answer_tokens(text: str) -> list[str]:
    """Normalised tokens of an answer (dates as single canonical tokens)."""
    return list(_answer_tokens(text))


def normalize_answer_de(text: str) -> str:
    """The normalised answer as one string (for exact match)."""
    return " ".join(_answer_tokens(text))


def date_values(tokens: list[str]) -> list[str]:
    """The canonical date values among normalised tokens."""
    return [t[len(DATE_PREFIX) : -1] for t in tokens if t.startswith(DATE_PREFIX)]


def _dates_compatible(a: str, b: str) -> bool:
    pa, pb = a.split("/"), b.split("/")
    pa, pb = (pa * 2)[:2], (pb * 2)[:2]
    try:
        return all(parse_iso(x).compatible(parse_iso(y)) for x, y in zip(pa, pb, strict=True))
    except ValueError:
        return False


def tokens_match(a: str, b: str) -> bool:
    """Equal tokens, two date tokens that agree on every field both state, or a bare year
    and the same number ("2000" may be the amount "2.000")."""
    if a == b:
        return True
    for x, y in ((a, b), (b, a)):
        if x.startswith(DATE_PREFIX) and y.isdigit() and x[len(DATE_PREFIX) : -1] == y:
            return True
    if a.startswith(DATE_PREFIX) and b.startswith(DATE_PREFIX):
        return _dates_compatible(a[len(DATE_PREFIX) : -1], b[len(DATE_PREFIX) : -1])
    return False


# Endings German inflection adds to a word ("Kambodschas" is "Kambodscha" in the genitive).
INFLECTIONS = frozenset(["s", "es", "n", "en", "e", "er", "em", "ern", "ens"])


def _supports(have: str, want: str) -> bool:
    if tokens_match(want, have):
        return True
    if have.startswith(DATE_PREFIX) and want.startswith(DATE_PREFIX):
        # One end of an interval supports that end alone ("2028" in "2024–2028").
        ends = have[len(DATE_PREFIX) : -1].split("/")
        return any(tokens_match(want, f"{DATE_PREFIX}{e}⟩") for e in ends)
    short, long_ = sorted((have, want), key=len)
    return long_.startswith(short) and long_[len(short) :] in INFLECTIONS


def answer_supported(answer: str, evidence_text: str) -> bool:
    """True if every normalised answer token occurs in the normalised evidence.

    Looser than exact match, since it proves grounding rather than scoring:
    an inflected form ("Kambodschas") supports its base ("Kambodscha"), and one
    end of a date interval supports that end alone.

    >>> answer_supported("bis 2028", "Strategieplan 2024–2028")
    True
    >>> answer_supported("Phnom Penh", "in New York")
    False
    """
    want = answer_tokens(answer)
    have = answer_tokens(evidence_text)
    return bool(want) and all(any(_supports(h, w) for h in have) for w in want)
