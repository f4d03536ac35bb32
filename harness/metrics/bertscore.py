"""BERTScore through ``bert_score`` (Zhang et al., 2020), with local models and a cache.

The reference package ``bert_score`` does the work: it loads the encoder cut
after layer ``num_layers`` (``bert_score.utils.get_model``; 0 is the embedding
layer) and its tokenizer (``get_tokenizer``), encodes texts in padded batches
(``sent_encode``, ``get_bert_embedding``), computes inverse document
frequencies (``get_idf_dict``), matches tokens greedily by cosine similarity
(``greedy_cos_idf``), and ships the rescaling baselines
(``rescale_baseline/<lang>/<model>.tsv``) and the hash string (``get_hash``).
This wrapper adds what a harness needs around it:

* ``model`` is a local folder (nothing is downloaded); the encoder loads on
  first use, once per process, and the token vectors of every text are cached,
  so a text scored against many references is encoded once;
* one sample at a time (:meth:`BertScore.score_one`) as well as a corpus;
* every candidate--reference pair is matched on its own: ``bert_score`` pads a
  batch of similarity matrices with zeros, so that a token whose similarities
  are all negative can score 0 instead of its maximum, depending on the batch
  (both agree whenever similarities are non-negative, always in practice for
  trained encoders, and always with ``bert_score``'s ``batch_size=1``);
* ``[CLS]``/``[SEP]`` (``<s>``/``</s>``) weigh 0 but stay match targets, as in
  ``bert_score``; ``special_tokens="drop"`` takes them out of the matching
  (the paper's formulation); the signature says which;
* with several references, precision, recall and F1 are each the maximum over
  the references (``bert_score``'s rule: they may come from different ones);
  an empty candidate or reference (no token but special ones) scores 0;
* ``idf=True``: weights from the references of the corpus that
  :meth:`BertScore.compute` or :meth:`BertScore.aggregate` receives
  (``log((M + 1) / (c + 1))``); :meth:`BertScore.score_one` sees one sample, so
  it uses uniform weights unless ``idf_dict`` supplies them (its details say
  ``weights: uniform``); with ``idf=True`` the metric is ``corpus_level``;
* ``baseline`` rescales ``(x - b) / (1 - b)``: one ``b``, ``[b_P, b_R, b_F]``,
  a language code such as ``"de"`` (``bert_score``'s shipped file for the
  model's name, e.g. ``rescale_baseline/de/xlm-roberta-large.tsv``, row
  ``num_layers``) or the path of such a file.

:meth:`BertScore.compute` is ``evaluate``'s ``bertscore`` (the same arguments,
the per-prediction lists and ``hashcode``). torch and transformers are
imported on first use only; a missing one is an error at construction, never a
quiet 0.

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

import csv
import importlib.util
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from harness.metrics import METRICS
from harness.metrics.base import HarnessMetric, MetricResult, References, ScoringInput

__all__ = ["BertScore", "Encoded", "greedy_match", "idf_from_ids", "rescale", "shipped_baseline"]

VERSION = "harness-bertscore-1"
KEYS: tuple[str, str, str] = ("precision", "recall", "f1")
# Drop the per-instance embedding cache when it grows past this many texts.
_EMBEDDING_CACHE_LIMIT = 20_000
# Encoders shared by every instance: (model, layers, device, fast, max_length) -> (tok, model).
_ENCODERS: dict[tuple[str, int, str, bool, int | None], tuple[Any, Any]] = {}

Triple = tuple[float, float, float]
Idf = tuple[Mapping[int, float], float]


@dataclass(frozen=True)
class Encoded:
    """One text as the encoder saw it.

    Attributes:
        ids: token ids, special tokens included.
        vectors: the layer's token vectors, L2-normalised, one row per id (float64).
        special: True where the id is ``[CLS]``/``[SEP]`` (``<s>``/``</s>``).
        truncated: True when the text reached the maximum length (and was
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
) -> Triple:
    """Precision, recall and F1 of greedy cosine matching of one pair.

    ``bert_score``'s ``greedy_cos_idf`` for a batch of one, in float64 (that
    function pads a batch with zero similarities and takes every two-token
    text for an empty one, so it is not called pair by pair).

    Args:
        cand: Candidate token vectors, L2-normalised, shape ``(n, d)``.
        ref: Reference token vectors, L2-normalised, shape ``(m, d)``.
        cand_weights: Weight of each candidate token, shape ``(n,)`` (0 for special tokens).
        ref_weights: Weight of each reference token, shape ``(m,)``.

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
    """Inverse document frequencies of token ids, as ``bert_score.utils.get_idf_dict``.

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


