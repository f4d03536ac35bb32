"""ROUGE-N, ROUGE-L and ROUGE-Lsum, German-correct by default and fast.

Two tokenisers:

* ``tokenizer="unicode"`` (default): :func:`harness.text.tokenize.tokens`
  (NFKC, invisible characters dropped, casefolded, split on ``[\\W_]+``), stems
  from :func:`harness.text.stem.stem` (Snowball German for ``language="de"``,
  ``rouge_score``'s Porter for ``"en"``) and ROUGE-Lsum sentences from
  :func:`harness.text.sentences.split_sentences`.
* ``tokenizer="rouge_score"``: ``rouge_score``'s tokeniser and, with
  ``use_stemmer``, its English Porter stemmer whatever the language, and
  Lsum sentences split on ``"\\n"`` only. The numbers equal
  ``rouge_score.RougeScorer`` exactly, on any text; use it only to compare with
  published numbers (it splits German words at every umlaut).

On plain ASCII English with ``language="en"`` both modes equal ``rouge_score``
exactly (Lsum when every line holds one sentence): the formulas, the
multi-reference rule (per type, the reference with the highest F-measure,
first one on ties) and the summary-level union LCS (the same backtracking
tie-breaks) are the same. They are computed faster: tokens are mapped to
integer ids through a per-instance cache (one stemmer call per distinct
token), ROUGE-L uses ``rapidfuzz``'s LCS, and ROUGE-Lsum reads its LCS
indices off bit-parallel LCS rows (Hyyrö's algorithm on Python integers)
instead of a Python DP table.

Example:
    >>> r = Rouge()
    >>> res = r.score_one(ScoringInput("Die Säulen stärken", ["die Säule stärkt"]))
    >>> round(res.values["rouge1"], 4), res.details["rouge1"]["precision"]
    (0.6667, 0.6666666666666666)
    >>> r.score_one(ScoringInput("Größe", ["Grüße"])).values["rouge1"]
    0.0
    >>> Rouge(tokenizer="rouge_score").score_one(ScoringInput("Größe", ["Grüße"])).values["rouge1"]
    1.0
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

from rapidfuzz.distance import LCSseq

from harness.metrics import METRICS
from harness.metrics.base import (
    HarnessMetric,
    MetricResult,
    References,
    ScoringInput,
    reference_lists,
)
from harness.text.sentences import split_sentences
from harness.text.stem import stem, stemmer_signature
from harness.text.tokenize import normalize_for_tokens, rouge_score_tokens, split_words

__all__ = ["DEFAULT_TYPES", "Rouge", "lcs_ref_indices"]

DEFAULT_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_ROUGE_N = re.compile(r"rouge([1-9])")
_VALID_ROUGE_SCORE_TOKEN = re.compile(r"[a-z0-9]+")
_VERSION = 1
# Drop the token-id cache when it grows past this many surface forms.
_MAX_CACHE = 2_000_000
_ZERO: tuple[float, float, float] = (0.0, 0.0, 0.0)

Triple = tuple[float, float, float]
#: A tokenizer as ``evaluate``'s rouge takes it: text -> tokens (used as they are, not stemmed).
TokenizerFn = Callable[[str], Sequence[str]]


def _fmeasure(precision: float, recall: float) -> float:
    """F1 exactly as ``rouge_score.scoring.fmeasure`` computes it."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def _bigram_ids(ids: list[int]) -> list[int]:
    return [(a << 32) | b for a, b in zip(ids, ids[1:], strict=False)]


def _ngrams(ids: list[int], n: int) -> Counter[Any]:
    if n == 1:
        return Counter(ids)
    if n == 2:
        return Counter(_bigram_ids(ids))
    return Counter(tuple(ids[i : i + n]) for i in range(len(ids) - n + 1))


def _match_masks(cand: Sequence[int]) -> dict[int, int]:
    """Bit ``j`` of ``masks[t]`` is set where ``cand[j] == t``."""
    masks: dict[int, int] = {}
    for j, t in enumerate(cand):
        masks[t] = masks.get(t, 0) | (1 << j)
    return masks


