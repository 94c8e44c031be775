"""Behaviour of the sandbox: ordinary snippets work, hostile ones are contained, nothing is left behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from codesteer.errors import CodesteerError
from codesteer.sandbox import ExecResult, Limits, LocalSandbox, Sandbox, SubprocessSandbox, get_sandbox

UID_BASE = 1_600_000_000  # this module's own uid range, so parallel users of the sandbox do not interfere
ROOT = os.geteuid() == 0


def _procs_with_uid(uid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(name))
                        break
        except OSError:
            continue
    return found


def assert_nothing_left(result: ExecResult, timeout: float = 10.0) -> None:
    """Every job runs under its own uid, so 'no process with that uid' means nothing of it survived."""
    uid = result.isolation.get("uid")
    if not ROOT:
        return
    assert uid is not None and uid >= UID_BASE, result.isolation
    deadline = time.monotonic() + timeout
    while _procs_with_uid(uid):
        assert time.monotonic() < deadline, f"processes of job uid {uid} survived: {_procs_with_uid(uid)}"
        time.sleep(0.05)


def assert_still_serving(box: Sandbox) -> None:
    r = box.run("print('still here')")
    assert r.ok and r.stdout == "still here\n", r


def contained(box: Sandbox, result: ExecResult) -> None:
    assert_nothing_left(result)
    assert_still_serving(box)


# ---------------------------------------------------------------------------------------------- ordinary use


def test_print_and_isolation_report(sb):
    r = sb.run("print(1 + 1)")
    assert r.ok and r.stdout == "2\n" and r.stderr == "" and not r.truncated and r.killed_by is None
    iso = r.isolation
    assert iso["backend"] == "local"
    assert iso["env_scrubbed"] is True
    assert {"cpu", "as", "nproc", "fsize", "nofile", "core"} <= set(iso["rlimits"])
    if ROOT:  # this machine and CI: every layer must be in force
        assert iso["pid_namespace"] and iso["net_namespace"] and iso["mount_namespace"]
        assert iso["unprivileged_uid"] and iso["uid"] >= UID_BASE and iso["private_tmp"]


SYMBENCH_LIKE = [
    (  # game 24 by brute force over permutations and operators
        """
import itertools
from fractions import Fraction
nums = [4, 7, 8, 8]
def solve(vals):
    if len(vals) == 1:
        return vals[0][1] if vals[0][0] == 24 else None
    for i, j in itertools.permutations(range(len(vals)), 2):
        (a, ea), (b, eb) = vals[i], vals[j]
        rest = [vals[k] for k in range(len(vals)) if k not in (i, j)]
        cands = [(a + b, f"({ea}+{eb})"), (a - b, f"({ea}-{eb})"), (a * b, f"({ea}*{eb})")]
        if b != 0:
            cands.append((a / b, f"({ea}/{eb})"))
        for c in cands:
            found = solve(rest + [c])
            if found:
                return found
print(solve([(Fraction(n), str(n)) for n in nums]) is not None)
""",
        "True\n",
    ),
    (  # sympy: a linear system and a polynomial
        """
import sympy as sp
x, y = sp.symbols("x y")
print(sp.solve([2*x + 3*y - 13, x - y + 1], [x, y]))
print(sorted(sp.solve(x**2 - 5*x + 6, x)))
""",
        "{x: 2, y: 3}\n[2, 3]\n",
    ),
    (  # numpy: exact-ish linear algebra
        """
import numpy as np
a = np.array([[2.0, 1.0], [1.0, 3.0]])
print(np.round(np.linalg.solve(a, np.array([3.0, 5.0])), 6).tolist())
print(int(np.arange(1, 11).sum()))
""",
        "[0.8, 1.4]\n55\n",
    ),
    (  # stdlib search: shortest path on a grid with heapq
        """
