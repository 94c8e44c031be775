"""BoxNet (seen): one agent per grid square moves coloured boxes to same-colour targets, in parallel steps."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import skip, sort_key
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, partial

COLORS = ("blue", "red", "green", "purple", "orange")
Cell = tuple[int, int]
# state: square -> Counter of items ("box_red", "target_red", ...)
State = dict[Cell, Counter[str]]
Action = tuple[Cell, str, "Cell | str"]  # (agent square, box item, destination square or target item)
MAX_STEPS = 400
MAX_ACTIONS = 5000


def _key(c: Cell) -> str:
    return f"{c[0] + 0.5}_{c[1] + 0.5}"


def _sq(c: Cell) -> str:
    return f"[{c[0] + 0.5}, {c[1] + 0.5}]"


def _neighbours(c: Cell, rows: int, cols: int) -> list[Cell]:
    r, k = c
    cand = [(r - 1, k), (r + 1, k), (r, k - 1), (r, k + 1)]
    return [(a, b) for a, b in cand if 0 <= a < rows and 0 <= b < cols]


def _dist(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _assign(boxes: Sequence[Cell], targets: Sequence[Cell]) -> list[int]:
    """Index of the target for each box (same colour), minimising the summed Manhattan distance."""
    best: tuple[int, ...] = ()
    best_cost = -1
    for perm in itertools.permutations(range(len(targets)), len(boxes)):
        cost = sum(_dist(b, targets[t]) for b, t in zip(boxes, perm, strict=True))
        if best_cost < 0 or cost < best_cost:
            best, best_cost = perm, cost
    return list(best)


def plan_greedy(rows: int, cols: int, items: Mapping[Cell, Sequence[str]]) -> list[list[Action]]:
    """A valid parallel plan. Each step boxes are re-paired with same-colour targets at minimum total distance;
    then every agent matches a box that sits on its paired target, or else pushes its farthest box one square
    towards its target. The optimal pairing cost drops every step, so the loop ends.

    Every action applies to the state at the start of the step (the semantics the verifier enforces).
    """
    boxes: dict[str, list[Cell]] = {}
    targets: dict[str, list[Cell]] = {}
    for cell in sorted(items):
        for it in items[cell]:
            kind, color = it.split("_", 1)
            (boxes if kind == "box" else targets).setdefault(color, []).append(cell)
    for color in set(boxes) | set(targets):
        if len(boxes.get(color, [])) != len(targets.get(color, [])):
            raise ValueError(f"colour {color} needs as many targets as boxes")
        if len(boxes[color]) > 7:
            raise ValueError(f"too many boxes of colour {color} for the planner")
    plan: list[list[Action]] = []
    while any(boxes.values()):
        goal: dict[tuple[str, int], Cell] = {}
        for color in sorted(boxes):
            for bi, ti in enumerate(_assign(boxes[color], targets[color])):
                goal[(color, bi)] = targets[color][ti]
        by_cell: dict[Cell, list[tuple[str, int]]] = {}
        for color in sorted(boxes):
            for bi, cell in enumerate(boxes[color]):
                by_cell.setdefault(cell, []).append((color, bi))
        step: list[Action] = []
        matched: list[tuple[str, int]] = []
        moved: dict[tuple[str, int], Cell] = {}
        for cell in sorted(by_cell):
            here = by_cell[cell]
            ready = [b for b in here if goal[b] == cell]
            if ready:
                color, bi = ready[0]
                step.append((cell, f"box_{color}", f"target_{color}"))
                matched.append((color, bi))
                continue
            color, bi = max(here, key=lambda b: (_dist(goal[b], cell), b[0], -b[1]))
            gr, gc = goal[(color, bi)]
            if gr != cell[0]:
                nxt = (cell[0] + (1 if gr > cell[0] else -1), cell[1])
            else:
                nxt = (cell[0], cell[1] + (1 if gc > cell[1] else -1))
            step.append((cell, f"box_{color}", nxt))
            moved[(color, bi)] = nxt
        for (color, bi), nxt in moved.items():
            boxes[color][bi] = nxt
        for color, bi in sorted(matched, key=lambda b: -b[1]):
            targets[color].remove(goal[(color, bi)])
            boxes[color].pop(bi)
        plan.append(step)
    return plan


def _fmt_plan(plan: list[list[Action]]) -> str:
    steps = []
    for step in plan:
        parts = []
        for cell, box, dest in step:
            d = dest if isinstance(dest, str) else f"square{_sq(dest)}"
            parts.append(f'"Agent{_sq(cell)}": "move({box}, {d})"')
        steps.append("{" + ", ".join(parts) + "}")
    return "[" + ", ".join(steps) + "]"


_NUM = r"[+-]?\d{1,4}(?:\.\d{1,6})?"
_PAIR_RE = re.compile(
    r"""["']?\s*agent\s*\[\s*(?P<ar>NUM)\s*,\s*(?P<ac>NUM)\s*\]\s*["']?\s*:\s*["']?\s*
        move\s*\(\s*(?P<box>[a-z]+_[a-z]+)\s*,\s*
        (?:square\s*\[\s*(?P<dr>NUM)\s*,\s*(?P<dc>NUM)\s*\]|(?P<tgt>[a-z]+_[a-z]+))\s*\)\s*["']?""".replace(
        "NUM", _NUM
    ),
    re.IGNORECASE | re.VERBOSE,
)


