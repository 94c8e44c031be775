"""A self-contained HTML report (tables, inline SVG plots, transcripts) and a markdown summary of a run."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from codesteer._files import write_text_atomic
from codesteer.eval._paper import PAPER_META, paper_rows
from codesteer.eval._results import results_document
from codesteer.eval._scores import REASON_ORDER, Scores, complete_instances, compute_scores
from codesteer.runs import RunStore
from codesteer.symbench import Verdict
from codesteer.symbench import tasks as all_tasks

_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
            "#bab0ac", "#1b9e77"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{margin-bottom:4px} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:12px 0;font-size:14px} th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f4f4f4} td.l,th.l{text-align:left} td.best{background:#d9f2d9;font-weight:bold}
tr.avg td{border-top:2px solid #888;font-weight:bold}
.plots{display:flex;flex-wrap:wrap;gap:16px} .plot{border:1px solid #eee;padding:8px}
details{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px} summary{cursor:pointer}
.ok{color:#1a7f37;font-weight:bold} .bad{color:#cf222e;font-weight:bold}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap;max-height:400px;overflow-y:auto;font-size:12px}
.turn{margin:6px 0 6px 12px;border-left:3px solid #ccc;padding-left:8px} .guide{border-color:#b07aa1} .task{border-color:#4e79a7}
.legend span{display:inline-block;margin-right:12px} .sw{display:inline-block;width:10px;height:10px;margin-right:4px}
.tablebox{max-width:100%;overflow-x:auto} .tablebox table{margin:0}
#filters{position:sticky;top:0;background:#fff;padding:6px 0;z-index:1;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
#filters input{min-width:240px} .permalink{color:#888;text-decoration:none;margin-left:6px}
.expected{margin:6px 0} details.calls,details.call{border-color:#eee} .call .msg{margin:4px 0 4px 8px}
.call .msg b{font-size:12px;color:#555}
"""

