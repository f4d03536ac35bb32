"""chrF and chrF++ exactly as sacrebleu computes them (character 6-grams, β = 2).

Character n-grams give partial credit for German inflection and compounds
("Säulen"/"Säule", "Menschenhandel"/"Menschenhandels"). Per sample the values
are sacrebleu's sentence scores (0–100; with several references sacrebleu
keeps the statistics of the reference with the best F-score). The corpus value
from :meth:`Chrf.aggregate` is sacrebleu's ``corpus_score`` over all items:
the n-gram statistics are summed over the corpus and the F-score is computed
once, which is not the mean of the sentence scores. Items with different
numbers of references are passed as reference streams padded with ``None``,
which sacrebleu drops (padding with ``""`` would add an empty reference).

Example:
    >>> m = Chrf()
    >>> v = m.score_one(ScoringInput("Die Säulen", ["die Säule"])).values
    >>> round(v["chrf"], 2), round(v["chrf_pp"], 2)
    (76.74, 57.56)
    >>> items = [ScoringInput("Die Säulen", ["die Säule"]), ScoringInput("vier", ["vier", "4"])]
    >>> rows = [dict(m.score_one(i).values) for i in items]
    >>> round(m.aggregate(rows, items)["chrf"], 2)
    79.79
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sacrebleu.metrics.chrf import CHRF, CHRFSignature

from harness.metrics import METRICS
from harness.metrics.base import (
    HarnessMetric,
    MetricResult,
    References,
    ScoringInput,
    reference_lists,
)

__all__ = ["Chrf", "reference_streams"]


def reference_streams(references: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Turn per-item reference lists into sacrebleu's reference streams.

    Stream ``k`` holds every item's ``k``-th reference, ``None`` where an item
    has fewer than ``k + 1`` references (sacrebleu drops ``None``).

    Args:
        references: One list of references per item.

    Returns:
        ``max(len(r))`` streams, each as long as ``references``.

    Example:
        >>> reference_streams([["a"], ["b", "c"]])
        [['a', 'b'], [None, 'c']]
    """
    width = max((len(r) for r in references), default=0)
    return [[r[k] if k < len(r) else None for r in references] for k in range(width)]


@METRICS.register("chrf")
class Chrf(HarnessMetric):
    """sacrebleu chrF (``word_order=0``) and chrF++ (``word_order=2``), 0–100.

    Args:
        char_order: Character n-gram order (default 6).
        beta: Recall weight (default 2).
    """

    metric_name = "chrf"
    tasks = ("summary", "qa")
    keys = ("chrf", "chrf_pp")
    corpus_level = True
    higher_is_better: ClassVar[dict[str, bool]] = {"chrf": True, "chrf_pp": True}
    description = "sacrebleu chrF and chrF++ (sentence values per sample, corpus value overall)."
    citation = "Popović, Maja. chrF: character n-gram F-score for automatic MT evaluation. 2015."

    def __init__(self, char_order: int = CHRF.CHAR_ORDER, beta: int = CHRF.BETA) -> None:
        super().__init__(char_order=char_order, beta=beta)
        self.char_order = char_order
        self.beta = beta
        # Separate objects for sentence and corpus scoring so that the corpus
        # objects' signatures report the corpus's number of references.
        self._sent = {k: self._make(w) for k, w in (("chrf", 0), ("chrf_pp", 2))}
        self._corpus = {k: self._make(w) for k, w in (("chrf", 0), ("chrf_pp", 2))}

    def _make(self, word_order: int) -> CHRF:
        return CHRF(char_order=self.char_order, word_order=word_order, beta=self.beta)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """sacrebleu ``sentence_score`` of chrF and chrF++ (0 without references)."""
        refs = list(item.references)
        if not refs:
            return MetricResult({"chrf": 0.0, "chrf_pp": 0.0}, {"n_refs": 0})
        values = {
            k: float(m.sentence_score(item.prediction, refs).score) for k, m in self._sent.items()
        }
        return MetricResult(values, {"n_refs": len(refs)})

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """sacrebleu ``corpus_score`` of chrF and chrF++ over ``items``.

        Items without references are left out (sacrebleu cannot score them).
        """
        scored = [i for i in items if len(i.references) > 0]
        if not scored:
            return {}
        hyps = [i.prediction for i in scored]
        streams = reference_streams([list(i.references) for i in scored])
        out: dict[str, float] = {}
        for key, metric in self._corpus.items():
            # sacrebleu's type hints say Sequence[Sequence[str]]; None is its padding value.
            out[key] = float(metric.corpus_score(hyps, streams).score)  # type: ignore[arg-type]
        return out

    def compute(
        self,
        predictions: Sequence[str],
        references: References,
        char_order: int | None = None,
        word_order: int = CHRF.WORD_ORDER,
        beta: int | None = None,
        lowercase: bool = False,
        whitespace: bool = False,
        eps_smoothing: bool = False,
    ) -> dict[str, Any]:
        """``evaluate``'s chrf: sacrebleu's corpus chrF with the same arguments and keys.

        Args:
            predictions: One text per sample.
            references: Per prediction, one reference or a list of them.
                Unlike ``evaluate`` (which raises), predictions may have
                different numbers of references (streams padded with None).
            char_order, beta: Default this metric's (6 and 2).
            word_order: 0 is chrF (default), 2 is chrF++.
            lowercase, whitespace, eps_smoothing: As sacrebleu's ``CHRF``.

        Returns:
            ``{"score": 0–100, "char_order": int, "word_order": int, "beta": int}``.

        Raises:
            ValueError: If the lists differ in length.
        """
        refs = reference_lists(references)
        if len(predictions) != len(refs):
            raise ValueError(f"chrf: {len(predictions)} predictions but {len(refs)} references")
        hyps, streams = list(predictions), reference_streams(refs)
        own = (
            char_order in (None, self.char_order)
            and beta in (None, self.beta)
            and not (lowercase or whitespace or eps_smoothing)
            and word_order in (0, 2)
        )
        if own:  # this metric's scorers: the signature then names this corpus's references
            for m in self._corpus.values():
                m.corpus_score(hyps, streams)  # type: ignore[arg-type]
            metric = self._corpus["chrf" if word_order == 0 else "chrf_pp"]
        else:
            metric = CHRF(
                self.char_order if char_order is None else char_order,
                word_order,
                self.beta if beta is None else beta,
                lowercase,
                whitespace,
                eps_smoothing,
            )
        # sacrebleu's type hints say Sequence[Sequence[str]]; None is its padding value.
        out = metric.corpus_score(hyps, streams)  # type: ignore[arg-type]
        return {
            "score": float(out.score),
            "char_order": out.char_order,
            "word_order": out.word_order,
            "beta": out.beta,
        }

    def sacrebleu_signatures(self) -> dict[str, str]:
        """sacrebleu's own signature strings (``nrefs:?`` before any corpus score)."""
        out: dict[str, str] = {}
        for key, metric in self._corpus.items():
            args = dict(vars(metric))
            args.setdefault("num_refs", "?")
            out[key] = CHRFSignature(args).format()
        return out

    def signature(self) -> str:
        """``chrf|chrF2:<sacrebleu signature>|chrF2++:<sacrebleu signature>``."""
        sigs = self.sacrebleu_signatures()
        name = f"chrF{self.beta}"
        return f"chrf|{name}:{{{sigs['chrf']}}}|{name}++:{{{sigs['chrf_pp']}}}"
