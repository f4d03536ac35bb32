"""``harness gate RUN_DIR --config GATES.yaml``: quality gates for CI.

Two kinds of gate, both in one YAML file (unknown keys are errors that name
file, line and field):

- **thresholds**: ``qa_de.f1 >= 40`` on a run's aggregate (optionally one
  runner, task or category; the mean or a CI bound);
- **regression**: against a baseline run, per runner and metric, a gate
  fails only when the paired drop is *significant* (the paired bootstrap CI at
  1 − alpha excludes 0 and the sign-flip permutation p-value is below alpha)
  *and* larger than ``min_effect``, so noise on a small gold set does not
  fail CI.

Results come as Markdown (for ``$GITHUB_STEP_SUMMARY``) and JUnit XML (one
test case per gate; optionally one per sample in a separate suite, whose
failures are informational and do not change the exit code).

Example:
    >>> ThresholdSpec.model_validate("qa_de.f1 >= 40").value
    40.0
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from harness.config import ConfigError, check_expansion
from harness.report.compare import is_significant
from harness.report.load import (
    DEFAULT_RIGHT,
    OPS,
    Rule,
    RunData,
    higher_is_better,
    load_run,
    verdict,
)
from harness.report.markdown import cell, decimals
from harness.stats import paired_compare
from harness.text.display import printable

METRIC_PATTERN = r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_.\-]+$"


class GateInputError(ValueError):
    """A gate cannot be evaluated (unknown metric or runner, no baseline): exit 2."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThresholdSpec(_Strict):
    """``metric op value``; also written as the string ``"qa_de.f1 >= 40"``."""

    metric: str = Field(pattern=METRIC_PATTERN, description="metric key, e.g. qa_de.f1")
    op: Literal[">=", ">", "<=", "<"] = ">="
    value: float = Field(allow_inf_nan=False, description="a finite number")
    task: Literal["qa", "summary"] | None = None
    runner: str | None = None
    category: str | None = None
    bound: Literal["mean", "low", "high"] = "mean"

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            try:
                rule = Rule.parse(data)
            except ValueError as exc:
                raise ValueError(str(exc)) from None
            if rule.op == "==":
                raise ValueError("use >=, >, <= or < in a threshold")
            return {"metric": rule.key, "op": rule.op, "value": rule.value}
        return data


class RegressionMetric(_Strict):
    """A metric key and, optionally, its own ``min_effect``; also written as the plain key."""

    metric: str = Field(pattern=METRIC_PATTERN)
    min_effect: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"metric": data} if isinstance(data, str) else data


class RegressionSpec(_Strict):
    """Significant drops against a baseline run fail."""

    baseline: str | None = None
    if_missing: Literal["error", "skip"] = "error"
    alpha: float = Field(default=0.05, gt=0, lt=0.5, allow_inf_nan=False)
    min_effect: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    metrics: list[RegressionMetric] = Field(
        default=[RegressionMetric(metric="qa_de.f1")], min_length=1
    )
    runners: list[str] | None = None
    resamples: int = Field(default=2000, ge=100, le=100000)
    seed: int = 0


class GatesConfig(_Strict):
    thresholds: list[ThresholdSpec] = []
    regression: RegressionSpec | None = None

    @model_validator(mode="after")
    def _something(self) -> GatesConfig:
        if not self.thresholds and self.regression is None:
            raise ValueError("no gates: give thresholds, regression or both")
        return self


def _yaml_line(text: str, loc: Sequence[Any]) -> int:
    """Line of the YAML node at ``loc`` (the deepest one that exists); 0 if unknown."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return 0
    if node is None:
        return 0
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                node = key if key is not None else node
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
    return int(node.start_mark.line) + 1


@dataclass(frozen=True)
class GatesFile:
    """A parsed gates file and where its fields are, for error messages."""

    path: Path
    text: str
    config: GatesConfig

    def where(self, *loc: str | int) -> str:
        """``file:line`` of the field at ``loc`` (``file`` alone when unknown)."""
        line = _yaml_line(self.text, loc)
        return f"{self.path}:{line}" if line else str(self.path)


def load_gates(path: Path | str) -> GatesFile:
    """Parse a gates file; :class:`ConfigError` names file, line and field of every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such gates file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    check_expansion(path, text, data)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a gates file is a mapping (thresholds, regression)")
    try:
        return GatesFile(path, text, GatesConfig.model_validate(data))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
            field = ".".join(str(p) for p in loc) or "(file)"
            line = _yaml_line(text, loc)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {str(err['loc'][-1])!r}"
            lines.append(f"{path}:{line}: {field}: {msg}" if line else f"{path}: {field}: {msg}")
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None


