"""Baseline runners: floors that real models must beat, and the oracle that proves the scoring.

All are offline, deterministic and instant.

Example:
    >>> from harness.prompts import build_request
    >>> from harness.types import Sample
    >>> s = Sample(id="d/q", doc_id="d", task="qa", language="de",
    ...            input="Wo fand die Sitzung statt?", references=("New York",))
    >>> r = build_request(s, article="Der Himmel ist blau. Die Sitzung fand in New York statt.")
    >>> Oracle(name="oracle").generate([r])[0].text
    'New York'
    >>> Retrieval(name="retrieval").generate([r])[0].text
    'Die Sitzung fand in New York statt.'
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from harness.runners.base import RUNNERS, stable_hash
from harness.text.sentences import split_sentences
from harness.text.stem import stems
from harness.text.tokenize import tokens
from harness.types import Generation, Request

SUMMARY_SENTENCES = {"headline": 1, "abstract": 3, "bullets": 5}


def _article(request: Request) -> str:
    """The article text of a request (the sample's document, as the prompt carries it)."""
    text = request.context
    for marker in ("Artikel:\n", "Article:\n"):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    return text.strip()


@lru_cache(maxsize=64)
def _sentences(article: str, language: str) -> tuple[str, ...]:
    return tuple(s for s in split_sentences(article, language) if len(tokens(s)) >= 2)


def _format_summary(sentences: Sequence[str], length: str) -> str:
    if length == "bullets":
        return "\n".join(f"- {s}" for s in sentences)
    return " ".join(sentences)


class _Baseline:
    version = 1
    #: The output is the answer itself: the pipeline cuts it at no stop sequence.
    output_is_answer = True

    def __init__(self, name: str) -> None:
        self.name = name

    def fingerprint(self) -> str:
        return stable_hash(type(self).__name__, self.version, self._settings())

    def _settings(self) -> dict[str, object]:
        return {}

    def answer(self, request: Request) -> str:
        raise NotImplementedError

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        out = []
        for r in requests:
            t0 = time.perf_counter()
            text = self.answer(r)
            out.append(
                Generation(r.sample_id, self.name, text, raw=text, seconds=time.perf_counter() - t0)
            )
        return out


@RUNNERS.register("oracle")
class Oracle(_Baseline):
    """Returns the first gold answer or reference: the upper bound that proves the scoring.

    Unanswerable questions get the empty answer (an abstention).
    """

    def answer(self, request: Request) -> str:
        refs = request.sample.references
        return refs[0] if refs else ""


@RUNNERS.register("abstain")
class Abstain(_Baseline):
    """Always abstains (the empty answer): perfect on unanswerable questions, zero elsewhere."""

    def answer(self, request: Request) -> str:
        return ""


@RUNNERS.register("lead")
class Lead(_Baseline):
    """The first sentences of the article: ``k`` per summary length; one sentence for QA."""

    def __init__(self, name: str, k: dict[str, int] | None = None, skip_title: bool = False):
        super().__init__(name)
        self.k = {**SUMMARY_SENTENCES, **(k or {})}
        self.skip_title = skip_title

    def _settings(self) -> dict[str, object]:
        return {"k": self.k, "skip_title": self.skip_title}

    def answer(self, request: Request) -> str:
        sents = list(_sentences(_article(request), request.sample.language))
        if self.skip_title and sents:
            sents = [s for s in sents if s != sents[0]]
        if request.sample.task == "qa":
            return sents[0] if sents else ""
        length = request.sample.input
        return _format_summary(sents[: self.k.get(length, 3)], length)


class BM25:
    """Okapi BM25 over German-stemmed tokens (k1=1.5, b=0.75)."""

    def __init__(self, docs: Sequence[str], language: str = "de", k1: float = 1.5, b: float = 0.75):
        self.language = language
        self.k1, self.b = k1, b
        self.docs = [Counter(stems(tokens(d), language)) for d in docs]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg = sum(self.lengths) / max(len(self.docs), 1)
        df: Counter[str] = Counter()
        for c in self.docs:
            df.update(c.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        q = stems(tokens(query), self.language)
        out = []
        for c, length in zip(self.docs, self.lengths, strict=True):
            s = 0.0
            for t in q:
                f = c.get(t, 0)
                if f:
                    s += (
                        self.idf[t]
                        * f
                        * (self.k1 + 1)
                        / (f + self.k1 * (1 - self.b + self.b * length / self.avg))
                    )
            out.append(s)
        return out


    def term_weight(self, f: int, length: int) -> float:
        """BM25's saturated weight of a term seen ``f`` times in a document of ``length``."""
        return f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * length / self.avg))

    def centrality(self, words: Sequence[int]) -> list[float]:
        """Per document: the sum of its BM25 scores (as a query) against every other
        document, divided by ``words[i]``.

        Equal to summing :meth:`scores` of each document against the others, but in time
        linear in the tokens rather than quadratic in the documents (a 5 MB article took
        more than ten minutes): each term's weight over all documents is summed once.
        """
        total: dict[str, float] = {}
        for c, length in zip(self.docs, self.lengths, strict=True):
            for t, f in c.items():
                total[t] = total.get(t, 0.0) + self.term_weight(f, length)
        out = []
        for c, length, n in zip(self.docs, self.lengths, words, strict=True):
            s = sum(
                f * self.idf[t] * (total[t] - self.term_weight(f, length)) for t, f in c.items()
            )
            out.append(s / max(n, 1))
        return out


@lru_cache(maxsize=64)
def _index(article: str, language: str) -> BM25:
    return BM25(_sentences(article, language), language)


@RUNNERS.register("retrieval")
class Retrieval(_Baseline):
    """Answers with the article sentence that best matches the question (BM25, German stems).

    For summaries it picks the most central sentences (highest BM25 similarity
    to the rest of the article), in article order.
    """

    def answer(self, request: Request) -> str:
        article = _article(request)
        lang = request.sample.language
        sents = _sentences(article, lang)
        if not sents:
            return ""
        index = _index(article, "de")  # the article is German; stems must match it
        if request.sample.task == "qa":
            scores = index.scores(request.sample.input)
            best = max(range(len(sents)), key=lambda i: (scores[i], -i))
            return sents[best]
        if _sentences(article, "de") == sents:  # the index's own sentences: linear time
            centrality = index.centrality([len(tokens(s)) for s in sents])
        else:
            centrality = []
            for i, s in enumerate(sents):
                sc = index.scores(s)
                share = sum(v for j, v in enumerate(sc) if j != i) / max(len(tokens(s)), 1)
                centrality.append(share)
        k = SUMMARY_SENTENCES.get(request.sample.input, 3)
        chosen = sorted(sorted(range(len(sents)), key=lambda i: -centrality[i])[:k])
        return _format_summary([sents[i] for i in chosen], request.sample.input)
