"""Any string is stored and reported; damaged or foreign databases are one-line errors (issue 18, items 5, 6)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from codesteer import _files, symbench
from codesteer.errors import CodesteerError
from codesteer.eval import RunConfig, RunStore, run_eval, write_report
from codesteer.models import ScriptedModel
from codesteer.steer import Models
from tests.conftest import cli

INSTANCES = symbench.generate("number_multiply", 2, seed=5)


def _run(out: Path, sandbox, reply: str, methods: tuple[str, ...] = ("only_question",)) -> None:
    with RunStore(out) as store:
        asyncio.run(run_eval(INSTANCES, list(methods), RunConfig(task_model="scripted:x", max_rounds=1),
                             Models(task=ScriptedModel(default=reply)), sandbox, store))


def test_lone_surrogate_is_stored_and_reported(tmp_path: Path, sandbox) -> None:
    _run(tmp_path, sandbox, "odd \ud800 text <<<\ud800 1>>>")
    with RunStore(tmp_path, create=False) as s:
        rows = s.rows(include_errors=True)
        assert len(rows) == 2 and all(r.status == "done" for r in rows), [r.error for r in rows]
        traj = next(iter(s.trajectories()))[1]
        assert "\ud800" in traj["task_turns"][0]["reply"]  # stored exactly
    html, md = write_report(tmp_path)
    text = html.read_text(encoding="utf-8")
    assert "odd \\ud800 text" in text and md.stat().st_size > 0


def test_report_is_written_atomically(tmp_path: Path, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path, sandbox, "<<<1>>>")
    html, _ = write_report(tmp_path)
    before = html.read_bytes()
    assert len(before) > 1000

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_files.os, "replace", broken_replace)
    with pytest.raises(CodesteerError, match="cannot write .*report.html: disk full"):
        write_report(tmp_path)
    assert html.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "report" in p.name) == ["report.html", "report.md"]


def _assert_one_line(p: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _damage(kind: str, run: Path, sandbox) -> None:
    db = run / "results.sqlite"
    if kind == "garbage":
        run.mkdir()
        db.write_bytes(b"this is not a database\x00" * 300)
    elif kind == "truncated":
        _run(run, sandbox, "<<<1>>>" + "x" * 20000, methods=("only_question", "all_text_cot"))
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    elif kind == "foreign":
        run.mkdir()
        with sqlite3.connect(db) as c:
            c.execute("CREATE TABLE results (name TEXT, price REAL)")
            c.execute("INSERT INTO results VALUES ('x', 1)")
    elif kind == "newer":
        _run(run, sandbox, "<<<1>>>")
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA user_version = 99")


@pytest.mark.parametrize("kind, needle", [("garbage", "not a"), ("truncated", "damaged"), ("foreign", "not a codesteer"),
                                          ("newer", "newer codesteer")])
def test_damaged_store_is_a_one_line_error(kind: str, needle: str, tmp_path: Path, sandbox) -> None:
    run = tmp_path / "run"
    _damage(kind, run, sandbox)
    db = str(run / "results.sqlite")
    for args in (["report", str(run)], ["results", str(run)], ["compare", str(run), str(run)],
                 ["run", "--out", str(run), "--tasks", "number_multiply", "-n", "1", "--methods", "only_question",
                  "--task-model", "scripted/none.json", "--no-report"]):
        _assert_one_line(cli(*args), db, needle)


def test_old_store_without_version_still_opens(tmp_path: Path, sandbox) -> None:
    _run(tmp_path, sandbox, "<<<1>>>")
    with sqlite3.connect(tmp_path / "results.sqlite") as c:
        c.execute("PRAGMA user_version = 0")  # a run written before the version was stored
    with RunStore(tmp_path, create=False) as s:
        assert len(s.rows()) == 2
    with sqlite3.connect(tmp_path / "results.sqlite") as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == RunStore.SCHEMA_VERSION


EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def test_crafted_database_cannot_inject_html(tmp_path: Path, sandbox) -> None:
    _run(tmp_path, sandbox, "```python\nprint('<<<1>>>')\n```", methods=("all_code_cot",))
    with sqlite3.connect(tmp_path / "results.sqlite") as c:
        rows = c.execute("SELECT key, trajectory FROM results").fetchall()
        for key, blob in rows:
            traj = json.loads(blob)
            for turn in traj["task_turns"]:
                turn["index"] = EVIL
                if turn.get("execution"):
                    turn["execution"]["wall_ms"] = EVIL
                    turn["execution"]["exit_code"] = EVIL
            traj["guide_turns"] = [{"index": EVIL, "decision": EVIL, "raw": EVIL}]
            traj["stop_reason"] = EVIL
            c.execute("UPDATE results SET trajectory = ?, method = ?, task_model = ? WHERE key = ?",
                      (json.dumps(traj), EVIL, EVIL, key))
        c.execute("INSERT OR REPLACE INTO meta VALUES ('config', ?)", (json.dumps({"task_model": EVIL}),))
    html, md = write_report(tmp_path)
    text = html.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)" in text


def test_crafted_value_types_are_named(tmp_path: Path, sandbox) -> None:
    _run(tmp_path, sandbox, "<<<1>>>")
    with sqlite3.connect(tmp_path / "results.sqlite") as c:
        c.execute("UPDATE results SET tokens = '[1, 2]'")
    with pytest.raises(CodesteerError, match="results.sqlite"):
        write_report(tmp_path)


@pytest.fixture
def read_only_run(tmp_path: Path, sandbox):
    """A finished run in a folder this process cannot write: a read-only bind mount as root, else chmod."""
    src = tmp_path / "src"
    _run(src, sandbox, "<<<1>>>")
    with sqlite3.connect(src / "results.sqlite") as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if os.geteuid() != 0:
        src.chmod(0o555)
        yield src
        src.chmod(0o755)
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a read-only folder as root here (no bind mount)")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only")
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


def test_read_only_folder_is_a_one_line_error(read_only_run: Path) -> None:
    """Reading works where SQLite can (a checkpointed WAL file); whatever cannot be done is one line naming a file."""
    report = cli("report", str(read_only_run))
    _assert_one_line(report, str(read_only_run))
    assert "read-only" in report.stderr.lower(), report.stderr
    for args in (["results", str(read_only_run)], ["compare", str(read_only_run), str(read_only_run)]):
        p = cli(*args)
        assert "Traceback" not in p.stderr, p.stderr
        if p.returncode:
            _assert_one_line(p, str(read_only_run / "results.sqlite"))
    _assert_one_line(cli("run", "--out", str(read_only_run), "--tasks", "number_multiply", "-n", "1"),
                     str(read_only_run), "cannot write")
