"""Blocksworld (seen): rearrange lettered blocks on a fixed set of stacks by moving top blocks."""

from __future__ import annotations

import heapq
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import skip, sort_key
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong

State = tuple[tuple[str, ...], ...]

# node budgets: exact A* first; if it runs out, a weighted A* (not optimal) always finds a plan in the knob range
_EXACT_LIMIT = 20_000
_GREEDY_LIMIT = 400_000
MAX_MOVES = 500


def _done_count(state: State, goal: State) -> int:
    """Blocks sitting on a correct prefix of their goal stack (they never need to move again)."""
    n = 0
    for s, g in zip(state, goal, strict=True):
        k = 0
        while k < len(s) and k < len(g) and s[k] == g[k]:
            k += 1
        n += k
    return n


def solve(
    initial: Sequence[Sequence[str]], goal: Sequence[Sequence[str]]
) -> tuple[list[tuple[str, int, int]], bool]:
    """A plan as (block, from, to) with 1-based stacks, and whether it is proven optimal.

    A* on "blocks not yet in place" is admissible (every such block must move at least once), so its plan is
    optimal; when its node budget runs out a weighted A* finds a (longer) plan quickly instead.
    """
    try:
        return _astar(initial, goal, 1, _EXACT_LIMIT), True
    except RuntimeError:
        return _astar(initial, goal, 4, _GREEDY_LIMIT), False


def _astar(
    initial: Sequence[Sequence[str]], goal: Sequence[Sequence[str]], weight: int, limit: int
) -> list[tuple[str, int, int]]:
    start: State = tuple(tuple(s) for s in initial)
    target: State = tuple(tuple(g) for g in goal) + ((),) * (len(start) - len(goal))
    total = sum(len(s) for s in start)
    if sorted(b for s in start for b in s) != sorted(b for g in target for b in g):
        raise ValueError("initial and goal states hold different blocks")
    if start == target:
        return []
    counter = 0
    frontier: list[tuple[int, int, int, State]] = [
        (weight * (total - _done_count(start, target)), 0, counter, start)
    ]
    parent: dict[State, tuple[State, tuple[str, int, int]] | None] = {start: None}
    cost = {start: 0}
    while frontier:
        _, g, _, state = heapq.heappop(frontier)
        if state == target:
            plan: list[tuple[str, int, int]] = []
            cur = state
            while parent[cur] is not None:
                prev, move = parent[cur]  # type: ignore[misc]
                plan.append(move)
                cur = prev
            return plan[::-1]
        if g > cost[state]:
            continue
        for i, src in enumerate(state):
            if not src:
                continue
            block = src[-1]
            for j in range(len(state)):
                if j == i:
                    continue
                nxt = list(state)
                nxt[i] = src[:-1]
                nxt[j] = state[j] + (block,)
                ns = tuple(nxt)
                if ns not in cost or g + 1 < cost[ns]:
                    cost[ns] = g + 1
                    parent[ns] = (state, (block, i + 1, j + 1))
                    counter += 1
                    if counter > limit:
                        raise RuntimeError("blocksworld search budget exceeded")
                    h = weight * (total - _done_count(ns, target))
                    heapq.heappush(frontier, (g + 1 + h, g + 1, counter, ns))
    raise ValueError("goal state is unreachable")


def _fmt_stacks(stacks: Sequence[Sequence[str]]) -> str:
    return "\n".join(f"stack{i + 1}: {' '.join(s)}".rstrip() for i, s in enumerate(stacks))


def _fmt_plan(plan: Sequence[tuple[str, int, int]]) -> str:
    return "\n".join(f"Move {b} from stack{s} to stack{d}" for b, s, d in plan)


