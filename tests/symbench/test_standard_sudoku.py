"""Standard Sudoku: givens kept, all units valid, any valid completion accepted."""

from __future__ import annotations

import dataclasses
import json

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.standard_sudoku import solve
from tests.conftest import REFERENCE_DATA


def _naive_solutions(puzzle: list[list[int]], cap: int = 5) -> list[list[list[int]]]:
    """Independent solver: first empty cell in reading order, candidates from sets."""
    g = [row[:] for row in puzzle]
    out: list[list[list[int]]] = []

    def cands(r: int, c: int) -> set[int]:
        used = set(g[r]) | {g[i][c] for i in range(9)}
        br, bc = 3 * (r // 3), 3 * (c // 3)
        used |= {g[br + i][bc + j] for i in range(3) for j in range(3)}
        return set(range(1, 10)) - used

    def rec() -> None:
        if len(out) >= cap:
            return
        for r in range(9):
            for c in range(9):
                if g[r][c] == 0:
                    for v in sorted(cands(r, c)):
                        g[r][c] = v
                        rec()
                        g[r][c] = 0
                    return
        out.append([row[:] for row in g])

    rec()
    return out


def test_second_valid_answer_from_independent_solver() -> None:
    inst = sb.generate("standard_sudoku", 1, seed=3, min_blanks=58, max_blanks=58)[0]
    sols = _naive_solutions(inst.data["puzzle"])
    ref = json.loads(inst.answer)
    others = [s for s in sols if s != ref]
    assert others, "a 58-blank puzzle should have more than one completion"
    for s in others:
        assert sb.verify(inst, f"<<<{json.dumps(s)}>>>").correct


def _inst() -> sb.Instance:
    return sb.generate("standard_sudoku", 1, seed=1, complexity=3)[0]


def test_near_misses_fail() -> None:
    inst = _inst()
    sol = json.loads(inst.answer)
    puzzle = inst.data["puzzle"]
    r, c = next((r, c) for r in range(9) for c in range(9) if puzzle[r][c])
    # swap two digits everywhere: still a valid Sudoku, but the givens change
    a, b = sol[r][c], sol[r][c] % 9 + 1
    swapped = [[b if v == a else a if v == b else v for v in row] for row in sol]
    v = sb.verify(inst, f"<<<{json.dumps(swapped)}>>>")
    assert not v.correct and "given" in v.reason
    # swap two blank cells of one row: row stays a permutation, a column or box breaks
    blanks = [cc for cc in range(9) if puzzle[0][cc] == 0]
    bad = [row[:] for row in sol]
    bad[0][blanks[0]], bad[0][blanks[1]] = bad[0][blanks[1]], bad[0][blanks[0]]
    v = sb.verify(inst, f"<<<{json.dumps(bad)}>>>")
    assert not v.correct and v.kind == "violates"
    zero = [row[:] for row in sol]
    zero[0][blanks[0]] = 0
    assert not sb.verify(inst, f"<<<{json.dumps(zero)}>>>").correct
    assert sb.verify(inst, f"<<<{json.dumps(sol[:8])}>>>").kind == "malformed"
    assert sb.verify(inst, "<<<solve it yourself>>>").kind == "malformed"


def test_answer_formats() -> None:
    inst = _inst()
    sol = json.loads(inst.answer)
    for text in [
        "\n".join(",".join(str(v) for v in row) for row in sol),
        "\n".join("".join(str(v) for v in row) for row in sol),
        "\n".join(" ".join(str(v) for v in row) for row in sol),
        str(sol),
        "".join(str(v) for row in sol for v in row),
    ]:
        assert sb.verify(inst, f"<<<{text}>>>").correct, text


def test_blank_bands_and_unique_option() -> None:
    for level, (lo, hi) in {1: (30, 35), 5: (51, 55)}.items():
        for inst in sb.generate("standard_sudoku", 4, seed=2, complexity=level):
            blanks = sum(v == 0 for row in inst.data["puzzle"] for v in row)
            assert lo <= blanks <= hi
    for inst in sb.generate("standard_sudoku", 3, seed=2, complexity=4, unique=True):
        assert len(solve(inst.data["puzzle"], limit=2)) == 1
    with pytest.raises(ValueError, match="min_blanks"):
        sb.generate("standard_sudoku", 1, seed=0, min_blanks=50, max_blanks=40)


@pytest.mark.skipif(not (REFERENCE_DATA / "standard_sudoku").is_dir(), reason="reference data sample absent")
def test_reference_loads() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "standard_sudoku"))
    assert len(items) == 8
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        stored = inst.data["reference"]["stored_label"]
        assert sb.verify(inst, f"<<<{json.dumps(stored)}>>>").correct
        # the published prompt hints at rows per line; those pass too (the reference accepted JSON only)
        rows = "\n".join(",".join(str(v) for v in row) for row in stored)
        assert sb.verify(inst, f"<<<{rows}>>>").correct
    assert dataclasses.asdict(items[0])["question"].startswith("Given a 9*9 Sudoku grid")
