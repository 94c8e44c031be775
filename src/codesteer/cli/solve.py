"""``codesteer solve``: run one method on one instance and show the trajectory."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.syntax import Syntax

from codesteer import symbench
from codesteer._terminal import visible
from codesteer.cli._app import app, console
from codesteer.cli._guide_opts import (
    GuideMaxTokensOpt,
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
from codesteer.cli.bench import parse_knobs

DEFAULT_MODEL = "embedded/default"


@app.command()
def solve(
    task: Annotated[str | None, typer.Argument(help="SymBench task name (not needed with --manifest/--id).")] = None,
    method: Annotated[str, typer.Option("--method", "-m", help="Method name (see `codesteer methods`).")] = "codesteer",
    task_model: Annotated[str, typer.Option("--task-model", help="Model spec of the task model.")] = DEFAULT_MODEL,
    guide_model: Annotated[str | None, typer.Option("--guide-model", help="Model spec of the guide (default: the task model).")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    complexity: Annotated[int, typer.Option("--complexity", help="1..5")] = 1,
    knob: Annotated[list[str] | None, typer.Option("--knob", help="NAME=VALUE (repeatable).")] = None,
    max_rounds: Annotated[int | None, typer.Option("--max-rounds", help="Default 5; embedded models: their own, see `codesteer models`.")] = None,
    guide_protocol: GuideProtocolOpt = "codesteer",
    guide_view: GuideViewOpt = None,
    reference_prompts: ReferencePromptsOpt = None,
    guide_temperature: GuideTemperatureOpt = None,
    guide_top_p: GuideTopPOpt = None,
    guide_top_k: GuideTopKOpt = None,
    guide_max_tokens: GuideMaxTokensOpt = None,
    guide_template: GuideTemplateOpt = "auto",
    json_out: Annotated[bool, typer.Option("--json", help="Print the trajectory as JSON.")] = False,
    manifest: Annotated[Path | None, typer.Option("--manifest", help="Replay an instance of this manifest (with --id).")] = None,
    instance_id: Annotated[str | None, typer.Option("--id", help="With --manifest: the instance id to solve.")] = None,
    task_temperature: TaskTemperature = 0.0,
    timeout: Timeout = None,
    max_retries: MaxRetries = None,
    max_connections: MaxConnections = None,
    model_arg: ModelArgs = None,
) -> None:
    """Generate one instance (or take one from a manifest), solve it with a method, verify and print the trajectory."""
    from codesteer.eval import RunConfig, build_models
    from codesteer.methods import get_method
    from codesteer.models import get_model
    from codesteer.sandbox import get_sandbox

    m = get_method(method)
    inst = _instance(task, manifest, instance_id, seed, complexity, knob)
    options = model_options({"task": task_model, "guide": guide_model}, timeout=timeout, max_retries=max_retries,
                            max_connections=max_connections, model_args=model_arg)
    config = RunConfig.for_models(task_model, guide_model, concurrency=1, max_rounds=max_rounds,
                                  guide_max_tokens=guide_max_tokens, task_temperature=task_temperature,
                                  model_options=options, guide_protocol=guide_protocol, guide_view=guide_view,
                                  reference_prompts=reference_prompts, guide_temperature=guide_temperature,
                                  guide_top_p=guide_top_p, guide_top_k=guide_top_k, guide_template=guide_template)
    models = build_models(config, get_model)
    with get_sandbox("local") as sandbox:
        traj = asyncio.run(m.solve(inst, models, sandbox, config.options()))
    verdict = symbench.verify(inst, traj.final_answer)
    if json_out:
        print(json.dumps({"instance": inst.to_dict(), "trajectory": traj.model_dump(), "verdict": verdict.to_dict()}))
        return
    print_trajectory(traj, verdict)


def _instance(task: str | None, manifest: Path | None, instance_id: str | None, seed: int, complexity: int,
              knob: list[str] | None) -> symbench.Instance:
    """The instance to solve: replayed from a run's manifest by id, or freshly generated."""
    if manifest is None:
        if instance_id is not None:
            raise ValueError("--id needs --manifest (the file the instance is in)")
        if task is None:
            raise ValueError("give a task name, or --manifest FILE --id ID to replay an instance of a run")
        return symbench.generate(task, 1, seed=seed, complexity=complexity, **parse_knobs(knob))[0]
    if instance_id is None:
        raise ValueError("--manifest needs --id (which instance to solve)")
    if knob:
        raise ValueError("--knob applies to generated instances, not to one replayed from --manifest")
    from codesteer.eval import read_manifest, select_instances

    inst = select_instances(read_manifest(manifest), ids=[instance_id])[0]
    if task is not None and task != inst.task:
        raise ValueError(f"instance {instance_id!r} is a {inst.task} instance, not {task}")
    return inst


def print_trajectory(traj, verdict) -> None:
    """Render a trajectory for a person: guide and task turns interleaved, code, output, checkers, verdict."""
    console.print(Panel(visible(traj.question), title=visible(f"{traj.task} · {traj.instance_id}"), border_style="cyan"))
    guides = {g.index: g for g in traj.guide_turns}
    for turn in traj.task_turns:
        g = guides.get(turn.index)
        if g is not None:
            console.print(Panel(visible(g.raw.strip() or "(empty)"), title=visible(f"guide turn {g.index}: {g.decision}"),
                                border_style="magenta"))
        console.print(Panel(visible(turn.reply.strip() or "(empty)"), title=f"task turn {turn.index}", border_style="blue"))
        if turn.execution is not None:
            ex = turn.execution
            console.print(Syntax(visible(ex.code, markup=False), "python", line_numbers=False))
            status = "timed out" if ex.timed_out else f"exit {ex.exit_code}"
            console.print(Panel(visible((ex.stdout or "(no output)")[-2000:] + (("\n[stderr]\n" + ex.stderr[-1000:]) if ex.stderr.strip() else "")),
                                title=f"execution · {status} · {ex.wall_ms:.0f} ms", border_style="green" if ex.ok else "red"))
        if turn.symbolic is not None:
            console.print(f"[dim]symbolic checker:[/] {visible(turn.symbolic.summary)}")
        if turn.selfcheck is not None:
            console.print(f"[dim]self-check:[/] {visible(turn.selfcheck.status)} {visible(turn.selfcheck.detail[:200])}")
    for g in traj.guide_turns:
        if g.index >= len(traj.task_turns):
            console.print(Panel(visible(g.raw.strip() or "(empty)"), title=visible(f"guide turn {g.index}: {g.decision}"),
                                border_style="magenta"))
    tokens = traj.total_tokens
    style = "bold green" if verdict.correct else "bold red"
    console.print(f"[{style}]{'CORRECT' if verdict.correct else 'WRONG'}[/] ({visible(verdict.reason)}) · stop: {traj.stop_reason} · "
                  f"{len(traj.task_turns)} task turn(s) · {tokens} tokens · {traj.wall_s:.1f} s")


@app.command("methods")
def list_methods() -> None:
    """List the solving methods."""
    from codesteer.methods import methods

    for m in methods():
        console.print(f"[bold]{m.name:24}[/] {m.title}: {m.description}")