_RULES = (
    "Rules:\n"
    "- Stacks are listed from bottom to top; an empty stack shows nothing after the colon.\n"
    "- In one move you take the top block of a non-empty stack and put it on top of a different stack "
    "(which may be empty). Only the top block of a stack can be moved.\n"
    "- There is no table and you cannot create new stacks: every block is always on one of the {n} stacks "
    "stack1 to stack{n}.\n"
    "- At the end every stack must hold exactly the blocks listed for it in the goal state, in that order; "
    "any stack that the goal state does not list, or lists with nothing after the colon, must be empty.\n\n"
    "Give the whole plan, one move per line, in the form 'Move X from stackS to stackD', in the order the "
    "moves are made, inside <<< and >>>. For example:\n"
    "<<<Move B from stack2 to stack3\nMove A from stack1 to stack2>>>"
)


def _question(task_text: str, n_stacks: int) -> str:
    return (
        "Blocksworld task. Rearrange the blocks from the initial state into the goal state.\n\n"
        + task_text.strip()
        + "\n\n"
        + _RULES.format(n=n_stacks)
    )


def _state_text(initial: Sequence[Sequence[str]], goal: Sequence[Sequence[str]]) -> str:
    return f"Initial State:\n{_fmt_stacks(initial)}\n\nGoal State:\n{_fmt_stacks(goal)}"


_MOVE_RE = re.compile(
    r"(?:\d+\s*[.):]\s*)?(?:step\s*\d+\s*[.):]\s*)?move\s+(?:block\s+)?([A-Za-z][A-Za-z0-9]*)\s+from\s+"
    r"(?:stack\s*)?(\d+)\s+(?:to|onto)\s+(?:stack\s*)?(\d+)\s*[.;,]?",
    re.IGNORECASE,
)


def parse_moves(answer: str) -> list[tuple[str, int, int]]:
    """Read 'Move X from S to D' lines; stacks may be written ``2`` or ``stack2``."""
    text = clean(answer)
    parts = [
        p.strip() for p in re.split(r"\n|;|,(?=\s*(?:\d+\s*[.):]\s*)?move\b)", text, flags=re.IGNORECASE)
    ]
    moves: list[tuple[str, int, int]] = []
    for part in parts:
        part = part.strip(" \t-*`'\"")
        if not part:
            continue
        m = _MOVE_RE.fullmatch(part)
        if not m:
            raise ParseError(f"cannot read move {part[:60]!r}; expected 'Move X from stackS to stackD'")
        if len(m.group(2)) > 4 or len(m.group(3)) > 4:
            raise ParseError(f"stack number too large in {part[:60]!r}")
        moves.append((m.group(1).upper(), int(m.group(2)), int(m.group(3))))
        if len(moves) > MAX_MOVES:
            raise ParseError(f"more than {MAX_MOVES} moves")
    return moves


def _parse_state_block(text: str) -> list[list[str]]:
    stacks: dict[int, list[str]] = {}
    for line in text.strip().splitlines():
        m = re.fullmatch(r"\s*stack\s*(\d+)\s*:(.*)", line)
        if m:
            stacks[int(m.group(1))] = m.group(2).split()
    if not stacks:
        raise ValueError("no stacks found")
    n = max(stacks)
    return [stacks.get(i, []) for i in range(1, n + 1)]


