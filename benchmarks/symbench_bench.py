"""SymBench speed: instances generated per second and verdicts per second, per task.

Target (issue: SymBench core): 100 instances of every task generated and verified in under 60 s on 2 cores.
Run: ``.venv/bin/python benchmarks/symbench_bench.py [-n 100] [--tasks all]``. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from codesteer import symbench


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tasks", default="all")
    args = ap.parse_args()
    names = symbench.select_tasks(args.tasks)
    print(f"{'task':34} {'gen/s':>10} {'verify/s':>10} {'gen s':>8} {'verify s':>9}  ok")
    total = 0.0
    for name in names:
        t0 = time.perf_counter()
        insts = symbench.generate(name, args.n, seed=args.seed)
        t1 = time.perf_counter()
        good = sum(symbench.verify(i, f"<<<{i.answer}>>>").correct for i in insts)
        t2 = time.perf_counter()
        g, v = t1 - t0, t2 - t1
        total += g + v
        print(f"{name:34} {args.n / max(g, 1e-9):10.0f} {args.n / max(v, 1e-9):10.0f} {g:8.3f} {v:9.3f}  {good}/{args.n}")
    print(f"\n{len(names)} tasks x {args.n} instances generated and verified in {total:.1f} s (target < 60 s)")


if __name__ == "__main__":
    main()
