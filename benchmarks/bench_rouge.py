"""Benchmark: harness ROUGE vs ``rouge_score`` on German summaries, plus English parity.

Builds ``--n`` (10,000 by default) German reference/prediction pairs
deterministically from the sentences of a German article (references: 2–4
sentences, one per line; predictions: the same sentences with words dropped,
swapped, replaced and re-inflected, sometimes on one line), then times

* ours: ``Rouge()`` (language ``de``, Unicode tokens, Snowball stems, German
  sentences for Lsum), one ``score_one`` call per pair, from cold caches (and,
  for information, once more through ``compute``);
* ``rouge_score.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"],
  use_stemmer=True)``, one ``score`` call per pair;

and prints both wall times and the ratio. Then it checks on ``--parity``
(2,000) seeded ASCII-English pairs that ``Rouge(language="en")`` equals
``rouge_score`` (precision, recall, F of all four types, stemmer on and off) and
prints the largest absolute difference, which must be 0.

Example:
    .venv/bin/python benchmarks/bench_rouge.py --n 2000

    >>> pairs = german_pairs(["Die Sitzung fand statt.", "Er sprach lange."], 2, seed=1)
    >>> len(pairs), all(isinstance(p, str) and isinstance(r, str) for p, r in pairs)
    (2, True)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from rouge_score import rouge_scorer

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from harness.metrics.base import ScoringInput  # noqa: E402
from harness.metrics.rouge import DEFAULT_TYPES, Rouge  # noqa: E402
from harness.text import stem as stem_module  # noqa: E402
from harness.text.sentences import split_sentences  # noqa: E402

GOLD_ARTICLE = REPO / "gold" / "kambodscha-menschenhandel-2025" / "article.txt"
SEED_ARTICLE = REPO.parent / "shared" / "seed" / "article.de.txt"
DEFAULT_ARTICLE = GOLD_ARTICLE if GOLD_ARTICLE.is_file() else SEED_ARTICLE
_ENDINGS = ("", "e", "en", "er", "es", "s", "n")
_EN_VOCAB = (
    "the", "cat", "dog", "runs", "running", "ran", "quickly", "over", "a", "lazy", "fox", "jumps",
    "jumped", "and", "is", "was", "agreed", "agreement", "meeting", "meetings", "plan", "plans",
    "strengthen", "strengthened", "victims", "protection", "of", "to", "in", "on", "for", "2024",
    "2028", "november", "un", "nations",
)


def _inflect(word: str, rnd: random.Random) -> str:
    """Change a German word's ending the way inflection does (roughly)."""
    for end in ("en", "er", "es", "e", "n", "s"):
        if len(word) > len(end) + 3 and word.endswith(end):
            return word[: -len(end)] + rnd.choice(_ENDINGS)
    return word + rnd.choice(_ENDINGS)


def _perturb(sentence: str, pool: list[str], rnd: random.Random) -> str:
    words = sentence.split()
    out: list[str] = []
    for w in words:
        x = rnd.random()
        if x < 0.15:
            continue  # drop
        if x < 0.25:
            out.append(rnd.choice(pool))  # replace
        elif x < 0.35:
            out.append(_inflect(w, rnd))
        else:
            out.append(w)
    for _ in range(rnd.randrange(0, 3)):  # local swaps
        if len(out) > 2:
            k = rnd.randrange(len(out) - 1)
            out[k], out[k + 1] = out[k + 1], out[k]
    return " ".join(out) or rnd.choice(pool)