import heapq
grid = ["..#", ".#.", "..."]
dist = {(0, 0): 0}; pq = [(0, (0, 0))]
while pq:
    d, (r, c) = heapq.heappop(pq)
    for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        nr, nc = r + dr, c + dc
        if 0 <= nr < 3 and 0 <= nc < 3 and grid[nr][nc] == "." and d + 1 < dist.get((nr, nc), 99):
            dist[(nr, nc)] = d + 1; heapq.heappush(pq, (d + 1, (nr, nc)))
print(dist[(2, 2)])
""",
        "4\n",
    ),
]


@pytest.mark.parametrize("code,expected", SYMBENCH_LIKE)
def test_symbench_like_snippets(sb, code, expected):
    r = sb.run(code)
    assert r.ok, r.stderr
    assert r.stdout == expected


def test_imports_outside_the_preload_set_work(sb):
    r = sb.run("import calendar, zoneinfo, graphlib\nprint(calendar.isleap(2024))")
    assert r.ok, r.stderr
    assert r.stdout == "True\n"


def test_each_job_is_fresh(sb):
    a = sb.run("import random, sys\nsys.modules['math'].leak = 1\nprint(random.random())")
    b = sb.run("import random, math\nprint(random.random(), hasattr(math, 'leak'))")
    assert a.ok and b.ok
    assert a.stdout.split()[0] != b.stdout.split()[0]  # reseeded per job
    assert b.stdout.split()[1] == "False"


def test_traceback_points_at_the_snippet(sb):
    r = sb.run("x = 1\ny = x / 0\n")
    assert r.exit_code == 1 and not r.ok
    assert 'main.py", line 2' in r.stderr and "ZeroDivisionError" in r.stderr
    assert "_zygote" not in r.stderr


def test_syntax_error_is_reported(sb):
    r = sb.run("def f(:\n")
    assert r.exit_code == 1 and "SyntaxError" in r.stderr


def test_exec_result_round_trips_through_json(sb):
    r = sb.run("import sys\nprint('out'); print('err', file=sys.stderr); sys.exit(2)")
    back = ExecResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back == r
    assert back.exit_code == 2 and not back.ok and back.stdout == "out\n" and back.stderr == "err\n"


def test_limits_validate():
    with pytest.raises(ValueError):
        Limits(wall_s=0)
    with pytest.raises(ValueError):
        Limits(memory_mb=-1)
    assert Limits().cpu_s is None and Limits().output_bytes == 65536


def test_get_sandbox_names():
    with pytest.raises(CodesteerError, match="local, subprocess"):
        get_sandbox("docker")
    with pytest.raises(CodesteerError, match="bad option"):
        get_sandbox("local", no_such_option=1)
    box = get_sandbox("local")
    assert isinstance(box, LocalSandbox) and isinstance(box, Sandbox)
    box.close()  # never started: closing must be cheap and harmless


# ---------------------------------------------------------------------------------------------- adversarial


def test_infinite_loop(sb):
    t = time.monotonic()
    r = sb.run("while True:\n    pass\n", Limits(wall_s=1.5))
    assert r.timed_out and r.killed_by == "wall_limit" and not r.ok
    assert time.monotonic() - t < 8
    contained(sb, r)


def test_sleep_past_the_wall_limit(sb):
    r = sb.run("import time\nprint('start', flush=True)\ntime.sleep(60)", Limits(wall_s=1.0))
    assert r.timed_out and r.stdout == "start\n"
    contained(sb, r)


def test_cpu_limit_below_wall(sb):
    r = sb.run("while True:\n    pass\n", Limits(wall_s=20, cpu_s=1))
    assert r.killed_by == "cpu_limit" and not r.timed_out and r.exit_code < 0
    contained(sb, r)


def test_memory_bomb(sb):
    r = sb.run("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))", Limits(memory_mb=512))
    assert not r.ok and not r.timed_out
    assert "MemoryError" in r.stderr or r.killed_by is not None
    r2 = sb.run("x = bytearray(8 * 2**30)")
    assert "MemoryError" in r2.stderr
    contained(sb, r)


def test_fork_count_is_capped(sb):
    code = """
