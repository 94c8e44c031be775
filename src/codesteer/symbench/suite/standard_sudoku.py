"""Standard Sudoku (seen): fill a 9x9 grid so every row, column and 3x3 box holds 1-9 once."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, malformed, ok, violates

Grid = list[list[int]]
ALL = 0x3FE  # bits 1..9


def _box(r: int, c: int) -> int:
    return (r // 3) * 3 + c // 3


def solve(
    grid: Grid, rng: random.Random | None = None, limit: int = 1, node_limit: int = 200_000
) -> list[Grid]:
    """Up to ``limit`` completions of ``grid`` (0 = empty), by bitmask backtracking with the fewest-candidates
    cell first. Random value order with ``rng`` (used to draw full grids). Returns [] for contradictory
    givens or when the node limit runs out."""
    rows = [0] * 9
    cols = [0] * 9
    boxes = [0] * 9
    g = [row[:] for row in grid]
    empties: list[tuple[int, int]] = []
    for r in range(9):
        for c in range(9):
            v = g[r][c]
            if v:
                bit = 1 << v
                b = _box(r, c)
                if rows[r] & bit or cols[c] & bit or boxes[b] & bit:
                    return []
                rows[r] |= bit
                cols[c] |= bit
                boxes[b] |= bit
            else:
                empties.append((r, c))
    out: list[Grid] = []
    nodes = 0

    def rec() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            return True
        best = -1
        best_mask = 0
        best_n = 10
        for i, (r, c) in enumerate(empties):
            if g[r][c]:
                continue
            mask = ALL & ~(rows[r] | cols[c] | boxes[_box(r, c)])
            n = mask.bit_count()
            if n < best_n:
                best, best_mask, best_n = i, mask, n
                if n <= 1:
                    break
        if best < 0:
            out.append([row[:] for row in g])
            return len(out) >= limit
        if best_n == 0:
            return False
        r, c = empties[best]
        b = _box(r, c)
        values = [v for v in range(1, 10) if best_mask >> v & 1]
        if rng is not None:
            rng.shuffle(values)
        for v in values:
            bit = 1 << v
            g[r][c] = v
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
            stop = rec()
            g[r][c] = 0
            rows[r] &= ~bit
            cols[c] &= ~bit
            boxes[b] &= ~bit
            if stop:
                return True
        return False

    rec()
    return out if nodes <= node_limit else []


def grid_errors(grid: Grid) -> str | None:
    """The first broken rule of a filled grid, or None."""
    for r in range(9):
        for c in range(9):
            if not 1 <= grid[r][c] <= 9:
                return f"cell ({r},{c}) holds {grid[r][c]}, not a number 1-9"
    units = (
        [(f"row {r}", [(r, c) for c in range(9)]) for r in range(9)]
        + [(f"column {c}", [(r, c) for r in range(9)]) for c in range(9)]
        + [
            (
                f"box at rows {br}-{br + 2}, columns {bc}-{bc + 2}",
                [(br + i, bc + j) for i in range(3) for j in range(3)],
            )
            for br in (0, 3, 6)
            for bc in (0, 3, 6)
        ]
    )
    for name, cells in units:
        seen: dict[int, tuple[int, int]] = {}
        for r, c in cells:
            v = grid[r][c]
            if v in seen:
                return f"{name} holds {v} twice, at {seen[v]} and {(r, c)}"
            seen[v] = (r, c)
    return None


_GRID_OK = re.compile(r"[\d\s,;|.\[\](){}]*")


def parse_sudoku(text: str) -> Grid:
    """A 9x9 grid from a JSON-style nested list, rows per line (``5,3,4,...`` or ``534...``) or 81 digits."""
    s = clean(text)
    if len(s) > 5000:
        raise ParseError("answer too long")
    if not _GRID_OK.fullmatch(s):
        raise ParseError("a Sudoku answer may contain only digits and separators")
    tokens = re.findall(r"\d+", s)
    if len(tokens) == 9 and all(len(t) == 9 for t in tokens):
        tokens = [ch for t in tokens for ch in t]
    elif len(tokens) == 1 and len(tokens[0]) == 81:
        tokens = list(tokens[0])
    if len(tokens) != 81:
        raise ParseError(f"expected 81 cells (9 rows of 9), got {len(tokens)}")
    if any(len(t) > 2 for t in tokens):
        raise ParseError("cell values must be single numbers 1-9")
    vals = [int(t) for t in tokens]
    return [vals[i * 9 : i * 9 + 9] for i in range(9)]


def render(puzzle: Grid) -> str:
    return "\n".join(",".join(str(v) if v else "_" for v in row) for row in puzzle)


def _question(puzzle: Grid) -> str:
    return (
        "Given a 9*9 Sudoku grid, fill every empty cell with a number from 1 to 9 so that each row, each column "
        "and each of the nine 3*3 boxes contains every number from 1 to 9 exactly once. Pre-filled cells must "
        "keep their numbers. Empty cells are shown as _ and cells in a row are separated by commas.\n\n"
        f"{render(puzzle)}\n\n"
        "Return the completed grid as a list of 9 rows in the format <<<a 9*9 matrix>>>, for example "
        "<<<[[5,3,4,6,7,8,9,1,2], [6,7,2,1,9,5,3,4,8], ...]>>> with all 9 rows written out."
    )


@register
class StandardSudoku(Task):
    name = "standard_sudoku"
    title = "Standard Sudoku"
    seen = True
    description = (
        "Complete a 9x9 Sudoku. A full grid is drawn by randomized backtracking (fewest-candidates first) and "
        "cells are blanked at random, so every puzzle is solvable; the verifier checks the givens and every "
        "row, column and box, so any valid completion passes even where several exist. Complexity sets the "
        "number of blanks: level 1 30-35, 2 36-40, 3 41-45, 4 46-50, 5 51-55 (the published test set is all "
        "level 5). With unique=true cells are blanked only while the solution stays unique (slower, and the "
        "blank count may fall short of the band on unlucky grids)."
    )
    knobs = (
        Knob("min_blanks", int, 41, "fewest empty cells", lo=0, hi=64),
        Knob("max_blanks", int, 45, "most empty cells", lo=0, hi=64),
        Knob("unique", bool, False, "blank only while the solution stays unique (about 10x slower)"),
    )
    presets = {
        1: {"min_blanks": 30, "max_blanks": 35},
        2: {"min_blanks": 36, "max_blanks": 40},
        3: {"min_blanks": 41, "max_blanks": 45},
        4: {"min_blanks": 46, "max_blanks": 50},
        5: {"min_blanks": 51, "max_blanks": 55},
    }
    reference_dirs = ("standard_sudoku",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_blanks"] > cfg["max_blanks"]:
            raise ValueError(
                f"standard_sudoku: min_blanks ({cfg['min_blanks']}) must be <= max_blanks ({cfg['max_blanks']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        full: list[Grid] = []
        while not full:
            full = solve([[0] * 9 for _ in range(9)], rng, node_limit=5_000)
        solution = full[0]
        blanks = rng.randint(cfg["min_blanks"], cfg["max_blanks"])
        cells = [(r, c) for r in range(9) for c in range(9)]
        rng.shuffle(cells)
        puzzle = [row[:] for row in solution]
        if cfg["unique"]:
            done = 0
            for r, c in cells:
                if done == blanks:
                    break
                keep = puzzle[r][c]
                puzzle[r][c] = 0
                if len(solve(puzzle, limit=2, node_limit=20_000)) == 1:
                    done += 1
                else:
                    puzzle[r][c] = keep
        else:
            for r, c in cells[:blanks]:
                puzzle[r][c] = 0
        answer = "[" + ", ".join("[" + ",".join(str(v) for v in row) + "]" for row in solution) + "]"
        return Draft(_question(puzzle), answer, {"puzzle": puzzle})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        grid = parse_sudoku(answer)
        puzzle = data["puzzle"]
        for r in range(9):
            for c in range(9):
                given = puzzle[r][c]
                if given and grid[r][c] != given:
                    return violates(f"the given {given} at ({r},{c}) was changed to {grid[r][c]}")
        err = grid_errors(grid)
        if err:
            return violates(err)
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, "standard_sudoku"):
            puzzle = parse_question_grid(question)
            if puzzle is None:
                skip(source, "grid not found in the question")
                continue
            sols = solve(puzzle)
            if not sols:
                skip(source, "no valid solution as stated")
                continue
            label = stored_value(stored, "solution")
            note = None
            if label is not None:
                try:
                    text = str(label)
                    verdict = self.check({"puzzle": puzzle}, text)
                except (ValueError, TypeError):
                    verdict = malformed("unreadable stored solution")
                if not verdict.correct:
                    note = f"stored solution fails: {verdict.reason}"
            text = question.strip()
            yield RefItem(
                source=source,
                question=text,
                answer=str(sols[0]).replace(" ", ""),
                data={"puzzle": puzzle},
                complexity=None,  # the stored labels 5/6/7 all use the same 51-55 blank band
                stored_label=label,
                label_note=note,
            )


def parse_question_grid(question: str) -> Grid | None:
    """The 9 comma-separated rows of a stored question (blank, space, _ or 0 = empty), or None."""
    rows: Grid = []
    for line in question.splitlines():
        cells = line.split(",")
        if len(cells) != 9:
            continue
        row: list[int] = []
        for cell in cells:
            t = cell.strip()
            if t in ("", "_", "0", "."):
                row.append(0)
            elif t.isdigit() and 1 <= int(t) <= 9:
                row.append(int(t))
            else:
                break
        else:
            rows.append(row)
    return rows if len(rows) == 9 else None