# -- evaluation ------------------------------------------------------------


@dataclass(frozen=True)
class GateResult:
    """One gate's outcome: ``pass``, ``fail`` or ``skip``."""

    kind: str
    name: str
    status: str
    observed: str
    required: str
    message: str = ""


@dataclass(frozen=True)
class GateReport:
    run_id: str
    baseline_id: str | None
    results: tuple[GateResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.status != "fail" for r in self.results)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def _task_of(run: RunData, runner: str, key: str) -> str | None:
    for task, res in run.results.get(runner, {}).items():
        if key in res.get("metrics", {}):
            return str(task)
    return None


def _fmt(key: str, v: float) -> str:
    return f"{v:.{decimals(key)}f}" if math.isfinite(v) else "–"


Where = Callable[..., str]


def _thresholds(cfg: GatesConfig, run: RunData, where: Where) -> list[GateResult]:
    out = []
    for i, t in enumerate(cfg.thresholds):
        if t.runner is not None and t.runner not in run.runners:
            raise GateInputError(
                f"{where('thresholds', i, 'runner')}: thresholds.{i}.runner: {t.runner!r} is "
                f"not in run {run.run_id} "
                f"(runners: {', '.join(run.runners)})"
            )
        runners = [t.runner] if t.runner else run.runners
        matched = 0
        for r in runners:
            task = t.task or _task_of(run, r, t.metric)
            res = run.results.get(r, {}).get(task or "", {})
            if not res:
                continue
            block = res.get("metrics", {})
            if t.category is not None:
                block = res.get("categories", {}).get(t.category, {})
            est = block.get(t.metric)
            if not est:
                continue
            matched += 1
            observed = est.get({"mean": "value", "low": "low", "high": "high"}[t.bound], math.nan)
            ok = math.isfinite(observed) and est.get("n", 0) > 0 and OPS[t.op](observed, t.value)
            scope = f"{task}" + (f" / {t.category}" if t.category else "")
            bound = "" if t.bound == "mean" else f" ({t.bound} CI bound)"
            out.append(
                GateResult(
                    kind="threshold",
                    name=f"{r} · {scope} · {t.metric}{bound} {t.op} {t.value:g}",
                    status="pass" if ok else "fail",
                    observed=f"{_fmt(t.metric, observed)} (n={est.get('n', 0)})",
                    required=f"{t.op} {t.value:g}",
                    message=""
                    if ok
                    else f"{t.metric} = {_fmt(t.metric, observed)}, required {t.op} {t.value:g}",
                )
            )
        if not matched:
            known = sorted(
                {
                    k
                    for r in runners
                    for t_ in run.results.get(r, {}).values()
                    for k in t_.get("metrics", {})
                }
            )
            what = f"category {t.category!r} of " if t.category else ""
            raise GateInputError(
                f"{where('thresholds', i, 'metric')}: thresholds.{i}.metric: no {what}"
                f"{t.metric!r} in run {run.run_id} for "
                f"{', '.join(runners)} (metrics there: {', '.join(known) or 'none'})"
            )
    return out