def _cell(r: str, c: str) -> Cell | None:
    fr, fc = Fraction(r) - Fraction(1, 2), Fraction(c) - Fraction(1, 2)
    if fr.denominator != 1 or fc.denominator != 1:
        return None
    return (int(fr), int(fc))


def parse_plan(answer: str) -> list[list[tuple[str, Cell | None, str, Cell | str | None]]]:
    """Steps of (agent text, agent square, box, destination); squares that are not grid centres become None.

    Read with a grammar instead of a JSON parser so that repeated agent keys in one step are seen (a JSON
    parser silently keeps the last one), single quotes work and ``move(box_red,target_red)`` needs no space.
    """
    text = clean(answer)
    if text.startswith("```"):
        text = clean(text.strip("`"))
    body = text.strip()
    if body.startswith("["):
        if not body.endswith("]"):
            raise ParseError("unbalanced [ ]: expected a JSON list of step dictionaries")
        body = body[1:-1]
    steps: list[list[tuple[str, Cell | None, str, Cell | str | None]]] = []
    pos = 0
    n_actions = 0
    for m in re.finditer(r"\{([^{}]*)\}", body):
        if body[pos : m.start()].strip(" \t\n,"):
            raise ParseError(f"unexpected text between steps: {body[pos : m.start()].strip()[:40]!r}")
        pos = m.end()
        inner = m.group(1)
        actions = []
        ipos = 0
        for a in _PAIR_RE.finditer(inner):
            if inner[ipos : a.start()].strip(" \t\n,"):
                raise ParseError(f"cannot read action text {inner[ipos : a.start()].strip()[:50]!r}")
            ipos = a.end()
            agent = f"Agent[{a.group('ar')}, {a.group('ac')}]"
            dest: Cell | str | None
            if a.group("tgt"):
                dest = a.group("tgt").lower()
            else:
                dest = _cell(a.group("dr"), a.group("dc"))
            actions.append((agent, _cell(a.group("ar"), a.group("ac")), a.group("box").lower(), dest))
            n_actions += 1
        if inner[ipos:].strip(" \t\n,"):
            raise ParseError(f"cannot read action text {inner[ipos:].strip()[:50]!r}")
        steps.append(actions)
        if len(steps) > MAX_STEPS or n_actions > MAX_ACTIONS:
            raise ParseError("plan too long")
    if body[pos:].strip(" \t\n,"):
        raise ParseError(f"unexpected text after the steps: {body[pos:].strip()[:40]!r}")
    if not steps:
        raise ParseError('expected a JSON list of step dictionaries like [{"Agent[0.5, 0.5]": "move(...)"}]')
    return steps


