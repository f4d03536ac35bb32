"""Meta-evaluation: how well each metric agrees with the human judgements in the gold.

``harness meta-eval [GOLD ...] [--config FILE] [--metrics ...] [--html FILE]``
scores every judged QA answer (``judgements.jsonl``) and every judged summary
(``summary_judgements.jsonl``) with each metric and prints the agreement:
accuracy, Cohen's kappa and error rates with bootstrap CIs for QA; per-fact
agreement, planted-error recall and pairwise ranking accuracy for summaries.
"""

from __future__ import annotations

from harness.metaeval.agreement import BinaryAgreement, binary_agreement
from harness.metaeval.qa import QAMetricAgreement, evaluate_qa, judged_answers

__all__ = [
    "BinaryAgreement",
    "QAMetricAgreement",
    "binary_agreement",
    "evaluate_qa",
    "judged_answers",
]
