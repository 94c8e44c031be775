"""BoxNet: step semantics, an independent planner, near misses, partial credit and the published files."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA


def _cells(data: dict) -> dict[tuple[int, int], list[str]]:
    out = {}
    for k, v in data["items"].items():
        r, c = (int(float(x) - 0.5) for x in k.split("_"))
        out[(r, c)] = list(v)
    return out


def nearest_target_plan(data: dict, max_steps: int = 300) -> list[dict[str, str]]:
    """Independent planner: each step every agent matches a box if any same-colour target shares its square,
    else pushes the first of its boxes one square towards the nearest target of that colour."""
    state = {cell: Counter(v) for cell, v in _cells(data).items()}
    plan = []
    for _ in range(max_steps):
        if not any(n for cnt in state.values() for it, n in cnt.items() if it.startswith("box_") and n > 0):
            return plan
        step, moves = {}, []
        for (r, c), cnt in sorted(state.items()):
            boxes = sorted(it for it, n in cnt.items() if it.startswith("box_") and n > 0)
            if not boxes:
                continue
            ready = [b for b in boxes if cnt["target_" + b[4:]] > 0]
            agent = f"Agent[{r + 0.5}, {c + 0.5}]"
            if ready:
                b = ready[0]
                step[agent] = f"move({b}, target_{b[4:]})"
                cnt[b] -= 1
                cnt["target_" + b[4:]] -= 1
                continue
            b = boxes[0]
            goals = [cell for cell, k in state.items() if k["target_" + b[4:]] > 0]
            gr, gc = min(goals, key=lambda g: (abs(g[0] - r) + abs(g[1] - c), g))
            nxt = (r + (gr > r) - (gr < r), c) if gr != r else (r, c + (gc > c) - (gc < c))
            step[agent] = f"move({b}, square[{nxt[0] + 0.5}, {nxt[1] + 0.5}])"
            cnt[b] -= 1
            moves.append((nxt, b))
        for cell, b in moves:
            state[cell][b] += 1
        plan.append(step)
    raise AssertionError("independent planner did not finish")


def test_independent_plans_judged_by_length_against_cap() -> None:
    passed = 0
    for inst in sb.generate("boxnet", 15, seed=21):
        plan = nearest_target_plan(inst.data)
        v = sb.verify(inst, "<<<" + json.dumps(plan) + ">>>")
        if len(plan) <= inst.data["step_cap"]:
            assert v.correct, (inst.id, v)
            passed += 1
        else:
            assert not v.correct and "step cap" in v.reason
    assert passed >= 10


def _tiny() -> sb.Instance:
    data = {
        "rows": 1,
        "cols": 3,
        "items": {
            "0.5_0.5": ["box_red", "box_blue"],
            "0.5_1.5": [],
            "0.5_2.5": ["target_red", "target_blue"],
        },
        "step_cap": 6,
        "reference_steps": 4,
    }
    return sb.Instance("boxnet", "t", None, None, "q <<<>>>", "", data)


def _ans(steps: list[dict[str, str]]) -> str:
    return "<<<" + json.dumps(steps) + ">>>"


def test_box_cannot_move_twice_in_one_step() -> None:
    inst = _tiny()
    twice = [
        {
            "Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])",
            "Agent[0.5, 1.5]": "move(box_red, square[0.5, 2.5])",
        }
    ]
    v = sb.verify(inst, _ans(twice))
    assert v.reason.startswith("violates:") and "start of the step" in v.reason
    good = [
        {"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"},
        {
            "Agent[0.5, 0.5]": "move(box_blue, square[0.5, 1.5])",
            "Agent[0.5, 1.5]": "move(box_red, square[0.5, 2.5])",
        },
        {
            "Agent[0.5, 1.5]": "move(box_blue, square[0.5, 2.5])",
            "Agent[0.5, 2.5]": "move(box_red, target_red)",
        },
        {"Agent[0.5, 2.5]": "move(box_blue, target_blue)"},
    ]
    v = sb.verify(inst, _ans(good))
    assert v.correct and v.info["boxes_delivered"] == 2 and v.info["steps_used"] == 4
    # partial credit: the last step missing
    v = sb.verify(inst, _ans(good[:-1]))
    assert not v.correct and v.score == pytest.approx(0.5) and v.reason.startswith("wrong:")
    # extra steps after everything is delivered are ignored
    assert sb.verify(inst, _ans(good + [{"Agent[0.5, 0.5]": "move(box_red, target_red)"}])).correct
    # too many steps for the cap
    slow = [good[0], {}, {}, {}, {}, {}] + good[1:]
    v = sb.verify(inst, _ans(slow))
    assert not v.correct and "step cap" in v.reason and v.score == 0.0


def test_near_misses() -> None:
    inst = _tiny()
    cases = {
        "already acts": '[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", '
        '"Agent[0.5, 0.5]": "move(box_blue, square[0.5, 1.5])"}]',
        "next to": '[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 2.5])"}]',
        "no agent": '[{"Agent[1.5, 0.5]": "move(box_red, square[0.5, 0.5])"}]',
        "can only be matched": '[{"Agent[0.5, 0.5]": "move(box_red, target_blue)"}]',
        "no target_red": '[{"Agent[0.5, 0.5]": "move(box_red, target_red)"}]',
        "no box_green": '[{"Agent[0.5, 0.5]": "move(box_green, square[0.5, 1.5])"}]',
    }
    for needle, ans in cases.items():
        v = sb.verify(inst, f"<<<{ans}>>>")
        assert v.reason.startswith("violates:") and needle in v.reason, (needle, v)


def test_tolerant_formats() -> None:
    inst = _tiny()
    loose = (
        "[{'Agent[0.5,0.5]': 'move(box_red,square[0.5,1.5])'}, "
        "{'agent[0.5, 0.5]': 'Move(box_blue, square[0.5, 1.5])', 'Agent[0.5, 1.5]': 'move(box_red,square[0.5, 2.5])'},"
        '{"Agent[0.5, 1.5]": "move(box_blue, square[0.5, 2.5])", "Agent[0.5, 2.5]": "move(box_red,target_red)"},'
        '{"Agent[0.5, 2.5]":"move(box_blue,target_blue)"}]'
    )
    assert sb.verify(inst, f"<<<{loose}>>>").correct


def test_malformed() -> None:
    inst = _tiny()
    for bad in (
        '[{"Agent[0.5, 0.5]": "push(box_red)"}]',
        "move everything",
        "[{}, banana]",
        '[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"}',
    ):
        assert sb.verify(inst, f"<<<{bad}>>>").reason.startswith("malformed"), bad


def test_generated_counts_balanced_and_plan_within_cap() -> None:
    for inst in sb.generate("boxnet", 10, seed=4):
        items = [it for v in inst.data["items"].values() for it in v]
        boxes = Counter(it[4:] for it in items if it.startswith("box_"))
        targets = Counter(it[7:] for it in items if it.startswith("target_"))
        assert boxes == targets and 1 <= min(boxes.values()) and max(boxes.values()) <= 3
        assert inst.data["reference_steps"] <= inst.data["step_cap"]


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_published_instances() -> None:
    files = sorted((REFERENCE_DATA / "BoxNet1_dataset").glob("env_pg_state_*/pg_state*/pg_state*.json"))
    if not files:
        pytest.skip("no BoxNet sample in the reference data")
    items = list(sb.load_reference(REFERENCE_DATA, "boxnet"))
    assert len(items) == len(files)
    for inst in items:
        raw = json.loads((REFERENCE_DATA / inst.data["reference"]["source"]).read_text())
        assert {k: sorted(v) for k, v in raw.items()} == {k: sorted(v) for k, v in inst.data["items"].items()}
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
        assert "Agent[0.5, 0.5]: I am in square[0.5, 0.5]" in inst.question
