"""Results people can use (issue 19): results columns and trajectories, results.json, compare coverage, labels."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from codesteer.eval import RunConfig, RunStore, compute_scores, run_eval, wilson, write_report
from codesteer.steer import Models
from tests.conftest import cli
from tests.eval.test_run import INSTANCES, solver


def make_run(path: Path, sandbox, instances=INSTANCES, fail: set[str] | None = None) -> Path:
    cfg = RunConfig(task_model="scripted:solver", max_rounds=1)
    with RunStore(path) as store:
        store.set_meta("config", {**cfg.key_config(), "methods": ["only_question", "all_code_cot"]})
        asyncio.run(run_eval(instances, ["only_question", "all_code_cot"], cfg, Models(task=solver(fail)), sandbox, store))
    return path


def test_results_columns_and_trajectories(tmp_path: Path, sandbox) -> None:
    run_dir = make_run(tmp_path / "a", sandbox, fail={INSTANCES[1].id})
    r = cli("results", str(run_dir))
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == 12  # the two failed samples are listed too
    failed = [x for x in recs if x["status"] == "error"]
    assert len(failed) == 2 and all("scripted failure" in x["error"] for x in failed)
    assert all(x["instance_id"] == INSTANCES[1].id for x in failed)
    good = [x for x in recs if x["status"] == "done"]
    assert all(x["error"] is None and x["verdict"]["reason"] == x["reason"] for x in good)
    assert {x["reason"].split(":")[0] for x in good} <= {"ok", "wrong"}

    r = cli("results", str(run_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {"status", "reason", "verdict", "error"} <= set(rows[0])
    assert sum(row["status"] == "error" for row in rows) == 2

    r = cli("results", str(run_dir), "--trajectories")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    done = [x for x in lines if x["status"] == "done"]
    assert all(x["trajectory"]["instance_id"] == x["instance_id"] and x["trajectory"]["task_turns"] for x in done)
    assert all(x["trajectory"]["calls"] for x in done)


def test_results_json_is_a_paper_table(tmp_path: Path, sandbox) -> None:
    run_dir = make_run(tmp_path / "a", sandbox)
    write_report(run_dir)
    doc = json.loads((run_dir / "results.json").read_text())
    with RunStore(run_dir, create=False) as store:
        s = compute_scores(store.rows(), {"number_multiply": False})
    cell = doc["results"]["all_code_cot"]["number_multiply"]
    assert cell["n"] == 6 and cell["correct"] == 3 and cell["success_rate"] == 0.5
    assert cell["ci95"] == pytest.approx(list(wilson(3, 6)), abs=1e-6)
    avg = s.averages()
    for m in ("only_question", "all_code_cot"):
        assert doc["averages"][m]["norm_total"] == pytest.approx(avg[m]["norm_total"], abs=1e-3)
        assert doc["averages"][m]["raw_total"] == pytest.approx(avg[m]["raw_total"], abs=1e-3)
    assert doc["config"]["task_model"] == "scripted:solver" and doc["config"]["max_rounds"] == 1
    assert doc["versions"]["codesteer"] and doc["versions"]["python"]
    assert doc["tasks"] == {"number_multiply": "unseen"} and doc["overall"]["all_code_cot"]["n"] == 6


def test_compare_checks_coverage(tmp_path: Path, sandbox) -> None:
    a = make_run(tmp_path / "a", sandbox)
    b = make_run(tmp_path / "b", sandbox, instances=INSTANCES[:4])
    r = cli("compare", str(a), str(b))
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "A has 6 instances (12 samples), B has 4 (8); comparing only the 4 instances (8 samples) both finished" in flat
    assert "/6" not in r.stdout and "/4" in r.stdout  # only the shared samples are counted
    import codesteer.symbench as sb

    other = sb.generate("number_multiply", 2, seed=99)
    c = tmp_path / "c"
    with RunStore(c) as store:
        asyncio.run(run_eval(other, ["only_question"], RunConfig(task_model="scripted:solver", max_rounds=1),
                             Models(task=solver()), sandbox, store))
    r = cli("compare", str(a), str(c))
    assert r.returncode == 2 and "share no finished" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_terminal_summary_labels_its_averages(tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    model.write_text(json.dumps({"default": "<<<1>>>"}))
    r = cli("run", "--tasks", "number_multiply,game24", "--methods", "only_question", "--task-model",
            f"scripted/{model}", "--out", str(tmp_path / "r"), "--no-report", env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    for label in ("Ave. Norm. seen", "Ave. Norm. unseen", "Ave. Norm. total", "raw average (total)"):
        assert label in r.stdout
    assert "norm. avg (total)" not in r.stdout
