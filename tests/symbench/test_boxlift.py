"""BoxLift: simulation with partial credit, an independent best-fit planner, near misses, published files."""

from __future__ import annotations

import itertools
import json

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.boxlift import greedy_plan
from tests.conftest import REFERENCE_DATA


def best_fit_plan(boxes: list[int], lifters: list[int]) -> list[list[tuple[int, list[int]]]]:
    """Independent planner: per step, heaviest box first, the cheapest team of free lifters that suffices."""
    left = sorted(boxes, reverse=True)
    plan = []
    while left:
        free = set(range(len(lifters)))
        step = []
        for w in list(left):
            best = None
            for r in range(1, len(free) + 1):
                for team in itertools.combinations(sorted(free), r):
                    cap = sum(lifters[j] for j in team)
                    if cap >= w and (best is None or cap < best[0]):
                        best = (cap, list(team))
            if best is not None:
                step.append((w, best[1]))
                free -= set(best[1])
                left.remove(w)
        assert step, "no progress"
        plan.append(step)
    return plan


def _fmt(plan: list[list[tuple[int, list[int]]]]) -> str:
    return "\n".join(f"Step {k}: {[(w, t) for w, t in step]}" for k, step in enumerate(plan, 1))


def test_independent_plans_judged_by_length_against_cap() -> None:
    seen_pass = seen_fail = 0
    for inst in sb.generate("boxlift", 20, seed=9):
        plan = best_fit_plan(inst.data["boxes"], inst.data["lifters"])
        v = sb.verify(inst, f"<<<{_fmt(plan)}>>>")
        if len(plan) <= inst.data["step_cap"]:
            assert v.correct and v.score == 1.0, (inst.id, v)
            seen_pass += 1
        else:
            assert not v.correct and 0 < v.score < 1 and "step cap" in v.reason
            seen_fail += 1
    assert seen_pass > 0


def test_other_valid_formats_pass() -> None:
    inst = sb.generate("boxlift", 1, seed=4, complexity=2)[0]
    plan = greedy_plan(inst.data["boxes"], inst.data["lifters"])
    # steps in reverse order, assignments reversed, a nested literal instead of "Step k:" lines
    nested = json.dumps([[[w, t] for w, t in reversed(step)] for step in reversed(plan)])
    assert sb.verify(inst, f"<<<{nested}>>>").correct
    loose = "\n".join(f"step {k}) {[(w, t) for w, t in step]}," for k, step in enumerate(plan, 1))
    assert sb.verify(inst, f"<<<{loose}>>>").correct


def test_near_misses_and_partial_credit() -> None:
    inst = sb.generate("boxlift", 1, seed=4, complexity=3)[0]
    boxes, lifters, cap = inst.data["boxes"], inst.data["lifters"], inst.data["step_cap"]
    plan = greedy_plan(boxes, lifters)
    n = len(boxes)
    # last step missing: not correct, score = share of boxes lifted
    v = sb.verify(inst, f"<<<{_fmt(plan[:-1])}>>>")
    assert not v.correct and v.reason.startswith("wrong:")
    assert v.score == pytest.approx((n - len(plan[-1])) / n)
    assert v.info["boxes_lifted"] == n - len(plan[-1]) and 0 < v.info["weight_ratio"] < 1
    # a lifter used twice in one step
    w0, t0 = plan[0][0]
    twice = [[(w0, t0), (plan[0][1][0] if len(plan[0]) > 1 else w0, t0)]] + plan[1:]
    v = sb.verify(inst, f"<<<{_fmt(twice)}>>>")
    assert v.reason.startswith("violates:") and ("twice" in v.reason or "no box" in v.reason)
    # a team too weak for its box
    weakest = min(range(len(lifters)), key=lambda j: lifters[j])
    heavy = max(boxes)
    if heavy > lifters[weakest]:
        v = sb.verify(inst, f"<<<Step 1: [({heavy}, [{weakest}])]>>>")
        assert v.reason.startswith("violates:") and "below the weight" in v.reason and v.score == 0
    # a weight that is not on the list, an index that does not exist
    v = sb.verify(inst, f"<<<Step 1: [({max(boxes) + 1}, [0])]>>>")
    assert v.reason.startswith("violates:") and "no box of weight" in v.reason
    v = sb.verify(inst, f"<<<Step 1: [({boxes[0]}, [{len(lifters)}])]>>>")
    assert v.reason.startswith("violates:") and "no lifter" in v.reason
    # a valid prefix followed by an illegal step keeps the prefix's credit
    bad = plan[:1] + [[(max(boxes) + 1, [0])]]
    v = sb.verify(inst, f"<<<{_fmt(bad)}>>>")
    assert v.reason.startswith("violates:") and v.score == pytest.approx(len(plan[0]) / n)
    # one box per step takes too many steps
    slow = [[(w, list(range(len(lifters))))] for w in sorted(boxes, reverse=True)]
    assert len(slow) > cap
    v = sb.verify(inst, f"<<<{_fmt(slow)}>>>")
    assert not v.correct and "step cap" in v.reason and v.score == pytest.approx(cap / n)