def parse_task_text(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """Initial and goal stacks from the published ``blocksworld_task.txt`` text."""
    m = re.search(r"Initial State:(.*?)Goal State:(.*)", text, re.DOTALL | re.IGNORECASE)
    if not m:
        raise ValueError("no 'Initial State:' / 'Goal State:' blocks")
    return _parse_state_block(m.group(1)), _parse_state_block(m.group(2))


@register
class Blocksworld(Task):
    name = "blocksworld"
    title = "Blocksworld"
    seen = True
    description = (
        "Lettered blocks sit on a fixed, numbered set of stacks; move one top block at a time onto another "
        "stack until every stack matches the goal. Verified by simulation (legal top-of-stack moves, exact goal "
        "state); any valid plan passes and its length is reported next to the optimal length found by A*. "
        "Complexity grows with the number of blocks and stacks (level 1: 2 blocks on 3 stacks; level 5: 6 "
        "blocks on 5 stacks)."
    )
    knobs = (
        Knob("blocks", int, 3, "number of blocks (letters A, B, ...)", lo=2, hi=7),
        Knob(
            "stacks",
            int,
            3,
            "number of stacks in the initial state (at least 3, so every goal is reachable)",
            lo=3,
            hi=6,
        ),
        Knob(
            "goal_stacks", int, 2, "number of stacks listed in the goal; the rest must end empty", lo=1, hi=6
        ),
    )
    presets = {
        1: {"blocks": 2, "stacks": 3, "goal_stacks": 2},
        2: {"blocks": 3, "stacks": 4, "goal_stacks": 3},
        3: {"blocks": 4, "stacks": 4, "goal_stacks": 3},
        4: {"blocks": 5, "stacks": 5, "goal_stacks": 3},
        5: {"blocks": 6, "stacks": 5, "goal_stacks": 4},
    }
    reference_dirs = ("Blocksworld_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["goal_stacks"] > cfg["stacks"]:
            raise ValueError(
                f"blocksworld: goal_stacks ({cfg['goal_stacks']}) must be <= stacks ({cfg['stacks']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n, s, gs = cfg["blocks"], cfg["stacks"], cfg["goal_stacks"]
        letters = [chr(ord("A") + i) for i in range(n)]
        while True:
            initial: list[list[str]] = [[] for _ in range(s)]
            for b in rng.sample(letters, n):
                initial[rng.randrange(s)].append(b)
            goal: list[list[str]] = [[] for _ in range(gs)]
            for b in rng.sample(letters, n):
                goal[rng.randrange(gs)].append(b)
            if [list(x) for x in initial] != goal + [[]] * (s - gs):
                break
        plan, optimal = solve(initial, goal)
        data = {"initial": initial, "goal": goal, "optimal_length": len(plan) if optimal else None}
        return Draft(_question(_state_text(initial, goal), s), _fmt_plan(plan), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        moves = parse_moves(answer)
        stacks = [list(s) for s in data["initial"]]
        goal = [list(g) for g in data["goal"]] + [[] for _ in range(len(stacks) - len(data["goal"]))]
        info: dict[str, Any] = {"plan_length": len(moves), "optimal_length": data.get("optimal_length")}
        for k, (block, src, dst) in enumerate(moves, 1):
            text = f"move {k} (Move {block} from stack{src} to stack{dst})"
            for idx in (src, dst):
                if not 1 <= idx <= len(stacks):
                    return violates(f"{text}: there is no stack{idx} (stacks are 1..{len(stacks)})", **info)
            if src == dst:
                return violates(f"{text}: source and destination are the same stack", **info)
            if not stacks[src - 1]:
                return violates(f"{text}: stack{src} is empty", **info)
            top = stacks[src - 1][-1]
            if top != block:
                return violates(f"{text}: {block} is not on top of stack{src} (top is {top})", **info)
            stacks[dst - 1].append(stacks[src - 1].pop())
        if stacks != goal:
            diff = next(i for i in range(len(goal)) if stacks[i] != goal[i])
            got = " ".join(stacks[diff]) or "empty"
            want = " ".join(goal[diff]) or "empty"
            return wrong(f"after {len(moves)} moves stack{diff + 1} is '{got}', goal is '{want}'", **info)
        return ok(**info)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        base = root / "Blocksworld_dataset"
        if not base.is_dir():
            return
        for f in sorted(base.glob("*/blocksworld_task.txt"), key=lambda p: sort_key(p.relative_to(base))):
            try:
                text = f.read_text()
                initial, goal = parse_task_text(text)
                if len(goal) > len(initial):
                    skip(f.relative_to(root), "goal has more blocks than the initial state")
                    continue
                plan, optimal = solve(initial, goal)
            except (OSError, ValueError, RuntimeError):
                skip(f.relative_to(root), "task text unreadable or no plan found")
                continue
            yield RefItem(
                source=str(f.relative_to(root)),
                question=_question(text, len(initial)),
                answer=_fmt_plan(plan),
                data={"initial": initial, "goal": goal, "optimal_length": len(plan) if optimal else None},
            )
