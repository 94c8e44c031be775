"""2048, single-tile variant (unseen): move one tile step by step, merging with equal tiles.

Unlike the reference, the moving tile is never an empty cell and a move string that leaves the grid
unchanged is rejected, so "copy the input grid" is never the answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError
from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._tokens import tokens

Grid = list[list[int]]
STEP = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}


def simulate(grid: Sequence[Sequence[int]], start: Sequence[int], moves: str) -> Grid:
    """Move only the tile at ``start`` (0-based), one cell per letter: into an empty cell, or merging into an
    equal tile (which doubles and becomes the moving tile); blocked by the edge or a different tile."""
    g = [list(r) for r in grid]
    n = len(g)
    r, c = start
    for m in moves:
        dr, dc = STEP[m]
        nr, nc = r + dr, c + dc
        if not (0 <= nr < n and 0 <= nc < n) or g[r][c] == 0:
            continue
        if g[nr][nc] == 0:
            g[nr][nc], g[r][c] = g[r][c], 0
        elif g[nr][nc] == g[r][c]:
            g[nr][nc], g[r][c] = 2 * g[r][c], 0
        else:
            continue
        r, c = nr, nc
    return g


def _text(grid: Sequence[Sequence[int]]) -> str:
    return "\n".join(", ".join(str(v) for v in row) for row in grid)


def _answer(grid: Sequence[Sequence[int]]) -> str:
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in grid) + "]"


def _question(grid: Grid, start: Sequence[int], moves: str) -> str:
    n = len(grid)
    return "\n".join(
        [
            f"In an {n}x{n} grid, some cells hold powers of 2 and the others are empty (written 0). In this "
            "single-tile variant of 2048, ONLY the tile that starts at the given position moves; all other "
            "tiles stay where they are.",
            "Each letter of the move sequence moves that tile one cell: u = up, d = down, l = left, r = right. "
            "For each step:",
            "- if the target cell is outside the grid, the tile stays where it is;",
            "- if the target cell is empty, the tile moves into it;",
            "- if the target cell holds the same number, the two combine into their sum (2+2 -> 4, 16+16 -> "
            "32) in the target cell, the tile's old cell becomes empty, and the combined tile is the one that "
            "keeps moving;",
            "- if the target cell holds a different number, the tile stays where it is.",
            "Positions (a, b) mean row a, column b, counted from 1 (row 1 is the top row).",
            "",
            f"Move the tile at position ({start[0] + 1}, {start[1] + 1}) using the sequence '{moves}' in this grid:",
            _text(grid),
            "",
            "What is the grid after all the moves? Give all rows in the format <<<[[row 1], [row 2], ...]>>>. "
            "For example, <<<[[2, 0], [0, 4]]>>> for a 2x2 grid.",
        ]
    )


def _read(answer: str, n: int) -> list[int]:
    toks = tokens(answer, max_tokens=n * n + 10)
    vals = []
    for t in toks:
        if not re.fullmatch(r"\d{1,7}", t):
            raise ParseError(f"not a grid number: {t[:20]!r}")
        vals.append(int(t))
    if len(vals) != n * n:
        raise ParseError(f"expected {n * n} numbers ({n}x{n}), got {len(vals)}")
    return vals


@register
class Game2048(Task):
    name = "game2048"
    title = "2048 (single-tile variant)"
    seen = False
    description = (
        "A grid of powers of two; only the tile at a given position moves, one cell per letter of a u/d/l/r "
        "string, entering empty cells and merging with equal tiles. Give the final grid (unique by "
        "simulation). The moving tile is never empty and the move string always changes the grid (both were "
        "broken in the reference, where 147 of 200 answers equalled the input). Complexity raises the grid "
        "size and the number of moves: 2x2 with 2 moves at level 1 up to 5x5 with 6 moves at level 5."
    )
    knobs = (
        Knob("size", int, 4, "grid side", lo=2, hi=8),
        Knob("moves", int, 4, "length of the move string", lo=1, hi=16),
        Knob("max_power", int, 5, "tiles are 2**1 .. 2**max_power", lo=1, hi=11),
    )
    presets = {
        1: {"size": 2, "moves": 2},
        2: {"size": 3, "moves": 3},
        3: {"size": 4, "moves": 4},
        4: {"size": 5, "moves": 5},
        5: {"size": 5, "moves": 6},
    }
    reference_dirs = ("2048_dataset",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n, k = cfg["size"], cfg["moves"]
        values = [2**i for i in range(1, cfg["max_power"] + 1)]
        cells = [(r, c) for r in range(n) for c in range(n)]
        for _ in range(500):
            count = rng.randint(min(n, n * n - 1), min(2 * n, n * n - 1))
            grid = [[0] * n for _ in range(n)]
            for r, c in rng.sample(cells, count):
                grid[r][c] = rng.choice(values)
            start = rng.choice([x for x in cells if grid[x[0]][x[1]]])
            moves = "".join(rng.choice("udlr") for _ in range(k))
            final = simulate(grid, start, moves)
            if final != grid:
                break
        else:  # pragma: no cover - a 2x2 grid with one empty cell always admits a changing move
            raise RuntimeError("game2048: could not draw a move string that changes the grid")
        data = {"grid": grid, "start": list(start), "moves": moves, "solution": final}
        return Draft(_question(grid, start, moves), _answer(final), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        want = [v for row in data["solution"] for v in row]
        n = len(data["solution"])
        got = _read(answer, n)
        diff = [i for i in range(n * n) if got[i] != want[i]]
        if not diff:
            return ok()
        r, c = divmod(diff[0], n)
        return wrong(
            f"{len(diff)} cell(s) differ; first at ({r + 1}, {c + 1}): {got[diff[0]]} instead of {want[diff[0]]}"
        )

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            m = re.search(
                r"position \((\d+),\s*(\d+)\) using the sequence '([udlr]*)':\s*\n((?:[\d, ]+\n?)+)", question
            )
            if not m:
                skip(source, "grid, start or moves not found in the question")
                continue
            grid = [
                [int(x) for x in line.split(",")] for line in m.group(4).strip().splitlines() if line.strip()
            ]
            n = len(grid)
            start = [int(m.group(1)) - 1, int(m.group(2)) - 1]
            if any(len(r) != n for r in grid) or not (0 <= start[0] < n and 0 <= start[1] < n):
                skip(source, "grid not square or start cell outside it")
                continue
            final = simulate(grid, start, m.group(3))
            label = stored_value(stored, "solution")
            note = None
            if isinstance(label, str):
                try:
                    stored_grid = [[int(x) for x in line.split(",")] for line in label.strip().splitlines()]
                except ValueError:
                    stored_grid = None
                if stored_grid != final:
                    note = f"stored grid {label!r} != simulated {_text(final)!r}"
            data = {
                "grid": grid,
                "start": start,
                "moves": m.group(3),
                "solution": final,
                # the reference let the start cell be empty or the moves be no-ops: answer == input grid
                "trivial": final == grid,
            }
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=_answer(final),
                data=data,
                complexity=stored_value(stored, "complexity"),
                stored_label=label,
                label_note=note,
            )