# Filter and search for the transcripts; inline (the report opens from file:// with no network), reads only the
# page's own data attributes and text, and never writes model text into the page as HTML.
_SCRIPT = """
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll('#transcripts details.transcript'));
  var f = {task: document.getElementById('f-task'), method: document.getElementById('f-method'),
           verdict: document.getElementById('f-verdict'), q: document.getElementById('f-q')};
  var count = document.getElementById('f-count');
  var text = new Map();
  function apply() {
    var q = f.q.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (d) {
      if (q && !text.has(d)) { text.set(d, d.textContent.toLowerCase()); }
      var ok = (!f.task.value || d.dataset.task === f.task.value) &&
               (!f.method.value || d.dataset.method === f.method.value) &&
               (!f.verdict.value || d.dataset.verdict === f.verdict.value) &&
               (!q || text.get(d).indexOf(q) >= 0);
      d.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + ' of ' + items.length + ' shown';
  }
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var d = id ? document.getElementById(id) : null;
    if (d && d.matches('details.transcript')) { d.hidden = false; d.open = true; d.scrollIntoView(); }
  }
  var params = new URLSearchParams(location.search);
  Object.keys(f).forEach(function (k) {
    if (params.has(k)) { f[k].value = params.get(k); }
    f[k].addEventListener('input', apply);
    f[k].addEventListener('change', apply);
  });
  window.addEventListener('hashchange', openHash);
  apply();
  openHash();
})();
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _n(x: Any, fmt: str = ".0f") -> str:
    """A stored number formatted, or (in a crafted file) whatever is there, escaped."""
    try:
        return format(float(x), fmt)
    except (TypeError, ValueError):
        return _e(x)


def _color(i: int) -> str:
    return _PALETTE[i % len(_PALETTE)]


_KIND_LABEL = {"no <<<answer>>> found": "no answer"}
_KIND_COLOR = {"ok": "#59a14f", "wrong": "#e15759", "violates": "#f28e2b", "malformed": "#edc948",
               "no <<<answer>>> found": "#bab0ac", "error": "#9c755f", "other": "#76b7b2"}
VERDICT_BAR_W = 320  # px of a full bar (100% of a method's samples) in the verdict plot


def _table_html(s: Scores) -> str:
    rates = s.rate_table()
    head = "".join(f"<th>{_e(m)}</th>" for m in s.methods)
    rows = []
    for t in s.tasks:
        best = max(rates[m].get(t, 0.0) for m in s.methods)
        cells = []
        for m in s.methods:
            c = s.by_task[m].get(t)
            if c is None:
                cells.append("<td>–</td>")
                continue
            lo, hi = c.ci
            cls = ' class="best"' if c.rate * 100 == best and best > 0 else ""
            cells.append(f'<td{cls} title="{c.correct}/{c.n}, 95% CI {lo * 100:.0f}–{hi * 100:.0f}">{c.rate * 100:.0f}</td>')
        split = "seen" if s.seen.get(t, True) else "unseen"
        rows.append(f'<tr><td class="l">{_e(t)} <small>({split})</small></td>{"".join(cells)}</tr>')
    avg = s.averages()
    for key, label in [("norm_seen", "Ave. Norm. seen"), ("norm_unseen", "Ave. Norm. unseen"),
                       ("norm_total", "Ave. Norm. total"), ("raw_total", "raw average")]:
        if any(key in avg[m] for m in s.methods):
            rows.append(f'<tr class="avg"><td class="l">{label}</td>'
                        + "".join(f"<td>{avg[m].get(key, 0.0):.1f}</td>" for m in s.methods) + "</tr>")
    cost_rows = []
    for m in s.methods:
        c = s.overall[m]
        n = max(c.n, 1)
        cost_rows.append(f'<tr><td class="l">{_e(m)}</td><td>{c.n}</td><td>{c.rate * 100:.1f}</td><td>{c.tokens / n:.0f}</td>'
                         f"<td>{c.cost / n:.5f}</td><td>{c.wall_s / n:.2f}</td></tr>")
    kinds, counts = s.reason_table()
    reason_rows = "".join(f'<tr><td class="l">{_e(m)}</td>' + "".join(f"<td>{counts[m][k]}</td>" for k in kinds)
                          + "</tr>" for m in s.methods)
    return (f'<div class="tablebox"><table id="score-table"><tr><th class="l">task</th>{head}</tr>{"".join(rows)}</table></div>'
            '<h3>Cost per sample</h3><div class="tablebox"><table id="cost-table"><tr><th class="l">method</th><th>samples</th><th>success %</th>'
            f'<th>tokens</th><th>cost $</th><th>wall s</th></tr>{"".join(cost_rows)}</table></div>'
            '<h3>Verdicts</h3><p>What the verifier said about each final answer (ok, wrong, breaks a rule of the task, '
            'malformed, or no answer between <code>&lt;&lt;&lt;</code> and <code>&gt;&gt;&gt;</code> at all).</p>'
            f'<div class="tablebox"><table id="reason-table"><tr><th class="l">method</th>{"".join(f"<th>{_e(_KIND_LABEL.get(k, k))}</th>" for k in kinds)}</tr>'
            f'{reason_rows}</table></div><div class="tablebox">{_verdict_bars(s)}</div>')


def _verdict_bars(s: Scores) -> str:
    """One stacked bar per method: how its final answers split into ok / wrong / ... / no answer.

    When every method scores 0 the success table is all zeros; this plot is where the difference between methods
    shows (e.g. a model that never writes the answer block vs one whose answers break a rule).
    """
    kinds, counts = s.reason_table()
    label_w, row_h, top = 190, 20, 8
    h = top + row_h * len(s.methods) + 24
    parts = [f'<svg id="verdict-plot" width="{label_w + VERDICT_BAR_W + 60}" height="{h}" role="img" '
             'aria-label="verdicts per method">']
    for r, m in enumerate(s.methods):
        y = top + r * row_h
        n = sum(counts[m].values())
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">{_e(m)}</text>')
        x = float(label_w)
        for k in kinds:
            c = counts[m][k]
            if not c:
                continue
            w = VERDICT_BAR_W * c / n
            parts.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{row_h - 4}" fill="{_KIND_COLOR.get(k, "#888")}" '
                         f'data-method="{_e(m)}" data-kind="{_e(k)}" data-n="{c}">'
                         f"<title>{_e(m)}: {c} of {n} {_e(_KIND_LABEL.get(k, k))}</title></rect>")
            x += w
        parts.append(f'<text x="{label_w + VERDICT_BAR_W + 6}" y="{y + 13}" font-size="11">n={n}</text>')
    lx = float(label_w)
    for k in kinds:
        parts.append(f'<rect x="{lx}" y="{h - 14}" width="10" height="10" fill="{_KIND_COLOR.get(k, "#888")}"/>'
                     f'<text x="{lx + 14}" y="{h - 5}" font-size="11">{_e(_KIND_LABEL.get(k, k))}</text>')
        lx += 24 + 7 * len(_KIND_LABEL.get(k, k))
    parts.append("</svg>")
    return "".join(parts)


def _legend(methods: list[str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i class="sw" style="background:{_color(i)}"></i>{_e(m)}</span>' for i, m in enumerate(methods)) + "</div>"


def _line_plot(title: str, series: dict[str, list[tuple[float, float]]], methods: list[str], xlabel: str) -> str:
    w, h, pad = 300, 200, 36
    xs = [x for pts in series.values() for x, _ in pts] or [1, 5]
    x0, x1 = min(xs), max(xs)
    x1 = x1 if x1 > x0 else x0 + 1

    def px(x: float) -> float:
        return pad + (x - x0) / (x1 - x0) * (w - 2 * pad)

    def py(y: float) -> float:
        return h - pad - y / 100 * (h - 2 * pad)

    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="{_e(title)}">',
             f'<text x="{w / 2}" y="14" text-anchor="middle" font-size="12">{_e(title)}</text>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#999"/>',
             f'<text x="{w / 2}" y="{h - 6}" text-anchor="middle" font-size="10">{_e(xlabel)}</text>']
    for tick in (0, 50, 100):
        parts.append(f'<text x="{pad - 4}" y="{py(tick) + 3}" text-anchor="end" font-size="9">{tick}</text>')
    for x in sorted({x0, x1}):
        parts.append(f'<text x="{px(x):.1f}" y="{h - pad + 12}" text-anchor="middle" font-size="9">{x:.4g}</text>')
    for i, m in enumerate(methods):
        pts = sorted(series.get(m, []))
        if not pts:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{_color(i)}" stroke-width="2" points="{path}"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{_color(i)}"><title>{_e(m)}: {y:.0f}% at {x:g}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _scatter(title: str, pts: dict[str, tuple[float, float]], methods: list[str], xlabel: str) -> str:
    series = {m: [p] for m, p in pts.items()}
    return _line_plot(title, series, methods, xlabel)


def _plots_html(s: Scores) -> str:
    blocks = []
    for t in s.tasks:
        series = {m: [(float(c), cell.rate * 100) for c, cell in s.by_complexity[m].get(t, {}).items() if c]
                  for m in s.methods}
        blocks.append(f'<div class="plot">{_line_plot(t, series, s.methods, "complexity")}</div>')
    tok = {m: (s.overall[m].tokens / max(s.overall[m].n, 1), s.overall[m].rate * 100) for m in s.methods}
    wall = {m: (s.overall[m].wall_s / max(s.overall[m].n, 1), s.overall[m].rate * 100) for m in s.methods}
    cost = (f'<div class="plot">{_scatter("success vs tokens per sample", tok, s.methods, "tokens / sample")}</div>'
            f'<div class="plot">{_scatter("success vs time per sample", wall, s.methods, "seconds / sample")}</div>')
    return (f'<h2>Cost</h2>{_legend(s.methods)}<div class="plots" id="cost-plots">{cost}</div>'
            f'<h2>Success vs complexity</h2>{_legend(s.methods)}<div class="plots" id="complexity-plots">{"".join(blocks)}</div>')


def _clip(text: Any, limit: int, *, tail: bool = False) -> str:
    """At most ``limit`` characters of ``text`` cut at a space, never mid-word, with an ellipsis where cut.

    Cut before escaping: slicing escaped HTML could split an entity such as ``&amp;``.
    """
    t = str(text)
    if len(t) <= limit:
        return t
    if tail:
        part = t[-limit:]
        space = part.find(" ")
        return "…" + (part[space + 1:] if 0 <= space < limit // 2 else part)
    part = t[:limit]
    space = part.rfind(" ")
    return (part[:space] if space > limit // 2 else part) + "…"


def _anchor(row: Any, taken: set[str]) -> str:
    """A stable, unique element id for a sample's transcript (the target of its link)."""
    base = "s-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{row.method}.{row.instance_id}")
    anchor, k = base, 1
    while anchor in taken:
        k += 1
        anchor = f"{base}-{k}"
    taken.add(anchor)
    return anchor


