"""Path Plan (seen): a polyline through a 2-D room with coloured boxes to visit and boxes to avoid."""

from __future__ import annotations

import heapq
import math
import random
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._task import Draft, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong

COLORS = ("red", "blue", "green", "yellow", "pink", "purple", "orange")
# all geometry is generated on a grid of UNIT = 1/40 (0.025); the room is the open square (-HALF, HALF)^2
SCALE = 40
HALF = 60  # 1.5
GAP = 6  # 0.15: clearance between boxes, from the walls, and around the start and goal
MIN_SIDE, MAX_SIDE = 8, 24  # box sides 0.2 .. 0.6, on a 0.05 grid
TOL = Fraction(1, 1000)  # start/goal tolerance per coordinate
MAX_WAYPOINTS = 200

Rect = tuple[int, int, int, int]  # x0, x1, y0, y1 in grid units
FRect = tuple[Fraction, Fraction, Fraction, Fraction]
Point = tuple[Fraction, Fraction]


def _dec(units: int | Fraction) -> str:
    d = Decimal(Fraction(units).numerator) / Decimal(Fraction(units).denominator * SCALE)
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "0") else s


# --- exact geometry -------------------------------------------------------------------------------------


def clip(
    p: Sequence[Fraction], q: Sequence[Fraction], r: Sequence[Fraction]
) -> tuple[Fraction, Fraction] | None:
    """The parameter interval [lo, hi] within [0, 1] where segment p->q lies in the closed box r, or None.

    Liang-Barsky on exact rationals: touching an edge or a corner gives a one-point interval, so "no contact"
    and "intersects" are decided exactly, including segments lying along an edge and zero-length segments.
    """
    lo, hi = Fraction(0), Fraction(1)
    for a, d, bmin, bmax in ((p[0], q[0] - p[0], r[0], r[1]), (p[1], q[1] - p[1], r[2], r[3])):
        if d == 0:
            if a < bmin or a > bmax:
                return None
            continue
        t1, t2 = (bmin - a) / d, (bmax - a) / d
        if t1 > t2:
            t1, t2 = t2, t1
        lo, hi = max(lo, t1), min(hi, t2)
        if lo > hi:
            return None
    return lo, hi


def _clip_f(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float, float, float]) -> bool:
    """Float twin of ``clip`` for the planner (used with a safety margin; the final path is checked exactly)."""
    lo, hi = 0.0, 1.0
    for a, d, bmin, bmax in ((p[0], q[0] - p[0], r[0], r[1]), (p[1], q[1] - p[1], r[2], r[3])):
        if d == 0:
            if a < bmin or a > bmax:
                return False
            continue
        t1, t2 = (bmin - a) / d, (bmax - a) / d
        if t1 > t2:
            t1, t2 = t2, t1
        lo, hi = max(lo, t1), min(hi, t2)
        if lo > hi:
            return False
    return True


# --- planner ----------------------------------------------------------------------------------------------


def _leg(a: tuple[float, float], b: tuple[float, float], avoid: Sequence[Rect]) -> list[tuple[float, float]]:
    """Shortest visibility-graph path from a to b around the avoided boxes.

    Nodes are the corners of the boxes grown by 2 units; an edge is valid when it stays clear of the boxes
    grown by 1 unit. Boxes are disjoint and away from the walls, so the free space is connected and the
    graph always finds a path.
    """
    blocked = [(x0 - 1.0, x1 + 1.0, y0 - 1.0, y1 + 1.0) for x0, x1, y0, y1 in avoid]

    def free(p: tuple[float, float], q: tuple[float, float]) -> bool:
        return not any(_clip_f(p, q, r) for r in blocked)

    if free(a, b):
        return [a, b]
    nodes = [a, b] + [
        (float(x), float(y)) for x0, x1, y0, y1 in avoid for x in (x0 - 2, x1 + 2) for y in (y0 - 2, y1 + 2)
    ]
    dist = [math.inf] * len(nodes)
    prev = [-1] * len(nodes)
    dist[0] = 0.0
    heap = [(0.0, 0)]
    done = [False] * len(nodes)
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        if u == 1:
            break
        for v in range(len(nodes)):
            if done[v]:
                continue
            w = d + math.dist(nodes[u], nodes[v])
            if w < dist[v] and free(nodes[u], nodes[v]):
                dist[v] = w
                prev[v] = u
                heapq.heappush(heap, (w, v))
    if not done[1]:
        raise RuntimeError("no path found")
    path = [1]
    while path[-1] != 0:
        path.append(prev[path[-1]])
    return [nodes[i] for i in reversed(path)]


