"""Run configuration: pydantic models for ``configs/*.yaml`` (unknown keys are errors).

Relative paths in a config file are relative to the file's own folder.

Example:
    >>> cfg = RunConfig.model_validate({"runners": [{"name": "oracle", "type": "oracle"}]})
    >>> cfg.metrics.qa
    ['answer_equivalence', 'qa_de', 'squad_v2']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class ConfigError(ValueError):
    """A config file is malformed; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerationSpec(_Strict):
    """Overrides of the prompt template's generation settings."""

    max_new_tokens: int | None = Field(default=None, ge=1, le=32768)
    stop: list[str] | None = None
    temperature: float = Field(default=0.0, ge=0)
    top_p: float = Field(default=1.0, gt=0, le=1)
    seed: int = 0


class PriceSpec(_Strict):
    """What a runner's tokens cost, per million: the manifest then holds an estimated cost."""

    prompt: float = Field(ge=0, description="price of a million prompt (input) tokens")
    completion: float = Field(ge=0, description="price of a million completion (output) tokens")
    currency: str = Field(default="USD", min_length=1, max_length=16)


class RunnerSpec(_Strict):
    name: str = Field(pattern=NAME_PATTERN, description="label in reports, unique per run")
    type: str = Field(min_length=1, description="registered runner type")
    options: dict[str, Any] = {}
    generation: GenerationSpec = GenerationSpec()
    few_shot: int = Field(default=0, ge=0, le=16)
    system: str = ""
    tasks: list[Literal["qa", "summary"]] | None = None
    epochs: int = Field(
        default=1, ge=1, le=100, description="generations per sample, seeds seed, seed+1, ..."
    )
    epoch_reducer: Literal["mean", "majority", "at_least_one"] = "mean"
    price: PriceSpec | None = None

    @field_validator("options")
    @classmethod
    def _trust_remote_code_is_bool(cls, v: dict[str, Any]) -> dict[str, Any]:
        # Running a model repository's own code is opt-in, per runner, and only by a real true.
        if not isinstance(v.get("trust_remote_code", False), bool):
            raise ValueError(
                f"trust_remote_code must be true or false, got {v['trust_remote_code']!r}"
            )
        return v


class MetricSpec(_Strict):
    name: str
    options: dict[str, Any] = {}


MetricEntry = str | MetricSpec


class MetricsSpec(_Strict):
    qa: list[MetricEntry] = ["answer_equivalence", "qa_de", "squad_v2"]
    summary: list[MetricEntry] = ["rouge", "chrf"]


class BootstrapSpec(_Strict):
    resamples: int = Field(default=1000, ge=0, le=100000)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    seed: int = 0


class CacheSpec(_Strict):
    enabled: bool = True
    path: str | None = None  # default: $HARNESS_CACHE/generations.sqlite


class ReportSpec(_Strict):
    worst: int = Field(default=5, ge=0, le=1000)


class DatasetColumns(_Strict):
    """Which dataset columns hold what (defaults: the Hugging Face SQuAD layout)."""

    id: str = "id"
    context: str = "context"
    question: str = "question"
    answers: str = "answers"  # strings, or {"text": [...], "answer_start": [...]}
    title: str | None = None
    answer_start: str | None = None
    question_en: str | None = None


class DatasetSpec(_Strict):
    """A SQuAD-style dataset loaded through ``datasets.load_dataset`` as gold documents."""

    path: str = Field(min_length=1, description="hub id, local folder, or json/parquet/csv")
    name: str | None = None
    split: str = "validation"
    data_files: str | list[str] | dict[str, str | list[str]] | None = None
    revision: str | None = None
    columns: DatasetColumns = DatasetColumns()
    limit: int | None = Field(default=None, ge=1, description="the first N rows only")
    language: str = Field(default="de", pattern=r"^[a-z]{2}$")
    id_prefix: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")