def _calls(traj: dict[str, Any]) -> str:
    """Every model call: role, model, tokens and latency, and (collapsed) the exact messages sent and the reply."""
    calls = traj.get("calls", [])
    if not calls:
        return ""
    items = []
    shown: dict[tuple[str, str], str] = {}  # (role, content) -> where it was first shown in this transcript
    for i, c in enumerate(calls, 1):
        parts = []
        for j, m in enumerate(c.get("messages", []), 1):
            role, content = str(m.get("role", "")), str(m.get("content", ""))
            # a conversation resends its whole history on every call: show each message once, refer back after
            first = shown.get((role, content))
            if first is not None and len(content) > 80:
                parts.append(f'<div class="msg"><b>{_e(role)}</b> <i>same as {first}</i></div>')
                continue
            shown.setdefault((role, content), f"call #{i}, message {j}")
            parts.append(f'<div class="msg"><b>{_e(role)}</b><pre>{_e(content)}</pre></div>')
        msgs = "".join(parts)
        if not msgs:
            msgs = "<p><i>messages not recorded (a run from an older version)</i></p>"
        reply = f'<div class="msg"><b>reply</b><pre>{_e(c["reply"])}</pre></div>' if c.get("reply") else ""
        head = (f'#{i} {_e(c.get("role", ""))} · {_e(c.get("model", ""))} · {int(c.get("prompt_tokens", 0))} → '
                f'{int(c.get("completion_tokens", 0))} tok · {float(c.get("latency_s", 0.0)):.2f} s'
                + (" · cached" if c.get("cached") else ""))
        items.append(f'<details class="call"><summary>{head}</summary>{msgs}{reply}</details>')
    return f'<details class="calls"><summary>model calls ({len(calls)})</summary>{"".join(items)}</details>'