def _regression(
    spec: RegressionSpec, run: RunData, base: RunData, where: Where
) -> list[GateResult]:
    if spec.runners:
        for j, r in enumerate(spec.runners):
            for run_, side in ((run, "run"), (base, "baseline")):
                if r not in run_.runners:
                    raise GateInputError(
                        f"{where('regression', 'runners', j)}: regression.runners.{j}: {r!r} "
                        f"is not in the {side} "
                        f"{run_.run_id} (runners: {', '.join(run_.runners)})"
                    )
        pairs = [(r, r) for r in spec.runners]
    else:
        pairs = [(r, r) for r in run.runners if r in base.runners]
        left_c = [r for r in run.runners if r not in base.runners]
        left_b = [r for r in base.runners if r not in run.runners]
        if len(left_c) == 1 and len(left_b) == 1:
            pairs.append((left_c[0], left_b[0]))
        if not pairs:
            raise GateInputError(
                f"{where('regression')}: regression: no runner of {run.run_id} "
                f"({', '.join(run.runners)}) is in the baseline {base.run_id} "
                f"({', '.join(base.runners)})"
            )
    confidence = 1 - spec.alpha
    out = []
    for j, m in enumerate(spec.metrics):
        min_effect = spec.min_effect if m.min_effect is None else m.min_effect
        hib = higher_is_better(m.metric)
        found = False
        for rc, rb in pairs:
            task = _task_of(run, rc, m.metric)
            name = f"{rc} · {m.metric} vs baseline" + (f" {rb}" if rb != rc else "")
            if task is None:
                continue
            found = True
            cur, old = run.task_scores(rc, task), base.task_scores(rb, task)
            ids = sorted(
                i
                for i in set(cur) & set(old)
                if m.metric in cur[i].values and m.metric in old[i].values
            )
            if not ids:
                # Name the side whose scores lack the metric: the run's own, or the baseline's.
                mine = any(m.metric in sc.values for sc in cur.values())
                side, lacking, who = ("baseline", base, rb) if mine else ("run", run, rc)
                why = (
                    f"no {m.metric} of runner {who!r} on the samples of this run in the "
                    f"{side} {lacking.run_id}"
                )
                if spec.if_missing == "error" or side == "run":
                    raise GateInputError(
                        f"{lacking.path / 'scores.jsonl'}: {why}; nothing to compare "
                        "(regression.if_missing: skip passes over a baseline without it)"
                    )
                out.append(GateResult("regression", name, "skip", "no paired samples", "", why))
                continue
            a = [old[i].values[m.metric] for i in ids]
            b = [cur[i].values[m.metric] for i in ids]
            pc = paired_compare(a, b, spec.resamples, confidence, spec.seed)
            if not all(math.isfinite(x) for x in (pc.diff, pc.low, pc.high, pc.p_permutation)):
                raise GateInputError(  # the loaders admit only finite values: a safety net
                    f"{run.path / 'scores.jsonl'}: {m.metric} of runner {rc!r}: the paired "
                    "comparison is not a number; the scores cannot be read as numbers"
                )
            drop = -pc.diff if hib else pc.diff
            sig = is_significant(pc, spec.alpha)
            failed = sig and drop > 0 and drop > min_effect
            k = m.metric
            observed = (
                f"{_fmt(k, sum(a) / len(a))} → {_fmt(k, sum(b) / len(b))}, "
                f"Δ {pc.diff:+.{decimals(k)}f} [{pc.low:+.{decimals(k)}f}, "
                f"{pc.high:+.{decimals(k)}f}], p={pc.p_permutation:.4f}, n={pc.n}"
            )
            if failed:
                why = (
                    f"significant drop of {drop:.{decimals(k)}f} (CI excludes 0, "
                    f"p < {spec.alpha:g}), larger than min_effect {min_effect:g}"
                )
            elif sig and drop > 0:
                why = f"significant but smaller than min_effect {min_effect:g}"
            elif drop > 0:
                why = "drop not significant (within noise)"
            else:
                why = "no drop"
            out.append(
                GateResult(
                    kind="regression",
                    name=name,
                    status="fail" if failed else "pass",
                    observed=observed,
                    required=f"no significant drop > {min_effect:g} (alpha {spec.alpha:g})",
                    message=why,
                )
            )
        if not found:
            raise GateInputError(
                f"{where('regression', 'metrics', j)}: regression.metrics.{j}: {m.metric!r} "
                f"is not in run {run.run_id}"
            )
    return out


def evaluate_gates(
    gates: GatesConfig | GatesFile,
    run: RunData,
    baseline: RunData | None = None,
) -> GateReport:
    """Every gate on ``run`` (and ``baseline`` for the regression gate).

    Raises:
        GateInputError: a gate names a metric or runner the run lacks, or the
            regression gate has no baseline; the message names file, line and field.
    """
    if isinstance(gates, GatesFile):
        cfg, where = gates.config, gates.where
    else:
        cfg = gates

        def where(*loc: str | int) -> str:
            return "gates"

    results = _thresholds(cfg, run, where)
    if cfg.regression is not None:
        if baseline is None:
            if cfg.regression.if_missing == "skip":
                results.append(
                    GateResult(
                        "regression",
                        "regression vs baseline",
                        "skip",
                        "no baseline",
                        "",
                        "no baseline run given (if_missing: skip)",
                    )
                )
            else:
                raise GateInputError(
                    f"{where('regression')}: regression.baseline: missing (set it in the gates "
                    "file or pass --baseline RUN_DIR)"
                )
        else:
            results += _regression(cfg.regression, run, baseline, where)
    return GateReport(run.run_id, baseline.run_id if baseline else None, tuple(results))


