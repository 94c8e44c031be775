"""SFT data: run the loop with a (strong) guide, keep the solves that succeed, export the guide's conversations.

Trajectories are rows of a ``RunStore`` under the output folder, so an interrupted synthesis resumes where it
stopped; the exports are rewritten from the store at the end of every run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.errors import ParameterError
from codesteer.methods import get_method
from codesteer.models import ChatModel
from codesteer.runs import JobError, RunCounters, RunStore, result_key, run_jobs
from codesteer.sandbox import Sandbox
from codesteer.steer import (
    Models,
    SteerOptions,
    Trajectory,
    compact_conversation,
    prompt,
    protocol_of,
    view_over_budget,
)
from codesteer.symbench import Instance, Verdict, verify
from codesteer.synth._common import GuideSampling, dataset_info, digest, sharegpt, write_json, write_jsonl

SFT_METHOD = "synth_sft"


@dataclass(frozen=True)
class SftSynthOptions(GuideSampling):
    """How trajectories are sampled and which are kept.

    ``guide_temperature`` 1.0 follows the paper's synthesis with GPT-4o; ``attempts`` > 1 samples several
    trajectories per instance (distinct seeds); ``max_turns`` keeps only solves that succeed within that many
    task-model answers; ``guide_view`` is the view the *synthesising* guide reads (an API guide wants "full"),
    while the exported data is always the compact view a trained guide sees.
    """

    attempts: int = 1
    max_turns: int | None = None
    concurrency: int = 4
    seed: int = 0
    method: str = "codesteer"

    def __post_init__(self) -> None:
        for name, low in (("attempts", 1), ("max_turns", 1), ("guide_temperature", 0), ("concurrency", 1)):
            if getattr(self, name) is not None and getattr(self, name) < low:
                raise ParameterError(f"{{{name}}} must be >= {low}", name)

    def key(self) -> dict[str, Any]:
        """The sampling settings that identify a stored trajectory."""
        return self.sampling_key(guide_temperature=self.guide_temperature, guide_view=self.guide_view,
                                 max_rounds=self.max_rounds, seed=self.seed, method=self.method)


@dataclass
class SynthProgress(RunCounters):
    """Live counters of SFT synthesis for the progress display and the final summary."""

    correct: int = 0
    calls: int = 0
    files: dict[str, str] = field(default_factory=dict)
    records: int = 0
    duplicates: int = 0
    over_budget: int = 0


def _spec(model: ChatModel | None) -> str | None:
    return None if model is None else str(getattr(model, "spec", type(model).__name__))


def attempt_seed(base: int, instance_id: str, attempt: int) -> int:
    """A per-sample seed, so resampling an instance explores a different trajectory (and cache entry)."""
    return random.Random(f"{base}:{instance_id}:{attempt}").randrange(2**31)


async def paraphrase_choice(traj: Trajectory, model: ChatModel, seed: int) -> str | None:
    """A reworded turn-0 instruction (the paper diversified the first guide turn this way)."""
    if not traj.guide_turns or traj.guide_turns[0].decision not in ("code", "text"):
        return None
    template = prompt(f"{traj.guide_turns[0].decision}_template")
    c = await model.chat([{"role": "user", "content": prompt("paraphrase") + template}], temperature=0.7,
                         max_tokens=512, seed=seed)
    text = c.text.strip()
    if not text or "<<<" in text or ">>>" in text or len(text) > 4 * len(template):
        return None  # an unusable paraphrase is skipped, not trained on
    return text


async def synthesize_sft(
    instances: Sequence[Instance],
    models: Models,
    sandbox: Sandbox,
    out: str | Path,
    options: SftSynthOptions | None = None,
    *,
    paraphraser: ChatModel | None = None,
    meta: dict[str, Any] | None = None,
    on_update: Callable[[SynthProgress], None] | None = None,
) -> SynthProgress:
    """Solve every (instance, attempt) not yet in ``out``'s store, then export the SFT files from the store.

    A model error on one sample is stored as an error row (retried on the next run); when the very first
    samples all fail, the run stops with that error instead of filling the store with failures.
    """
    opts = options or SftSynthOptions()
    method = get_method(opts.method)
    outp = Path(out)
    prog = SynthProgress()
    with RunStore(outp) as store:
        store.add_instances(instances)
        cfg = {"task_model": _spec(models.task), "guide_model": _spec(models.guide),
               "checker_model": _spec(models.checker), "paraphraser": _spec(paraphraser), **opts.key()}
        store.set_meta("synth_sft", {**cfg, "attempts": opts.attempts, "max_turns": opts.max_turns, **(meta or {})})
        done = store.done_keys()
        todo = []
        for inst in instances:
            for a in range(opts.attempts):
                key = result_key(inst.id, SFT_METHOD, {**cfg, "attempt": a})
                if key in done:
                    prog.skipped += 1
                else:
                    todo.append((key, inst, a))
        prog.total = prog.skipped + len(todo)
        Work = tuple[str, Instance, int]

        async def solve(w: Work) -> tuple[Trajectory, Verdict, float]:
            _key, inst, attempt = w
            t0 = time.perf_counter()
            seed = attempt_seed(opts.seed, inst.id, attempt)
            traj = await method.solve(inst, models, sandbox, opts.steer_options(seed))
            verdict = verify(inst, traj.final_answer)
            if verdict.correct and paraphraser is not None:
                para = await paraphrase_choice(traj, paraphraser, seed)
                if para:
                    traj.extras["turn0_paraphrase"] = para
            return traj, verdict, time.perf_counter() - t0

        def record(w: Work, solved: tuple[Trajectory, Verdict, float]) -> None:
            key, inst, attempt = w
            traj, verdict, wall_s = solved
            traj.extras["attempt"] = attempt
            store.put(key, inst, SFT_METHOD, cfg["task_model"] or "", cfg["guide_model"], {**cfg, "attempt": attempt},
                      verdict=verdict.to_dict(), trajectory=traj.model_dump(mode="json"), tokens=traj.usage(),
                      cost=traj.cost_usd, wall_s=wall_s, turns=len(traj.task_turns))
            prog.correct += verdict.correct
            prog.calls += len(traj.calls)

        def record_error(w: Work, error: JobError) -> None:
            key, inst, attempt = w
            store.put(key, inst, SFT_METHOD, cfg["task_model"] or "", cfg["guide_model"], {**cfg, "attempt": attempt},
                      verdict=None, trajectory=None, tokens={}, cost=0.0, wall_s=error.wall_s, turns=0,
                      error=error.message)

        await run_jobs(todo, solve, record, prog, concurrency=opts.concurrency, record_error=record_error,
                       on_update=on_update)
        stats = export_sft(store, outp, max_turns=opts.max_turns)
    prog.files, prog.records, prog.duplicates = stats["files"], stats["records"], stats["duplicates"]
    prog.over_budget = stats["over_budget"]
    if on_update:
        on_update(prog)
    return prog


def sft_messages(traj: Trajectory) -> list[dict[str, str]]:
    """The guide conversation a trained guide learns from a trajectory: ours in the compact view (with its turn-0
    paraphrase if one was made), or, for a ``reference``-protocol run, the released guide's own format."""
    if protocol_of(traj) == "reference":
        from codesteer.steer._reference import reference_conversation

        return reference_conversation(traj)
    msgs = compact_conversation(traj)
    para = traj.extras.get("turn0_paraphrase")
    if para and len(msgs) >= 2:
        msgs[1] = {"role": "assistant", "content": f"<<<{para}>>>"}
    return msgs


