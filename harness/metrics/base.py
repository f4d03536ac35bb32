"""The metric interface: local ``evaluate`` modules that also score one sample at a time.

Every metric is an :class:`evaluate.Metric` subclass living in this package, so
``harness.metrics.load("rouge").compute(predictions=..., references=...)``
works offline like any evaluate module. The pipeline calls
:meth:`HarnessMetric.score` directly (no Arrow round trip per sample) and
:meth:`HarnessMetric.aggregate` once per runner and task.

References may be given per prediction as one string or as a list of strings
(as in Hugging Face ``evaluate``): ``references=["Keo Chhea"]`` and
``references=[["Keo Chhea", "Chhea"]]`` both work, in every metric's
``compute`` and in the evaluate wrapper.

A sample without a usable output (``ScoringInput.error``: the runner failed,
or the output was cut off empty, filtered, refused or only reasoning) is
scored by :meth:`HarnessMetric.score_failure`, not by ``score_one``: a failure
in every metric, never an abstention.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias, TypeVar

from harness.types import Sample, Task

#: One reference text, or every accepted reference, per prediction.
References: TypeAlias = Sequence[str | Sequence[str]]


def reference_lists(references: References) -> list[list[str]]:
    """One list of reference strings per prediction: a plain string becomes ``[string]``.

    Raises:
        TypeError: If a reference is neither a string nor a sequence of strings.

    >>> reference_lists(["Keo Chhea", ["a", "b"], ()])
    [['Keo Chhea'], ['a', 'b'], []]
    """
    if isinstance(references, str):
        raise TypeError("references: give one reference (or list of references) per prediction")
    out: list[list[str]] = []
    for i, ref in enumerate(references):
        if isinstance(ref, str):
            out.append([ref])
            continue
        if not isinstance(ref, Sequence) or not all(isinstance(r, str) for r in ref):
            raise TypeError(
                f"references[{i}]: expected a string or a list of strings, got {ref!r:.80}"
            )
        out.append(list(ref))
    return out


@dataclass(frozen=True)
class MetricResult:
    """Per-sample metric values (``key -> number``) and explanations."""

    values: Mapping[str, float]
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CorrectRule:
    """When a metric's value says "the answer is right", for meta-evaluation.

    ``value >= threshold`` on ``key`` (e.g. ``exact`` ≥ 100, ``f1`` ≥ 50);
    ``label`` names the rule in reports ("F1 ≥ 50").
    """

    key: str
    threshold: float
    label: str

    def holds(self, values: Mapping[str, float]) -> bool | None:
        """True/False, or None when the metric gave no value for ``key``."""
        value = values.get(self.key)
        return None if value is None else value >= self.threshold


@dataclass(frozen=True)
class ScoringInput:
    """Everything a metric may look at for one sample.

    Lexical metrics need ``prediction`` and ``references`` only; grounded
    metrics also read the ``sample`` (answerable flag, category) and the
    ``source`` document, and ``facts`` (the gold key facts of the document).
    ``error`` is set when there is no usable output: the runner failed, or its
    output is empty and was cut at the token limit, filtered, refused or only
    reasoning (:meth:`HarnessMetric.score` then gives failure values).
    """

    prediction: str
    references: Sequence[str]
    sample: Sample | None = None
    source: str = ""
    facts: Sequence[Mapping[str, Any]] = ()
    # Why there is no usable output (runner error, cut off empty, filtered, refused,
    # reasoning not finished): every metric scores the sample as a failure.
    error: str | None = None


class HarnessMetric:
    """Base class of every harness metric (plain Python: no evaluate, no torch).

    Subclasses set the class attributes and implement :meth:`score_one`;
    options come as keyword arguments and are recorded in :meth:`signature`.
    :func:`as_evaluate_module` wraps an instance as an ``evaluate`` module.
    """

    metric_name: ClassVar[str] = ""
    tasks: ClassVar[tuple[Task, ...]] = ("qa", "summary")
    keys: tuple[str, ...] = ()
    higher_is_better: ClassVar[Mapping[str, bool]] = {}
    description: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    # True when the corpus-level value is not the mean of per-sample values (chrF).
    corpus_level: bool = False
    # How a QA metric's values map to "right" for `harness meta-eval` (none: not meta-evaluated).
    correct_rules: ClassVar[tuple[CorrectRule, ...]] = ()

    def __init__(self, **options: Any) -> None:
        self.options: dict[str, Any] = dict(options)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``compute`` also gets plain-string references as lists."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("compute")
        if own is not None and not getattr(own, "_lists_references", False):
            cls.compute = _listing_references(own)  # type: ignore[method-assign]

    def score(self, item: ScoringInput) -> MetricResult:
        """Score one sample: the failure values when ``item.error`` is set, else ``score_one``.

        This is what the pipeline calls; subclasses implement :meth:`score_one`
        (and :meth:`score_failure` where its default does not fit).
        """
        if item.error is not None:
            return self.score_failure(item, item.error)
        return self.score_one(item)

    def score_one(self, item: ScoringInput) -> MetricResult:
        """Score one prediction."""
        raise NotImplementedError

    def score_failure(self, item: ScoringInput, reason: str) -> MetricResult:
        """The values of a sample without a usable output (see :class:`ScoringInput`).

        Every per-sample key where higher is better is 0.0 (the worst score:
        no exact match, no overlap, no fact found, no correct abstention). A
        key where lower is better (a rate of invented numbers, a count) has
        no defensible value for an output that does not exist and is left out;
        the sample still counts among the run's errors. Details say
        ``{"error": reason}``. Subclasses whose keys depend on the sample
        (``abstention``) override this.

        Args:
            item: The sample (its ``prediction`` is ignored).
            reason: Why there is no output, e.g. the runner's error message.

        Returns:
            The failure values and details.
        """
        values = {k: 0.0 for k in self.keys if self.is_higher_better(k)}
        return MetricResult(values, {"error": reason})

    def score_many(self, items: Sequence[ScoringInput]) -> list[MetricResult]:
        """Score several predictions (metrics that batch, such as ``judge``, override this)."""
        return [self.score(item) for item in items]

    def aggregate(
        self, per_sample: Sequence[Mapping[str, float]], items: Sequence[ScoringInput]
    ) -> dict[str, float]:
        """Corpus-level values; the default is the mean of each key.

        Metrics whose corpus score is not a mean (chrF) override this.
        """
        out: dict[str, float] = {}
        for key in self.keys:
            vals = [row[key] for row in per_sample if key in row]
            if vals:
                out[key] = sum(vals) / len(vals)
        return out

    def signature(self) -> str:
        """A string naming everything that determines the numbers."""
        opts = ",".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.metric_name}|{opts}" if opts else self.metric_name

    def is_higher_better(self, key: str) -> bool:
        return self.higher_is_better.get(key, True)

    def compute(self, predictions: Sequence[str], references: References) -> dict[str, Any]:
        """Aggregate scores of ``predictions`` against their references: numbers only.

        Metrics that Hugging Face ``evaluate`` also has (``rouge``, ``chrf``,
        ``squad_v2``, ``squad``, ``bertscore``) override this with ``evaluate``'s
        arguments and result keys. The signature is not part of the result: it
        is :meth:`signature` (and ``module.signature`` on the evaluate module).

        Args:
            predictions: One text per sample.
            references: Per prediction, one reference string or a list of them.

        Returns:
            The corpus values (:meth:`aggregate`), ``key -> float``.

        Raises:
            ValueError: If the two lists differ in length.
            TypeError: If a reference is neither a string nor a list of strings.
        """
        items = [
            ScoringInput(prediction=p, references=r)
            for p, r in zip(predictions, reference_lists(references), strict=True)
        ]
        rows = [dict(self.score(item).values) for item in items]
        return dict(self.aggregate(rows, items))

    #: Options that :func:`harness.metrics.load` (the ``evaluate`` drop-in) sets to
    #: ``evaluate``'s defaults unless given, where those differ from the harness's own
    #: (``rouge``: ``use_stemmer=False``). :func:`harness.metrics.create` keeps the
    #: harness defaults.
    evaluate_defaults: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def evaluate_features(cls) -> list[Any]:
        """The ``datasets.Features`` the evaluate module accepts (imports datasets).

        The default: a string prediction with one reference string, or with a
        list of reference strings (as evaluate's own ``rouge`` and ``bleu``).
        evaluate picks the first set that the first example fits.
        """
        import datasets

        return [
            datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            datasets.Features(
                {
                    "predictions": datasets.Value("string"),
                    "references": datasets.Sequence(datasets.Value("string")),
                }
            ),
        ]


def _listing_references(compute: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``compute`` so that its ``references`` arrive as lists of strings."""

    @functools.wraps(compute)
    def wrapper(
        self: HarnessMetric, predictions: Sequence[str], references: References, *args: Any,
        **kwargs: Any,
    ) -> Any:
        return compute(self, predictions, reference_lists(references), *args, **kwargs)

    wrapper._lists_references = True  # type: ignore[attr-defined]
    return wrapper


HarnessMetric.compute._lists_references = True  # type: ignore[attr-defined]

_F = TypeVar("_F", bound=Callable[..., Any])


def own_references(compute: _F) -> _F:
    """Mark a subclass's ``compute`` as reading its ``references`` itself (dicts, ids).

    Without the mark, a subclass's ``compute`` gets every reference as a list
    of strings (:func:`reference_lists`); ``squad_v2`` and ``squad`` also take
    evaluate's ``{"id": ..., "answers": {"text": [...]}}`` records.
    """
    compute._lists_references = True  # type: ignore[attr-defined]
    return compute


def as_evaluate_module(metric: HarnessMetric) -> Any:
    """Wrap ``metric`` as an :class:`evaluate.EvaluationModule` (imports evaluate lazily).

    The module's ``compute(predictions=..., references=..., **kwargs)`` goes
    through evaluate's Arrow buffer like any hub module and then calls
    ``metric.compute`` with the same keyword arguments, so a metric that
    ``evaluate`` also has takes the same arguments and returns the same keys.
    ``module.harness_metric`` is the wrapped metric and ``module.signature``
    its signature string (never among the numeric results). The input forms
    are :meth:`HarnessMetric.evaluate_features`; evaluate picks the form from
    the first example, so one call uses one form.
    """
    import evaluate

    class _Module(evaluate.Metric):  # type: ignore[misc]
        def _info(self) -> evaluate.MetricInfo:
            return evaluate.MetricInfo(
                description=metric.description,
                citation=metric.citation,
                inputs_description=(
                    "predictions: list of str; references: list of str (one reference each) "
                    "or list of list of str (every accepted reference)"
                ),
                features=metric.evaluate_features(),
                module_type="metric",
            )

        def _compute(self, predictions: Any, references: Any, **kwargs: Any) -> dict[str, Any]:
            result: dict[str, Any] = metric.compute(predictions, references, **kwargs)
            return result

        @property
        def signature(self) -> str:
            """What determines the numbers (tokenizer, stemmer, versions, options)."""
            return metric.signature()

    _Module.__name__ = _Module.__qualname__ = "".join(
        part.capitalize() for part in metric.metric_name.split("_")
    )
    module = _Module(keep_in_memory=True)
    module.harness_metric = metric
    return module
