"""Logical Puzzle: count, distinct values, top-right cell, bounds, duplicates and the line rule."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA


def _valid(grid: list[list[int]], k: int, rule: str, limit: int, cells: tuple) -> bool:
    n = len(grid)
    vals = [grid[r][c] for r, c in cells]
    if len(set(vals)) != k or (0, n - 1) not in cells:
        return False
    for i in range(n):
        for line in ([grid[r][c] for r, c in cells if r == i], [grid[r][c] for r, c in cells if c == i]):
            if rule == "sum" and sum(line) > limit:
                return False
            if rule == "product" and math.prod(line) <= 0:
                return False
    return True


def _brute(grid: list[list[int]], k: int, rule: str, limit: int) -> list[tuple]:
    """Independent solver: every K-subset of cells that contains the top-right cell."""
    n = len(grid)
    corner = (0, n - 1)
    others = [(r, c) for r in range(n) for c in range(n) if (r, c) != corner]
    return [
        (corner,) + rest
        for rest in itertools.combinations(others, k - 1)
        if _valid(grid, k, rule, limit, (corner,) + rest)
    ]


def _fmt(cells) -> str:
    return ", ".join(f"{r} {c}" for r, c in cells)


def _args(inst: sb.Instance) -> tuple:
    d = inst.data
    return d["grid"], d["select"], d["rule"], d["limit"]


def test_second_valid_answer_from_independent_solver() -> None:
    seen_other = 0
    insts = sb.generate("logic_puzzle", 6, seed=2, complexity=2) + sb.generate(
        "logic_puzzle", 4, seed=2, size=4, select=5, min_value=-6, max_value=6, rule="product"
    )
    for inst in insts:
        sols = _brute(*_args(inst))
        assert sols, inst.data
        ref = {tuple(int(x) for x in p.split()) for p in inst.answer.split(", ")}
        for s in sols[:20]:
            assert sb.verify(inst, f"<<<{_fmt(s)}>>>").correct
            seen_other += set(s) != ref
    assert seen_other > 0


def _inst(grid, k, rule="sum", limit=4) -> sb.Instance:
    base = sb.generate("logic_puzzle", 1, seed=0, complexity=1)[0]
    return dataclasses.replace(base, data={"grid": grid, "select": k, "rule": rule, "limit": limit})


def test_strict_rules_the_reference_skipped() -> None:
    # grid 1 2 / 3 1: (0,1)=2, (0,0)=1, (1,0)=3 is the one valid answer
    inst = _inst([[1, 2], [3, 1]], 3)
    assert sb.verify(inst, "<<<0 1, 0 0, 1 0>>>").correct
    assert sb.verify(inst, "<<<(0,0), (1,0), (0,1)>>>").correct
    cases = {
        "0 0, 1 1, 0 1": "differ",  # values 1, 1, 2 are not distinct
        "0 0, 1 0, 1 1": "top-right",  # top-right cell missing
        "0 1, 0 1, 1 0": "twice",  # duplicate cell
        "0 1, 0 0, 2 0": "outside",  # out of bounds
    }
    for text, word in cases.items():
        v = sb.verify(inst, f"<<<{text}>>>")
        assert not v.correct and word in v.reason, (text, v)
    v = sb.verify(inst, "<<<0 1, 0 0>>>")
    assert not v.correct and v.kind == "wrong"


def test_line_rules() -> None:
    inst = _inst([[2, 1], [3, 3]], 3)
    v = sb.verify(inst, "<<<0 1, 1 0, 0 0>>>")  # column 0 sums to 5
    assert not v.correct and "sum to 5" in v.reason
    assert sb.verify(inst, "<<<0 1, 0 0, 1 1>>>").correct
    prod = _inst([[-1, -2, 3], [-4, -5, 6], [7, 8, 9]], 4, rule="product", limit=0)
    assert sb.verify(prod, "<<<0 2, 1 2, 2 0, 2 1>>>").correct
    v = sb.verify(prod, "<<<0 2, 0 0, 2 0, 2 1>>>")  # row 0 has one negative
    assert not v.correct and "product" in v.reason
    assert sb.verify(
        _inst([[-1, -2, 3], [-4, -5, 6], [7, 8, 9]], 5, "product", 0), "<<<0 2, 0 0, 0 1, 1 0, 1 1>>>"
    ).correct


def test_levels_and_speed() -> None:
    for level, n in {1: 2, 3: 5, 5: 10}.items():
        for inst in sb.generate("logic_puzzle", 3, seed=7, complexity=level):
            assert len(inst.data["grid"]) == n
            assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    with pytest.raises(ValueError, match="positive"):
        sb.generate("logic_puzzle", 1, seed=0, rule="sum", min_value=-3)


@pytest.mark.skipif(
    not (REFERENCE_DATA / "logic_puzzle_dataset").is_dir(), reason="reference data sample absent"
)
def test_reference_unsolvable_samples_skipped_and_bad_label_flagged() -> None:
    items = {i.id.rsplit("/", 1)[1]: i for i in sb.load_reference(REFERENCE_DATA, "logic_puzzle")}
    # samples 2, 4 and 5 have no valid selection at all (proven here by brute force), so they are skipped
    for name in ("sample_2", "sample_4", "sample_5"):
        assert name not in items
        q = (REFERENCE_DATA / "logic_puzzle_dataset" / name / "question.txt").read_text()
        from codesteer.symbench.suite.logic_puzzle import parse_question

        parsed = parse_question(q)
        assert parsed is not None and _brute(*parsed) == []
    assert len(items) == 5
    bad = items["sample_3"]
    assert not bad.data["reference"]["label_agrees"]
    assert not sb.verify(bad, "<<<" + _fmt(bad.data["reference"]["stored_label"]) + ">>>").correct
    assert sb.verify(bad, f"<<<{bad.answer}>>>").correct
