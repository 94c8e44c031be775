"""DPO data: a guidance tree per sample, scored by outcome, and preference pairs between sibling guidances.

The paper's scheme (its released builder was a one-sided simplification): at each branched guide turn, sample
K alternative guidances from the same state and continue each branch to the end of the loop. A leaf (a
finished solve) that succeeds after i task-model answers scores 15 − i, one that fails scores −i; an inner node
scores the mean of its children. Siblings whose scores differ give (prompt, chosen, rejected) pairs, where the
prompt is the compact guide conversation up to that turn — exactly what a trained guide sees.

Each tree is written to ``<out>/trees/<instance>.json`` when it is complete; a re-run skips finished trees.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.errors import ParameterError
from codesteer.models import ChatModel
from codesteer.runs import RunCounters, run_jobs
from codesteer.sandbox import Sandbox
from codesteer.steer import LoopState, Models, SteerOptions, clip, view_over_budget
from codesteer.symbench import Instance, verify
from codesteer.synth._common import GuideSampling, dataset_info, digest, sharegpt, write_json, write_jsonl

SUCCESS_BASE = 15


def leaf_score(correct: bool, turns: int) -> float:
    """15 − i for a success after i task answers, −i for a failure (the paper's Figure DPO-data)."""
    return float(SUCCESS_BASE - turns) if correct else float(-turns)


@dataclass(frozen=True)
class DpoSynthOptions(GuideSampling):
    """Budgets of the guidance trees.

    ``branches`` (K) guidances are sampled at each of ``depth`` guide turns starting at turn ``branch_from``;
    other turns continue with one sample. Once a tree has made ``max_calls`` model calls, no new branches open
    (running branches still finish, each bounded by ``max_rounds``). ``pairs`` is ``all`` (every sibling pair
    with different scores) or ``best_worst`` (one pair per sibling group).
    """

    branches: int = 2
    depth: int = 3
    branch_from: int = 0
    max_calls: int = 300
    pairs: str = "all"
    concurrency: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.branches < 1 or self.depth < 0 or self.branch_from < 0:
            raise ParameterError("{branches} must be >= 1, {depth} and {branch_from} >= 0", "branches", "depth",
                                 "branch_from")
        if self.branches > 1 and self.guide_temperature <= 0:
            raise ParameterError("sampling alternative guidances needs {guide_temperature} > 0", "guide_temperature")
        if self.pairs not in ("all", "best_worst"):
            raise ParameterError(f"{{pairs}} must be 'all' or 'best_worst', got {self.pairs!r}", "pairs")
        if self.max_calls < 1 or self.concurrency < 1:
            raise ParameterError("{max_calls} and {concurrency} must be >= 1", "max_calls", "concurrency")

    def key(self) -> dict[str, Any]:
        return self.sampling_key(**{k: getattr(self, k) for k in (
            "branches", "depth", "branch_from", "max_calls", "guide_temperature", "guide_view", "max_rounds", "seed")})


class _Tree:
    """Grows one guidance tree depth-first (deterministic order, so scripted tests and caches line up).

    Each branch is a fork of the loop's own state advanced by its own round (``LoopState.step``), so a tree
    explores exactly what ``steer`` would do under the same guide protocol.
    """

    def __init__(self, inst: Instance, models: Models, sandbox: Sandbox, opts: DpoSynthOptions) -> None:
        self.inst, self.models, self.sandbox, self.opts = inst, models, sandbox, opts
        self.root = LoopState.start(inst, models, sandbox, opts.steer_options(), method="dpo_tree")
        self.calls = 0
        self.leaves = 0

    def _seed(self, path: str, j: int) -> int:
        return random.Random(f"{self.opts.seed}:{self.inst.id}:{path}:{j}").randrange(2**31)

    async def _leaf(self, st: LoopState) -> dict[str, Any]:
        await st.finish()
        v = verify(self.inst, st.traj.final_answer)
        self.leaves += 1
        turns = len(st.traj.task_turns)
        return {"correct": bool(v.correct), "turns": turns, "score": leaf_score(bool(v.correct), turns),
                "stop_reason": st.traj.stop_reason, "final_answer": clip(st.traj.final_answer, 500),
                "reason": v.reason}

    def _width(self, turn: int) -> int:
        o = self.opts
        if o.branch_from <= turn < o.branch_from + o.depth and self.calls < o.max_calls:
            return o.branches
        return 1

    async def _children(self, st: LoopState, path: str) -> list[dict[str, Any]]:
        turn = len(st.traj.guide_turns)
        kids = []
        for j in range(self._width(turn)):
            child = st.fork()
            before = len(child.traj.calls)
            step = await child.step(seed=self._seed(path, j))
            self.calls += len(child.traj.calls) - before
            g = step.guide
            node: dict[str, Any] = {
                "id": f"{path}.{j}" if path else str(j), "turn": g.index, "prompt": g.prompt,
                "guidance": child.protocol.target(g),
                "decision": g.decision, "raw": clip(g.raw, 2000),
                "reply": clip(step.task.reply, 1500) if step.task is not None else None,
                "children": [], "leaf": None,
            }
            if step.ended is not None:
                node["leaf"] = await self._leaf(child)
                node["score"] = node["leaf"]["score"]
            else:
                node["children"] = await self._children(child, node["id"])
                node["score"] = _mean(c["score"] for c in node["children"])
            kids.append(node)
        return kids

    async def grow(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        children = await self._children(self.root, "")
        return {
            "instance_id": self.inst.id, "task": self.inst.task, "complexity": self.inst.complexity,
            "question": self.inst.question, "config": self.opts.key(), "config_key": digest(self.opts.key()),
            "models": {"guide": _spec(self.models.guide_or_task), "task": _spec(self.models.task),
                       "checker": _spec(self.models.checker_or_task)},
            "calls": self.calls, "leaves": self.leaves, "wall_s": round(time.perf_counter() - t0, 3),
            "score": _mean(c["score"] for c in children), "children": children,
        }


def _mean(xs: Any) -> float:
    vals = list(xs)
    return float(sum(vals) / len(vals)) if vals else 0.0


def _spec(model: ChatModel | None) -> str | None:
    return None if model is None else str(getattr(model, "spec", type(model).__name__))


async def build_tree(instance: Instance, models: Models, sandbox: Sandbox, options: DpoSynthOptions | None = None) -> dict[str, Any]:
    """The scored guidance tree of one instance (a JSON-ready dict: nodes with guidance, score, children)."""
    return await _Tree(instance, models, sandbox, options or DpoSynthOptions()).grow()


def tree_pairs(tree: dict[str, Any], mode: str = "all") -> list[dict[str, Any]]:
    """Preference pairs among siblings with different scores, in TRL's conversational preference format.

    Siblings that gave the very same guidance are one choice: their scores are averaged before pairing, so a
    guidance is never both chosen and rejected against the same alternative.
    """
    out: list[dict[str, Any]] = []

    def walk(children: list[dict[str, Any]], history: list[dict[str, str]]) -> None:
        if len(children) >= 2:
            groups: dict[str, list[float]] = {}
            for c in children:
                groups.setdefault(c["guidance"], []).append(c["score"])
            scored = sorted(((_mean(v), g) for g, v in groups.items()), key=lambda x: -x[0])
            prompt = history + [{"role": "user", "content": children[0]["prompt"]}]
            if mode == "best_worst":
                combos = [(scored[0], scored[-1])] if len(scored) >= 2 else []
            else:
                combos = list(itertools.combinations(scored, 2))
            for (sa, a), (sb, b) in combos:
                if sa > sb:
                    out.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": a}],
                                "rejected": [{"role": "assistant", "content": b}], "score_chosen": sa,
                                "score_rejected": sb, "instance_id": tree["instance_id"], "task": tree["task"],
                                "turn": children[0]["turn"]})
        for c in children:
            walk(c["children"], history + [{"role": "user", "content": c["prompt"]},
                                           {"role": "assistant", "content": c["guidance"]}])

    walk(tree["children"], [])
    return out


