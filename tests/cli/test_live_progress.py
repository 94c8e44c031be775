"""Progress on long work (issue 19): a heartbeat while samples are in flight, an 80-column bar with labelled
per-method rows, and library warnings kept out of the display."""

from __future__ import annotations

import asyncio
import io
import re
import time
import warnings
from pathlib import Path

import pytest
from rich.console import Console

from codesteer import symbench
from codesteer.cli import evaluate
from codesteer.eval import RunConfig, RunStore, run_eval
from codesteer.eval._runner import Progress
from codesteer.models import ScriptedModel
from codesteer.steer import Models
from tests.conftest import cli, run_main

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_bar_fits_80_columns_with_labelled_method_rows() -> None:
    out = io.StringIO()
    con = Console(file=out, force_terminal=True, width=80, color_system=None)
    bar = evaluate.progress_bar(con)
    main = bar.add_task("[bold]samples", total=2200, info="")
    bar.status_line = "4 in flight · 7 calls open (3 waiting for a connection) · 123456789 tok · $12.3456 · 3 errors"
    bar.update(main, completed=340, info="")
    for m in ("only_question", "codesteer_no_selfcheck", "code_interpreter"):
        row = bar.add_task(m, total=200, info="")
        bar.update(row, completed=31, info="12 correct")
    con.print(bar.get_renderable())
    lines = [ANSI.sub("", line) for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 5 and all(len(line) <= 80 for line in lines), lines
    assert "340/2200" in lines[0] and "eta" in lines[0] and re.search(r"\d:\d\d:\d\d", lines[0])
    assert lines[2].startswith("codesteer_no_selfcheck") and "31/200" in lines[2] and "12 correct" in lines[2]
    assert lines[4].startswith("4 in flight · 7 calls open (3 waiting for a connection)")


def test_heartbeat_repeats_without_new_samples() -> None:
    seen: list[int] = []
    with evaluate._heartbeat(lambda p: seen.append(p.finished), every_s=0.02) as offer:
        offer(Progress(total=5))
        time.sleep(0.3)
    assert len(seen) >= 5 and set(seen) == {0}
    n = len(seen)
    time.sleep(0.1)
    assert len(seen) == n  # the thread stopped with the block


def test_live_counters_move_before_any_sample_finishes(tmp_path: Path, sandbox) -> None:
    insts = symbench.generate("number_multiply", 3, seed=4)
    slow = ScriptedModel(default="<<<1>>>", delay_s=0.6, name="slow")
    holder: list[Progress] = []
    snapshots: list[tuple[int, int, int, int]] = []

    async def main() -> None:
        with RunStore(tmp_path) as store:
            run = asyncio.create_task(run_eval(insts, ["only_question"], RunConfig(task_model="scripted:slow",
                                               concurrency=3), Models(task=slow), sandbox, store,
                                               on_update=lambda p: holder.append(p)))
            for _ in range(30):
                await asyncio.sleep(0.05)
                if holder:
                    p = holder[0]
                    snapshots.append((p.finished, p.in_flight, p.calls_active, p.live_tokens))
            await run

    asyncio.run(main())
    early = [s for s in snapshots if s[0] == 0]
    assert early and max(s[1] for s in early) == 3 and max(s[2] for s in early) == 3
    p = holder[0]
    assert p.in_flight == 0 and p.calls_active == 0 and p.live_tokens > 0
    assert p.method_progress == {"only_question": [3, 3]}


def test_library_warnings_go_to_the_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "warnings.log"
    with evaluate.library_warnings(log) as noted:
        warnings.warn("`past_key_values` is deprecated", FutureWarning, stacklevel=1)
    assert noted == [1] and "past_key_values" in log.read_text()
    assert "past_key_values" not in capsys.readouterr().err


def test_log_lines_say_what_is_in_flight(tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    model.write_text('{"default": "<<<1>>>"}')
    r = cli("run", "--tasks", "number_multiply", "--methods", "only_question", "--task-model", f"scripted/{model}",
            "--out", str(tmp_path / "r"), "--no-report")
    assert r.returncode == 0, r.stderr
    assert re.search(r"samples 1/1 · only_question: 0/1 correct · tasks 1/1 \(last: number_multiply\) · "
                     r"0 in flight · 0 calls open · \d+ tok", r.stdout), r.stdout


def test_run_log_has_a_heartbeat_while_a_sample_is_in_flight(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the `run` command with a log-style (non-terminal) console: lines keep coming while the one
    sample waits on a slow model, and they say a sample and a call are open."""
    import functools

    from codesteer.cli import _app

    model = tmp_path / "slow.json"
    model.write_text('{"default": "<<<1>>>", "delay_s": 1.5}')
    monkeypatch.setattr(evaluate, "progress_printer", functools.partial(_app.progress_printer, every_s=0.2))
    monkeypatch.setattr(evaluate, "HEARTBEAT_S", 0.05)
    monkeypatch.setenv("CODESTEER_NO_CACHE", "1")
    code, out, err = run_main(["run", "--tasks", "number_multiply", "--methods", "only_question", "--task-model",
                          f"scripted/{model}", "--out", str(tmp_path / "r"), "--no-report"], capsys)
    assert code == 0, err
    beats = [line for line in out.splitlines() if "samples 0/1" in line and "1 in flight · 1 calls open" in line]
    assert len(beats) >= 3, out
