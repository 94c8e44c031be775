"""BoxLift (seen): assign lifters (alone or in teams) to boxes, step by step, within a step cap."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, parse_literal
from codesteer.symbench._samples import skip, sort_key
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, partial

Plan = list[list[tuple[int, list[int]]]]
MAX_STEPS = 200


def greedy_plan(boxes: Sequence[int], lifters: Sequence[int]) -> Plan:
    """The reference's step-cap heuristic, also returning the plan it finds (so the cap is provably reachable).

    Per step: boxes heaviest first; a box is lifted when the lifters still free in this step, taken in their
    given order, reach its weight. Raises ValueError when a box outweighs all lifters together (the reference
    looped forever there).
    """
    if not boxes:
        return []
    if max(boxes) > sum(lifters):
        raise ValueError(
            f"a box of weight {max(boxes)} is heavier than all lifters together ({sum(lifters)})"
        )
    remaining = sorted(boxes, reverse=True)
    plan: Plan = []
    while remaining:
        free = list(range(len(lifters)))
        step: list[tuple[int, list[int]]] = []
        i = 0
        while i < len(remaining) and free:
            box = remaining[i]
            if sum(lifters[j] for j in free) >= box:
                used: list[int] = []
                strength = 0
                for j in free:
                    used.append(j)
                    strength += lifters[j]
                    if strength >= box:
                        break
                free = [j for j in free if j not in used]
                step.append((box, used))
                remaining.pop(i)
            else:
                i += 1
        plan.append(step)
    return plan


def _fmt_plan(plan: Plan) -> str:
    lines = []
    for k, step in enumerate(plan, 1):
        inner = ", ".join(f"({w}, [{', '.join(str(j) for j in team)}])" for w, team in step)
        lines.append(f"Step {k}: [{inner}]")
    return "\n".join(lines)


def _question(boxes: Sequence[int], lifters: Sequence[int], cap: int) -> str:
    return (
        "Task: BoxLift\n\n"
        f"You are given a list of boxes with the following weights: {list(boxes)}\n"
        f"And a list of lifters with the following maximum lifting capacities: {list(lifters)}\n"
        f"The lifters are numbered by their position in that list, starting at 0 (lifter 0 has capacity "
        f"{lifters[0]}).\n\n"
        "Assign the lifters to lift all the boxes in a sequence of steps, following these rules:\n"
        "1. Several boxes can be lifted in the same step.\n"
        "2. In one step each lifter works on at most one box.\n"
        "3. Several lifters can team up on one box; the box is lifted when their capacities add up to at least "
        "its weight.\n"
        "4. Each box is lifted exactly once. Boxes are named by their weight; boxes of equal weight are "
        "interchangeable.\n"
        f"5. All boxes must be lifted in at most {cap} steps (fewer is better).\n\n"
        "Write one line per step:\n"
        "Step 1: [(box weight, [lifter indices]), (box weight, [lifter indices]), ...]\n"
        "Step 2: [...]\n"
        "For example, 'Step 1: [(50, [0, 2]), (30, [1])]' means that in step 1 lifters 0 and 2 lift a box "
        "of weight 50 together and lifter 1 lifts a box of weight 30.\n\n"
        "Put the whole plan inside <<< and >>>, for example:\n"
        "<<<Step 1: [(50, [0, 2]), (30, [1])]\nStep 2: [(40, [0, 1]), (20, [2])]>>>"
    )


def _as_int(v: Any, what: str) -> int:
    if isinstance(v, bool):
        raise ParseError(f"{what} must be an integer, got {v!r}")
    if isinstance(v, int):  # not a float: 99.0, 99e0 or 0e309 is not how a weight or an index is written
        return v
    if isinstance(v, str) and re.fullmatch(r"\s*[+-]?\d{1,12}\s*", v):
        return int(v)
    raise ParseError(f"{what} must be an integer, got {v!r}")


def _read_step(obj: Any, k: int) -> list[tuple[int, list[int]]]:
    if (
        isinstance(obj, (list, tuple))
        and len(obj) == 2
        and isinstance(obj[1], (list, tuple))
        and not (obj and isinstance(obj[0], (list, tuple)))
    ):
        obj = [obj]  # a single assignment written without the outer list
    if not isinstance(obj, (list, tuple)):
        raise ParseError(f"step {k}: expected a list of (weight, [lifters]) pairs")
    out = []
    for a in obj:
        if not isinstance(a, (list, tuple)) or len(a) != 2:
            raise ParseError(f"step {k}: {str(a)[:40]!r} is not a (weight, [lifters]) pair")
        team = a[1] if isinstance(a[1], (list, tuple)) else [a[1]]
        out.append((_as_int(a[0], "box weight"), [_as_int(j, "lifter index") for j in team]))
    return out


def parse_plan(answer: str) -> Plan:
    """'Step k: [...]' lines (numbers ignored, order kept), or one nested list with a sublist per step."""
    text = clean(answer)
    chunks = re.split(r"(?i)\bstep\s*\d+\s*[:.)-]?", text)
    if len(chunks) > 1:
        if chunks[0].strip(" \n\t,;"):
            raise ParseError(f"unexpected text before 'Step 1': {chunks[0].strip()[:40]!r}")
        bodies = [c.strip().rstrip(",;").strip() for c in chunks[1:]]
        if len(bodies) > MAX_STEPS:
            raise ParseError(f"more than {MAX_STEPS} steps")
        return [_read_step(parse_literal(b) if b else [], k) for k, b in enumerate(bodies, 1)]
    lit = parse_literal(text)
    if not isinstance(lit, (list, tuple)) or len(lit) > MAX_STEPS:
        raise ParseError("expected 'Step 1: [...]' lines")
    return [_read_step(s, k) for k, s in enumerate(lit, 1)]


def simulate(boxes: Sequence[int], lifters: Sequence[int], plan: Plan, cap: int) -> Verdict:
    """Apply the plan; the first illegal assignment ends it. Score: share of boxes lifted (weight share in info)."""
    left = Counter(boxes)
    total_w = sum(boxes)
    lifted: list[int] = []

    def info() -> dict[str, Any]:
        return {
            "boxes_lifted": len(lifted),
            "boxes_total": len(boxes),
            "weight_ratio": sum(lifted) / total_w if total_w else 1.0,
            "steps_used": executed,
            "step_cap": cap,
        }

    executed = 0  # steps fully or partly carried out
    for step_no, step in enumerate(plan, 1):
        if not left:
            break  # everything is lifted; the rest of the answer is ignored
        if step_no > cap:
            return partial(
                False,
                len(lifted),
                len(boxes),
                f"wrong: {len(boxes) - len(lifted)} boxes still left after the step cap of {cap}",
                **info(),
            )
        executed = step_no
        used: set[int] = set()
        for weight, team in step:
            where = f"step {step_no}, ({weight}, {team})"
            bad = next((j for j in team if not 0 <= j < len(lifters)), None)
            msg = ""
            if left[weight] <= 0:
                msg = f"no box of weight {weight} is left to lift"
            elif not team:
                msg = "no lifter assigned"
            elif bad is not None:
                msg = f"there is no lifter {bad} (lifters are 0..{len(lifters) - 1})"
            elif len(set(team)) != len(team) or used & set(team):
                msg = "a lifter is used twice in the same step"
            elif sum(lifters[j] for j in team) < weight:
                msg = f"capacity {sum(lifters[j] for j in team)} is below the weight {weight}"
            if msg:
                return partial(False, len(lifted), len(boxes), f"violates: {where}: {msg}", **info())
            used |= set(team)
            left[weight] -= 1
            if left[weight] == 0:
                del left[weight]
            lifted.append(weight)
    if left:
        return partial(
            False,
            len(lifted),
            len(boxes),
            f"wrong: {len(boxes) - len(lifted)} of {len(boxes)} boxes are never lifted",
            **info(),
        )
    return partial(True, len(lifted), len(boxes), "ok", **info())


@register
class BoxLift(Task):
    name = "boxlift"
    title = "BoxLift"
    seen = True
    description = (
        "Lift boxes of given weights with lifters of given capacities: in each step every lifter works on at "
        "most one box and teams may share a box. The plan is simulated; it must lift every box within the step "
        "cap set by the reference's greedy heuristic. Partial credit (score) is the share of boxes lifted before "
        "the first illegal assignment or the cap; the weight share is in the verdict's info. Complexity grows "
        "with the numbers of boxes and lifters and the weight range (level 1: 8 boxes, 3 lifters; level 5: 25 "
        "boxes, 6 lifters, the reference's largest test configuration)."
    )
    knobs = (
        Knob("boxes", int, 10, "number of boxes", lo=1, hi=60),
        Knob("lifters", int, 3, "number of lifters", lo=1, hi=12),
        Knob("min_weight", int, 10, "lightest possible box", lo=1, hi=10_000),
        Knob("max_weight", int, 100, "heaviest possible box", lo=1, hi=10_000),
        Knob("min_capacity", int, 40, "weakest possible lifter", lo=1, hi=10_000),
        Knob("max_capacity", int, 80, "strongest possible lifter", lo=1, hi=10_000),
    )
    presets = {
        1: {
            "boxes": 8,
            "lifters": 3,
            "min_weight": 10,
            "max_weight": 100,
            "min_capacity": 40,
            "max_capacity": 80,
        },
        2: {
            "boxes": 10,
            "lifters": 3,
            "min_weight": 10,
            "max_weight": 100,
            "min_capacity": 40,
            "max_capacity": 80,
        },
        3: {
            "boxes": 15,
            "lifters": 4,
            "min_weight": 20,
            "max_weight": 200,
            "min_capacity": 30,
            "max_capacity": 120,
        },
        4: {
            "boxes": 20,
            "lifters": 5,
            "min_weight": 30,
            "max_weight": 300,
            "min_capacity": 40,
            "max_capacity": 160,
        },
        5: {
            "boxes": 25,
            "lifters": 6,
            "min_weight": 40,
            "max_weight": 400,
            "min_capacity": 50,
            "max_capacity": 200,
        },
    }
    reference_dirs = ("BoxLift_dataset", "BoxLift_dataset_SFT")

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_weight"] > cfg["max_weight"]:
            raise ValueError(
                f"boxlift: min_weight ({cfg['min_weight']}) must be <= max_weight ({cfg['max_weight']})"
            )
        if cfg["min_capacity"] > cfg["max_capacity"]:
            raise ValueError(
                f"boxlift: min_capacity ({cfg['min_capacity']}) must be <= max_capacity ({cfg['max_capacity']})"
            )
        if cfg["min_weight"] > cfg["lifters"] * cfg["max_capacity"]:
            raise ValueError(
                "boxlift: every box would outweigh all lifters together; raise max_capacity or lifters, or lower "
                "min_weight"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        lifters = [rng.randint(cfg["min_capacity"], cfg["max_capacity"]) for _ in range(cfg["lifters"])]
        # the guard the reference lacked: no box may outweigh all lifters together
        top = min(cfg["max_weight"], sum(lifters))
        if top < cfg["min_weight"]:
            lifters = [cfg["max_capacity"]] * cfg["lifters"]
            top = min(cfg["max_weight"], sum(lifters))
        boxes = [rng.randint(cfg["min_weight"], top) for _ in range(cfg["boxes"])]
        return _draft(boxes, lifters)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        plan = parse_plan(answer)
        return simulate(data["boxes"], data["lifters"], plan, int(data["step_cap"]))

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for top in self.reference_dirs:
            base = root / top
            if not base.is_dir():
                continue
            files = sorted(
                base.glob("BoxLift_*/BoxLift*/BoxLift.json"), key=lambda p: sort_key(p.relative_to(base))
            )
            for f in files:
                try:
                    raw = json.loads(f.read_text())
                    boxes = [int(b) for b in raw["boxes"]]
                    lifters = [int(c) for c in raw["lifters"]]
                    if not boxes or not lifters or min(lifters) <= 0 or min(boxes) <= 0:
                        skip(f.relative_to(root), "no boxes, no lifters or a non-positive weight")
                        continue
                    draft = _draft(boxes, lifters)
                except (OSError, ValueError, KeyError, TypeError):
                    skip(f.relative_to(root), "unreadable, or a box heavier than all lifters together")
                    continue  # unreadable, or a box heavier than all lifters (unsolvable)
                yield RefItem(
                    source=str(f.relative_to(root)),
                    question=draft.question,
                    answer=draft.answer,
                    data=draft.data,
                )


def _draft(boxes: list[int], lifters: list[int]) -> Draft:
    plan = greedy_plan(boxes, lifters)
    cap = len(plan)
    return Draft(
        _question(boxes, lifters, cap), _fmt_plan(plan), {"boxes": boxes, "lifters": lifters, "step_cap": cap}
    )
