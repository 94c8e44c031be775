"""``codesteer synth sft|dpo`` and ``codesteer train sft|dpo|configs``: turn a guide's runs into your own guide."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from codesteer._terminal import visible
from codesteer.cli._app import app, console, progress_printer
from codesteer.cli._guide_opts import (
    GuideMaxTokensOpt,
    GuideProtocolOpt,
    GuideTemplateOpt,
    GuideTopKOpt,
    GuideTopPOpt,
    ReferencePromptsOpt,
)
from codesteer.errors import CodesteerError

DEFAULT_TASK_MODEL = "embedded/default"

synth_app = typer.Typer(help="Synthesise guide training data by running the CodeSteer loop.", no_args_is_help=True)
train_app = typer.Typer(help="Train a guide with TRL (SFT, then DPO) from synthesised data.", no_args_is_help=True)
app.add_typer(synth_app, name="synth")
app.add_typer(train_app, name="train")

# --- shared options -------------------------------------------------------------------------------------------
Out = Annotated[Path, typer.Option("--out", help="Output folder; re-running resumes and re-exports.")]
Manifest = Annotated[Path | None, typer.Option("--manifest", help="Instances JSONL (instead of --tasks/--n/--seed).")]
Tasks = Annotated[str, typer.Option("--tasks", help="seen (default), unseen, all or a comma list.")]
N = Annotated[int, typer.Option("-n", "--n", help="Instances per task.")]
Seed = Annotated[int, typer.Option("--seed", help="Instance seed (evaluation uses 0 by default; keep them apart).")]
GuideModel = Annotated[str, typer.Option("--guide-model", help="Guide model spec (a strong API model, typically).")]
TaskModel = Annotated[str, typer.Option("--task-model", help="Task model spec.")]
CheckerModel = Annotated[str | None, typer.Option("--checker-model", help="Self-check model (default: the task model).")]
GuideTemp = Annotated[float, typer.Option("--guide-temperature", help="Guide sampling temperature.")]
GuideView = Annotated[str, typer.Option("--guide-view", help="View the synthesising guide reads: full or compact.")]
MaxRounds = Annotated[int, typer.Option("--max-rounds", help="Guide rounds after the first answer.")]
Exclude = Annotated[Path | None, typer.Option("--exclude-manifest", help="Evaluation manifest that must not overlap.")]
DropOverlap = Annotated[bool, typer.Option("--drop-overlap", help="Leave overlapping instances out instead of failing.")]
Concurrency = Annotated[int, typer.Option("--concurrency", help="Samples in flight.")]


def _guide_flags(protocol: str, prompts: str | None, top_p: float | None, top_k: int | None, max_tokens: int | None,
                 template: str) -> dict[str, Any]:
    """The guide-protocol options of a synth command, checked (and the reference's prompts read) up front."""
    from codesteer.steer import SteerOptions, protocol_for, reference_prompts_for

    prompts = reference_prompts_for(protocol, prompts)
    flags: dict[str, Any] = {"guide_protocol": protocol, "reference_prompts": prompts, "guide_top_p": top_p, "guide_top_k": top_k,
             "guide_max_tokens": max_tokens, "guide_template": template}
    protocol_for(SteerOptions(**{k: v for k, v in flags.items() if k != "guide_max_tokens"}))
    return flags


def _instances(manifest: Path | None, tasks: str, n: int, seed: int, exclude: Path | None, drop: bool) -> tuple[list, dict]:
    from codesteer.eval import create_manifest, read_manifest
    from codesteer.synth import check_disjoint

    insts = read_manifest(manifest) if manifest else create_manifest(tasks, n, seed)
    kept, report = check_disjoint(insts, exclude, drop=drop)
    if report["dropped"]:
        console.print(f"left out {report['dropped']} instance(s) that overlap {exclude}")
    if not kept:
        raise ValueError("no instances left to synthesise from")
    return kept, {"manifest": str(manifest.resolve()) if manifest else None, "tasks": tasks, "n": n, "seed": seed,
                  "disjointness": report}


def _record_manifest(out: Path, insts: list, meta: dict) -> dict:
    """Keep the exact instances this synthesis used beside its data, and say so in its stored config: a data set
    can then be traced to (and checked for overlap with) an evaluation manifest long after the input file is gone."""
    import hashlib

    from codesteer.symbench import write_jsonl

    out.mkdir(parents=True, exist_ok=True)
    used = out / "manifest.jsonl"
    write_jsonl(insts, used)
    digest = hashlib.sha256(used.read_bytes()).hexdigest()
    return {**meta, "manifest_used": str(used.resolve()), "manifest_sha256": digest, "instances": len(insts)}


def _models(guide: str, task: str, checker: str | None) -> Any:
    from codesteer.models import get_model
    from codesteer.steer import Models

    return Models(task=get_model(task), guide=get_model(guide), checker=get_model(checker) if checker else None)


def _status(prefix: str):
    return progress_printer(lambda p: f"{prefix}: {p.finished}/{p.total} ({p.skipped} already done, {p.errors} errors)")


@synth_app.command("sft")
def synth_sft(
    out: Out,
    guide_model: GuideModel,
    task_model: TaskModel = DEFAULT_TASK_MODEL,
    checker_model: CheckerModel = None,
    manifest: Manifest = None,
    tasks: Tasks = "seen",
    n: N = 5,
    seed: Seed = 1000,
    guide_temperature: GuideTemp = 1.0,
    guide_view: GuideView = "full",
    guide_protocol: GuideProtocolOpt = "codesteer",
    reference_prompts: ReferencePromptsOpt = None,
    guide_top_p: GuideTopPOpt = None,
    guide_top_k: GuideTopKOpt = None,
    guide_max_tokens: GuideMaxTokensOpt = None,
    guide_template: GuideTemplateOpt = "auto",
    max_rounds: MaxRounds = 5,
    attempts: Annotated[int, typer.Option("--attempts", help="Trajectories sampled per instance.")] = 1,
    max_turns: Annotated[int | None, typer.Option("--max-turns", help="Keep only solves that succeed within K answers.")] = None,
    paraphrase_model: Annotated[str | None, typer.Option("--paraphrase-model", help="Paraphrase turn-0 instructions with this model.")] = None,
    exclude_manifest: Exclude = None,
    drop_overlap: DropOverlap = False,
    concurrency: Concurrency = 4,
) -> None:
    """Run the loop, keep successful trajectories, export compact-view guide conversations (TRL + LLaMA-Factory)."""
    from codesteer.models import get_model
    from codesteer.sandbox import get_sandbox
    from codesteer.synth import SftSynthOptions, synthesize_sft

    flags = _guide_flags(guide_protocol, reference_prompts, guide_top_p, guide_top_k, guide_max_tokens, guide_template)
    opts = SftSynthOptions(guide_temperature=guide_temperature, guide_view=guide_view, max_rounds=max_rounds,
                           attempts=attempts, max_turns=max_turns, concurrency=concurrency, **flags)
    insts, meta = _instances(manifest, tasks, n, seed, exclude_manifest, drop_overlap)
    meta = _record_manifest(out, insts, meta)
    with get_sandbox("local") as sandbox:  # before any model loads torch: the zygote forks a clean process
        models = _models(guide_model, task_model, checker_model)
        para = get_model(paraphrase_model) if paraphrase_model else None
        prog = asyncio.run(synthesize_sft(insts, models, sandbox, out, opts, paraphraser=para, meta=meta,
                                          on_update=_status("samples")))
    console.print()
    console.print(f"{prog.done} new samples ({prog.correct} correct), {prog.skipped} already done, {prog.errors} errors"
                  + (f" (last: {visible(prog.last_error)})" if prog.errors else ""), highlight=False)
    over = f", {prog.over_budget} over the guide's context budget left out" if prog.over_budget else ""
    console.print(f"{prog.records} SFT conversations ({prog.duplicates} duplicates dropped{over}) -> "
                  + ", ".join(prog.files.values()), highlight=False)
    if prog.records == 0:
        within = f" within --max-turns {max_turns}" if max_turns else ""
        failed = f", {prog.errors} failed (last: {prog.last_error})" if prog.errors else ""
        raise CodesteerError(f"synth sft produced no examples: 0 correct trajectories{within} out of {prog.total} "
                             f"samples{failed}; try more samples (-n, --attempts) or a stronger task or guide model")


@synth_app.command("dpo")
def synth_dpo(
    out: Out,
    guide_model: GuideModel,
    task_model: TaskModel = DEFAULT_TASK_MODEL,
    checker_model: CheckerModel = None,
    manifest: Manifest = None,
    tasks: Tasks = "seen",
    n: N = 5,
    seed: Seed = 2000,
    guide_temperature: GuideTemp = 1.0,
    guide_view: GuideView = "full",
    guide_protocol: GuideProtocolOpt = "codesteer",
    reference_prompts: ReferencePromptsOpt = None,
    guide_top_p: GuideTopPOpt = None,
    guide_top_k: GuideTopKOpt = None,
    guide_max_tokens: GuideMaxTokensOpt = None,
    guide_template: GuideTemplateOpt = "auto",
    max_rounds: MaxRounds = 5,
    branches: Annotated[int, typer.Option("--branches", "-k", help="Alternative guidances sampled per branched turn.")] = 2,
    depth: Annotated[int, typer.Option("--depth", help="How many guide turns branch.")] = 3,
    branch_from: Annotated[int, typer.Option("--branch-from", help="First guide turn that branches (0 = the code/text choice).")] = 0,
    max_calls: Annotated[int, typer.Option("--max-calls", help="Model calls per tree after which no new branch opens.")] = 300,
    pairs: Annotated[str, typer.Option("--pairs", help="all (every differing sibling pair) or best_worst.")] = "all",
    exclude_manifest: Exclude = None,
    drop_overlap: DropOverlap = False,
    concurrency: Concurrency = 2,
) -> None:
    """Grow a scored guidance tree per instance (15 − i / −i, means) and export sibling preference pairs."""
    from codesteer.sandbox import get_sandbox
    from codesteer.synth import DpoSynthOptions, synthesize_dpo

    flags = _guide_flags(guide_protocol, reference_prompts, guide_top_p, guide_top_k, guide_max_tokens, guide_template)
    opts = DpoSynthOptions(branches=branches, depth=depth, branch_from=branch_from, max_calls=max_calls,
                           guide_temperature=guide_temperature, guide_view=guide_view, max_rounds=max_rounds,
                           pairs=pairs, concurrency=concurrency, **flags)
    insts, meta = _instances(manifest, tasks, n, seed, exclude_manifest, drop_overlap)
    meta = _record_manifest(out, insts, meta)
    with get_sandbox("local") as sandbox:
        models = _models(guide_model, task_model, checker_model)
        prog = asyncio.run(synthesize_dpo(insts, models, sandbox, out, opts, meta=meta, on_update=_status("trees")))
    console.print()
    console.print(f"{prog.done} new trees ({prog.calls} model calls), {prog.skipped} already done, {prog.errors} errors"
                  + (f" (last: {visible(prog.last_error)})" if prog.errors else ""), highlight=False)
    over = f" ({prog.over_budget} over the guide's context budget left out)" if prog.over_budget else ""
    console.print(f"{prog.pairs} preference pairs from {prog.trees} trees{over} -> " + ", ".join(prog.files.values()),
                  highlight=False)
    if prog.pairs == 0:
        failed = f", {prog.errors} failed (last: {prog.last_error})" if prog.errors else ""
        raise CodesteerError(f"synth dpo produced no examples: 0 preference pairs from {prog.trees} trees{failed} "
                             "(no two sibling guidances scored differently); try more instances, more --branches, "
                             "a higher --guide-temperature or a stronger task model")


# --- training -------------------------------------------------------------------------------------------------
Base = Annotated[str, typer.Option("--base", help="Local transformers checkpoint folder, or embedded/<name>, to start from.")]
Data = Annotated[Path, typer.Option("--data", help="Folder written by `codesteer synth` (or the .jsonl file).")]
TrainOut = Annotated[Path, typer.Option("--out", help="Folder for the trained checkpoint.")]


def _train_options(**kw: Any) -> Any:
    from codesteer.train import TrainOptions

    extra = kw.pop("extra")
    kw["extra"] = json.loads(extra) if extra else {}
    if not isinstance(kw["extra"], dict):
        raise ValueError("--trainer-args must be a JSON object")
    return TrainOptions(**kw)


def _report(result: Any) -> None:
    if result.losses:
        loss = f"loss {result.losses[0]:.4f} -> {result.losses[-1]:.4f}"
    else:
        loss = f"mean loss {result.train_loss:.4f}" if result.train_loss is not None else "no loss logged"
    console.print(f"{result.stage}: {result.steps} steps on {result.examples} examples"
                  + (f" ({result.dropped} too long, dropped)" if result.dropped else "")
                  + f", {loss}, {result.tokens_per_s:.0f} tokens/s, {result.wall_s:.1f}s", highlight=False)
    path = Path(result.out_dir).resolve()
    console.print(f"guide checkpoint: {path}  (use it as --guide-model hf/{path})", highlight=False)


def _train_cmd(stage: str):
    def command(
        base: Base,
        data: Data,
        out: TrainOut,
        lora: Annotated[bool, typer.Option("--lora/--full", help="LoRA adapters (merged into the saved model) or full fine-tuning.")] = False,
        epochs: Annotated[float | None, typer.Option("--epochs", help="Default: 10 (SFT) / 6 (DPO).")] = None,
        lr: Annotated[float | None, typer.Option("--lr", help="Default: 1e-5 (SFT) / 5e-6 (DPO).")] = None,
        batch_size: Annotated[int, typer.Option("--batch-size", help="Per device.")] = 4,
        grad_accum: Annotated[int, typer.Option("--grad-accum")] = 1,
        max_steps: Annotated[int, typer.Option("--max-steps", help="Stop after N optimizer steps (-1: epochs decide).")] = -1,
        max_length: Annotated[int, typer.Option("--max-length", help="Tokens per conversation / pair.")] = 8192,
        beta: Annotated[float, typer.Option("--beta", help="DPO beta (sigmoid loss).")] = 0.1,
        lora_r: Annotated[int, typer.Option("--lora-r")] = 16,
        bf16: Annotated[bool | None, typer.Option("--bf16/--fp32", help="Default: bf16 on CUDA, fp32 on the CPU.")] = None,
        gradient_checkpointing: Annotated[bool, typer.Option("--gradient-checkpointing")] = False,
        logging_steps: Annotated[int, typer.Option("--logging-steps")] = 10,
        save_steps: Annotated[int | None, typer.Option("--save-steps", help="Keep intermediate checkpoints every N steps.")] = None,
        seed: Annotated[int, typer.Option("--seed")] = 0,
        deepspeed: Annotated[str | None, typer.Option("--deepspeed", help="DeepSpeed JSON (see `codesteer train configs`).")] = None,
        trainer_args: Annotated[str | None, typer.Option("--trainer-args", help="JSON object of extra SFTConfig/DPOConfig fields.")] = None,
    ) -> None:
        from codesteer.train import train_dpo, train_sft

        if stage == "sft" and beta != 0.1:
            raise ValueError("--beta applies to `train dpo` only")
        opts = _train_options(epochs=epochs, learning_rate=lr, batch_size=batch_size, grad_accum=grad_accum,
                              max_steps=max_steps, max_length=max_length, beta=beta, lora=lora, lora_r=lora_r,
                              lora_alpha=2 * lora_r, bf16=bf16, gradient_checkpointing=gradient_checkpointing,
                              logging_steps=logging_steps, save_steps=save_steps, seed=seed, deepspeed=deepspeed,
                              extra=trainer_args)
        fn = train_sft if stage == "sft" else train_dpo
        _report(fn(base, data, out, opts))

    command.__doc__ = ("Multi-turn SFT of a guide: loss on the guide's turns only (paper defaults for an 8B base)."
                       if stage == "sft" else
                       "DPO of a guide from its SFT checkpoint on sibling-guidance pairs (sigmoid, beta 0.1).")
    return command


train_app.command("sft")(_train_cmd("sft"))
train_app.command("dpo")(_train_cmd("dpo"))


@train_app.command("configs")
def train_configs(
    path: Annotated[str | None, typer.Option("--path", help="Print only the path of this shipped config.")] = None,
) -> None:
    """List the shipped accelerate (DeepSpeed ZeRO-3, FSDP) and DeepSpeed configs for `accelerate launch`."""
    from codesteer.train import config_path, shipped_configs

    if path:
        print(config_path(path))
        return
    for p in shipped_configs():
        console.print(str(p), highlight=False)
    console.print("use: accelerate launch --config_file <yaml> -m codesteer.cli train sft --base ... --data ... --out ...",
                  highlight=False)