def tree_file(out: Path, instance_id: str) -> Path:
    return out / "trees" / (re.sub(r"[^A-Za-z0-9_.-]", "_", instance_id) + ".json")


@dataclass
class DpoProgress(RunCounters):
    """Live counters of DPO synthesis: trees grown and pairs written."""

    calls: int = 0
    pairs: int = 0
    trees: int = 0
    over_budget: int = 0
    files: dict[str, str] = field(default_factory=dict)


async def synthesize_dpo(
    instances: Sequence[Instance],
    models: Models,
    sandbox: Sandbox,
    out: str | Path,
    options: DpoSynthOptions | None = None,
    *,
    meta: dict[str, Any] | None = None,
    on_update: Callable[[DpoProgress], None] | None = None,
) -> DpoProgress:
    """Grow a tree for every instance without a finished one in ``out/trees``, then export the pairs."""
    opts = options or DpoSynthOptions()
    outp = Path(out)
    (outp / "trees").mkdir(parents=True, exist_ok=True)
    write_json(outp / "dpo_config.json", {**opts.key(), "pairs": opts.pairs,
                                          "models": {"guide": _spec(models.guide_or_task), "task": _spec(models.task)},
                                          **(meta or {})})
    key = digest(opts.key())
    prog = DpoProgress()
    todo = []
    for inst in instances:
        f = tree_file(outp, inst.id)
        if f.is_file() and _config_key(f) == key:
            prog.skipped += 1
        else:
            todo.append(inst)
    prog.total = len(instances)

    async def solve(inst: Instance) -> dict[str, Any]:
        return await build_tree(inst, models, sandbox, opts)

    def record(inst: Instance, tree: dict[str, Any]) -> None:
        write_json(tree_file(outp, inst.id), tree)
        prog.calls += tree["calls"]

    await run_jobs(todo, solve, record, prog, concurrency=opts.concurrency, on_update=on_update)
    stats = export_dpo(outp, mode=opts.pairs, instance_ids={i.id for i in instances}, config_key=key)
    prog.pairs, prog.trees, prog.files = stats["pairs"], stats["trees"], stats["files"]
    prog.over_budget = stats["over_budget"]
    if on_update:
        on_update(prog)
    return prog


