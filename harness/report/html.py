"""The HTML report: one self-contained file (inline CSS, SVG and script; nothing fetched).

Sections: an overview per task (runners × metrics with confidence intervals,
a bar chart with CI whiskers, head-to-head wins), a per-category heatmap, a
drill-down of every sample × runner (question, gold, evidence highlighted in
the article, raw and processed prediction, every metric value and detail,
key facts found and missed, unsupported spans marked) with filters by runner,
task, category and right/wrong, and the run's metadata.

Everything that comes from models, gold or configs is escaped; the inline
script reads only ``data-`` attributes, never embedded text. The page works
without the script too (all samples are listed; filters do nothing).

Example:
    >>> "<script>" in esc("<script>alert(1)</script>")
    False
    >>> highlight("Keo Chhea sprach.", [(0, 9, "ev", "")])
    '<mark class="ev">Keo Chhea</mark> sprach.'
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.report.load import DEFAULT_RIGHT, Rule, RunData, higher_is_better, verdict
from harness.report.markdown import COLUMNS, PRIMARY, decimals
from harness.report.plots import bar_chart, color, heatmap
from harness.results import atomic_write_text
from harness.types import Generation, Sample, Score, Span

if TYPE_CHECKING:
    from harness.report.drilldown import LazySamples
    from harness.tally import RunTally

TITLES = {"qa": "Question answering", "summary": "Summaries"}
HUNDRED_SCALE = ("squad_v2.", "qa_de.", "chrf.")  # metric families already on 0-100
# Keys the bar chart shows besides the usual columns: shares and rates, never counts.
RATE_KEYS = frozenset(
    {
        "exact",
        "f1",
        "precision",
        "recall",
        "recall_unweighted",
        "rate",
        "pooled_rate",
        "has_hallucination",
        "abstained",
        "correct_abstention",
        "false_abstention",
        "accuracy",
        "agreement",
    }
)

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--accent:#0969da;
--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--na-bg:#eef1f4;--mark:#fff3a3}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg)}
header.top{background:#24292f;color:#fff;padding:14px 28px}
header.top h1{margin:0;font-size:20px;font-weight:600}
header.top .sub{color:#c9d1d9;font-size:13px;margin-top:2px;word-break:break-all}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);
padding:6px 28px}
nav a{margin-right:18px;color:var(--accent);text-decoration:none;font-weight:500}
main{padding:8px 28px 40px;max-width:1500px}
h2{font-size:19px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
p.note{color:var(--muted);margin:4px 0 10px}
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:10px 0}
table{border-collapse:collapse;margin:6px 0 14px;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:4px 9px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td .ci{color:var(--muted);font-size:12px;margin-left:4px}
td.best{background:var(--ok-bg);font-weight:600}
tbody tr:nth-child(even) td:not(.best){background:#fbfcfd}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \\2195";color:#aab}
.chart{max-width:100%;height:auto;display:block;margin:6px 0 12px}
.scroll{overflow-x:auto;max-width:100%}
.charts{display:flex;flex-wrap:wrap;gap:10px 36px;align-items:flex-start}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-word;background:var(--soft);padding:6px 9px;
border-radius:6px;margin:4px 0;max-height:360px;overflow:auto}
.filters{position:sticky;top:33px;z-index:4;background:#fff;padding:8px 0;display:flex;
flex-wrap:wrap;gap:8px 16px;align-items:center;border-bottom:1px solid var(--line)}
.filters label{font-weight:500}
.filters select,.filters input{font:inherit;padding:2px 6px;margin-left:4px}
#f-count{color:var(--muted)}
details.sample{border:1px solid var(--line);border-radius:8px;margin:8px 0;background:#fff}
details.sample>summary{cursor:pointer;padding:7px 12px;list-style-position:outside;
display:flex;flex-wrap:wrap;gap:6px 10px;align-items:baseline}
details.sample[open]>summary{border-bottom:1px solid var(--line);background:var(--soft)}
.sid{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:var(--muted)}
.q{flex:1 1 380px;min-width:240px}
.badge{display:inline-block;font-size:11.5px;padding:1px 7px;border-radius:10px;
background:var(--na-bg);color:var(--muted);white-space:nowrap}
.chip{display:inline-block;font-size:12px;padding:1px 7px;border-radius:10px;margin-left:3px;
white-space:nowrap;border:1px solid transparent}
.right{background:var(--ok-bg);color:var(--ok)}
.wrong{background:var(--bad-bg);color:var(--bad)}
.na{background:var(--na-bg);color:var(--muted)}
.body{display:grid;grid-template-columns:minmax(300px,5fr) minmax(360px,7fr);gap:16px;
padding:12px}
@media (max-width:900px){.body{grid-template-columns:1fr}}
.gold li,.facts li{margin:2px 0}
.excerpt{background:var(--soft);border-radius:6px;padding:6px 9px;margin:4px 0}
.article{white-space:pre-wrap;background:var(--soft);border-radius:6px;padding:8px 10px;
max-height:420px;overflow:auto}
mark.ev{background:var(--mark);padding:0 1px;border-radius:2px;box-shadow:0 0 0 1px #e0c200}
mark.fact{background:var(--ok-bg);box-shadow:inset 0 -2px 0 var(--ok)}
mark.unsupported{background:#ffd8d3;text-decoration:underline wavy var(--bad);
text-underline-offset:3px}
.run{border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin-bottom:10px}
.run[hidden]{display:none}
.run h4{margin:0 0 6px;font-size:14px;display:flex;gap:8px;align-items:center}
.pred{white-space:pre-wrap;word-break:break-word;border-left:3px solid var(--accent);
padding:3px 9px;margin:4px 0;background:#f3f8ff}
.err{color:var(--bad);font-weight:600}
.values{margin:6px 0}
.values td{padding:2px 7px;font-size:12.5px}
.facts.found li::marker{content:"\\2713  ";color:var(--ok)}
.facts.missed li::marker{content:"\\2717  ";color:var(--bad)}
.facts.contradicted li::marker{content:"\\26A0  ";color:var(--bad)}
.label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;
margin-top:8px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
[hidden]{display:none!important}
body.focus main>:not(#samples-section){display:none}
"""

