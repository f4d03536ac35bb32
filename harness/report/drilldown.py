"""The drill-down of a large run: data files beside ``report.html``, read as the page needs them.

Up to :data:`INLINE_SAMPLES` samples, ``report.html`` holds every sample
itself (one self-contained file). Above that, the page keeps the overview,
the per-category view and the run's metadata, and the per-sample drill-down
reads small JavaScript data files from ``report-data/`` in the run folder.
They are loaded with ``<script src>``, which works from ``file://`` (where a
page may not ``fetch()`` files):

- ``page-NNNNN.js``: :data:`PAGE_SAMPLES` samples each, every runner's
  prediction (scored and raw), verdict, metric values and details, in the
  order of ``samples.jsonl``; the list shows :data:`VIEW_SAMPLES` at a time;
- ``index-NNNNN.js``: per sample its id, task, category and each runner's
  verdict: loaded when a filter is set or a sample is linked (``#open=``);
- ``text-NNNNN.js``: the lower-cased text the search looks in (id, question,
  gold answers, predictions): loaded at the first search;
- ``docs-NNNNN.js``: the articles, loaded when a sample is opened (evidence
  excerpts and the highlighted article are built then).

Search, the filters (runner, task, category, right/wrong/disagree) and the
links (``#runner=x&result=wrong``, ``#open=<id>&focus=1``) behave as in the
inline page. Everything from models, gold or configs is escaped: HTML pieces
are built in Python by the same helpers as the inline page
(:func:`harness.report.html.esc`, :func:`~harness.report.html.highlight`);
the script escapes every plain text it inserts.

The files are written into a fresh folder that replaces ``report-data/``
whole, from a :class:`~harness.tally.RunTally` (each line read back as its
sample is written: memory stays bounded).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.report.load import OPS, Rule, RunData
from harness.report.markdown import COLUMNS, PRIMARY
from harness.tally import RunTally
from harness.types import Generation, Sample, Score

__all__ = [
    "DATA_DIR",
    "INLINE_SAMPLES",
    "PAGE_SAMPLES",
    "VIEW_SAMPLES",
    "LazySamples",
]

#: Runs with more samples than this get the lazily loaded drill-down.
INLINE_SAMPLES = 2000
#: The folder beside ``report.html`` that holds the data files.
DATA_DIR = "report-data"
#: Samples per ``page-*.js`` file.
PAGE_SAMPLES = 200
#: Samples listed at a time.
VIEW_SAMPLES = 50
#: Samples per ``index-*.js`` and ``text-*.js`` file.
INDEX_SAMPLES = 25_000
TEXT_SAMPLES = 10_000
#: Documents per ``docs-*.js`` file.
DOCS_PER_FILE = 100
#: Failed samples listed per runner in the page's metadata (all are counted).
ERRORS_LISTED = 100


def _printable(text: object) -> str:
    """``text`` as :func:`harness.report.html.esc` sees it: control characters U+FFFD."""
    s = str(text)
    if not s.isprintable() and not s.replace("\n", " ").replace("\t", " ").isprintable():
        s = "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in s)
    return s


def _verdicts(tally: RunTally, rules: Sequence[Rule]) -> np.ndarray:
    """(R, S) codes: ``r`` right, ``w`` wrong, ``n`` no verdict, ``-`` not scored."""
    shape = tally.score_at.shape
    out = np.full(shape, "n", dtype="<U1")
    undecided = np.ones(shape, dtype=bool)
    for rule in rules:
        column = tally.values.get(rule.key)
        if column is None:
            continue
        present = undecided & ~np.isnan(column)
        holds = np.zeros(shape, dtype=bool)
        holds[present] = OPS[rule.op](column[present], rule.value)
        out[present & holds] = "r"
        out[present & ~holds] = "w"
        undecided &= ~present
    out[tally.score_at == -1] = "-"
    return out


class LazySamples:
    """The drill-down of ``run`` (summary, manifest, documents) from the lines ``tally`` locates.

    Args:
        run: The run without per-sample data (``generations`` and ``scores`` may be empty).
        tally: The run's tally (runners and samples as in ``run``).
        rules: What counts as right (the inline page's rules).
        scrub: Applied to every data file's content (a run's ``Scrubber.value``).
    """

    def __init__(
        self,
        run: RunData,
        tally: RunTally,
        rules: Sequence[Rule],
        scrub: Callable[[Any], Any] | None = None,
    ) -> None:
        self.run = run
        self.tally = tally
        self.rules = tuple(rules)
        self.scrub = scrub
        scored = (tally.score_at != -1).any(axis=0)
        self.order = [int(i) for i in np.nonzero(scored)[0]]
        self.verdicts = _verdicts(tally, self.rules)
        docs = sorted({tally.samples[i].doc_id for i in self.order} & set(run.documents))
        self.doc_index = {d: i for i, d in enumerate(docs)}

    # -- the page ---------------------------------------------------------------------

    def wins(self, task: str, a: str, b: str, key: str, higher_is_better: bool) -> int:
        """Samples of ``task`` on which runner ``a`` scores better than ``b`` on ``key``."""
        t = self.tally
        column = t.values.get(key)
        if column is None or a not in t.runner_index or b not in t.runner_index:
            return 0
        mask = np.array([s.task == task for s in t.samples], dtype=bool)
        va, vb = column[t.runner_index[a]][mask], column[t.runner_index[b]][mask]
        both = ~np.isnan(va) & ~np.isnan(vb)
        diff = (va[both] - vb[both]) * (1 if higher_is_better else -1)
        return int((diff > 0).sum())

    def errors(self) -> dict[str, tuple[int, list[tuple[str, str]]]]:
        """Per runner with failed samples: how many, and the first :data:`ERRORS_LISTED`."""
        t = self.tally
        out: dict[str, tuple[int, list[tuple[str, str]]]] = {}
        for r, name in enumerate(t.runners):
            failed = np.nonzero((t.gen_at[r] != -1) & ((t.flags[r] & 1) != 0))[0]
            if not len(failed):
                continue
            shown = []
            for s in sorted(failed, key=lambda i: t.samples[int(i)].id)[:ERRORS_LISTED]:
                g = t.generation(r, int(s))
                shown.append((t.samples[int(s)].id, str(g.error if g else "")))
            out[name] = (len(failed), shown)
        return out

    def section(self) -> str:
        """The samples section: filters, pager and the list the script fills."""
        from harness.report.html import esc

        samples = [self.tally.samples[i] for i in self.order]
        tasks: dict[str, int] = {}
        cats: dict[str, int] = {}
        for s in samples:
            tasks[s.task] = tasks.get(s.task, 0) + 1
            cats[s.category] = cats.get(s.category, 0) + 1

        def options(counts: Mapping[str, int], every: str) -> str:
            return f'<option value="">{every}</option>' + "".join(
                f'<option value="{esc(k)}">{esc(k or "(none)")} ({n})</option>'
                for k, n in sorted(counts.items())
            )

        runner_opts = '<option value="">all runners</option>' + "".join(
            f'<option value="{esc(r)}">{esc(r)}</option>' for r in self.run.runners
        )
        rules_text = "; ".join(str(r) for r in self.rules)
        n = len(samples)
        return (
            '<section id="samples-section"><h2 id="samples">Samples</h2>'
            "<style>.pager{display:flex;gap:10px;align-items:center;margin:8px 0}"
            ".pager button{font:inherit;padding:1px 10px}</style>"
            f'<p class="note">Every sample and every runner. “Right” means {esc(rules_text)} '
            "(the first rule whose metric the sample has). Open a sample for its gold, the "
            "evidence in the article, each prediction (scored and raw), every metric value and "
            "detail. Links keep the filters; <code>#open=&lt;sample id&gt;</code> opens one, "
            f"<code>&amp;focus=1</code> shows it alone. This run has {n:,} samples: they are "
            f"listed {VIEW_SAMPLES} at a time from the files in <code>{DATA_DIR}/</code> beside "
            "this page (keep the two together; JavaScript must be on).</p>"
            '<div class="filters">'
            f'<label>Runner<select id="f-runner">{runner_opts}</select></label>'
            f'<label>Task<select id="f-task">{options(tasks, "all tasks")}</select></label>'
            f'<label>Category<select id="f-category">{options(cats, "all categories")}'
            "</select></label>"
            '<label>Result<select id="f-result"><option value="">all</option>'
            '<option value="right">right</option><option value="wrong">wrong</option>'
            '<option value="disagree">runners disagree</option></select></label>'
            '<label>Search<input id="f-text" type="search" placeholder="id, question, answer">'
            f'</label><span id="f-count">{n} samples</span></div>'
            '<div class="pager" id="pager-top"></div>'
            f'<div id="sample-list"><p class="note" id="sample-wait">Loading the samples from '
            f"<code>{DATA_DIR}/</code> …</p></div>"
            '<div class="pager" id="pager-bottom"></div></section>'
        )

    def script(self) -> str:
        """The page's script: the lazy drill-down, configured for this run."""
        from harness.report.plots import color

        t = self.tally
        samples = [t.samples[i] for i in self.order]
        config = {
            "dir": DATA_DIR,
            "n": len(samples),
            "page": PAGE_SAMPLES,
            "view": VIEW_SAMPLES,
            "index": INDEX_SAMPLES,
            "text": TEXT_SAMPLES,
            "docs": DOCS_PER_FILE,
            "runners": list(t.runners),
            "colors": [color(i) for i in range(len(t.runners))],
            "primary": dict(PRIMARY),
        }
        blob = json.dumps(config, ensure_ascii=True).replace("</", "<\\/")
        return LAZY_SCRIPT.replace("/*CONFIG*/null", blob)

    # -- the data files ---------------------------------------------------------------

    def write(self, run_dir: Path) -> Path:
        """Write every data file into a new folder that then replaces ``report-data/``."""
        target = run_dir / DATA_DIR
        tmp = Path(tempfile.mkdtemp(prefix=f".{DATA_DIR}-", dir=run_dir))
        try:
            self._write(tmp)
            old = None
            if target.is_dir() and not target.is_symlink():
                old = Path(tempfile.mkdtemp(prefix=f".{DATA_DIR}-old-", dir=run_dir))
                os.replace(target, old / DATA_DIR)
            elif target.exists() or target.is_symlink():
                from harness.results import OutputError

                raise OutputError(f"{target}: not a folder; refusing to replace it")
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    def _dump(self, folder: Path, kind: str, n: int, data: Any) -> None:
        if self.scrub is not None:
            data = self.scrub(data)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        text = f'harnessData("{kind}",{n},{body});\n'
        (folder / f"{kind}-{n:05d}.js").write_text(text, encoding="utf-8")

    def _write(self, folder: Path) -> None:
        t = self.tally
        runners = t.runners
        page: list[Any] = []
        texts: list[str] = []
        index: dict[str, list[Any]] = {"ids": [], "task": [], "cat": [], "res": []}
        for pos, s in enumerate(self.order):
            sample = t.samples[s]
            record, search = self._record(s, sample)
            page.append(record)
            texts.append(search)
            index["ids"].append(_printable(sample.id))
            index["task"].append(sample.task)
            index["cat"].append(_printable(sample.category))
            index["res"].append("".join(self.verdicts[r, s] for r in range(len(runners))))
            if len(page) == PAGE_SAMPLES:
                self._dump(folder, "page", pos // PAGE_SAMPLES, page)
                page = []
            if len(texts) == TEXT_SAMPLES:
                self._dump(folder, "text", pos // TEXT_SAMPLES, texts)
                texts = []
            if len(index["ids"]) == INDEX_SAMPLES:
                self._dump(folder, "index", pos // INDEX_SAMPLES, index)
                index = {k: [] for k in index}
        last = len(self.order) - 1
        if page:
            self._dump(folder, "page", last // PAGE_SAMPLES, page)
        if texts:
            self._dump(folder, "text", last // TEXT_SAMPLES, texts)
        if index["ids"]:
            self._dump(folder, "index", last // INDEX_SAMPLES, index)
        docs = sorted(self.doc_index, key=self.doc_index.__getitem__)
        for start in range(0, len(docs), DOCS_PER_FILE):
            chunk = [
                {
                    "title": _printable(self.run.documents[d].title),
                    "text": _printable(self.run.documents[d].text),
                }
                for d in docs[start : start + DOCS_PER_FILE]
            ]
            self._dump(folder, "docs", start // DOCS_PER_FILE, chunk)

    def _record(self, s: int, sample: Sample) -> tuple[dict[str, Any], str]:
        """One sample's page record, and the text the search looks in."""
        from harness.report.html import _evidence_spans, fmt_value

        t = self.tally
        doc = self.run.documents.get(sample.doc_id)
        primary = PRIMARY.get(sample.task, "")
        label = sample.input if sample.task == "qa" else f"Summary ({sample.input})"
        search = [sample.id, sample.input, *sample.references]
        runs: list[Any] = []
        for r in range(len(t.runners)):
            score = t.score(r, s)
            if score is None:
                runs.append(None)
                continue
            g = t.generation(r, s)
            if g is not None:
                search.append(g.text)
            values = dict(score.values)
            shown = fmt_value(primary, values.get(primary)) if primary in values else "–"
            runs.append(self._run(sample, g, score, self.verdicts[r, s], shown))
        record: dict[str, Any] = {
            "id": _printable(sample.id),
            "item": _printable(sample.id.split("/", 1)[1] if "/" in sample.id else sample.id),
            "t": sample.task,
            "c": _printable(sample.category),
            "meta": _printable(f"{sample.task} · {sample.answer_type} · {sample.language}"),
            "q": _printable(label),
            "refs": [_printable(ref) for ref in sample.references],
            "runs": runs,
        }
        if not sample.answerable:
            record["unans"] = 1
        if doc is not None and sample.doc_id in self.doc_index:
            record["d"] = self.doc_index[sample.doc_id]
            record["ev"] = [list(sp) for sp in _evidence_spans(doc.text, sample.evidence)]
        return record, _printable(" ".join(search)).lower()

    def _run(
        self, sample: Sample, g: Generation | None, s: Score, code: str, shown: str
    ) -> dict[str, Any]:
        """One runner's part of a sample: what :func:`harness.report.html._run_block` shows."""
        from harness.report.html import _fact_text, esc, fmt_value, highlight, locate

        out: dict[str, Any] = {"v": {"r": "right", "w": "wrong"}.get(code, "na"), "p": shown}
        details: Mapping[str, Any] = dict(s.details)
        if g is not None:
            out["g"] = 1
            if g.error:
                out["err"] = _printable(g.error)
            hall = details.get("hallucination")
            hall = hall if isinstance(hall, Mapping) else {}
            listed, names = hall.get("unsupported"), hall.get("names")
            unsupported = (
                [u for u in listed if isinstance(u, Mapping)] if isinstance(listed, list) else []
            )
            if isinstance(names, list):
                unsupported += [{**n, "kind": "name"} for n in names if isinstance(n, Mapping)]
            marks = []
            for u in unsupported:
                where = locate(g.text, u.get("start"), u.get("end"), str(u.get("text", "")))
                kind = str(u.get("kind", "unsupported"))
                if where:
                    marks.append((where[0], where[1], "unsupported", f"unsupported: {kind}"))
            kf_ = details.get("key_facts")
            for part, cls, what in (
                ("contradicted", "unsupported", "contradicts key fact"),
                ("found", "fact", "key fact"),
            ):
                listed_facts = kf_.get(part, []) if isinstance(kf_, Mapping) else []
                for f in listed_facts if isinstance(listed_facts, list) else []:
                    span = f.get("span") if isinstance(f, Mapping) else None
                    if isinstance(span, list | tuple) and len(span) == 2:
                        where = locate(g.text, span[0], span[1], str(f.get("text", "")))
                        if where:
                            marks.append((where[0], where[1], cls, f"{what}: {f.get('label', '')}"))
            if g.text:
                out["pred"] = highlight(g.text, marks)
            if g.raw and g.raw != g.text:
                out["raw"] = _printable(g.raw)
            if unsupported:
                out["uns"] = (
                    f'<div class="label">unsupported by the article ({len(unsupported)})</div><ul>'
                    + "".join(
                        f'<li>“{esc(u.get("text", ""))}” <span class="badge">'
                        f"{esc(u.get('kind', ''))}</span></li>"
                        for u in unsupported
                    )
                    + "</ul>"
                )
            timing = []
            if g.seconds:
                timing.append(
                    f"{g.seconds:.2f} s" if g.seconds >= 1 else f"{g.seconds * 1000:.3g} ms"
                )
            if g.prompt_tokens is not None:
                timing.append(f"{g.prompt_tokens} prompt tokens")
            if g.completion_tokens is not None:
                timing.append(f"{g.completion_tokens} completion tokens")
            if g.cached:
                timing.append("from cache")
            if timing:
                out["tim"] = " · ".join(timing)
        values = dict(s.values)
        if values:
            keys = [k for k in COLUMNS.get(sample.task, []) if k in values]
            keys += sorted(set(values) - set(keys))
            out["vals"] = [[_printable(k), fmt_value(k, values[k])] for k in keys]
        kf = details.get("key_facts")
        if isinstance(kf, Mapping):
            parts = []
            for part, title in (
                ("found", "key facts found"),
                ("contradicted", "key facts contradicted"),
                ("missed", "key facts missed"),
            ):
                items = kf.get(part)
                if isinstance(items, list):
                    parts.append(
                        f'<div class="label">{title} ({len(items)})</div>'
                        f'<ul class="facts {part}">'
                        + "".join(f"<li>{_fact_text(i)}</li>" for i in items)
                        + "</ul>"
                    )
            if parts:
                out["facts"] = "".join(parts)
        if details:
            dump = json.dumps(details, ensure_ascii=False, indent=1, sort_keys=True, default=str)
            out["det"] = _printable(dump)
        return out


# The lazy drill-down. Reads data files with <script src> (file:// allows it, fetch() not),
# escapes every plain text it inserts (esc); HTML pieces (pred, uns, facts) come escaped from
# Python. The hash keeps the filters (#runner=x&result=wrong&text=...), opens a sample
# (#open=<id>) and shows it alone (&focus=1), as in the inline page.
LAZY_SCRIPT = r"""
(function(){
var C=/*CONFIG*/null;
var $=function(id){return document.getElementById(id);};
var ids=['f-runner','f-task','f-category','f-result','f-text'];
var list=$('sample-list'),cache={},waiting={},seq=0,matches=null,viewAt=0,ready=false;
var index=null,texts=null,idPos=null,shownPos={},SAMPLE='sample';
function val(id){var e=$(id);return e?e.value:'';}
function esc(s){return String(s).replace(/[&<>"']/g,function(c){
  return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#x27;'}[c];});}
function pad(n){var s=String(n);while(s.length<5){s='0'+s;}return s;}
window.harnessData=function(kind,n,data){var k=kind+':'+n;cache[k]=data;
  var w=waiting[k]||[];delete waiting[k];w.forEach(function(f){f(data);});};
function need(kind,n,cb){var k=kind+':'+n;
  if(k in cache){cb(cache[k]);return;}
  if(waiting[k]){waiting[k].push(cb);return;}
  waiting[k]=[cb];
  var s=document.createElement('script');
  s.src=C.dir+'/'+kind+'-'+pad(n)+'.js';
  s.onerror=function(){list.innerHTML='<p class="warn">Cannot read '+esc(s.src)+
    ': keep the folder '+esc(C.dir)+'/ beside this page.</p>';};
  document.head.appendChild(s);}
function needAll(kind,count,cb){var left=count,out=[];if(!count){cb(out);return;}
  for(var i=0;i<count;i++){(function(i){need(kind,i,function(d){out[i]=d;
    if(--left===0){cb(out);}});})(i);}}
function chunks(per){return Math.ceil(C.n/per);}
function loadIndex(cb){if(index){cb();return;}
  needAll('index',chunks(C.index),function(parts){
    var ix={ids:[],task:[],cat:[],res:[]};
    parts.forEach(function(p){['ids','task','cat','res'].forEach(function(k){
      Array.prototype.push.apply(ix[k],p[k]);});});
    index=ix;idPos={};ix.ids.forEach(function(id,i){idPos[id]=i;});cb();});}
function loadTexts(cb){if(texts){cb();return;}
  needAll('text',chunks(C.text),function(parts){var all=[];
    parts.forEach(function(p){Array.prototype.push.apply(all,p);});texts=all;cb();});}
function filters(){return {runner:val('f-runner'),task:val('f-task'),cat:val('f-category'),
  res:val('f-result'),q:val('f-text').toLowerCase().trim()};}
function keep(f,i){
  if(f.task&&index.task[i]!==f.task){return false;}
  if(f.cat&&index.cat[i]!==f.cat){return false;}
  if(f.q&&texts[i].indexOf(f.q)<0){return false;}
  if(!f.res){return true;}
  var r=false,w=false,codes=index.res[i];
  for(var j=0;j<C.runners.length;j++){
    if(f.runner&&C.runners[j]!==f.runner){continue;}
    if(codes[j]==='r'){r=true;}else if(codes[j]==='w'){w=true;}}
  if(f.res==='right'){return r&&!w;}
  if(f.res==='wrong'){return w;}
  return r&&w;}
function hash(){var p=new URLSearchParams();
  ids.forEach(function(id){var v=val(id);if(v){p.set(id.slice(2),v);}});return p;}
function apply(keepOpen){
  var f=filters(),token=++seq;
  if(!keepOpen){var h=hash().toString();
    if(history.replaceState){history.replaceState(null,'',h?'#'+h:location.pathname);}}
  var go=function(){if(token!==seq){return;}
    if(!f.task&&!f.cat&&!f.res&&!f.q){matches=null;}
    else{matches=[];for(var i=0;i<C.n;i++){if(keep(f,i)){matches.push(i);}}}
    var count=matches?matches.length:C.n;
    $('f-count').textContent=count+' of '+C.n+' samples shown';
    show(0,token,null);};
  if(!f.task&&!f.cat&&!f.res&&!f.q){go();}
  else{loadIndex(function(){if(f.q){loadTexts(go);}else{go();}});}}
function at(k){return matches?matches[k]:k;}
function show(start,token,opened){
  var count=matches?matches.length:C.n,end=Math.min(count,start+C.view),want=[];
  viewAt=start;
  for(var k=start;k<end;k++){want.push(at(k));}
  if(opened!==null&&want.indexOf(opened)<0){want.unshift(opened);}
  var pages={};want.forEach(function(i){pages[Math.floor(i/C.page)]=1;});
  var keys=Object.keys(pages),left=keys.length;
  var draw=function(){if(token!==seq){return;}
    shownPos={};want.forEach(function(i){shownPos[record(i).id]=i;});
    list.innerHTML=want.map(function(i){return sampleHtml(record(i));}).join('')||
      '<p class="note">No sample matches.</p>';
    hideRunners();pager(start,end,count);
    [].forEach.call(list.querySelectorAll('details.sample'),function(d){
      d.addEventListener('toggle',function(){if(d.open){body(d);}});});
    if(opened!==null){openOne(opened);}else{done();}};
  if(!left){draw();return;}
  keys.forEach(function(p){need('page',+p,function(){if(--left===0){draw();}});});}
function record(i){return cache['page:'+Math.floor(i/C.page)][i%C.page];}
function pager(start,end,count){
  var html=count>C.view?'<button data-go="'+Math.max(0,start-C.view)+'"'+(start?'':' disabled')+
    '>previous</button><span>samples '+(count?start+1:0)+'–'+end+' of '+count+'</span>'+
    '<button data-go="'+end+'"'+(end<count?'':' disabled')+'>next</button>':'';
  ['pager-top','pager-bottom'].forEach(function(id){var e=$(id);e.innerHTML=html;
    [].forEach.call(e.querySelectorAll('button'),function(b){b.addEventListener('click',
      function(){show(+b.dataset.go,++seq,null);list.scrollIntoView();});});});}
function hideRunners(){var runner=val('f-runner');
  [].forEach.call(list.querySelectorAll('[data-runner]'),function(el){
    el.hidden=!!runner&&el.dataset.runner!==runner;});}
function sampleHtml(s){
  var chips=s.runs.map(function(x,j){if(!x){return '';}var r=C.runners[j];
    return '<span class="chip '+x.v+'" data-runner="'+esc(r)+'" title="'+
      esc(C.primary[s.t]||'')+'">'+esc(r)+' '+esc(x.p)+'</span>';}).join('');
  var short=s.q.length<=160?s.q:s.q.slice(0,159)+'…';
  return '<details class="'+SAMPLE+'" data-id="'+esc(s.id)+'" data-task="'+esc(s.t)+
    '" data-category="'+esc(s.c)+'"><summary><span class="sid">'+esc(s.item)+
    '</span><span class="badge">'+esc(s.c||s.t)+'</span><span class="q">'+esc(short)+
    '</span><span>'+chips+'</span></summary><div class="body"></div></details>';}
function marked(text,spans,cls,title){
  spans=spans.slice().sort(function(a,b){return a[0]-b[0]||a[1]-b[1];});
  var clean=[];spans.forEach(function(sp){var a=Math.max(0,sp[0]),b=Math.min(text.length,sp[1]);
    if(b<=a){return;}var last=clean[clean.length-1];
    if(last&&a<last[1]){last[1]=Math.max(last[1],b);}else{clean.push([a,b]);}});
  var out='',pos=0;clean.forEach(function(c){out+=esc(text.slice(pos,c[0]))+'<mark class="'+
    cls+'" title="'+title+'">'+esc(text.slice(c[0],c[1]))+'</mark>';pos=c[1];});
  return out+esc(text.slice(pos));}
function space(c){return /\s/.test(c);}
function excerpts(text,spans){var wins=[],ctx=140;
  spans.slice().sort(function(a,b){return a[0]-b[0]||a[1]-b[1];}).forEach(function(sp){
    var a=Math.max(0,sp[0]-ctx),b=Math.min(text.length,sp[1]+ctx);
    while(a>0&&!space(text[a-1])){a--;}while(b<text.length&&!space(text[b])){b++;}
    var last=wins[wins.length-1];if(last&&a<=last[1]){last[1]=Math.max(last[1],b);}
    else{wins.push([a,b]);}});
  return wins.map(function(w){var inner=spans.filter(function(sp){return sp[0]>=w[0]&&
    sp[1]<=w[1];}).map(function(sp){return [sp[0]-w[0],sp[1]-w[0]];});
    return (w[0]>0?'… ':'')+marked(text.slice(w[0],w[1]),inner,'ev','evidence')+
      (w[1]<text.length?' …':'');});}
function body(d){var el=d.querySelector('.body');if(!el||el.dataset.done){return;}
  el.dataset.done='1';
  var s=record(shownPos[d.dataset.id]);
  var finish=function(doc){fill(el,s,doc);
    if(d.dataset.wantArticle){[].forEach.call(el.querySelectorAll('details.article'),
      function(a){a.open=true;});}
    if(d.dataset.after){var f=window[d.dataset.after];delete d.dataset.after;if(f){f();}}};
  if(s.d===undefined){finish(null);return;}
  need('docs',Math.floor(s.d/C.docs),function(docs){finish(docs[s.d%C.docs]);});}
function fill(el,s,doc){
  var qa=s.t==='qa',out=['<div>','<dl class="meta"><dt>sample</dt><dd><code>'+esc(s.id)+
    '</code></dd><dt>task</dt><dd>'+esc(s.meta)+'</dd><dt>document</dt><dd>'+
    esc(doc?doc.title:'')+'</dd></dl>','<div class="label">'+(qa?'question':'instruction')+
    '</div><div><b>'+esc(s.q)+'</b></div>'];
  if(s.refs.length){out.push('<div class="label">'+(qa?'accepted answers':
    'reference summaries')+' ('+s.refs.length+')</div><ul class="gold">'+
    s.refs.map(function(r){return '<li>'+esc(r)+'</li>';}).join('')+'</ul>');}
  else if(s.unans){out.push('<div class="label">gold</div><div>unanswerable from the '+
    'article: the right answer is to abstain</div>');}
  if(doc){var ev=s.ev||[];
    if(ev.length){out.push('<div class="label">evidence ('+ev.length+')</div>');
      excerpts(doc.text,ev).forEach(function(x){out.push('<div class="excerpt">'+x+'</div>');});}
    out.push('<details class="article"><summary>article'+(ev.length?
      ' with the evidence highlighted':'')+'</summary><div class="article">'+
      marked(doc.text,ev,'ev','evidence')+'</div></details>');}
  out.push('</div><div>');
  s.runs.forEach(function(x,j){if(x){out.push(runHtml(x,j));}});
  out.push('</div>');el.innerHTML=out.join('');hideRunners();}
function runHtml(x,j){var r=C.runners[j],
  badge={right:'right',wrong:'wrong',na:'no verdict'}[x.v];
  var out=['<div class="run" data-runner="'+esc(r)+'" data-result="'+x.v+'"><h4><span '+
    'style="color:'+C.colors[j]+'">■</span> '+esc(r)+' <span class="chip '+x.v+'">'+
    badge+'</span></h4>'];
  if(!x.g){out.push('<div class="err">no generation saved for this runner</div>');}
  else{if(x.err){out.push('<div class="err">error: '+esc(x.err)+'</div>');}
    out.push('<div class="label">prediction (scored)</div><div class="pred">'+
      (x.pred||'<span class="ci">(empty)</span>')+'</div>');
    if(x.raw){out.push('<div class="label">raw output</div><pre>'+esc(x.raw)+'</pre>');}
    if(x.uns){out.push(x.uns);}
    if(x.tim){out.push('<div class="ci">'+esc(x.tim)+'</div>');}}
  if(x.vals){out.push('<table class="values"><tbody>'+x.vals.map(function(v){
    return '<tr><td><code>'+esc(v[0])+'</code></td><td class="num">'+esc(v[1])+
      '</td></tr>';}).join('')+'</tbody></table>');}
  if(x.facts){out.push(x.facts);}
  if(x.det){out.push('<details><summary>metric details</summary><pre>'+esc(x.det)+
    '</pre></details>');}
  out.push('</div>');return out.join('');}
function openOne(i){var id=index.ids[i],focus=new URLSearchParams(
    location.hash.replace(/^#/,'')).get('focus');
  var d=[].filter.call(list.querySelectorAll('details.sample'),function(e){
    return e.dataset.id===id;})[0];
  if(!d){done();return;}
  d.hidden=false;d.dataset.wantArticle='1';d.dataset.after='__harnessDone';
  window.__harnessDone=function(){if(!focus){d.scrollIntoView();}done();};
  d.open=true;body(d);}
function done(){if(ready){return;}ready=true;document.body.setAttribute('data-ready','1');
  document.body.setAttribute('data-ms',String(Math.round(performance.now())));}
function fromHash(){
  var p=new URLSearchParams(location.hash.replace(/^#/,''));
  ids.forEach(function(id){var e=$(id),v=p.get(id.slice(2));if(e&&v!==null){e.value=v;}});
  if(p.get('focus')){document.body.classList.add('focus');}
  var open=p.get('open');
  if(!open){apply(true);return;}
  loadIndex(function(){var f=filters(),token=++seq;
    var go=function(){
      if(!f.task&&!f.cat&&!f.res&&!f.q){matches=null;}
      else{matches=[];for(var i=0;i<C.n;i++){if(keep(f,i)){matches.push(i);}}}
      var count=matches?matches.length:C.n;
      $('f-count').textContent=count+' of '+C.n+' samples shown';
      var i=open in idPos?idPos[open]:null;
      if(i===null){show(0,token,null);return;}
      var k=matches?matches.indexOf(i):i;
      show(k>=0?Math.floor(k/C.view)*C.view:0,token,i);};
    if(f.q){loadTexts(go);}else{go();}});}
ids.forEach(function(id){var e=$(id);
  if(e){e.addEventListener('input',function(){apply(false);});}});
fromHash();
})();
"""


def light_run(run_dir: Path, tally: RunTally | None = None) -> tuple[RunData, RunTally, int]:
    """The run without per-sample data, its tally, and how many samples have a score.

    Raises:
        RunLoadError: A file is missing or damaged, or ``scores.jsonl`` does not hold the
            scores ``summary.json`` counts (``file:line: field: what``).
    """
    from harness.report.load import RunLoadError, load_run
    from harness.results import RunFileError, regular_file

    run = load_run(run_dir, per_sample=False)
    scores_path = Path(run_dir) / "scores.jsonl"
    try:
        present = regular_file(scores_path)
    except RunFileError as exc:
        raise RunLoadError(str(exc)) from None
    counted = any(res.get("n") for tasks in run.results.values() for res in tasks.values())
    if not present and counted:
        raise RunLoadError(
            f"{scores_path}: missing; summary.json counts scored samples, so the run's "
            "per-sample scores are lost (the run cannot be compared or gated)"
        )
    if tally is None:
        try:
            tally = RunTally.read(Path(run_dir), run.runners, list(run.samples.values()))
        except RunFileError as exc:
            raise RunLoadError(str(exc)) from None
    for runner, tasks in run.results.items():
        r = tally.runner_index.get(runner)
        for task, res in tasks.items():
            got = 0
            if r is not None:
                mask = np.array([s.task == task for s in tally.samples], dtype=bool)
                got = int((tally.score_at[r][mask] != -1).sum())
            if got != res.get("n"):
                raise RunLoadError(
                    f"{Path(run_dir) / 'scores.jsonl'}: holds {got} scores of runner {runner!r} "
                    f"on {task}, but summary.json counts {res.get('n')}: the run's files do not "
                    "match (lines lost or edited?)"
                )
    scored = int((tally.score_at != -1).any(axis=0).sum())
    return run, tally, scored