def simulate(rows: int, cols: int, items: Mapping[Cell, Sequence[str]], answer: str, cap: int) -> Verdict:
    """Run the plan step by step. Each agent acts at most once per step, on items present in its square at the
    start of the step; the first illegal action ends the run. Score: share of boxes delivered."""
    steps = parse_plan(answer)
    state: State = {(r, c): Counter(items.get((r, c), ())) for r in range(rows) for c in range(cols)}
    total = sum(n for cnt in state.values() for it, n in cnt.items() if it.startswith("box_"))
    delivered = 0

    def remaining() -> int:
        return total - delivered

    info: dict[str, Any] = {"boxes_total": total, "step_cap": cap}
    for k, step in enumerate(steps, 1):
        if remaining() == 0:
            break  # everything is delivered; the rest of the answer is ignored
        info.update(boxes_delivered=delivered, steps_used=k - 1)
        if k > cap:
            return partial(
                False,
                delivered,
                total,
                f"wrong: {remaining()} boxes still undelivered after the step cap of {cap}",
                **info,
            )
        start = {c: Counter(v) for c, v in state.items()}
        acted: set[Cell] = set()
        for agent, cell, box, dest in step:
            where = (
                f"step {k}, {agent}: move({box}, "
                + (dest if isinstance(dest, str) else (f"square{_sq(dest)}" if dest else "?"))
                + ")"
            )
            msg = ""
            if cell is None or cell not in state:
                msg = f"there is no agent there (the grid has {rows} x {cols} squares)"
            elif cell in acted:
                msg = "this agent already acts in this step"
            elif not box.startswith("box_"):
                msg = f"{box} is not a box"
            elif start[cell][box] <= 0:
                msg = f"there is no {box} in its square at the start of the step"
            elif isinstance(dest, str):
                if dest != "target_" + box[4:]:
                    msg = f"a {box} can only be matched with target_{box[4:]}"
                elif start[cell][dest] <= 0:
                    msg = f"there is no {dest} in its square"
            elif dest is None or dest not in _neighbours(cell, rows, cols):
                msg = "the destination is not a square next to the agent's square"
            if msg:
                return partial(False, delivered, total, f"violates: {where}: {msg}", **info)
            acted.add(cell)  # type: ignore[arg-type]
            assert cell is not None
            start[cell][box] -= 1
            state[cell][box] -= 1
            if isinstance(dest, str):
                start[cell][dest] -= 1
                state[cell][dest] -= 1
                delivered += 1
            else:
                assert dest is not None  # a None destination was refused above
                state[dest][box] += 1
        info.update(boxes_delivered=delivered, steps_used=k)
    info.update(boxes_delivered=delivered)
    info.setdefault("steps_used", 0)
    if remaining():
        return partial(
            False, delivered, total, f"wrong: {remaining()} of {total} boxes are never delivered", **info
        )
    return partial(True, delivered, total, "ok", **info)


def _state_lines(rows: int, cols: int, items: Mapping[Cell, Sequence[str]]) -> str:
    lines = []
    for r in range(rows):
        for c in range(cols):
            here = list(items.get((r, c), ()))
            acts = []
            for box in sorted({it for it in here if it.startswith("box_")}, key=here.index):
                acts += [f"move({box}, square{_sq(n)})" for n in _neighbours((r, c), rows, cols)]
                if "target_" + box[4:] in here:
                    acts.append(f"move({box}, target_{box[4:]})")
            lines.append(
                f"Agent{_sq((r, c))}: I am in square{_sq((r, c))}, I can observe {here}, I can do {acts}"
            )
    return "\n".join(lines)


def _question(rows: int, cols: int, items: Mapping[Cell, Sequence[str]], cap: int) -> str:
    return (
        "You are a central planner directing agents in a grid of square cells to move coloured boxes onto "
        "targets of the same colour. The grid has "
        f"{rows} row(s) and {cols} column(s); each cell is a 1x1 square identified by its centre, e.g. "
        "square[0.5, 1.5] (row coordinate first), and holds exactly one agent, named after its square "
        "(Agent[0.5, 1.5]). A square may hold several boxes and targets.\n\n"
        "Rules:\n"
        "1. An agent can only handle boxes in its own square. Its possible actions are "
        "move(box_<colour>, square[r, c]) to push a box into a horizontally or vertically adjacent square, and "
        "move(box_<colour>, target_<colour>) to put a box on a target of the same colour in its own square; the "
        "box and that target then disappear.\n"
        "2. The plan is a list of steps. In each step every agent does at most one action (leave an agent out "
        "when it has nothing to do). All actions of a step start from the state at the start of that step: a "
        "box pushed into a square during a step can only be handled there from the next step on.\n"
        "3. Every action must be legal; the first illegal action ends the plan.\n"
        f"4. All boxes must be matched to targets within at most {cap} steps (fewer is better).\n\n"
        "The current state (each agent's view and its possible actions):\n"
        f"{_state_lines(rows, cols, items)}\n\n"
        "Answer with a JSON list with one dictionary per step, mapping agents to actions, inside <<< and >>>, "
        'for example: <<<[{"Agent[0.5, 0.5]": "move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]": '
        '"move(box_red, target_red)"}, {"Agent[0.5, 1.5]": "move(box_blue, target_blue)"}]>>>'
    )


def _draft(rows: int, cols: int, items: dict[Cell, list[str]], slack: float) -> Draft:
    plan = plan_greedy(rows, cols, items)
    cap = max(1, math.ceil(slack * len(plan) - 1e-9))
    data = {
        "rows": rows,
        "cols": cols,
        "items": {_key(c): list(v) for c, v in sorted(items.items())},
        "step_cap": cap,
        "reference_steps": len(plan),
    }
    return Draft(_question(rows, cols, items, cap), _fmt_plan(plan), data)


