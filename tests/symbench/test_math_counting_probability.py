"""MATH Counting & Probability: answers recomputed by brute-force enumeration in the test; MATH files."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite._latex import to_sympy
from codesteer.symbench.suite.math_counting_probability import FAMILIES
from tests.conftest import REFERENCE_DATA

MATH_DIR = REFERENCE_DATA / "MATH" / "train" / "counting_and_probability"


def _ints(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", text)]


def brute(family: str, q: str) -> Fraction:
    first = q.split("\n")[0]
    n = _ints(first)
    if family == "coins":
        flips, k = n[0], n[1]
        hits = sum(1 for w in itertools.product((0, 1), repeat=flips) if sum(w) == k)
        return Fraction(hits, 2**flips)
    if family == "dice_sum":
        k, s = n[0], n[-1]
        rolls = list(itertools.product(range(1, 7), repeat=k))
        return Fraction(sum(1 for r in rolls if sum(r) == s), len(rolls))
    if family == "dice_at_least":
        k, s = n[0], n[-1]
        rolls = list(itertools.product(range(1, 7), repeat=k))
        return Fraction(sum(1 for r in rolls if sum(r) >= s), len(rolls))
    if family == "word_arrangements":
        word = re.search(r"string (\w+)", first).group(1)
        return Fraction(len(set(itertools.permutations(word))))
    if family == "stars_and_bars":
        k, total = n[1], n[2]
        low = 0 if "non-negative" in first else 1
        return Fraction(
            sum(1 for xs in itertools.product(range(low, total + 1), repeat=k) if sum(xs) == total)
        )
    if family == "bounded_stars_and_bars":
        k, total, cap = n[1], n[2], n[-1]
        return Fraction(sum(1 for xs in itertools.product(range(cap + 1), repeat=k) if sum(xs) == total))
    if family == "seating":
        size = n[0]
        count = 0
        for perm in itertools.permutations(range(size)):
            if abs(perm.index(0) - perm.index(1)) == 1:
                continue
            if "end chair" in first and perm.index(2) in (0, size - 1):
                continue
            count += 1
        return Fraction(count)
    if family == "divisible_by_none":
        top, a, b, c = n[1], n[2], n[3], n[4]
        return Fraction(sum(1 for x in range(1, top + 1) if x % a and x % b and x % c))
    if family == "round_table":
        size = n[0]
        # fix person 0's seat to remove rotations
        good = sum(
            1
            for perm in itertools.permutations(range(1, size))
            if abs(((0,) + perm).index(1) - ((0,) + perm).index(2)) in (1, size - 1)
        )
        return Fraction(good)
    if family == "urn":
        red, blue, k, j = n[0], n[1], n[2], n[3]
        balls = ["r"] * red + ["b"] * blue
        draws = list(itertools.combinations(range(len(balls)), k))
        return Fraction(sum(1 for d in draws if sum(balls[i] == "r" for i in d) == j), len(draws))
    if family == "mixed_committee":
        m, w, k = n[0], n[1], n[2]
        return Fraction(sum(1 for c in itertools.combinations(range(m + w), k) if min(c) < m <= max(c)))
    raise KeyError(family)


FAMS = ["coins", "dice_sum", "dice_at_least", "word_arrangements", "stars_and_bars", "bounded_stars_and_bars",
        "seating", "divisible_by_none", "round_table", "urn", "mixed_committee"]  # fmt: skip


@pytest.mark.parametrize("family", FAMS)
def test_answers_match_brute_force(family: str) -> None:
    size = 3 if family in ("seating", "round_table", "word_arrangements", "mixed_committee") else 4
    for inst in sb.generate("math_counting_probability", 4, seed=31, family=family, size=size):
        want = brute(family, inst.question)
        got = to_sympy(inst.answer)
        assert Fraction(int(got.p), int(got.q)) == want, (inst.question, inst.answer, want)


def test_all_families_reachable() -> None:
    seen = {i.data["family"] for i in sb.generate("math_counting_probability", 200, seed=3)}
    assert seen == set(FAMILIES)


def test_fraction_forms_and_near_misses() -> None:
    inst = next(
        i
        for i in sb.generate("math_counting_probability", 30, seed=5, family="dice_sum")
        if "frac" in i.answer and i.answer.endswith("216}")
    )
    p, q = (int(x) for x in re.findall(r"\d+", inst.answer))
    assert sb.verify(inst, f"<<<{p}/{q}>>>").correct
    assert sb.verify(inst, f"<<<\\dfrac{{{2 * p}}}{{{2 * q}}}>>>").correct  # unreduced but equal
    assert not sb.verify(inst, f"<<<{p + 1}/{q}>>>").correct
    assert not sb.verify(inst, f"<<<{p / q:.4f}>>>").correct  # a rounded decimal is not the fraction
    assert sb.verify(inst, "<<<p/q>>>").reason.startswith("wrong")  # symbols are not the number


@pytest.mark.skipif(not MATH_DIR.is_dir(), reason=f"MATH counting sample not found at {MATH_DIR}")
def test_reference_gold_from_last_boxed() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "math_counting_probability"))
    assert len(items) == 9
    by_file = {i.id.rsplit("/", 1)[-1]: i for i in items}
    assert sb.verify(by_file["18.json"], "<<<1000000>>>").correct
    assert sb.verify(by_file["17.json"], "<<<1001/2003>>>").correct
    assert not sb.verify(by_file["17.json"], "<<<1002/2003>>>").correct
    assert sb.verify(by_file["12.json"], "<<<-9>>>").correct
    assert by_file["15.json"].complexity == 3
