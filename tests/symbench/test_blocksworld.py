"""Blocksworld: simulation verifier, an independent BFS solver, near misses and the published files."""

from __future__ import annotations

from collections import deque

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.blocksworld import parse_task_text, solve
from tests.conftest import REFERENCE_DATA


def bfs_plan(initial: list[list[str]], goal: list[list[str]]) -> list[tuple[str, int, int]]:
    """Plain breadth-first search (independent of the task's A*): a shortest plan."""
    start = tuple(tuple(s) for s in initial)
    target = tuple(tuple(g) for g in goal) + ((),) * (len(initial) - len(goal))
    prev: dict = {start: None}
    queue = deque([start])
    while queue:
        st = queue.popleft()
        if st == target:
            out = []
            while prev[st] is not None:
                st, mv = prev[st]
                out.append(mv)
            return out[::-1]
        for i, s in enumerate(st):
            if not s:
                continue
            for j in range(len(st)):
                if j != i:
                    nxt = list(st)
                    nxt[i], nxt[j] = s[:-1], st[j] + (s[-1],)
                    nt = tuple(nxt)
                    if nt not in prev:
                        prev[nt] = (st, (s[-1], i + 1, j + 1))
                        queue.append(nt)
    raise AssertionError("unreachable")


def _fmt(plan: list[tuple[str, int, int]], style: str = "stack") -> str:
    if style == "bare":
        return "\n".join(f"{k}. move {b.lower()} from {s} to {d}" for k, (b, s, d) in enumerate(plan, 1))
    return "\n".join(f"Move {b} from stack{s} to stack{d}" for b, s, d in plan)


def test_independent_bfs_plan_passes_and_matches_optimal_length() -> None:
    for inst in sb.generate("blocksworld", 15, seed=3):
        if inst.complexity and inst.complexity > 3:
            continue  # keep the plain BFS fast
        plan = bfs_plan(inst.data["initial"], inst.data["goal"])
        assert len(plan) == inst.data["optimal_length"], inst.id
        for style in ("stack", "bare"):
            v = sb.verify(inst, f"<<<{_fmt(plan, style)}>>>")
            assert v.correct and v.info["plan_length"] == len(plan), (inst.id, v)


def test_longer_valid_plan_passes_and_reports_length() -> None:
    inst = sb.generate("blocksworld", 1, seed=1, complexity=3)[0]
    # move a top block away and straight back first: still legal, two moves longer
    stacks = inst.data["initial"]
    src = next(i for i, s in enumerate(stacks) if s)
    dst = (src + 1) % len(stacks)
    b = stacks[src][-1]
    detour = (
        f"Move {b} from stack{src + 1} to stack{dst + 1}\nMove {b} from stack{dst + 1} to stack{src + 1}\n"
    )
    v = sb.verify(inst, f"<<<{detour}{inst.answer}>>>")
    assert v.correct and v.info["plan_length"] == inst.data["optimal_length"] + 2
    assert v.info["optimal_length"] == inst.data["optimal_length"]


def test_near_misses_fail() -> None:
    inst = sb.generate("blocksworld", 1, seed=5, complexity=3)[0]
    lines = inst.answer.splitlines()
    v = sb.verify(inst, "<<<" + "\n".join(lines[:-1]) + ">>>")
    assert not v.correct and v.reason.startswith("wrong:") and "goal" in v.reason
    # a block that is not on top
    stacks = inst.data["initial"]
    tall = next((i for i, s in enumerate(stacks) if len(s) >= 2), None)
    if tall is not None:
        under = stacks[tall][-2]
        v = sb.verify(inst, f"<<<Move {under} from stack{tall + 1} to stack{(tall + 1) % len(stacks) + 1}>>>")
        assert v.reason.startswith("violates:") and "not on top" in v.reason
    v = sb.verify(inst, f"<<<Move A from stack{len(stacks) + 1} to stack1>>>")
    assert v.reason.startswith("violates:") and "no stack" in v.reason
    # swapping two moves of the optimal plan breaks it
    if len(lines) >= 2 and lines[0].split()[1] != lines[1].split()[1]:
        v = sb.verify(inst, "<<<" + "\n".join([lines[1], lines[0]] + lines[2:]) + ">>>")
        assert not v.correct


def test_table_and_garbage_are_malformed() -> None:
    inst = sb.generate("blocksworld", 1, seed=5, complexity=2)[0]
    for bad in (
        "Move B from 2 to table",
        "Move B to stack 3",
        "B 2 3",
        "Move B from stack2 to stack3 and then",
    ):
        v = sb.verify(inst, f"<<<{bad}>>>")
        assert v.reason.startswith("malformed"), (bad, v)


def test_question_states_rules_and_no_table_example() -> None:
    inst = sb.generate("blocksworld", 1, seed=2, complexity=1)[0]
    assert "table" in inst.question and "Move B from stack2 to stack3" in inst.question
    assert "to table" not in inst.question  # the reference's own example was rejected by its checker


def test_weighted_fallback_still_valid() -> None:
    initial = [["G", "F", "E", "D", "C", "B", "A"], [], []]
    goal = [["A", "B", "C", "D", "E", "F", "G"]]
    plan, _optimal = solve(initial, goal)
    st = [list(s) for s in initial]
    for b, s, d in plan:
        assert st[s - 1][-1] == b
        st[d - 1].append(st[s - 1].pop())
    assert st == [goal[0], [], []]


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_published_instances_load_and_solve() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "blocksworld"))
    if not items:
        pytest.skip("no Blocksworld sample in the reference data")
    assert len(items) == len(list((REFERENCE_DATA / "Blocksworld_dataset").glob("*/blocksworld_task.txt")))
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        text = src.read_text()
        assert text.strip() in inst.question  # published state kept verbatim
        initial, goal = parse_task_text(text)
        assert inst.data["initial"] == initial and inst.data["goal"] == goal
        assert len(bfs_plan(initial, goal)) == inst.data["optimal_length"]
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    four = next(i for i in items if i.id.endswith("4_4_2_0/blocksworld_task.txt"))
    assert four.data["goal"] == [["A", "B", "C"], ["D"]] and len(four.data["initial"]) == 4
