"""MATH Geometry (seen): templated geometry problems with exact answers (fractions, radicals, pi)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._latex import check_math, choose_family, load_math_dir

MATH_FORMAT = (
    "Give the exact answer without units and without decimals, using fractions, square roots and \\pi as "
    "needed, in the format <<<answer>>>; for example <<<\\frac{3\\sqrt{2}}{4}>>> or <<<12\\pi>>> (plain text "
    "such as <<<3*sqrt(2)/4>>> or <<<12*pi>>> is accepted too)."
)


@dataclass(frozen=True)
class Exact:
    """``c * sqrt(r) * pi**k`` with rational c and square-free r: closed under the products geometry needs."""

    c: Fraction
    r: int = 1
    k: int = 0

    def __mul__(self, other: Exact | Fraction | int) -> Exact:
        if not isinstance(other, Exact):
            return Exact(self.c * Fraction(other), self.r, self.k)
        s, r = _split_square(self.r * other.r)
        return Exact(self.c * other.c * s, r, self.k + other.k)

    __rmul__ = __mul__

    def latex(self) -> str:
        """LaTeX the way MATH writes it: ``\\frac{3\\sqrt{2}\\pi}{4}``, ``-12``, ``\\pi``."""
        sign = "-" if self.c < 0 else ""
        p, q = abs(self.c.numerator), self.c.denominator
        parts = "" if p == 1 and (self.r != 1 or self.k) else str(p)
        if self.r != 1:
            parts += f"\\sqrt{{{self.r}}}"
        if self.k == 1:
            parts += "\\pi"
        elif self.k > 1:
            parts += f"\\pi^{{{self.k}}}"
        if q == 1:
            return sign + parts
        return f"{sign}\\frac{{{parts}}}{{{q}}}"


def _split_square(n: int) -> tuple[int, int]:
    """n = s*s*r with r square-free."""
    s, r, f = 1, n, 2
    while f * f <= r:
        while r % (f * f) == 0:
            r //= f * f
            s *= f
        f += 1
    return s, r


def sqrt_exact(x: Fraction | int) -> Exact:
    """Exact square root of a non-negative rational."""
    x = Fraction(x)
    if x < 0:
        raise ValueError("negative radicand")
    s, r = _split_square(x.numerator * x.denominator)
    return Exact(Fraction(s, x.denominator), r)


# --- families: (rng, size) -> (question text, exact answer) ---------------------------------------------


def _triangle_area(rng: random.Random, n: int) -> tuple[str, Exact]:
    b, h = rng.randint(2, n), rng.randint(2, n)
    return (
        f"A triangle has a base of {b} units and a height of {h} units. What is its area, in square units?",
        Exact(Fraction(b * h, 2)),
    )


def _circle_area(rng: random.Random, n: int) -> tuple[str, Exact]:
    d = rng.randint(2, 2 * n)
    return (
        f"A circle has a diameter of {d} centimeters. What is its area, in square centimeters? Express your "
        "answer in terms of $\\pi$.",
        Exact(Fraction(d * d, 4), 1, 1),
    )


def _hypotenuse(rng: random.Random, n: int) -> tuple[str, Exact]:
    a, b = rng.randint(1, n), rng.randint(1, n)
    return (
        f"A right triangle has legs of length {a} and {b}. What is the length of its hypotenuse? Express your "
        "answer in simplest radical form.",
        sqrt_exact(a * a + b * b),
    )


def _third_angle(rng: random.Random, n: int) -> tuple[str, Exact]:
    x = rng.randint(20, 100)
    y = rng.randint(10, 170 - x)
    if rng.random() < 0.5:
        return (
            f"In triangle $ABC$, $m\\angle A = {x}^\\circ$ and $m\\angle B = {y}^\\circ$. How many degrees are in "
            "$m\\angle C$?",
            Exact(Fraction(180 - x - y)),
        )
    return (
        f"An isosceles triangle has a vertex angle of ${x}^\\circ$. How many degrees are in each of its base "
        "angles?",
        Exact(Fraction(180 - x, 2)),
    )


def _polygon_area(rng: random.Random, n: int) -> tuple[str, Exact]:
    m = rng.choice((3, 4, 4, 5))
    while True:
        pts = sorted({(rng.randint(-n, n), rng.randint(-n, n)) for _ in range(m)})
        if len(pts) < m:
            continue
        cx = sum(p[0] for p in pts) / m
        cy = sum(p[1] for p in pts) / m
        pts.sort(key=lambda p: (math.atan2(p[1] - cy, p[0] - cx), p))
        twice = sum(pts[i][0] * pts[(i + 1) % m][1] - pts[(i + 1) % m][0] * pts[i][1] for i in range(m))
        collinear = any(
            (pts[(i + 1) % m][0] - pts[i][0]) * (pts[(i + 2) % m][1] - pts[i][1])
            == (pts[(i + 2) % m][0] - pts[i][0]) * (pts[(i + 1) % m][1] - pts[i][1])
            for i in range(m)
        )
        if twice != 0 and not collinear:
            break
    names = "ABCDE"[:m]
    verts = ", ".join(f"${names[i]}({x},{y})$" for i, (x, y) in enumerate(pts))
    return (
        f"Polygon ${names}$ has vertices {verts}, in that order (its sides do not cross). What is the area of the "
        "polygon, in square units?",
        Exact(Fraction(abs(twice), 2)),
    )


def _similar(rng: random.Random, n: int) -> tuple[str, Exact]:
    while True:
        a, b, c = sorted(rng.randint(2, n) for _ in range(3))
        if a + b > c:
            break
    a2 = rng.randint(2, 2 * n)
    if a2 == a:
        a2 += 1
    if rng.random() < 0.5:
        return (
            f"Triangle $ABC$ has side lengths $AB={a}$, $BC={b}$ and $CA={c}$. Triangle $DEF$ is similar to "
            f"triangle $ABC$ with $D, E, F$ corresponding to $A, B, C$, and $DE={a2}$. What is the perimeter of "
            "triangle $DEF$?",
            Exact(Fraction((a + b + c) * a2, a)),
        )
    s = rng.randint(2, 3 * n)
    return (
        f"Two triangles are similar. A side of the first triangle has length {a} and the corresponding "
        f"side of the second triangle has length {a2}. The first triangle has area {s}. What is the area of the "
        "second triangle?",
        Exact(Fraction(s * a2 * a2, a * a)),
    )


def _sector(rng: random.Random, n: int) -> tuple[str, Exact]:
    r = rng.randint(2, n)
    theta = rng.choice(range(10, 360, 5))
    if rng.random() < 0.5:
        return (
            f"A circle has radius {r}. What is the area of a sector with a central angle of ${theta}^\\circ$? "
            "Express your answer in terms of $\\pi$.",
            Exact(Fraction(theta * r * r, 360), 1, 1),
        )
    return (
        f"A circle has radius {r}. What is the length of an arc with a central angle of ${theta}^\\circ$? Express "
        "your answer in terms of $\\pi$.",
        Exact(Fraction(theta * 2 * r, 360), 1, 1),
    )


def _solid_volume(rng: random.Random, n: int) -> tuple[str, Exact]:
    r, h = rng.randint(1, n), rng.randint(1, n)
    kind = rng.randrange(3)
    if kind == 0:
        return (
            f"A right circular cylinder has radius {r} and height {h}. What is its volume? Express your answer "
            "in terms of $\\pi$.",
            Exact(Fraction(r * r * h), 1, 1),
        )
    if kind == 1:
        return (
            f"A right circular cone has base radius {r} and height {h}. What is its volume? Express your answer "
            "in terms of $\\pi$.",
            Exact(Fraction(r * r * h, 3), 1, 1),
        )
    return (
        f"A sphere has radius {r}. What is its volume? Express your answer in terms of $\\pi$.",
        Exact(Fraction(4 * r**3, 3), 1, 1),
    )


def _regular_area(rng: random.Random, n: int) -> tuple[str, Exact]:
    s = rng.randint(1, n)
    if rng.random() < 0.5:
        return (
            f"What is the area of an equilateral triangle with side length {s}? Express your answer in simplest "
            "radical form.",
            Exact(Fraction(s * s, 4), 3),
        )
    return (
        f"What is the area of a regular hexagon with side length {s}? Express your answer in simplest radical "
        "form.",
        Exact(Fraction(3 * s * s, 2), 3),
    )


def _chord(rng: random.Random, n: int) -> tuple[str, Exact]:
    r = rng.randint(3, n + 2)
    d = rng.randint(1, r - 1)
    return (
        f"A chord of a circle with radius {r} is at distance {d} from the center of the circle. How long is the "
        "chord? Express your answer in simplest radical form.",
        2 * sqrt_exact(r * r - d * d),
    )


def _heron(rng: random.Random, n: int) -> tuple[str, Exact]:
    while True:
        a, b, c = sorted(rng.randint(2, n + 1) for _ in range(3))
        if a + b > c:
            break
    s = Fraction(a + b + c, 2)
    return (
        f"A triangle has side lengths {a}, {b} and {c}. What is its area? Express your answer in simplest radical "
        "form.",
        sqrt_exact(s * (s - a) * (s - b) * (s - c)),
    )


def _cone_lateral(rng: random.Random, n: int) -> tuple[str, Exact]:
    r, h = rng.randint(1, n), rng.randint(1, n)
    return (
        f"A right circular cone has base radius {r} and height {h}. What is its lateral (curved) surface area? "
        "Express your answer in terms of $\\pi$ and in simplest radical form.",
        Exact(Fraction(r), 1, 1) * sqrt_exact(r * r + h * h),
    )


def _equal_volume(rng: random.Random, n: int) -> tuple[str, Exact]:
    a, b = rng.randint(2, n), rng.randint(2, n)
    return (
        f"A cube with an edge length of {a} units has the same volume as a square-based pyramid with base edge "
        f"lengths of {b} units and a height of $h$ units. What is the value of $h$?",
        Exact(Fraction(3 * a**3, b * b)),
    )


def _cylinder_height(rng: random.Random, n: int) -> tuple[str, Exact]:
    r = rng.randint(1, n)
    h = Fraction(rng.randint(1, 2 * n), rng.choice((1, 1, 2, 3)))
    sa = 2 * r * r + 2 * r * h
    sa_text = Exact(sa, 1, 1).latex()
    return (
        "The total surface area of a right circular cylinder is $2\\pi r^2 + 2\\pi rh$, where $r$ is the radius "
        f"and $h$ is the height. A cylinder of radius {r} has a total surface area of ${sa_text}$. What is its "
        "height?",
        Exact(h),
    )


def _space_diagonal(rng: random.Random, n: int) -> tuple[str, Exact]:
    a, b, c = (rng.randint(1, n) for _ in range(3))
    return (
        f"A rectangular box measures {a} by {b} by {c}. What is the length of the segment joining two opposite "
        "vertices of the box (a space diagonal)? Express your answer in simplest radical form.",
        sqrt_exact(a * a + b * b + c * c),
    )


FAMILIES: dict[str, tuple[int, Callable[[random.Random, int], tuple[str, Exact]]]] = {
    "triangle_area": (1, _triangle_area),
    "circle_area": (1, _circle_area),
    "hypotenuse": (1, _hypotenuse),
    "angles": (1, _third_angle),
    "polygon_area": (2, _polygon_area),
    "similar_triangles": (2, _similar),
    "sector": (2, _sector),
    "solid_volume": (2, _solid_volume),
    "regular_polygon": (2, _regular_area),
    "chord": (2, _chord),
    "heron": (3, _heron),
    "cone_lateral": (3, _cone_lateral),
    "equal_volume": (3, _equal_volume),
    "cylinder_height": (3, _cylinder_height),
    "space_diagonal": (3, _space_diagonal),
}


@register
class MathGeometry(Task):
    name = "math_geometry"
    title = "MATH Geometry"
    seen = True
    description = (
        "Geometry problems from templates in the style of the MATH data set: areas (triangles, polygons from "
        "coordinates, regular polygons, sectors), lengths (hypotenuse, chords, arcs, space diagonals), "
        "volumes and surface areas of solids, similar triangles and angles. Answers are exact (fractions, "
        "simplest radicals, pi) and compared by symbolic equivalence with sympy, so any equal form passes. "
        "Complexity: tier 1 is one formula, tier 2 two steps or coordinates, tier 3 radicals from Heron, slant "
        "heights, inverse problems; size bounds the given numbers."
    )
    knobs = (
        Knob(
            "tier", int, 2, "hardest family tier (1 one-step, 2 two-step, 3 multi-step/radical)", lo=1, hi=3
        ),
        Knob("size", int, 12, "largest given length or coordinate", lo=3, hi=1000),
        Knob("family", str, "any", "restrict to one family", choices=("any", *FAMILIES)),
    )
    presets = {
        1: {"tier": 1, "size": 10},
        2: {"tier": 2, "size": 10},
        3: {"tier": 2, "size": 25},
        4: {"tier": 3, "size": 20},
        5: {"tier": 3, "size": 60},
    }
    reference_dirs = ("MATH/train/geometry", "MATH/test/geometry")
    max_answer_chars = 2000

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        fam = choose_family(rng, FAMILIES, cfg["tier"], cfg["family"])
        text, value = FAMILIES[fam][1](rng, cfg["size"])
        gold = value.latex()
        return Draft(text + "\n" + MATH_FORMAT, gold, {"family": fam, "gold": gold})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_math(str(data["gold"]), answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        # MATH solutions are prose: the last \boxed{} is the label (not recomputable without a solver)
        yield from load_math_dir(root, self.reference_dirs, MATH_FORMAT)
