"""Letter Logic Diagram (seen): complete a Latin square of letters whose minor diagonal is one letter."""

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

Grid = list[list[str | None]]


def solve(
    grid: Grid, letters: str, limit: int = 1, rng: random.Random | None = None, node_limit: int = 200_000
) -> list[list[list[str]]]:
    """Up to ``limit`` completions: rows and columns are permutations of ``letters`` and every cell on the
    minor diagonal (r + c = n - 1) holds the same letter. The diagonal letter is fixed by a given one or tried
    in turn; the rest is bitmask backtracking, fewest candidates first."""
    n = len(grid)
    idx = {ch: i for i, ch in enumerate(letters)}
    full = (1 << n) - 1
    diag_given = {c for c in (grid[r][n - 1 - r] for r in range(n)) if c is not None}
    if len(diag_given) > 1:
        return []
    diag_choices = [idx[d] for d in diag_given] if diag_given else list(range(n))
    if rng is not None and not diag_given:
        rng.shuffle(diag_choices)
    out: list[list[list[str]]] = []
    nodes = 0

    def attempt(d: int) -> bool:
        g = [[idx[ch] if ch is not None else -1 for ch in row] for row in grid]
        for r in range(n):
            g[r][n - 1 - r] = d
        rows = [0] * n
        cols = [0] * n
        bad = False
        for r in range(n):
            for c in range(n):
                v = g[r][c]
                if v >= 0:
                    if rows[r] >> v & 1 or cols[c] >> v & 1:
                        bad = True
                    rows[r] |= 1 << v
                    cols[c] |= 1 << v
        if bad:
            return False
        empties = [(r, c) for r in range(n) for c in range(n) if g[r][c] < 0]

        def rec() -> bool:
            nonlocal nodes
            nodes += 1
            if nodes > node_limit:
                return True
            best, best_mask, best_n = -1, 0, n + 1
            for i, (r, c) in enumerate(empties):
                if g[r][c] >= 0:
                    continue
                mask = full & ~(rows[r] | cols[c])
                cnt = mask.bit_count()
                if cnt < best_n:
                    best, best_mask, best_n = i, mask, cnt
                    if cnt <= 1:
                        break
            if best < 0:
                out.append([[letters[v] for v in row] for row in g])
                return len(out) >= limit
            if best_n == 0:
                return False
            r, c = empties[best]
            vals = [v for v in range(n) if best_mask >> v & 1]
            if rng is not None:
                rng.shuffle(vals)
            for v in vals:
                g[r][c] = v
                rows[r] |= 1 << v
                cols[c] |= 1 << v
                stop = rec()
                g[r][c] = -1
                rows[r] &= ~(1 << v)
                cols[c] &= ~(1 << v)
                if stop:
                    return True
            return False

        return rec()

    for d in diag_choices:
        if attempt(d):
            break
    return out if nodes <= node_limit else []


def grid_errors(puzzle: Grid, grid: list[list[str]], letters: str) -> str | None:
    n = len(puzzle)
    for r in range(n):
        for c in range(n):
            if grid[r][c] not in letters:
                return f"cell ({r},{c}) holds {grid[r][c]!r}, not one of {', '.join(letters)}"
            if puzzle[r][c] is not None and grid[r][c] != puzzle[r][c]:
                return f"the given {puzzle[r][c]} at ({r},{c}) was changed to {grid[r][c]}"
    for r in range(n):
        if len(set(grid[r])) != n:
            return f"row {r} repeats a letter: {','.join(grid[r])}"
    for c in range(n):
        col = [grid[r][c] for r in range(n)]
        if len(set(col)) != n:
            return f"column {c} repeats a letter: {','.join(col)}"
    diag = [grid[r][n - 1 - r] for r in range(n)]
    if len(set(diag)) != 1:
        return f"the minor diagonal (top-right to bottom-left) is not one letter: {','.join(diag)}"
    return None


_ANSWER_OK = re.compile(r"[A-Za-z\s,;|\[\](){}\"'`]*")


def parse_letter_grid(text: str, n: int) -> list[list[str]]:
    """n rows of n letters: one row per line (``a,b,c``), a nested list, or ``abc`` strings per row."""
    s = clean(text)
    if len(s) > 5000:
        raise ParseError("answer too long")
    if not _ANSWER_OK.fullmatch(s):
        raise ParseError("the grid may contain only letters and separators")
    s = s.strip()
    while len(s) >= 2 and s[0] in "[(" and s[-1] in "])" and s[1:2] in "[(":
        s = s[1:-1].strip()
    rows = [r for r in re.split(r"\n|;|[\])]\s*,?\s*[\[(]", s) if re.search(r"[A-Za-z]", r)]
    grid: list[list[str]] = []
    if len(rows) == n:
        for row in rows:
            tokens = re.findall(r"[A-Za-z]+", row)
            if len(tokens) == 1 and len(tokens[0]) == n:
                tokens = list(tokens[0])
            grid.append([t.lower() for t in tokens])
    else:
        tokens = re.findall(r"[A-Za-z]+", s)
        if len(tokens) == n and all(len(t) == n for t in tokens):
            tokens = [ch for t in tokens for ch in t]
        if len(tokens) != n * n:
            raise ParseError(f"expected {n} rows of {n} letters")
        grid = [[t.lower() for t in tokens[i * n : i * n + n]] for i in range(n)]
    for i, row in enumerate(grid):
        if len(row) != n:
            raise ParseError(f"row {i + 1} has {len(row)} cells, expected {n}")
        if any(len(t) != 1 for t in row):
            raise ParseError(f"row {i + 1} holds a multi-letter cell")
    return grid


