"""The ``harness`` command: thin argument parsing around the pipeline.

Exit codes: 0 success, 1 a gate or check failed, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(msg: str) -> None:
    print(f"harness: error: {msg}", file=sys.stderr)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    return say


def cmd_run(args: argparse.Namespace) -> int:
    from harness.config import load_config
    from harness.pipeline import RunInterrupted, run

    cfg, base = load_config(args.config)
    try:
        path = run(
            cfg,
            base,
            Path(args.output) if args.output else None,
            run_id=args.run_id,
            use_cache=not args.no_cache,
            resume=Path(args.resume) if args.resume else None,
            progress=_progress(args.quiet),
        )
    except RunInterrupted as exc:
        _err(
            f"interrupted; everything computed so far is saved in {exc.run_dir}\n"
            f"  resume with: harness run {args.config} --resume {exc.run_dir}"
        )
        return 130
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
        print(f"\n{task}: " + "  ".join(f"{c:>16}" for c in shown))
        for r, res in rows:
            vals = "  ".join(
                f"{res['metrics'][c]['value']:>16.3f}" if c in res["metrics"] else f"{'-':>16}"
                for c in shown
            )
            err = f"  ({res['errors']} errors)" if res["errors"] else ""
            print(f"{r:<{width}}  {vals}{err}")
    print(f"\nreport: {path / 'report.md'}")
    print(f"results: {path}")


def cmd_score(args: argparse.Namespace) -> int:
    from harness.config import RunConfig, RunnerSpec
    from harness.pipeline import score_predictions

    preds: dict[str, dict[str, str]] = {}
    path = Path(args.predictions)
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"{path}: cannot read as UTF-8 text: {exc}")
        return EXIT_USAGE
    for no, line in enumerate(raw.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            _err(f"{path}:{no}: invalid JSON: {exc.msg}")
            return EXIT_USAGE
        if not isinstance(obj, dict):
            _err(f"{path}:{no}: expected a JSON object per line")
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
        if sid in preds.setdefault(str(runner), {}):
            _err(f"{path}:{no}: sample_id: {sid!r} appears twice for runner {runner!r}")
            return EXIT_USAGE
        preds[str(runner)][sid] = text
    if not preds:
        _err(f"{path}: no predictions")
        return EXIT_USAGE
    cfg = RunConfig(
        name="scored",
        gold=[str(Path(g).resolve()) for g in args.gold],
        runners=[RunnerSpec(name="predictions", type="scripted")],
    )
    out = score_predictions(cfg, Path.cwd(), preds, Path(args.output))
    _print_summary(out)
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
    from harness.gold.load import load_gold

    docs = load_gold(args.path)
    for d in docs:
        answerable = sum(q.answerable for q in d.qa)
        print(
            f"{d.id}: ok ({answerable} answerable + {len(d.qa) - answerable} unanswerable "
            f"questions, {len(d.summaries)} reference summaries, {len(d.facts)} key facts)"
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
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("score", help="score predictions made elsewhere (JSONL: sample_id, text)")
    s.add_argument("--gold", nargs="+", default=["gold"], help="gold folder(s)")
    s.add_argument("--predictions", required=True, help="JSONL file, one object per line")
    s.add_argument("--name", default="predictions", help="runner label when lines have none")
    s.add_argument("-o", "--output", default="results", help="results folder")
    s.set_defaults(func=cmd_score)

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
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from harness.config import ConfigError
    from harness.gold.load import GoldError
    from harness.registry import UnknownNameError

    try:
        code: int = args.func(args)
        return code
    except (ConfigError, GoldError, UnknownNameError, FileNotFoundError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
