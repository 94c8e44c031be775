"""Path Plan: exact segment-box geometry, an independent grid planner, order checks, the reference's bugs."""

from __future__ import annotations

import heapq
from fractions import Fraction as F

from codesteer import symbench as sb
from codesteer.symbench.suite.path_plan import clip


def _inside(x: float, y: float, b: list[str]) -> bool:
    return float(b[0]) <= x <= float(b[1]) and float(b[2]) <= y <= float(b[3])


def grid_plan(data: dict) -> list[tuple[float, float]]:
    """Independent planner: Dijkstra with a turn penalty over cell centres of a 0.05 grid (box edges lie on
    multiples of 0.05 and boxes are at least 0.2 wide, so a unit move touches a box only if it ends inside)."""
    h = 0.05
    n = 60  # centres at -1.5 + (i + 0.5) * h
    avoid = [data["boxes"][c] for c in data["avoid"]]

    def centre(i: int, j: int) -> tuple[float, float]:
        return (-1.5 + (i + 0.5) * h, -1.5 + (j + 0.5) * h)

    open_cells = {
        (i, j) for i in range(n) for j in range(n) if not any(_inside(*centre(i, j), b) for b in avoid)
    }

    def nearest(p: list[str]) -> tuple[int, int]:
        return (round((float(p[0]) + 1.5) / h - 0.5 - 1e-9), round((float(p[1]) + 1.5) / h - 0.5 - 1e-9))

    def leg(src: tuple[int, int], done) -> list[tuple[int, int]]:
        heap = [(0, src, -1)]
        prev: dict = {(src, -1): None}
        best: dict = {(src, -1): 0}
        while heap:
            cost, cell, d = heapq.heappop(heap)
            if done(cell):
                out = [cell]
                key = (cell, d)
                while prev[key] is not None:
                    key = prev[key]
                    out.append(key[0])
                return out[::-1]
            for nd, (di, dj) in enumerate(((1, 0), (-1, 0), (0, 1), (0, -1))):
                nc = (cell[0] + di, cell[1] + dj)
                if nc not in open_cells:
                    continue
                c2 = cost + 1 + (5 if d not in (-1, nd) else 0)
                if c2 < best.get((nc, nd), 10**9):
                    best[(nc, nd)] = c2
                    prev[(nc, nd)] = (cell, d)
                    heapq.heappush(heap, (c2, nc, nd))
        raise AssertionError("grid planner found no path")

    cells = [nearest(data["start"])]
    for color in data["visit"]:
        box = data["boxes"][color]
        targets = {(i, j) for i in range(n) for j in range(n) if _inside(*centre(i, j), box)}
        cells += leg(cells[-1], targets.__contains__)[1:]
    g = nearest(data["goal"])
    cells += leg(cells[-1], lambda c: c == g)[1:]
    # keep only the corners of the staircase
    keep = (
        [cells[0]]
        + [
            c
            for a, c, b in zip(cells, cells[1:], cells[2:], strict=False)
            if (c[0] - a[0], c[1] - a[1]) != (b[0] - c[0], b[1] - c[1])
        ]
        + [cells[-1]]
    )
    pts = [(float(data["start"][0]), float(data["start"][1]))] + [centre(*c) for c in keep]
    return pts + [(float(data["goal"][0]), float(data["goal"][1]))]


def _ans(pts: list[tuple[float, float]]) -> str:
    return "<<<[" + ", ".join(f"({x:.4f}, {y:.4f})" for x, y in pts) + "]>>>"


def test_independent_grid_plan_passes() -> None:
    insts = sb.generate("path_plan", 2, seed=17, complexity=5) + sb.generate(
        "path_plan", 1, seed=17, complexity=3
    )
    for inst in insts:
        pts = grid_plan(inst.data)
        assert len(pts) <= 200
        v = sb.verify(inst, _ans(pts))
        assert v.correct, (inst.id, v)


def test_clip_touching_and_containment() -> None:
    box = (F(0), F(1), F(0), F(1))
    assert clip((F(-1), F(-1)), (F(0), F(0)), box) == (F(1), F(1))  # touches a corner only
    assert clip((F(-1), F(1)), (F(2), F(1)), box) is not None  # runs along the top edge
    assert clip((F(-1), F(2)), (F(2), F(-1)), box) is not None  # cuts across the box from (0,1) to (1,0)
    assert clip((F(-1), F(3)), (F(3), F(-1)), box) == (
        F(1, 2),
        F(1, 2),
    )  # passes exactly through corner (1,1)
    assert clip((F(-1), F(1) + F(1, 10**9)), (F(2), F(1) + F(1, 10**9)), box) is None  # just above
    # a segment entirely inside the box crosses no edge: the reference's test missed it, ours does not
    assert clip((F(1, 4), F(1, 4)), (F(3, 4), F(3, 4)), box) == (F(0), F(1))
    assert clip((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)), box) is not None  # zero-length segment inside