def baseline_path(gates: GatesFile, override: str | None) -> Path | None:
    """The baseline run folder: ``--baseline`` first, else the file's (relative to the file)."""
    if override:
        return Path(override)
    reg = gates.config.regression
    if reg is None or not reg.baseline:
        return None
    p = Path(reg.baseline).expanduser()
    return p if p.is_absolute() else (gates.path.resolve().parent / p)


def load_baseline(cfg: GatesConfig, path: Path | None) -> RunData | None:
    """The baseline run, or None when there is none and ``if_missing: skip`` allows it."""
    if path is None:
        return None
    if not path.is_dir() and cfg.regression is not None and cfg.regression.if_missing == "skip":
        return None
    return load_run(path)


# -- output ----------------------------------------------------------------

ICON = {"pass": "✅", "fail": "❌", "skip": "⏭️"}


def _md(text: str) -> str:
    """A Markdown table cell; ``>`` stays readable (harmless in text, unlike ``<`` and ``&``)."""
    return cell(text).replace("&gt;", ">")


def gate_markdown(report: GateReport) -> str:
    """A Markdown summary (for the terminal, a PR comment or ``$GITHUB_STEP_SUMMARY``)."""
    verdict_ = "passed" if report.passed else "FAILED"
    counts = ", ".join(
        f"{report.count(s)} {w}"
        for s, w in (("pass", "passed"), ("fail", "failed"), ("skip", "skipped"))
        if report.count(s)
    )
    lines = [
        f"## Quality gates {verdict_} ({counts or 'no gates'})",
        "",
        f"Run `{cell(report.run_id)}`"
        + (f", baseline `{cell(report.baseline_id)}`" if report.baseline_id else "")
        + ".",
        "",
        "| | gate | observed | required | note |",
        "|---|---|---|---|---|",
    ]
    for r in report.results:
        lines.append(
            f"| {ICON[r.status]} | {_md(r.name)} | {_md(r.observed)} | {_md(r.required)} | "
            f"{_md(r.message) if r.message else ''} |"
        )
    lines.append("")
    return "\n".join(lines)


_XML_BAD = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: object) -> str:
    """Text that XML 1.0 can hold (ElementTree escapes markup, not control characters), with
    control and direction-override characters as U+FFFD (a CI page shows them as they are)."""
    return _XML_BAD.sub("\ufffd", printable(str(text)))


def junit_xml(
    report: GateReport,
    run: RunData | None = None,
    samples: bool = False,
    rules: Sequence[Rule] = DEFAULT_RIGHT,
) -> str:
    """JUnit XML: a ``gates`` suite (one case per gate) and optionally a ``samples`` suite."""
    root = ET.Element("testsuites", name="harness gate")
    suite = ET.SubElement(root, "testsuite", name="gates")
    for r in report.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"harness.gate.{r.kind}", name=_x(r.name), time="0"
        )
        ET.SubElement(case, "system-out").text = _x(
            f"observed: {r.observed}\nrequired: {r.required}\n{r.message}"
        )
        if r.status == "fail":
            ET.SubElement(
                case, "failure", message=_x(r.message or "gate failed"), type="GateFailed"
            ).text = _x(r.observed)
        elif r.status == "skip":
            ET.SubElement(case, "skipped", message=_x(r.message))
    _counts(suite)
    if samples and run is not None:
        ssuite = ET.SubElement(root, "testsuite", name="samples")
        for (runner, sid), score in sorted(run.scores.items()):
            sample = run.samples.get(sid)
            task = sample.task if sample else "unknown"
            case = ET.SubElement(
                ssuite,
                "testcase",
                classname=_x(f"samples.{runner}.{task}"),
                name=_x(sid),
                time="0",
            )
            props = ET.SubElement(case, "properties")
            for k, v in sorted(score.values.items()):
                ET.SubElement(props, "property", name=_x(k), value=f"{v:g}")
            v_ = verdict(score.values, rules)
            if v_ is False:
                rule = next(r for r in rules if r.key in score.values)
                g = run.generations.get((runner, sid))
                pred = (f"[error] {g.error}" if g.error else g.text) if g else ""
                gold = " / ".join(sample.references) if sample else ""
                ET.SubElement(
                    case,
                    "failure",
                    message=_x(f"{rule.key} = {score.values[rule.key]:g} (right: {rule})"),
                    type="WrongAnswer",
                ).text = _x(f"prediction: {pred}\ngold: {gold}")
        _counts(ssuite)
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _counts(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    suite.set("time", "0")
