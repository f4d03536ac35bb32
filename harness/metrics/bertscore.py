"""BERTScore: greedy matching of contextual token embeddings (Zhang et al., 2020).

Each text is encoded by a local transformers encoder; the token vectors of
layer ``num_layers`` (``hidden_states[num_layers]``, 0 being the embedding
layer) are L2-normalised, so that a dot product is a cosine similarity. Every
candidate token is matched to its most similar reference token (precision,
candidate side) and every reference token to its most similar candidate token
(recall, reference side); each side is a weighted mean of those maxima and F1
is their harmonic mean.

The computation follows the reference package ``bert_score`` (0.3.x), so the
numbers agree with ``bert_score.score(..., model_type=<folder>, num_layers=L,
use_fast_tokenizer=True)``:

* texts are stripped, encoded with the tokenizer's special tokens
  (``[CLS] … [SEP]``, ``<s> … </s>``) and truncated at ``max_length``;
* special tokens get weight 0, so they never count as tokens to be matched,
  but with ``special_tokens="match"`` (the default, as ``bert_score``) they
  stay in the similarity matrix as match targets. ``special_tokens="drop"``
  removes them from the matrix entirely (the paper's formulation); the
  signature says which;
* weights are uniform, or with ``idf=True`` the inverse document frequency
  ``log((M + 1) / (c + 1))`` of a token id occurring in ``c`` of the ``M``
  reference texts of the corpus (every reference of every item counts as one
  document; an id seen in no reference gets ``log(M + 1)``, the largest
  possible weight). The corpus is what :meth:`BertScore.compute` or
  :meth:`BertScore.aggregate` receives; :meth:`BertScore.score_one` sees one
  sample only, so it uses uniform weights unless ``idf_dict`` supplies
  weights (its details say ``weights: uniform``). With ``idf=True`` the
  metric is ``corpus_level``: the run's summary then holds the idf-weighted
  corpus means next to the per-sample (uniform) ones;
* with several references, precision, recall and F1 are each the maximum
  over the references (``bert_score``'s rule: they may come from different
  references);
* an empty candidate or reference (no token but special ones) scores 0,
  as does a side whose weights sum to 0;
* ``baseline`` rescales: ``(x - b) / (1 - b)``, with one ``b`` for all three
  values or ``[b_P, b_R, b_F]``. ``bert_score``'s baseline files are not
  available offline: copy the row of your model and layer from its
  ``rescale_baseline/<lang>/<model>.tsv``.

One difference on purpose: ``bert_score`` pads a batch of similarity matrices
with zeros before taking the maxima, so that a token whose similarities are
all negative can score 0 instead of its true maximum, depending on the batch.
Here every pair is matched on its own; both agree whenever similarities are
non-negative (always, in practice, for trained encoders) and always with
``bert_score``'s ``batch_size=1``.

The encoder loads lazily on first use and is shared by every instance in the
process; torch and transformers are imported only then. A missing torch or
transformers is an error at construction, never a quiet 0.

Example (the matching itself, on hand-made unit vectors):
    >>> import numpy as np
    >>> cand = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> ref = np.array([[1.0, 0.0]])
    >>> greedy_match(cand, ref, np.ones(2), np.ones(1))
    (0.5, 1.0, 0.6666666666666666)
    >>> round(rescale(0.9, 0.8), 6)
    0.5
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, ScoringInput

__all__ = ["BertScore", "Encoded", "greedy_match", "idf_from_ids", "rescale"]

VERSION = "harness-bertscore-1"
KEYS: tuple[str, str, str] = ("precision", "recall", "f1")
# Drop the per-instance embedding cache when it grows past this many texts.
_EMBEDDING_CACHE_LIMIT = 20_000
# Encoders shared by every instance in the process: (model, device) -> (tokenizer, model).
_ENCODERS: dict[tuple[str, str], tuple[Any, Any]] = {}


@dataclass(frozen=True)
class Encoded:
    """One text as the encoder saw it.

    Attributes:
        ids: token ids, special tokens included.
        vectors: L2-normalised token vectors, one row per id (float64).
        special: True where the id is a special token added by the tokenizer.
        truncated: True when the text reached ``max_length`` tokens (and was
            probably cut there).
    """

    ids: tuple[int, ...]
    vectors: np.ndarray
    special: np.ndarray
    truncated: bool = False

    @property
    def empty(self) -> bool:
        """True when the text has no token but special ones."""
        return not bool((~self.special).any())


def greedy_match(
    cand: np.ndarray, ref: np.ndarray, cand_weights: np.ndarray, ref_weights: np.ndarray
) -> tuple[float, float, float]:
    """Precision, recall and F1 of greedy cosine matching.

    Args:
        cand: Candidate token vectors, L2-normalised, shape ``(n, d)``.
        ref: Reference token vectors, L2-normalised, shape ``(m, d)``.
        cand_weights: Weight of each candidate token (0 for special tokens).
        ref_weights: Weight of each reference token.

    Returns:
        ``(P, R, F)``; a side whose weights sum to 0 gives 0 for all three.

    Example:
        >>> import numpy as np
        >>> v = np.eye(3)
        >>> greedy_match(v, v, np.ones(3), np.ones(3))
        (1.0, 1.0, 1.0)
    """
    wc, wr = float(cand_weights.sum()), float(ref_weights.sum())
    if len(cand) == 0 or len(ref) == 0 or wc <= 0 or wr <= 0:
        return 0.0, 0.0, 0.0
    sim = cand @ ref.T
    p = float(sim.max(axis=1) @ cand_weights) / wc
    r = float(sim.max(axis=0) @ ref_weights) / wr
    f = 2 * p * r / (p + r) if p + r != 0 else 0.0
    return p, r, f


def rescale(value: float, baseline: float) -> float:
    """Baseline rescaling: ``(value - baseline) / (1 - baseline)``."""
    return (value - baseline) / (1 - baseline)


def idf_from_ids(documents: Iterable[Sequence[int]]) -> tuple[dict[int, float], float]:
    """Inverse document frequencies of token ids over ``documents``.

    Args:
        documents: The token ids of each reference text.

    Returns:
        ``(weights, unseen)``: ``log((M + 1) / (c + 1))`` for every id found in
        ``c`` of the ``M`` documents, and ``log(M + 1)`` for ids found in none.

    Example:
        >>> w, unseen = idf_from_ids([[1, 2], [1, 3], [1, 1]])
        >>> w[1], round(w[2], 4), round(unseen, 4)
        (0.0, 0.6931, 1.3863)
    """
    counts: Counter[int] = Counter()
    m = 0
    for ids in documents:
        m += 1
        counts.update(set(ids))
    return {i: math.log((m + 1) / (c + 1)) for i, c in counts.items()}, math.log(m + 1)


def _parse_baseline(baseline: Any) -> tuple[float, float, float] | None:
    if baseline is None:
        return None
    if isinstance(baseline, bool):
        raise ValueError("bertscore: baseline: expected a number or [P, R, F], got a boolean")
    values: tuple[float, ...]
    if isinstance(baseline, int | float):
        values = (float(baseline),) * 3
    elif isinstance(baseline, Sequence) and not isinstance(baseline, str) and len(baseline) == 3:
        try:
            values = tuple(float(b) for b in baseline)
        except (TypeError, ValueError):
            raise ValueError(
                f"bertscore: baseline: expected three numbers [P, R, F], got {baseline!r}"
            ) from None
    else:
        raise ValueError(f"bertscore: baseline: expected a number or [P, R, F], got {baseline!r}")
    if any(not math.isfinite(b) or b >= 1 for b in values):
        raise ValueError(f"bertscore: baseline: every value must be finite and < 1, got {baseline}")
    return values[0], values[1], values[2]


def _layers_in_config(model: str) -> int | None:
    """``num_hidden_layers`` from a local folder's ``config.json`` (no transformers import)."""
    path = Path(model).expanduser() / "config.json"
    if not path.is_file():
        return None
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("num_hidden_layers", "n_layers", "num_layers", "encoder_layers"):
        if isinstance(cfg.get(key), int):
            return int(cfg[key])
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def _load_encoder(model: str, device: str) -> tuple[Any, Any]:
    """The tokenizer and encoder for ``model`` on ``device``, loaded once per process."""
    key = (model, device)
    if key not in _ENCODERS:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = Path(model).expanduser()
        source = str(path) if path.exists() else model
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            encoder = AutoModel.from_pretrained(source, dtype=torch.float32)
        except (OSError, ValueError) as exc:
            raise RuntimeError(
                f"bertscore: model: cannot load {model!r} (a local folder with the encoder's "
                f"weights and tokenizer is needed; nothing is downloaded): {exc}"
            ) from exc
        if getattr(encoder.config, "is_encoder_decoder", False):
            encoder = encoder.get_encoder()
        encoder.eval()
        encoder.to(device)
        _ENCODERS[key] = (tokenizer, encoder)
    return _ENCODERS[key]