def _items_from(raw: Mapping[str, Sequence[str]]) -> dict[Cell, list[str]]:
    out: dict[Cell, list[str]] = {}
    for k, v in raw.items():
        r, c = k.split("_")
        cell = _cell(r, c)
        if cell is None:
            raise ValueError(f"bad square key {k!r}")
        out[cell] = [str(x) for x in v]
    return out


@register
class BoxNet(Task):
    name = "boxnet"
    title = "BoxNet"
    seen = True
    description = (
        "A rows x cols grid with one agent per square; agents push coloured boxes to neighbouring squares or "
        "onto same-colour targets in their own square, one action per agent per step, all actions of a step "
        "applied to the state at its start. The plan is simulated: correct means every box delivered within "
        "the step cap (a slack factor times the length of a greedy planner's plan); score is the share of boxes "
        "delivered before the first illegal action or the cap. Complexity grows with the grid (level 1: 1x2; "
        "levels 2-5: 2x2, 2x4, 4x4, 4x8), with 5 colours and 1-3 boxes per colour as in the reference test set."
    )
    knobs = (
        Knob("rows", int, 2, "grid rows", lo=1, hi=8),
        Knob("cols", int, 2, "grid columns", lo=1, hi=8),
        Knob("colors", int, 5, f"number of colours, taken from {', '.join(COLORS)}", lo=1, hi=len(COLORS)),
        Knob("min_per_color", int, 1, "fewest boxes of a colour", lo=1, hi=6),
        Knob("max_per_color", int, 3, "most boxes of a colour", lo=1, hi=6),
        Knob(
            "slack",
            float,
            1.5,
            "step cap = ceil(slack x length of the greedy reference plan)",
            lo=1.0,
            hi=10.0,
        ),
    )
    presets = {
        1: {"rows": 1, "cols": 2},
        2: {"rows": 2, "cols": 2},
        3: {"rows": 2, "cols": 4},
        4: {"rows": 4, "cols": 4},
        5: {"rows": 4, "cols": 8},
    }
    reference_dirs = ("BoxNet1_dataset", "BoxNet1_dataset_SFT")
    max_answer_chars = 200_000

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_per_color"] > cfg["max_per_color"]:
            raise ValueError(
                f"boxnet: min_per_color ({cfg['min_per_color']}) must be <= max_per_color ({cfg['max_per_color']})"
            )
        if cfg["rows"] * cfg["cols"] < 2:
            raise ValueError("boxnet: the grid needs at least 2 squares (rows x cols >= 2)")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        rows, cols = cfg["rows"], cfg["cols"]
        cells = [(r, c) for r in range(rows) for c in range(cols)]
        items: dict[Cell, list[str]] = {c: [] for c in cells}
        for color in COLORS[: cfg["colors"]]:
            for _ in range(rng.randint(cfg["min_per_color"], cfg["max_per_color"])):
                items[rng.choice(cells)].append(f"box_{color}")
                items[rng.choice(cells)].append(f"target_{color}")
        for c in cells:
            rng.shuffle(items[c])
        return _draft(rows, cols, items, cfg["slack"])

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        items = _items_from(data["items"])
        return simulate(int(data["rows"]), int(data["cols"]), items, answer, int(data["step_cap"]))

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        slack = next(k.default for k in self.knobs if k.name == "slack")
        for top in self.reference_dirs:
            base = root / top
            if not base.is_dir():
                continue
            files = sorted(
                base.glob("env_pg_state_*/pg_state*/pg_state*.json"),
                key=lambda p: sort_key(p.relative_to(base)),
            )
            for f in files:
                m = re.fullmatch(r"env_pg_state_(\d+)_(\d+)", f.parent.parent.name)
                if not m:
                    skip(f.relative_to(root), "folder name does not give the grid size")
                    continue
                try:
                    rows, cols = int(m.group(1)), int(m.group(2))
                    items = _items_from(json.loads(f.read_text()))
                    if any(not (0 <= r < rows and 0 <= c < cols) for r, c in items):
                        skip(f.relative_to(root), "an item lies outside the grid")
                        continue
                    draft = _draft(rows, cols, items, slack)
                except (OSError, ValueError, AttributeError, TypeError):
                    skip(f.relative_to(root), "state file unreadable")
                    continue
                yield RefItem(
                    source=str(f.relative_to(root)),
                    question=draft.question,
                    answer=draft.answer,
                    data=draft.data,
                )