def german_pairs(sentences: list[str], n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (prediction, reference) pairs of German summaries, deterministic in ``seed``.

    Args:
        sentences: Source sentences (from the article).
        n: Number of pairs.
        seed: Random seed.

    Returns:
        A list of ``(prediction, reference)`` strings.
    """
    rnd = random.Random(seed)
    pool = [w for s in sentences for w in s.split()]
    pairs: list[tuple[str, str]] = []
    for _ in range(n):
        k = rnd.randint(2, min(4, len(sentences)))
        start = rnd.randrange(len(sentences) - k + 1)
        ref_sents = sentences[start : start + k]
        pred_sents = [_perturb(s, pool, rnd) for s in ref_sents]
        if rnd.random() < 0.3:
            pred_sents.insert(rnd.randrange(len(pred_sents) + 1), rnd.choice(sentences))
        if rnd.random() < 0.2:
            pred_sents.pop(rnd.randrange(len(pred_sents)))
        joiner = "\n" if rnd.random() < 0.8 else " "
        pairs.append((joiner.join(pred_sents), "\n".join(ref_sents)))
    return pairs


def english_pairs(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` ASCII-English (prediction, reference) pairs, one sentence per line."""
    rnd = random.Random(seed)

    def sentence() -> str:
        words = [rnd.choice(_EN_VOCAB) for _ in range(rnd.randint(1, 14))]
        punct = rnd.choice([".", ".", "!", ",", ""])
        return " ".join(words) + punct

    def text() -> str:
        return "\n".join(sentence() for _ in range(rnd.randint(1, 4)))

    return [(text(), text()) for _ in range(n)]


def time_ours(pairs: list[tuple[str, str]]) -> float:
    stem_module.stem.cache_clear()
    metric = Rouge()
    t0 = time.perf_counter()
    for pred, ref in pairs:
        metric.score_one(ScoringInput(prediction=pred, references=[ref]))
    return time.perf_counter() - t0


def time_ours_compute(pairs: list[tuple[str, str]]) -> float:
    """The same through the evaluate side (``compute``, Arrow round trip included)."""
    stem_module.stem.cache_clear()
    metric = Rouge()
    t0 = time.perf_counter()
    metric.compute(predictions=[p for p, _ in pairs], references=[[r] for _, r in pairs])
    return time.perf_counter() - t0


def time_rouge_score(pairs: list[tuple[str, str]]) -> float:
    scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=True)
    t0 = time.perf_counter()
    for pred, ref in pairs:
        scorer.score(ref, pred)
    return time.perf_counter() - t0


def parity(pairs: list[tuple[str, str]]) -> float:
    """Largest |ours - rouge_score| over P, R, F of every type, stemmer on and off."""
    worst = 0.0
    for use_stemmer in (True, False):
        scorer = rouge_scorer.RougeScorer(list(DEFAULT_TYPES), use_stemmer=use_stemmer)
        ours = Rouge(language="en", use_stemmer=use_stemmer)
        for pred, ref in pairs:
            theirs = scorer.score(ref, pred)
            mine = ours.score_triples(pred, [ref])
            for t in DEFAULT_TYPES:
                for a, b in zip(theirs[t], mine[t], strict=True):
                    worst = max(worst, abs(a - b))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--article",
        type=Path,
        default=DEFAULT_ARTICLE,
        help="German article (default: the gold article, else shared/seed/article.de.txt)",
    )
    parser.add_argument("--n", type=int, default=10_000, help="number of German pairs")
    parser.add_argument("--parity", type=int, default=2_000, help="number of English pairs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    sentences = split_sentences(args.article.read_text(encoding="utf-8"))
    pairs = german_pairs(sentences, args.n, args.seed)
    ours = time_ours(pairs)
    via_compute = time_ours_compute(pairs)
    theirs = time_rouge_score(pairs)
    print(f"German pairs:        {len(pairs)} (from {len(sentences)} article sentences)")
    print(f"ours (harness Rouge): {ours:8.3f} s  ({1e6 * ours / len(pairs):7.1f} us/pair)")
    print(f"ours via compute():  {via_compute:8.3f} s  (evaluate side, Arrow included)")
    print(f"rouge_score:         {theirs:8.3f} s  ({1e6 * theirs / len(pairs):7.1f} us/pair)")
    print(f"speed-up:            {theirs / ours:8.2f}x")

    worst = parity(english_pairs(args.parity, args.seed + 1))
    print(f"English parity:      {args.parity} pairs x stemmer on/off, max |diff| = {worst!r}")
    return 0 if worst == 0.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