def plan(
    start: tuple[int, int],
    goal: tuple[int, int],
    boxes: Sequence[Rect],
    visit: Sequence[int],
    avoid: Sequence[int],
) -> list[tuple[float, float]]:
    """Waypoints (grid units) through the centre of each visited box in order, never touching an avoided box."""
    stops = [(float(start[0]), float(start[1]))]
    stops += [((boxes[i][0] + boxes[i][1]) / 2, (boxes[i][2] + boxes[i][3]) / 2) for i in visit]
    stops.append((float(goal[0]), float(goal[1])))
    obstacles = [boxes[i] for i in avoid]
    path = [stops[0]]
    for a, b in zip(stops, stops[1:], strict=False):
        path += _leg(a, b, obstacles)[1:]
    return path


# --- generator --------------------------------------------------------------------------------------------


def _place_boxes(rng: random.Random, n: int) -> list[Rect] | None:
    boxes: list[Rect] = []
    for _ in range(n):
        for _attempt in range(200):
            w = 2 * rng.randint(MIN_SIDE // 2, MAX_SIDE // 2)
            h = 2 * rng.randint(MIN_SIDE // 2, MAX_SIDE // 2)
            x0 = 2 * rng.randint((-HALF + GAP) // 2, (HALF - GAP - w) // 2)
            y0 = 2 * rng.randint((-HALF + GAP) // 2, (HALF - GAP - h) // 2)
            r = (x0, x0 + w, y0, y0 + h)
            if all(
                r[1] + GAP <= b[0] or b[1] + GAP <= r[0] or r[3] + GAP <= b[2] or b[3] + GAP <= r[2]
                for b in boxes
            ):
                boxes.append(r)
                break
        else:
            return None
    return boxes


def _free_point(rng: random.Random, boxes: Sequence[Rect]) -> tuple[int, int] | None:
    for _ in range(200):
        x = 2 * rng.randint((-HALF + GAP) // 2, (HALF - GAP) // 2)
        y = 2 * rng.randint((-HALF + GAP) // 2, (HALF - GAP) // 2)
        if all(x + GAP <= b[0] or b[1] + GAP <= x or y + GAP <= b[2] or b[3] + GAP <= y for b in boxes):
            return x, y
    return None


def _names(colors: Sequence[str]) -> str:
    words = [f"the {c} box" for c in colors]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _instruction(visit: Sequence[str], avoid: Sequence[str], ordered: bool) -> str:
    if ordered and len(visit) > 1:
        text = "visit " + ", then ".join(f"the {c} box" for c in visit) + ", in this order"
    elif len(visit) > 1:
        text = f"visit {_names(visit)} (in any order)"
    else:
        text = f"visit {_names(visit)}"
    if avoid:
        text += f", and never touch {_names(avoid).replace(' and ', ' or ')}"
    return "Go from the start point to the end point; on the way, " + text + "."


def _question(data: Mapping[str, Any]) -> str:
    box_lines = "\n".join(
        f"- {c} box: x from {b[0]} to {b[1]}, y from {b[2]} to {b[3]}" for c, b in data["boxes"].items()
    )
    sx, sy = data["start"]
    gx, gy = data["goal"]
    order_rule = (
        "- 'In this order' means the path must touch the boxes in that sequence: there must be points along "
        "the path, in travel order, lying in the first box, then in the second, and so on (touching other boxes "
        "in between, or a later box earlier, does not matter).\n"
        if data["ordered"] and len(data["visit"]) > 1
        else ""
    )
    return (
        "A point robot moves in a square room: x and y both strictly between -1.5 and 1.5 (the walls are on "
        "the lines x = -1.5, x = 1.5, y = -1.5 and y = 1.5 and must not be touched). The room contains "
        "these axis-aligned rectangular boxes (each includes its boundary):\n"
        f"{box_lines}\n"
        f"Start point: ({sx}, {sy}). End point: ({gx}, {gy}).\n\n"
        f"Instruction: {_instruction(data['visit'], data['avoid'], data['ordered'])}\n\n"
        "Give the path as a list of waypoints joined by straight segments. Rules:\n"
        "- The first waypoint must be the start point and the last one the end point.\n"
        "- To visit a box, some point of the path (a waypoint or a point on a segment) must lie inside the box "
        "or on its boundary.\n"
        "- To never touch a box, no point of the path may lie inside the box or on its boundary.\n"
        f"{order_rule}"
        "- Boxes that the instruction does not mention may be crossed freely.\n"
        f"- Use at most {MAX_WAYPOINTS} waypoints.\n\n"
        "Answer with the waypoint list inside <<< and >>>, for example: "
        "<<<[(-1.2, -1.0), (0.35, -0.8), (1.0, 1.1)]>>>"
    )


# --- answer parsing and checking -------------------------------------------------------------------------

_NUM = r"[+-]?(?:\d{1,8}(?:\.\d{0,12})?|\.\d{1,12})(?:[eE][+-]?\d{1,2})?"
_PAIR = re.compile(r"[(\[]\s*(NUM)\s*[,;]\s*(NUM)\s*[)\]]".replace("NUM", _NUM))


def parse_waypoints(answer: str) -> list[Point]:
    """``[(x, y), ...]`` with tuples or lists; anything besides pairs, brackets and commas is malformed."""
    text = clean(answer)
    points: list[Point] = []
    pos = 0
    for m in _PAIR.finditer(text):
        if text[pos : m.start()].strip(" \t\n,;[]()"):
            raise ParseError(f"cannot read {text[pos : m.start()].strip()[:40]!r} in the waypoint list")
        pos = m.end()
        points.append((Fraction(m.group(1)), Fraction(m.group(2))))
        if len(points) > MAX_WAYPOINTS:
            raise ParseError(f"more than {MAX_WAYPOINTS} waypoints")
    if text[pos:].strip(" \t\n,;[]()"):
        raise ParseError(f"cannot read {text[pos:].strip()[:40]!r} in the waypoint list")
    if not points:
        raise ParseError("expected a list of waypoints like [(x0, y0), (x1, y1), ...]")
    return points


def _fmt_point(p: Sequence[Fraction]) -> str:
    return f"({float(p[0]):g}, {float(p[1]):g})"


def check_path(data: Mapping[str, Any], pts: Sequence[Point]) -> Verdict:
    boxes: dict[str, FRect] = {
        c: (Fraction(b[0]), Fraction(b[1]), Fraction(b[2]), Fraction(b[3])) for c, b in data["boxes"].items()
    }
    start = (Fraction(data["start"][0]), Fraction(data["start"][1]))
    goal = (Fraction(data["goal"][0]), Fraction(data["goal"][1]))
    info = {"waypoints": len(pts)}
    if len(pts) < 2:
        return wrong("the path needs at least two waypoints (start and end)", **info)
    for name, want, got in (("start", start, pts[0]), ("end", goal, pts[-1])):
        if abs(got[0] - want[0]) > TOL or abs(got[1] - want[1]) > TOL:
            return wrong(
                f"the path must {'begin' if name == 'start' else 'finish'} at the {name} point "
                f"{_fmt_point(want)}, not {_fmt_point(got)}",
                **info,
            )
    for k, p in enumerate(pts):
        if not (-1.5 < p[0] < 1.5 and -1.5 < p[1] < 1.5):
            return violates(f"waypoint {k + 1} {_fmt_point(p)} is not strictly inside the room", **info)
    segs = list(zip(pts, pts[1:], strict=False))
    for color in data["avoid"]:
        for k, (p, q) in enumerate(segs):
            if clip(p, q, boxes[color]) is not None:
                return violates(
                    f"segment {k + 1} {_fmt_point(p)} -> {_fmt_point(q)} touches the {color} box, "
                    "which must never be touched",
                    **info,
                )
    if data["ordered"]:
        at_seg, at_t = 0, Fraction(0)
        done: list[str] = []
        for color in data["visit"]:
            hit = None
            for k in range(at_seg, len(segs)):
                iv = clip(segs[k][0], segs[k][1], boxes[color])
                if iv is None or (k == at_seg and iv[1] < at_t):
                    continue
                hit = (k, max(iv[0], at_t) if k == at_seg else iv[0])
                break
            if hit is None:
                after = f" after visiting {_names(done)}" if done else ""
                return wrong(
                    f"the path does not visit the {color} box{after} (required order: "
                    f"{', '.join(data['visit'])})",
                    **info,
                )
            at_seg, at_t = hit
            done.append(color)
    else:
        for color in data["visit"]:
            if not any(clip(p, q, boxes[color]) is not None for p, q in segs):
                return wrong(f"the path never visits the {color} box", **info)
    return ok(**info)


@register
class PathPlan(Task):
    name = "path_plan"
    title = "Path Plan"
    seen = True
    description = (
        "Plan a polyline for a point robot in the square room (-1.5, 1.5)^2 with coloured rectangular boxes: "
        "start and end at given points, visit (touch) some boxes, optionally in a given order, and never touch "
        "others. Maps are random non-overlapping boxes; a visibility-graph planner proves every instance "
        "feasible, and the checker uses exact rational segment-box geometry (touching counts as contact). "
        "Complexity adds boxes, boxes to visit and to avoid, and visit order (level 1: 4 boxes, visit 1, avoid "
        "1; level 5: 7 boxes, visit 4 in order, avoid 3)."
    )
    knobs = (
        Knob("boxes", int, 7, "number of boxes in the room", lo=2, hi=len(COLORS)),
        Knob("visit", int, 2, "number of boxes to visit", lo=1, hi=4),
        Knob("avoid", int, 2, "number of boxes that must never be touched", lo=0, hi=6),
        Knob("ordered", bool, False, "whether the boxes must be visited in the given order"),
    )
    presets = {
        1: {"boxes": 4, "visit": 1, "avoid": 1, "ordered": False},
        2: {"boxes": 5, "visit": 2, "avoid": 1, "ordered": False},
        3: {"boxes": 7, "visit": 2, "avoid": 3, "ordered": False},
        4: {"boxes": 7, "visit": 3, "avoid": 3, "ordered": True},
        5: {"boxes": 7, "visit": 4, "avoid": 3, "ordered": True},
    }
    reference_dirs = ()

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["visit"] + cfg["avoid"] > cfg["boxes"]:
            raise ValueError(
                f"path_plan: visit ({cfg['visit']}) + avoid ({cfg['avoid']}) must be <= boxes ({cfg['boxes']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        while True:
            boxes = _place_boxes(rng, cfg["boxes"])
            if boxes is None:
                continue
            start = _free_point(rng, boxes)
            goal = _free_point(rng, boxes)
            if start is None or goal is None or math.dist(start, goal) < 1.2 * SCALE:
                continue
            colors = rng.sample(COLORS, cfg["boxes"])
            order = rng.sample(range(cfg["boxes"]), cfg["boxes"])
            visit, avoid = order[: cfg["visit"]], sorted(order[cfg["visit"] : cfg["visit"] + cfg["avoid"]])
            data = {
                "boxes": {colors[i]: [_dec(v) for v in boxes[i]] for i in range(len(boxes))},
                "start": [_dec(start[0]), _dec(start[1])],
                "goal": [_dec(goal[0]), _dec(goal[1])],
                "visit": [colors[i] for i in visit],
                "avoid": [colors[i] for i in avoid],
                "ordered": bool(cfg["ordered"]),
            }
            path = plan(start, goal, boxes, visit, avoid)
            answer = "[" + ", ".join(f"({_dec(Fraction(x))}, {_dec(Fraction(y))})" for x, y in path) + "]"
            if len(path) <= MAX_WAYPOINTS and check_path(data, parse_waypoints(answer)).correct:
                return Draft(_question(data), answer, data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_path(data, parse_waypoints(answer))
