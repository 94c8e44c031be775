"""The report people read (issue 19): transcripts with the expected answer and each call's messages, filter and
search that work from file://, a link per sample, wide tables that scroll; model text stays inert."""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.eval import RunConfig, RunStore, run_eval, write_report
from codesteer.eval._report import _clip
from codesteer.models import ScriptedModel
from codesteer.steer import Models

INSTANCES = symbench.generate("number_multiply", 4, seed=7)
HOSTILE = ("<img src=x onerror=\"document.title='pwned'\"></pre></details><script>document.title='pwned'</script>"
           "\" data-verdict=\"ok")


def model() -> ScriptedModel:
    """Right on instance 0, hostile (and wrong) on 1, wrong on the others."""
    def fn(messages: list[dict]) -> str:
        q = messages[-1]["content"]
        if INSTANCES[0].question in q:
            return f"<<<{INSTANCES[0].answer}>>>"
        if INSTANCES[1].question in q:
            return HOSTILE + " <<<1>>>"
        return "needle-in-haystack <<<2>>>"
    return ScriptedModel(fn=fn, name="ui")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, sandbox) -> Path:
    run_dir = tmp_path_factory.mktemp("run")
    with RunStore(run_dir) as store:
        cfg = RunConfig(task_model="scripted:ui", max_rounds=1)
        asyncio.run(run_eval(INSTANCES, ["only_question", "all_text_cot"], cfg, Models(task=model()), sandbox, store))
    html_path, _ = write_report(run_dir)
    return html_path


def test_transcript_shows_expected_answer_calls_and_links(report: Path) -> None:
    text = report.read_text()
    blocks = re.findall(r'<details class="transcript" id="([^"]+)" data-task="([^"]+)" data-method="([^"]+)" '
                        r'data-verdict="([^"]+)"', text)
    assert len(blocks) == 8 and len({b[0] for b in blocks}) == 8
    assert {b[3] for b in blocks} == {"ok", "wrong"}  # the hostile reply did not forge a data-verdict
    for anchor, *_ in blocks:
        assert f'href="#{anchor}"' in text
    assert f"<b>expected answer</b> <code>{html.escape(INSTANCES[2].answer)}</code>" in text
    # one collapsed block of calls per transcript: role, model, tokens, latency, and the exact messages sent
    assert text.count('<details class="calls"><summary>model calls (1)</summary>') == 8
    assert re.search(r"#1 task · scripted:ui · \d+ → \d+ tok · \d+\.\d\d s", text)
    assert html.escape(INSTANCES[3].question) in text
    # model text is escaped everywhere: no live tag or handler from it
    assert "<img" not in text and "<script>document.title" not in text
    assert text.count("<script>") == 1
    assert '<div class="tablebox"><table id="score-table">' in text
    assert 'id="f-task"' in text and 'id="f-verdict"' in text and 'id="f-q"' in text


def test_clip_never_cuts_mid_word() -> None:
    reason = "wrong: the product " + "1234567 " * 40
    head = _clip(reason, 60)
    assert head.endswith("…") and reason.startswith(head[:-1]) and head[-2] != " " and len(head) <= 61
    assert reason[len(head) - 1] == " "  # cut at a space
    assert _clip("alpha beta gamma delta epsilon", 12, tail=True) == "…epsilon"  # not "…elta epsilon"
    assert _clip("short", 10) == "short"
    assert _clip("&amp;" * 100, 7) == "&amp;&a…"  # clipped before escaping, so no entity is split later


HARNESS = """
<script>
window.addEventListener('load', function () { setTimeout(function () {
  var out = {};
  function shown() {
    return Array.prototype.filter.call(document.querySelectorAll('details.transcript'),
      function (d) { return d.checkVisibility(); }).map(function (d) { return d.id; });
  }
  out.title = document.title;
  out.imgs = document.querySelectorAll('img').length;
  out.hashOpen = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))).open : null;
  var first = document.querySelector('details.transcript');
  out.closedAtFirst = !first.open && !first.querySelector('.expected').checkVisibility();
  first.querySelector('summary').click();
  out.opened = first.open && first.querySelector('.expected').checkVisibility();
  out.expectedText = first.querySelector('.expected').textContent;
  var calls = first.querySelector('details.calls');
  out.callsCollapsed = calls.checkVisibility() && !calls.querySelector('.msg pre').checkVisibility();
  out.all = shown();
  var verdict = document.getElementById('f-verdict');
  verdict.value = 'wrong';
  verdict.dispatchEvent(new Event('change'));
  out.wrong = shown();
  out.count = document.getElementById('f-count').textContent;
  var method = document.getElementById('f-method');
  method.value = 'all_text_cot';
  method.dispatchEvent(new Event('change'));
  out.wrongText = shown();
  verdict.value = ''; method.value = '';
  verdict.dispatchEvent(new Event('change'));
  var q = document.getElementById('f-q');
  q.value = 'NEEDLE-in';
  q.dispatchEvent(new Event('input'));
  out.search = shown();
  var res = document.createElement('pre');
  res.id = 'test-result';
  res.textContent = JSON.stringify(out);
  document.body.appendChild(res);
}, 0); });
</script>
"""


def _run_page(page: Path, tmp_path: Path, fragment: str = "") -> dict:
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom",
           page.as_uri() + fragment]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="test-result">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed (.ci/run installs it)")
def test_report_filters_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    """Click a transcript open, filter by verdict and method, search text; read what the browser shows."""
    page = tmp_path / "page.html"
    page.write_text(report.read_text().replace("</body>", HARNESS + "</body>"))
    text = report.read_text()
    ids = dict((m, []) for m in ("ok", "wrong"))
    for anchor, verdict in re.findall(r'<details class="transcript" id="([^"]+)"[^>]*data-verdict="([^"]+)"', text):
        ids[verdict].append(anchor)
    out = _run_page(page, tmp_path)
    assert out["title"].startswith("codesteer run") and out["imgs"] == 0  # the hostile reply stayed text
    assert out["closedAtFirst"] and out["opened"] and out["callsCollapsed"]
    assert "expected answer" in out["expectedText"]
    assert len(out["all"]) == 8
    assert sorted(out["wrong"]) == sorted(ids["wrong"]) and len(out["wrong"]) == 6
    assert out["count"] == "6 of 8 shown"
    assert sorted(out["wrongText"]) == sorted(a for a in ids["wrong"] if a.startswith("s-all_text_cot."))
    assert len(out["search"]) == 4 and all(inst.id not in a for a in out["search"] for inst in INSTANCES[:2])
    # a sample's link opens its transcript
    target = ids["wrong"][-1]
    linked = _run_page(page, tmp_path, "#" + target)
    assert linked["hashOpen"] is True


def test_calls_show_each_resent_message_once() -> None:
    from codesteer.eval._report import _calls

    history = "the long question " * 10
    traj = {"calls": [
        {"role": "guide", "model": "m", "messages": [{"role": "user", "content": history}], "reply": "<<<Code>>>"},
        {"role": "guide", "model": "m", "messages": [{"role": "user", "content": history},
                                                     {"role": "assistant", "content": "<<<Code>>>"},
                                                     {"role": "user", "content": "<b>next</b>"}]},
    ]}
    text = _calls(traj)
    assert text.count(history.strip()) == 1 and "same as call #1, message 1" in text
    assert "&lt;b&gt;next&lt;/b&gt;" in text and "<b>next</b>" not in text
    assert "model calls (2)" in text and "#2 guide · m · 0 → 0 tok · 0.00 s" in text
