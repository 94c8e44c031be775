"""One SQLite file per run (WAL): the manifest's instances and one row per (instance, method, model config).

Each result is committed in its own transaction, so a crash or ``kill -9`` loses at most the samples in flight,
and re-running skips every row already marked done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from codesteer._sqlite import connect_wal
from codesteer.errors import CodesteerError
from codesteer.symbench import Instance

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (id TEXT PRIMARY KEY, task TEXT, complexity INTEGER, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    task TEXT NOT NULL,
    complexity INTEGER,
    method TEXT NOT NULL,
    task_model TEXT NOT NULL,
    guide_model TEXT,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    correct INTEGER,
    score REAL,
    reason TEXT,
    turns INTEGER,
    tokens TEXT,
    cost REAL,
    wall_s REAL,
    verdict TEXT,
    trajectory TEXT,
    error TEXT,
    updated REAL
);
CREATE INDEX IF NOT EXISTS results_method ON results(method, task);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
_RESULT_COLUMNS = ("key", "instance_id", "task", "complexity", "method", "task_model", "guide_model", "config", "status",
                   "correct", "score", "reason", "turns", "tokens", "cost", "wall_s", "verdict", "trajectory", "error",
                   "updated")


SCHEMA_VERSION = 1  # PRAGMA user_version of a results database; 0 is a run written before it was stored


def _text(value: str | None) -> str | None:
    """A string SQLite can hold (UTF-8): lone surrogates from a model reply become visible ``\\udXXX`` escapes."""
    if value is None:
        return None
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def result_key(instance_id: str, method: str, config: dict[str, Any]) -> str:
    blob = json.dumps([instance_id, method, config], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def guide_key(protocol: str, reference_prompts: str | None, template: str, **later: Any) -> dict[str, Any]:
    """The guide settings that entered result keys after runs were stored, each only when not at its default (a
    ``later`` option: when not None), so rows and trees stored before it existed keep their keys and resume."""
    key: dict[str, Any] = {}
    if protocol != "codesteer":
        key["guide_protocol"] = protocol
    if protocol == "reference":
        from codesteer.steer._reference import prompts_digest

        key["reference_prompts_sha256"] = prompts_digest(reference_prompts)
    key.update({k: v for k, v in later.items() if v is not None})
    if template != "auto":
        key["guide_template"] = template
    return key


@dataclass(frozen=True)
class ResultRow:
    instance_id: str
    task: str
    complexity: int | None
    method: str
    task_model: str
    guide_model: str | None
    status: str
    correct: bool
    score: float
    reason: str
    turns: int
    tokens: dict[str, dict[str, float]]
    cost: float
    wall_s: float
    error: str | None

    def total_tokens(self) -> int:
        return int(sum(t.get("prompt_tokens", 0) + t.get("completion_tokens", 0) for t in self.tokens.values()))

    def to_record(self) -> dict[str, Any]:
        """The export shape of ``codesteer results``."""
        return {
            "instance_id": self.instance_id, "task": self.task, "complexity": self.complexity, "method": self.method,
            "task_model": self.task_model, "guide_model": self.guide_model, "correct": self.correct,
            "score": self.score, "turns": self.turns,
            "tokens": {role: int(t.get("prompt_tokens", 0) + t.get("completion_tokens", 0)) for role, t in self.tokens.items()},
            "cost": self.cost, "wall_s": self.wall_s, "status": self.status, "reason": self.reason, "error": self.error,
        }


class RunStore:
    """The results database of one run directory."""

    FILENAME = "results.sqlite"

    def __init__(self, run_dir: str | Path, *, create: bool = True) -> None:
        self.dir = Path(run_dir)
        self.path = self.dir / self.FILENAME
        if create:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                probe = self.dir / ".write-test"
                probe.write_text("")
                probe.unlink()
            except OSError as exc:
                raise CodesteerError(f"cannot write to output folder {self.dir}: {exc.strerror or exc}") from None
        elif not self.path.is_file():
            raise CodesteerError(f"no run found in {self.dir} (expected {self.path})")
        self._lock = threading.Lock()
        self._run_lock: IO[str] | None = None
        try:
            self._db = connect_wal(self.path, timeout=30, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        try:
            self._open_schema()
        except BaseException:
            self._db.close()
            raise

    SCHEMA_VERSION = SCHEMA_VERSION

    def _unreadable(self, exc: BaseException) -> CodesteerError:
        hint = ("is its folder read-only?" if isinstance(exc, sqlite3.OperationalError) and
                ("readonly" in str(exc) or "unable to open" in str(exc))
                else "a damaged file, or not a codesteer results database")
        return CodesteerError(f"cannot read {self.path}: {exc} ({hint})")

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """The lock, with SQLite and decoding failures turned into one error that names the file."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise self._unreadable(exc) from None
            except (ValueError, TypeError, KeyError) as exc:
                raise CodesteerError(f"{self.path}: a stored value is unreadable ({type(exc).__name__}: "
                                     f"{str(exc)[:200]}); the file was damaged or edited") from None

    def _open_schema(self) -> None:
        """Create a new database, or check that an existing one is ours and not from a newer version."""
        with self._guard():
            check = self._db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version > SCHEMA_VERSION:
                raise CodesteerError(f"{self.path} was written by a newer codesteer (schema {version}; this one reads "
                                     f"{SCHEMA_VERSION}): upgrade codesteer to read it")
            if tables:
                cols = [r[1] for r in self._db.execute("PRAGMA table_info(results)")]
                if cols != list(_RESULT_COLUMNS):
                    what = f"its results table has columns {cols}" if cols else f"it holds tables {sorted(tables)}"
                    raise CodesteerError(f"{self.path} is not a codesteer results database ({what})")
            self._db.executescript(SCHEMA)
            if version != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._run_lock is not None:
                self._run_lock.close()  # closing the file releases the flock
                self._run_lock = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- instances and meta ------------------------------------------------------------------------------
    def add_instances(self, instances: Iterable[Instance]) -> None:
        with self._guard(), self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO instances(id, task, complexity, json) VALUES (?, ?, ?, ?)",
                [(_text(i.id), _text(i.task), i.complexity, json.dumps(i.to_dict(), sort_keys=True)) for i in instances],
            )

    def instances(self) -> dict[str, Instance]:
        with self._guard():
            rows = self._db.execute("SELECT json FROM instances").fetchall()
            return {i.id: i for i in (Instance.from_dict(json.loads(r[0])) for r in rows)}

    def set_meta(self, key: str, value: Any) -> None:
        with self._guard(), self._db:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self) -> dict[str, Any]:
        with self._guard():
            return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    # --- one configuration, one process -------------------------------------------------------------------
    LOCKFILE = "run.lock"

    def lock_run(self) -> None:
        """Hold this folder's run lock until ``close``: a second process solving the same samples would pay twice.

        An exclusive ``flock`` on ``run.lock`` (released by the kernel when the holder exits, even on ``kill -9``);
        the holder's pid is written into the file so the refusal can name it. Idempotent for the holder.
        """
        if self._run_lock is not None:
            return
        import fcntl

        path = self.dir / self.LOCKFILE
        try:
            f = open(path, "a+", encoding="utf-8")  # held open until close()
        except OSError as exc:
            raise CodesteerError(f"cannot create the run lock {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            f.close()
            raise CodesteerError(f"another codesteer run (pid {holder}) is working in {self.dir}; wait for it to "
                                 "finish or stop it, or use another --out") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._run_lock = f

    def configs(self) -> list[dict[str, Any]]:
        """The distinct configurations of the stored rows (one, in a folder written by this version)."""
        with self._guard():
            stored = [r[0] for r in self._db.execute("SELECT DISTINCT config FROM results ORDER BY config")]
        out = []
        for blob in stored:
            try:
                cfg = json.loads(blob)
            except ValueError:
                cfg = None
            if not isinstance(cfg, dict):
                raise CodesteerError(f"{self.path}: a stored row has an unreadable configuration {str(blob)[:80]!r}")
            out.append(cfg)
        return out

    def check_config(self, config: dict[str, Any]) -> None:
        """Refuse rows of a second configuration: a folder's tables must never pool two of them.

        ``config`` is ``RunConfig.key_config()``; every row already stored (done or failed) must have the same.
        """
        for old in self.configs():
            if old == config:
                continue
            diffs = [f"{k}: {old.get(k)!r} there, {config.get(k)!r} here"
                     for k in sorted(set(old) | set(config)) if old.get(k) != config.get(k)]
            raise CodesteerError(f"{self.dir} holds results of another configuration ({'; '.join(diffs)}); a run "
                                 "folder has one configuration: use another run folder (--out) for this one")

    def mixed_configs(self) -> str | None:
        """A warning for a folder an older codesteer filled with several configurations (its tables pool them)."""
        cfgs = self.configs()
        if len(cfgs) < 2:
            return None
        keys = sorted({k for c in cfgs for k in c if len({json.dumps(x.get(k), sort_keys=True) for x in cfgs}) > 1})
        return (f"{self.dir} holds results of {len(cfgs)} configurations (differing in {', '.join(keys)}), written "
                "before codesteer refused to mix them; its tables pool them: re-run each into its own --out")

    # --- results ------------------------------------------------------------------------------------------
    def done_keys(self) -> set[str]:
        with self._guard():
            return {r[0] for r in self._db.execute("SELECT key FROM results WHERE status = 'done'")}

    def put(
        self,
        key: str,
        inst: Instance,
        method: str,
        task_model: str,
        guide_model: str | None,
        config: dict[str, Any],
        *,
        verdict: dict[str, Any] | None,
        trajectory: dict[str, Any] | None,
        tokens: dict[str, Any],
        cost: float,
        wall_s: float,
        turns: int,
        error: str | None = None,
    ) -> None:
        status = "done" if error is None else "error"
        v = verdict or {"correct": False, "score": 0.0, "reason": f"error: {error}"}
        with self._guard(), self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, _text(inst.id), _text(inst.task), inst.complexity, method, task_model, guide_model,
                 json.dumps(config, sort_keys=True), status, int(bool(v["correct"])), float(v["score"]),
                 _text(str(v["reason"])), turns, json.dumps(tokens), cost, wall_s, json.dumps(v),
                 json.dumps(trajectory) if trajectory else None, _text(error), time.time()),
            )

    _ROW_COLUMNS = ("instance_id, task, complexity, method, task_model, guide_model, status, correct, score, reason, "
                    "turns, tokens, cost, wall_s, error")

    @staticmethod
    def _row(r: tuple[Any, ...]) -> ResultRow:
        """A row with every value checked for its type: a crafted file fails here (ValueError/TypeError), not later."""
        tokens = json.loads(r[11] or "{}")
        if not isinstance(tokens, dict) or not all(isinstance(t, dict) for t in tokens.values()):
            raise TypeError(f"tokens must map roles to counts, got {str(r[11])[:80]!r}")
        tokens = {str(role): {str(k): float(x) for k, x in t.items()} for role, t in tokens.items()}

        def opt(x: Any) -> str | None:
            return None if x is None else str(x)

        return ResultRow(str(r[0]), str(r[1]), None if r[2] is None else int(r[2]), str(r[3]), str(r[4]), opt(r[5]),
                         str(r[6]), bool(r[7]), float(r[8] or 0.0), str(r[9] or ""), int(r[10] or 0), tokens,
                         float(r[12] or 0.0), float(r[13] or 0.0), opt(r[14]))

    def rows(self, *, include_errors: bool = False) -> list[ResultRow]:
        q = f"SELECT {self._ROW_COLUMNS} FROM results"
        if not include_errors:
            q += " WHERE status = 'done'"
        with self._guard():
            raw = self._db.execute(q + " ORDER BY method, task, instance_id").fetchall()
            return [self._row(r) for r in raw]

    def records(self, *, trajectories: bool = False) -> Iterator[dict[str, Any]]:
        """Every row, failed ones included, in the export shape with its stored verdict (and trajectory)."""
        extra = ", trajectory" if trajectories else ""
        with self._lock:
            raw = self._db.execute(f"SELECT {self._ROW_COLUMNS}, verdict{extra} FROM results "
                                   "ORDER BY method, task, instance_id").fetchall()
        for r in raw:
            rec = self._row(r[:15]).to_record()
            rec["verdict"] = json.loads(r[15]) if r[15] else None
            if trajectories:
                rec["trajectory"] = json.loads(r[16]) if r[16] else None
            yield rec

    def trajectories(self, method: str | None = None) -> Iterator[tuple[ResultRow, dict[str, Any], dict[str, Any]]]:
        """(row, trajectory, verdict) for every finished row, for reports and data synthesis."""
        q = f"SELECT {self._ROW_COLUMNS}, trajectory, verdict FROM results WHERE status = 'done'"
        args: tuple[Any, ...] = ()
        if method:
            q += " AND method = ?"
            args = (method,)
        with self._guard():
            raw = self._db.execute(q + " ORDER BY method, task, instance_id", args).fetchall()
            out = []
            for r in raw:
                if r[15]:
                    traj, verdict = json.loads(r[15]), json.loads(r[16])
                    if not isinstance(traj, dict) or not isinstance(verdict, dict):
                        raise TypeError(f"trajectory and verdict of {r[0]!r} must be JSON objects")
                    out.append((self._row(r[:15]), traj, verdict))
        yield from out
