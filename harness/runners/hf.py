"""The Hugging Face transformers runner: local models, batched, with a shared-prefix KV cache.

Registered as ``hf``. Options (plain YAML values)::

    runners:
      - name: gemma
        type: hf
        options:
          model: embedded:gemma3-270m   # or a folder, a .gguf file, a hub id
          device: cpu                   # cpu | cuda | cuda:N | mps | auto
          dtype: float32                # auto | float32 | bfloat16 | float16
          batch_size: 8
          chat_template: auto           # auto: use it when the tokenizer has one
          prefix_cache: true

Speed: the QA prompts of one document share a long prefix (the instruction and
the article, ~700 tokens) and differ in a short question. With
``prefix_cache`` the runner tokenises the full prompts, takes the longest
common *token* prefix of the requests that share a context, runs the model on
it once, and then decodes the questions in batches on top of that KV cache.
The batch is laid out exactly like ordinary left-padded batching (padding in
front of each row, position ids from the attention mask); only the cache of
the first ``L`` columns is pre-filled with the prefix's keys and values,
shifted right by each row's padding. So sliding-window layers (Gemma 3) see
the same relative distances as in an unbatched run, and greedy outputs match
sequential full-prompt generation (checked by the tests on tiny models and by
``benchmarks/bench_generation.py`` on Gemma 3). Encoder-decoder models, and
models whose cache is not a plain per-layer key/value cache, use ordinary
batching.

Greedy decoding (``temperature: 0``) of decoder-only models runs a small loop
of our own: each step is exactly generate()'s greedy step, but rows that reach
EOS or a stop string leave the batch at once, and on CPU the output layer of a
small batch is computed as a tall-skinny product (see
:func:`_tall_skinny_lm_head`). Sampling and encoder-decoder models go through
``model.generate`` (with the prefix cache where possible), and so does
everything if the loop fails for a model.

Measured (Gemma 3 270M, float32, 2 CPU cores, the 72 gold questions, 20 new
tokens, newline stop): ``model.generate`` one prompt at a time 174 s; plain
batches of 8 117 s; shared prefix + batches of 8 22 s (7.9x), greedy outputs
identical on all 72.

Nothing heavy is imported at module import; the model loads on the first
:meth:`HFRunner.generate` call (a fully cached run never loads it).

Example:
    >>> runner = HFRunner(name="gemma", model="embedded:gemma3-270m")
    >>> runner.loaded
    False
"""

from __future__ import annotations

import importlib
import sys
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.models import DEFAULT_MODEL, ResolvedModel, identify_model, resolve_model
from harness.runners.base import (
    DEFAULT_REASONING_TAGS,
    RUNNERS,
    ReasoningTags,
    answer_start,
    parse_reasoning_tags,
    process_output,
    split_reasoning,
    stable_hash,
)
from harness.types import Generation, GenerationParams, Request

#: Bump when a change in this file can change outputs: it is part of the fingerprint.
RUNNER_VERSION = 2
#: A shared prefix shorter than this (in tokens) is not worth a separate forward pass.
MIN_SHARED_PREFIX = 8
#: How many prefix KV caches to keep between ``generate`` calls.
PREFIX_MEMO_SIZE = 2
#: Requests :meth:`HFRunner.stream` takes at once to group by context and pack into batches.
STREAM_REQUESTS = 2048

DEVICES = ("cpu", "cuda", "mps", "auto")
DTYPES = ("auto", "float32", "bfloat16", "float16")

# Loaded (model, tokenizer) pairs shared by runner instances in one process.
_LOADED: dict[tuple[Any, ...], tuple[Any, Any]] = {}
_ALIVE: weakref.WeakSet[Any] = weakref.WeakSet()


def _live_runners() -> list[Any]:
    return list(_ALIVE)


@dataclass
class _Prefix:
    """The keys and values of a shared token prefix, per layer, batch size 1."""

    ids: tuple[int, ...]
    layers: list[tuple[Any, Any]]
    seconds: float


@dataclass
class _Outcome:
    """One row of a batch: generated ids (or an error) and its share of the time."""

    ids: list[int] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    finished: bool = True  # False: max_new_tokens reached before EOS or a stop string


@dataclass
class RunnerStats:
    """Counters for tests and benchmarks: which code paths ran."""

    prefix_batches: int = 0
    plain_batches: int = 0
    prefix_computed: int = 0
    prefix_reused: int = 0
    prefix_tokens_saved: int = 0
    prefix_seconds: float = 0.0
    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0
    decode_steps: int = 0
    decode_rows: int = 0
    largest_batch: int = 0  # rows of the largest batch decoded
    fallbacks: list[str] = field(default_factory=list)


def _parse_chat_template(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"auto", "true", "false"}:
        return "auto" if value.lower() == "auto" else value.lower() == "true"
    raise ValueError(f"chat_template must be 'auto', true or false, got {value!r}")