@METRICS.register("bertscore")
class BertScore(HarnessMetric):
    """BERTScore precision, recall and F1 with any local encoder.

    Args:
        model: A local folder holding the encoder and its tokenizer (a hub id
            works only where the weights are already in the Hugging Face cache,
            as nothing is downloaded). Recorded in the signature as given.
        num_layers: The layer whose vectors are matched (``hidden_states``
            index; 0 is the embedding layer); default the last one.
        idf: Weight tokens by inverse document frequency over the corpus's
            references (see the module docstring for ``score_one``).
        idf_dict: Precomputed weights ``token id -> weight`` (ids as ints or
            strings); ids not in it get the largest weight in it. Used by
            ``score_one`` and, instead of the corpus's, by ``aggregate``.
        baseline: ``b`` or ``[b_P, b_R, b_F]`` for rescaling, or None.
        batch_size: Texts per encoder forward pass.
        device: ``cpu``, ``cuda``, ``cuda:1``, ...; default cuda if available.
        max_length: Truncate texts to this many tokens (special tokens
            included); default the tokenizer's ``model_max_length``, else the
            model's ``max_position_embeddings``.
        special_tokens: ``match`` (``bert_score``'s behaviour) or ``drop``.

    Raises:
        ValueError: Bad options, or torch / transformers not installed.
    """

    metric_name = "bertscore"
    tasks = ("summary", "qa")
    keys = KEYS
    higher_is_better: ClassVar[dict[str, bool]] = {k: True for k in KEYS}
    description = "BERTScore precision, recall and F1 (greedy cosine matching of token vectors)."
    citation = (
        "Zhang, Kishore, Wu, Weinberger, Artzi. BERTScore: Evaluating Text Generation with BERT. "
        "ICLR 2020."
    )

    def __init__(
        self,
        model: str = "",
        num_layers: int | None = None,
        idf: bool = False,
        idf_dict: Mapping[Any, float] | None = None,
        baseline: float | Sequence[float] | None = None,
        batch_size: int = 64,
        device: str | None = None,
        max_length: int | None = None,
        special_tokens: str = "match",
    ) -> None:
        super().__init__(
            model=model,
            num_layers=num_layers,
            idf=idf,
            baseline=baseline,
            batch_size=batch_size,
            max_length=max_length,
            special_tokens=special_tokens,
        )
        if not isinstance(model, str) or not model:
            raise ValueError(
                "bertscore: model: required: a local folder with the encoder and its tokenizer "
                "(e.g. xlm-roberta-large, layer 17)"
            )
        if model.startswith(("/", ".", "~")) and not Path(model).expanduser().exists():
            raise ValueError(f"bertscore: model: no such folder: {model}")
        if num_layers is not None and (
            isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0
        ):
            raise ValueError(f"bertscore: num_layers: expected an integer >= 0, got {num_layers!r}")
        if not isinstance(idf, bool):
            raise ValueError(f"bertscore: idf: expected true or false, got {idf!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"bertscore: batch_size: expected an integer >= 1, got {batch_size!r}")
        if max_length is not None and (
            isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2
        ):
            raise ValueError(f"bertscore: max_length: expected an integer >= 2, got {max_length!r}")
        if special_tokens not in ("match", "drop"):
            raise ValueError(
                f"bertscore: special_tokens: expected 'match' or 'drop', got {special_tokens!r}"
            )
        missing = [p for p in ("torch", "transformers") if importlib.util.find_spec(p) is None]
        if missing:
            raise ValueError(
                f"bertscore needs {' and '.join(missing)}: pip install 'harness[models]'"
            )
        self.model = model
        self.idf = idf
        self.idf_dict = self._parse_idf_dict(idf_dict)
        self.baseline = _parse_baseline(baseline)
        self.batch_size = batch_size
        self.device = device
        self.max_length = max_length
        self.special_tokens = special_tokens
        self._num_layers = num_layers
        self._cache: dict[str, Encoded] = {}
        # A corpus-level value only differs from the mean of the per-sample ones with idf.
        self.corpus_level = idf and self.idf_dict is None

    @staticmethod
    def _parse_idf_dict(idf_dict: Mapping[Any, float] | None) -> dict[int, float] | None:
        if idf_dict is None:
            return None
        if not isinstance(idf_dict, Mapping) or not idf_dict:
            raise ValueError("bertscore: idf_dict: expected a non-empty mapping token id -> weight")
        out: dict[int, float] = {}
        for k, v in idf_dict.items():
            try:
                out[int(k)] = float(v)
            except (TypeError, ValueError):
                raise ValueError(
                    f"bertscore: idf_dict: {k!r}: expected an integer token id and a number"
                ) from None
        return out

    # -- the encoder ---------------------------------------------------------

    @property
    def num_layers(self) -> int:
        """The layer used (resolved from the model's config when not given)."""
        if self._num_layers is None:
            layers = _layers_in_config(self.model)
            if layers is None:
                from transformers import AutoConfig

                cfg = AutoConfig.from_pretrained(self.model)
                layers = int(cfg.num_hidden_layers)
            self._num_layers = layers
        return self._num_layers

    def _device(self) -> str:
        if self.device:
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def _encoder(self) -> tuple[Any, Any]:
        tokenizer, encoder = _load_encoder(self.model, self._device())
        available = int(getattr(encoder.config, "num_hidden_layers", self.num_layers))
        if self.num_layers > available:
            raise ValueError(
                f"bertscore: num_layers: {self.num_layers} is past the model's last layer "
                f"({available})"
            )
        return tokenizer, encoder

    def _max_length(self, tokenizer: Any, encoder: Any) -> int:
        if self.max_length is not None:
            return self.max_length
        limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
        if 0 < limit < 1_000_000:
            return limit
        return int(getattr(encoder.config, "max_position_embeddings", 512))

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Token ids and normalised layer vectors of ``texts`` (cached per text).

        Texts are stripped, sorted by length and run through the encoder
        ``batch_size`` at a time; padding never changes a text's vectors
        beyond float rounding.
        """
        todo = sorted({t.strip() for t in texts if t.strip() not in self._cache}, key=len)
        if todo:
            if len(self._cache) + len(todo) > _EMBEDDING_CACHE_LIMIT:
                self._cache.clear()
            self._encode_uncached(todo)
        return [self._cache[t.strip()] for t in texts]

    def _encode_uncached(self, texts: list[str]) -> None:
        import torch

        tokenizer, encoder = self._encoder()
        max_len = self._max_length(tokenizer, encoder)
        device = next(encoder.parameters()).device
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            enc = tokenizer(
                batch,
                add_special_tokens=True,
                truncation=True,
                max_length=max_len,
                padding=True,
                return_tensors="pt",
                return_special_tokens_mask=True,
            )
            with torch.no_grad():
                out = encoder(
                    input_ids=enc["input_ids"].to(device),
                    attention_mask=enc["attention_mask"].to(device),
                    output_hidden_states=True,
                )
            layer = out.hidden_states[self.num_layers].to(torch.float64).cpu().numpy()
            for i, text in enumerate(batch):
                mask = enc["attention_mask"][i].numpy().astype(bool)
                vecs = layer[i][mask]
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                vecs = vecs / np.maximum(norms, np.finfo(float).tiny)
                ids = tuple(int(x) for x in enc["input_ids"][i][mask].tolist())
                special = enc["special_tokens_mask"][i].numpy().astype(bool)[mask]
                self._cache[text] = Encoded(ids, vecs, special, truncated=len(ids) >= max_len)

    # -- scoring -------------------------------------------------------------

    def _weights(self, enc: Encoded, idf: tuple[Mapping[int, float], float] | None) -> np.ndarray:
        if idf is None:
            w = np.ones(len(enc.ids))
        else:
            table, unseen = idf
            w = np.array([table.get(i, unseen) for i in enc.ids], dtype=float)
        w[enc.special] = 0.0
        return w

    def _pair(
        self, cand: Encoded, ref: Encoded, idf: tuple[Mapping[int, float], float] | None
    ) -> tuple[float, float, float]:
        if cand.empty or ref.empty:
            return 0.0, 0.0, 0.0
        wc, wr = self._weights(cand, idf), self._weights(ref, idf)
        vc, vr = cand.vectors, ref.vectors
        if self.special_tokens == "drop":
            vc, wc = vc[~cand.special], wc[~cand.special]
            vr, wr = vr[~ref.special], wr[~ref.special]
        return greedy_match(vc, vr, wc, wr)

    def _given_idf(self) -> tuple[dict[int, float], float] | None:
        if self.idf_dict is None:
            return None
        return self.idf_dict, max(self.idf_dict.values())

    def corpus_idf(self, references: Sequence[str]) -> tuple[dict[int, float], float]:
        """Idf weights over ``references`` (each text one document) and the unseen-id weight."""
        return idf_from_ids(e.ids for e in self.encode(references))

    def _score(
        self, item: ScoringInput, idf: tuple[Mapping[int, float], float] | None, weights: str
    ) -> MetricResult:
        refs = [r for r in item.references]
        if not refs:
            return MetricResult({}, {"skipped": "no reference to compare with"})
        encoded = self.encode([item.prediction, *refs])
        cand, ref_encs = encoded[0], encoded[1:]
        per_ref = [self._pair(cand, r, idf) for r in ref_encs]
        best = [max(s[j] for s in per_ref) for j in range(3)]
        if self.baseline is not None:
            best = [rescale(v, b) for v, b in zip(best, self.baseline, strict=True)]
        details: dict[str, Any] = {"weights": weights}
        if cand.empty:
            details["empty"] = "candidate"
        elif any(r.empty for r in ref_encs):
            details["empty"] = "reference"
        if cand.truncated or any(r.truncated for r in ref_encs):
            details["truncated"] = True
        if len(per_ref) > 1:
            details["per_reference_f1"] = [round(s[2], 6) for s in per_ref]
        return MetricResult(dict(zip(KEYS, best, strict=True)), details)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Score one prediction (uniform weights unless ``idf_dict`` was given)."""
        given = self._given_idf()
        return self._score(item, given, "idf (given)" if given else "uniform")

    def score_items(self, items: Sequence[ScoringInput]) -> list[MetricResult]:
        """Score a corpus: encoded in batches, idf (if on) over the corpus's references."""
        self.encode([t for it in items for t in (it.prediction, *it.references)])
        idf = self._given_idf()
        label = "idf (given)" if idf else "uniform"
        if idf is None and self.idf:
            idf = self.corpus_idf([r for it in items for r in it.references])
            label = "idf (corpus)"
        return [self._score(it, idf, label) for it in items]

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """Means over the items with references; with ``idf`` the items are scored again
        with the corpus's idf weights (from cached vectors: the encoder does not run twice)."""
        if not self.idf or self.idf_dict is not None:
            return super().aggregate(per_sample, items)
        rows = [r.values for r in self.score_items(items)]
        return super().aggregate(rows, items)

    def compute(
        self, predictions: Sequence[str], references: Sequence[Sequence[str]]
    ) -> dict[str, Any]:
        """Corpus means of P, R, F1 (idf over these references when ``idf``), plus the signature."""
        self.encode([t for p, rs in zip(predictions, references, strict=True) for t in (p, *rs)])
        return super().compute(predictions, references)

    def signature(self) -> str:
        """``bert_score``'s hash string with this implementation's version."""
        sig = (
            f"{self.model}_L{self.num_layers}{'_idf' if self.idf else '_no-idf'}"
            f"_version={VERSION}(torch={_version('torch')},"
            f"transformers={_version('transformers')})"
        )
        if self.idf_dict is not None:
            sig += "_idf-dict"
        if self.special_tokens == "drop":
            sig += "_drop-special"
        if self.max_length is not None:
            sig += f"_max-length={self.max_length}"
        if self.baseline is not None:
            sig += "_rescaled(" + ",".join(f"{b:g}" for b in self.baseline) + ")"
        return sig
