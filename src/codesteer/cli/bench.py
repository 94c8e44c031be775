"""``codesteer bench``: list, generate, verify and export SymBench instances."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from codesteer import symbench
from codesteer._terminal import visible
from codesteer.cli._app import app, console

bench = typer.Typer(help="SymBench: list tasks, generate instances, verify replies, export data sets.", no_args_is_help=True)
app.add_typer(bench, name="bench")


@bench.command("list")
def list_tasks(json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the SymBench tasks with their split and knobs."""
    infos = symbench.tasks()
    if json_out:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
        return
    table = Table(title=f"SymBench: {len(infos)} tasks ({sum(i.seen for i in infos)} seen)")
    table.add_column("task", style="bold")
    table.add_column("title")
    table.add_column("split")
    table.add_column("knobs (default, range)")
    for i in infos:
        knobs = "; ".join(f"{k}={v.default} ({v.range_text()})" for k, v in i.knobs.items())
        table.add_row(i.name, i.title, "seen" if i.seen else "unseen", knobs)
    console.print(table)


def parse_knobs(pairs: list[str] | None) -> dict[str, str]:
    """``k=v`` strings to a dict; the task's knob types coerce the values."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--knob expects NAME=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


@bench.command("generate")
def generate_cmd(
    task: Annotated[str, typer.Argument(help="Task name (see `codesteer bench list`).")],
    n: Annotated[int, typer.Option("-n", "--n", help="How many instances.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same instances.")] = 0,
    complexity: Annotated[int | None, typer.Option("--complexity", help="1..5; omitted spreads over 1..5.")] = None,
    knob: Annotated[list[str] | None, typer.Option("--knob", help="Override a knob: NAME=VALUE (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="JSONL file; stdout if omitted.")] = None,
) -> None:
    """Generate instances of one task as JSONL."""
    insts = symbench.generate(task, n, seed=seed, complexity=complexity, **parse_knobs(knob))
    if out is None:
        for inst in insts:
            sys.stdout.write(inst.to_json() + "\n")
        return
    count = symbench.write_jsonl(insts, out)
    console.print(f"wrote {count} {task} instances to {out}")


@bench.command("verify")
def verify_cmd(
    instances: Annotated[Path, typer.Argument(help="Instances JSONL (from `bench generate`).")],
    responses: Annotated[Path, typer.Argument(help='Replies JSONL: {"id": ..., "response": ...} per line.')],
    json_out: Annotated[bool, typer.Option("--json", help="Print per-instance verdicts as JSON lines.")] = False,
) -> None:
    """Score replies against instances; prints accuracy and counts per reason."""
    insts = symbench.read_jsonl(instances)
    replies = symbench.read_responses(responses)
    kinds: Counter[str] = Counter()
    correct = 0
    score = 0.0
    for inst in insts:
        v = symbench.verify(inst, replies.get(inst.id, ""))
        kinds[v.kind if inst.id in replies else "missing reply"] += 1
        correct += v.correct
        score += v.score
        if json_out:
            print(json.dumps({"id": inst.id, **v.to_dict()}))
    total = len(insts)
    if json_out:
        return
    console.print(f"accuracy: {correct}/{total} = {correct / max(total, 1):.1%}   mean score: {score / max(total, 1):.3f}")
    for kind, count in kinds.most_common():
        console.print(f"  {visible(kind)}: {count}")


@bench.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl (one file per task) or hf (datasets.save_to_disk).")] = "jsonl",
    tasks: Annotated[str, typer.Option("--tasks", help="all, seen, unseen or a comma list.")] = "all",
    n: Annotated[int, typer.Option("-n", "--n", help="Instances per task.")] = 100,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Generate a whole SymBench split and export it."""
    path = symbench.export(out, task_spec=tasks, n=n, seed=seed, fmt=fmt)
    console.print(f"exported {n} instances per task ({tasks}) as {fmt} to {path}")


@bench.command("load")
def load_cmd(
    path: Annotated[Path, typer.Argument(help="Folder of the paper's published data (dataset_gather/ layout).")],
    tasks: Annotated[str, typer.Option("--tasks", help="all, seen, unseen or a comma list.")] = "all",
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per task.")] = False,
) -> None:
    """Read the published instances and show, per task, how many load and why the others are skipped."""
    stats = symbench.reference_summary(path, symbench.select_tasks(tasks))
    if json_out:
        for s in stats:
            print(json.dumps({"task": s.task, "loaded": s.loaded, "skipped": len(s.skipped),
                              "reasons": dict(s.reasons())}))
        return
    table = Table(title=f"published instances under {visible(path)}")
    for col in ("task", "loaded", "skipped", "why skipped"):
        table.add_column(col, justify="right" if col in ("loaded", "skipped") else "left")
    for s in stats:
        table.add_row(s.task, str(s.loaded), str(len(s.skipped)) if s.skipped else "", visible(s.summary()))
    console.print(table)
    console.print(f"{sum(s.loaded for s in stats)} loaded, {sum(len(s.skipped) for s in stats)} skipped")