def _transcript(row: Any, traj: dict[str, Any], verdict: dict[str, Any], inst: Any, anchor: str) -> str:
    ok = verdict.get("correct")
    reason = str(verdict.get("reason", ""))
    kind = Verdict(bool(ok), 0.0, reason).kind
    head = (f'<summary><span class="{"ok" if ok else "bad"}">{"✔" if ok else "✘"}</span> {_e(row.method)} · '
            f"{_e(row.task)} · {_e(row.instance_id)} · {_e(row.turns)} turn(s) · {_e(row.total_tokens())} tok · {row.wall_s:.1f}s · "
            f'{_e(_clip(reason, 160))}<a class="permalink" href="#{_e(anchor)}" title="link to this sample">#</a></summary>')
    question = inst.question if inst is not None else ""
    expected = (f'<p class="expected"><b>expected answer</b> <code>{_e(_clip(inst.answer, 2000))}</code> · '
                f"<b>verdict</b> {_e(reason)}</p>") if inst is not None else f'<p class="expected"><b>verdict</b> {_e(reason)}</p>'
    parts = [expected, f"<pre>{_e(question)}</pre>"]
    guides = {g.get("index"): g for g in traj.get("guide_turns", [])}
    task_turns = traj.get("task_turns", [])
    for turn in task_turns:
        g = guides.get(turn.get("index"))
        if g:
            parts.append(f'<div class="turn guide"><b>guide {_e(g.get("index"))} ({_e(g.get("decision"))})</b>'
                         f'<pre>{_e(g.get("raw", ""))}</pre></div>')
        body = [f'<b>task {_e(turn.get("index"))}</b><pre>{_e(turn.get("reply", ""))}</pre>']
        ex = turn.get("execution")
        if ex:
            status = "timed out" if ex.get("timed_out") else f"exit {ex.get('exit_code')}"
            body.append(f"<i>execution ({_e(status)}, {_n(ex.get('wall_ms', 0))} ms)</i><pre>{_e(ex.get('stdout', ''))}"
                        + (f"\n[stderr]\n{_e(ex.get('stderr', ''))}" if ex.get("stderr") else "") + "</pre>")
        if turn.get("symbolic"):
            body.append(f"<i>symbolic checker:</i> {_e(turn['symbolic'].get('summary', ''))}<br>")
        if turn.get("selfcheck"):
            sc = turn["selfcheck"]
            body.append(f"<i>self-check: {_e(sc.get('status'))}</i> {_e(_clip(sc.get('detail', ''), 500))}")
        parts.append(f'<div class="turn task">{"".join(body)}</div>')
    shown = {turn.get("index") for turn in task_turns}
    for idx, g in guides.items():
        if idx not in shown:
            parts.append(f'<div class="turn guide"><b>guide {_e(idx)} ({_e(g.get("decision"))})</b>'
                         f'<pre>{_e(g.get("raw", ""))}</pre></div>')
    parts.append(f"<p>stop: {_e(traj.get('stop_reason'))} · final answer from {_e(traj.get('final_source'))}: "
                 f"<code>{_e(_clip(traj.get('final_answer', ''), 300, tail=True))}</code></p>")
    parts.append(_calls(traj))
    data = (f'data-task="{_e(row.task)}" data-method="{_e(row.method)}" data-verdict="{_e(kind)}" '
            f'data-correct="{"1" if ok else "0"}"')
    return f'<details class="transcript" id="{_e(anchor)}" {data}>{head}{"".join(parts)}</details>'


