"""LLM-as-judge: any registered runner grades predictions against a rubric.

The judge is a runner from the same registry as the models under test
(``{type, options}``, optional ``name``), so a local transformers model, a
server or a scripted table can judge. For each prediction it gets ``k``
requests built by :func:`harness.prompts.judge.build_judge_request` (rubric
and article as the shared context; seeds ``0 … k-1``, the configured
temperature); each request's sample id is ``<sample id>#judge-<rubric>``.
With ``cache`` on (the default) the runner is wrapped in the generation cache
(:class:`harness.runners.cache.CachedRunner`), so an unchanged judgement is
never asked for twice, across runs too.

Replies are read by :func:`parse_verdict`, which is tolerant: JSON inside
```` ```json ```` fences or followed by text, single-quoted (Python-style)
dicts, trailing commas, ``Score: 4`` / ``4/5`` and ``verdict: correct`` lines,
German labels (``richtig``, ``teilweise richtig``, ``falsch``). A reply that
still cannot be read, or a runner error, is recorded in the details
(``parse_failures``, ``runner_errors``) and left out: it never counts as 0.
If none of the ``k`` replies can be used the sample gets no value and the
details say why.

Values per sample:

* ``score``: the mean of the usable verdicts on a 0–1 scale (scales 1–5 map
  to ``(s - 1) / 4``; ``correct`` 1, ``partially_correct`` 0.5,
  ``incorrect`` 0);
* ``agreement``: the share of usable verdicts equal to the most common one
  (1.0 when only one is usable, in particular when ``k == 1``).

:meth:`Judge.aggregate` adds ``alpha`` when ``k > 1``: Krippendorff's alpha
(interval metric, on the 0–1 scores) of the repeats across samples, i.e. how
consistent the judge is with itself beyond chance (1 perfect, 0 chance
level). It handles samples with fewer usable replies and is omitted when
undefined (fewer than two samples with two usable replies, or no variation
at all). With ``k > 1`` the metric is ``corpus_level``, so the run's summary
holds it.

Example:
    >>> parse_verdict('Sure! ```json\\n{"score": 4, "reason": "ok"}\\n``` Done.', "fluency")
    Verdict(label='4', score=0.75, reason='ok')
    >>> parse_verdict("{'verdict': 'partially correct'}", "correctness").score
    0.5
    >>> round(krippendorff_alpha([[1, 1], [0, 0], [1, 0]]), 4)
    0.4444
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from harness.metrics import METRICS
from harness.metrics.base import CorrectRule, HarnessMetric, MetricResult, ScoringInput
from harness.prompts.judge import (
    NEEDS_ARTICLE,
    RUBRICS,
    SCALE_RUBRICS,
    build_judge_request,
    judge_template,
    judge_template_hash,
)
from harness.types import Generation, Request, Sample

__all__ = [
    "DEFAULT_RUBRIC",
    "Judge",
    "Verdict",
    "VerdictError",
    "krippendorff_alpha",
    "parse_verdict",
]

DEFAULT_RUBRIC: Mapping[str, str] = {"qa": "correctness", "summary": "faithfulness"}
_VERDICT_SCORES: Mapping[str, float] = {
    "correct": 1.0,
    "partially_correct": 0.5,
    "incorrect": 0.0,
}
_VERDICT_SYNONYMS: Mapping[str, str] = {
    "correct": "correct",
    "richtig": "correct",
    "korrekt": "correct",
    "partially_correct": "partially_correct",
    "partly_correct": "partially_correct",
    "partial": "partially_correct",
    "partially": "partially_correct",
    "teilweise_richtig": "partially_correct",
    "teilweise_korrekt": "partially_correct",
    "incorrect": "incorrect",
    "wrong": "incorrect",
    "falsch": "incorrect",
    "nicht_korrekt": "incorrect",
    "inkorrekt": "incorrect",
}
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_SCORE_LINE = re.compile(
    r"\b(?:score|bewertung|punktzahl|punkte|note|rating)\b[\"']?\s*[:=]\s*[\"']?"
    r"(\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
_OUT_OF_FIVE = re.compile(r"(?<![\d.])(\d(?:[.,]\d+)?)\s*/\s*5\b")
_VERDICT_LINE = re.compile(
    r"\b(?:verdict|urteil)\b[\"']?\s*[:=]\s*[\"']?"
    r"(partially[ _-]correct|teilweise[ _-](?:richtig|korrekt)|incorrect|correct|richtig|falsch)",
    re.IGNORECASE,
)
_REASON_LIMIT = 500
_RAW_LIMIT = 300


@dataclass(frozen=True)
class Verdict:
    """One usable judgement: its label (``"4"``, ``"correct"``), 0–1 score and reason."""

    label: str
    score: float
    reason: str = ""


class VerdictError(ValueError):
    """A reply that cannot be read as a verdict; the message says why."""


def _objects(text: str) -> list[str]:
    """Balanced ``{...}`` substrings of ``text``, outermost first, quotes respected."""
    found: list[str] = []
    i = 0
    while True:
        start = text.find("{", i)
        if start < 0:
            return found
        depth, quote, escaped = 0, "", False
        end = -1
        for j in range(start, len(text)):
            c = text[j]
            if quote:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    quote = ""
            elif c in "\"'":
                quote = c
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    end = j
                    break
        if end < 0:
            # An unbalanced brace (an apostrophe inside unquoted text, a cut reply):
            # try the rest of the text from the next brace.
            i = start + 1
            continue
        found.append(text[start : end + 1])
        i = end + 1


def _load_object(blob: str) -> Mapping[str, Any] | None:
    try:
        obj = json.loads(blob)
    except ValueError:
        pythonic = re.sub(
            r"\b(true|false|null)\b",
            lambda m: {"true": "True", "false": "False", "null": "None"}[m.group(1)],
            blob,
        )
        try:
            obj = ast.literal_eval(pythonic)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
    return obj if isinstance(obj, Mapping) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*5)?\s*", value)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


def _scale_verdict(value: Any, reason: str) -> Verdict:
    v = _number(value)
    if v is None:
        raise VerdictError(f"score {value!r} is not a number")
    if not 1 <= v <= 5:
        raise VerdictError(f"score {v:g} is outside 1-5")
    return Verdict(f"{v:g}", (v - 1) / 4, reason)


def _label_verdict(value: Any, reason: str) -> Verdict:
    key = re.sub(r"[\s-]+", "_", str(value).strip().strip(".").lower())
    label = _VERDICT_SYNONYMS.get(key)
    if label is None:
        raise VerdictError(f"verdict {value!r} is not correct / partially_correct / incorrect")
    return Verdict(label, _VERDICT_SCORES[label], reason)


def _from_object(obj: Mapping[str, Any], rubric: str) -> Verdict | None:
    lower = {str(k).strip().lower(): v for k, v in obj.items()}
    reason = str(lower.get("reason", lower.get("begründung", "")))[:_REASON_LIMIT]
    if rubric in SCALE_RUBRICS:
        for key in ("score", "rating", "bewertung", "punktzahl"):
            if key in lower:
                return _scale_verdict(lower[key], reason)
        return None
    for key in ("verdict", "urteil", "label"):
        if key in lower:
            return _label_verdict(lower[key], reason)
    if "score" in lower:
        v = _number(lower["score"])
        for label, s in _VERDICT_SCORES.items():
            if v is not None and v == s:
                return Verdict(label, s, reason)
        raise VerdictError(f"score {lower['score']!r} is not 0, 0.5 or 1")
    return None


def parse_verdict(text: str, rubric: str) -> Verdict:
    """Read a judge's reply as a verdict for ``rubric``, tolerantly.

    JSON objects are tried first (inside code fences, then anywhere in the
    text, as JSON or as a Python-style dict); then ``key: value`` lines; for
    ``correctness`` also a reply that is nothing but a label.

    Args:
        text: The judge's raw reply.
        rubric: One of :data:`harness.prompts.judge.RUBRICS`.

    Returns:
        The verdict.

    Raises:
        VerdictError: Nothing in the reply is a verdict; the message says why.

    Example:
        >>> parse_verdict('{"score": 5, "reason": "alles belegt"} Hope this helps', "coverage")
        Verdict(label='5', score=1.0, reason='alles belegt')
        >>> parse_verdict("Bewertung: 2 von 5", "fluency").label
        '2'
        >>> parse_verdict("Richtig.", "correctness").label
        'correct'
        >>> parse_verdict("I cannot judge this.", "fluency")
        Traceback (most recent call last):
        ...
        harness.metrics.judge.VerdictError: no verdict found (expected JSON with a "score")
    """
    if rubric not in RUBRICS:
        raise ValueError(f"unknown judge rubric {rubric!r}; known: {', '.join(RUBRICS)}")
    body = text.strip()
    if not body:
        raise VerdictError("empty reply")
    problem: VerdictError | None = None
    blobs = [inner for f in _FENCE.findall(body) for inner in [f, *_objects(f)]]
    for blob in [*blobs, *_objects(body)]:
        obj = _load_object(blob.strip())
        if obj is None:
            continue
        try:
            verdict = _from_object(obj, rubric)
        except VerdictError as exc:
            problem = problem or exc
            continue
        if verdict is not None:
            return verdict
    if problem is not None:
        raise problem
    if rubric in SCALE_RUBRICS:
        m = _SCORE_LINE.search(body) or _OUT_OF_FIVE.search(body)
        if m:
            return _scale_verdict(m.group(1), "")
        raise VerdictError('no verdict found (expected JSON with a "score")')
    m = _VERDICT_LINE.search(body)
    if m:
        return _label_verdict(m.group(1), "")
    bare = body.strip(" \t\n.!\"'`*").lower()
    if re.sub(r"[\s-]+", "_", bare) in _VERDICT_SYNONYMS:
        return _label_verdict(bare, "")
    raise VerdictError('no verdict found (expected JSON with a "verdict")')


def krippendorff_alpha(units: Sequence[Sequence[float]], metric: str = "interval") -> float | None:
    """Krippendorff's alpha for repeated ratings of several units, by ``krippendorff``.

    Each unit holds the ratings it received (any number; units with fewer
    than two are not pairable and are ignored). ``alpha = 1 - D_o / D_e``:
    the observed disagreement within units against the expected disagreement
    over all pairable values; the difference is ``(a - b) ** 2``
    (``interval``) or ``a != b`` (``nominal``). The package ``krippendorff``
    computes it from a raters × units matrix (missing ratings as NaN).

    Args:
        units: Ratings per unit.
        metric: ``interval`` or ``nominal``.

    Returns:
        Alpha, or None when undefined (no unit with two ratings, or all equal).

    Raises:
        ValueError: If ``metric`` is neither ``interval`` nor ``nominal``.

    Example:
        >>> krippendorff_alpha([[1, 1], [2, 2]], "nominal")
        1.0
        >>> krippendorff_alpha([[1, 2], [1, 2]], "nominal")
        -0.5
        >>> krippendorff_alpha([[3, 3], [3]]) is None
        True
    """
    if metric not in ("interval", "nominal"):
        raise ValueError(f"unknown metric {metric!r}; expected 'interval' or 'nominal'")
    import krippendorff
    import numpy as np

    pairable = [[float(v) for v in u] for u in units if len(u) >= 2]
    if len({v for u in pairable for v in u}) < 2:
        return None  # no pairs, or no variation: alpha is undefined
    data = np.full((max(len(u) for u in pairable), len(pairable)), np.nan)
    for j, u in enumerate(pairable):
        data[: len(u), j] = u
    level: Literal["interval", "nominal"] = "interval" if metric == "interval" else "nominal"
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    return value if math.isfinite(value) else None


def _runner_spec(spec: Any) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(spec, Mapping):
        raise ValueError(
            "judge: runner: required: a runner spec {type: ..., options: {...}} "
            "(any registered runner type)"
        )
    unknown = sorted(set(spec) - {"type", "options", "name"})
    if unknown:
        raise ValueError(f"judge: runner: unknown field(s) {', '.join(unknown)}")
    type_name = spec.get("type")
    if not isinstance(type_name, str) or not type_name:
        raise ValueError("judge: runner: type: required: a registered runner type")
    options = spec.get("options", {}) or {}
    if not isinstance(options, Mapping):
        raise ValueError(f"judge: runner: options: expected a mapping, got {options!r}")
    name = spec.get("name", f"judge-{type_name}")
    if not isinstance(name, str) or not name:
        raise ValueError(f"judge: runner: name: expected a string, got {name!r}")
    return type_name, name, dict(options)


@METRICS.register("judge")
class Judge(HarnessMetric):
    """An LLM judge's rubric score (0–1) and its self-agreement over ``k`` repeats.

    Args:
        runner: The judge, ``{type, options, name}`` like a runner in the config.
        rubric: ``faithfulness``, ``coverage`` or ``fluency`` (summaries),
            ``correctness`` (QA); default ``correctness`` for QA samples and
            ``faithfulness`` for summaries.
        k: Judgements per prediction (seeds ``0 … k-1``). With a greedy judge
            (``temperature`` 0) the repeats only differ if the runner is not
            deterministic.
        temperature: The judge's sampling temperature.
        max_new_tokens: Token budget of one verdict.
        cache: Cache judgements in the generation cache (``$HARNESS_GENERATION_CACHE``).
        language: The rubric's language; default each sample's (German for
            ``de``, English otherwise; German when scoring without samples).

    Raises:
        ValueError: Bad options or an unknown runner type.
    """

    metric_name = "judge"
    tasks = ("qa", "summary")
    keys = ("score", "agreement")
    correct_rules = (CorrectRule("score", 0.75, "score ≥ 0.75"),)
    higher_is_better: ClassVar[dict[str, bool]] = {"score": True, "agreement": True, "alpha": True}
    description = "LLM-as-judge rubric score (0-1) with self-agreement over k repeated judgements."

    def __init__(
        self,
        runner: Mapping[str, Any] | None = None,
        rubric: str | None = None,
        k: int = 1,
        temperature: float = 0.0,
        max_new_tokens: int = 256,
        cache: bool = True,
        language: str | None = None,
    ) -> None:
        super().__init__(
            runner=runner,
            rubric=rubric,
            k=k,
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            cache=cache,
            language=language,
        )
        from harness.registry import UnknownNameError
        from harness.runners.base import create_runner

        type_name, name, options = _runner_spec(runner)
        if rubric is not None and rubric not in RUBRICS:
            raise ValueError(f"judge: rubric: unknown {rubric!r}; known: {', '.join(RUBRICS)}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"judge: k: expected an integer >= 1, got {k!r}")
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise ValueError(f"judge: temperature: expected a number, got {temperature!r}")
        if not math.isfinite(temperature) or temperature < 0:
            raise ValueError(f"judge: temperature: expected a number >= 0, got {temperature!r}")
        if (
            isinstance(max_new_tokens, bool)
            or not isinstance(max_new_tokens, int)
            or (max_new_tokens < 1)
        ):
            raise ValueError(
                f"judge: max_new_tokens: expected an integer >= 1, got {max_new_tokens!r}"
            )
        if not isinstance(cache, bool):
            raise ValueError(f"judge: cache: expected true or false, got {cache!r}")
        if language is not None and (not isinstance(language, str) or not language):
            raise ValueError(f"judge: language: expected a language code, got {language!r}")
        try:
            self.runner = create_runner(type_name, name, options)
        except UnknownNameError as exc:
            raise ValueError(f"judge: runner: {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ValueError(f"judge: runner: {exc}") from exc
        self.runner_type = type_name
        self.rubric = rubric
        self.k = k
        self.temperature = float(temperature)
        self.max_new_tokens = max_new_tokens
        self.cache = cache
        self.language = language
        self._wrapped: Any = None
        self._memo: dict[tuple[str, str, int], Generation] = {}
        # Only with repeats does the corpus hold something the means do not (alpha).
        self.corpus_level = k > 1

    # -- the judge runner ----------------------------------------------------

    def _judge_runner(self) -> Any:
        if self._wrapped is None:
            if self.cache and getattr(self.runner, "cacheable", True):
                from harness.runners.cache import CachedRunner, GenerationCache, default_cache_path

                self._wrapped = CachedRunner(self.runner, GenerationCache(default_cache_path()))
            else:
                self._wrapped = self.runner
        return self._wrapped

    def close(self) -> None:
        """Close the generation cache, if one was opened."""
        cache = getattr(self._wrapped, "cache", None)
        if cache is not None:
            cache.close()
        self._wrapped = None

    def _generate(self, requests: Sequence[Request]) -> list[Generation]:
        keys = [(r.sample_id, r.full_prompt, r.params.seed) for r in requests]
        todo = [i for i, key in enumerate(keys) if key not in self._memo]
        if todo:
            outs = self._judge_runner().generate([requests[i] for i in todo])
            if len(outs) != len(todo):
                raise RuntimeError(
                    f"judge runner {self.runner.name!r} returned {len(outs)} replies "
                    f"for {len(todo)} requests"
                )
            for i, g in zip(todo, outs, strict=True):
                self._memo[keys[i]] = g
        return [self._memo[key] for key in keys]

    # -- scoring -------------------------------------------------------------

    def _rubric_for(self, item: ScoringInput) -> str:
        if self.rubric:
            return self.rubric
        task = item.sample.task if item.sample is not None else "qa"
        return DEFAULT_RUBRIC[task]

    def _sample(self, item: ScoringInput) -> Sample:
        if item.sample is not None:
            return item.sample
        from harness.runners.base import stable_hash

        return Sample(
            id="judge/" + stable_hash(item.prediction, list(item.references)),
            doc_id="",
            task="qa",
            language=self.language or "de",
            input="",
            references=tuple(item.references),
        )

    def _requests(self, item: ScoringInput) -> tuple[str, list[Request] | str]:
        rubric = self._rubric_for(item)
        if rubric in NEEDS_ARTICLE and not item.source.strip():
            return rubric, f"rubric {rubric!r} needs the source article, and there is none"
        sample = self._sample(item)
        requests = [
            build_judge_request(
                rubric,
                sample,
                item.prediction,
                article=item.source,
                language=self.language,
                seed=seed,
                temperature=self.temperature,
                max_new_tokens=self.max_new_tokens,
            )
            for seed in range(self.k)
        ]
        return rubric, requests

    def _verdicts(self, item: ScoringInput) -> list[float]:
        """The usable 0–1 scores of ``item``'s judgements (for alpha)."""
        _, requests = self._requests(item)
        if isinstance(requests, str):
            return []
        out = []
        rubric = self._rubric_for(item)
        for g in self._generate(requests):
            if g.error is None:
                with contextlib.suppress(VerdictError):
                    out.append(parse_verdict(g.raw or g.text, rubric).score)
        return out

    def score_failure(self, item: ScoringInput, reason: str) -> MetricResult:
        """A failed sample scores 0; it has no judge verdicts to agree on (no ``agreement``)."""
        return MetricResult({"score": 0.0}, {"error": reason})

    def score_many(self, items: Sequence[ScoringInput]) -> list[MetricResult]:
        """Judge every item in one runner call (see :meth:`judge_items`)."""
        return self.judge_items(items)

    def judge_items(self, items: Sequence[ScoringInput]) -> list[MetricResult]:
        """Judge every item (all requests go to the runner in one call)."""
        plans = [self._requests(item) for item in items]
        flat = [r for _, reqs in plans if not isinstance(reqs, str) for r in reqs]
        gens = iter(self._generate(flat))
        results = []
        for rubric, reqs in plans:
            if isinstance(reqs, str):
                results.append(MetricResult({}, {"rubric": rubric, "no_value": reqs}))
                continue
            results.append(self._result(rubric, reqs, [next(gens) for _ in reqs]))
        return results

    def _result(
        self, rubric: str, requests: Sequence[Request], gens: Sequence[Generation]
    ) -> MetricResult:
        verdicts: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for r, g in zip(requests, gens, strict=True):
            seed = r.params.seed
            if g.error is not None:
                errors.append({"seed": seed, "error": g.error})
                continue
            reply = g.raw or g.text
            try:
                v = parse_verdict(reply, rubric)
            except VerdictError as exc:
                failures.append({"seed": seed, "error": str(exc), "reply": reply[:_RAW_LIMIT]})
                continue
            verdicts.append({"seed": seed, "label": v.label, "score": v.score, "reason": v.reason})
        details: dict[str, Any] = {
            "rubric": rubric,
            "template": f"{requests[0].template}@{requests[0].template_hash}",
            "verdicts": verdicts,
        }
        if failures:
            details["parse_failures"] = failures
        if errors:
            details["runner_errors"] = errors
        cached = sum(1 for g in gens if g.cached)
        if cached:
            details["cached"] = cached
        if not verdicts:
            details["no_value"] = (
                f"none of the {len(gens)} judgement(s) could be used "
                f"({len(failures)} unreadable, {len(errors)} runner error(s))"
            )
            return MetricResult({}, details)
        scores = [v["score"] for v in verdicts]
        top = Counter(v["label"] for v in verdicts).most_common(1)[0][1]
        values = {"score": sum(scores) / len(scores), "agreement": top / len(verdicts)}
        return MetricResult(values, details)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Judge one prediction ``k`` times (a failed generation is not judged)."""
        if item.error is not None:
            return MetricResult({}, {"skipped": f"the runner failed: {item.error}"})
        return self.judge_items([item])[0]

    def compute(
        self, predictions: Sequence[str], references: Sequence[Sequence[str]]
    ) -> dict[str, Any]:
        """Mean score and agreement (and alpha when ``k > 1``): numbers only.

        Without samples there is no article (``faithfulness`` and ``coverage``
        give no value) and no question (``correctness`` judges the answer
        against the references alone; it is the default here).
        """
        items = [
            ScoringInput(prediction=p, references=list(r))
            for p, r in zip(predictions, references, strict=True)
        ]
        rows = [dict(res.values) for res in self.judge_items(items)]
        return dict(self.aggregate(rows, items))

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """Mean ``score`` and ``agreement``; with ``k > 1`` also Krippendorff's ``alpha``.

        The repeats' verdicts come from this instance's memory of them, else
        from the (cached) judge runner.
        """
        out = super().aggregate(per_sample, items)
        if self.k > 1:
            alpha = krippendorff_alpha([self._verdicts(item) for item in items])
            if alpha is not None:
                out["alpha"] = alpha
        return out

    def signature(self) -> str:
        """Rubric(s), prompt hashes, the judge runner's fingerprint and the sampling settings."""
        from harness.runners.base import stable_hash

        rubrics = [self.rubric] if self.rubric else sorted(set(DEFAULT_RUBRIC.values()))
        prompts = stable_hash(
            [judge_template_hash(judge_template(r, lang)) for r in rubrics for lang in ("de", "en")]
        )
        rubric = (
            self.rubric or "auto(" + ",".join(f"{t}={r}" for t, r in DEFAULT_RUBRIC.items()) + ")"
        )
        return (
            f"judge|rubric={rubric}|prompts={prompts}|runner={self.runner_type}:"
            f"{self.runner.fingerprint()}|k={self.k}|temperature={self.temperature:g}"
            f"|max_new_tokens={self.max_new_tokens}|language={self.language or 'sample'}"
        )
