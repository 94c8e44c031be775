"""Sandbox latency and throughput: the paper's way vs SubprocessSandbox vs LocalSandbox.

Prints figures, asserts nothing. Run: ``python benchmarks/sandbox_bench.py [--quick]``.
LocalSandbox runs twice in one run: with every layer (cgroup per job tree, seccomp filter) and with those two
switched off, so their cost shows on the same machine under the same load.
The paper's way is what the reference code did: write the block to a file and
``subprocess.run(["python3", file], capture_output=True, text=True, timeout=10)`` — no isolation at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codesteer.sandbox import LocalSandbox, SubprocessSandbox

PRINT1 = "print(1)"
NUMPY_SYMPY = """
import numpy as np
import sympy as sp
x = sp.symbols("x")
roots = sp.solve(x**2 - 5*x + 6, x)
a = np.array([[2.0, 1.0], [1.0, 3.0]])
print(roots, np.linalg.solve(a, np.array([3.0, 5.0])).round(3).tolist())
"""


class PaperWay:
    """Reference behaviour: a file per snippet and the `python3` on PATH, in a shared directory."""

    def __init__(self) -> None:
        self.python3 = shutil.which("python3") or sys.executable
        self.dir = Path(tempfile.mkdtemp(prefix="paper-way-"))
        self.timeouts = 0

    def run(self, code: str) -> str:
        path = self.dir / f"code_1_{time.monotonic_ns()}.py"
        path.write_text(code)
        try:
            proc = subprocess.run([self.python3, str(path)], capture_output=True, text=True, timeout=10)
        except subprocess.TimeoutExpired:  # the reference crashed here; we count it
            self.timeouts += 1
            return ""
        return proc.stdout

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _latency(fn: Callable[[str], object], code: str, n: int) -> tuple[float, float]:
    fn(code)  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn(code)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def _throughput(fn: Callable[[str], object], code: str, inflight: int, n: int) -> float:
    with ThreadPoolExecutor(inflight) as pool:
        list(pool.map(fn, [code] * inflight))  # warm
        t = time.perf_counter()
        list(pool.map(fn, [code] * n))
        return n / (time.perf_counter() - t)


def _check(name: str, fn: Callable[[str], object]) -> None:
    out = fn(NUMPY_SYMPY)
    text = out if isinstance(out, str) else out.stdout  # type: ignore[attr-defined]
    if "[2, 3]" not in text:
        raise SystemExit(f"{name} gave a wrong answer: {out!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    q = args.quick
    print(
        f"# sandbox benchmark: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"# load average at the start: {os.getloadavg()[0]:.1f}")

    paper = PaperWay()
    sub = SubprocessSandbox(pool_size=8)
    t = time.perf_counter()
    local = LocalSandbox(pool_size=8)
    local.start()
    start_ms = (time.perf_counter() - t) * 1000
    print(f"# LocalSandbox zygote start (numpy + sympy pre-imported): {start_ms:.0f} ms")
    iso = local.run(PRINT1).isolation
    print("# LocalSandbox isolation in force:", {k: v for k, v in iso.items() if k not in ("uid",)})
    bare = LocalSandbox(pool_size=8, cgroups=False, seccomp=False)
    bare.start()
    n_local = {"p1": 50 if q else 200, "np": 30 if q else 100, "tp": 100 if q else 400, "tpn": 50 if q else 200}

    backends: list[tuple[str, Callable[[str], object], dict[str, int]]] = [
        (
            "paper's way (python3 file.py)",
            paper.run,
            {"p1": 10 if q else 30, "np": 4 if q else 10, "tp": 8 if q else 16, "tpn": 4 if q else 8},
        ),
        (
            "SubprocessSandbox",
            sub.run,
            {"p1": 10 if q else 30, "np": 4 if q else 10, "tp": 16 if q else 40, "tpn": 4 if q else 8},
        ),
        ("LocalSandbox (cgroup + seccomp)", local.run, n_local),
        ("LocalSandbox (no cgroup, no seccomp)", bare.run, n_local),
    ]
    for name, fn, _ in backends:
        _check(name, fn)

    print()
    print(
        "| backend | print(1) p50 ms | p95 ms | numpy+sympy p50 ms | p95 ms | print(1) jobs/s @2 | @8 | numpy+sympy jobs/s @2 | @8 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, fn, n in backends:
        p1 = _latency(fn, PRINT1, n["p1"])
        ns = _latency(fn, NUMPY_SYMPY, n["np"])
        tp = [_throughput(fn, PRINT1, k, n["tp"]) for k in (2, 8)]
        tpn = [_throughput(fn, NUMPY_SYMPY, k, n["tpn"]) for k in (2, 8)]
        print(
            f"| {name} | {p1[0]:.1f} | {p1[1]:.1f} | {ns[0]:.1f} | {ns[1]:.1f} | "
            f"{tp[0]:.0f} | {tp[1]:.0f} | {tpn[0]:.1f} | {tpn[1]:.1f} |",
            flush=True,
        )
    print(
        f"\n# paper's way: {paper.timeouts} runs hit its 10 s timeout (the reference code crashed on those)"
    )
    print(
        f"# load average at the end: {os.getloadavg()[0]:.1f} (other work on this machine inflates every figure)"
    )
    paper.close()
    sub.close()
    local.close()
    bare.close()


if __name__ == "__main__":
    main()