def _filters(rows: list[Any], kinds: list[str]) -> str:
    """The filter bar over the transcripts: task, method, verdict and free text (see ``_SCRIPT``)."""
    def select(name: str, label: str, values: list[str], labels: dict[str, str] | None = None) -> str:
        opts = "".join(f'<option value="{_e(v)}">{_e((labels or {}).get(v, v))}</option>' for v in values)
        return f'<label>{label} <select id="f-{name}"><option value="">all</option>{opts}</select></label>'

    tasks = sorted({r.task for r in rows})
    methods = sorted({r.method for r in rows})
    return ('<div id="filters">' + select("task", "task", tasks) + select("method", "method", methods)
            + select("verdict", "verdict", kinds, _KIND_LABEL)
            + '<label>search <input id="f-q" type="search" placeholder="text in question, replies, code, output"></label>'
            + '<span id="f-count"></span></div>')


def _safe_transcript(row: Any, traj: dict[str, Any], verdict: dict[str, Any], inst: Any, anchor: str) -> str:
    """A transcript, or a note where a stored trajectory does not have the shape we write (a crafted file)."""
    try:
        return _transcript(row, traj, verdict, inst, anchor)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        return (f'<details class="transcript"><summary>{_e(row.method)} · {_e(row.instance_id)}: unreadable transcript '
                f"({_e(type(exc).__name__)})</summary></details>")


