"""Logical Puzzle (seen): select grid cells with distinct values under a per-row/column sum or product rule."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong
from codesteer.symbench.suite._cells import format_cells, parse_cells

Cell = tuple[int, int]


def solve(
    grid: list[list[int]], k: int, rule: str, limit: int, node_limit: int = 100_000
) -> list[Cell] | None:
    """K cells with distinct values, the top-right one included, meeting the rule in every row and column.

    Cells are decided in row-major order. Sum rule (positive values): partial row/column sums prune.
    Product rule (product > 0, so no zeros and an even count of negatives per line): a row's parity is
    checked when it is complete, and a column with odd parity must still have a negative cell further down.
    Returns None when no selection exists or the node limit runs out.
    """
    n = len(grid)
    corner = (0, n - 1)
    cells = [(r, c) for r in range(n) for c in range(n)]
    neg_below = [[any(grid[rr][c] < 0 for rr in range(r + 1, n)) for c in range(n)] for r in range(n)]
    row_acc = [0] * n  # sum, or count of negatives
    col_acc = [0] * n
    used: set[int] = set()
    chosen: list[Cell] = []
    nodes = 0
    product = rule == "product"

    def ok_line(acc: int) -> bool:
        return acc % 2 == 0 if product else acc <= limit

    def rec(idx: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            return False
        if len(chosen) > k or len(chosen) + (len(cells) - idx) < k:
            return False
        if idx > 0 and idx % n == 0:  # a row was just completed
            r_done = idx // n - 1
            if product:
                if row_acc[r_done] % 2:
                    return False
                if any(col_acc[c] % 2 and not neg_below[r_done][c] for c in range(n)):
                    return False
        if idx == len(cells):
            return len(chosen) == k and all(ok_line(a) for a in col_acc)
        r, c = cells[idx]
        v = grid[r][c]
        can_take = v not in used and (v != 0 or not product)
        if can_take and not product:
            can_take = row_acc[r] + v <= limit and col_acc[c] + v <= limit
        options = [True, False] if can_take else [False]
        if (r, c) == corner:
            options = [True] if can_take else []
        for take in options:
            if take:
                step = (1 if v < 0 else 0) if product else v
                used.add(v)
                chosen.append((r, c))
                row_acc[r] += step
                col_acc[c] += step
                if rec(idx + 1):
                    return True
                row_acc[r] -= step
                col_acc[c] -= step
                chosen.pop()
                used.discard(v)
            elif rec(idx + 1):
                return True
        return False

    if n == 0 or not rec(0):
        return None
    return [corner] + [x for x in chosen if x != corner]


def solve_product(grid: list[list[int]], k: int, max_rects: int = 4) -> list[Cell] | None:
    """A fast, sound (not complete) search for the product rule.

    Selected negatives must appear an even number of times in every row and column; unions of disjoint
    all-negative rectangles with distinct values do, and positives never matter. So: pick up to
    ``max_rects`` such rectangles (one holding the top-right cell when that cell is negative), enough that the
    distinct positive values can fill the rest, then add positive cells with new values.
    """
    n = len(grid)
    corner = (0, n - 1)
    first_pos: dict[int, Cell] = {}
    for r in range(n):
        for c in range(n):
            if grid[r][c] > 0 and grid[r][c] not in first_pos:
                first_pos[grid[r][c]] = (r, c)
    corner_val = grid[0][n - 1]
    if corner_val == 0:
        return None
    if corner_val > 0:
        first_pos[corner_val] = corner
    rects: list[tuple[Cell, ...]] = []
    for r1 in range(n):
        for r2 in range(r1 + 1, n):
            for c1 in range(n):
                for c2 in range(c1 + 1, n):
                    cells = ((r1, c1), (r1, c2), (r2, c1), (r2, c2))
                    vals = {grid[r][c] for r, c in cells}
                    if len(vals) == 4 and all(v < 0 for v in vals):
                        rects.append(cells)
    n_pos = len(first_pos)

    def fill(neg: list[Cell]) -> list[Cell] | None:
        m = len(neg)
        want = k - m
        if want < 0 or want > n_pos or (corner_val > 0 and want < 1):
            return None
        pos = [corner] if corner_val > 0 else []
        for v in sorted(first_pos):
            if len(pos) == want:
                break
            if first_pos[v] != corner:
                pos.append(first_pos[v])
        return pos + neg if len(pos) == want else None

    def rec(start: int, neg: list[Cell], vals: set[int], depth: int) -> list[Cell] | None:
        if corner_val > 0 or corner in neg:
            got = fill(neg)
            if got is not None:
                return got
        if depth == max_rects or len(neg) + 4 > k:
            return None
        for i in range(start, len(rects)):
            rect = rects[i]
            if corner_val < 0 and not neg and corner not in rect:
                continue
            if any(cell in neg for cell in rect) or any(grid[r][c] in vals for r, c in rect):
                continue
            found = rec(i + 1, neg + list(rect), vals | {grid[r][c] for r, c in rect}, depth + 1)
            if found is not None:
                return found
        return None

    found = rec(0, [], set(), 0)
    if found is None:
        return None
    return [corner] + sorted(x for x in found if x != corner)


def check_selection(grid: list[list[int]], k: int, rule: str, limit: int, cells: list[Cell]) -> Verdict:
    n = len(grid)
    for r, c in cells:
        if not (0 <= r < n and 0 <= c < n):
            return violates(f"position ({r},{c}) is outside the {n}x{n} grid")
    if len(set(cells)) != len(cells):
        dup = next(x for x in cells if cells.count(x) > 1)
        return violates(f"position ({dup[0]},{dup[1]}) is selected twice")
    if len(cells) != k:
        return wrong(f"{len(cells)} cells selected, {k} required")
    if (0, n - 1) not in cells:
        return violates(f"the top-right cell (0,{n - 1}) must be selected")
    seen: dict[int, Cell] = {}
    for r, c in cells:
        v = grid[r][c]
        if v in seen:
            return violates(f"cells {seen[v]} and ({r},{c}) both hold {v}; the selected numbers must differ")
        seen[v] = (r, c)
    for line, members in [(f"row {r}", [x for x in cells if x[0] == r]) for r in range(n)] + [
        (f"column {c}", [x for x in cells if x[1] == c]) for c in range(n)
    ]:
        vals = [grid[r][c] for r, c in members]
        if rule == "product":
            prod = 1
            for v in vals:
                prod *= v
            if prod <= 0:
                return violates(f"the product of the selected numbers in {line} is {prod}, not positive")
        elif sum(vals) > limit:
            return violates(f"the selected numbers in {line} sum to {sum(vals)}, more than {limit}")
    return ok()


def _question(grid: list[list[int]], k: int, rule: str, limit: int, lo: int, hi: int) -> str:
    n = len(grid)
    rows = "\n".join(", ".join(str(v) for v in row) for row in grid)
    rule_text = (
        f"the selected numbers in each row and in each column sum to at most {limit}"
        if rule == "sum"
        else "the product of the selected numbers in each row and in each column is positive (greater than 0)"
    )
    return (
        f"Given a {n}*{n} grid where each cell holds an integer between {lo} and {hi}, select exactly {k} cells "
        f"holding {k} different numbers such that {rule_text}. A row or column with no selected cell satisfies "
        f"the rule. Positions are (row, column) with 0-based indices: the top-left cell is (0,0) and the "
        f"top-right cell is (0,{n - 1}). The top-right cell (0,{n - 1}), holding {grid[0][n - 1]}, must be one "
        "of the selected cells. The numbers in each row are separated by ', ':\n"
        f"{rows}\n\n"
        "Return the selected positions in the format <<<list of selected number positions>>>, each given as "
        "row column. For example, <<<0 3, 1 0, 2 4>>> means the cells (0,3), (1,0) and (2,4) are selected."
    )


@register
class LogicPuzzle(Task):
    name = "logic_puzzle"
    title = "Logical Puzzle (grid selection)"
    seen = True
    description = (
        "Select K cells of an integer grid holding K different numbers, including the top-right cell, so that "
        "every row and column meets a rule: the selected numbers sum to at most a limit (small grids) or "
        "multiply to a positive number. Each grid is kept only when a backtracking solver finds a selection. "
        "Complexity mirrors the reference levels: 1 is 2x2/K=3/values 1-3/sum<=4, 2 is 3x3/K=4/1-4/sum<=4, "
        "3 is 5x5/K=9/-8..8/product, 4 is 7x7/K=16/-14..14/product, 5 is 10x10/K=25/-20..20/product. The "
        "checker is stricter than the reference: distinct values, the top-right cell, bounds and duplicates "
        "are all checked; any valid selection passes."
    )
    knobs = (
        Knob("size", int, 5, "grid side", lo=2, hi=12),
        Knob("select", int, 9, "how many cells to select (K)", lo=1, hi=144),
        Knob("min_value", int, -8, "smallest cell value", lo=-1000, hi=1000),
        Knob("max_value", int, 8, "largest cell value", lo=-1000, hi=1000),
        Knob(
            "rule",
            str,
            "product",
            "line rule: 'sum' (at most sum_limit) or 'product' (positive)",
            choices=("sum", "product"),
        ),
        Knob("sum_limit", int, 4, "largest allowed row/column sum under the sum rule", lo=1, hi=10_000),
        Knob("positive_share", float, 0.7, "share of positive cells under the product rule", lo=0.0, hi=1.0),
    )
    presets = {
        1: {"size": 2, "select": 3, "min_value": 1, "max_value": 3, "rule": "sum"},
        2: {"size": 3, "select": 4, "min_value": 1, "max_value": 4, "rule": "sum"},
        3: {"size": 5, "select": 9, "min_value": -8, "max_value": 8, "rule": "product"},
        4: {"size": 7, "select": 16, "min_value": -14, "max_value": 14, "rule": "product"},
        5: {"size": 10, "select": 25, "min_value": -20, "max_value": 20, "rule": "product"},
    }
    reference_dirs = ("logic_puzzle_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        lo, hi, k, n = cfg["min_value"], cfg["max_value"], cfg["select"], cfg["size"]
        if lo > hi:
            raise ValueError(f"logic_puzzle: min_value ({lo}) must be <= max_value ({hi})")
        if k > n * n:
            raise ValueError(f"logic_puzzle: select ({k}) must be <= size*size ({n * n})")
        if cfg["rule"] == "sum" and lo < 1:
            raise ValueError(f"logic_puzzle: the sum rule needs positive values (min_value >= 1), got {lo}")
        if cfg["rule"] == "product" and hi < 1:
            raise ValueError(
                f"logic_puzzle: the product rule needs positive values (max_value >= 1), got {hi}"
            )
        distinct = hi - lo + 1 - (1 if cfg["rule"] == "product" and lo <= 0 <= hi else 0)
        if k > distinct:
            raise ValueError(f"logic_puzzle: select ({k}) exceeds the {distinct} different values available")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n, k, rule, limit = cfg["size"], cfg["select"], cfg["rule"], cfg["sum_limit"]
        lo, hi = cfg["min_value"], cfg["max_value"]
        for _ in range(500):
            grid = [[self._cell(rng, cfg) for _ in range(n)] for _ in range(n)]
            if len({v for row in grid for v in row}) < k:
                continue
            if rule == "product":
                found = solve_product(grid, k)
            else:
                found = solve(grid, k, rule, limit, node_limit=20_000)
            if found is not None:
                data = {"grid": grid, "select": k, "rule": rule, "limit": limit}
                return Draft(_question(grid, k, rule, limit, lo, hi), format_cells(found), data)
        raise ValueError(
            f"logic_puzzle: no solvable {n}x{n} grid for select={k}, rule={rule} found in 500 draws; "
            "select fewer cells or widen the value range"
        )

    @staticmethod
    def _cell(rng: random.Random, cfg: Mapping[str, Any]) -> int:
        lo, hi = cfg["min_value"], cfg["max_value"]
        if cfg["rule"] == "product" and lo < 0:
            if rng.random() < cfg["positive_share"]:
                return rng.randint(1, hi)
            return rng.randint(lo, -1)
        while True:
            v = rng.randint(lo, hi)
            if v != 0 or cfg["rule"] != "product":
                return v

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        cells = parse_cells(answer)
        return check_selection(data["grid"], int(data["select"]), data["rule"], int(data["limit"]), cells)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, "logic_puzzle_dataset"):
            parsed = parse_question(question)
            if parsed is None:
                skip(source, "question not recognised")
                continue
            grid, k, rule, limit = parsed
            data = {"grid": grid, "select": k, "rule": rule, "limit": limit}
            label = stored_value(stored, "solution")
            label_cells: list[Cell] | None = None
            note = None
            if isinstance(label, list):
                try:
                    label_cells = [(int(r), int(c)) for r, c in label]
                    verdict = check_selection(grid, k, rule, limit, label_cells)
                except (TypeError, ValueError):
                    label_cells = None
                    verdict = violates("unreadable stored solution")
                if not verdict.correct:
                    note = f"stored solution fails: {verdict.reason}"
                    label_cells = None
            truth = (solve_product(grid, k) if rule == "product" else None) or solve(grid, k, rule, limit)
            truth = truth or label_cells
            if truth is None:
                skip(source, "no valid solution as stated")
                continue
            level = stored_value(stored, "complexity")
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=format_cells(truth),
                data=data,
                complexity=level if isinstance(level, int) and 1 <= level <= 5 else None,
                stored_label=label,
                label_note=note,
            )


def parse_question(question: str) -> tuple[list[list[int]], int, str, int] | None:
    """(grid, K, rule, limit) from a stored question, or None."""
    km = re.search(r"select (\d+) different numbers", question)
    if not km:
        return None
    rows = [
        [int(x) for x in line.split(",")]
        for line in question.splitlines()
        if re.fullmatch(r"\s*-?\d+(\s*,\s*-?\d+)+\s*", line)
    ]
    n = len(rows)
    if n < 2 or any(len(r) != n for r in rows):
        return None
    sm = re.search(r"sum of the selected numbers.*?less than or equal to (\d+)", question)
    if sm:
        return rows, int(km.group(1)), "sum", int(sm.group(1))
    if re.search(r"product", question):
        return rows, int(km.group(1)), "product", 0
    return None
