"""Runs: the results store of a run folder, progress counters and one resumable concurrent job loop.

Shared by evaluation and data synthesis (the layers above); imports nothing above ``methods``.
"""

from codesteer.runs._jobs import FATAL_FIRST_ERRORS, JobError, RunCounters, error_text, run_jobs, stops_run
from codesteer.runs._store import SCHEMA_VERSION, ResultRow, RunStore, guide_key, result_key

__all__ = [
    "FATAL_FIRST_ERRORS", "SCHEMA_VERSION", "JobError", "ResultRow", "RunCounters", "RunStore", "error_text",
    "guide_key", "result_key", "run_jobs", "stops_run",
]
