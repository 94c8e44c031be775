"""Letter Logic Diagram: givens, Latin rows/columns and a constant minor diagonal; any valid grid passes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA


def _naive(puzzle: list[list[str | None]], letters: str, cap: int = 5) -> list[list[list[str]]]:
    """Independent solver: reading-order cells, diagonal cells forced to match the first diagonal letter."""
    n = len(puzzle)
    g = [row[:] for row in puzzle]
    out: list[list[list[str]]] = []

    def rec(pos: int) -> None:
        if len(out) >= cap:
            return
        if pos == n * n:
            out.append([row[:] for row in g])  # type: ignore[misc]
            return
        r, c = divmod(pos, n)
        if g[r][c] is not None:
            ok = g[r].count(g[r][c]) == 1 and [g[i][c] for i in range(n)].count(g[r][c]) == 1
            if c == n - 1 - r:
                diag = {g[i][n - 1 - i] for i in range(n)} - {None}
                ok = ok and len(diag) == 1
            if ok:
                rec(pos + 1)
            return
        for ch in letters:
            if ch in g[r] or ch in [g[i][c] for i in range(n)]:
                continue
            if c == n - 1 - r and ({g[i][n - 1 - i] for i in range(n)} - {None, ch}):
                continue
            g[r][c] = ch
            rec(pos + 1)
            g[r][c] = None

    rec(0)
    return out


def _text(grid: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in grid)


def test_second_valid_answer_from_independent_solver() -> None:
    inst = sb.generate("letter_logic_diagram", 1, seed=6, blanks=40)[0]
    sols = _naive(inst.data["puzzle"], inst.data["letters"])
    others = [s for s in sols if _text(s) != inst.answer]
    assert others, "a 40-blank 7x7 puzzle should have several completions"
    for s in others:
        assert sb.verify(inst, f"<<<{_text(s)}>>>").correct


def _inst() -> sb.Instance:
    return sb.generate("letter_logic_diagram", 1, seed=2, complexity=3)[0]


def test_near_misses_fail() -> None:
    inst = _inst()
    grid = [row.split(",") for row in inst.answer.split("\n")]
    puzzle = inst.data["puzzle"]
    # relabel two letters everywhere: Latin and diagonal still hold, but a given changes
    a, b = grid[0][0], grid[0][1]
    relabelled = [[b if x == a else a if x == b else x for x in row] for row in grid]
    v = sb.verify(inst, f"<<<{_text(relabelled)}>>>")
    assert not v.correct and "given" in v.reason
    # swap two rows of a grid without givens: Latin still holds, diagonal breaks
    free = dataclasses.replace(inst, data={**inst.data, "puzzle": [[None] * 7 for _ in range(7)]})
    swapped = [grid[1], grid[0]] + grid[2:]
    v = sb.verify(free, f"<<<{_text(swapped)}>>>")
    assert not v.correct and "diagonal" in v.reason
    # repeat a letter in a row
    broken = [row[:] for row in grid]
    r, c = next((r, c) for r in range(7) for c in range(7) if puzzle[r][c] is None and c != 6 - r)
    broken[r][c] = broken[r][(c + 1) % 7]
    assert not sb.verify(inst, f"<<<{_text(broken)}>>>").correct
    assert sb.verify(inst, f"<<<{_text(grid[:6])}>>>").kind == "malformed"
    assert sb.verify(inst, "<<<" + _text(grid).replace("a", "z") + ">>>").kind == "violates"


def test_answer_formats() -> None:
    inst = _inst()
    grid = [row.split(",") for row in inst.answer.split("\n")]
    for text in [
        json.dumps(grid),
        str(grid),
        "[" + "], [".join(",".join(row) for row in grid) + "]",
        "\n".join("".join(row) for row in grid),
        _text(grid).upper(),
        "\n" + "\n".join(", ".join(row) for row in grid) + "\n",
    ]:
        assert sb.verify(inst, f"<<<{text}>>>").correct, text


def test_sizes_and_levels() -> None:
    for inst in sb.generate("letter_logic_diagram", 3, seed=1, size=5, blanks=12):
        assert len(inst.data["puzzle"]) == 5 and inst.data["letters"] == "abcde"
        assert sum(x is None for row in inst.data["puzzle"] for x in row) == 12
    blanks = [
        sum(x is None for row in i.data["puzzle"] for x in row)
        for i in sb.generate("letter_logic_diagram", 5, seed=1)
    ]
    assert blanks == [15, 20, 25, 30, 35]
    with pytest.raises(ValueError, match="blanks"):
        sb.generate("letter_logic_diagram", 1, seed=0, size=4, blanks=17)


@pytest.mark.skipif(
    not (REFERENCE_DATA / "letter_logic_diagram").is_dir(), reason="reference data sample absent"
)
def test_reference_non_unique_puzzles_accept_every_solution() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "letter_logic_diagram"))
    assert len(items) == 8
    multi = 0
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        stored = inst.data["reference"]["stored_label"]
        assert sb.verify(inst, f"<<<{_text(stored)}>>>").correct
        sols = _naive(inst.data["puzzle"], inst.data["letters"], cap=3)
        for s in sols:  # the reference's exact match failed all but the stored one
            assert sb.verify(inst, f"<<<{_text(s)}>>>").correct
        multi += len(sols) > 1
    assert multi >= 1
