"""Reference implementations, loaded from the real packages for parity tests.

SQuAD v2: ``transformers.data.metrics.squad_metrics`` (transformers 4.x; 5.x dropped
it). ``scripts/setup`` downloads the 4.57.1 wheel into ``.cache/reference``; the four
scoring functions are executed straight from the wheel's source, nothing installed.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SQUAD_FUNCTIONS = ("normalize_answer", "get_tokens", "compute_exact", "compute_f1")


def squad_v2_reference() -> Any:
    wheels = sorted((ROOT / ".cache" / "reference").glob("transformers-4.*.whl"))
    if not wheels:
        raise FileNotFoundError(
            "reference wheel missing: run scripts/setup (downloads transformers 4.x into "
            ".cache/reference for the SQuAD v2 parity tests)"
        )
    with zipfile.ZipFile(wheels[-1]) as z:
        source = z.read("transformers/data/metrics/squad_metrics.py").decode("utf-8")
    tree = ast.parse(source)
    keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in SQUAD_FUNCTIONS]
    assert len(keep) == len(SQUAD_FUNCTIONS), "squad_metrics changed shape"
    namespace: dict[str, Any] = {}
    exec("import collections, re, string", namespace)
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(wheels[-1]), "exec"), namespace)

    def scores(golds: list[str], pred: str) -> tuple[float, float]:
        # get_raw_scores: drop gold answers that normalise to nothing; [""] if none remain.
        golds = [a for a in golds if namespace["normalize_answer"](a)] or [""]
        em = max(namespace["compute_exact"](a, pred) for a in golds)
        f1 = max(namespace["compute_f1"](a, pred) for a in golds)
        return 100.0 * em, 100.0 * f1

    return SimpleNamespace(scores=scores, **{k: namespace[k] for k in SQUAD_FUNCTIONS})