import os, time
n = 0
for _ in range(1000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    n += 1
print(n)
"""
    r = sb.run(code, Limits(max_procs=16, wall_s=10))
    assert r.ok, r.stderr
    if ROOT or r.isolation.get("unprivileged_uid"):
        assert int(r.stdout) < 16
    contained(sb, r)


def test_fork_bomb(sb):
    r = sb.run(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        Limits(wall_s=2, max_procs=24),
    )
    assert r.timed_out
    contained(sb, r)


def test_thread_bomb(sb):
    code = """
import threading, time
threads = []
while True:
    t = threading.Thread(target=time.sleep, args=(60,), daemon=True)
    t.start()
    threads.append(t)
"""
    r = sb.run(code, Limits(wall_s=10, max_procs=32))
    assert not r.ok and not r.timed_out
    assert "can't start new thread" in r.stderr or "MemoryError" in r.stderr
    contained(sb, r)


def test_hundred_megabytes_to_stdout(sb):
    t = time.monotonic()
    r = sb.run("import sys\nsys.stdout.write('x' * 100_000_000)\nprint('tail-marker')")
    assert r.ok and r.truncated
    assert len(r.stdout) < 65536 + 200
    assert "truncated" in r.stdout and r.stdout.endswith("tail-marker\n")
    assert time.monotonic() - t < 20
    contained(sb, r)


def test_large_file(sb):
    code = "with open('big.bin', 'wb') as f:\n    for _ in range(64):\n        f.write(b'\\0' * 2**20)\n"
    r = sb.run(code, Limits(file_size_mb=8))
    assert not r.ok
    assert "File too large" in r.stderr or r.killed_by == "file_size_limit"
    contained(sb, r)


def test_writing_outside_the_temp_dir(sb, tmp_path):
    target = tmp_path / "pwned.txt"
    repo_target = Path(__file__).with_name(f"pwned-{uuid.uuid4().hex}.txt")
    shared_tmp = Path("/tmp") / f"codesteer-sbx-test-{uuid.uuid4().hex}"
    code = f"""
import os
for path in [{str(target)!r}, {str(repo_target)!r}, {str(shared_tmp)!r}]:
    try:
        with open(path, "w") as f:
            f.write("pwned")
        print("wrote", path)
    except OSError as e:
        print("refused", path, type(e).__name__)
"""
    r = sb.run(code)
    assert r.ok, r.stderr
    assert not target.exists() and not repo_target.exists()
    if r.isolation.get("private_tmp"):
        assert not shared_tmp.exists()  # it went to the job's private /tmp, gone with the job
    else:
        shared_tmp.unlink(missing_ok=True)
    assert f"refused {target}" in r.stdout
    contained(sb, r)


def test_api_keys_do_not_leak(sb, monkeypatch):
    secret = "sk-test-" + uuid.uuid4().hex
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("HF_TOKEN", secret)
    code = f"""
import os
print(dict(os.environ))
for pid in ["1", "self", {str(os.getpid())!r}]:
    try:
        print(open(f"/proc/{{pid}}/environ", "rb").read())
    except OSError as e:
        print(pid, type(e).__name__)
"""
    r = sb.run(code)
    fresh = SubprocessSandbox(uid_base=UID_BASE).run(code)  # a backend started after the secret was set
    for res in (r, fresh):
        assert res.ok, res.stderr
        assert secret not in res.stdout + res.stderr
        assert "OPENAI_API_KEY" not in res.stdout
    contained(sb, r)


def test_cannot_reach_a_listener_on_localhost(sb):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(0.5)
        port = srv.getsockname()[1]
        code = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"hello")
    print("connected")
except OSError as e:
    print("blocked", type(e).__name__)
"""
        r = sb.run(code)
        with pytest.raises(TimeoutError):
            srv.accept()
    assert r.ok, r.stderr
    if r.isolation.get("net_namespace"):
        assert r.stdout.startswith("blocked")
    contained(sb, r)


def test_killing_the_parent_is_contained(sb):
    zygote = sb.info["pid"]
    code = f"""
import os, signal
for pid in [os.getppid(), 1, {os.getpid()}, {zygote}, -1]:
    try:
        os.kill(pid, signal.SIGKILL)
        print("sent", pid)
    except OSError as e:
        print("refused", pid, type(e).__name__)
"""
    r = sb.run(code)
    assert r.ok, r.stderr
    os.kill(zygote, 0)  # still alive
    assert sb.info["pid"] == zygote
    contained(sb, r)


def test_os_exit(sb):
    r = sb.run("import os\nprint('lost in the buffer')\nos._exit(7)")
    assert r.exit_code == 7 and not r.timed_out
    r2 = sb.run("import os, sys\nprint('kept', flush=True)\nos._exit(0)")
    assert r2.ok and r2.stdout == "kept\n"
    contained(sb, r)


def test_closing_stdout(sb):
    r = sb.run("import os, sys\nsys.stdout.close()\nos.close(1)\nprint('still running', file=sys.stderr)")
    assert r.ok and r.stderr == "still running\n"
    contained(sb, r)


def test_daemon_cannot_outlive_the_job(sb):
    code = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(60)
        os._exit(0)
    os._exit(0)
time.sleep(0.2)
print("parent done")
"""
    t = time.monotonic()
    r = sb.run(code, Limits(wall_s=20))
    assert r.ok and r.stdout == "parent done\n"
    assert time.monotonic() - t < 10  # the job ended with its main process, not with the daemon
    if ROOT:
        assert r.isolation["pid_namespace"]
    contained(sb, r)


def test_recursion_overflow(sb):
    r = sb.run("def f(n):\n    return f(n + 1)\nf(0)")
    assert r.exit_code == 1 and "RecursionError" in r.stderr
    # with the guard removed, C-level recursion overflows the C stack: a signal, not a hang
    code = "import sys\nsys.setrecursionlimit(10**7)\nx = []\nfor _ in range(10**6):\n    x = [x]\nprint(repr(x))"
    r2 = sb.run(code, Limits(wall_s=20))
    assert not r2.ok and not r2.timed_out and r2.exit_code < 0, r2
    contained(sb, r2)


def test_sys_exit_3(sb):
    r = sb.run("import sys\nprint('bye')\nsys.exit(3)")
    assert r.exit_code == 3 and r.stdout == "bye\n" and not r.ok and r.killed_by is None
    r2 = sb.run("raise SystemExit('message')")
    assert r2.exit_code == 1 and r2.stderr == "message\n"


def test_non_utf8_stderr(sb):
    r = sb.run(
        "import sys\nsys.stderr.buffer.write(b'bad \\xff\\xfe\\x80 bytes\\n')\nsys.stdout.buffer.write(b'\\xc3')"
    )
    assert r.ok
    assert "bad" in r.stderr and "bytes" in r.stderr and "\ufffd" in r.stderr
    assert r.stdout == "\ufffd"


def test_reading_stdin(sb):
    r = sb.run("import sys\nprint(repr(sys.stdin.read()))\ninput()")
    assert r.stdout == "''\n" and r.exit_code == 1 and "EOFError" in r.stderr


def test_crashed_zygote_is_restarted(sb):
    old = sb.info["pid"]
    os.kill(old, signal.SIGKILL)
    r = sb.run("print('back')")
    assert r.ok and r.stdout == "back\n"
    assert sb.info["pid"] != old


# ---------------------------------------------------------------------------------------------- concurrency


def test_many_concurrent_aruns(sb):
    async def main() -> list[ExecResult]:
        return await asyncio.gather(
            *(sb.arun(f"import time\ntime.sleep(0.05)\nprint({i} * {i})") for i in range(24))
        )

    results = asyncio.run(main())
    assert [r.stdout for r in results] == [f"{i * i}\n" for i in range(24)]


def test_run_from_many_threads(sb):
    out: dict[int, str] = {}

    def work(i: int) -> None:
        out[i] = sb.run(f"print({i} + 1)").stdout

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert out == {i: f"{i + 1}\n" for i in range(8)}


def test_timeout_under_concurrency_does_not_hit_neighbours(sb):
    async def main() -> list[ExecResult]:
        slow = sb.arun("import time\ntime.sleep(60)", Limits(wall_s=1))
        fast = [sb.arun(f"print({i})") for i in range(6)]
        return await asyncio.gather(slow, *fast)

    slow, *fast = asyncio.run(main())
    assert slow.timed_out
    assert [r.stdout for r in fast] == [f"{i}\n" for i in range(6)]


# ---------------------------------------------------------------------------------------------- lifecycle, other backend


def test_close_leaves_no_process():
    box = LocalSandbox(pool_size=2, uid_base=UID_BASE, preload=("math",), warmup=None)
    with box:
        assert box.run("print(2)").stdout == "2\n"
        pid = box.info["pid"]
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, "zygote survived close()"
        time.sleep(0.05)
    with pytest.raises(CodesteerError, match="closed"):
        box.run("print(1)")


def test_subprocess_backend_contains_a_daemon_and_a_loop():
    with get_sandbox("subprocess", uid_base=UID_BASE) as box:
        r = box.run("import numpy, os\nprint(int(numpy.arange(4).sum()))")
        assert r.ok and r.stdout == "6\n" and r.isolation["backend"] == "subprocess"
        r = box.run("while True:\n    pass", Limits(wall_s=1))
        assert r.timed_out
        code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint('done')"
        r = box.run(code)
        assert r.ok and r.stdout == "done\n"
        assert_nothing_left(r)


# ---------------------------------------------------------------------------------------------- chain reuse


def test_a_reused_chain_starts_every_job_fresh(sb):
    """Chains serve many jobs one after another; nothing of one job reaches the next: not its files in any
    private mount, not a daemon it left running, not its uid."""
    plant = """
import os, subprocess, sys
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    if os.path.isdir(d):
        with open(os.path.join(d, "planted.txt"), "w") as f:
            f.write("from an earlier job")
if os.fork() == 0:  # a daemon that tries to outlive the job
    os.setsid()
    if os.fork() == 0:
        import time
        time.sleep(60)
    os._exit(0)
print(os.getuid())
"""
    # an interpreter or venv under /tmp (a CI checkout) is shown read-only at its own path: not a leftover
    look = """
import os, sys
imports = [p for p in (*sys.path, sys.prefix, sys.executable) if p]
def exposed(path):
    return any(p == path or p.startswith(path + "/") for p in imports)
seen = [os.path.join(d, n) for d in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(d) for n in os.listdir(d)
        if not exposed(os.path.join(d, n))]
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
print(len(seen), len(others), os.getuid())
"""
    uids, reused = set(), False
    for _ in range(12):
        planted = sb.run(plant)
        assert planted.ok, planted
        checked = sb.run(look)
        assert checked.ok, checked
        n_files, n_procs, uid = checked.stdout.split()
        assert (n_files, n_procs) == ("0", "0"), checked.stdout
        uids.update({planted.stdout.strip(), uid})
        reused |= checked.isolation.get("chain_job", 0) > 0
    if ROOT and checked.isolation.get("pid_namespace") and checked.isolation.get("private_tmp"):
        assert reused, "chains were never reused: every job paid for a new process tree"
        assert len(uids) == 24, "two jobs ran under the same uid"


def test_a_chain_retires_after_its_uid_range(sb):
    from codesteer.sandbox._zygote import JOBS_PER_CHAIN

    seen = [sb.run("print(1)").isolation.get("chain_job", 0) for _ in range(JOBS_PER_CHAIN + 8)]
    assert max(seen) < JOBS_PER_CHAIN
    assert_still_serving(sb)
