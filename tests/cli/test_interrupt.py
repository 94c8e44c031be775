"""Ctrl-C stops a run cleanly: counts, the command that resumes, a report of what finished, exit 130 (item 3)."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import time
from pathlib import Path

from codesteer.eval import RunStore
from tests.conftest import CLI, cli, cli_env


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path) -> None:
    script = tmp_path / "slow.json"
    script.write_text(json.dumps({"default": "<<<1>>>", "delay_s": 0.4}))
    out = tmp_path / "run"
    cmd = [str(CLI), "run", "--tasks", "number_multiply", "-n", "10", "--methods", "only_question", "--task-model",
           f"scripted/{script}", "--out", str(out), "--concurrency", "2"]
    env = cli_env()
    # a test run started in the background of a script (`cmd &`, nohup) ignores SIGINT, and a child inherits an
    # ignored signal: the user's Ctrl-C reaches a foreground process, so give the child the default disposition
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline:
        if (out / "results.sqlite").exists():
            with RunStore(out, create=False) as s:
                if len(s.rows()) >= 2:
                    break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    both = stdout + stderr
    assert proc.returncode == 130, both
    assert "Traceback" not in both
    with RunStore(out, create=False) as s:
        finished = len(s.rows())
    assert 2 <= finished < 10
    assert f"interrupted: {finished} of 10 samples finished" in both, both
    line = next(ln for ln in both.splitlines() if "resume with:" in ln)
    resume = shlex.split(line.split("resume with:", 1)[1])
    assert resume[0] == "codesteer" and resume[1:] == cmd[1:], line
    html = out / "report.html"
    assert html.exists() and html.stat().st_size > 1000
    assert not list(out.glob(".report*"))  # no half-written temp file left
    again = cli(*resume[1:])
    assert again.returncode == 0, again.stderr
    assert f"{10 - finished} new, {finished} already finished" in again.stdout
