"""Evaluation: seeded manifests, resumable concurrent runs in SQLite, the paper's scores, reports."""

from codesteer.eval._evaluate import EXECUTORS, check_executor, evaluate, transport_settings
from codesteer.eval._manifest import create_manifest, read_manifest, select_instances
from codesteer.eval._paper import paper_rows, paper_scores, score_sample
from codesteer.eval._ray import import_ray, run_eval_ray
from codesteer.eval._report import markdown_summary, write_report
from codesteer.eval._runner import (
    Progress,
    RunConfig,
    SampleOutcome,
    build_models,
    default_run_dir,
    record_outcome,
    run_eval,
    solve_sample,
)
from codesteer.eval._scores import (
    REASON_ORDER,
    Cell,
    Scores,
    complete_instances,
    compute_scores,
    normalised_average,
    shared_samples,
    two_proportion_p,
    wilson,
)
from codesteer.runs import ResultRow, RunCounters, RunStore, result_key

__all__ = [
    "EXECUTORS", "check_executor", "evaluate", "import_ray", "transport_settings",
    "REASON_ORDER", "Cell", "Progress", "ResultRow", "RunCounters", "RunConfig", "RunStore", "Scores", "build_models", "complete_instances", "compute_scores", "create_manifest",
    "default_run_dir", "read_manifest", "normalised_average", "record_outcome", "result_key", "run_eval", "run_eval_ray",
    "SampleOutcome", "paper_rows", "paper_scores", "score_sample", "select_instances", "shared_samples", "solve_sample",
    "two_proportion_p", "wilson", "write_report", "markdown_summary",
]