_PAPER_NOTE = (
    "Strict (our default, the tables above): the last reply is verified as written, or what that reply's own code "
    "printed, with no model in the metric. Paper conditions (the reference's evaluator): a sample counts if either "
    "of two candidates verifies, the re-run output of the last reply's first python block (with result/Answer/answer "
    "printed when it printed nothing) or the last reply, each passed through an extraction model when it does not "
    "verify as written.")


def _paper_tables(strict: Scores, paper: Scores) -> tuple[list[str], list[list[str]]]:
    """Rows of the side-by-side table: per task and the averages, strict and paper per method."""
    head = ["task"] + [f"{m} {kind}" for m in strict.methods for kind in ("strict", "paper")]
    sr, pr = strict.rate_table(), paper.rate_table()
    rows = [[t] + [f"{table[m].get(t, 0.0):.0f}" for m in strict.methods for table in (sr, pr)] for t in strict.tasks]
    sa, pa = strict.averages(), paper.averages()
    for key, label in [("norm_total", "Ave. Norm. total"), ("raw_total", "raw average")]:
        if any(key in sa[m] for m in strict.methods):
            rows.append([label] + [f"{avg[m].get(key, 0.0):.1f}" for m in strict.methods for avg in (sa, pa)])
    return head, rows


def _paper_section(strict: Scores, paper: Scores, info: dict[str, Any]) -> tuple[str, str]:
    """The HTML and markdown of the strict-vs-paper comparison."""
    head, rows = _paper_tables(strict, paper)
    judge = info.get("judge", {})
    usage = (f"extractor {info.get('extractor', '?')}: {int(judge.get('calls', 0))} calls "
             f"({int(judge.get('cached', 0))} from the cache), "
             f"{int(judge.get('prompt_tokens', 0) + judge.get('completion_tokens', 0))} tokens, "
             f"${judge.get('cost_usd', 0.0):.4f}")
    html_rows = "".join("<tr>" + "".join(f'<td{" class=l" if i == 0 else ""}>{_e(c)}</td>' for i, c in enumerate(r))
                        + "</tr>" for r in rows)
    html_out = (f"<h2>Strict vs paper-conditions scoring (%)</h2><p>{_e(_PAPER_NOTE)}</p><p>{_e(usage)}</p>"
                f'<table id="paper-table"><tr>{"".join(f"<th>{_e(h)}</th>" for h in head)}</tr>{html_rows}</table>')
    md = ["", "## Strict vs paper-conditions scoring (%)", "", _PAPER_NOTE, "", usage, "",
          "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    return html_out, "\n".join(md) + "\n"


def write_report(run_dir: str | Path, *, complete_only: bool = False) -> tuple[Path, Path]:
    """Write ``report.html``, ``report.md`` and ``results.json`` into the run folder; returns the first two paths.

    ``complete_only`` scores only the instances every method has finished (for a run stopped part-way).
    """
    run = Path(run_dir)
    with RunStore(run, create=False) as store:
        all_rows = store.rows()
        rows = complete_instances(all_rows) if complete_only else all_rows
        seen = {t.name: t.seen for t in all_tasks()}
        s = compute_scores(rows, seen)
        meta = store.meta()
        mixed = store.mixed_configs()
        insts = store.instances()
        taken: set[str] = set()
        stored = list(store.trajectories())
        transcripts = [_safe_transcript(r, t, v, insts.get(r.instance_id), _anchor(r, taken)) for r, t, v in stored]
        kinds_present = {Verdict(bool(v.get("correct")), 0.0, str(v.get("reason", ""))).kind for _, _, v in stored}
        kinds = [k for k in REASON_ORDER if k in kinds_present] + sorted(kinds_present - set(REASON_ORDER))
        filters = _filters([r for r, _, _ in stored], kinds)
    paper_html = paper_md = ""
    if meta.get(PAPER_META) and rows:
        paper_html, paper_md = _paper_section(s, compute_scores(paper_rows(rows, meta[PAPER_META]), seen),
                                              meta[PAPER_META])
    cfg = meta.get("config", {})
    if complete_only:
        cfg = {**cfg, "scored": f"{len({r.instance_id for r in rows})} instances every method finished "
                                 f"({len(rows)} of {len(all_rows)} finished rows)"}
    title = f"codesteer run: {run.name}"
    sub = " · ".join(f"{k}: {v}" for k, v in cfg.items() if v) if cfg else ""
    warn = f"<p id='mixed-configs' class='bad'>warning: {_e(mixed)}</p>" if mixed else ""
    body = (f"<h1>{_e(title)}</h1><p class='sub'>{_e(sub)}</p>{warn}"
            f"<h2>Success rate per task (%, strict scoring)</h2><p>Best per task highlighted; hover a cell for n and the 95% Wilson interval. "
            f"Ave. Norm. divides each task's score by the best method's score on it (the paper's normalisation).</p>"
            f"{_table_html(s) if rows else '<p>No finished samples yet.</p>'}"
            f"{paper_html}"
            f"{_plots_html(s) if rows else ''}"
            f'<h2>Transcripts ({len(transcripts)})</h2>{filters}<div id="transcripts">{"".join(transcripts)}</div>'
            f"<script>{_SCRIPT}</script>")
    html_path = run / "report.html"
    md_path = run / "report.md"
    md = (f"> **warning:** {mixed}\n\n" if mixed else "") + markdown_summary(s, cfg) + paper_md  # all rendered before writing
    results = json.dumps(results_document(s, cfg, complete_only=complete_only), indent=1, ensure_ascii=False) + "\n"
    write_text_atomic(html_path, f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
                             f"<style>{_CSS}</style></head><body>{body}</body></html>")
    write_text_atomic(md_path, md)
    write_text_atomic(run / "results.json", results)
    return html_path, md_path


def markdown_summary(s: Scores, cfg: dict[str, Any]) -> str:
    rates = s.rate_table()
    lines = [f"# codesteer run summary\n\nconfig: `{json.dumps(cfg)}`\n",
             "| task | n | " + " | ".join(s.methods) + " |", "|---|---:|" + "---:|" * len(s.methods)]
    for t in s.tasks:
        best = max(rates[m].get(t, 0.0) for m in s.methods)
        ns = {s.by_task[m][t].n for m in s.methods if t in s.by_task[m]}
        n = str(ns.pop()) if len(ns) == 1 else "/".join(str(s.by_task[m][t].n) for m in s.methods)
        cells = []
        for m in s.methods:
            v = rates[m].get(t, 0.0)
            cells.append(f"**{v:.0f}**" if v == best and best > 0 else f"{v:.0f}")
        lines.append(f"| {t} | {n} | " + " | ".join(cells) + " |")
    avg = s.averages()
    for key, label in [("norm_seen", "Ave. Norm. seen"), ("norm_unseen", "Ave. Norm. unseen"), ("norm_total", "Ave. Norm. total")]:
        if any(key in avg[m] for m in s.methods):
            lines.append(f"| {label} | | " + " | ".join(f"{avg[m].get(key, 0.0):.1f}" for m in s.methods) + " |")
    lines += ["", "| method | samples | success % | tokens/sample | cost $/sample | s/sample |", "|---|---:|---:|---:|---:|---:|"]
    for m in s.methods:
        c = s.overall[m]
        per = max(c.n, 1)
        lines.append(f"| {m} | {c.n} | {c.rate * 100:.1f} | {c.tokens / per:.0f} | {c.cost / per:.5f} | {c.wall_s / per:.2f} |")
    kinds, counts = s.reason_table()
    lines += ["", "| method | " + " | ".join(_KIND_LABEL.get(k, k) for k in kinds) + " |",
              "|---|" + "---:|" * len(kinds)]
    lines += [f"| {m} | " + " | ".join(str(counts[m][k]) for k in kinds) + " |" for m in s.methods]
    return "\n".join(lines) + "\n"
