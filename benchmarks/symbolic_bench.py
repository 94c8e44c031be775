"""Symbolic checker speed: milliseconds per snippet, p50/p99, over the labelled set and on a 200-line snippet.

Target (issue 22): p99 under 5 ms per snippet on a 200-line snippet. The checker runs once per task reply inside
the steering loop, so it must stay negligible beside a model call. Figures are CPU time per call (wall time also
counts waiting for a core on a shared machine), printed twice: with the garbage collector paused while timing
(timeit's convention: a collection's cost belongs to the whole process heap, not to the call it lands in) and
with it running (what a caller sees). ``ast.parse`` alone and a fixed loop are printed for scale.
Run: ``.venv/bin/python benchmarks/symbolic_bench.py [--repeat 20]``. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from codesteer.steer import symbolic_check

SNIPPETS = Path(__file__).resolve().parents[1] / "tests" / "steer" / "symbolic_snippets"


def long_snippet(lines: int = 200) -> str:
    """A realistic long reply: helpers, a backtracking search, a lookup table and a formatted answer."""
    out = ["from itertools import permutations", "import heapq", ""]
    i = 0
    while len(out) + 9 <= lines - 12:
        out += [
            f"def helper_{i}(grid, row, col, acc):",
            f"    total_{i} = 0",
            "    for r in range(len(grid)):",
            "        for c in range(len(grid[0])):",
            "            if grid[r][c] == row and c != col:",
            f"                total_{i} += grid[r][c] * {i + 1}",
            f"    acc.append(total_{i})",
            f"    return helper_{i}(grid, row + 1, col, acc) if row < 3 else acc",
            "",
        ]
        i += 1
    out += [
        "TABLE = {'a': 'Move A from stack1 to stack2', 'b': 'Move B from stack3 to stack1'}",
        "grid = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]",
        "found = []",
        "for p in permutations(range(3)):",
        "    if sum(grid[r][p[r]] for r in range(3)) == 15:",
        "        found.append(p)",
        "heap = [(len(f), f) for f in found]",
        "heapq.heapify(heap)",
        "best = heapq.heappop(heap)[1] if heap else None",
        "moves = [TABLE[k] for k in ('a', 'b')]",
        "print('<<<' + '\\n'.join(moves) + '>>>')",
        "print(f'<<<{best}>>>')",
    ]
    out += [f"# padding line {k}" for k in range(lines - len(out))]
    return "\n".join(out) + "\n"


def timings(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call (CPU time is what the call costs; wall also counts waiting for a core)."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return wall, cpu


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    manifest = json.loads((SNIPPETS / "labels.json").read_text())["snippets"]
    codes = [(SNIPPETS / e["file"]).read_text() for e in manifest]
    lines = statistics.mean(c.count("\n") + 1 for c in codes)
    code = long_snippet(200)
    r = symbolic_check(code)
    n = max(args.repeat * 10, 100)
    for gc_state in ("paused", "running"):
        if gc_state == "paused":
            gc.collect()
            gc.disable()
        try:
            cpu: list[float] = []
            for c in codes:
                cpu += timings(lambda c=c: symbolic_check(c), args.repeat)[1]
            print(f"gc {gc_state}: labelled set, {len(codes)} snippets (mean {lines:.0f} lines) x {args.repeat} runs: "
                  f"CPU p50 {pct(cpu, 0.5):.3f} ms, p99 {pct(cpu, 0.99):.3f} ms")
            w, big = timings(lambda: symbolic_check(code), n)
            _, parse = timings(lambda: ast.parse(code), n)
            print(f"gc {gc_state}: 200-line snippet (hard-coded={r.hardcoded}) x {n} runs: CPU p50 {pct(big, 0.5):.3f} ms, "
                  f"p99 {pct(big, 0.99):.3f} ms (target p99 < 5 ms); wall p50 {pct(w, 0.5):.3f} ms, "
                  f"p99 {pct(w, 0.99):.3f} ms; ast.parse alone CPU p50 {pct(parse, 0.5):.3f} ms, "
                  f"p99 {pct(parse, 0.99):.3f} ms")
        finally:
            gc.enable()
    _, loop = timings(lambda: sum(range(1_000_000)), 5)
    print(f"machine speed reference: sum(range(10**6)) CPU p50 {pct(loop, 0.5):.1f} ms")


if __name__ == "__main__":
    main()
