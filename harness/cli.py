"""The ``harness`` command: thin argument parsing around the pipeline.

Exit codes: 0 success, 1 a gate or check failed, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Secrets:
    """The secrets the console must not show: secret-named environment variables, and those a
    config declares (its runners' keys, URL passwords, ``*_env`` variables) once loaded."""

    def __init__(self) -> None:
        self.options: list[object] = []

    def update(self, cfg: object) -> None:
        runners = getattr(cfg, "runners", [])
        self.options.extend(dict(getattr(r, "options", {})) for r in runners)

    def text(self, msg: str) -> str:
        from harness.results import Scrubber, secret_values

        return Scrubber(secret_values(self.options)).text(msg)


_SECRETS = _Secrets()


def _err(msg: str) -> None:
    """``harness: error: MSG`` on stderr, with secrets masked and control characters shown
    as U+FFFD (a model's error message cannot move the cursor or retitle the terminal)."""
    from harness.text.display import printable

    print(f"harness: error: {printable(_SECRETS.text(msg), keep=chr(10))}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    import signal

    from harness.config import load_config
    from harness.pipeline import (
        RunAborted,
        RunInterrupted,
        RunnerFailed,
        Terminated,
        TooManyErrors,
        check_runners,
        run,
    )
    from harness.progress import make_progress

    if args.max_errors is not None and args.max_errors < 0:
        _err(f"--max-errors: must be 0 or more, got {args.max_errors}")
        return EXIT_USAGE
    cfg, base = load_config(args.config)
    _SECRETS.update(cfg)
    check_runners(cfg, Path(args.config), unknown_types=False)  # options: file and line

    def terminate(signum: int, frame: object) -> None:
        raise Terminated(signal.Signals(signum).name)  # stops the run as Ctrl-C does

    previous = None
    with contextlib.suppress(ValueError):  # not the main thread: no handler
        previous = signal.signal(signal.SIGTERM, terminate)
    try:
        path = run(
            cfg,
            base,
            Path(args.output) if args.output else None,
            run_id=args.run_id,
            use_cache=not args.no_cache,
            resume=Path(args.resume) if args.resume else None,
            progress=make_progress(args.quiet),
            max_errors=args.max_errors,
            config_path=Path(args.config),
        )
    except RunAborted as exc:
        if not exc.resumable:
            _err(f"stopped: {exc}")
            return EXIT_FAILED
        _err(
            f"stopped: {exc}\n"
            f"  what was produced is saved in {exc.run_dir}\n"
            f"  resume with: harness run {args.config} --resume {exc.run_dir}"
        )
        return EXIT_FAILED
    except (TooManyErrors, RunnerFailed) as exc:
        _err(
            f"stopped: {exc}\n"
            f"  what was produced is saved in {exc.run_dir}\n"
            f"  resume with: harness run {args.config} --resume {exc.run_dir}"
        )
        return EXIT_FAILED
    except RunInterrupted as exc:
        what = "terminated (SIGTERM)" if exc.signal_name else "interrupted"
        _err(
            f"{what}; everything computed so far is saved in {exc.run_dir}\n"
            f"  resume with: harness run {args.config} --resume {exc.run_dir}"
        )
        return 143 if exc.signal_name == "SIGTERM" else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _print_summary(path)
    return EXIT_OK


def _print_summary(path: Path) -> None:
    from harness.report.markdown import COLUMNS

    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    for task in ("qa", "summary"):
        cols = COLUMNS[task]
        rows = [
            (r, summary["results"][r][task])
            for r in summary["runners"]
            if task in summary["results"].get(r, {})
        ]
        if not rows:
            continue
        shown = [c for c in cols if any(c in res["metrics"] for _, res in rows)]
        width = max(len(r) for r, _ in rows)
        w = {c: max(16, len(c)) for c in shown}  # "faithful_coverage.score" is wider than 16
        print(f"\n{task}: " + "  ".join(f"{c:>{w[c]}}" for c in shown))
        for r, res in rows:
            vals = "  ".join(
                f"{res['metrics'][c]['value']:>{w[c]}.3f}"
                if c in res["metrics"]
                else f"{'-':>{w[c]}}"
                for c in shown
            )
            err = f"  ({res['errors']} errors)" if res["errors"] else ""
            print(f"{r:<{width}}  {vals}{err}")
    _print_costs(path)
    print(f"\nreport: {path / 'report.md'}")
    if (path / "report.html").is_file():
        print(f"html: {path / 'report.html'}")
    print(f"results: {path}")


def _print_costs(path: Path) -> None:
    """The estimated cost of each runner that has a ``price`` (from ``manifest.json``)."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    runners = manifest.get("runners") if isinstance(manifest, dict) else None
    for name, info in (runners or {}).items():
        usage = info.get("usage") if isinstance(info, dict) else None
        cost = usage.get("estimated_cost") if isinstance(usage, dict) else None
        if isinstance(usage, dict) and isinstance(cost, dict):
            print(
                f"\nestimated cost of {name}: {cost.get('total')} {cost.get('currency')} "
                f"({usage.get('prompt_tokens')} prompt + {usage.get('completion_tokens')} "
                f"completion tokens; {cost.get('uncached')} not from the cache)"
            )


PREDICTION_KEYS = frozenset({"sample_id", "id", "text", "prediction", "runner"})


def cmd_score(args: argparse.Namespace) -> int:
    from harness.config import RunConfig, RunnerSpec
    from harness.gold.load import loads_strict
    from harness.pipeline import UnknownSampleIds, default_metrics, score_predictions

    preds: dict[str, dict[str, str]] = {}
    where: dict[tuple[str, str], int] = {}  # (runner, sample id) -> line
    path = Path(args.predictions)
    try:
        data = path.read_bytes()
    except OSError as exc:
        _err(f"{path}: cannot read: {exc.strerror}")
        return EXIT_USAGE
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        _err(f"{path}:{bad_line}: not valid UTF-8 (byte {exc.start})")
        return EXIT_USAGE
    from harness.gold import predictions as squad_files

    squad = squad_files.is_squad_predictions(raw, PREDICTION_KEYS)
    if args.na_prob and not squad:
        _err(f"--na-prob: needs a SQuAD prediction file ({{id: text}}); {path} is JSONL")
        return EXIT_USAGE
    if not 0.0 <= args.na_prob_thresh <= 1.0:
        _err(f"--na-prob-thresh: must be between 0 and 1, got {args.na_prob_thresh}")
        return EXIT_USAGE
    if squad:  # the official SQuAD evaluation's {question id: answer} (+ its na_prob file)
        texts, lines = squad_files.read_squad_predictions(path)
        if args.na_prob:
            probs, prob_lines = squad_files.read_na_probs(Path(args.na_prob))
            texts = squad_files.apply_na_probs(
                texts, probs, args.na_prob_thresh, Path(args.na_prob), prob_lines
            )
        preds[args.name] = texts
        where.update({(args.name, qid): no for qid, no in lines.items()})
    for no, line in enumerate([] if squad else raw.removeprefix("\ufeff").split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = loads_strict(line)
        except json.JSONDecodeError as exc:
            _err(f"{path}:{no}: invalid JSON: {exc.msg} (column {exc.colno})")
            return EXIT_USAGE
        except ValueError as exc:  # NaN, Infinity
            _err(f"{path}:{no}: invalid JSON: {exc}")
            return EXIT_USAGE
        if not isinstance(obj, dict):
            _err(f"{path}:{no}: (record): expected a JSON object, got {type(obj).__name__}")
            return EXIT_USAGE
        unknown = sorted(set(obj) - PREDICTION_KEYS)
        if unknown:
            _err(
                f"{path}:{no}: {unknown[0]}: unknown key "
                f"(a line has sample_id, text and optionally runner)"
            )
            return EXIT_USAGE
        sid = obj.get("sample_id", obj.get("id"))
        text = obj.get("text", obj.get("prediction"))
        if not isinstance(sid, str):
            _err(f"{path}:{no}: sample_id: missing or not a string")
            return EXIT_USAGE
        if not isinstance(text, str):
            _err(f"{path}:{no}: text: missing or not a string")
            return EXIT_USAGE
        runner = obj.get("runner", args.name)
        if not isinstance(runner, str) or not runner.strip():
            _err(f"{path}:{no}: runner: not a non-empty string: {runner!r}")
            return EXIT_USAGE
        if sid in preds.setdefault(runner, {}):
            first = where[(runner, sid)]
            _err(
                f"{path}:{no}: sample_id: {sid!r} appears twice for runner {runner!r} "
                f"(first on line {first})"
            )
            return EXIT_USAGE
        preds[runner][sid] = text
        where[(runner, sid)] = no
    if not preds:
        _err(f"{path}: no predictions (the file is empty)")
        return EXIT_USAGE
    # Bare SQuAD question ids (gold imported from SQuAD-format data) name their QA sample.
    from harness.gold.load import build_samples, load_gold

    samples = build_samples(load_gold(args.gold), ["qa", "summary"], None)
    for runner, given in list(preds.items()):
        ids = squad_files.resolve_ids(given, samples)
        resolved: dict[str, str] = {}
        for qid, text in given.items():
            sid = ids.get(qid, qid)
            if sid in resolved:
                earlier = next(q for q in given if ids.get(q, q) == sid)
                _err(
                    f"{path}:{where[(runner, qid)]}: sample_id: {qid!r} names sample {sid!r}, "
                    f"as {earlier!r} on line {where[(runner, earlier)]} does"
                )
                return EXIT_USAGE
            resolved[sid] = text
            where[(runner, sid)] = where[(runner, qid)]
        preds[runner] = resolved
    # The default config's metrics (key facts, hallucinations, abstention too), or a config's.
    metrics = default_metrics()
    if args.config:
        from harness.config import load_config

        metrics = load_config(args.config)[0].metrics
    cfg = RunConfig(
        name="scored",
        gold=[str(Path(g).resolve()) for g in args.gold],
        runners=[RunnerSpec(name="predictions", type="scripted")],
        metrics=metrics,
    )
    try:
        out = score_predictions(cfg, Path.cwd(), preds, Path(args.output))
    except UnknownSampleIds as exc:  # nothing was written
        for runner, sid in exc.ids[:5]:
            _err(
                f"{path}:{where[(runner, sid)]}: sample_id: unknown sample ids: {sid} "
                f"(not in {', '.join(args.gold)})"
            )
        if len(exc.ids) > 5:
            _err(f"{path}: {len(exc.ids) - 5} more unknown sample ids")
        return EXIT_USAGE
    _print_summary(out)
    return EXIT_OK


def cmd_meta_eval(args: argparse.Namespace) -> int:
    from harness.metaeval.render import render_html, render_markdown
    from harness.metaeval.run import meta_eval
    from harness.results import atomic_write_text

    if args.resamples < 0:
        _err(f"--resamples: must be 0 or more, got {args.resamples}")
        return EXIT_USAGE
    result = meta_eval(
        args.gold, args.config, args.metrics, resamples=args.resamples, seed=args.seed
    )
    markdown = render_markdown(result.qa, result.summary)
    if args.html:
        atomic_write_text(Path(args.html), render_html(markdown))
    try:
        sys.stdout.write(markdown)
        sys.stdout.flush()
    except BrokenPipeError:  # `harness meta-eval | head`: the docs' recipe, no traceback at exit
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    if args.what == "runners":
        from harness.runners.base import RUNNERS, load_builtins

        load_builtins()
        for name in RUNNERS.names():
            cls = RUNNERS.get(name)
            doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            print(f"{name:<14} {RUNNERS.origin(name):<22} {doc}")
    else:
        from harness import metrics

        for name in metrics.names():
            cls = metrics.METRICS.get(name)
            print(f"{name:<14} {metrics.METRICS.origin(name):<22} {cls.description}")
    return EXIT_OK


def cmd_gold_validate(args: argparse.Namespace) -> int:
    from harness.gold.validate import validate_path

    problems = validate_path(Path(args.path))
    for p in sorted(problems):
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) in {args.path}", file=sys.stderr)
        return EXIT_USAGE
    from harness.gold.judgements import load_qa_judgements, load_summary_judgements
    from harness.gold.load import load_gold

    docs = load_gold(args.path)
    for d in docs:
        answerable = sum(q.answerable for q in d.qa)
        judged = len(load_qa_judgements(d)), len(load_summary_judgements(d))
        extra = f", {judged[0]} judged answers, {judged[1]} judged summaries" if any(judged) else ""
        print(
            f"{d.id}: ok ({answerable} answerable + {len(d.qa) - answerable} unanswerable "
            f"questions, {len(d.summaries)} reference summaries, {len(d.facts)} key facts"
            f"{extra})"
        )
    return EXIT_OK


def cmd_gold_locate(args: argparse.Namespace) -> int:
    from harness.gold.locate import locate

    result = locate(Path(args.path), write=not args.check)
    for line in result.changed:
        print(("would set " if args.check else "set ") + line)
    for line in result.problems:
        print(line, file=sys.stderr)
    if result.problems:
        return EXIT_USAGE
    if args.check and result.changed:
        return EXIT_FAILED
    print(f"{len(result.changed)} evidence span(s) {'to fix' if args.check else 'set'}")
    return EXIT_OK


def cmd_gold_import_squad(args: argparse.Namespace) -> int:
    from harness.gold.importers import import_squad
    from harness.gold.validate import validate_document

    try:
        result = import_squad(
            args.file,
            args.out,
            language=args.language,
            id_prefix=args.id_prefix,
            limit_articles=args.limit_articles,
            english=args.english,
            publication=args.publication,
            license=args.license,
            overwrite=args.overwrite,
        )
    except FileExistsError as exc:
        _err(str(exc))
        return EXIT_USAGE
    for warning in result.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    problems = sorted(p for d in result.documents for p in validate_document(d.path))
    for problem in problems:
        print(problem)
    print(f"{args.out}: {result.report.summary()}")
    if problems:
        _err(f"{len(problems)} problem(s) in the imported gold (see above)")
        return EXIT_USAGE
    return EXIT_OK


def cmd_gold_export(args: argparse.Namespace) -> int:
    from harness.gold.export import export_gold
    from harness.gold.load import load_gold
    from harness.gold.validate import validate_path

    problems = sorted(p for g in args.gold for p in validate_path(g))
    for problem in problems:
        print(problem)
    if problems:
        _err(f"{len(problems)} problem(s) in the gold; fix them before exporting")
        return EXIT_USAGE
    try:
        result = export_gold(load_gold(args.gold), args.dir, parquet=args.parquet)
    except FileExistsError as exc:
        _err(str(exc))
        return EXIT_USAGE
    rows = ", ".join(f"{name} {n}" for name, n in result.rows.items())
    print(f"{result.path}: DatasetDict ({rows} rows); load with datasets.load_from_disk")
    for path in result.parquet:
        print(f"  {path}")
    return EXIT_OK


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def cmd_export(args: argparse.Namespace) -> int:
    from harness.report.load import load_run

    run = load_run(args.run_dir)
    if args.format == "lm-eval":
        from harness.report.lmeval import export_lm_eval

        out = Path(args.output) if args.output else run.path / "lm-eval"
        for written in export_lm_eval(run, out, samples=not args.no_samples):
            print(written)
    else:
        from harness.report.frame import PARQUET_FILE, score_columns, write_parquet

        target = Path(args.output) if args.output else run.path / PARQUET_FILE
        columns = score_columns(run.samples, run.scores.values(), run.generations, run.run_id)
        print(write_parquet(target, columns))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from harness.report.rebuild import rebuild_reports

    for path in rebuild_reports(Path(args.run_dir)):
        print(path)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from harness.report.compare import compare_html, compare_markdown, compare_runs
    from harness.report.load import DEFAULT_RIGHT, Rule, load_run
    from harness.results import atomic_write_text

    try:
        rules = tuple(Rule.parse(t) for t in args.right) if args.right else DEFAULT_RIGHT
    except ValueError as exc:
        _err(f"--right: {exc}")
        return EXIT_USAGE
    if not 0 < args.confidence < 1:
        _err(f"--confidence: must be between 0 and 1, got {args.confidence}")
        return EXIT_USAGE
    run_a, run_b = load_run(args.run_a), load_run(args.run_b)
    if args.right:  # a typo must not make every sample "unjudged"
        have = sorted({k for r in (run_a, run_b) for sc in r.scores.values() for k in sc.values})
        for rule in rules:
            if rule.key not in have:
                _err(f"--right: no score of either run has metric {rule.key!r} "
                     f"(metrics there: {', '.join(have)})")  # fmt: skip
                return EXIT_USAGE
    comparison = compare_runs(
        run_a,
        run_b,
        runner_a=args.runner_a,
        runner_b=args.runner_b,
        rules=rules,
        resamples=args.resamples,
        confidence=args.confidence,
        seed=args.seed,
    )
    text = compare_markdown(comparison, max_flips=args.max_flips)
    print(text)
    if args.output:
        atomic_write_text(Path(args.output), text)
    if args.html:
        atomic_write_text(Path(args.html), compare_html(comparison))
        print(f"html: {args.html}", file=sys.stderr)
    return EXIT_OK


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from harness.report.leaderboard import (
        leaderboard_html,
        leaderboard_markdown,
        present_keys,
        scan,
        sort_rows,
    )
    from harness.results import atomic_write_text

    rows, skipped = scan(args.results_dir)
    if not rows:
        _err(f"{args.results_dir}: no finished runs (folders with summary.json)")
        return EXIT_USAGE
    keys = present_keys(rows, args.metrics)
    rows = sort_rows(rows, args.sort or keys[0])
    print(leaderboard_markdown(rows, keys, skipped), end="")
    if args.html:
        atomic_write_text(
            Path(args.html), leaderboard_html(rows, keys, skipped, title=str(args.results_dir))
        )
        print(f"html: {args.html}", file=sys.stderr)
    return EXIT_OK


def cmd_gate(args: argparse.Namespace) -> int:
    import os

    from harness.report.gate import (
        baseline_path,
        evaluate_gates,
        gate_markdown,
        junit_xml,
        load_baseline,
        load_gates,
    )
    from harness.report.load import load_run
    from harness.results import atomic_write_text

    gates = load_gates(args.config)
    run = load_run(args.run_dir)
    baseline = load_baseline(gates.config, baseline_path(gates, args.baseline))
    report = evaluate_gates(gates, run, baseline)
    text = gate_markdown(report)
    print(text)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as exc:  # the verdict above still stands
            print(f"harness: warning: GITHUB_STEP_SUMMARY {summary_file}: {exc}", file=sys.stderr)
    if args.junit:
        atomic_write_text(Path(args.junit), junit_xml(report, run, samples=args.junit_samples))
    return EXIT_OK if report.passed else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    from harness import __version__

    p = argparse.ArgumentParser(
        prog="harness",
        description=("Evaluate language models on document-grounded QA and summarisation."),
    )
    p.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="evaluate the runners of a config; writes results/<run-id>/")
    r.add_argument("config", help="YAML config, e.g. configs/default.yaml")
    r.add_argument("-o", "--output", help="results folder (default: the config's output_dir)")
    r.add_argument("--run-id", help="name of the run folder (default: time-name-random)")
    r.add_argument("--no-cache", action="store_true", help="generate afresh, ignore the cache")
    r.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    r.add_argument(
        "--max-errors",
        type=int,
        metavar="N",
        help="stop (exit 1) once more than N samples failed; resume later with --resume",
    )
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("score", help="score predictions made elsewhere (JSONL: sample_id, text)")
    s.add_argument("--gold", nargs="+", default=["gold"], help="gold folder(s)")
    s.add_argument(
        "--predictions",
        required=True,
        help="JSONL file, one object per line; or a SQuAD prediction file {question id: text}",
    )
    s.add_argument(
        "--na-prob",
        metavar="FILE",
        help="SQuAD v2 no-answer probabilities {question id: p} for a SQuAD prediction file",
    )
    s.add_argument(
        "--na-prob-thresh",
        type=float,
        default=1.0,
        metavar="T",
        help="a prediction whose no-answer probability exceeds T counts as no answer (1.0)",
    )
    s.add_argument("--name", default="predictions", help="runner label when lines have none")
    s.add_argument("-o", "--output", default="results", help="results folder")
    s.add_argument(
        "--config",
        metavar="FILE",
        help="score with this config's metrics (default: those of configs/default.yaml)",
    )
    s.set_defaults(func=cmd_score)

    me = sub.add_parser(
        "meta-eval",
        help="agreement of each metric with the human judgements in the gold (accuracy, kappa)",
    )
    me.add_argument("gold", nargs="*", help="gold folder(s) (default: the config's, else gold/)")
    me.add_argument("--config", help="meta-evaluate this run config's metrics (a judge too)")
    me.add_argument("--metrics", nargs="+", metavar="NAME", help="only these metrics")
    me.add_argument("--html", metavar="FILE", help="also write one self-contained HTML page")
    me.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (1000)")
    me.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    me.set_defaults(func=cmd_meta_eval)

    ls = sub.add_parser("list", help="list registered runners or metrics")
    ls.add_argument("what", choices=["runners", "metrics"])
    ls.set_defaults(func=cmd_list)

    g = sub.add_parser("gold", help="gold data tools")
    gsub = g.add_subparsers(dest="gold_command", required=True)
    gv = gsub.add_parser("validate", help="check gold folders; exit 2 listing every problem")
    gv.add_argument("path", nargs="?", default="gold")
    gv.set_defaults(func=cmd_gold_validate)
    gl = gsub.add_parser("locate", help="fill in evidence start/end offsets from evidence text")
    gl.add_argument("path", nargs="?", default="gold")
    gl.add_argument("--check", action="store_true", help="change nothing; exit 1 if offsets "
                    "are missing or stale")
    gl.set_defaults(func=cmd_gold_locate)
    gi = gsub.add_parser(
        "import-squad", help="SQuAD v1/v2-format JSON (SQuAD, XQuAD, GermanQuAD, MLQA) to gold"
    )
    gi.add_argument("file", help="SQuAD-format JSON file")
    gi.add_argument("out", help="gold root to write one folder per paragraph into")
    gi.add_argument("--language", default="de", help="language of the file (default: de)")
    gi.add_argument("--id-prefix", help="document id prefix (default: the file name)")
    gi.add_argument("--limit-articles", type=_positive_int, metavar="N", help="first N only")
    gi.add_argument("--english", metavar="FILE", help="parallel English file for question_en")
    gi.add_argument("--publication", help="source.publication (default: the file name)")
    gi.add_argument("--license", help="license recorded in meta.json, e.g. 'CC BY-SA 4.0'")
    gi.add_argument("--overwrite", action="store_true", help="replace existing document folders")
    gi.set_defaults(func=cmd_gold_import_squad)
    ge = gsub.add_parser("export", help="the gold as a datasets.DatasetDict on disk (+ Parquet)")
    ge.add_argument("dir", help="output folder (empty, or an earlier export)")
    ge.add_argument("--gold", nargs="+", default=["gold"], help="gold folder(s)")
    ge.add_argument("--parquet", action="store_true", help="also DIR/parquet/ for the Hub")
    ge.set_defaults(func=cmd_gold_export)
    ex = sub.add_parser(
        "export", help="a run's results for other tools: lm-evaluation-harness JSON, Parquet"
    )
    ex.add_argument("run_dir", help="a run folder, e.g. results/<run-id>")
    ex.add_argument(
        "--format",
        choices=["lm-eval", "parquet"],
        required=True,
        help="lm-eval: <out>/<runner>/results_<date>.json (+ samples_*.jsonl); "
        "parquet: the per-sample scores table",
    )
    ex.add_argument(
        "-o", "--output", help="folder (lm-eval; default RUN/lm-eval) or file (parquet)"
    )
    ex.add_argument("--no-samples", action="store_true", help="lm-eval: results files only")
    ex.set_defaults(func=cmd_export)
    rp = sub.add_parser("report", help="rebuild report.md and report.html of a run from its files")
    rp.add_argument("run_dir", help="a run folder, e.g. results/<run-id>")
    rp.set_defaults(func=cmd_report)

    cp = sub.add_parser(
        "compare", help="B vs A: paired deltas with CIs and significance, flipped samples"
    )
    cp.add_argument("run_a", help="run folder A (the reference)")
    cp.add_argument("run_b", help="run folder B (compared against A; may be A itself)")
    cp.add_argument("--runner-a", help="runner of A (default: pair runners by name)")
    cp.add_argument("--runner-b", help="runner of B (default: --runner-a)")
    cp.add_argument(
        "--right",
        action="append",
        metavar="KEY>=VALUE",
        help="when a sample counts as right, e.g. 'qa_de.exact>=100' (repeatable; the first "
        "rule whose metric a sample has applies; default: qa_de.exact>=100, rouge.rougeL>=0.5)",
    )
    cp.add_argument("--resamples", type=_positive_int, default=2000, help="bootstrap resamples")
    cp.add_argument("--confidence", type=float, default=0.95, help="CI level (alpha = 1 - it)")
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--max-flips", type=int, default=20, help="flips listed per direction")
    cp.add_argument("-o", "--output", metavar="FILE.md", help="also write the Markdown here")
    cp.add_argument("--html", metavar="FILE", help="also write an HTML page here")
    cp.set_defaults(func=cmd_compare)

    lb = sub.add_parser("leaderboard", help="one table of every run and runner in a folder")
    lb.add_argument("results_dir", nargs="?", default="results", help="default: results")
    lb.add_argument("--metrics", nargs="+", metavar="KEY", help="columns (metric keys)")
    lb.add_argument("--sort", metavar="KEY", help="sort by this metric (default: first column)")
    lb.add_argument("--html", metavar="FILE", help="also write a sortable HTML table here")
    lb.set_defaults(func=cmd_leaderboard)

    gt = sub.add_parser(
        "gate", help="CI gates: thresholds and significant regressions (exit 0 pass, 1 fail)"
    )
    gt.add_argument("run_dir", help="the run to check")
    gt.add_argument("--config", required=True, metavar="GATES.yaml", help="the gates")
    gt.add_argument("--baseline", metavar="RUN_DIR", help="baseline run (overrides the file's)")
    gt.add_argument("--junit", metavar="FILE.xml", help="write JUnit XML (one case per gate)")
    gt.add_argument(
        "--junit-samples", action="store_true", help="add one JUnit case per sample and runner"
    )
    gt.set_defaults(func=cmd_gate)
    return p


class _PipeSafe:
    """``sys.stdout`` that, once the reader has gone (``harness compare | head``), drops
    further output instead of raising BrokenPipeError, so the command still ends with its
    own exit code (a gate's verdict) and no traceback. Everything written passes
    :func:`harness.text.display.printable` (newlines and tabs stay)."""

    def __init__(self, inner: Any) -> None:
        from harness.text.display import printable as _printable

        self._inner = inner
        self.broken = False
        self._printable = _printable

    def _gone(self) -> None:
        import os

        self.broken = True
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._inner.fileno())

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            # Data reaches the terminal as text: no escape sequence, carriage return or
            # direction override from a model, a file or a runner name acts on it.
            self._inner.write(self._printable(text))
            return len(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        if self.broken:
            return
        try:
            self._inner.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def main(argv: list[str] | None = None) -> int:
    """Run one ``harness`` command; returns its exit code (see the module docstring).

    Errors that are the input's (a config, gold, run folder, output path) print one
    ``harness: error: file:line: field: what`` line and return 2; none prints a traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    from harness.config import ConfigError
    from harness.gold.load import GoldError
    from harness.registry import UnknownNameError

    stdout = sys.stdout
    sys.stdout = guarded = _PipeSafe(stdout)
    try:
        code: int = args.func(args)
        guarded.flush()
        return code
    except (ConfigError, GoldError, UnknownNameError, FileNotFoundError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except RecursionError:
        _err("input nested too deeply to read (JSON or YAML)")
        return EXIT_USAGE
    except OSError as exc:  # a full or read-only disk, a folder that cannot be made
        from harness.results import describe_os_error

        _err(describe_os_error(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    finally:
        if sys.stdout is guarded:
            sys.stdout = stdout


if __name__ == "__main__":
    sys.exit(main())