def shipped_baseline(lang: str, model: str, num_layers: int) -> Triple:
    """``bert_score``'s rescaling baseline ``(b_P, b_R, b_F)`` for a model, language and layer.

    Args:
        lang: A language of ``bert_score``'s ``rescale_baseline`` folder (``de``, ``en``, ...).
        model: A model name or a local folder, looked up by its last path part
            (``~/models/xlm-roberta-large`` is ``xlm-roberta-large``).
        num_layers: The layer (row of the file).

    Raises:
        ValueError: If ``bert_score`` ships no such file or row (the message lists what it has).

    >>> shipped_baseline("de", "/models/xlm-roberta-large", 17)
    (0.83927697, 0.83923465, 0.83889884)
    """
    spec = importlib.util.find_spec("bert_score")
    if spec is None or spec.origin is None:
        raise ValueError("bertscore: baseline: needs bert_score (pip install bert-score)")
    folder = Path(spec.origin).parent / "rescale_baseline"
    name = Path(model.rstrip("/")).name
    path = folder / lang / f"{name}.tsv"
    if not path.is_file():
        have = sorted(p.stem for p in (folder / lang).glob("*.tsv"))
        langs = sorted(p.name for p in folder.iterdir() if p.is_dir())
        raise ValueError(
            f"bertscore: baseline: bert_score ships no baseline for {name!r} in {lang!r} "
            f"(for {lang!r}: {', '.join(have) or 'none'}; languages: {', '.join(langs)})"
        )
    return baseline_file(path, num_layers)


def baseline_file(path: Path, num_layers: int) -> Triple:
    """Row ``num_layers`` of a baseline file (``LAYER,P,R,F``, as ``bert_score``'s).

    Raises:
        ValueError: If the file cannot be read or has no such row (names file and line).
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise ValueError(f"bertscore: baseline: {path}: cannot read: {exc.strerror}") from None
    for line, row in enumerate(rows[1:], start=2):
        if row and row[0].strip() == str(num_layers):
            try:
                p, r, f = (float(x) for x in row[1:4])
            except ValueError:  # not a number, or fewer than three
                raise ValueError(
                    f"bertscore: baseline: {path}:{line}: expected LAYER,P,R,F numbers"
                ) from None
            return p, r, f
    raise ValueError(f"bertscore: baseline: {path}: no row for layer {num_layers}")


def _parse_baseline(baseline: Any) -> Triple | str | None:
    """Numbers as a triple; a language code or a file path as the string (resolved later)."""
    if baseline is None:
        return None
    if isinstance(baseline, bool):
        raise ValueError("bertscore: baseline: expected a number or [P, R, F], got a boolean")
    if isinstance(baseline, str):
        if not baseline:
            raise ValueError("bertscore: baseline: empty")
        return baseline
    values: tuple[float, ...]
    if isinstance(baseline, int | float):
        values = (float(baseline),) * 3
    elif isinstance(baseline, Sequence) and len(baseline) == 3:
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


def _source(model: str) -> str:
    path = Path(model).expanduser()
    return str(path) if path.exists() else model


def _load_encoder(
    model: str, num_layers: int, device: str, fast: bool, max_length: int | None
) -> tuple[Any, Any]:
    """``bert_score``'s tokenizer and encoder (cut after ``num_layers``), once per process."""
    key = (model, num_layers, device, fast, max_length)
    if key not in _ENCODERS:
        from bert_score.utils import get_model, get_tokenizer

        source = _source(model)
        try:
            tokenizer = get_tokenizer(source, use_fast=fast)
            encoder = get_model(source, num_layers)
        except (OSError, ValueError, AssertionError) as exc:
            raise RuntimeError(
                f"bertscore: model: cannot load {model!r} (a local folder with the encoder's "
                f"weights and tokenizer is needed; nothing is downloaded): {exc}"
            ) from exc
        encoder.eval()
        encoder.to(device)
        if max_length is not None:
            tokenizer.model_max_length = max_length
        elif not 0 < int(getattr(tokenizer, "model_max_length", 0) or 0) < 1_000_000:
            limit = getattr(encoder.config, "max_position_embeddings", 512)
            tokenizer.model_max_length = int(limit)
        _ENCODERS[key] = (tokenizer, encoder)
    return _ENCODERS[key]


