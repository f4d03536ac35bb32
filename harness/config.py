"""Run configuration: pydantic models for ``configs/*.yaml`` (unknown keys are errors).

Relative paths in a config file are relative to the file's own folder.

Example:
    >>> cfg = RunConfig.model_validate({"runners": [{"name": "oracle", "type": "oracle"}]})
    >>> cfg.metrics.qa
    ['squad_v2', 'qa_de']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class RunnerSpec(_Strict):
    name: str = Field(pattern=NAME_PATTERN, description="label in reports, unique per run")
    type: str = Field(min_length=1, description="registered runner type")
    options: dict[str, Any] = {}
    generation: GenerationSpec = GenerationSpec()
    few_shot: int = Field(default=0, ge=0, le=16)
    system: str = ""
    tasks: list[Literal["qa", "summary"]] | None = None


class MetricSpec(_Strict):
    name: str
    options: dict[str, Any] = {}


MetricEntry = str | MetricSpec


class MetricsSpec(_Strict):
    qa: list[MetricEntry] = ["squad_v2", "qa_de"]
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


class RunConfig(_Strict):
    name: str = Field(default="run", pattern=NAME_PATTERN)
    gold: list[str] = ["../gold"]
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

    @field_validator("gold")
    @classmethod
    def _gold_nonempty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one gold path is needed")
        return v


def _line_of(text: str, loc: tuple[Any, ...]) -> int:
    """Best-effort line number of a (nested) key in YAML text: the last key's first mention."""
    keys = [str(p) for p in loc if isinstance(p, str)]
    if not keys:
        return 0
    pattern = re.compile(rf"^\s*-?\s*{re.escape(keys[-1])}\s*:", re.MULTILINE)
    m = pattern.search(text)
    return text[: m.start()].count("\n") + 1 if m else 0


def load_config(path: Path | str) -> tuple[RunConfig, Path]:
    """Parse and validate a YAML config; returns it with the folder relative paths start from."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
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
            line = _line_of(text, err["loc"])
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
