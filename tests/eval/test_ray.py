"""``codesteer run --executor ray`` on a local single-node Ray instance: same rows as local, resume, completion."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from codesteer import symbench  # noqa: E402
from codesteer.eval import Progress, RunConfig, RunStore, run_eval_ray  # noqa: E402
from tests.conftest import cli_env, run_main  # noqa: E402

INSTANCES = symbench.generate("number_multiply", 3, seed=5) + symbench.generate("letters", 2, seed=5)
METHODS = "only_question,all_code_cot"
N_ROWS = len(INSTANCES) * 2


@pytest.fixture(scope="module")
def ray_local():
    """One local single-node Ray instance for the module (startup takes seconds); the code under test reuses it."""
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024 * 1024,
             _node_ip_address="127.0.0.1", log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESTEER_NO_CACHE", "1")


def script_file(tmp_path: Path) -> Path:
    """A scripted model a worker process can rebuild from its spec: right (via code) on even positions, wrong
    on odd ones, so verdicts differ per row."""
    rules = []
    for pos, inst in enumerate(INSTANCES):
        reply = f"```python\nprint('<<<{inst.answer}>>>')\n```" if pos % 2 == 0 else "<<<wrong>>>"
        rules.append([re.escape(inst.question), reply])
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"name": "ray-solver", "rules": rules, "default": "<<<0>>>"}))
    return path


def run_args(tmp_path: Path, out: Path, executor: str, model: Path) -> list[str]:
    manifest = tmp_path / "m.jsonl"
    if not manifest.exists():
        symbench.write_jsonl(INSTANCES, manifest)
    return ["run", "--manifest", str(manifest), "--methods", METHODS, "--task-model", f"scripted/{model}",
            "--max-rounds", "1", "--concurrency", "3", "--executor", executor, "--out", str(out), "--no-report"]


def rows(run_dir: Path) -> dict[str, tuple]:
    with sqlite3.connect(run_dir / RunStore.FILENAME) as db:
        raw = db.execute("SELECT key, instance_id, task, method, task_model, guide_model, config, status, correct, "
                         "score, reason, turns, verdict, error, trajectory IS NOT NULL FROM results").fetchall()
    return {r[0]: r for r in raw}


def test_ray_matches_local_then_resumes_and_completes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      ray_local: None) -> None:
    model = script_file(tmp_path)
    code, out, err = run_main(run_args(tmp_path, tmp_path / "local", "local", model), capsys)
    assert code == 0, err
    code, out, err = run_main(run_args(tmp_path, tmp_path / "ray", "ray", model), capsys)
    assert code == 0, err
    assert f"{N_ROWS} new, 0 already finished, 0 errors" in out.replace("\n", " ")
    local, remote = rows(tmp_path / "local"), rows(tmp_path / "ray")
    assert len(local) == N_ROWS and local == remote  # same keys, verdicts, turns, status
    assert sum(r[8] for r in remote.values()) == 6  # 3 of 5 instances right, by code, under both methods
    assert all(r[14] for r in remote.values())  # each row carries its trajectory
    assert ray.is_initialized()  # the run reused the caller's Ray instead of shutting it down

    # a second run resumes: nothing new, nothing duplicated
    code, out, err = run_main(run_args(tmp_path, tmp_path / "ray", "ray", model), capsys)
    assert code == 0, err
    assert f"0 new, {N_ROWS} already finished" in out.replace("\n", " ")
    assert rows(tmp_path / "ray") == remote

    # rows lost (as after a kill) are completed, and only they run
    gone = sorted(remote)[:3]
    with sqlite3.connect(tmp_path / "ray" / RunStore.FILENAME) as db:
        db.executemany("DELETE FROM results WHERE key = ?", [(k,) for k in gone])
    code, out, err = run_main(run_args(tmp_path, tmp_path / "ray", "ray", model), capsys)
    assert code == 0, err
    assert f"3 new, {N_ROWS - 3} already finished" in out.replace("\n", " ")
    assert rows(tmp_path / "ray") == local


def test_api_progress_and_error_rows_are_retried(tmp_path: Path, ray_local: None) -> None:
    """Errored rows are stored as errors and retried by the next run, like the local executor's."""
    broken = tmp_path / "broken.json"
    # the first two samples in plan order (one per task) answer; the rest are model errors. Two in flight, so
    # the first result is a success and the later errors become rows instead of stopping the run
    first = [INSTANCES[0], INSTANCES[3]]
    broken.write_text(json.dumps({"name": "solver", "rules": [[re.escape(i.question), "<<<1>>>"] for i in first]}))
    cfg = RunConfig(task_model=f"scripted/{broken}", max_rounds=1, concurrency=2)
    seen: list[int] = []
    with RunStore(tmp_path / "run") as store:
        prog = run_eval_ray(INSTANCES, ["only_question"], cfg, store, workers=2,
                            on_update=lambda p: seen.append(p.done + p.errors))
        assert isinstance(prog, Progress) and prog.total == len(INSTANCES)
        assert prog.done + prog.errors == len(INSTANCES) and prog.errors >= 1
        assert seen[0] == 0 and seen[-1] == len(INSTANCES) and seen == sorted(seen)
        errors = [r for r in store.rows(include_errors=True) if r.status == "error"]
        assert errors and all("no reply" in (r.error or "") for r in errors)
        broken.write_text(json.dumps({"name": "solver", "default": "<<<1>>>"}))
        again = run_eval_ray(INSTANCES, ["only_question"], cfg, store, workers=1)
        assert again.skipped == prog.done and again.done == prog.errors and again.errors == 0
        assert len(store.rows()) == len(INSTANCES)


