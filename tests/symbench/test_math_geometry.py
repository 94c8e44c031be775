"""MATH Geometry: answers recomputed independently with sympy from the question text; MATH files."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy

from codesteer import symbench as sb
from codesteer.symbench.suite._latex import to_sympy
from codesteer.symbench.suite.math_geometry import FAMILIES, Exact, sqrt_exact
from tests.conftest import REFERENCE_DATA

MATH_DIR = REFERENCE_DATA / "MATH" / "train" / "geometry"


def _ints(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"-?\d+", text)]


def independent(family: str, q: str) -> sympy.Expr | None:
    first = q.split("\n")[0]
    n = _ints(first)
    if family == "hypotenuse":
        return sympy.sqrt(n[0] ** 2 + n[1] ** 2)
    if family == "circle_area":
        return sympy.pi * sympy.Rational(n[0], 2) ** 2
    if family == "heron":
        a, b, c = n[:3]
        s = sympy.Rational(a + b + c, 2)
        return sympy.sqrt(s * (s - a) * (s - b) * (s - c))
    if family == "polygon_area":
        pts = [sympy.Point(int(x), int(y)) for x, y in re.findall(r"\((-?\d+),(-?\d+)\)", first)]
        return abs(sympy.Polygon(*pts).area)
    if family == "chord":
        r, d = n[:2]
        return 2 * sympy.sqrt(r * r - d * d)
    if family == "space_diagonal":
        return sympy.sqrt(sum(x * x for x in n[:3]))
    if family == "cone_lateral":
        r, h = n[:2]
        return sympy.pi * r * sympy.sqrt(r * r + h * h)
    if family == "equal_volume":
        a, b = n[0], n[1]
        return sympy.Rational(3 * a**3, b * b)
    return None


@pytest.mark.parametrize(
    "family",
    [
        "hypotenuse",
        "circle_area",
        "heron",
        "polygon_area",
        "chord",
        "space_diagonal",
        "cone_lateral",
        "equal_volume",
    ],
)
def test_answers_match_independent_sympy(family: str) -> None:
    for inst in sb.generate("math_geometry", 8, seed=21, family=family, size=30):
        want = independent(family, inst.question)
        assert want is not None
        assert sympy.simplify(to_sympy(inst.answer) - want) == 0, (inst.question, inst.answer, want)


def test_all_families_reachable_and_pass() -> None:
    seen = {i.data["family"] for i in sb.generate("math_geometry", 150, seed=3)}
    assert seen == set(FAMILIES)


def test_exact_rendering() -> None:
    assert Exact(Fraction(3, 4), 2, 1).latex() == "\\frac{3\\sqrt{2}\\pi}{4}"
    assert Exact(Fraction(-1), 1, 1).latex() == "-\\pi"
    assert sqrt_exact(72).latex() == "6\\sqrt{2}"
    assert sqrt_exact(Fraction(1, 2)).latex() == "\\frac{\\sqrt{2}}{2}"
    assert (sqrt_exact(6) * sqrt_exact(3)).latex() == "3\\sqrt{2}"


def test_equivalent_forms_and_near_misses() -> None:
    inst = sb.generate("math_geometry", 1, seed=2, family="chord", size=20)[0]
    value = to_sympy(inst.answer)
    assert sb.verify(inst, f"<<<sqrt({sympy.simplify(value**2)})>>>").correct
    approx = f"{float(value):.6f}"
    assert not sb.verify(inst, f"<<<{approx}>>>").correct  # decimals are not exact answers
    assert not sb.verify(inst, f"<<<{inst.answer}+1>>>").correct
    assert sb.verify(inst, "<<<\\sqrt{-}>>>").reason.startswith("malformed")


@pytest.mark.skipif(not MATH_DIR.is_dir(), reason=f"MATH geometry sample not found at {MATH_DIR}")
def test_reference_gold_from_last_boxed() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "math_geometry"))
    assert len(items) == 13
    by_file = {i.id.rsplit("/", 1)[-1]: i for i in items}
    assert by_file["1.json"].answer == "(18, -18)" and by_file["1.json"].complexity == 5
    assert by_file["9.json"].answer == "\\pi"
    assert [i.id.rsplit("/", 1)[-1] for i in items][:3] == ["1.json", "2.json", "3.json"]  # numeric order
    assert sb.verify(by_file["2.json"], "<<<3/5>>>").correct
    assert sb.verify(by_file["1.json"], "<<<(18,-18)>>>").correct
    assert not sb.verify(by_file["1.json"], "<<<(-18,18)>>>").correct
    assert sb.verify(by_file["3.json"], "<<<110^\\circ>>>").correct
