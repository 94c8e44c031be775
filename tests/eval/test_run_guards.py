"""A run folder holds one configuration and one running process (issue 18, items 2 and 7)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.errors import CodesteerError
from codesteer.eval import RunConfig, RunStore, run_eval
from codesteer.models import ScriptedModel
from codesteer.steer import Models
from tests.conftest import CLI, cli, cli_env

INSTANCES = symbench.generate("number_multiply", 3, seed=4)


def test_second_configuration_is_refused_not_pooled(tmp_path: Path, sandbox) -> None:
    model = Models(task=ScriptedModel(default="<<<1>>>"))
    with RunStore(tmp_path) as store:
        asyncio.run(run_eval(INSTANCES, ["only_question"], RunConfig(task_model="scripted:a", max_rounds=1), model,
                             sandbox, store))
        with pytest.raises(CodesteerError, match=r"max_rounds: 1 there, 2 here") as err:
            asyncio.run(run_eval(INSTANCES, ["only_question"], RunConfig(task_model="scripted:a", max_rounds=2), model,
                                 sandbox, store))
        assert "another run folder" in str(err.value)
        with pytest.raises(CodesteerError, match=r"task_model: 'scripted:a' there, 'scripted:b' here"):
            asyncio.run(run_eval(INSTANCES, ["only_question"], RunConfig(task_model="scripted:b", max_rounds=1), model,
                                 sandbox, store))
        assert len(store.rows(include_errors=True)) == 3
        # the same configuration (and a new method under it) still resumes
        prog = asyncio.run(run_eval(INSTANCES, ["only_question", "all_text_cot"],
                                    RunConfig(task_model="scripted:a", max_rounds=1, concurrency=1), model, sandbox, store))
        assert prog.skipped == 3 and prog.done == 3


def test_cli_refuses_other_configuration_in_one_line(tmp_path: Path) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"default": "<<<1>>>"}))
    base = ["run", "--tasks", "number_multiply", "-n", "2", "--methods", "only_question", "--task-model",
            f"scripted/{script}", "--out", str(tmp_path / "run"), "--no-report"]
    first = cli(*base)
    assert first.returncode == 0, first.stderr
    again = cli(*base, "--max-rounds", "2")
    assert again.returncode == 2
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and "max_rounds: 5 there, 2 here" in lines[0] and "--out" in lines[0], again.stderr
    with RunStore(tmp_path / "run", create=False) as s:
        assert len(s.rows(include_errors=True)) == 2


def test_second_run_process_is_refused_naming_the_holder(tmp_path: Path) -> None:
    script = tmp_path / "slow.json"
    script.write_text(json.dumps({"default": "<<<1>>>", "delay_s": 2.0}))
    out = tmp_path / "run"
    args = ["run", "--tasks", "number_multiply", "-n", "2", "--methods", "only_question", "--task-model",
            f"scripted/{script}", "--out", str(out), "--no-report", "--concurrency", "1"]
    first = subprocess.Popen([str(CLI), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=cli_env())
    try:
        deadline = time.time() + 60
        while not (out / "results.sqlite").exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        second = cli(*args)
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"pid {first.pid}" in lines[0], second.stderr
    finally:
        out_first, err_first = first.communicate(timeout=120)
    assert first.returncode == 0, err_first
    assert "done: 2 new" in out_first
    with RunStore(out, create=False) as s:
        assert len(s.rows(include_errors=True)) == 2
    # once the first has finished, the folder is free again
    third = cli(*args)
    assert third.returncode == 0 and "0 new, 2 already finished" in third.stdout, third.stderr


def test_run_lock_in_process(tmp_path: Path) -> None:
    with RunStore(tmp_path) as a, RunStore(tmp_path) as b:
        a.lock_run()
        a.lock_run()  # idempotent for its holder
        with pytest.raises(CodesteerError, match=rf"pid {os.getpid()}"):
            b.lock_run()
    with RunStore(tmp_path) as c:
        c.lock_run()  # released when its holder closed


def test_folder_pooled_by_an_older_version_is_flagged(tmp_path: Path, sandbox) -> None:
    """Rows of two configurations written before the refusal existed: report, results and compare say so."""
    model = Models(task=ScriptedModel(default="<<<1>>>"))
    with RunStore(tmp_path) as store:
        asyncio.run(run_eval(INSTANCES, ["only_question"], RunConfig(task_model="scripted:a", max_rounds=1), model,
                             sandbox, store))
        store._db.execute("UPDATE results SET config = ? WHERE instance_id = ?",  # as an older version pooled them
                          (json.dumps({**RunConfig(task_model="scripted:a", max_rounds=2).key_config()}, sort_keys=True),
                           INSTANCES[0].id))
        store._db.commit()
        assert "differing in max_rounds" in (store.mixed_configs() or "")
    for args in (["report", str(tmp_path)], ["results", str(tmp_path)], ["compare", str(tmp_path), str(tmp_path)]):
        p = cli(*args)
        assert p.returncode == 0 and "warning:" in p.stderr and "2 configurations" in p.stderr, p.stderr
    html = (tmp_path / "report.html").read_text()
    assert "id='mixed-configs'" in html and "differing in max_rounds" in html
    assert (tmp_path / "report.md").read_text().startswith("> **warning:**")