@METRICS.register("bertscore")
class BertScore(HarnessMetric):
    """BERTScore precision, recall and F1 with any local encoder, through ``bert_score``.

    Args:
        model: A local folder holding the encoder and its tokenizer (a hub id
            works only where the weights are already in the Hugging Face cache,
            as nothing is downloaded). Recorded in the signature as given.
            None: named per call (``compute(model_type=...)`` or ``lang=``), as
            ``harness.metrics.load("bertscore")`` does.
        num_layers: The layer whose vectors are matched (0 is the embedding
            layer); default the last one.
        idf: Weight tokens by inverse document frequency over the corpus's
            references (see the module docstring for ``score_one``).
        idf_dict: Precomputed weights ``token id -> weight`` (ids as ints or
            strings); ids not in it get the largest weight in it. Used by
            ``score_one`` and, instead of the corpus's, by ``aggregate``.
        baseline: ``b``, ``[b_P, b_R, b_F]``, a language code (``"de"``:
            ``bert_score``'s shipped baseline for the model's name and layer) or
            the path of a ``LAYER,P,R,F`` file; None: no rescaling.
        batch_size: Texts per encoder forward pass.
        device: ``cpu``, ``cuda``, ``cuda:1``, ...; default cuda if available.
        max_length: Truncate texts to this many tokens (special tokens
            included); default the tokenizer's ``model_max_length``, else the
            model's ``max_position_embeddings``.
        special_tokens: ``match`` (``bert_score``'s behaviour) or ``drop``.
        use_fast_tokenizer: The tokenizer's fast (Rust) version (default True;
            ``evaluate``'s default, and ``load("bertscore")``'s, is False).

    Raises:
        ValueError: Bad options, or torch / transformers / bert_score not installed.
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
    evaluate_defaults: ClassVar[Mapping[str, Any]] = {"model": None, "use_fast_tokenizer": False}

    def __init__(
        self,
        model: str | None = "",
        num_layers: int | None = None,
        idf: bool = False,
        idf_dict: Mapping[Any, float] | None = None,
        baseline: float | Sequence[float] | str | None = None,
        batch_size: int = 64,
        device: str | None = None,
        max_length: int | None = None,
        special_tokens: str = "match",
        use_fast_tokenizer: bool = True,
    ) -> None:
        super().__init__(
            model=model,
            num_layers=num_layers,
            idf=idf,
            baseline=baseline,
            batch_size=batch_size,
            max_length=max_length,
            special_tokens=special_tokens,
            use_fast_tokenizer=use_fast_tokenizer,
        )
        if model is not None and (not isinstance(model, str) or not model):
            raise ValueError(
                "bertscore: model: required: a local folder with the encoder and its tokenizer "
                "(e.g. xlm-roberta-large, layer 17)"
            )
        if model and model.startswith(("/", ".", "~")) and not Path(model).expanduser().exists():
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
        if not isinstance(use_fast_tokenizer, bool):
            raise ValueError(
                f"bertscore: use_fast_tokenizer: expected true or false, got {use_fast_tokenizer!r}"
            )
        needed = ("torch", "transformers", "bert_score")
        missing = [p for p in needed if importlib.util.find_spec(p) is None]
        if missing:
            raise ValueError(
                f"bertscore needs {' and '.join(missing)}: pip install 'harness[models]'"
            )
        self.model = model
        self.idf = idf
        self.idf_dict = self._parse_idf_dict(idf_dict)
        self._baseline_option = _parse_baseline(baseline)
        self._baseline: Triple | None = None
        self.batch_size = batch_size
        self.device = device
        self.max_length = max_length
        self.special_tokens = special_tokens
        self.use_fast_tokenizer = use_fast_tokenizer
        self._num_layers = num_layers
        self._cache: dict[str, Encoded] = {}
        self._variants: dict[tuple[Any, ...], BertScore] = {}
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

    def _model(self) -> str:
        if not self.model:
            raise ValueError(
                "bertscore: model: none given (the option model, or compute(model_type=...) "
                "or compute(lang=...))"
            )
        return self.model

    @property
    def num_layers(self) -> int:
        """The layer used (resolved from the model's config when not given)."""
        if self._num_layers is None:
            model = self._model()
            layers = _layers_in_config(model)
            if layers is None:
                from transformers import AutoConfig

                layers = int(AutoConfig.from_pretrained(_source(model)).num_hidden_layers)
            self._num_layers = layers
        return self._num_layers

    @property
    def baseline(self) -> Triple | None:
        """``(b_P, b_R, b_F)``, or None without rescaling (a file is read on first use)."""
        option = self._baseline_option
        if option is None or isinstance(option, tuple):
            return option
        if self._baseline is None:
            path = Path(option).expanduser()
            if path.suffix in (".tsv", ".csv") or path.is_file():
                self._baseline = baseline_file(path, self.num_layers)
            else:
                self._baseline = shipped_baseline(option, self._model(), self.num_layers)
        return self._baseline

    def _device(self) -> str:
        if self.device:
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def _encoder(self) -> tuple[Any, Any]:
        model = self._model()
        available = _layers_in_config(model)
        if available is not None and self.num_layers > available:
            raise ValueError(
                f"bertscore: num_layers: {self.num_layers} is past the model's last layer "
                f"({available})"
            )
        return _load_encoder(
            model, self.num_layers, self._device(), self.use_fast_tokenizer, self.max_length
        )

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Token ids and layer vectors of ``texts`` (cached per stripped text).

        Texts are sorted by length and encoded by ``bert_score`` ``batch_size``
        at a time; padding never changes a text's vectors beyond float rounding.
        """
        todo = sorted({t.strip() for t in texts if t.strip() not in self._cache}, key=len)
        if todo:
            if len(self._cache) + len(todo) > _EMBEDDING_CACHE_LIMIT:
                self._cache.clear()
            self._encode_uncached(todo)
        return [self._cache[t.strip()] for t in texts]

    def _encode_uncached(self, texts: list[str]) -> None:
        from bert_score.utils import get_bert_embedding, sent_encode

        tokenizer, encoder = self._encoder()
        device = str(next(encoder.parameters()).device)
        special_ids = {tokenizer.cls_token_id, tokenizer.sep_token_id} - {None}
        limit = int(tokenizer.model_max_length)

        def special(ids: Sequence[int]) -> np.ndarray:
            return np.array([t in special_ids for t in ids], dtype=bool)

        if "" in texts:  # special tokens only; sent_encode("") fails with transformers 5
            ids = tuple(int(t) for t in tokenizer("", add_special_tokens=True)["input_ids"])
            self._cache[""] = Encoded(ids, np.zeros((len(ids), 0)), special(ids))
            texts = [t for t in texts if t]
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            emb, mask, _ = get_bert_embedding(
                batch, encoder, tokenizer, defaultdict(float), batch_size=len(batch), device=device
            )
            for i, text in enumerate(batch):
                ids = tuple(int(t) for t in sent_encode(tokenizer, text))
                vecs = emb[i, : int(mask[i].sum())].double().cpu().numpy()
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                vecs = vecs / np.maximum(norms, np.finfo(float).tiny)
                self._cache[text] = Encoded(ids, vecs, special(ids), truncated=len(ids) >= limit)

    # -- scoring -------------------------------------------------------------

    def _weights(self, enc: Encoded, idf: Idf | None) -> np.ndarray:
        if idf is None:
            w = np.ones(len(enc.ids))
        else:
            table, unseen = idf
            w = np.array([table.get(i, unseen) for i in enc.ids], dtype=float)
        w[enc.special] = 0.0
        return w

    def _pair(self, cand: Encoded, ref: Encoded, idf: Idf | None) -> Triple:
        if cand.empty or ref.empty:
            return 0.0, 0.0, 0.0
        wc, wr = self._weights(cand, idf), self._weights(ref, idf)
        vc, vr = cand.vectors, ref.vectors
        if self.special_tokens == "drop":
            vc, wc = vc[~cand.special], wc[~cand.special]
            vr, wr = vr[~ref.special], wr[~ref.special]
        return greedy_match(vc, vr, wc, wr)

    def _given_idf(self) -> Idf | None:
        if self.idf_dict is None:
            return None
        return self.idf_dict, max(self.idf_dict.values())

    def corpus_idf(self, references: Sequence[str]) -> Idf:
        """Idf weights over ``references`` (each text one document) and the unseen-id weight,
        from ``bert_score.utils.get_idf_dict``."""
        from bert_score.utils import get_idf_dict

        tokenizer, _ = self._encoder()
        table = get_idf_dict(list(references), tokenizer, nthreads=0)
        return dict(table), math.log(len(references) + 1)

    def _score(self, item: ScoringInput, idf: Idf | None, weights: str) -> MetricResult:
        refs = list(item.references)
        if not refs:
            return MetricResult({}, {"skipped": "no reference to compare with"})
        encoded = self.encode([item.prediction, *refs])
        cand, ref_encs = encoded[0], encoded[1:]
        per_ref = [self._pair(cand, r, idf) for r in ref_encs]
        best = [max(s[j] for s in per_ref) for j in range(3)]
        baseline = self.baseline
        if baseline is not None:
            best = [rescale(v, b) for v, b in zip(best, baseline, strict=True)]
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
        self,
        predictions: Sequence[str],
        references: References,
        lang: str | None = None,
        model_type: str | None = None,
        num_layers: int | None = None,
        verbose: bool = False,
        idf: bool | None = None,
        device: str | None = None,
        batch_size: int | None = None,
        nthreads: int = 4,
        all_layers: bool = False,
        rescale_with_baseline: bool = False,
        baseline_path: str | None = None,
        use_fast_tokenizer: bool | None = None,
    ) -> dict[str, Any]:
        """``evaluate``'s bertscore: the same arguments, per-prediction lists and ``hashcode``.

        Arguments left out take this metric's settings (``load("bertscore")``:
        ``evaluate``'s defaults). ``model_type`` defaults to the option
        ``model``, else ``bert_score``'s model for ``lang``; ``num_layers`` to
        ``bert_score``'s layer for that model where it has one, else the
        option's, else the last. ``verbose`` and ``nthreads`` are accepted and
        change nothing; ``all_layers`` is not supported.

        Args:
            predictions: One text per sample.
            references: Per prediction, one reference or a list of them.
            rescale_with_baseline: Rescale with ``bert_score``'s shipped
                baseline for ``lang`` (or ``baseline_path``).

        Returns:
            ``{"precision": [...], "recall": [...], "f1": [...], "hashcode": str}``,
            one value per prediction (best over its references).

        Raises:
            ValueError: If neither a model nor ``lang`` is known, ``all_layers``
                is set, rescaling lacks a language and file, or the lists differ in length.
        """
        del verbose, nthreads
        if all_layers:
            raise ValueError("bertscore: all_layers: not supported (one layer per metric)")
        from bert_score.utils import get_hash, lang2model, model2layers

        model = model_type or self.model
        if not model:
            if lang is None:
                raise ValueError(
                    "Either 'lang' (e.g. 'en') or 'model_type' (e.g. "
                    "'microsoft/deberta-xlarge-mnli') must be specified"
                )
            model = lang2model[lang.lower()]
        layers = num_layers
        if layers is None:
            layers = model2layers.get(model, self._num_layers if model == self.model else None)
        baseline: Any = self._baseline_option if model == self.model else None
        if rescale_with_baseline:
            if baseline_path is None and lang is None:
                raise ValueError("bertscore: rescale_with_baseline needs lang (or baseline_path)")
            baseline = baseline_path or lang
        scorer = self._variant(
            model=model,
            num_layers=layers,
            idf=self.idf if idf is None else idf,
            baseline=baseline,
            batch_size=batch_size or self.batch_size,
            device=device or self.device,
            use_fast_tokenizer=(
                self.use_fast_tokenizer if use_fast_tokenizer is None else use_fast_tokenizer
            ),
        )
        items = [
            ScoringInput(prediction=p, references=list(r))
            for p, r in zip(predictions, references, strict=True)
        ]
        rows = scorer.score_items(items)
        out: dict[str, Any] = {k: [r.values.get(k, 0.0) for r in rows] for k in KEYS}
        out["hashcode"] = get_hash(
            model,
            scorer.num_layers,
            scorer.idf,
            baseline is not None,
            baseline_path is not None,
            scorer.use_fast_tokenizer,
        )
        return out

    def _variant(self, **settings: Any) -> BertScore:
        """This metric, or one with other per-call settings (kept for later calls)."""
        mine = {
            "model": self.model,
            "num_layers": self._num_layers,
            "idf": self.idf,
            "baseline": self._baseline_option,
            "batch_size": self.batch_size,
            "device": self.device,
            "use_fast_tokenizer": self.use_fast_tokenizer,
        }
        if settings == mine:
            return self
        key = tuple(sorted((k, repr(v)) for k, v in settings.items()))
        if key not in self._variants:
            self._variants[key] = BertScore(
                idf_dict=self.idf_dict,
                max_length=self.max_length,
                special_tokens=self.special_tokens,
                **settings,
            )
        return self._variants[key]

    def signature(self) -> str:
        """``bert_score``'s hash string with this wrapper's version (and bert_score's)."""
        if not self.model:
            return f"bertscore(model given per call)_version={VERSION}"
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
        if not self.use_fast_tokenizer:
            sig += "_slow-tokenizer"
        baseline = self._baseline_option
        if isinstance(baseline, str):
            sig += f"_rescaled({baseline})"
        elif baseline is not None:
            sig += "_rescaled(" + ",".join(f"{b:g}" for b in baseline) + ")"
        return sig
