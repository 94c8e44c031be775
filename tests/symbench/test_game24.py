"""Game 24: exact arithmetic, multiset use of the numbers, any valid expression accepted."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.game24 import count_ways, solve
from tests.conftest import REFERENCE_DATA


def _all_solutions(nums: list[int], target: int, cap: int = 200) -> list[str]:
    """Independent brute force: repeatedly combine two items of the pool (both operand orders)."""
    out: list[str] = []

    def rec(pool: list[tuple[Fraction, str]]) -> None:
        if len(out) >= cap:
            return
        if len(pool) == 1:
            if pool[0][0] == target:
                out.append(pool[0][1])
            return
        for i in range(len(pool)):
            for j in range(len(pool)):
                if i == j:
                    continue
                (a, ea), (b, eb) = pool[i], pool[j]
                rest = [pool[k] for k in range(len(pool)) if k not in (i, j)]
                cands = [(a + b, f"({ea}+{eb})"), (a - b, f"({ea}-{eb})"), (a * b, f"({ea}*{eb})")]
                if b:
                    cands.append((a / b, f"({ea}/{eb})"))
                for v, e in cands:
                    rec(rest + [(v, e)])

    rec([(Fraction(x), str(x)) for x in nums])
    return out


def _inst(numbers: list[int], target: int = 24) -> sb.Instance:
    base = sb.generate("game24", 1, seed=0, complexity=1)[0]
    return dataclasses.replace(base, data={"numbers": numbers, "target": target})


def test_3388_is_solvable_and_exact() -> None:
    # the reference compared floats, so 8/(3-8/3) = 23.999999999999996 could never pass
    assert solve([3, 3, 8, 8], 24) is not None
    assert count_ways([3, 3, 8, 8], 24) >= 1
    inst = _inst([3, 3, 8, 8])
    for ans in ["8/(3-8/3)", "8 / (3 - 8 / 3) = 24", "8÷(3−8÷3)", "[8/(3-8/3)]"]:
        assert sb.verify(inst, f"<<<{ans}>>>").correct, ans


def test_second_valid_answer_from_independent_solver() -> None:
    for inst in sb.generate("game24", 10, seed=42):
        sols = _all_solutions(inst.data["numbers"], inst.data["target"])
        assert sols, inst.data  # the generator's claim, re-proven independently
        other = [
            s
            for s in sols
            if s.replace("(", "").replace(")", "") != inst.answer.replace("(", "").replace(")", "")
        ]
        for s in (other or sols)[:3]:
            v = sb.verify(inst, f"<<<{s}>>>")
            assert v.correct, (inst.data, s, v)


@pytest.mark.parametrize(
    "answer, kind",
    [
        ("8/(3-8/3)+3-3", "violates"),  # extra numbers
        ("8*3", "violates"),  # numbers missing
        ("8/(3-8/8)", "violates"),  # a number swapped
        ("8/(3+8/3)", "wrong"),  # right numbers, wrong value
        ("-(8/(8/3-3))", "violates"),  # unary minus is not an allowed operation
        ("8/(3-8/3) = 25", "malformed"),
        ("8**1/(3-8/3)", "malformed"),
        ("8/(3.0-8/3)", "malformed"),
        ("__import__('os')", "malformed"),
        ("8/(3-8/3) == 24", "malformed"),
    ],
)
def test_near_misses_fail(answer: str, kind: str) -> None:
    v = sb.verify(_inst([3, 3, 8, 8]), f"<<<{answer}>>>")
    assert not v.correct and v.kind == kind, (answer, v)


def test_other_target_and_count() -> None:
    insts = sb.generate("game24", 6, seed=1, target=30, count=5, min_ways=1, max_ways=0)
    for inst in insts:
        assert len(inst.data["numbers"]) == 5 and inst.data["target"] == 30
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
        assert "30" in inst.question


def test_difficulty_levels_follow_ways() -> None:
    easy = sb.generate("game24", 5, seed=3, complexity=1)
    hard = sb.generate("game24", 5, seed=3, complexity=5)
    assert all(i.data["ways"] >= 30 for i in easy)
    assert all(1 <= i.data["ways"] <= 2 for i in hard)
    for i in easy + hard:
        assert count_ways(i.data["numbers"], 24) == i.data["ways"]


def test_knob_cross_validation() -> None:
    with pytest.raises(ValueError, match="min_value"):
        sb.generate("game24", 1, seed=0, min_value=9, max_value=3)
    with pytest.raises(ValueError, match="max_ways"):
        sb.generate("game24", 1, seed=0, min_ways=5, max_ways=2)


@pytest.mark.skipif(not (REFERENCE_DATA / "game24_dataset").is_dir(), reason="reference data sample absent")
def test_reference_24csv_all_solvable() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "game24"))
    assert len(items) == 1362
    by_nums = {tuple(i.data["numbers"]): i for i in items}
    assert (3, 3, 8, 8) in by_nums
    assert sb.verify(by_nums[(3, 3, 8, 8)], "<<<8/(3-8/3)>>>").correct
    assert {i.complexity for i in items} == {1, 2, 3, 4, 5}
    assert items[0].id == "ref-game24-game24_dataset/24/24.csv#rank1"
    assert all(i.data["reference"]["label_agrees"] for i in items)
