"""``codesteer manifest|run|results|compare|report``: evaluation from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import sys
import threading
import warnings
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from codesteer._terminal import visible
from codesteer.cli._app import app, command_line, console, err_console, progress_printer
from codesteer.cli._guide_opts import (
    GuideProtocolOpt,
    GuideTemperatureOpt,
    GuideTemplateOpt,
    GuideTopKOpt,
    GuideTopPOpt,
    GuideViewOpt,
    ReferencePromptsOpt,
)
from codesteer.cli._models import (
    MaxConnections,
    MaxRetries,
    ModelArgs,
    TaskTemperature,
    Timeout,
    model_options,
)
from codesteer.errors import CodesteerError, did_you_mean

DEFAULT_TASKS = "number_multiply,letters,game24"
DEFAULT_METHODS = "only_question,codesteer"
DEFAULT_MODEL = "embedded/default"

manifest_app = typer.Typer(help="Seeded instance lists shared by every method and model of a run.", no_args_is_help=True)
app.add_typer(manifest_app, name="manifest")


def _levels(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"--complexity expects levels like 1,3,5, got {text!r}") from None


@manifest_app.command("create")
def manifest_create(
    out: Annotated[Path, typer.Option("-o", "--out", help="Manifest file (JSONL).")],
    tasks: Annotated[str, typer.Option("--tasks", help="all, seen, unseen or a comma list.")] = "all",
    n: Annotated[int, typer.Option("-n", "--n", help="Instances per task.")] = 5,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    complexity: Annotated[str | None, typer.Option("--complexity", help="Levels to spread over, e.g. 1,3,5.")] = None,
    reference: Annotated[Path | None, typer.Option("--reference", help="Use the paper's published instances from this folder.")] = None,
) -> None:
    """Write the exact instance list of an evaluation."""
    from codesteer.eval import create_manifest
    from codesteer.symbench import write_jsonl

    insts = create_manifest(tasks, n, seed, complexity=_levels(complexity), reference=reference)
    count = write_jsonl(insts, out)
    console.print(f"wrote {count} instances ({len({i.task for i in insts})} tasks) to {visible(out)}")


@app.command("run")
def run_cmd(
    out: Annotated[Path, typer.Option("--out", help="Run folder (results.sqlite, report.html). Re-running resumes.")] = Path("runs/default"),
    manifest: Annotated[Path | None, typer.Option("--manifest", help="Instances JSONL from `codesteer manifest create`.")] = None,
    tasks: Annotated[str, typer.Option("--tasks", help="Without --manifest: all, seen, unseen or a comma list.")] = DEFAULT_TASKS,
    n: Annotated[int, typer.Option("-n", "--n", help="Without --manifest: instances per task.")] = 1,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    methods: Annotated[str, typer.Option("--methods", help="Comma list of methods (see `codesteer methods`).")] = DEFAULT_METHODS,
    task_model: Annotated[str, typer.Option("--task-model", help="Task model spec.")] = DEFAULT_MODEL,
    guide_model: Annotated[str | None, typer.Option("--guide-model", help="Guide model spec (default: the task model).")] = None,
    checker_model: Annotated[str | None, typer.Option("--checker-model", help="Self-check model (default: the task model).")] = None,
    max_rounds: Annotated[int | None, typer.Option("--max-rounds", help="CodeSteer rounds after the first answer (default 5; embedded models: their own, see `codesteer models`).")] = None,
    task_max_tokens: Annotated[int | None, typer.Option("--task-max-tokens", help="Reply cap of task and checker calls (default 2000; embedded models: their own, see `codesteer models`).")] = None,
    guide_max_tokens: Annotated[int | None, typer.Option("--guide-max-tokens", help="Reply cap of guide calls (default 1024; embedded models: their own, see `codesteer models`).")] = None,
    guide_protocol: GuideProtocolOpt = "codesteer",
    guide_view: GuideViewOpt = None,
    reference_prompts: ReferencePromptsOpt = None,
    guide_temperature: GuideTemperatureOpt = None,
    guide_top_p: GuideTopPOpt = None,
    guide_top_k: GuideTopKOpt = None,
    guide_template: GuideTemplateOpt = "auto",
    concurrency: Annotated[int, typer.Option("--concurrency", help="Samples in flight.")] = 4,
    executor: Annotated[str, typer.Option("--executor", help="local (asyncio) or ray.")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="With --executor ray: cluster to join ('auto', 'ray://host:10001'); default starts a local Ray instance.")] = None,
    ray_workers: Annotated[int | None, typer.Option("--ray-workers", help="With --executor ray: actors to start, each with its own models (default: min(concurrency, cluster CPUs)).")] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html at the end.")] = True,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N instances of each task of the manifest.")] = None,
    sample_id: Annotated[str | None, typer.Option("--sample-id", help="Only these instance ids (comma list).")] = None,
    task_temperature: TaskTemperature = 0.0,
    timeout: Timeout = None,
    max_retries: MaxRetries = None,
    max_connections: MaxConnections = None,
    model_arg: ModelArgs = None,
) -> None:
    """Evaluate methods on a manifest with one model configuration; resumable."""
    from codesteer.eval import (
        RunConfig,
        RunStore,
        check_executor,
        create_manifest,
        evaluate,
        read_manifest,
        select_instances,
    )
    from codesteer.methods import get_method

    check_executor(executor, ray_address, ray_workers)
    method_names = [m.strip() for m in methods.split(",") if m.strip()]
    for m in method_names:
        get_method(m)
    instances = read_manifest(manifest) if manifest else create_manifest(tasks, n, seed)
    ids = [x.strip() for x in sample_id.split(",") if x.strip()] if sample_id else None
    instances = select_instances(instances, limit=limit, ids=ids)
    options = model_options({"task": task_model, "guide": guide_model, "checker": checker_model}, timeout=timeout,
                            max_retries=max_retries, max_connections=max_connections, model_args=model_arg)
    config = RunConfig.for_models(
        task_model, guide_model, checker_model, concurrency=concurrency, max_rounds=max_rounds,
        task_max_tokens=task_max_tokens, guide_max_tokens=guide_max_tokens, task_temperature=task_temperature,
        model_options=options, guide_protocol=guide_protocol, guide_view=guide_view,
        reference_prompts=reference_prompts, guide_temperature=guide_temperature, guide_top_p=guide_top_p,
        guide_top_k=guide_top_k, guide_template=guide_template)
    meta = {"manifest": str(manifest) if manifest else None, **({"limit": limit} if limit else {}),
            **({"sample_ids": ids} if ids else {})}
    total = len(instances) * len(method_names)
    live: list = []  # the run's live counters, for the message when it is interrupted

    @contextlib.contextmanager
    def display(total: int):
        with _progress(total) as update:
            def track(p) -> None:
                live[:] = [p]
                update(p)

            yield track

    with library_warnings(out / "warnings.log") as noted:
        try:
            prog = evaluate(config, instances, method_names, out, executor=executor, ray_address=ray_address,
                            ray_workers=ray_workers, meta=meta, progress=display)
        except KeyboardInterrupt:
            # the samples in flight were cancelled; each finished one was committed in its own transaction
            _interrupted(out, live[0] if live else None, total, report)
        console.print(f"done: {prog.done} new, {prog.skipped} already finished, {prog.errors} errors"
                      + (f" (last: {visible(prog.last_error)})" if prog.errors else ""))
        if noted[0]:
            console.print(f"{noted[0]} warning(s) from libraries written to {visible(out / 'warnings.log')}", highlight=False)
        with RunStore(out, create=False) as store:
            _print_summary(store)
    if report:
        from codesteer.eval import write_report

        html, md = write_report(out)
        console.print(f"report: {visible(html)}  (summary: {visible(md)}; numbers: {visible(html.parent / 'results.json')})")


def _interrupted(out: Path, prog, total: int, report: bool) -> NoReturn:
    """After Ctrl-C: say what finished and how to resume, report what finished, exit 130."""
    finished = prog.skipped + prog.done if prog is not None else 0
    console.print()
    err_console.print(f"interrupted: {finished} of {total} samples finished; resume with: {visible(command_line())}",
                      highlight=False)
    if report and finished:
        from codesteer.eval import write_report

        html, _ = write_report(out)
        err_console.print(f"report of what finished: {visible(html)}", highlight=False)
    raise typer.Exit(130)


@contextlib.contextmanager
def library_warnings(log: Path):
    """Send Python warnings (transformers' and torch's deprecation notices, ...) to ``log`` instead of the
    display, once per source line; yields a one-item list with how many were written."""
    count = [0]

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        count[0] += 1
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as fh:
            fh.write(warnings.formatwarning(message, category, filename, lineno, line))

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # its logger writes straight to stderr otherwise
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield count


HEARTBEAT_S = 5.0  # how often a log is offered a line; ``progress_printer`` writes at most one per 30 s


def _describe(p) -> str:
    per = " ".join(f"{m}: {c}/{d} correct" for m, (d, c) in p.per_method.items())
    tasks = f"tasks {p.tasks_complete}/{len(p.per_task)}" + (f" (last: {p.last_task})" if p.last_task else "")
    parts = [per, tasks, _live(p), f"${p.cost:.4f}"] + ([f"{p.errors} errors"] if p.errors else [])
    return " · ".join(x for x in parts if x)  # no empty field before the first sample finishes


def _live(p) -> str:
    """What moves while no sample finishes: samples in flight, calls waiting for an answer, tokens so far."""
    from codesteer.models import waiting_calls

    waiting = waiting_calls()
    calls = f"{p.calls_active} calls open" + (f" ({waiting} waiting for a connection)" if waiting else "")
    return f"{p.in_flight} in flight · {calls} · {max(p.live_tokens, p.tokens)} tok"


@contextlib.contextmanager
def _heartbeat(update, every_s: float | None = None):
    """Offer ``update`` the latest counters every ``every_s`` seconds as well as on each finished sample, so a
    log shows a long run alive while its samples are still in flight."""
    latest: list = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(every_s):
            if latest:
                update(latest[-1])

    every_s = HEARTBEAT_S if every_s is None else every_s
    thread = threading.Thread(target=tick, name="progress-heartbeat", daemon=True)
    thread.start()

    def offer(p) -> None:
        latest[:] = [p]
        update(p)

    try:
        yield offer
    finally:
        stop.set()
        thread.join()


class _Bar(Progress):
    """Task rows, then one line of live counts under them (a line of its own, so rows keep to 80 columns)."""

    status_line = ""

    def get_renderables(self):
        from rich.text import Text

        yield self.make_tasks_table(self.tasks)
        if self.status_line:
            yield Text(self.status_line, no_wrap=True, overflow="ellipsis")


def progress_bar(out_console) -> _Bar:
    """Rows that fit 80 columns: the run (done/total, elapsed, time left) and one row per method."""
    from rich.progress import TimeRemainingColumn
    from rich.table import Column

    return _Bar(TextColumn("{task.description}", table_column=Column(max_width=22, no_wrap=True, overflow="ellipsis")),
                BarColumn(bar_width=14), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[info]}", table_column=Column(max_width=13, no_wrap=True, overflow="ellipsis")),
                console=out_console, transient=False)


@contextlib.contextmanager
def _progress(total: int):
    """A live bar on a terminal; in a log, the plain lines of ``progress_printer`` with a heartbeat."""
    if not console.is_terminal:
        with _heartbeat(progress_printer(lambda p: f"samples {p.finished}/{p.total} · " + _describe(p))) as offer:
            yield offer
        return
    with progress_bar(console) as bar:
        tid = bar.add_task("[bold]samples", total=total, info="")
        rows: dict[str, TaskID] = {}

        def update(p) -> None:
            bar.status_line = visible(_live(p) + (f" · {p.errors} errors" if p.errors else ""), markup=False)
            bar.update(tid, completed=p.finished, info="")
            for m, (finished, n) in p.method_progress.items():
                if m not in rows:
                    rows[m] = bar.add_task(m, total=n, info="")
                correct = p.per_method.get(m, [0, 0])[1]
                bar.update(rows[m], completed=finished, info=f"{correct} correct")

        with _heartbeat(update, every_s=1.0) as offer:
            yield offer


# the averages the HTML report shows, with the same labels
AVERAGE_LABELS = (("norm_seen", "Ave. Norm. seen"), ("norm_unseen", "Ave. Norm. unseen"),
                  ("norm_total", "Ave. Norm. total"), ("raw_total", "raw average (total)"))


def _print_summary(store) -> None:
    from codesteer.eval import compute_scores
    from codesteer.symbench import tasks as all_tasks

    seen = {t.name: t.seen for t in all_tasks()}
    s = compute_scores(store.rows(), seen)
    table = Table(title="success rate (%)")
    table.add_column("task")
    for m in s.methods:
        table.add_column(visible(m), justify="right")
    rates = s.rate_table()
    for t in s.tasks:
        best = max(rates[m].get(t, 0) for m in s.methods)
        table.add_row(visible(t), *[("[bold green]" if rates[m].get(t, 0) == best and best > 0 else "") + f"{rates[m].get(t, 0):.0f}"
                           for m in s.methods])
    avg = s.averages()
    for key, label in AVERAGE_LABELS:
        if any(key in avg[m] for m in s.methods):
            table.add_row(f"[bold]{label}", *[f"{avg[m].get(key, 0):.1f}" for m in s.methods])
    console.print(table)
    console.print("Ave. Norm.: each task's rate divided by the best method's rate on it, then averaged "
                  "(the paper's normalisation); raw: the plain mean of the rates.", highlight=False)


@app.command("results")
def results_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run folder.")],
    fmt: Annotated[str, typer.Option("--format", help="json (JSON lines) or csv.")] = "json",
    trajectories: Annotated[bool, typer.Option("--trajectories", help="JSON lines with each sample's whole trajectory (every model call, execution and check).")] = False,
) -> None:
    """Dump one record per (instance, method, model configuration), failed samples included (status, error)."""
    from codesteer.eval import RunStore

    if fmt not in ("json", "csv"):
        raise ValueError(f"unknown format {fmt!r}{did_you_mean(fmt, ('json', 'csv'))}; valid: json, csv")
    if trajectories and fmt != "json":
        raise ValueError("--trajectories writes JSON lines; leave out --format csv")
    with RunStore(run_dir, create=False) as store:
        _warn_mixed(store)
        records = list(store.records(trajectories=trajectories))
    if fmt == "json":
        for rec in records:
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return
    fields = ["instance_id", "task", "complexity", "method", "task_model", "guide_model", "status", "correct", "score",
              "reason", "verdict", "error", "turns", "tokens", "cost", "wall_s"]
    w = csv.DictWriter(sys.stdout, fieldnames=fields)
    w.writeheader()
    for rec in records:
        w.writerow({**rec, "tokens": json.dumps(rec["tokens"]), "verdict": json.dumps(rec["verdict"])})


@app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="First run folder.")],
    run_b: Annotated[Path, typer.Argument(help="Second run folder.")],
) -> None:
    """Per-task differences of success rate between two runs, per method, with a two-proportion test."""
    from codesteer.eval import RunStore, compute_scores, shared_samples, two_proportion_p
    from codesteer.symbench import tasks as all_tasks

    seen = {t.name: t.seen for t in all_tasks()}
    with RunStore(run_a, create=False) as a, RunStore(run_b, create=False) as b:
        _warn_mixed(a)
        _warn_mixed(b)
        rows_a, rows_b, coverage = shared_samples(a.rows(), b.rows())
        sa, sb = compute_scores(rows_a, seen), compute_scores(rows_b, seen)
    if not rows_a:
        raise CodesteerError(f"{run_a} and {run_b} share no finished (instance, method) pair: compare needs runs on "
                             "the same manifest and methods")
    if coverage["a_samples"] != coverage["shared_samples"] or coverage["b_samples"] != coverage["shared_samples"]:
        console.print(f"coverage differs: A has {coverage['a_instances']} instances ({coverage['a_samples']} samples), "
                      f"B has {coverage['b_instances']} ({coverage['b_samples']}); comparing only the "
                      f"{coverage['shared_instances']} instances ({coverage['shared_samples']} samples) both finished",
                      highlight=False)
    table = Table(title=f"{visible(run_a)} → {visible(run_b)}")
    for col in ("method", "task", "A", "B", "Δ (pts)", "p"):
        table.add_column(col, justify="right" if col not in ("method", "task") else "left")
    for m in sorted(set(sa.methods) & set(sb.methods)):
        for t in sorted(set(sa.by_task[m]) | set(sb.by_task[m])):
            ca, cb = sa.by_task[m].get(t), sb.by_task[m].get(t)
            if ca is None or cb is None:
                continue
            p = two_proportion_p(ca.correct, ca.n, cb.correct, cb.n)
            d = (cb.rate - ca.rate) * 100
            mark = "[bold]" if p < 0.05 else ""
            table.add_row(visible(m), visible(t), f"{ca.correct}/{ca.n}", f"{cb.correct}/{cb.n}", f"{mark}{d:+.0f}", f"{mark}{p:.3f}")
    console.print(table)


@app.command("report")
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run folder.")],
    complete_only: Annotated[bool, typer.Option("--complete-only", help="Score only the instances every method has finished (a run stopped part-way).")] = False,
    scoring: Annotated[str, typer.Option("--scoring", help="strict (default) or paper: also score under the paper's conditions (two candidates, an extraction model) and show both.")] = "strict",
    extractor_model: Annotated[str | None, typer.Option("--extractor-model", help="With --scoring paper: the model that wraps a bare answer in <<<>>> (the paper used GPT-4o).")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="With --scoring paper: samples scored at once.")] = 4,
) -> None:
    """Write report.html (self-contained) and report.md for a run."""
    from codesteer.eval import RunStore, write_report

    if scoring not in ("strict", "paper"):
        raise ValueError(f"unknown scoring {scoring!r}{did_you_mean(scoring, ('strict', 'paper'))}; valid: strict, paper")
    if scoring == "paper":
        if not extractor_model:
            raise ValueError("--scoring paper needs --extractor-model SPEC")
        from codesteer.eval import paper_scores
        from codesteer.models import get_model
        from codesteer.sandbox import get_sandbox

        RunStore(run_dir, create=False).close()  # a missing run is one clear error before any model loads
        with get_sandbox("local") as sandbox:
            summary = asyncio.run(paper_scores(run_dir, get_model(extractor_model), sandbox, concurrency=concurrency))
        n, ok = len(summary["rows"]), sum(r["correct"] for r in summary["rows"].values())
        console.print(f"paper-conditions scoring: {ok}/{n} samples correct; extractor {int(summary['judge'].get('calls', 0))} "
                      f"calls ({int(summary['judge'].get('cached', 0))} cached)", highlight=False)

    with RunStore(run_dir, create=False) as store:
        _warn_mixed(store)
    html, md = write_report(run_dir, complete_only=complete_only)
    console.print(f"wrote {visible(html)}, {visible(md)} and {visible(html.parent / 'results.json')}")


def _warn_mixed(store) -> None:
    """One line for a folder an older codesteer filled with several configurations."""
    note = store.mixed_configs()
    if note:
        err_console.print(f"[yellow]warning:[/] {visible(note)}", highlight=False)