def render(puzzle: Grid) -> str:
    return "\n".join(",".join(ch or "" for ch in row) for row in puzzle)


def _question(puzzle: Grid, letters: str) -> str:
    n = len(puzzle)
    span = f"{{{letters[0]}..{letters[-1]}}}"
    example = "\n".join(",".join(letters[(r + c) % n] for c in range(n)) for r in range(2))
    return (
        f"Given a {n}x{n} grid of letters {span}, some cells are pre-filled. Fill the rest so that:\n"
        f"1) Each row contains each of the letters {span} exactly once.\n"
        f"2) Each column contains each of the letters {span} exactly once.\n"
        "3) All cells on the minor diagonal (from the top-right corner to the bottom-left corner) contain the "
        "same letter.\n"
        "Pre-filled cells keep their letters.\n\n"
        "Here is the puzzle (each row on its own line, cells separated by commas, empty cells blank):\n\n"
        f"{render(puzzle)}\n\n"
        f"Return the completed grid, {n} rows of {n} comma-separated letters, one row per line, in the format\n"
        f"<<<\n{example}\n...\n>>>\n(with all {n} rows written out)."
    )


@register
class LetterLogicDiagram(Task):
    name = "letter_logic_diagram"
    title = "Letter Logic Diagram"
    seen = True
    description = (
        "Complete an NxN grid (7x7 by default, letters a..g) so every row and column holds each letter once and "
        "the minor diagonal holds a single letter. Full grids are drawn by randomized backtracking (more varied "
        "than the reference's relabelled cyclic square) and then cells are blanked, so every puzzle is solvable. "
        "Complexity sets the blanks: 15, 20, 25, 30, 35 for levels 1-5 (the reference used 15/20/25/30/30). "
        "Puzzles may have several solutions; the verifier checks the rules and the givens, so any valid "
        "completion passes (the reference compared with one stored grid)."
    )
    knobs = (
        Knob("size", int, 7, "grid side N (letters a.. of the alphabet)", lo=3, hi=9),
        Knob("blanks", int, 25, "empty cells (at most N*N)", lo=0, hi=81),
    )
    presets = {
        1: {"blanks": 15},
        2: {"blanks": 20},
        3: {"blanks": 25},
        4: {"blanks": 30},
        5: {"blanks": 35},
    }
    reference_dirs = ("letter_logic_diagram",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        n = cfg["size"]
        if cfg["blanks"] > n * n:
            raise ValueError(f"letter_logic_diagram: blanks ({cfg['blanks']}) must be <= size*size ({n * n})")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n = cfg["size"]
        letters = "abcdefghi"[:n]
        full: list[list[list[str]]] = []
        while not full:
            full = solve([[None] * n for _ in range(n)], letters, rng=rng, node_limit=5_000)
        solution = full[0]
        cells = [(r, c) for r in range(n) for c in range(n)]
        blank = set(rng.sample(cells, cfg["blanks"]))
        puzzle: Grid = [[None if (r, c) in blank else solution[r][c] for c in range(n)] for r in range(n)]
        answer = "\n".join(",".join(row) for row in solution)
        return Draft(_question(puzzle, letters), answer, {"puzzle": puzzle, "letters": letters})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        puzzle = data["puzzle"]
        letters = data["letters"]
        grid = parse_letter_grid(answer, len(puzzle))
        err = grid_errors(puzzle, grid, letters)
        return violates(err) if err else ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, "letter_logic_diagram"):
            puzzle = parse_question_grid(question)
            if puzzle is None:
                skip(source, "grid not found in the question")
                continue
            n = len(puzzle)
            letters = "abcdefghi"[:n]
            if any(ch is not None and ch not in letters for row in puzzle for ch in row):
                skip(source, "a letter outside the grid's alphabet")
                continue
            sols = solve(puzzle, letters)
            if not sols:
                skip(source, "no valid solution as stated")
                continue
            data = {"puzzle": puzzle, "letters": letters}
            label = stored_value(stored, "solution")
            note = None
            if label is not None:
                try:
                    text = "\n".join(",".join(str(x) for x in row) for row in label)
                    verdict = self.check(data, text)
                except (ValueError, TypeError):
                    verdict = malformed("unreadable stored solution")
                if not verdict.correct:
                    note = f"stored solution fails: {verdict.reason}"
            level = stored_value(stored, "complexity")
            yield RefItem(
                source=source,
                question=question.strip(),
                answer="\n".join(",".join(row) for row in sols[0]),
                data=data,
                complexity=level if isinstance(level, int) and 1 <= level <= 5 else None,
                stored_label=label,
                label_note=note,
            )


def parse_question_grid(question: str) -> Grid | None:
    """The comma-separated puzzle rows of a stored question (empty cells blank), or None."""
    lines = [ln.strip() for ln in question.splitlines()]
    rows = [ln for ln in lines if ln and re.fullmatch(r"[a-z]?(,[a-z]?)+", ln)]
    if not rows:
        return None
    n = len(rows)
    grid: Grid = [[ch or None for ch in row.split(",")] for row in rows]
    if any(len(row) != n for row in grid):
        return None
    return grid
