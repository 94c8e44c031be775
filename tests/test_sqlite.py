"""Many processes opening the same fresh SQLite files at the same instant (the response cache and run stores)."""

from __future__ import annotations

import subprocess
import sys
import time

_OPENER = """
import sys, time
from codesteer._sqlite import connect_wal
folder, start = sys.argv[1], float(sys.argv[2])
for i in range(40):
    while time.time() < start + i * 0.04:
        pass
    conn = connect_wal(f"{folder}/db-{i}.sqlite", timeout=30, isolation_level=None)
    conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
"""


def test_concurrent_first_opens_all_succeed_in_wal_mode(tmp_path):
    """Without the retry, a few of these opens failed with "database is locked" (SQLite refuses the switch to
    WAL without waiting while another connection makes the same switch)."""
    start = time.time() + 2.0  # every process is running before the first file is opened
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(tmp_path), str(start)], stderr=subprocess.PIPE)
             for _ in range(6)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    import sqlite3

    for i in range(40):
        conn = sqlite3.connect(tmp_path / f"db-{i}.sqlite")
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 6
        conn.close()