def export_sft(store: RunStore, out: Path, *, max_turns: int | None = None) -> dict[str, Any]:
    """Write the kept conversations as TRL ``messages`` records and LLaMA-Factory alpaca/sharegpt files.

    A conversation a trained guide would see trimmed at its last turn (``view_over_budget`` at the default budget)
    is left out and counted: training on it would teach turns from feedback the guide never gets."""
    seen: set[str] = set()
    trl_records: list[dict[str, Any]] = []
    duplicates = over_budget = 0
    limits = SteerOptions()
    for _row, raw, verdict in store.trajectories(method=SFT_METHOD):
        if not verdict.get("correct"):
            continue
        traj = Trajectory.model_validate(raw)
        if max_turns is not None and len(traj.task_turns) > max_turns:
            continue
        msgs = sft_messages(traj)
        if len(msgs) < 2:
            continue
        if protocol_of(traj) != "reference" and view_over_budget(msgs[:-1], budget_tokens=limits.guide_budget_tokens):
            over_budget += 1
            continue
        h = digest(msgs)
        if h in seen:
            duplicates += 1
            continue
        seen.add(h)
        trl_records.append({"messages": msgs, "instance_id": traj.instance_id, "task": traj.task,
                            "turns": len(traj.task_turns), "attempt": traj.extras.get("attempt", 0)})
    trl_records.sort(key=lambda r: (r["task"], r["instance_id"], r["attempt"]))
    files = {"trl": out / "sft.jsonl", "alpaca": out / "sft_alpaca.json", "sharegpt": out / "sft_sharegpt.json"}
    write_jsonl(files["trl"], trl_records)
    write_json(files["alpaca"], [_alpaca(r["messages"]) for r in trl_records])
    write_json(files["sharegpt"], [{"conversations": sharegpt(r["messages"])} for r in trl_records])
    dataset_info({
        "codesteer_sft_alpaca": {"file_name": files["alpaca"].name,
                                 "columns": {"prompt": "instruction", "query": "input", "response": "output",
                                             "history": "history"}},
        "codesteer_sft_sharegpt": {"file_name": files["sharegpt"].name, "formatting": "sharegpt",
                                   "columns": {"messages": "conversations"}},
    }, out)
    summary = {"records": len(trl_records), "duplicates": duplicates, "over_budget": over_budget, "max_turns": max_turns,
               "files": {k: str(v) for k, v in files.items()}, "tasks": _count(r["task"] for r in trl_records)}
    write_json(out / "sft_summary.json", summary)
    return summary


def _alpaca(msgs: list[dict[str, str]]) -> dict[str, Any]:
    """LLaMA-Factory alpaca-with-history: earlier (user, guide) pairs in ``history``, the last pair in front."""
    pairs = [[msgs[i]["content"], msgs[i + 1]["content"]] for i in range(0, len(msgs) - 1, 2)]
    *history, (instruction, output) = pairs
    return {"instruction": instruction, "input": "", "output": output, "history": history}


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items()))
