"""``harness report RUN_DIR``: rebuild ``report.md`` and ``report.html`` from saved results.

No model and no gold folder is needed: ``samples.jsonl`` and
``documents.json`` in the run hold what the reports show (older runs fall
back to the gold folders their manifest names).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.report.html import write_html_report
from harness.report.load import DEFAULT_RIGHT, Document, Rule, RunData
from harness.results import atomic_write_text

if TYPE_CHECKING:
    from harness.gold.load import GoldDocument


def _gold_document(doc: Document, folder: Path) -> GoldDocument:
    """A :class:`~harness.gold.load.GoldDocument` with the article and meta (no items)."""
    from pydantic import ValidationError

    from harness.gold.load import GoldDocument
    from harness.gold.schema import MetaModel

    try:
        meta = MetaModel.model_validate(dict(doc.meta))
    except ValidationError:
        meta = MetaModel.model_construct(id=doc.id, title=doc.title, language=doc.language)
    return GoldDocument(doc.id, folder, doc.text, meta, (), (), ())


def render_markdown_from(run: RunData) -> str:
    """``report.md`` of a loaded run, exactly as the pipeline writes it."""
    from harness.pipeline import Context  # the Markdown renderer takes the pipeline's Context
    from harness.report.markdown import render_markdown

    gold = run.manifest.get("gold") or {}
    docs = {
        doc_id: _gold_document(doc, Path(str((gold.get(doc_id) or {}).get("path", run.path))))
        for doc_id, doc in run.documents.items()
    }
    ctx = Context(docs, list(run.samples.values()))
    worst = int((run.config.get("report") or {}).get("worst", 5))
    return render_markdown(
        run.path,
        ctx,
        list(run.scores.values()),
        list(run.generations.values()),
        run.summary,
        run.manifest,
        worst=worst,
    )


def rebuild_reports(run_dir: Path | str, rules: tuple[Rule, ...] = DEFAULT_RIGHT) -> list[Path]:
    """Write ``report.md`` and ``report.html`` of ``run_dir`` again; returns their paths.

    As the pipeline writes them, in bounded memory: the run's files are read in one
    streaming pass (:class:`harness.tally.RunTally`) and the lines the reports show read
    back; a large run's drill-down goes to ``report-data/`` (:func:`write_html_report`).

    Raises:
        RunLoadError: A file of the run is missing or damaged (``file:line: field: what``).
    """
    from harness.pipeline import Context
    from harness.report.drilldown import light_run
    from harness.report.stream import render_markdown_from_tally

    run, tally, _ = light_run(Path(run_dir))
    md, page = run.path / "report.md", run.path / "report.html"
    gold = run.manifest.get("gold") or {}
    docs = {
        doc_id: _gold_document(doc, Path(str((gold.get(doc_id) or {}).get("path", run.path))))
        for doc_id, doc in run.documents.items()
    }
    ctx = Context(docs, list(run.samples.values()))
    worst = int((run.config.get("report") or {}).get("worst", 5))
    try:
        text = render_markdown_from_tally(run.path, ctx, tally, run.summary, run.manifest, worst)
        atomic_write_text(md, text)
        write_html_report(run.path, rules, tally=tally)
    finally:
        tally.close()
    return [md, page]