def lcs_ref_indices(
    ref: Sequence[int], cand: Sequence[int], masks: Mapping[int, int] | None = None
) -> list[int]:
    """Indices into ``ref`` of the LCS that ``rouge_score``'s ``lcs_ind`` returns.

    ``rouge_score`` fills the full DP table and backtracks from the bottom
    right corner: on equal tokens it goes diagonally, otherwise left when
    ``t[i][j-1] > t[i-1][j]`` and up otherwise. The same walk is done here on
    bit-parallel LCS rows: row ``i`` is an integer whose zero bits below ``j``
    count ``t[i][j]``.

    Args:
        ref: Reference token ids (the indices returned point into it).
        cand: Candidate token ids.
        masks: ``_match_masks(cand)`` if the caller already has it.

    Returns:
        The reference indices of the LCS, in decreasing order.

    Example:
        >>> lcs_ref_indices([1, 2, 3, 2], [2, 3, 1])
        [2, 1]
    """
    n = len(cand)
    if not ref or not n:
        return []
    if masks is None:
        masks = _match_masks(cand)
    # Rows whose token does not occur in ``cand`` copy the row above, and the
    # backtrack always walks straight up through them: leave them out.
    live = [k for k, t in enumerate(ref) if t in masks]
    if not live:
        return []
    if len(live) == len(ref):
        toks: Sequence[int] = ref
    else:
        toks = [ref[k] for k in live]
    full = (1 << n) - 1
    v = full
    rows = [v]
    for t in toks:
        u = v & masks[t]
        v = ((v + u) | (v - u)) & full
        rows.append(v)
    out: list[int] = []
    i, j = len(toks), n
    vi = rows[i]
    while i > 0 and j > 0:
        if toks[i - 1] == cand[j - 1]:
            i -= 1
            j -= 1
            out.append(live[i])
            vi = rows[i]
        elif (rows[i - 1] & ((1 << j) - 1)).bit_count() > (
            vi & ((1 << (j - 1)) - 1)
        ).bit_count() + 1:
            # t[i][j-1] > t[i-1][j]
            j -= 1
        else:
            i -= 1
            vi = rows[i]
    return out


@dataclass(slots=True)
class _Prepared:
    """One text, tokenised, stemmed and mapped to ids."""

    ids: list[int]
    sents: list[list[int]]
    grams: dict[int, Counter[Any]]
    masks: list[dict[int, int]] | None = None  # per sentence, when used as candidate
    counts: Counter[int] | None = None


