"""One SQLite file per run (WAL): the manifest's instances and one row per (instance, method, model config).

Each result is committed in its own transaction, so a crash or ``kill -9`` loses at most the samples in flight,
and re-running skips every row already marked done.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def result_key(instance_id: str, method: str, config: dict[str, Any]) -> str:
    blob = json.dumps([instance_id, method, config], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


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
        self._db = connect_wal(self.path, timeout=30, check_same_thread=False)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- instances and meta ------------------------------------------------------------------------------
    def add_instances(self, instances: Iterable[Instance]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO instances(id, task, complexity, json) VALUES (?, ?, ?, ?)",
                [(i.id, i.task, i.complexity, i.to_json()) for i in instances],
            )

    def instances(self) -> dict[str, Instance]:
        with self._lock:
            rows = self._db.execute("SELECT json FROM instances").fetchall()
        return {i.id: i for i in (Instance.from_dict(json.loads(r[0])) for r in rows)}

    def set_meta(self, key: str, value: Any) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self) -> dict[str, Any]:
        with self._lock:
            return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    # --- results ------------------------------------------------------------------------------------------
    def done_keys(self) -> set[str]:
        with self._lock:
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
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, inst.id, inst.task, inst.complexity, method, task_model, guide_model,
                 json.dumps(config, sort_keys=True), status, int(bool(v["correct"])), float(v["score"]), v["reason"],
                 turns, json.dumps(tokens), cost, wall_s, json.dumps(v), json.dumps(trajectory) if trajectory else None,
                 error, time.time()),
            )

    _ROW_COLUMNS = ("instance_id, task, complexity, method, task_model, guide_model, status, correct, score, reason, "
                    "turns, tokens, cost, wall_s, error")

    @staticmethod
    def _row(r: tuple[Any, ...]) -> ResultRow:
        return ResultRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), float(r[8] or 0.0), r[9] or "",
                         int(r[10] or 0), json.loads(r[11] or "{}"), float(r[12] or 0.0), float(r[13] or 0.0), r[14])

    def rows(self, *, include_errors: bool = False) -> list[ResultRow]:
        q = f"SELECT {self._ROW_COLUMNS} FROM results"
        if not include_errors:
            q += " WHERE status = 'done'"
        with self._lock:
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
        with self._lock:
            raw = self._db.execute(q + " ORDER BY method, task, instance_id", args).fetchall()
        for r in raw:
            if r[15]:
                yield self._row(r[:15]), json.loads(r[15]), json.loads(r[16])