def test_malformed() -> None:
    inst = sb.generate("boxlift", 1, seed=1, complexity=1)[0]
    for bad in ("Step 1: banana", "Step 1: [(50, [0.5])]", "Step 1: [(50, 0, 1)]", "lift everything"):
        assert sb.verify(inst, f"<<<{bad}>>>").reason.startswith("malformed"), bad


def test_extra_steps_after_completion_are_ignored() -> None:
    inst = sb.generate("boxlift", 1, seed=2, complexity=1)[0]
    v = sb.verify(inst, f"<<<{inst.answer}\nStep 99: [(1, [0])]>>>")
    assert v.correct and v.info["steps_used"] == inst.data["step_cap"]


def test_heavy_box_guard() -> None:
    with pytest.raises(ValueError, match="heavier than all lifters"):
        greedy_plan([500, 10], [100, 100])  # the reference's heuristic looped forever here
    # knobs that allow boxes far heavier than the lifters: every box stays liftable
    for inst in sb.generate(
        "boxlift", 20, seed=0, lifters=2, min_capacity=10, max_capacity=20, max_weight=1000
    ):
        assert max(inst.data["boxes"]) <= sum(inst.data["lifters"])
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    with pytest.raises(ValueError, match="outweigh"):
        sb.generate(
            "boxlift", 1, seed=0, lifters=1, max_capacity=10, min_capacity=1, min_weight=50, max_weight=60
        )


def test_cap_is_reference_heuristic() -> None:
    # the reference's estimate_steps on this published-size example gives 4 steps
    boxes, lifters = [50, 40, 30, 20, 10, 90], [60, 40]
    plan = greedy_plan(boxes, lifters)
    assert [[w for w, _ in s] for s in plan] == [[90], [50, 40], [30, 20], [10]]


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_published_instances() -> None:
    files = sorted((REFERENCE_DATA / "BoxLift_dataset").glob("*/*/BoxLift.json"))
    if not files:
        pytest.skip("no BoxLift sample in the reference data")
    items = list(sb.load_reference(REFERENCE_DATA, "boxlift"))
    assert len(items) == len(files)
    for inst in items:
        raw = json.loads((REFERENCE_DATA / inst.data["reference"]["source"]).read_text())
        assert inst.data["boxes"] == raw["boxes"] and inst.data["lifters"] == raw["lifters"]
        assert (
            str(raw["boxes"]) in inst.question and f"at most {inst.data['step_cap']} steps" in inst.question
        )
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    # numeric order: BoxLift_10_3 before BoxLift_15_4
    assert "BoxLift_10_3" in items[0].id and "BoxLift_25_6" in items[-1].id