def _config_key(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("config_key")
    except (OSError, json.JSONDecodeError):
        return None


def export_dpo(out: Path, *, mode: str = "all", instance_ids: set[str] | None = None,
               config_key: str | None = None) -> dict[str, Any]:
    """Pairs of every finished tree (of this configuration) as TRL preference records and LLaMA-Factory ranking data.

    A pair whose prompt (our compact view) the trained guide would see trimmed is left out and counted, as in the
    SFT export: its prompt holds feedback the guide never gets at that turn."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    trees = over_budget = 0
    budget = SteerOptions().guide_budget_tokens
    for f in sorted((out / "trees").glob("*.json")):
        tree = json.loads(f.read_text(encoding="utf-8"))
        if instance_ids is not None and tree["instance_id"] not in instance_ids:
            continue
        if config_key is not None and tree.get("config_key") != config_key:
            continue
        trees += 1
        ours = tree.get("config", {}).get("guide_protocol", "codesteer") == "codesteer"
        for p in tree_pairs(tree, mode):
            h = digest([p["prompt"], p["chosen"], p["rejected"]])
            if h in seen:
                continue
            seen.add(h)
            if ours and view_over_budget(p["prompt"], budget_tokens=budget):
                over_budget += 1
            else:
                records.append(p)
    files = {"trl": out / "dpo.jsonl", "sharegpt": out / "dpo_sharegpt.json"}
    write_jsonl(files["trl"], records)
    write_json(files["sharegpt"], [
        {"conversations": sharegpt(r["prompt"]), "chosen": {"from": "gpt", "value": r["chosen"][0]["content"]},
         "rejected": {"from": "gpt", "value": r["rejected"][0]["content"]}, "score_chosen": r["score_chosen"],
         "score_rejected": r["score_rejected"]} for r in records])
    dataset_info({"codesteer_dpo": {"file_name": files["sharegpt"].name, "formatting": "sharegpt", "ranking": True,
                                    "columns": {"messages": "conversations", "chosen": "chosen",
                                                "rejected": "rejected"}}}, out)
    summary = {"trees": trees, "pairs": len(records), "over_budget": over_budget, "mode": mode, "files": {k: str(v) for k, v in files.items()}}
    write_json(out / "dpo_summary.json", summary)
    return summary