def _common_prefix_len(seqs: Sequence[Sequence[int]]) -> int:
    """Length of the longest common prefix of token id sequences.

    >>> _common_prefix_len([[1, 2, 3, 4], [1, 2, 5], [1, 2, 3]])
    2
    """
    if not seqs:
        return 0
    first = seqs[0]
    n = min(len(s) for s in seqs)
    for s in seqs[1:]:
        i = 0
        while i < n and s[i] == first[i]:
            i += 1
        n = i
    return n


@RUNNERS.register("hf")
class HFRunner:
    """Generate with a local transformers model (causal or encoder-decoder).

    Args:
        name: the label in reports.
        model: a model spec (see :mod:`harness.models`): ``embedded:gemma3-270m``
            (default), ``embedded:smollm2-135m-instruct``, a folder, a ``.gguf``
            file or a hub id.
        gguf_file: with a folder ``model``, the GGUF file inside it.
        device: ``cpu``, ``cuda`` (or ``cuda:N``), ``mps`` or ``auto`` (the
            first of cuda, mps, cpu that is available).
        dtype: ``float32`` (default: exact on CPU), ``bfloat16``, ``float16``
            or ``auto`` (the checkpoint's own).
        trust_remote_code: run code shipped with the model; only ``True``
            enables it.
        batch_size: requests decoded together (at most).
        max_batch_tokens: the memory budget of a batch in tokens: ``rows x (longest
            prompt + max_new_tokens)``, the size of its key/value cache (None: only
            ``batch_size`` limits a batch). Batches fill up to both limits with the
            questions of one document, then of the next (each row with its own
            document's prefix), so a large ``batch_size`` with a budget keeps memory
            bounded on long prompts and batches stay full on short ones.
        chat_template: ``auto`` uses the tokenizer's chat template when it has
            one (instruct models) and the plain completion prompt otherwise;
            ``true``/``false`` force it.
        prefix_cache: compute a shared prompt prefix once (see the module doc).
        seed: base seed for sampled generation (``temperature`` > 0).
        max_input_tokens: prompts longer than this fail (per sample) instead of running.
        convert_gguf: convert a ``.gguf`` model once into a fast-loading folder
            in the model cache instead of de-quantising it at every load.
        cache_dir: where converted models live (default ``$HARNESS_CACHE/models``).
        reasoning_tags: ``[[open, close], ...]`` reasoning blocks (default
            ``<think>…</think>``): a stop string inside an open block does
            not end the output, and the blocks are removed before scoring.

    A generation records ``finish_reason``: ``stop`` (EOS or a stop string) or
    ``length`` (``max_new_tokens`` reached).
    """

    def __init__(
        self,
        name: str,
        model: str = DEFAULT_MODEL,
        gguf_file: str | None = None,
        device: str = "cpu",
        dtype: str = "float32",
        trust_remote_code: bool = False,
        batch_size: int = 8,
        max_batch_tokens: int | None = None,
        chat_template: bool | str = "auto",
        prefix_cache: bool = True,
        seed: int = 0,
        max_input_tokens: int | None = None,
        convert_gguf: bool = False,
        cache_dir: str | None = None,
        reasoning_tags: Sequence[Sequence[str]] | None = None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise ValueError(f"model must be a non-empty string, got {model!r}")
        if device not in DEVICES and not device.startswith("cuda:"):
            raise ValueError(
                f"device must be one of {', '.join(DEVICES)} or cuda:N, got {device!r}"
            )
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        if not isinstance(trust_remote_code, bool):
            raise ValueError(f"trust_remote_code must be true or false, got {trust_remote_code!r}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if max_batch_tokens is not None and (
            not isinstance(max_batch_tokens, int)
            or isinstance(max_batch_tokens, bool)
            or max_batch_tokens < 1
        ):
            raise ValueError(
                f"max_batch_tokens must be a positive integer or null, got {max_batch_tokens!r}"
            )
        if max_input_tokens is not None and (
            not isinstance(max_input_tokens, int) or max_input_tokens < 1
        ):
            raise ValueError(
                f"max_input_tokens must be a positive integer, got {max_input_tokens!r}"
            )
        self.name = name
        self.model = model
        self.gguf_file = gguf_file
        self.device = device
        self.dtype = dtype
        self.trust_remote_code = trust_remote_code is True
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.chat_template = _parse_chat_template(chat_template)
        self.prefix_cache = bool(prefix_cache)
        self.seed = int(seed)
        self.max_input_tokens = max_input_tokens
        self.convert_gguf = bool(convert_gguf)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        self.reasoning_tags: ReasoningTags = parse_reasoning_tags(reasoning_tags)
        self.stats = RunnerStats()
        self.load_seconds = 0.0
        self._identity: str | None = None
        self._resolved: ResolvedModel | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._chat = False
        self._torch_device: Any = None
        self._prefixes: list[_Prefix] = []
        self._prefix_unsupported: str | None = None
        self._loop_unsupported: str | None = None
        _ALIVE.add(self)

    # ------------------------------------------------------------------ identity

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (it loads on the first ``generate``)."""
        return self._model is not None

    def fingerprint(self) -> str:
        """Identifies the outputs: weights, dtype, prompt mode, seed, runner version.

        Computed without loading the model (a cached run must not load it). The
        device, batch size and prefix cache are left out: they do not change
        greedy outputs.
        """
        if self._identity is None:
            self._identity = identify_model(self.model, self.gguf_file, self.cache_dir)
        parts: list[Any] = [
            "hf",
            RUNNER_VERSION,
            self._identity,
            self.dtype,
            self.chat_template,
            self.trust_remote_code,
            self.seed,
        ]
        if self.reasoning_tags != DEFAULT_REASONING_TAGS:  # where stop strings may end a row
            parts.append([list(t) for t in self.reasoning_tags])
        return stable_hash(*parts)

    # ------------------------------------------------------------------ loading

    def _pick_device(self, torch: Any) -> str:
        if self.device != "auto":
            return self.device
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"

    def load(self) -> None:
        """Load the model and tokenizer now (``generate`` does it when needed)."""
        if self._model is not None:
            return
        import torch
        from transformers import (
            AutoConfig,
            AutoModelForCausalLM,
            AutoModelForSeq2SeqLM,
            AutoTokenizer,
        )

        resolved = resolve_model(
            self.model,
            cache_dir=self.cache_dir,
            progress=True,
            gguf_file=self.gguf_file,
            convert=self.convert_gguf,
        )
        device = self._pick_device(torch)
        key = (str(resolved.path), resolved.gguf_file, self.dtype, device, self.trust_remote_code)
        if key in _LOADED:
            model, tokenizer = _LOADED[key]
        else:
            kwargs: dict[str, Any] = {"trust_remote_code": self.trust_remote_code}
            if resolved.gguf_file:
                kwargs["gguf_file"] = resolved.gguf_file
            path = str(resolved.path)
            started = time.perf_counter()
            slow = " (GGUF: de-quantising, slow; convert_gguf: true loads faster)" if (
                resolved.gguf_file
            ) else ""
            print(f"harness: loading {resolved.name} on {device} ({self.dtype}){slow}",
                  file=sys.stderr, flush=True)
            hf_logging: Any = importlib.import_module("transformers.utils.logging")
            bars = hf_logging.is_progress_bar_enabled()
            if not sys.stderr.isatty():
                hf_logging.disable_progress_bar()  # no carriage-return bars in log files
            try:
                config = AutoConfig.from_pretrained(path, **kwargs)
                tokenizer = AutoTokenizer.from_pretrained(path, **kwargs)
                cls: Any = (
                    AutoModelForSeq2SeqLM if config.is_encoder_decoder else AutoModelForCausalLM
                )
                torch_dtype: Any = "auto" if self.dtype == "auto" else getattr(torch, self.dtype)
                model = cls.from_pretrained(path, dtype=torch_dtype, **kwargs)
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
            model.to(device)
            model.eval()
            _LOADED[key] = (model, tokenizer)
            self.load_seconds = time.perf_counter() - started
        has_template = bool(getattr(tokenizer, "chat_template", None))
        if self.chat_template is True and not has_template:
            raise ValueError(
                f"runner {self.name!r}: chat_template is true but {resolved.name} has no chat "
                "template (use chat_template: auto or false)"
            )
        self._chat = has_template if self.chat_template == "auto" else bool(self.chat_template)
        self._resolved = resolved
        self._tokenizer = tokenizer
        self._torch_device = torch.device(device)
        self._model = model

    def close(self) -> None:
        """Drop this runner's hold on the model (shared ones stay loaded for other runners)."""
        model = self._model
        self._model = self._tokenizer = None
        self._prefixes.clear()
        if model is not None and not any(
            r is not self and getattr(r, "_model", None) is model for r in _live_runners()
        ):
            for key in [k for k, (m, _) in _LOADED.items() if m is model]:
                del _LOADED[key]

    @property
    def uses_chat_template(self) -> bool:
        """Whether prompts go through the chat template (loads the model)."""
        self.load()
        return self._chat

    # ------------------------------------------------------------------ prompts

    def render_prompt(self, request: Request) -> str:
        """The exact text the model sees for ``request`` (plain or chat form)."""
        self.load()
        if not self._chat:
            return request.context + request.prompt
        messages = [dict(m) for m in request.messages] or [
            {"role": "user", "content": (request.context + request.prompt).strip()}
        ]
        text = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return str(text)

    def _encode(self, request: Request) -> list[int]:
        text = self.render_prompt(request)
        # A chat template writes its own special tokens (BOS); a plain prompt gets the defaults.
        encoded = self._tokenizer(text, add_special_tokens=not self._chat)
        return list(encoded["input_ids"])

    def _context_limit(self) -> int | None:
        config = self._model.config
        text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
        for attr in ("max_position_embeddings", "n_positions", "max_sequence_length"):
            value = getattr(text_config, attr, None)
            if isinstance(value, int) and value > 0:
                return value
        return None

    def _check_length(self, ids: list[int], params: GenerationParams) -> str | None:
        if not ids:
            return "empty prompt"
        if self.max_input_tokens is not None and len(ids) > self.max_input_tokens:
            return f"prompt too long: {len(ids)} tokens > max_input_tokens={self.max_input_tokens}"
        limit = self._context_limit()
        if limit is None:
            return None
        needed = len(ids) if self._is_seq2seq else len(ids) + params.max_new_tokens
        if needed > limit:
            what = "prompt" if self._is_seq2seq else "prompt + max_new_tokens"
            return f"prompt too long: {what} = {needed} tokens > the model's limit of {limit}"
        return None

    @property
    def _is_seq2seq(self) -> bool:
        return bool(self._model.config.is_encoder_decoder)

    # ------------------------------------------------------------------ generation

    @property
    def window(self) -> int:
        """Requests the pipeline hands over at once (:meth:`stream` batches them itself)."""
        return STREAM_REQUESTS

    def stream(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        """Answer every request, yielding each batch's answers as soon as the batch is done.

        Requests are taken :data:`STREAM_REQUESTS` at a time, grouped by shared
        context (over all of them, not only neighbours) and decoded in batches
        of at most ``batch_size`` rows and ``max_batch_tokens`` tokens. Each
        group is ``(position in requests, generation)`` pairs.
        """
        for start in range(0, len(requests), STREAM_REQUESTS):
            chunk = requests[start : start + STREAM_REQUESTS]
            for group in self._answer(chunk):
                yield [(start + i, g) for i, g in group]

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        """Answer every request, in order; a sample that fails gets ``error`` set."""
        results: list[Generation | None] = [None] * len(requests)
        for group in self._answer(requests):
            for i, g in group:
                results[i] = g
        return [r for r in results if r is not None]

    def _answer(self, requests: Sequence[Request]) -> Iterator[list[tuple[int, Generation]]]:
        """The batches of ``requests``, run one by one: ``(index, generation)`` per batch."""
        if not requests:
            return
        self.load()
        encoded: dict[int, list[int]] = {}
        failed: list[tuple[int, Generation]] = []
        for i, request in enumerate(requests):
            try:
                ids = self._encode(request)
            except Exception as exc:  # e.g. a chat template that rejects the messages
                failed.append((i, self._failed(request, f"could not build the prompt: {exc}")))
                continue
            problem = self._check_length(ids, request.params)
            if problem is not None:
                failed.append((i, self._failed(request, problem, prompt_tokens=len(ids))))
                continue
            encoded[i] = ids
        if failed:
            yield failed
        # Requests that share a context share a prefix; inside, equal params decode together.
        by_context: dict[str, list[int]] = {}
        for i in encoded:
            by_context.setdefault(requests[i].context, []).append(i)
        groups = list(by_context.values())
        shared = [self._may_share([encoded[i] for i in members]) for members in groups]
        by_params: dict[GenerationParams, list[tuple[int, int]]] = {}  # (group, request)
        for g, members in enumerate(groups):
            # longest first: similar lengths batch together, memory peaks early
            for i in sorted(members, key=lambda i: -len(encoded[i])):
                by_params.setdefault(requests[i].params, []).append((g, i))
        left = [len(members) for members in groups]  # rows of each group not yet decoded
        prefixes: dict[int, _Prefix | None] = {}  # computed when a batch first needs them
        for params, rows in by_params.items():
            for batch in self._pack(rows, params, encoded, shared):
                for g, _ in batch:
                    if g not in prefixes:
                        members = groups[g]
                        prefixes[g] = (
                            self._shared_prefix([encoded[i] for i in members])
                            if shared[g]
                            else None
                        )
                row_prefixes = [prefixes[g] for g, _ in batch]
                if any(p is None for p in row_prefixes):
                    row_prefixes = [None] * len(batch)  # plain rows never mix with prefixed
                outcomes = self._run_safe([encoded[i] for _, i in batch], params, row_prefixes)
                done: list[tuple[int, Generation]] = []
                for (g, i), outcome in zip(batch, outcomes, strict=True):
                    prefix = prefixes[g]
                    share = prefix.seconds / len(groups[g]) if prefix is not None else 0.0
                    done.append(
                        (i, self._finish(requests[i], encoded[i], outcome, outcome.seconds + share))
                    )
                    left[g] -= 1
                    if not left[g]:
                        prefixes.pop(g, None)  # its KV cache lives on in the memo at most
                yield done

    def _may_share(self, seqs: list[list[int]]) -> bool:
        """Whether :meth:`_shared_prefix` may give these sequences a prefix (no model call)."""
        if not self.prefix_cache or self._is_seq2seq or self._prefix_unsupported:
            return False
        if len(seqs) < 2 and not self._prefixes:
            return False
        return _common_prefix_len(seqs) >= MIN_SHARED_PREFIX

    def _pack(
        self,
        rows: list[tuple[int, int]],
        params: GenerationParams,
        encoded: Mapping[int, list[int]],
        shared: Sequence[bool],
    ) -> Iterator[list[tuple[int, int]]]:
        """Batches of ``(group, request)`` rows: at most ``batch_size`` rows and, with
        ``max_batch_tokens``, ``rows x (longest prompt + max_new_tokens)`` tokens at most.

        Rows come group by group; a group's last rows share their batch with the next
        group's first (each row with its own prefix), so a document with few questions
        does not leave the batch half empty. Rows with and without a shared prefix are
        never in one batch.
        """
        batch: list[tuple[int, int]] = []
        width = 0
        for g, i in rows:
            n = len(encoded[i])
            if batch:
                same_kind = shared[batch[0][0]] == shared[g]
                tokens = (len(batch) + 1) * (max(width, n) + params.max_new_tokens)
                fits = len(batch) < self.batch_size and (
                    self.max_batch_tokens is None or tokens <= self.max_batch_tokens
                )
                if not (same_kind and fits):
                    yield batch
                    batch, width = [], 0
            batch.append((g, i))
            width = max(width, n)
        if batch:
            yield batch

    def _failed(self, request: Request, error: str, prompt_tokens: int | None = None) -> Generation:
        return Generation(
            sample_id=request.sample_id,
            runner=self.name,
            text="",
            error=error,
            prompt_tokens=prompt_tokens,
        )

    def _finish(
        self, request: Request, ids: list[int], outcome: _Outcome, seconds: float
    ) -> Generation:
        if outcome.error is not None:
            return self._failed(request, outcome.error, prompt_tokens=len(ids))
        raw = self._tokenizer.decode(outcome.ids, skip_special_tokens=True)
        return Generation(
            sample_id=request.sample_id,
            runner=self.name,
            text=process_output(raw, request, self.reasoning_tags).text,
            raw=raw,
            seconds=round(seconds, 6),
            prompt_tokens=len(ids),
            completion_tokens=len(outcome.ids),
            finish_reason="stop" if outcome.finished else "length",
        )

    def _run_safe(
        self, batch: list[list[int]], params: GenerationParams, prefixes: Sequence[_Prefix | None]
    ) -> list[_Outcome]:
        """Run a batch; on failure retry without the prefixes, then sample by sample."""
        try:
            return self._run_batch(batch, params, prefixes)
        except Exception as exc:
            if any(p is not None for p in prefixes):
                self.stats.fallbacks.append(f"prefix batch failed: {type(exc).__name__}: {exc}")
                return self._run_safe(batch, params, [None] * len(batch))
            if len(batch) > 1:
                return [out for ids in batch for out in self._run_safe([ids], params, [None])]
            return [_Outcome(error=f"{type(exc).__name__}: {exc}")]

    def _cache_kwarg(self) -> str:
        import inspect

        names = inspect.signature(self._model.forward).parameters
        return "cache" if "cache" in names else "past_key_values"

    def _shared_prefix(self, seqs: list[list[int]]) -> _Prefix | None:
        """The KV cache of the longest common token prefix, computed once (or reused)."""
        if not self.prefix_cache or self._is_seq2seq or self._prefix_unsupported:
            return None
        if len(seqs) < 2 and not self._prefixes:
            return None
        common = _common_prefix_len(seqs)
        if common < MIN_SHARED_PREFIX:
            return None
        wanted = tuple(seqs[0][:common])
        for memo in self._prefixes:
            n = len(memo.ids)
            if n < MIN_SHARED_PREFIX or n > common or wanted[:n] != memo.ids:
                continue
            # a much shorter memo is not worth it when a fresh prefix can be computed
            if len(seqs) > 1 and n < common - 2 * MIN_SHARED_PREFIX:
                continue
            self.stats.prefix_reused += 1
            self._prefixes.remove(memo)
            self._prefixes.insert(0, memo)
            return _Prefix(memo.ids, memo.layers, 0.0)
        if len(seqs) < 2:
            return None
        try:
            prefix = self._compute_prefix(wanted)
        except Exception as exc:
            self._prefix_unsupported = f"{type(exc).__name__}: {exc}"
            self.stats.fallbacks.append(f"no prefix cache: {self._prefix_unsupported}")
            print(
                f"harness: runner {self.name!r}: shared-prefix cache unavailable for this model "
                f"({self._prefix_unsupported}); using plain batching",
                file=sys.stderr,
            )
            return None
        self.stats.prefix_computed += 1
        self.stats.prefix_seconds += prefix.seconds
        self._prefixes.insert(0, prefix)
        del self._prefixes[PREFIX_MEMO_SIZE:]
        return prefix

    def _compute_prefix(self, ids: tuple[int, ...]) -> _Prefix:
        import inspect

        import torch
        from transformers import DynamicCache
        from transformers.cache_utils import DynamicLayer

        started = time.perf_counter()
        model = self._model
        cache = DynamicCache()  # full layers: sliding-window layers keep every position here
        kwargs: dict[str, Any] = {self._cache_kwarg(): cache, "use_cache": True}
        if "logits_to_keep" in inspect.signature(model.forward).parameters:
            kwargs["logits_to_keep"] = 1  # only the keys and values are wanted
        input_ids = torch.tensor([list(ids)], device=self._torch_device)
        with torch.inference_mode():
            out = model(input_ids=input_ids, **kwargs)
        returned = getattr(out, "cache", None) or getattr(out, "past_key_values", None) or cache
        if not isinstance(returned, DynamicCache):
            raise TypeError(f"the model returned a {type(returned).__name__}, not a DynamicCache")
        layers: list[tuple[Any, Any]] = []
        for layer in returned.layers:
            if type(layer) is not DynamicLayer:  # subclasses may carry more state
                raise TypeError(
                    f"cache layer {type(layer).__name__} is not a plain key/value layer"
                )
            keys, values = layer.keys, layer.values
            if keys is None or keys.dim() != 4 or keys.shape[-2] != len(ids):
                raise TypeError("cache layer does not hold one key/value per prefix token")
            layers.append((keys, values))
        if not layers:
            raise TypeError("the model returned an empty cache")
        return _Prefix(ids, layers, time.perf_counter() - started)

    def _batch_cache(self, prefixes: Sequence[_Prefix], offsets: list[int], length: int) -> Any:
        """A cache for a left-padded batch whose first ``length`` columns are prefixes.

        Row ``i`` has ``offsets[i]`` pad columns in front, so its cache holds the
        pad columns (zeros, masked out) and then the first ``length - offsets[i]``
        positions of its own prefix (rows of other documents have other prefixes),
        exactly where an unbatched prefill would have put them.
        """
        from transformers import DynamicCache

        rows = len(offsets)
        data: list[tuple[Any, Any]] = []
        for layer, (keys, values) in enumerate(prefixes[0].layers):
            shape = (rows, keys.shape[1], length, keys.shape[3])
            k = keys.new_zeros(shape)
            v = values.new_zeros((rows, values.shape[1], length, values.shape[3]))
            for row, pad in enumerate(offsets):
                n = length - pad
                if n > 0:
                    row_keys, row_values = prefixes[row].layers[layer]
                    k[row, :, pad:] = row_keys[0, :, :n]
                    v[row, :, pad:] = row_values[0, :, :n]
            data.append((k, v))
        # with the config, sliding-window layers become sliding again (as in a normal run)
        return DynamicCache(ddp_cache_data=data, config=self._model.config)

    def _generation_config(self, params: GenerationParams, pad_id: int) -> Any:
        import transformers

        base = self._model.generation_config
        settings: dict[str, Any] = {
            "max_new_tokens": params.max_new_tokens,
            "num_beams": 1,
            "pad_token_id": pad_id,
            "eos_token_id": base.eos_token_id,
            "bos_token_id": base.bos_token_id,
            "decoder_start_token_id": base.decoder_start_token_id,
        }
        if params.temperature > 0:
            settings.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
            settings["top_k"] = 0  # only temperature and top_p shape the distribution
        else:
            settings["do_sample"] = False
        config_class: Any = transformers.GenerationConfig
        return config_class(**settings)

    def _eos_ids(self) -> set[int]:
        found: set[int] = set()
        for source in (self._model.generation_config.eos_token_id, self._tokenizer.eos_token_id):
            if isinstance(source, int):
                found.add(source)
            elif isinstance(source, Iterable):
                found.update(int(x) for x in source)
        return found

    def _pad_id(self) -> int:
        for candidate in (
            self._tokenizer.pad_token_id,
            self._model.generation_config.pad_token_id,
            self._tokenizer.eos_token_id,
        ):
            if isinstance(candidate, int):
                return candidate
        eos = sorted(self._eos_ids())
        return eos[0] if eos else 0

    def _run_batch(
        self, batch: list[list[int]], params: GenerationParams, prefixes: Sequence[_Prefix | None]
    ) -> list[_Outcome]:
        """Decode one batch: greedy decoder-only runs our loop, the rest ``model.generate``."""
        if params.max_new_tokens < 1:
            return [_Outcome(finished=False) for _ in batch]
        started = time.perf_counter()
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        ends = self._row_ends(params, len(batch))
        used_prefix: int | None = None
        loop_error: str | None = None
        if not self._is_seq2seq and params.temperature <= 0 and not self._loop_unsupported:
            try:
                used_prefix = self._greedy(batch, params, prefixes, ends)
            except Exception as exc:
                loop_error = f"{type(exc).__name__}: {exc}"
                self.stats.fallbacks.append(f"greedy loop failed: {loop_error}")
                ends = self._row_ends(params, len(batch))
        if used_prefix is None:
            used_prefix = self._hf_generate(batch, params, prefixes, ends)
            if loop_error is not None:
                # generate() managed where the loop failed (e.g. a model whose forward
                # wants other inputs): use generate() for this model from now on
                self._loop_unsupported = loop_error
        if used_prefix:
            self.stats.prefix_batches += 1
            self.stats.prefix_tokens_saved += len(batch) * used_prefix
        else:
            self.stats.plain_batches += 1
        seconds = (time.perf_counter() - started) / len(batch)
        return [
            _Outcome(ids=tokens, seconds=seconds, finished=done)
            for tokens, done in zip(ends.tokens, ends.done, strict=True)
        ]

    def _row_ends(self, params: GenerationParams, rows: int) -> _RowEnds:
        return _RowEnds(
            self._tokenizer, params.stop, self._eos_ids(), rows, self.reasoning_tags
        )

    def _padded(self, batch: list[list[int]]) -> tuple[Any, Any]:
        """Input ids and attention mask; decoder-only prompts pad on the left."""
        import torch

        rows, width = len(batch), max(len(ids) for ids in batch)
        input_ids = torch.full((rows, width), self._pad_id(), dtype=torch.long)
        mask = torch.zeros((rows, width), dtype=torch.long)
        for row, ids in enumerate(batch):
            cols = slice(0, len(ids)) if self._is_seq2seq else slice(width - len(ids), width)
            input_ids[row, cols] = torch.tensor(ids, dtype=torch.long)
            mask[row, cols] = 1
        return input_ids, mask

    def _prefix_cache_for(
        self, batch: list[list[int]], prefixes: Sequence[_Prefix | None]
    ) -> tuple[Any, int]:
        """The pre-filled cache for a left-padded batch, and how many columns it covers.

        Every row needs its prefix; the covered columns end where the row with the
        longest part after its prefix begins it (the rest is fed as usual).
        """
        known = [p for p in prefixes if p is not None]
        if not known or len(known) < len(batch):
            return None, 0
        width = max(len(ids) for ids in batch)
        offsets = [width - len(ids) for ids in batch]
        length = min(width - 1, *(pad + len(p.ids) for pad, p in zip(offsets, known, strict=True)))
        if length < 1:
            return None, 0
        return self._batch_cache(known, offsets, length), length

    def _greedy(
        self, batch: list[list[int]], params: GenerationParams,
        prefixes: Sequence[_Prefix | None], ends: _RowEnds,
    ) -> int:
        """Greedy decoding that drops finished rows from the batch as it goes.

        Each step is what ``model.generate`` does for greedy search (argmax of
        the last position's logits in float32), but rows that hit EOS or a stop
        string leave the batch, so a long answer does not keep seven finished
        ones computing. Returns the number of prefix columns reused.
        """
        import inspect

        import torch

        model = self._model
        device = self._torch_device
        input_ids, mask = self._padded(batch)
        cache, length = self._prefix_cache_for(batch, prefixes)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        # like generate: no mask at all when nothing is padded (same attention kernels)
        padded = bool((mask == 0).any())
        attn = mask.to(device) if padded else None
        cache_kw = self._cache_kwarg()
        keep_kw = (
            {"logits_to_keep": 1}
            if "logits_to_keep" in inspect.signature(model.forward).parameters
            else {}
        )
        feed = input_ids[:, length:].to(device)
        feed_pos = positions[:, length:].to(device)
        last_pos = feed_pos[:, -1:]
        active = list(range(len(batch)))
        stats = self.stats
        with torch.inference_mode(), _tall_skinny_lm_head(model):
            t0 = time.perf_counter()
            # without a prefix the model makes the cache it would make in generate()
            out = model(input_ids=feed, attention_mask=attn, position_ids=feed_pos,
                        use_cache=True, **{cache_kw: cache}, **keep_kw)
            cache = getattr(out, "cache", None) or getattr(out, "past_key_values", None)
            if cache is None:
                raise TypeError("the model returned no cache")
            t1 = time.perf_counter()
            stats.prefill_seconds += t1 - t0
            for step in range(params.max_new_tokens):
                logits = out.logits[:, -1, :].to(dtype=torch.float32)
                next_tokens = torch.argmax(logits, dim=-1)
                still = [j for j, row in enumerate(active)
                         if not ends.add(row, int(next_tokens[j]))]
                if not still or step == params.max_new_tokens - 1:
                    break
                if len(still) < len(active):
                    index = torch.tensor(still, device=device)
                    cache.batch_select_indices(index)
                    next_tokens = next_tokens[index]
                    last_pos = last_pos[index]
                    attn = attn[index] if attn is not None else None
                    active = [active[j] for j in still]
                last_pos = last_pos + 1
                if attn is not None:
                    attn = torch.cat([attn, attn.new_ones((len(active), 1))], dim=1)
                out = model(input_ids=next_tokens[:, None], attention_mask=attn,
                            position_ids=last_pos, use_cache=True, **{cache_kw: cache})
                stats.decode_steps += 1
                stats.decode_rows += len(active)
            stats.decode_seconds += time.perf_counter() - t1
        return length

    def _hf_generate(
        self, batch: list[list[int]], params: GenerationParams,
        prefixes: Sequence[_Prefix | None], ends: _RowEnds,
    ) -> int:
        """``model.generate`` (sampling, encoder-decoder), on the prefix cache when given."""
        import torch
        from transformers import StoppingCriteriaList

        input_ids, mask = self._padded(batch)
        kwargs: dict[str, Any] = {}
        length = 0
        if not self._is_seq2seq:
            cache, length = self._prefix_cache_for(batch, prefixes)
            if cache is not None:
                kwargs[self._cache_kwarg()] = cache
        start = 1 if self._is_seq2seq else input_ids.shape[1]  # after the decoder start token
        if params.temperature > 0:
            torch.manual_seed(int(stable_hash("seed", self.seed, params.seed), 16) % (2**63))
        with torch.inference_mode():
            out = self._model.generate(
                input_ids=input_ids.to(self._torch_device),
                attention_mask=mask.to(self._torch_device),
                generation_config=self._generation_config(params, self._pad_id()),
                stopping_criteria=StoppingCriteriaList([_stopping_criteria(ends, start)]),
                **kwargs,
            )
        # rows the criteria saw finish are already recorded; the rest ran to max_new_tokens
        for row, tokens in enumerate(out[:, start:].tolist()):
            if not ends.done[row]:
                ends.tokens[row] = tokens
        return length


#: Row counts for which the output layer is computed as ``W @ x.T`` (see below).
_TALL_SKINNY_ROWS = range(2, 33)


@contextmanager
def _tall_skinny_lm_head(model: Any) -> Iterator[None]:
    """On CPU, compute the output layer of a small batch as ``(W @ x.T).T``.

    The output layer (vocabulary x hidden, 262k x 640 for Gemma 3) dominates a
    decoding step. For a few rows, ``F.linear`` (``x @ W.T``) runs MKL's
    general GEMM, which on the 2-core test machine is 2-6x slower than the
    same product written as ``W @ x.T`` (a tall-skinny GEMM): 110 ms vs 49 ms
    for 8 rows, 137 ms vs 22 ms for 2, while one row (matrix-vector) is 55 ms
    either way. Same sums in a different order: the results agree to float32
    rounding, the class of difference batching itself introduces. One row
    keeps ``F.linear``, so unbatched runs are bit-for-bit ``model.generate``.
    Only a plain ``nn.Linear`` on CPU is touched, and only inside this block.
    """
    import torch

    head: Any = (
        model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    )
    if type(head) is not torch.nn.Linear or head.weight.device.type != "cpu":
        yield
        return
    weight, bias = head.weight, head.bias

    def forward(x: Any) -> Any:
        flat = x.reshape(-1, x.shape[-1])
        if flat.shape[0] not in _TALL_SKINNY_ROWS or x.dtype != weight.dtype:
            return torch.nn.functional.linear(x, weight, bias)
        out = torch.mm(weight, flat.t()).t()
        if bias is not None:
            out = out + bias
        return out.reshape(*x.shape[:-1], weight.shape[0])

    setattr(head, "forward", forward)  # noqa: B010 - an instance attribute, undone below
    try:
        yield
    finally:
        delattr(head, "forward")  # back to nn.Linear.forward


class _RowEnds:
    """Per-row generated tokens and where each row ends: EOS or a stop string in its text.

    Rows are independent, so a row ends at the same token in a batch as alone.
    Stop strings count in the answer only: after the reasoning blocks
    (``reasoning_tags``), never inside one that is still open.
    """

    def __init__(
        self,
        tokenizer: Any,
        stops: Sequence[str],
        eos_ids: set[int],
        rows: int,
        reasoning_tags: ReasoningTags = DEFAULT_REASONING_TAGS,
    ):
        self.tokenizer = tokenizer
        self.stops = [s for s in stops if s]
        self.eos_ids = eos_ids
        self.reasoning_tags = reasoning_tags
        self.tokens: list[list[int]] = [[] for _ in range(rows)]
        self.done = [False] * rows

    def add(self, row: int, token: int) -> bool:
        """Append ``token`` to ``row``; True when the row is finished."""
        self.tokens[row].append(token)
        if token in self.eos_ids:
            self.done[row] = True
        elif self.stops:
            text = self.tokenizer.decode(self.tokens[row], skip_special_tokens=True)
            if self.reasoning_tags:
                split = split_reasoning(text, self.reasoning_tags)
                if split.unfinished:
                    return False  # a stop string inside the reasoning is no stop
                text = split.answer
            answer = text[answer_start(text) :]  # a leading newline is no stop
            self.done[row] = any(s in answer for s in self.stops)
        return self.done[row]


def _stopping_criteria(ends: _RowEnds, start: int) -> Any:
    """Wrap :class:`_RowEnds` as a transformers ``StoppingCriteria`` for ``generate``."""
    import torch
    from transformers import StoppingCriteria

    class _Ends(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            for row in range(input_ids.shape[0]):
                if not ends.done[row] and input_ids.shape[1] > start:
                    ends.add(row, int(input_ids[row, -1]))
            return torch.tensor(ends.done, dtype=torch.bool, device=input_ids.device)

    return _Ends()


__all__ = ["DEVICES", "DTYPES", "HFRunner", "RUNNER_VERSION", "RunnerStats"]