# Filters and deep links (#runner=x&result=wrong&open=<sample id>); reads data- attributes only.
SCRIPT = """
(function(){
var $=function(id){return document.getElementById(id);};
var samples=[].slice.call(document.querySelectorAll('details.sample'));
var ids=['f-runner','f-task','f-category','f-result','f-text'];
function val(id){var e=$(id);return e?e.value:'';}
function apply(){
  var runner=val('f-runner'),task=val('f-task'),cat=val('f-category'),res=val('f-result'),
      q=val('f-text').toLowerCase().trim(),shown=0;
  samples.forEach(function(s){
    var ok=(!task||s.dataset.task===task)&&(!cat||s.dataset.category===cat);
    if(ok&&q){ok=s.dataset.search.indexOf(q)>=0;}
    var verdicts=[];
    [].forEach.call(s.querySelectorAll('[data-runner]'),function(el){
      var hide=!!runner&&el.dataset.runner!==runner;
      el.hidden=hide;
      if(!hide&&el.classList.contains('run')){verdicts.push(el.dataset.result);}
    });
    var r=verdicts.indexOf('right')>=0,w=verdicts.indexOf('wrong')>=0;
    if(res==='right'){ok=ok&&r&&!w;}
    else if(res==='wrong'){ok=ok&&w;}
    else if(res==='disagree'){ok=ok&&r&&w;}
    s.hidden=!ok;
    if(ok){shown++;}
  });
  $('f-count').textContent=shown+' of '+samples.length+' samples shown';
  var p=new URLSearchParams();
  ids.forEach(function(id){var v=val(id);if(v){p.set(id.slice(2),v);}});
  var h=p.toString();
  if(history.replaceState){history.replaceState(null,'',h?'#'+h:location.pathname);}
}
function fromHash(){
  var p=new URLSearchParams(location.hash.replace(/^#/,''));
  ids.forEach(function(id){var e=$(id),v=p.get(id.slice(2));if(e&&v!==null){e.value=v;}});
  apply();
  var open=p.get('open');
  if(p.get('focus')){document.body.classList.add('focus');}
  if(open){
    samples.forEach(function(s){
      if(s.dataset.id===open){s.hidden=false;s.open=true;
        [].forEach.call(s.querySelectorAll('details.article'),function(d){d.open=true;});
        if(!p.get('focus')){s.scrollIntoView();}}
    });
  }
}
ids.forEach(function(id){var e=$(id);if(e){e.addEventListener('input',apply);}});
if($('f-count')){fromHash();}
document.body.setAttribute('data-ready','1');
})();
"""

# Click a header of a table.sortable to sort by it (numbers by data-sort, else by text).
SORT_SCRIPT = """
(function(){
[].forEach.call(document.querySelectorAll('table.sortable'),function(t){
  [].forEach.call(t.tHead.rows[0].cells,function(th,i){
    th.addEventListener('click',function(){
      var body=t.tBodies[0],rows=[].slice.call(body.rows),asc=th.dataset.dir!=='asc';
      [].forEach.call(t.tHead.rows[0].cells,function(c){delete c.dataset.dir;});
      th.dataset.dir=asc?'asc':'desc';
      function key(r){var c=r.cells[i],v=c?c.getAttribute('data-sort'):null;
        if(v!==null&&v!==''){return parseFloat(v);}return c?c.textContent.trim().toLowerCase():'';}
      rows.sort(function(a,b){var x=key(a),y=key(b),n=typeof x==='number'&&typeof y==='number';
        var d=n?x-y:(x<y?-1:x>y?1:0);return asc?d:-d;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
document.body.setAttribute('data-ready','1');
})();
"""


def esc(text: object) -> str:
    """Escape for HTML text and attributes; control characters become U+FFFD."""
    s = str(text)
    if not s.isprintable() and not s.replace("\n", " ").replace("\t", " ").isprintable():
        s = "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in s)
    return html.escape(s, quote=True)


