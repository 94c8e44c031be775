"""Combinatorial Calculation: numbers in the given order, exact value, any valid bracketing accepted."""

from __future__ import annotations

import dataclasses
import itertools
import time
from fractions import Fraction

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.combinatorial_calculation import solve
from tests.conftest import REFERENCE_DATA


def _exprs(nums: list[int]) -> list[tuple[Fraction, str]]:
    """Independent enumeration of every fully parenthesised expression over nums in order."""
    if len(nums) == 1:
        return [(Fraction(nums[0]), str(nums[0]))]
    out = []
    for k in range(1, len(nums)):
        for (a, ea), (b, eb) in itertools.product(_exprs(nums[:k]), _exprs(nums[k:])):
            out += [(a + b, f"({ea}+{eb})"), (a - b, f"({ea}-{eb})"), (a * b, f"({ea}*{eb})")]
            if b:
                out.append((a / b, f"({ea}/{eb})"))
    return out


def _tokens(expr: str) -> str:
    return "[" + ", ".join(expr) + "]"


def _inst(numbers: list[int], target: int) -> sb.Instance:
    base = sb.generate("combinatorial_calculation", 1, seed=0, complexity=1)[0]
    return dataclasses.replace(
        base, data={"numbers": numbers, "target": target, "min_value": 1, "max_value": 9}
    )


def test_second_valid_answer_from_independent_solver() -> None:
    checked = 0
    for inst in sb.generate("combinatorial_calculation", 8, seed=5, complexity=2):
        sols = [e for v, e in _exprs(inst.data["numbers"]) if v == inst.data["target"]]
        assert sols, inst.data  # solvable, re-proven independently
        flat = inst.answer.replace(", ", "")
        for e in sols[:4]:
            v = sb.verify(inst, f"<<<{_tokens(e)}>>>")
            assert v.correct, (inst.data, e, v)
            checked += e.replace("(", "").replace(")", "") != flat.strip("[]").replace("(", "").replace(
                ")", ""
            )
    assert checked > 0


def test_order_is_enforced() -> None:
    # the reference compared only the multiset, so reordering passed
    inst = _inst([6, 2, 7], 10)
    assert sb.verify(inst, "<<<[6, /, 2, +, 7]>>>").correct
    v = sb.verify(inst, "<<<[7, +, 6, /, 2]>>>")
    assert not v.correct and v.kind == "violates"


@pytest.mark.parametrize(
    "answer, kind",
    [
        ("[6, /, 2, -, 7]", "wrong"),
        ("[6, /, 2]", "violates"),
        ("[62, /, 2]", "violates"),
        ("[6, 2, +, 7]", "malformed"),  # digits joined by juxtaposition
        ("[-, 6, /, 2, +, 7]", "violates"),  # unary minus
        ("[6, /, 2, +, 7, =, 10]", "malformed"),
        ("[6, ^, 2, +, 7]", "malformed"),
        ("[6, /, (, 2, -, 2, ), +, 7]", "malformed"),  # division by zero
        ("print(1)", "malformed"),
    ],
)
def test_near_misses_fail(answer: str, kind: str) -> None:
    v = sb.verify(_inst([6, 2, 7], 10), f"<<<{answer}>>>")
    assert not v.correct and v.kind == kind, (answer, v)


@pytest.mark.parametrize(
    "answer", ["6/2+7", "['6', '/', '2', '+', '7']", "[6,/,2,+,7]", "6 / 2 + 7", "[(, 6, /, 2, ), +, 7]"]
)
def test_harmless_variants_pass(answer: str) -> None:
    assert sb.verify(_inst([6, 2, 7], 10), f"<<<{answer}>>>").correct


def test_exact_fractions() -> None:
    # 1/3 intermediate: (1/3 + 2/3) is exact only in rational arithmetic
    inst = _inst([1, 3, 2, 3], 1)
    assert sb.verify(inst, "<<<[1, /, 3, +, 2, /, 3]>>>").correct


def test_question_states_rules_and_fixed_example() -> None:
    q = sb.generate("combinatorial_calculation", 1, seed=1, complexity=3)[0].question
    assert "4-(6*9)" in q and "given order" in q and "<<<" in q


def test_large_counts_fast() -> None:
    t = time.perf_counter()
    insts = sb.generate("combinatorial_calculation", 5, seed=2, count=10, target=300)
    assert time.perf_counter() - t < 2.0
    for inst in insts:
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    assert solve([1, 1, 1], 100) is None


@pytest.mark.skipif(
    not (REFERENCE_DATA / "combinatorial_calculation").is_dir(), reason="reference data sample absent"
)
def test_reference_loads_and_labels_check() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "combinatorial_calculation"))
    assert len(items) == 8
    for inst in items:
        assert inst.data["reference"]["label_agrees"], inst.id
        stored = "[" + ", ".join(inst.data["reference"]["stored_label"]) + "]"
        assert sb.verify(inst, f"<<<{stored}>>>").correct
    assert items[0].data["numbers"] == [6, 2, 7] and items[0].data["target"] == 10