def test_first_requests_failing_stop_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             ray_local: None) -> None:
    mute = tmp_path / "mute.json"  # replies to nothing: every request is a model error
    mute.write_text(json.dumps({"name": "mute", "rules": [["^NEVER MATCHES$", "x"]]}))
    code, _, err = run_main(run_args(tmp_path, tmp_path / "r", "ray", mute), capsys)
    assert code == 2 and "no reply" in err and "Traceback" not in err
    assert len(rows(tmp_path / "r")) < N_ROWS  # stopped early instead of filling the store with failures


def test_bad_spec_in_workers_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], ray_local: None) -> None:
    args = run_args(tmp_path, tmp_path / "r", "ray", tmp_path / "missing.json")
    code, _, err = run_main(args, capsys)
    assert code == 2 and "not found" in err and "Traceback" not in err


def test_kill_dash_nine_of_the_driver_then_resume(tmp_path: Path, ray_local: None) -> None:
    """A driver killed with SIGKILL mid-run (joining this module's cluster through --ray-address) loses at most
    its samples in flight; the next run completes the store with nothing lost or duplicated."""
    model = tmp_path / "slow.json"
    model.write_text(json.dumps({"name": "slow", "delay_s": 0.4, "default": "```python\nprint('<<<1>>>')\n```"}))
    manifest = tmp_path / "m.jsonl"
    symbench.write_jsonl(symbench.generate("number_multiply", 12, seed=2), manifest)
    out = tmp_path / "run"
    address = ray.get_runtime_context().gcs_address
    cmd = [sys.executable, "-m", "codesteer.cli", "run", "--manifest", str(manifest), "--methods", "only_question",
           "--task-model", f"scripted/{model}", "--concurrency", "2", "--executor", "ray", "--ray-address", address,
           "--out", str(out), "--no-report"]
    env = cli_env()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.time() + 90
    partial = 0
    while time.time() < deadline and proc.poll() is None:
        if (out / RunStore.FILENAME).exists():
            try:
                partial = len(rows(out))
            except sqlite3.OperationalError:  # the file exists a moment before its tables do
                partial = 0
            if partial >= 2:
                break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(rows(out))
    assert 2 <= partial < 12, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{12 - partial} new, {partial} already finished" in done.stdout.replace("\n", " ")
    final = rows(out)
    assert len(final) == 12 and len({r[1] for r in final.values()}) == 12
    assert all(r[7] == "done" for r in final.values())


def test_unreachable_address_fails_fast() -> None:
    """ray.init retries a dead address for minutes; the probe turns it into one line in seconds."""
    from codesteer.errors import CodesteerError
    from codesteer.eval._ray import _probe

    start = time.monotonic()
    with pytest.raises(CodesteerError, match="cannot reach a Ray cluster at ray://127.0.0.1:9"):
        _probe("ray://127.0.0.1:9")
    assert time.monotonic() - start < 6
    _probe("auto")  # resolved by Ray itself: no probe