@METRICS.register("rouge")
class Rouge(HarnessMetric):
    """ROUGE F-measures (0–1) with precision and recall in the details.

    Args:
        language: ``"de"`` (default) or ``"en"``.
        tokenizer: ``"unicode"`` (default), ``"rouge_score"``, or a callable
            ``text -> tokens`` (as ``evaluate``'s rouge: the tokens are used as
            they are, never stemmed, and Lsum sentences are the lines).
        use_stemmer: Stem tokens (default True; ``harness.metrics.load("rouge")``,
            the ``evaluate`` drop-in, defaults to False as ``evaluate`` does).
        rouge_types: Any of ``rouge1`` … ``rouge9``, ``rougeL``, ``rougeLsum``.

    Raises:
        ValueError: On an unknown language, tokenizer or rouge type.
    """

    metric_name = "rouge"
    tasks = ("summary", "qa")
    keys = DEFAULT_TYPES
    higher_is_better: ClassVar[dict[str, bool]] = dict.fromkeys(DEFAULT_TYPES, True)
    description = (
        "ROUGE-1/2/L/Lsum F-measure; German-correct tokens and Snowball stems by default, "
        "identical to rouge_score on ASCII English and in rouge_score mode."
    )
    citation = "Lin, Chin-Yew. ROUGE: a Package for Automatic Evaluation of Summaries. 2004."
    evaluate_defaults: ClassVar[Mapping[str, Any]] = {"use_stemmer": False}

    def __init__(
        self,
        language: str = "de",
        tokenizer: str | TokenizerFn = "unicode",
        use_stemmer: bool = True,
        rouge_types: Sequence[str] = DEFAULT_TYPES,
    ) -> None:
        if language not in ("de", "en"):
            raise ValueError(f"language must be 'de' or 'en', not {language!r}")
        if not callable(tokenizer) and tokenizer not in ("unicode", "rouge_score"):
            raise ValueError(
                f"tokenizer must be 'unicode', 'rouge_score' or a callable, not {tokenizer!r}"
            )
        types = tuple(rouge_types)
        if not types:
            raise ValueError("rouge_types must not be empty")
        for t in types:
            if t not in ("rougeL", "rougeLsum") and not _ROUGE_N.fullmatch(t):
                raise ValueError(f"invalid rouge type {t!r}")
        super().__init__(
            language=language,
            tokenizer=tokenizer if isinstance(tokenizer, str) else _callable_name(tokenizer),
            use_stemmer=use_stemmer,
            rouge_types=",".join(types),
        )
        self.language = language
        self.tokenizer = tokenizer
        self._custom: TokenizerFn | None = None if isinstance(tokenizer, str) else tokenizer
        self.use_stemmer = bool(use_stemmer) and self._custom is None
        self.rouge_types = types
        self.keys = types  # the base class averages each configured type
        self._ns = sorted({int(t[5:]) for t in types if _ROUGE_N.fullmatch(t)})
        self._want_lsum = "rougeLsum" in types
        self._stem_language = "en" if tokenizer == "rouge_score" else language
        self._token_ids: dict[str, int] = {}
        self._stem_ids: dict[str, int] = {}
        self._drops = False  # True once some stem turned out empty/invalid
        self._variants: dict[tuple[Any, ...], Rouge] = {}

    # -- tokens to ids ---------------------------------------------------------
    def _new_id(self, token: str) -> int:
        form = stem(token, self._stem_language) if self.use_stemmer else token
        valid = self._custom is not None or (
            _VALID_ROUGE_SCORE_TOKEN.fullmatch(form) is not None
            if self.tokenizer == "rouge_score"
            else bool(form)
        )
        if valid:
            idx = self._stem_ids.setdefault(form, len(self._stem_ids))
        else:  # rouge_score drops tokens that stemming made invalid
            idx = -1
            self._drops = True
        self._token_ids[token] = idx
        return idx

    def _ids(self, toks: list[str]) -> list[int]:
        cache = self._token_ids
        new = self._new_id
        ids = [cache[t] if t in cache else new(t) for t in toks]
        if self._drops:
            ids = [i for i in ids if i >= 0]
        return ids

    def _sentences(self, text: str) -> list[list[str]]:
        if self._custom is not None:
            return [self._custom_tokens(line) for line in text.split("\n") if line]
        if self.tokenizer == "rouge_score":
            return [rouge_score_tokens(line) for line in text.split("\n") if line]
        norm = normalize_for_tokens(text)
        return [split_words(s) for s in split_sentences(norm, self.language)]

    def _custom_tokens(self, text: str) -> list[str]:
        assert self._custom is not None
        toks = list(self._custom(text))
        if not all(isinstance(t, str) for t in toks):
            raise TypeError("rouge: tokenizer: the callable must return a list of strings")
        return toks

    def _words(self, text: str) -> list[str]:
        if self._custom is not None:
            return self._custom_tokens(text)
        if self.tokenizer == "rouge_score":
            return rouge_score_tokens(text)
        return split_words(normalize_for_tokens(text))

    def _prepare(self, text: str) -> _Prepared:
        if self._want_lsum:
            sents = [self._ids(s) for s in self._sentences(text)]
            # rouge_score tokenises the whole text for the other types; a callable may
            # treat line breaks otherwise than as a separator
            ids = (
                self._ids(self._words(text))
                if self._custom is not None
                else [i for s in sents for i in s]
            )
        else:
            sents = []
            ids = self._ids(self._words(text))
        grams = {n: _ngrams(ids, n) for n in self._ns}
        return _Prepared(ids=ids, sents=sents, grams=grams)

    # -- the scores ----------------------------------------------------------
    @staticmethod
    def _score_ngrams(ref: Counter[Any], pred: Counter[Any]) -> Triple:
        small, big = (ref, pred) if len(ref) <= len(pred) else (pred, ref)
        inter = 0
        get = big.get
        for g, c in small.items():
            o = get(g)
            if o:
                inter += c if c < o else o
        precision = inter / max(pred.total(), 1)
        recall = inter / max(ref.total(), 1)
        return precision, recall, _fmeasure(precision, recall)

    @staticmethod
    def _score_lcs(ref: list[int], pred: list[int]) -> Triple:
        if not ref or not pred:
            return _ZERO
        lcs = LCSseq.similarity(ref, pred)
        precision = lcs / len(pred)
        recall = lcs / len(ref)
        return precision, recall, _fmeasure(precision, recall)

    @staticmethod
    def _score_lsum(ref: _Prepared, pred: _Prepared) -> Triple:
        ref_sents = ref.sents
        can_sents = pred.sents
        m = len(ref.ids)
        n = len(pred.ids)
        if not ref_sents or not can_sents or not m or not n:
            return _ZERO
        if pred.masks is None:
            pred.masks = [_match_masks(c) for c in can_sents]
            pred.counts = Counter(pred.ids)
        assert pred.counts is not None
        cnt_c = pred.counts.copy()
        cnt_r = Counter(ref.ids)
        cands = [(c, mk) for c, mk in zip(can_sents, pred.masks, strict=True) if c]
        hits = 0
        for r in ref_sents:
            if not r:
                continue
            union: set[int] = set()
            whole = len(r)
            for c, mk in cands:
                idx = lcs_ref_indices(r, c, mk)
                if len(idx) == whole:
                    union = set(idx)
                    break
                union.update(idx)
            for k in sorted(union):
                t = r[k]
                if cnt_c[t] > 0 and cnt_r[t] > 0:
                    hits += 1
                    cnt_c[t] -= 1
                    cnt_r[t] -= 1
        recall = hits / m
        precision = hits / n
        return precision, recall, _fmeasure(precision, recall)

    def _score_pair(self, ref: _Prepared, pred: _Prepared) -> dict[str, Triple]:
        out: dict[str, Triple] = {}
        for t in self.rouge_types:
            if t == "rougeL":
                out[t] = self._score_lcs(ref.ids, pred.ids)
            elif t == "rougeLsum":
                out[t] = self._score_lsum(ref, pred)
            else:
                n = int(t[5:])
                out[t] = self._score_ngrams(ref.grams[n], pred.grams[n])
        return out

    def score_triples(self, prediction: str, references: Sequence[str]) -> dict[str, Triple]:
        """``(precision, recall, F)`` per rouge type, best reference per type.

        Args:
            prediction: The predicted text.
            references: One or more reference texts.

        Returns:
            For each configured type, the triple of the reference with the
            highest F-measure (the first one on ties, like ``score_multi``).
            Without references every triple is zero.
        """
        if not references:
            return dict.fromkeys(self.rouge_types, _ZERO)
        if len(self._token_ids) > _MAX_CACHE:
            # Only between samples: ids must stay consistent within one sample.
            self._token_ids.clear()
            self._stem_ids.clear()
        pred = self._prepare(prediction)
        best: dict[str, Triple] | None = None
        for ref_text in references:
            scores = self._score_pair(self._prepare(ref_text), pred)
            if best is None:
                best = scores
            else:
                for t, s in scores.items():
                    if s[2] > best[t][2]:
                        best[t] = s
        assert best is not None
        return best

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Score one prediction against its references (max over references per type)."""
        triples = self.score_triples(item.prediction, item.references)
        return MetricResult(
            values={t: v[2] for t, v in triples.items()},
            details={t: {"precision": v[0], "recall": v[1]} for t, v in triples.items()},
        )

    def compute(
        self,
        predictions: Sequence[str],
        references: References,
        rouge_types: Sequence[str] | None = None,
        use_aggregator: bool = True,
        use_stemmer: bool | None = None,
        tokenizer: str | TokenizerFn | None = None,
    ) -> dict[str, Any]:
        """``evaluate``'s rouge: the same arguments and result keys.

        Args:
            predictions: One text per sample.
            references: Per prediction, one reference or a list of them (the
                best per type counts, as ``rouge_score.score_multi``).
            rouge_types: Default this metric's (``rouge1``, ``rouge2``,
                ``rougeL``, ``rougeLsum``).
            use_aggregator: True: the mean F-measure per type (``evaluate``
                reports the median of 1,000 unseeded bootstrap means of the
                same values, which differs from the mean by bootstrap noise);
                False: the per-sample F-measures, one list per type.
            use_stemmer: Default this metric's (``load("rouge")``: False).
                The stemmer is Snowball German for ``language="de"``.
            tokenizer: A callable ``text -> tokens`` (as ``evaluate``), or
                ``"unicode"`` / ``"rouge_score"``; default this metric's.

        Returns:
            ``{rouge_type: float}`` (0–1), or ``{rouge_type: [float, ...]}``.

        Raises:
            ValueError: If the lists differ in length or a rouge type is invalid.
        """
        scorer = self._variant(rouge_types, use_stemmer, tokenizer)
        refs = reference_lists(references)
        if len(predictions) != len(refs):
            raise ValueError(f"rouge: {len(predictions)} predictions but {len(refs)} references")
        rows = [scorer.score_triples(p, r) for p, r in zip(predictions, refs, strict=True)]
        types = scorer.rouge_types
        if not use_aggregator:
            return {t: [row[t][2] for row in rows] for t in types}
        if not rows:
            return {}
        return {t: sum(row[t][2] for row in rows) / len(rows) for t in types}

    def _variant(
        self,
        rouge_types: Sequence[str] | None,
        use_stemmer: bool | None,
        tokenizer: str | TokenizerFn | None,
    ) -> Rouge:
        """This metric, or one with other per-call settings (kept for later calls)."""
        types = self.rouge_types if rouge_types is None else tuple(rouge_types)
        stemmer = self.use_stemmer if use_stemmer is None else bool(use_stemmer)
        tok = self.tokenizer if tokenizer is None else tokenizer
        if (types, stemmer, tok) == (self.rouge_types, self.use_stemmer, self.tokenizer):
            return self
        key = (types, stemmer, tok if isinstance(tok, str) else id(tok))
        if key not in self._variants:
            self._variants[key] = Rouge(
                language=self.language, tokenizer=tok, use_stemmer=stemmer, rouge_types=types
            )
        return self._variants[key]

    def signature(self) -> str:
        """For example ``rouge|tok=unicode-nfkc-casefold|stem=snowball-german(PyStemmer
        3.1.0)|lsum=de-sentences|v=1``."""
        if self._custom is not None:
            tok = "callable:" + _callable_name(self._custom)
            lsum = "newline"
        elif self.tokenizer == "rouge_score":
            tok = f"rouge_score-{_dist_version('rouge-score')}"
            lsum = "newline"
        else:
            tok = "unicode-nfkc-casefold"
            lsum = f"{self.language}-sentences"
        stemmer = stemmer_signature(self._stem_language) if self.use_stemmer else "none"
        parts = [f"rouge|tok={tok}", f"stem={stemmer}", f"lsum={lsum}"]
        if self.rouge_types != DEFAULT_TYPES:
            parts.append("types=" + ",".join(self.rouge_types))
        parts.append(f"v={_VERSION}")
        return "|".join(parts)


def _callable_name(fn: Any) -> str:
    """``module.qualname`` of a callable, for options and signatures."""
    name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return f"{getattr(fn, '__module__', '') or ''}.{name}".lstrip(".")


def _dist_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"

