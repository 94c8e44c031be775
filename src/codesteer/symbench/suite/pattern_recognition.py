"""Pattern Recognition (seen): find the largest solid square of one letter in a letter matrix."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, parse_int
from codesteer.symbench._samples import read_samples, skip, stored_complexity
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._grid import flat_tokens

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIN_SIDE = 3


def square_sides(grid: list[str]) -> list[list[int]]:
    """``dp[r][c]`` = side of the largest one-letter square whose bottom-right corner is (r, c)."""
    rows, cols = len(grid), len(grid[0])
    dp = [[1] * cols for _ in range(rows)]
    for r in range(1, rows):
        for c in range(1, cols):
            ch = grid[r][c]
            if grid[r - 1][c] == ch and grid[r][c - 1] == ch and grid[r - 1][c - 1] == ch:
                dp[r][c] = 1 + min(dp[r - 1][c], dp[r][c - 1], dp[r - 1][c - 1])
    return dp


def largest_squares(grid: list[str]) -> tuple[int, list[list[int]]]:
    """The largest side and the bottom-right corners of every square of that side."""
    dp = square_sides(grid)
    best = max(max(row) for row in dp)
    return best, [[r, c] for r, row in enumerate(dp) for c, v in enumerate(row) if v == best]


def _question(grid: list[str]) -> str:
    body = "\n".join(" ".join(row) for row in grid)
    return (
        f"Here is a character matrix with {len(grid)} rows and {len(grid[0])} columns:\n\n"
        f"{body}\n\n"
        f"A square is a k x k block of adjacent cells (k >= {MIN_SIDE}) that all hold the same letter. The "
        "matrix contains exactly one largest square (a square with a larger side than every other square; "
        "the smaller squares inside it do not count as separate answers). Find the largest square and give "
        "the row and column of its bottom-right corner. Rows and columns are numbered from 0, starting at "
        "the top-left cell.\n"
        "Answer in the format <<<[row, column]>>>; for example, <<<[4, 7]>>> means row 4, column 7."
    )


def _fill(rng: random.Random, rows: int, cols: int, alphabet: str) -> list[list[str]]:
    return [[rng.choice(alphabet) for _ in range(cols)] for _ in range(rows)]


def _plant_decoy(rng: random.Random, grid: list[list[str]], side: int, alphabet: str, avoid: str) -> None:
    """A look-alike block: h x w of one letter (h, w in side-1..side+1, so it can look larger than the real
    square) with a 'hole' at every cell whose offsets are both congruent to a random phase mod 3. Every 3x3
    window of the block then holds exactly one hole, so the decoy contains no square of side >= 3."""
    rows, cols = len(grid), len(grid[0])
    h = min(rows, max(2, side + rng.randint(-1, 1)))
    w = min(cols, max(2, side + rng.randint(-1, 1)))
    r0, c0 = rng.randint(0, rows - h), rng.randint(0, cols - w)
    ch = rng.choice([x for x in alphabet if x != avoid])
    pr, pc = rng.randrange(3), rng.randrange(3)
    for r in range(h):
        for c in range(w):
            hole = r % 3 == pr and c % 3 == pc
            grid[r0 + r][c0 + c] = rng.choice([x for x in alphabet if x != ch]) if hole else ch


@register
class PatternRecognition(Task):
    name = "pattern_recognition"
    title = "Pattern Recognition"
    seen = True
    description = (
        "A random letter matrix holds one planted solid square of a single letter; the answer is the 0-based "
        "(row, column) of the bottom-right corner of the LARGEST square. The question says 'largest' and "
        "defines squares exactly, and the generator proves with a maximal-square DP that the largest square is "
        "unique and that no other square of side >= 3 exists (the reference only checked squares touching "
        "the border). Complexity 1..5 grows the matrix from 6x6 to 15x15 and adds look-alike decoy blocks "
        "(rectangles and squares with one wrong cell); fewer letters make the filler more repetitive."
    )
    knobs = (
        Knob("min_size", int, 6, "fewest rows/columns", lo=4, hi=30),
        Knob("max_size", int, 10, "most rows/columns", lo=4, hi=30),
        Knob("min_square", int, 3, "smallest side of the planted square", lo=3, hi=15),
        Knob(
            "max_square",
            int,
            5,
            "largest side of the planted square (capped at the matrix side)",
            lo=3,
            hi=15,
        ),
        Knob("letters", int, 26, "number of distinct letters in the matrix", lo=3, hi=26),
        Knob("decoys", int, 0, "look-alike near-square blocks planted as distractors", lo=0, hi=10),
    )
    presets = {
        1: {"min_size": 6, "max_size": 7, "min_square": 3, "max_square": 3, "letters": 26, "decoys": 0},
        2: {"min_size": 7, "max_size": 9, "min_square": 3, "max_square": 4, "letters": 26, "decoys": 0},
        3: {"min_size": 8, "max_size": 11, "min_square": 3, "max_square": 5, "letters": 20, "decoys": 1},
        4: {"min_size": 10, "max_size": 13, "min_square": 3, "max_square": 6, "letters": 12, "decoys": 2},
        5: {"min_size": 12, "max_size": 15, "min_square": 3, "max_square": 7, "letters": 8, "decoys": 3},
    }
    reference_dirs = ("pattern_recognition",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_size"] > cfg["max_size"]:
            raise ValueError(
                f"pattern_recognition: min_size ({cfg['min_size']}) must be <= max_size ({cfg['max_size']})"
            )
        if cfg["min_square"] > cfg["max_square"]:
            raise ValueError(
                f"pattern_recognition: min_square ({cfg['min_square']}) must be <= max_square "
                f"({cfg['max_square']})"
            )
        if cfg["min_square"] > cfg["min_size"]:
            raise ValueError(
                f"pattern_recognition: min_square ({cfg['min_square']}) must fit in the smallest matrix "
                f"(min_size {cfg['min_size']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        alphabet = _ALPHABET[: cfg["letters"]]
        rows = rng.randint(cfg["min_size"], cfg["max_size"])
        cols = rng.randint(cfg["min_size"], cfg["max_size"])
        side = rng.randint(cfg["min_square"], min(cfg["max_square"], rows, cols))
        r0, c0 = rng.randint(0, rows - side), rng.randint(0, cols - side)
        inside = {(r, c) for r in range(r0, r0 + side) for c in range(c0, c0 + side)}
        ch = rng.choice(alphabet)
        grid = _fill(rng, rows, cols, alphabet)
        for _ in range(cfg["decoys"]):
            _plant_decoy(rng, grid, side, alphabet, ch)
        for r, c in sorted(inside):
            grid[r][c] = ch
        # repair: re-draw any cell that completes another square (side >= 3) or extends the planted one;
        # each pass strictly breaks the offending blocks, bounded for safety
        for _ in range(500):
            text = ["".join(row) for row in grid]
            dp = square_sides(text)
            bad = [
                (r, c)
                for r in range(rows)
                for c in range(cols)
                if dp[r][c] >= MIN_SIDE and ((r, c) not in inside or dp[r][c] > side)
            ]
            if not bad:
                break
            r, c = bad[0]
            # change a cell of the offending block that lies outside the planted square
            k = dp[r][c]
            cand = [
                (rr, cc)
                for rr in range(r - k + 1, r + 1)
                for cc in range(c - k + 1, c + 1)
                if (rr, cc) not in inside
            ]
            rr, cc = rng.choice(cand)
            grid[rr][cc] = rng.choice([x for x in alphabet if x != grid[rr][cc]])
        else:  # pragma: no cover - the repair always converges long before this
            raise RuntimeError("pattern_recognition: could not make the square unique")
        text = ["".join(row) for row in grid]
        best, corners = largest_squares(text)
        if best != side or corners != [[r0 + side - 1, c0 + side - 1]]:  # the solver's proof of uniqueness
            raise RuntimeError("pattern_recognition: generated matrix has no unique largest square")
        data = {"grid": text, "side": side, "corners": corners}
        return Draft(_question(text), f"[{corners[0][0]}, {corners[0][1]}]", data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        toks = flat_tokens(re.sub(r"(?i)\b(row|column|col|r|c)\s*[:=]?\s*", " ", answer))
        if len(toks) != 2:
            raise ParseError(f"expected two integers [row, column], got {len(toks)} items")
        r, c = parse_int(toks[0]), parse_int(toks[1])
        corners = [list(x) for x in data["corners"]]
        if [r, c] in corners:
            return ok()
        grid: list[str] = data["grid"]
        if not (0 <= r < len(grid) and 0 <= c < len(grid[0])):
            return wrong(f"({r}, {c}) is outside the {len(grid)}x{len(grid[0])} matrix (0-based)")
        k = square_sides(grid)[r][c]
        if k >= MIN_SIDE:
            return wrong(f"({r}, {c}) is the corner of a {k}x{k} square, not of the largest one")
        return wrong(f"({r}, {c}) is not the bottom-right corner of a square of side >= {MIN_SIDE}")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            m = re.search(r"If the matrix is\s*\n(.*?)\n\s*\n\s*Please provide", question, re.S)
            if not m:
                skip(source, "matrix not found in the question")
                continue
            grid = ["".join(ln.split()) for ln in m.group(1).strip().splitlines() if ln.strip()]
            if not grid or any(len(r) != len(grid[0]) for r in grid):
                skip(source, "matrix rows of unequal length")
                continue
            best, corners = largest_squares(grid)
            if best < MIN_SIDE:
                skip(source, "no square of the minimum side")
                continue
            stored = [sol.get("row"), sol.get("column")] if isinstance(sol, dict) and "row" in sol else None
            note = None
            if len(corners) > 1:
                note = f"{len(corners)} largest squares of side {best}; any of their corners is accepted"
            elif stored is not None and stored != corners[0]:
                note = f"stored corner {stored} != corner of the largest square {corners[0]}"
            yield RefItem(
                source=source,
                question=question,
                answer=f"[{corners[0][0]}, {corners[0][1]}]",
                data={"grid": grid, "side": best, "corners": corners},
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )
