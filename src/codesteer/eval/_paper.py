"""Paper-conditions scoring: the reference evaluator's lenient final-answer rule, beside our strict default.

The reference built two candidates per sample and counted the sample correct if either verified: (a) the output
of re-running the first ```` ```python ```` block of the last reply (with ``print(result)``, then
``print(Answer)``, then ``print(answer)`` appended when it printed nothing), and (b) the last reply itself; each
candidate went through an extraction model (GPT-4o) that wrapped a bare answer in ``<<<>>>``. Our default
(strict) verifies the last reply, or what that reply's own code printed, with no model in the metric.

Here a candidate that already verifies as written counts without an extraction call; otherwise the extractor is
asked to return its final answer in ``<<<...>>>``. Extraction calls go through the response cache and are
accounted per sample under the role ``judge``. Results are stored in the run's metadata, so a later report shows
them again without new calls.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codesteer.models import ChatModel
from codesteer.runs import ResultRow, RunStore
from codesteer.sandbox import Limits, Sandbox
from codesteer.steer._reference import extract_code
from codesteer.symbench import Instance, verify

PAPER_META = "paper_scoring"
RERUN_LIMITS = Limits(wall_s=15.0)
FALLBACK_NAMES = ("result", "Answer", "answer")
EXTRACT_PROMPT = (
    "Below are a task and one candidate response to it. Find the final answer the response gives and write it in "
    "exactly the format the task asks for, between <<< and >>>, with nothing after it. Do not solve the task "
    "yourself or correct the answer; if the response gives no answer, write <<<>>>.\n\n"
)


def row_id(row: ResultRow) -> str:
    """Identifies a result row within a run (one model configuration per run)."""
    return f"{row.instance_id}|{row.method}|{row.task_model}|{row.guide_model or ''}"


async def rerun_output(code: str, sandbox: Sandbox) -> str:
    """The stdout of re-running ``code``; on empty output, with ``print(result)``/``Answer``/``answer`` appended."""
    r = await sandbox.arun(code, RERUN_LIMITS)
    if r.stdout.strip():
        return r.stdout
    for name in FALLBACK_NAMES:
        r = await sandbox.arun(f"{code}\nprint({name})", RERUN_LIMITS)
        if r.stdout.strip():
            return r.stdout
    return ""


async def score_sample(inst: Instance, traj: dict[str, Any], extractor: ChatModel, sandbox: Sandbox) -> dict[str, Any]:
    """Both candidates of one finished sample, judged; correct if either verifies."""
    turns = traj.get("task_turns") or []
    last = turns[-1]["reply"] if turns else ""
    candidates: list[tuple[str, str]] = []
    blocks = extract_code(last)
    if blocks:
        candidates.append(("code_output", await rerun_output(blocks[0], sandbox)))
    candidates.append(("reply", last))
    usage = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "latency_s": 0.0, "cost_usd": 0.0, "cached": 0}
    judged = []
    correct_by = None
    for name, text in candidates:
        if correct_by is not None:
            break  # either candidate suffices: no further extraction call
        if text.strip() and verify(inst, text).correct:
            judged.append({"candidate": name, "extracted": None, "correct": True})
            correct_by = name
            continue
        if not text.strip():
            judged.append({"candidate": name, "extracted": None, "correct": False})
            continue
        prompt = f"{EXTRACT_PROMPT}Task:\n{inst.question}\n\nResponse:\n{text}\n\nFinal answer:"
        c = await extractor.chat([{"role": "user", "content": prompt}], temperature=0.0, max_tokens=1024)
        usage["calls"] += 1
        usage["prompt_tokens"] += c.prompt_tokens
        usage["completion_tokens"] += c.completion_tokens
        usage["latency_s"] += c.latency_s
        usage["cost_usd"] += c.cost_usd
        usage["cached"] += int(c.cached)
        ok = bool(verify(inst, c.text).correct)
        judged.append({"candidate": name, "extracted": c.text[-500:], "correct": ok})
        if ok:
            correct_by = name
    return {"correct": correct_by is not None, "by": correct_by, "candidates": judged, "judge": usage}


async def paper_scores(run_dir: str | Path, extractor: ChatModel, sandbox: Sandbox, *,
                       concurrency: int = 4) -> dict[str, Any]:
    """Score every finished sample of a run under paper conditions; the results are stored in the run."""
    with RunStore(run_dir, create=False) as store:
        insts = store.instances()
        work = [(row, traj) for row, traj, _ in store.trajectories() if row.instance_id in insts]
    sem = asyncio.Semaphore(max(1, concurrency))
    results: dict[str, Any] = {}

    async def one(row: ResultRow, traj: dict[str, Any]) -> None:
        async with sem:
            results[row_id(row)] = await score_sample(insts[row.instance_id], traj, extractor, sandbox)

    await asyncio.gather(*(one(r, t) for r, t in work))
    summary = {"extractor": str(getattr(extractor, "spec", "")), "rows": results,
               "judge": _totals(r["judge"] for r in results.values())}
    with RunStore(run_dir, create=False) as store:
        store.set_meta(PAPER_META, summary)
    return summary


def _totals(usages: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for u in usages:
        for k, v in u.items():
            out[k] = out.get(k, 0) + v
    return out


def paper_rows(rows: Sequence[ResultRow], paper: dict[str, Any]) -> list[ResultRow]:
    """The rows with paper-conditions correctness (rows that were not scored keep their strict verdict)."""
    by_id = paper.get("rows", {})
    out = []
    for r in rows:
        p = by_id.get(row_id(r))
        out.append(r if p is None else dataclasses.replace(r, correct=bool(p["correct"])))
    return out
