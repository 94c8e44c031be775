"""The evaluation harness: concurrent runs, resume after errors and after kill -9, results, report."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.eval import RunConfig, RunStore, compute_scores, run_eval, write_report
from codesteer.eval._report import VERDICT_BAR_W
from codesteer.models import ScriptedModel
from codesteer.steer import Models
from tests.conftest import cli_env

REPO = Path(__file__).resolve().parents[2]


def solver(fail_ids: set[str] | None = None) -> ScriptedModel:
    """Right for even-indexed instances via code, wrong otherwise; raises for ``fail_ids``."""
    def fn(messages: list[dict]) -> str:
        q = messages[0]["content"]
        for inst in INSTANCES:
            if inst.question in q:
                if fail_ids and inst.id in fail_ids:
                    raise RuntimeError("scripted failure")
                if int(inst.id.rsplit("-", 1)[1]) % 2 == 0:
                    return f"```python\nprint('<<<{inst.answer}>>>')\n```"
                return "<<<0>>>"
        if "Return Answer" in q or "guide" in q:
            return "<<<Return Answer>>>"
        return "<<<0>>>"
    return ScriptedModel(fn=fn, name="solver")


INSTANCES = symbench.generate("number_multiply", 6, seed=1)


def test_run_and_resume_after_errors(tmp_path: Path, sandbox) -> None:
    cfg = RunConfig(task_model="scripted:solver", concurrency=4, max_rounds=1)
    with RunStore(tmp_path) as store:
        prog = asyncio.run(run_eval(INSTANCES, ["only_question", "all_code_cot"], cfg,
                                    Models(task=solver({INSTANCES[1].id})), sandbox, store))
        assert prog.done == 10 and prog.errors == 2
        assert prog.per_task == {"number_multiply": [12, 12]} and prog.tasks_complete == 1
        assert prog.last_task == "number_multiply"
        assert len(store.rows()) == 10 and len(store.rows(include_errors=True)) == 12
        # resume: only the two failed rows run again; nothing duplicated
        prog2 = asyncio.run(run_eval(INSTANCES, ["only_question", "all_code_cot"], cfg, Models(task=solver()), sandbox, store))
        assert prog2.skipped == 10 and prog2.done == 2 and prog2.errors == 0
        assert prog2.per_task == {"number_multiply": [12, 12]}
        rows = store.rows()
        assert len(rows) == 12
        s = compute_scores(rows, {"number_multiply": False})
        assert s.by_task["only_question"]["number_multiply"].correct == 3
        assert s.by_task["all_code_cot"]["number_multiply"].rate == 0.5
        kinds, counts = s.reason_table()  # why samples failed, per method
        assert kinds[0] == "ok" and counts["only_question"]["ok"] == 3 and counts["all_code_cot"]["ok"] == 3
        assert all(sum(counts[m].values()) == s.overall[m].n for m in s.methods)
        rec = rows[0].to_record()
        assert set(rec) == {"instance_id", "task", "complexity", "method", "task_model", "guide_model", "correct",
                            "score", "turns", "tokens", "cost", "wall_s", "status", "reason", "error"}
    html, md = write_report(tmp_path)
    text = html.read_text()
    assert 'id="score-table"' in text and 'class="transcript"' in text and "<svg" in text
    assert 'id="reason-table"' in text
    # the verdict plot: one full-width stacked bar per method, split as the reason table counts
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" [^>]*data-method="([^"]+)" data-kind="([^"]+)" '
                      r'data-n="(\d+)"', text)
    for m in ("only_question", "all_code_cot"):
        assert sum(float(w) for w, mm, _, _ in bars if mm == m) == pytest.approx(VERDICT_BAR_W, abs=0.1)
        assert {k: int(c) for _, mm, k, c in bars if mm == m} == {k: c for k, c in counts[m].items() if c}
    ok = next(float(w) for w, mm, k, _ in bars if mm == "all_code_cot" and k == "ok")
    assert ok == pytest.approx(VERDICT_BAR_W / 2, abs=0.1)  # 3 of 6 right
    assert "number_multiply" in md.read_text()


def test_unwritable_output_folder_is_clear(tmp_path: Path) -> None:
    from codesteer.errors import CodesteerError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CodesteerError, match="cannot write"):
        RunStore(blocker / "run")


SCRIPT = {"name": "slow-solver", "delay_s": 0.3, "default": "```python\nprint('<<<1>>>')\n```"}


def test_kill_dash_nine_then_resume(tmp_path: Path) -> None:
    """A run killed with SIGKILL mid-way resumes with nothing lost or duplicated."""
    script = tmp_path / "model.json"
    script.write_text(json.dumps(SCRIPT))
    manifest = tmp_path / "m.jsonl"
    symbench.write_jsonl(symbench.generate("number_multiply", 12, seed=2), manifest)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "codesteer.cli", "run", "--manifest", str(manifest), "--methods", "only_question",
           "--task-model", f"scripted/{script}", "--concurrency", "2", "--out", str(out), "--no-report"]
    env = cli_env()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    db = out / "results.sqlite"
    deadline = time.time() + 60
    while time.time() < deadline:
        if db.exists():
            with RunStore(out, create=False) as s:
                if 2 <= len(s.rows()) < 12:
                    break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with RunStore(out, create=False) as s:
        partial = len(s.rows())
    assert 2 <= partial < 12
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{12 - partial} new, {partial} already finished" in done.stdout.replace("\n", " ")
    assert "samples 12/12 · only_question:" in done.stdout  # a pipe gets plain progress lines, not a live bar
    with RunStore(out, create=False) as s:
        rows = s.rows()
    assert len(rows) == 12 and len({r.instance_id for r in rows}) == 12


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(tmp_path: Path, sandbox) -> None:
    cfg = RunConfig(task_model="scripted:solver", max_rounds=1)
    with RunStore(tmp_path) as store:
        asyncio.run(run_eval(INSTANCES[:4], ["only_question", "codesteer"], cfg, Models(task=solver()), sandbox, store))
    html, _ = write_report(tmp_path)
    base = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(base + ["--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120)
    assert 'id="score-table"' in dom.stdout and "transcript" in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=1200,900", html.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 5000  # a blank page compresses to far less