def page(title: str, body: str, script: str = "", subtitle: str = "", nav: str = "") -> str:
    """A complete, self-contained HTML document."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1>'
        + (f'<div class="sub">{subtitle}</div>' if subtitle else "")
        + "</header>"
        + (f"<nav>{nav}</nav>" if nav else "")
        + f"<main>{body}</main>"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>\n"
    )


def fmt_value(key: str, value: float | None) -> str:
    """One metric value on its native scale (ROUGE 0-1 with 3 places, others 0-100 with 1)."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{decimals(key)}f}"


def estimate_cell(key: str, est: Mapping[str, Any] | None, best: bool = False) -> str:
    """A ``<td>``: the mean and its CI; sortable by the mean."""
    cls = "num best" if best else "num"
    if not est or not est.get("n") or not math.isfinite(est.get("value", math.nan)):
        return f'<td class="{cls}" data-sort="">–</td>'
    v, lo, hi = est["value"], est["low"], est["high"]
    return (
        f'<td class="{cls}" data-sort="{v!r}">{fmt_value(key, v)}'
        f'<span class="ci">[{fmt_value(key, lo)}, {fmt_value(key, hi)}]</span></td>'
    )


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> str:
    """Escaped ``text`` with ``<mark class=cls title=title>`` around each ``[start, end)``.

    Overlapping spans are merged (the first one's class and title win); spans
    outside the text are ignored.
    """
    clean: list[tuple[int, int, str, str]] = []
    for start, end, cls, title in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if end <= start:
            continue
        if clean and start < clean[-1][1]:
            ps, pe, pc, pt = clean[-1]
            clean[-1] = (ps, max(pe, end), pc, pt)
        else:
            clean.append((start, end, cls, title))
    out, pos = [], 0
    for start, end, cls, title in clean:
        out.append(esc(text[pos:start]))
        t = f' title="{esc(title)}"' if title else ""
        out.append(f'<mark class="{esc(cls)}"{t}>{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def locate(text: str, start: Any, end: Any, needle: str) -> tuple[int, int] | None:
    """Where a span really is: its offsets when they match ``needle``, else its first occurrence.

    >>> locate("a b c", 2, 3, "b"), locate("a b c", 0, 1, "c"), locate("a", 0, 1, "zz")
    ((2, 3), (4, 5), None)
    """
    valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    if valid and (not needle or text[start:end] == needle):
        return start, end
    if needle:
        i = text.find(needle)
        if i >= 0:
            return i, i + len(needle)
    return None


def _evidence_spans(article: str, evidence: Sequence[Span]) -> list[tuple[int, int]]:
    out = []
    for sp in evidence:
        where = locate(article, sp.start, sp.end, sp.text)
        if where:
            out.append(where)
    return out


def excerpts(article: str, spans: Sequence[tuple[int, int]], context: int = 140) -> list[str]:
    """Short highlighted passages around each span (windows that overlap are joined)."""
    windows: list[list[int]] = []
    for s, e in sorted(spans):
        a, b = max(0, s - context), min(len(article), e + context)
        # widen to word boundaries
        while a > 0 and not article[a - 1].isspace():
            a -= 1
        while b < len(article) and not article[b].isspace():
            b += 1
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    out = []
    for a, b in windows:
        inner = [(s - a, e - a, "ev", "evidence") for s, e in spans if s >= a and e <= b]
        piece = highlight(article[a:b], inner)
        out.append(("… " if a > 0 else "") + piece + (" …" if b < len(article) else ""))
    return out


def _scale(key: str, run: RunData, task: str) -> float:
    """Factor that puts a metric on 0-100 for the shared chart axis."""
    if key.startswith(HUNDRED_SCALE):
        return 1.0
    highs = [
        est.get("high", 0.0)
        for r in run.runners
        for est in [run.results.get(r, {}).get(task, {}).get("metrics", {}).get(key)]
        if est and est.get("n")
    ]
    return 100.0 if key.startswith("rouge.") or (highs and max(highs) <= 1.0) else 1.0


def columns(task: str, results: Mapping[str, Any]) -> list[str]:
    """Metric keys of a task: the usual ones first, then any others (sorted)."""
    present = {k for r in results.values() for k in r.get(task, {}).get("metrics", {})}
    cols = [c for c in COLUMNS.get(task, []) if c in present]
    return cols + sorted(present - set(cols))


def primary_key(task: str, cols: Sequence[str]) -> str:
    return PRIMARY[task] if PRIMARY.get(task) in cols else (cols[0] if cols else "")


def _best(values: Mapping[str, float], key: str) -> set[str]:
    finite = {r: v for r, v in values.items() if math.isfinite(v)}
    if len(finite) < 2:
        return set()
    hib = higher_is_better(key)
    top = max(finite.values()) if hib else min(finite.values())
    if all(v == top for v in finite.values()):
        return set()
    return {r for r, v in finite.items() if v == top}


# -- sections ----------------------------------------------------------------


def _overview(run: RunData, task: str, lazy: LazySamples | None = None) -> str:
    results = run.results
    runners = [r for r in run.runners if task in results.get(r, {})]
    cols = columns(task, results)
    if not runners or not cols:
        return ""
    out = [f'<h2 id="overview-{esc(task)}">{esc(TITLES.get(task, task))}</h2>']
    out.append(
        '<p class="note">Means with seeded bootstrap 95% confidence intervals '
        "(answer equivalence, faithful coverage, key facts and ROUGE on 0–1, the others on "
        "0–100). The best runner per metric is shaded; "
        "overlapping intervals mean the difference may be noise (see <code>harness compare"
        "</code>). Click a column to sort.</p>"
    )
    head = "".join(f'<th class="num">{esc(c)}</th>' for c in cols)
    out.append(
        '<div class="scroll"><table class="sortable overview"><thead><tr><th>runner</th>'
        f'<th class="num">n</th><th class="num">errors</th>{head}</tr></thead><tbody>'
    )
    best = {
        c: _best(
            {
                r: results[r][task]["metrics"].get(c, {}).get("value", math.nan)
                for r in runners
                if results[r][task]["metrics"].get(c, {}).get("n")
            },
            c,
        )
        for c in cols
    }
    for r in runners:
        res = results[r][task]
        cells = "".join(estimate_cell(c, res["metrics"].get(c), r in best[c]) for c in cols)
        err = res.get("errors", 0)
        err_cell = f'<td class="num{" wrong" if err else ""}" data-sort="{err}">{err}</td>'
        out.append(
            f'<tr><td><b>{esc(r)}</b></td><td class="num" data-sort="{res.get("n", 0)}">'
            f"{res.get('n', 0)}</td>{err_cell}{cells}</tr>"
        )
    out.append("</tbody></table></div>")
    # chart
    values: dict[tuple[str, str], tuple[float, float, float]] = {}
    groups = []
    scaled = []
    usual = {k for ks in COLUMNS.values() for k in ks}
    for c in cols:
        if c not in usual and c.rsplit(".", 1)[-1] not in RATE_KEYS:
            continue  # counts and other scales stay in the table
        factor = _scale(c, run, task)
        label = c
        ok = True
        for r in runners:
            est = results[r][task]["metrics"].get(c)
            if est and est.get("n"):
                iv = (est["value"] * factor, est["low"] * factor, est["high"] * factor)
                if not all(math.isfinite(v) and -1e-9 <= v <= 100 + 1e-9 for v in iv):
                    ok = False
                values[(label, r)] = iv
        if ok:
            groups.append(label)
            if factor != 1.0:
                scaled.append(c.split(".", 1)[0])
    charts = [
        bar_chart(
            groups,
            runners,
            values,
            y_label="score (0–100)"
            + (f"; {', '.join(sorted(set(scaled)))} ×100" if scaled else ""),
            title=f"{TITLES.get(task, task)}: means with 95% CIs",
        )
    ]
    h2h = _head_to_head(run, task, runners, primary_key(task, cols), lazy)
    out.append(f'<div class="charts">{"".join(charts)}{h2h}</div>')
    corpus = {r: results[r][task].get("corpus", {}) for r in runners}
    if any(corpus.values()):
        keys = sorted({k for c in corpus.values() for k in c})
        out.append("<h3>Corpus-level scores</h3>")
        out.append('<p class="note">Computed over all samples at once, not a mean.</p>')
        out.append(
            '<div class="scroll"><table><thead><tr><th>runner</th>'
            + "".join(f'<th class="num">{esc(k)}</th>' for k in keys)
            + "</tr></thead><tbody>"
        )
        for r in runners:
            out.append(
                f"<tr><td>{esc(r)}</td>"
                + "".join(
                    f'<td class="num">{corpus[r][k]:.2f}</td>' if k in corpus[r] else "<td>–</td>"
                    for k in keys
                )
                + "</tr>"
            )
        out.append("</tbody></table></div>")
    if task == "qa":
        key = next(
            (k for k in ("answer_equivalence.score", "qa_de.exact") if k in cols),
            cols[0] if cols else "",
        )
        subsets = sorted({s for r in runners for s in results[r][task].get("subsets", {})})
        if subsets and key:
            out.append(f"<h3>Answerable vs unanswerable (<code>{esc(key)}</code>)</h3>")
            out.append(
                "<table><thead><tr><th>runner</th>"
                + "".join(f'<th class="num">{esc(s)}</th>' for s in subsets)
                + "</tr></thead><tbody>"
            )
            for r in runners:
                sub = results[r][task].get("subsets", {})
                out.append(
                    f"<tr><td>{esc(r)}</td>"
                    + "".join(estimate_cell(key, sub.get(s, {}).get(key)) for s in subsets)
                    + "</tr>"
                )
            out.append("</tbody></table>")
    return "".join(out)


def _head_to_head(
    run: RunData, task: str, runners: Sequence[str], key: str, lazy: LazySamples | None = None
) -> str:
    """Samples where the row runner beats the column runner on ``key``."""
    if len(runners) < 2 or not key:
        return ""
    per = {r: run.task_scores(r, task) for r in runners} if lazy is None else {}
    hib = higher_is_better(key)
    out = [
        f'<div><h3>Head to head (<code>{esc(key)}</code>)</h3><p class="note">Samples on '
        "which the row runner scores better than the column runner.</p><table><thead><tr>"
        "<th></th>" + "".join(f'<th class="num">{esc(c)}</th>' for c in runners) + "</tr></thead>"
        "<tbody>"
    ]
    for a in runners:
        cells = []
        for b in runners:
            if a == b:
                cells.append('<td class="num na">·</td>')
                continue
            wins = lazy.wins(task, a, b, key, hib) if lazy is not None else sum(
                1
                for sid, sa in per[a].items()
                if sid in per[b]
                and key in sa.values
                and key in per[b][sid].values
                and (sa.values[key] - per[b][sid].values[key]) * (1 if hib else -1) > 0
            )
            cells.append(f'<td class="num">{wins}</td>')
        out.append(f"<tr><th>{esc(a)}</th>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _categories(run: RunData, task: str) -> str:
    results = run.results
    runners = [r for r in run.runners if task in results.get(r, {})]
    cols = columns(task, results)
    key = primary_key(task, cols)
    if not runners or not key:
        return ""
    cats = sorted({c for r in runners for c in results[r][task].get("categories", {})})
    if not cats:
        return ""
    values: dict[tuple[str, str], float] = {}
    notes: dict[str, str] = {}
    for c in cats:
        n = 0
        for r in runners:
            est = results[r][task]["categories"].get(c, {}).get(key)
            if est and est.get("n"):
                values[(c or "(none)", r)] = est["value"]
                n = max(n, int(est["n"]))
        notes[c or "(none)"] = f"n={n}"
    v_max = 1.0 if _scale(key, run, task) == 100.0 else 100.0
    svg = heatmap(
        [c or "(none)" for c in cats],
        runners,
        values,
        v_max=v_max,
        row_notes=notes,
        title=f"{TITLES.get(task, task)}: {key} per category",
        fmt=f"{{:.{decimals(key)}f}}",
        higher_is_better=higher_is_better(key),
    )
    return (
        f"<h3>{esc(TITLES.get(task, task))}: <code>{esc(key)}</code> per category</h3>"
        '<p class="note">Darker is better; the best runner of each row is outlined. '
        "Categories with few items have wide intervals.</p>" + svg
    )


def _fact_text(item: Any) -> str:
    if isinstance(item, Mapping):
        main = item.get("label") or item.get("statement") or item.get("text") or item.get("id")
        extra = item.get("matched") or item.get("match")
        if not extra and item.get("text") and item.get("text") != main:
            extra = item.get("text")  # key_facts: the text of the summary that matched
        ident = item.get("id")
        out = esc(main if main is not None else json.dumps(item, ensure_ascii=False))
        if ident and ident != main:
            out = f"<code>{esc(ident)}</code> {out}"
        if extra:
            said = "states instead" if item.get("reason") else "matched"  # contradicted facts
            out += f' <span class="ci">{said}: “{esc(extra)}”</span>'
        return out
    return esc(item)


def _run_block(
    sample: Sample,
    runner: str,
    g: Generation | None,
    s: Score | None,
    rules: Sequence[Rule],
    runner_index: int,
) -> str:
    values = dict(s.values) if s else {}
    v = verdict(values, rules) if s else None
    result = "na" if v is None else ("right" if v else "wrong")
    badge = {"right": "right", "wrong": "wrong", "na": "no verdict"}[result]
    out = [
        f'<div class="run" data-runner="{esc(runner)}" data-result="{result}">'
        f'<h4><span style="color:{color(runner_index)}">■</span> {esc(runner)}'
        f' <span class="chip {result}">{badge}</span></h4>'
    ]
    details: Mapping[str, Any] = dict(s.details) if s else {}
    if g is None:
        out.append('<div class="err">no generation saved for this runner</div>')
    else:
        if g.error:
            out.append(f'<div class="err">error: {esc(g.error)}</div>')
        hall = details.get("hallucination")
        hall = hall if isinstance(hall, Mapping) else {}
        listed, names = hall.get("unsupported"), hall.get("names")
        unsupported = (
            [u for u in listed if isinstance(u, Mapping)] if isinstance(listed, list) else []
        )
        if isinstance(names, list):  # unsupported names, when the name check is on
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
        out.append('<div class="label">prediction (scored)</div>')
        pred = highlight(g.text, marks) if g.text else '<span class="ci">(empty)</span>'
        out.append(f'<div class="pred">{pred}</div>')
        if g.raw and g.raw != g.text:
            out.append(f'<div class="label">raw output</div><pre>{esc(g.raw)}</pre>')
        if unsupported:
            out.append(
                f'<div class="label">unsupported by the article ({len(unsupported)})</div><ul>'
                + "".join(
                    f'<li>“{esc(u.get("text", ""))}” <span class="badge">'
                    f"{esc(u.get('kind', ''))}</span></li>"
                    for u in unsupported
                    if isinstance(u, Mapping)
                )
                + "</ul>"
            )
        timing = []
        if g.seconds:
            timing.append(f"{g.seconds:.2f} s" if g.seconds >= 1 else f"{g.seconds * 1000:.3g} ms")
        if g.prompt_tokens is not None:
            timing.append(f"{g.prompt_tokens} prompt tokens")
        if g.completion_tokens is not None:
            timing.append(f"{g.completion_tokens} completion tokens")
        if g.cached:
            timing.append("from cache")
        if timing:
            out.append(f'<div class="ci">{esc(" · ".join(timing))}</div>')
    if values:
        keys = [k for k in COLUMNS.get(sample.task, []) if k in values]
        keys += sorted(set(values) - set(keys))
        out.append(
            '<table class="values"><tbody>'
            + "".join(
                f'<tr><td><code>{esc(k)}</code></td><td class="num">'
                f"{fmt_value(k, values[k])}</td></tr>"
                for k in keys
            )
            + "</tbody></table>"
        )
    kf = details.get("key_facts")
    if isinstance(kf, Mapping):
        for part, title in (
            ("found", "key facts found"),
            ("contradicted", "key facts contradicted"),
            ("missed", "key facts missed"),
        ):
            items = kf.get(part)
            if isinstance(items, list):
                out.append(
                    f'<div class="label">{title} ({len(items)})</div>'
                    f'<ul class="facts {part}">'
                    + "".join(f"<li>{_fact_text(i)}</li>" for i in items)
                    + "</ul>"
                )
    if details:
        dump = json.dumps(details, ensure_ascii=False, indent=1, sort_keys=True, default=str)
        out.append(f"<details><summary>metric details</summary><pre>{esc(dump)}</pre></details>")
    out.append("</div>")
    return "".join(out)


def _sample_block(run: RunData, sample: Sample, rules: Sequence[Rule]) -> str:
    runners = [r for r in run.runners if (r, sample.id) in run.scores]
    primary = PRIMARY.get(sample.task, "")
    chips = []
    search = [sample.id, sample.input, *sample.references]
    for r in runners:
        s = run.scores.get((r, sample.id))
        values = dict(s.values) if s else {}
        v = verdict(values, rules)
        cls = "na" if v is None else ("right" if v else "wrong")
        shown = fmt_value(primary, values.get(primary)) if primary in values else "–"
        chips.append(
            f'<span class="chip {cls}" data-runner="{esc(r)}" title="{esc(primary)}">'
            f"{esc(r)} {shown}</span>"
        )
        g = run.generations.get((r, sample.id))
        if g:
            search.append(g.text)
    item = sample.id.split("/", 1)[1] if "/" in sample.id else sample.id
    label = sample.input if sample.task == "qa" else f"Summary ({sample.input})"
    short = label if len(label) <= 160 else label[:159] + "…"
    out = [
        f'<details class="sample" data-id="{esc(sample.id)}" data-task="{esc(sample.task)}" '
        f'data-category="{esc(sample.category)}" '
        f'data-search="{esc(" ".join(search).lower())}">'
        f'<summary><span class="sid">{esc(item)}</span>'
        f'<span class="badge">{esc(sample.category or sample.task)}</span>'
        f'<span class="q">{esc(short)}</span><span>{"".join(chips)}</span></summary>'
        '<div class="body"><div>'
    ]
    doc = run.documents.get(sample.doc_id)
    out.append(
        '<dl class="meta">'
        f"<dt>sample</dt><dd><code>{esc(sample.id)}</code></dd>"
        f"<dt>task</dt><dd>{esc(sample.task)} · {esc(sample.answer_type)} · "
        f"{esc(sample.language)}</dd>"
        f"<dt>document</dt><dd>{esc(doc.title if doc else sample.doc_id)}</dd></dl>"
    )
    out.append(f'<div class="label">{"question" if sample.task == "qa" else "instruction"}</div>')
    out.append(f"<div><b>{esc(label)}</b></div>")
    if sample.references:
        title = "accepted answers" if sample.task == "qa" else "reference summaries"
        out.append(
            f'<div class="label">{title} ({len(sample.references)})</div><ul class="gold">'
            + "".join(f"<li>{esc(ref)}</li>" for ref in sample.references)
            + "</ul>"
        )
    elif not sample.answerable:
        out.append(
            '<div class="label">gold</div><div>unanswerable from the article: '
            "the right answer is to abstain</div>"
        )
    if doc is not None:
        spans = _evidence_spans(doc.text, sample.evidence)
        if spans:
            out.append(f'<div class="label">evidence ({len(spans)})</div>')
            out += [f'<div class="excerpt">{x}</div>' for x in excerpts(doc.text, spans)]
        marks = [(s, e, "ev", "evidence") for s, e in spans]
        out.append(
            '<details class="article"><summary>article'
            + (" with the evidence highlighted" if spans else "")
            + f'</summary><div class="article">{highlight(doc.text, marks)}</div></details>'
        )
    out.append("</div><div>")
    for r in runners:
        out.append(
            _run_block(
                sample,
                r,
                run.generations.get((r, sample.id)),
                run.scores.get((r, sample.id)),
                rules,
                run.runners.index(r),
            )
        )
    out.append("</div></div></details>")
    return "".join(out)


def _samples(run: RunData, rules: Sequence[Rule]) -> str:
    samples = [s for s in run.samples.values() if any((r, s.id) in run.scores for r in run.runners)]
    if not samples:
        return ""
    tasks: Counter[str] = Counter(s.task for s in samples)
    cats = Counter(s.category for s in samples)

    def options(counts: Mapping[str, int], every: str) -> str:
        return f'<option value="">{every}</option>' + "".join(
            f'<option value="{esc(k)}">{esc(k or "(none)")} ({n})</option>'
            for k, n in sorted(counts.items())
        )

    runner_opts = '<option value="">all runners</option>' + "".join(
        f'<option value="{esc(r)}">{esc(r)}</option>' for r in run.runners
    )
    rules_text = "; ".join(str(r) for r in rules)
    out = [
        '<section id="samples-section"><h2 id="samples">Samples</h2>',
        f'<p class="note">Every sample and every runner. “Right” means {esc(rules_text)} '
        "(the first rule whose metric the sample has). Open a sample for its gold, the "
        "evidence in the article, each prediction (scored and raw), every metric value and "
        "detail. Links keep the filters; <code>#open=&lt;sample id&gt;</code> opens one, "
        "<code>&amp;focus=1</code> shows it alone."
        "</p>",
        '<div class="filters">'
        f'<label>Runner<select id="f-runner">{runner_opts}</select></label>'
        f'<label>Task<select id="f-task">{options(tasks, "all tasks")}</select></label>'
        f'<label>Category<select id="f-category">{options(cats, "all categories")}'
        "</select></label>"
        '<label>Result<select id="f-result"><option value="">all</option>'
        '<option value="right">right</option><option value="wrong">wrong</option>'
        '<option value="disagree">runners disagree</option></select></label>'
        '<label>Search<input id="f-text" type="search" placeholder="id, question, answer">'
        f'</label><span id="f-count">{len(samples)} samples</span></div>',
        '<div id="sample-list">',
    ]
    out += [_sample_block(run, s, rules) for s in samples]
    out.append("</div></section>")
    return "".join(out)


def _metadata(run: RunData, lazy: LazySamples | None = None) -> str:
    m = run.manifest
    out = ['<h2 id="run">Run</h2><dl class="meta">']
    rows: list[tuple[str, str]] = [("run id", esc(run.run_id)), ("folder", esc(run.path))]
    for key, label in (("created", "created"), ("git_commit", "git commit")):
        if m.get(key):
            rows.append((label, f"<code>{esc(m[key])}</code>"))
    if "seconds_total" in m:
        rows.append(("total time", f"{float(m['seconds_total']):.1f} s"))
    if m.get("interrupted"):
        rows.append(("interrupted", '<span class="err">yes</span>'))
    if m.get("aborted"):
        rows.append(("stopped", f'<span class="err">{esc(m["aborted"])}</span>'))
    if m.get("bootstrap"):
        b = m["bootstrap"]
        rows.append(("bootstrap", esc(", ".join(f"{k} {v}" for k, v in b.items()))))
    if m.get("argv"):
        rows.append(("command", f"<code>{esc(' '.join(str(a) for a in m['argv']))}</code>"))
    for doc_id, info in (m.get("gold") or {}).items():
        rows.append(
            (
                f"gold {esc(doc_id)}",
                f"<code>{esc(info.get('sha256', ''))[:16]}</code> {esc(info.get('path', ''))}",
            )
        )
    out += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows]
    out.append("</dl>")
    runners = m.get("runners") or {}
    errors: dict[str, list[Generation]] = {}
    for (r, _), g in sorted(run.generations.items()):
        if g.error:
            errors.setdefault(r, []).append(g)
    counts = {r: len(gens) for r, gens in errors.items()}
    if lazy is not None:  # a large run: every failure counted, the first ones listed
        listed = lazy.errors()
        counts = {r: n for r, (n, _) in listed.items()}
        errors = {
            r: [Generation(sid, r, "", error=e) for sid, e in shown]
            for r, (_, shown) in listed.items()
        }
    if runners:
        out.append(
            "<h3>Runners</h3><table><thead><tr><th>runner</th><th>type</th><th>fingerprint</th>"
            '<th>options</th><th>prompt templates</th><th class="num">time (total / '
            'generate / score)</th><th class="num">cache hits / misses</th>'
            '<th class="num">errors</th></tr></thead><tbody>'
        )
        for name, info in runners.items():
            opts = json.dumps(info.get("options", {}), ensure_ascii=False, sort_keys=True)
            templates = "<br>".join(
                f"{esc(t)}: <code>{esc(h)}</code>"
                for t, h in (info.get("prompt_templates") or {}).items()
            )
            secs = [info.get(k) for k in ("seconds_total", "seconds_generate", "seconds_score")]
            timing = " / ".join(f"{s:.2f}" if isinstance(s, int | float) else "–" for s in secs)
            cache = info.get("cache") or {}
            n_err = counts.get(name, 0)
            out.append(
                f"<tr><td><b>{esc(name)}</b></td><td>{esc(info.get('type', ''))}</td>"
                f"<td><code>{esc(info.get('fingerprint', ''))}</code></td>"
                f"<td><code>{esc(opts)}</code></td><td>{templates}</td>"
                f'<td class="num">{timing} s</td>'
                f'<td class="num">{esc(cache.get("hits", "–"))} / '
                f"{esc(cache.get('misses', '–'))}</td>"
                f'<td class="num{" wrong" if n_err else ""}">{n_err}</td></tr>'
            )
        out.append("</tbody></table>")
    if errors:
        out.append("<h3>Errors</h3>")
        for r, gens in errors.items():
            out.append(
                f"<details><summary>{esc(r)}: {counts[r]} failed samples</summary><ul>"
                + "".join(f"<li><code>{esc(g.sample_id)}</code>: {esc(g.error)}</li>" for g in gens)
                + (f"<li>… {counts[r] - len(gens)} more</li>" if counts[r] > len(gens) else "")
                + "</ul></details>"
            )
    sigs = m.get("metrics") or run.summary.get("signatures") or {}
    if sigs:
        out.append("<h3>Metrics</h3><table><tbody>")
        out += [
            f"<tr><td><b>{esc(k)}</b></td><td><code>{esc(v)}</code></td></tr>"
            for k, v in sigs.items()
        ]
        out.append("</tbody></table>")
    versions = m.get("versions") or {}
    if versions:
        out.append(
            '<h3>Versions</h3><p class="mono">'
            + esc(", ".join(f"{k} {v}" for k, v in versions.items()))
            + "</p>"
        )
    cfg = run.path / "config.yaml"
    if cfg.is_file():
        out.append(
            "<details><summary>resolved config (secrets redacted)</summary>"
            f"<pre>{esc(cfg.read_text(encoding='utf-8'))}</pre></details>"
        )
    return "".join(out)


def render_html(
    run: RunData, rules: Sequence[Rule] = DEFAULT_RIGHT, lazy: LazySamples | None = None
) -> str:
    """The whole report as one HTML document.

    With ``lazy`` (a large run) the drill-down reads its samples from the data files
    :meth:`LazySamples.write` puts beside the page, instead of holding them.
    """
    tasks = run.tasks()
    body: list[str] = []
    for w in run.warnings:
        body.append(f'<div class="warn">{esc(w)}</div>')
    docs = ", ".join(d.title for d in run.documents.values()) or ", ".join(
        sorted({s.doc_id for s in run.samples.values()})
    )
    body.append(f'<p class="note">Gold: {esc(docs)}. Runners: {esc(", ".join(run.runners))}.</p>')
    for task in tasks:
        body.append(_overview(run, task, lazy))
    cat_parts = [_categories(run, t) for t in tasks]
    if any(cat_parts):
        body.append('<h2 id="categories">Per category</h2><div class="charts">')
        body += [f"<div>{c}</div>" for c in cat_parts if c]
        body.append("</div>")
    body.append(_samples(run, rules) if lazy is None else lazy.section())
    body.append(_metadata(run, lazy))
    created = run.manifest.get("created", "")
    subtitle = esc(run.run_id) + (f" · {esc(created)}" if created else "")
    nav = "".join(
        f'<a href="#{a}">{t}</a>'
        for a, t in (
            *((f"overview-{task}", TITLES.get(task, task)) for task in tasks),
            ("categories", "Per category"),
            ("samples", "Samples"),
            ("run", "Run"),
        )
    )
    if lazy is not None:  # the drill-down marks the page ready once its samples are shown
        ready = "document.body.setAttribute('data-ready','1');"
        script = lazy.script() + SORT_SCRIPT.replace(ready, "")
    else:
        script = SCRIPT + SORT_SCRIPT
    return page("Evaluation report", "".join(body), script, subtitle, nav)


def write_html_report(
    run_dir: Path,
    rules: Sequence[Rule] = DEFAULT_RIGHT,
    scrub: Callable[[Any], Any] | None = None,
    tally: RunTally | None = None,
    inline_samples: int | None = None,
) -> Path:
    """Load ``run_dir`` and write its ``report.html`` atomically; returns the path.

    ``scrub`` (a run's :meth:`harness.results.Scrubber.value`) removes its secrets from the page.
    A run with more than ``inline_samples`` scored samples (default
    :data:`harness.report.drilldown.INLINE_SAMPLES`) gets the overview in the page and its
    drill-down in data files in ``report-data/`` (:mod:`harness.report.drilldown`), read
    from the run's files in bounded memory (``tally``: a tally of them, read when not given).

    Raises:
        RunLoadError: A file of the run is missing or damaged (``file:line: field: what``).
    """
    from harness.report.drilldown import INLINE_SAMPLES, LazySamples, light_run

    limit = INLINE_SAMPLES if inline_samples is None else inline_samples
    path = Path(run_dir) / "report.html"
    run, tally, scored = light_run(Path(run_dir), tally)
    if scored <= limit:
        from harness.report.load import load_run

        page = render_html(load_run(run_dir), rules)
    else:
        lazy = LazySamples(run, tally, rules, scrub)
        lazy.write(Path(run_dir))
        page = render_html(run, rules, lazy)
    atomic_write_text(path, scrub(page) if scrub else page)
    return path
