"""The packaged-model pilot (issue 21): which embedded model should be the offline default?

One manifest (``benchmarks/pilot/manifest.jsonl``: 10 tasks × 3 instances, seed 0), four methods, each packaged
model as task model, guide and checker with its own run defaults (``codesteer models`` lists them). ``--run``
runs (or resumes) every model into ``<out>/<model>``, one after the other, through the installed console script,
exactly as a user would, with the response cache off; without it, the table of what is there is printed: success, verdict breakdown, tokens
and wall time per model and method, and per task for the models that solved anything.

Run: ``.venv/bin/python benchmarks/pilot.py --out runs/pilot [--run] [--models qwen2.5-coder-0.5b,...]``.
Prints markdown; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from codesteer.eval import REASON_ORDER, RunStore, compute_scores
from codesteer.models import EMBEDDED
from codesteer.symbench import tasks as all_tasks

MANIFEST = Path(__file__).resolve().parent / "pilot" / "manifest.jsonl"
METHODS = "only_question,all_code_cot,code_interpreter,codesteer"
_SHORT = {"no <<<answer>>> found": "no answer"}


def run(model: str, out: Path, concurrency: int) -> float:
    """Run one model's pilot through the console script; returns wall seconds (resumed work excluded)."""
    cmd = [str(Path(sys.executable).with_name("codesteer")), "run", "--manifest", str(MANIFEST), "--methods", METHODS,
           "--task-model", f"embedded/{model}", "--concurrency", str(concurrency), "--out", str(out / model)]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    start = time.monotonic()
    # the response cache off: a rerun must not answer from an earlier run's replies and report their time as its own
    subprocess.run(cmd, check=True, env={**os.environ, "CODESTEER_NO_CACHE": "1"})
    return time.monotonic() - start


def table(out: Path, models: list[str]) -> str:
    seen = {t.name: t.seen for t in all_tasks()}
    kinds = [k for k in REASON_ORDER if k != "ok"]
    head = ("| model | method | samples | success | " + " | ".join(_SHORT.get(k, k) for k in kinds)
            + " | tokens/sample | wall s/sample |")
    lines = [head, "|---|---|---:|---:|" + "---:|" * len(kinds) + "---:|---:|"]
    per_task: list[str] = []
    for model in models:
        if not (out / model / "results.sqlite").exists():
            continue
        with RunStore(out / model, create=False) as store:
            s = compute_scores([r for r in store.rows() if r.status == "done"], seen)
        for m in s.methods:
            cell, reasons = s.overall[m], s.reasons[m]
            lines.append(f"| {model} | {m} | {cell.n} | {cell.correct}/{cell.n} | "
                         + " | ".join(str(reasons.get(k, 0)) for k in kinds)
                         + f" | {cell.tokens / max(cell.n, 1):,.0f} | {cell.wall_s / max(cell.n, 1):.1f} |")
        if any(s.overall[m].correct for m in s.methods):
            per_task.append(f"\n{model}, solved per task:\n\n| task | " + " | ".join(s.methods) + " |")
            per_task.append("|---|" + "---:|" * len(s.methods))
            for t in s.tasks:
                cells = (f"{s.by_task[m][t].correct}/{s.by_task[m][t].n}" if t in s.by_task[m] else "-"
                         for m in s.methods)
                per_task.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines + per_task)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("runs/pilot"))
    ap.add_argument("--models", default=",".join(EMBEDDED), help="packaged models, comma-separated")
    ap.add_argument("--run", action="store_true", help="run (or resume) each model before printing the table")
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in EMBEDDED]
    if unknown:
        ap.error(f"unknown packaged model(s): {', '.join(unknown)}; known: {', '.join(EMBEDDED)}")
    if args.run:
        for model in models:
            print(f"{model}: {run(model, args.out, args.concurrency):.0f} s", file=sys.stderr, flush=True)
    print(table(args.out, models))


if __name__ == "__main__":
    main()
