"""2048 single-tile: never an empty start tile, never a no-op move string, independent simulation."""

from __future__ import annotations

import json

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA

NAME = "game2048"


def _sim(grid: list[list[int]], start: list[int], moves: str) -> list[list[int]]:
    g = [row[:] for row in grid]
    n = len(g)
    r, c = start
    for m in moves:
        dr, dc = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}[m]
        i, j = r + dr, c + dc
        if 0 <= i < n and 0 <= j < n and (g[i][j] == 0 or g[i][j] == g[r][c]):
            g[i][j] += g[r][c]
            g[r][c] = 0
            r, c = i, j
    return g


def test_start_tile_nonempty_moves_change_grid_and_simulation_agrees() -> None:
    for inst in sb.generate(NAME, 60, seed=4):
        d = inst.data
        assert d["grid"][d["start"][0]][d["start"][1]] != 0
        final = _sim(d["grid"], d["start"], d["moves"])
        assert final != d["grid"]
        assert json.loads(inst.answer) == final
        assert (
            f"({d['start'][0] + 1}, {d['start'][1] + 1})" in inst.question
            and f"'{d['moves']}'" in inst.question
        )


def test_near_misses_and_formats() -> None:
    inst = sb.generate(NAME, 1, seed=3, complexity=3)[0]
    grid = json.loads(inst.answer)
    assert sb.verify(inst, "<<<" + "\n".join(", ".join(map(str, r)) for r in grid) + ">>>").correct
    assert sb.verify(inst, "<<<" + " ".join(str(v) for r in grid for v in r) + ">>>").correct
    assert sb.verify(inst, "<<<" + json.dumps(inst.data["grid"]) + ">>>").kind == "wrong"  # the input grid
    bad = [r[:] for r in grid]
    bad[0][0] = bad[0][0] * 2 or 2
    v = sb.verify(inst, f"<<<{json.dumps(bad)}>>>")
    assert v.kind == "wrong" and "first at (1, 1)" in v.reason
    assert sb.verify(inst, f"<<<{json.dumps(grid[:-1])}>>>").kind == "malformed"
    assert sb.verify(inst, "<<<[[2, x]]>>>").kind == "malformed"


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_loads_with_trivial_instances_marked() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        assert sb.verify(inst, "<<<" + inst.data["reference"]["stored_label"] + ">>>").correct
    s0 = items[0]
    assert json.loads(s0.answer) == [[16, 0], [4, 2]] and not s0.data["trivial"]
    assert sum(i.data["trivial"] for i in items) == 5  # answers equal to the input grid, as published
