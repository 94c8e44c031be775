"""Opening a SQLite file in WAL mode from many processes at once (stdlib only, usable by every layer).

Switching a new database to WAL needs a moment of exclusive access, and SQLite answers "database is locked"
at once, without its busy handler, to a connection that asks while another is doing the same. Several
processes opening one fresh cache or run file hit exactly that, so the switch is retried until ``timeout``.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any


def connect_wal(path: str | Path, *, timeout: float, **kwargs: Any) -> sqlite3.Connection:
    """A connection with WAL journaling, ``synchronous=NORMAL`` and a busy timeout of ``timeout`` seconds."""
    conn = sqlite3.connect(path, timeout=timeout, **kwargs)
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                conn.close()
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn
