"""Word tokenisers: a German-correct Unicode one and an exact copy of ``rouge_score``'s.

:func:`tokens` is what the harness scores with: invisible characters (soft
hyphen, zero-width characters) are dropped, the text is NFKC-normalised and
casefolded, and it is split on runs of non-word characters (``[\\W_]+``,
Unicode-aware), so umlauts and ß stay inside their words.

:func:`rouge_score_tokens` reproduces ``rouge_score.tokenize.tokenize`` without
stemming: ``str.lower``, then every character outside ``[a-z0-9]`` becomes a
space. It exists only to compare with published numbers; it splits German
words at every umlaut. On plain ASCII text both functions agree.

Example:
    >>> tokens("Die Säulen\\u00ad-Strategie: z. B. 2024–2028!")
    ['die', 'säulen', 'strategie', 'z', 'b', '2024', '2028']
    >>> rouge_score_tokens("Die Säulen-Strategie")
    ['die', 's', 'ulen', 'strategie']
    >>> tokens("Größe") == tokens("Grüße")
    False
    >>> tokens("The cat's hat, 2 x") == rouge_score_tokens("The cat's hat, 2 x")
    True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_for_tokens", "rouge_score_tokens", "split_words", "tokens"]

# The characters ``harness.text.normalize.clean`` drops: soft hyphen, zero-width
# space/joiners, word joiner, BOM (a regex is much faster than str.translate).
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]+")
_WORD_SEP = re.compile(r"[\W_]+")
_ROUGE_SCORE_SEP = re.compile(r"[^a-z0-9]+")
_SUPPORTED = frozenset({"de", "en"})


def normalize_for_tokens(text: str) -> str:
    """Drop invisible characters and NFKC-normalise (no casefolding).

    Invisible characters go first so that a soft hyphen or zero-width
    character between a letter and its combining mark does not keep them apart.

    Args:
        text: Any text.

    Returns:
        The NFKC form of ``text`` without soft hyphens and zero-width characters.

    Example:
        >>> normalize_for_tokens("Ma\\u00dfnah\\u00adme \\ufb01t")
        'Maßnahme fit'
    """
    if text.isascii():
        return text
    if _INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text)


def split_words(normalized: str) -> list[str]:
    """Casefold an already normalised text and split it into word tokens.

    This is the second half of :func:`tokens`; callers that normalised the
    whole text once (and then cut it into sentences) use it per sentence.

    Args:
        normalized: Text that went through :func:`normalize_for_tokens`.

    Returns:
        The non-empty casefolded pieces between runs of ``[\\W_]``.

    Example:
        >>> split_words("Straße_und  WEG")
        ['strasse', 'und', 'weg']
    """
    folded = normalized.casefold()
    if not folded.isascii():
        # casefold can emit decomposed sequences ("ǰ" -> "j" + U+030C): recompose.
        folded = unicodedata.normalize("NFKC", folded)
    return [t for t in _WORD_SEP.split(folded) if t]


def tokens(text: str, language: str = "de") -> list[str]:
    """German-correct word tokens: NFKC, invisible characters dropped, casefolded.

    Args:
        text: The text to tokenise.
        language: ``"de"`` or ``"en"``; both use the same rules (the argument
            exists so that callers state the language and future languages can
            differ).

    Returns:
        Lower-case word tokens; umlauts and ß stay in their words (ß casefolds
        to ``ss``).

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> tokens("Ernährungs\\u00adsicherheit im UN-Hauptquartier")
        ['ernährungssicherheit', 'im', 'un', 'hauptquartier']
    """
    if language not in _SUPPORTED:
        raise ValueError(f"unsupported language {language!r}; expected one of {sorted(_SUPPORTED)}")
    return split_words(normalize_for_tokens(text))


def rouge_score_tokens(text: str) -> list[str]:
    """Tokens exactly as ``rouge_score`` makes them, without stemming.

    ``str.lower`` first, then every run of characters outside ``[a-z0-9]``
    becomes a separator (so "Säulen" becomes ``s``, ``ulen``).

    Args:
        text: The text to tokenise.

    Returns:
        The ``[a-z0-9]+`` tokens in order.

    Example:
        >>> rouge_score_tokens("Größe vs. Grüße")
        ['gr', 'e', 'vs', 'gr', 'e']
    """
    return [t for t in _ROUGE_SCORE_SEP.split(text.lower()) if t]
