"""The one job loop of evaluation and synthesis: concurrency, resume-free recording, the stop rule, cancellation."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from codesteer.models import ModelError
from codesteer.runs import JobError, RunCounters, run_jobs

SRC = Path(__file__).resolve().parents[2] / "src" / "codesteer"


def _run(jobs, solve, *, concurrency=2, **kw):  # type: ignore[no-untyped-def]
    counters = RunCounters(total=len(jobs))
    recorded: dict[int, object] = {}
    failed: dict[int, JobError] = {}
    kw.setdefault("record_error", lambda j, e: failed.__setitem__(j, e))
    asyncio.run(run_jobs(jobs, solve, lambda j, r: recorded.__setitem__(j, r), counters, concurrency=concurrency,
                         **kw))
    return counters, recorded, failed


def test_at_most_concurrency_jobs_run_at_once_and_each_is_recorded() -> None:
    live, peak = [0], [0]

    async def solve(j: int) -> int:
        live[0] += 1
        peak[0] = max(peak[0], live[0])
        await asyncio.sleep(0.01)
        live[0] -= 1
        return j * j

    counters, recorded, failed = _run(list(range(9)), solve, concurrency=3)
    assert peak[0] == 3
    assert recorded == {j: j * j for j in range(9)} and not failed
    assert (counters.done, counters.errors, counters.in_flight, counters.finished) == (9, 0, 0, 9)


def test_a_failing_job_is_recorded_with_its_error_and_the_others_go_on() -> None:
    async def solve(j: int) -> int:
        if j == 1:
            raise ValueError("bad sample")
        return j

    updates: list[tuple[int, int]] = []
    counters, recorded, failed = _run([0, 1, 2], solve, on_update=lambda c: updates.append((c.done, c.errors)))
    assert set(recorded) == {0, 2}
    assert failed[1].message == "ValueError: bad sample" and not failed[1].model_error and failed[1].wall_s >= 0
    assert (counters.done, counters.errors, counters.last_error) == (2, 1, "ValueError: bad sample")
    assert updates[0] == (0, 0) and updates[-1] == (2, 1)  # before the first job, after each one, at the end


def test_first_model_errors_stop_the_run_with_that_error() -> None:
    started: list[int] = []

    async def solve(j: int) -> int:
        started.append(j)
        raise ModelError(f"endpoint unreachable ({j})")

    with pytest.raises(ModelError, match=r"endpoint unreachable \(2\)"):
        _run(list(range(20)), solve, concurrency=1)
    assert started == [0, 1, 2]  # no new job after the third model error


def test_model_errors_after_a_success_do_not_stop_the_run() -> None:
    async def solve(j: int) -> int:
        if j:
            raise ModelError("rate limited")
        return j

    counters, recorded, failed = _run(list(range(6)), solve, concurrency=1)
    assert (counters.done, counters.errors) == (1, 5) and failed[3].message == "rate limited"


def test_a_failure_to_record_stops_the_run() -> None:
    async def solve(j: int) -> int:
        return j

    def record(j: int, r: int) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        asyncio.run(run_jobs([0, 1], solve, record, RunCounters(), concurrency=1))


def test_cancelling_the_loop_keeps_what_was_recorded() -> None:
    recorded: list[int] = []
    counters = RunCounters()

    async def solve(j: int) -> int:
        await asyncio.sleep(0 if j < 2 else 30)
        return j

    async def main() -> None:
        task = asyncio.create_task(run_jobs(list(range(5)), solve, lambda j, r: recorded.append(j), counters,
                                            concurrency=3))
        while len(recorded) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert recorded == [0, 1] and counters.done == 2 and counters.in_flight == 0


def test_runs_imports_nothing_above_it() -> None:
    """DESIGN.md: runs sits below eval, synth, train and cli."""
    above = ("codesteer.eval", "codesteer.synth", "codesteer.train", "codesteer.cli")
    for path in (SRC / "runs").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(above)], (path.name, names)


def test_synth_no_longer_imports_eval() -> None:
    for path in (SRC / "synth").glob("*.py"):
        assert "codesteer.eval" not in path.read_text(encoding="utf-8"), path.name
