"""Stemmers for scoring: Snowball German (PyStemmer) and ``rouge_score``'s Porter.

``"de"`` is the Snowball German algorithm from PyStemmer, fed lower-cased
tokens (Snowball German needs lower case; it also folds ß to ``ss`` and drops
umlauts, so "Säulen" and "Säule" both become ``saul``).

``"en"`` is exactly what ``rouge_score`` does with ``use_stemmer=True``: NLTK's
``PorterStemmer()`` (default ``NLTK_EXTENSIONS`` mode), applied only to tokens
longer than three characters. Keeping that rule here makes English ROUGE
numbers identical to ``rouge_score``'s.

Example:
    >>> stem("Säulen", "de"), stem("säule", "de")
    ('saul', 'saul')
    >>> stems(["running", "cats", "was"], "en")
    ['run', 'cat', 'was']
    >>> stemmer_signature("de").startswith("snowball-german(PyStemmer ")
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata

import Stemmer

__all__ = ["LANGUAGES", "stem", "stemmer_signature", "stems"]

LANGUAGES: tuple[str, ...] = ("de", "en")

# rouge_score stems only tokens of more than this many characters.
_PORTER_MIN_EXCLUSIVE = 3


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "unknown"


@lru_cache(maxsize=1)
def _german() -> Callable[[str], str]:
    stemmer = Stemmer.Stemmer("german")
    fn: Callable[[str], str] = stemmer.stemWord
    return fn


@lru_cache(maxsize=1)
def _porter() -> Callable[[str], str]:
    # Imported lazily: importing nltk takes about a second.
    from nltk.stem.porter import PorterStemmer

    fn: Callable[[str], str] = PorterStemmer().stem
    return fn


@lru_cache(maxsize=2**18)
def stem(token: str, language: str) -> str:
    """Stem one token.

    Args:
        token: One word token (any case; German input is lower-cased first).
        language: ``"de"`` (Snowball German) or ``"en"`` (``rouge_score``'s
            Porter: only tokens longer than three characters are stemmed).

    Returns:
        The stem.

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> stem("Stärken", "de"), stem("dies", "en"), stem("the", "en")
        ('stark', 'die', 'the')
    """
    if language == "de":
        return _german()(token.lower())
    if language == "en":
        return _porter()(token) if len(token) > _PORTER_MIN_EXCLUSIVE else token
    raise ValueError(f"unsupported language {language!r}; expected one of {list(LANGUAGES)}")


def stems(tokens: Iterable[str], language: str) -> list[str]:
    """Stem every token (cached per distinct token).

    Args:
        tokens: Word tokens.
        language: ``"de"`` or ``"en"``, as for :func:`stem`.

    Returns:
        The stems, in order.

    Example:
        >>> stems(["die", "säulen", "stärken"], "de")
        ['die', 'saul', 'stark']
    """
    return [stem(t, language) for t in tokens]


def stemmer_signature(language: str) -> str:
    """Name and version of the stemmer used for ``language``.

    Args:
        language: ``"de"`` or ``"en"``.

    Returns:
        For example ``"snowball-german(PyStemmer 3.1.0)"`` or
        ``"porter-len>3(nltk 3.10.4)"``.

    Raises:
        ValueError: For an unsupported language.

    Example:
        >>> stemmer_signature("en").startswith("porter-len>3(nltk ")
        True
    """
    if language == "de":
        return f"snowball-german(PyStemmer {_version('PyStemmer')})"
    if language == "en":
        return f"porter-len>3(nltk {_version('nltk')})"
    raise ValueError(f"unsupported language {language!r}; expected one of {list(LANGUAGES)}")