class RunConfig(_Strict):
    name: str = Field(default="run", pattern=NAME_PATTERN)
    gold: list[str] = ["../gold"]
    datasets: list[DatasetSpec] = []
    tasks: list[Literal["qa", "summary"]] = ["qa", "summary"]
    languages: list[str] | None = None
    runners: list[RunnerSpec] = Field(min_length=1)
    metrics: MetricsSpec = MetricsSpec()
    bootstrap: BootstrapSpec = BootstrapSpec()
    cache: CacheSpec = CacheSpec()
    report: ReportSpec = ReportSpec()
    output_dir: str = "../results"
    limit: int | None = Field(default=None, ge=1, description="evaluate the first N samples only")

    @field_validator("runners")
    @classmethod
    def _unique_names(cls, v: list[RunnerSpec]) -> list[RunnerSpec]:
        names = [r.name for r in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"runner names must be unique; repeated: {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _gold_nonempty(self) -> RunConfig:
        if not self.gold and not self.datasets:
            raise ValueError("at least one gold path (or a datasets entry) is needed")
        return self


def _line_of(text: str, loc: tuple[Any, ...]) -> int:
    """Best-effort line number of a (nested) key in YAML text: the last key's first mention."""
    keys = [str(p) for p in loc if isinstance(p, str)]
    if not keys:
        return 0
    pattern = re.compile(rf"^\s*-?\s*{re.escape(keys[-1])}\s*:", re.MULTILINE)
    m = pattern.search(text)
    return text[: m.start()].count("\n") + 1 if m else 0


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader (plain data, no tags that build objects), fast where libyaml is
    installed, that rejects a key given twice in one mapping instead of keeping the last."""


def _unique_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # "<<: *anchor" merges; keys given beside it override on purpose
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.setdefault(key, key_node.start_mark.line)
        except TypeError:  # an unhashable key: the base constructor names it
            continue
        if first != key_node.start_mark.line:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {first + 1})",
                key_node.start_mark,
            )
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def config_line(path: Path, loc: tuple[Any, ...]) -> int:
    """The line of field ``loc`` in a config file, else of its nearest parent; 0 if not found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return _line_or_parent(text, loc)


def _line_or_parent(text: str, loc: tuple[Any, ...]) -> int:
    """:func:`_line_of` for ``loc``, else for its nearest parent that is found."""
    for n in range(len(loc), 0, -1):
        line = _line_of(text, loc[:n])
        if line:
            return line
    return 0


#: A config (or gates file) may hold at most this many values once YAML aliases are
#: expanded: ``&a [*b, *b, ...]`` nine levels deep ("billion laughs") wrote 325 MB.
MAX_CONFIG_VALUES = 100_000


def check_expansion(path: Path, text: str, data: Any, limit: int = MAX_CONFIG_VALUES) -> None:
    """Raise :class:`ConfigError` when ``data`` holds more than ``limit`` values expanded.

    Aliases share one object, so the expanded size is counted in time linear in the
    document (each shared node once); the error names the deepest field that is over
    the limit, with its line.
    """
    sizes: dict[int, int] = {}

    def size(v: Any) -> int:
        if not isinstance(v, dict | list):
            return 1
        key = id(v)
        if key not in sizes:
            sizes[key] = 0  # a cycle (not in safe YAML) counts as nothing more
            items = v.values() if isinstance(v, dict) else v
            total = 1
            for x in items:
                total += size(x)
                if total > limit:
                    break
            sizes[key] = total
        return sizes[key]

    try:
        if size(data) <= limit:
            return
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    loc: list[Any] = []
    node = data
    while isinstance(node, dict | list):
        pairs = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        big = next(((k, v) for k, v in pairs if size(v) > limit), None)
        if big is None:
            break
        loc.append(big[0])
        node = big[1]
    line = _line_or_parent(text, tuple(loc))
    where = f"{path}:{line}" if line else str(path)
    field = ".".join(str(p) for p in loc) or "(file)"
    raise ConfigError(
        f"{where}: {field}: expands to more than {limit:,} values (YAML aliases that repeat "
        "each other?); write the values out"
    )


def load_config(path: Path | str) -> tuple[RunConfig, Path]:
    """Parse and validate a YAML config; returns it with the folder relative paths start from."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not valid UTF-8 (byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    if data is None:
        raise ConfigError(f"{path}: the config file is empty")
    check_expansion(path, text, data)
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: a config is a mapping of keys to values, got {type(data).__name__}"
        )
    try:
        cfg = RunConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            line = _line_or_parent(text, err["loc"])
            where = f"{path}:{line}" if line else str(path)
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {str(err['loc'][-1])!r}"
            lines.append(f"{where}: {loc}: {msg}")
        raise ConfigError("\n".join(lines)) from None
    return cfg, path.resolve().parent


def resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def metric_entries(entries: list[MetricEntry]) -> list[MetricSpec]:
    return [MetricSpec(name=e) if isinstance(e, str) else e for e in entries]