def _handmade(ordered: bool, visit: list[str], avoid: list[str]) -> sb.Instance:
    data = {
        "boxes": {
            "red": ["-1", "-0.5", "-0.25", "0.25"],
            "blue": ["0.5", "1", "-0.25", "0.25"],
            "green": ["-0.25", "0.25", "0.5", "1"],
        },
        "start": ["-1.2", "-1"],
        "goal": ["1.2", "-1"],
        "visit": visit,
        "avoid": avoid,
        "ordered": ordered,
    }
    return sb.Instance("path_plan", "h", None, None, "q <<<>>>", "", data)


# through blue first, then red, then to the goal
BLUE_THEN_RED = "[(-1.2, -1), (0.75, 0), (-0.75, 0), (1.2, -1)]"


def test_visit_order_checked_only_when_asked() -> None:
    assert sb.verify(_handmade(False, ["red", "blue"], []), f"<<<{BLUE_THEN_RED}>>>").correct
    v = sb.verify(_handmade(True, ["red", "blue"], []), f"<<<{BLUE_THEN_RED}>>>")
    assert not v.correct and "order" in v.reason and "blue" in v.reason
    assert sb.verify(_handmade(True, ["blue", "red"], []), f"<<<{BLUE_THEN_RED}>>>").correct


def test_each_instance_uses_its_own_instruction() -> None:
    """The reference checked replies containing code against instruction 0 (an overwritten loop index)."""
    path = "<<<[(-1.2, -1), (0, -1), (0, 0.75), (0, -1), (1.2, -1)]>>>"  # goes through green only
    assert sb.verify(_handmade(False, ["green"], ["red"]), path).correct
    assert not sb.verify(_handmade(False, ["red"], ["green"]), path).correct


def test_avoid_means_no_contact() -> None:
    inst = _handmade(False, ["blue"], ["red"])
    touching = "<<<[(-1.2, -1), (-0.5, -0.25), (0.75, 0), (1.2, -1)]>>>"  # meets red's corner exactly
    v = sb.verify(inst, touching)
    assert v.reason.startswith("violates:") and "red" in v.reason
    clear = "<<<[(-1.2, -1), (-0.49, -0.26), (0.75, 0), (1.2, -1)]>>>"
    assert sb.verify(inst, clear).correct


def test_start_goal_tolerance_and_walls() -> None:
    inst = _handmade(False, ["blue"], [])
    assert sb.verify(inst, "<<<[[-1.2004, -1.0], [0.75, 0.0], [1.2, -0.9996]]>>>").correct
    v = sb.verify(inst, "<<<[(-1.19, -1), (0.75, 0), (1.2, -1)]>>>")
    assert v.reason.startswith("wrong:") and "start" in v.reason
    v = sb.verify(inst, "<<<[(-1.2, -1), (0.75, 1.5), (1.2, -1)]>>>")
    assert v.reason.startswith("violates:") and "room" in v.reason
    v = sb.verify(inst, "<<<[(-1.2, -1), (1.2, -1)]>>>")
    assert v.reason.startswith("wrong:") and "blue" in v.reason


def test_reference_answer_near_misses() -> None:
    inst = sb.generate("path_plan", 1, seed=8, complexity=4)[0]
    pts = inst.answer.strip("[]").split("), (")
    # dropping the last waypoint misses the end point
    assert not sb.verify(inst, "<<<[" + "), (".join(pts[:-1]) + ")]>>>").correct
    # the straight line from start to goal misses the boxes to visit (or hits one to avoid)
    direct = f"<<<[({inst.data['start'][0]}, {inst.data['start'][1]}), ({inst.data['goal'][0]}, {inst.data['goal'][1]})]>>>"
    assert not sb.verify(inst, direct).correct


def test_malformed() -> None:
    inst = _handmade(False, ["blue"], [])
    for bad in ("[(1, 2), banana]", "go right", "[(1, 2, 3)]", "[(1e999, 0)]"):
        assert sb.verify(inst, f"<<<{bad}>>>").reason.startswith("malformed"), bad
