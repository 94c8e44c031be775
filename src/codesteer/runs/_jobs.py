"""One resumable concurrent job loop, shared by evaluation and data synthesis.

A job is solved (model calls, sandbox runs: failures are expected and recorded) and then recorded (a store row,
a file: failures there are the disk's or the store's and stop the run). Work already finished is left out by the
caller before the loop starts, so a re-run resumes where the last one stopped.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from codesteer.models import ModelError

Job = TypeVar("Job")
Result = TypeVar("Result")
Counters = TypeVar("Counters", bound="RunCounters")

FATAL_FIRST_ERRORS = 3  # model errors with nothing done yet after which a run stops instead of going on


@dataclass
class RunCounters:
    """What every long job (evaluation, data synthesis) counts for its progress display and final summary."""

    total: int = 0
    skipped: int = 0
    done: int = 0
    errors: int = 0
    last_error: str | None = None
    in_flight: int = 0  # jobs being solved now

    @property
    def finished(self) -> int:
        """Work items accounted for so far: skipped as already done, done now, or failed."""
        return self.skipped + self.done + self.errors

    def count(self, error: str | None = None) -> None:
        """One job finished: done, or failed with ``error`` (the message a user reads)."""
        if error is None:
            self.done += 1
        else:
            self.errors += 1
            self.last_error = error


@dataclass(frozen=True)
class JobError:
    """Why solving one job failed, as stored and shown."""

    message: str
    exception: BaseException
    wall_s: float

    @property
    def model_error(self) -> bool:
        return isinstance(self.exception, ModelError)


def error_text(exc: BaseException) -> str:
    """A model error's own message (it is written for a user); ``Type: message`` for anything else (a bug)."""
    if isinstance(exc, ModelError):
        return str(exc)
    return "".join(traceback.format_exception_only(exc)).strip()


def stops_run(counters: RunCounters, n_jobs: int, *, model_error: bool) -> bool:
    """True when the very first jobs all failed in the model layer (an unreachable endpoint, a bad key): the run
    should stop with that error instead of filling its store with failures."""
    return model_error and counters.done == 0 and counters.errors >= min(FATAL_FIRST_ERRORS, n_jobs)


async def run_jobs(
    jobs: Sequence[Job],
    solve: Callable[[Job], Awaitable[Result]],
    record: Callable[[Job, Result], None],
    counters: Counters,
    *,
    concurrency: int,
    record_error: Callable[[Job, JobError], None] | None = None,
    on_update: Callable[[Counters], None] | None = None,
) -> Counters:
    """Solve and record every job, ``concurrency`` at a time; returns ``counters``.

    ``record`` commits one result (its own transaction or file, so a kill loses only the jobs in flight) and
    counts what it adds beyond ``done``; ``record_error`` commits a failure (stored failures are retried by the
    next run). An exception in either stops the run. When the first jobs all fail with model errors
    (:func:`stops_run`) no new job starts, and the error that met the rule is raised once the jobs in flight end.
    Cancelling the loop (Ctrl-C under ``asyncio.run``) cancels the jobs in flight; recorded ones stay recorded.
    """
    sem = asyncio.Semaphore(max(1, concurrency))
    fatal: list[BaseException] = []
    if on_update:
        on_update(counters)

    async def one(job: Job) -> None:
        async with sem:
            if fatal:
                return
            t0 = time.perf_counter()
            counters.in_flight += 1
            failure: JobError | None
            try:
                result = await solve(job)
            except Exception as exc:  # one bad job must not lose the others
                failure = JobError(error_text(exc), exc, time.perf_counter() - t0)
            else:
                failure = None
            finally:
                counters.in_flight -= 1
            if failure is None:
                record(job, result)
                counters.count()
            else:
                if record_error:
                    record_error(job, failure)
                counters.count(failure.message)
                if stops_run(counters, len(jobs), model_error=failure.model_error):
                    fatal.append(failure.exception)
            if on_update:
                on_update(counters)

    await asyncio.gather(*(one(job) for job in jobs))
    if on_update:
        on_update(counters)
    if fatal:
        raise fatal[0]
    return counters
