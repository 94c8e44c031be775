"""Logical Equation: any permutation of the value set meeting every relation passes."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.logical_equation import parse_question, solve
from tests.conftest import REFERENCE_DATA


def _ok(kind: str, x: int, y: int, k: str) -> bool:
    return {
        "sum": lambda: x + y == int(k),
        "diff": lambda: x - y == int(k),
        "mul": lambda: x * 10 == round(float(k) * 10) * y,
        "gt": lambda: x > y,
        "lt": lambda: x < y,
        "eq": lambda: x == y,
    }[kind]()


def _all_solutions(data: dict, cap: int = 20) -> list[list[int]]:
    """Independent solver: letters in alphabetical order, checking relations once both ends are set."""
    n, values, cons = data["letters"], data["values"], data["constraints"]
    out: list[list[int]] = []
    assign: list[int] = []

    def rec(free: list[int]) -> None:
        if len(out) >= cap:
            return
        i = len(assign)
        if i == n:
            out.append(assign[:])
            return
        for v in sorted(set(free)):
            assign.append(v)
            if all(_ok(k, assign[a], assign[b], kk) for k, a, b, kk in cons if max(a, b) == i):
                rest = free[:]
                rest.remove(v)
                rec(rest)
            assign.pop()

    rec(list(values))
    return out


def test_second_valid_answer_from_independent_solver() -> None:
    found = 0
    for inst in sb.generate("logical_equation", 6, seed=8, complexity=1):
        sols = _all_solutions(inst.data)
        assert sols
        for s in sols:
            assert sb.verify(inst, f"<<<{s}>>>").correct, (inst.data, s)
        found += any(str(s) != inst.answer for s in sols)
        # the module solver agrees on the count (up to 3)
        assert len(
            solve(inst.data["letters"], inst.data["values"], inst.data["constraints"], limit=3)
        ) == min(3, len(sols))
    assert found > 0


def _inst(data: dict) -> sb.Instance:
    return dataclasses.replace(sb.generate("logical_equation", 1, seed=0)[0], data=data)


def test_permutation_required() -> None:
    # the reference checked only membership in the value set, so repeated values could pass
    inst = _inst({"letters": 2, "values": [1, 3], "constraints": [["sum", 0, 1, "4"]]})
    assert sb.verify(inst, "<<<[1, 3]>>>").correct
    assert sb.verify(inst, "<<<[3, 1]>>>").correct
    v = sb.verify(inst, "<<<[2, 2]>>>")
    assert not v.correct and "permutation" in v.reason


def test_multipliers_are_exact() -> None:
    # 1.4 * 45 is 62.99999999999999 in floating point; the relation must still hold for 63 and 45
    assert 1.4 * 45 != 63
    inst = _inst({"letters": 2, "values": [45, 63], "constraints": [["mul", 0, 1, "1.4"]]})
    assert sb.verify(inst, "<<<[63, 45]>>>").correct
    assert not sb.verify(inst, "<<<[45, 63]>>>").correct


def test_near_misses_and_formats() -> None:
    inst = sb.generate("logical_equation", 1, seed=4, complexity=2)[0]
    ans = [int(x) for x in inst.answer.strip("[]").split(",")]
    n = len(ans)
    c = inst.data["constraints"][0]
    swapped = ans[:]
    swapped[c[1]], swapped[c[2]] = swapped[c[2]], swapped[c[1]]
    v = sb.verify(inst, f"<<<{swapped}>>>")
    assert not v.correct and v.kind == "wrong" and "constraint" in v.reason
    assert sb.verify(inst, f"<<<{ans[:-1]}>>>").kind == "malformed"
    assert sb.verify(inst, f"<<<{ans + [1]}>>>").kind == "malformed"
    letters = ", ".join(f"{chr(65 + i)}={x}" for i, x in enumerate(ans))
    assert sb.verify(inst, f"<<<{letters}>>>").correct
    assert sb.verify(inst, "<<<" + " ".join(map(str, ans)) + ">>>").correct
    assert n == inst.data["letters"]


def test_relations_hold_for_hidden_assignment() -> None:
    for inst in sb.generate("logical_equation", 10, seed=1):
        ans = [int(x) for x in inst.answer.strip("[]").split(",")]
        for kind, a, b, k in inst.data["constraints"]:
            assert _ok(kind, ans[a], ans[b], k)
            if kind == "mul":
                assert Fraction(ans[a], ans[b]) == Fraction(k)
        assert sorted(ans) == inst.data["values"]


@pytest.mark.skipif(not (REFERENCE_DATA / "logical_equation").is_dir(), reason="reference data sample absent")
def test_reference_loads_and_parses_every_relation() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "logical_equation"))
    assert len(items) == 10
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        stored = inst.data["reference"]["stored_label"]
        assert sb.verify(inst, f"<<<{stored}>>>").correct
        n_lines = inst.question.count("\n1. ") + sum(inst.question.count(f"\n{i}. ") for i in range(2, 30))
        assert len(inst.data["constraints"]) == n_lines
    first = parse_question((REFERENCE_DATA / "logical_equation/sample_9_7_0/question.txt").read_text())
    assert first is not None and first[0] == 9 and ["mul", 8, 3, "3.0"] in first[2]
