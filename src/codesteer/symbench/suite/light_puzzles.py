"""Light Puzzles (seen): press buttons that toggle fixed sets of lights; report the final grid."""

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


def simulate(
    grid: Sequence[Sequence[int]], buttons: Mapping[str, Sequence[Sequence[int]]], presses: Sequence[str]
) -> Grid:
    """Final grid: each press XORs every cell its button controls (cells are 1-based ``[row, col]``)."""
    g = [list(r) for r in grid]
    for b in presses:
        for r, c in buttons[b]:
            g[r - 1][c - 1] ^= 1
    return g


def _flat(grid: Sequence[Sequence[int]]) -> str:
    return ",".join(str(v) for row in grid for v in row)


def _question(grid: Grid, buttons: Mapping[str, Sequence[Sequence[int]]], presses: Sequence[str]) -> str:
    n = len(grid)
    lines = [
        "There is an n*n grid of lights. A lit light is written 1 and an unlit light 0. Each button controls a "
        "fixed set of lights; pressing it toggles every light in its set (1 becomes 0 and 0 becomes 1) and "
        "leaves all other lights unchanged. Different buttons may control the same light, and a button may be "
        "pressed more than once.",
        "Cells are given as (row, column), counted from 1; row 1 is the top row and column 1 the leftmost "
        "column.",
        f"n={n}, number of buttons={len(buttons)}. The initial grid is:",
        *("".join(str(v) for v in row) for row in grid),
        "",
    ]
    for name in sorted(buttons):
        cells = ", ".join(f"({r},{c})" for r, c in buttons[name])
        lines.append(f"Button {name} controls the lights at {cells}")
    lines.append("")
    lines.extend(f"Round {i}: press button {b}" for i, b in enumerate(presses, 1))
    lines.append("")
    lines.append(
        "What is the grid after all rounds? Write it row by row (row 1 first, each row left to right) as "
        f"{n * n} comma-separated 0/1 values in the format <<<...>>>. For example, "
        f"<<<{','.join(['0'] * (n * n))}>>> is a grid with every light off."
    )
    return "\n".join(lines)


def _read_grid(answer: str, n: int) -> list[int]:
    toks = tokens(answer, max_tokens=n * n + 5)
    if any(t.strip("01") for t in toks):
        bad = next(t for t in toks if t.strip("01"))
        raise ParseError(f"not a 0/1 value: {bad[:20]!r}")
    # rows may come as '01001' strings; every cell is one digit, so concatenation is unambiguous
    digits = "".join(toks)
    if len(digits) != n * n:
        raise ParseError(f"expected {n * n} cells, got {len(digits)}")
    return [int(ch) for ch in digits]


@register
class LightPuzzles(Task):
    name = "light_puzzles"
    title = "Light Puzzles"
    seen = True
    description = (
        "An n*n grid of 0/1 lights and buttons that each toggle a fixed set of cells; given the sequence of "
        "button presses, report the final grid (flattened, row-major). The answer is unique (XOR simulation). "
        "Complexity raises the grid size, the number of buttons and the number of presses: level 1 is a 2x2 "
        "grid with one button pressed once, level 5 a 5x5 grid with three buttons and four presses (the "
        "reference set's main configuration)."
    )
    knobs = (
        Knob("size", int, 5, "grid side", lo=2, hi=8),
        Knob("buttons", int, 3, "number of buttons (A, B, ...)", lo=1, hi=8),
        Knob("presses", int, 4, "number of rounds (one button press each)", lo=1, hi=12),
    )
    presets = {
        1: {"size": 2, "buttons": 1, "presses": 1},
        2: {"size": 3, "buttons": 2, "presses": 2},
        3: {"size": 4, "buttons": 2, "presses": 3},
        4: {"size": 4, "buttons": 3, "presses": 3},
        5: {"size": 5, "buttons": 3, "presses": 4},
    }
    reference_dirs = ("light_puzzles_dataset",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n, nb, np_ = cfg["size"], cfg["buttons"], cfg["presses"]
        cells = [(r, c) for r in range(1, n + 1) for c in range(1, n + 1)]
        names = [chr(ord("A") + i) for i in range(nb)]
        for _ in range(50):
            grid = [[rng.randint(0, 1) for _ in range(n)] for _ in range(n)]
            buttons = {
                b: [list(x) for x in rng.sample(cells, rng.randint(2, max(2, n * n // 2)))] for b in names
            }
            presses = [rng.choice(names) for _ in range(np_)]
            final = simulate(grid, buttons, presses)
            if final != grid:  # presses that cancel out would make "copy the grid" correct
                break
        data = {"n": n, "grid": grid, "buttons": buttons, "presses": presses, "solution": _flat(final)}
        return Draft(_question(grid, buttons, presses), _flat(final), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        n = int(data["n"])
        got = _read_grid(answer, n)
        want = [int(x) for x in str(data["solution"]).split(",")]
        diff = [i for i in range(n * n) if got[i] != want[i]]
        if not diff:
            return ok()
        r, c = divmod(diff[0], n)
        return wrong(f"{len(diff)} of {n * n} cells differ, first at row {r + 1}, column {c + 1}")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            parsed = _parse_question(question)
            if parsed is None:
                skip(source, "question not recognised")
                continue
            grid, buttons, presses = parsed
            truth = _flat(simulate(grid, buttons, presses))
            label = stored_value(stored, "solution")
            label_text = ",".join(str(v) for v in label) if isinstance(label, list) else None
            note = None
            if label_text is not None and label_text != truth:
                note = f"stored solution {label_text} != simulated {truth}"
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=truth,
                data={
                    "n": len(grid),
                    "grid": grid,
                    "buttons": buttons,
                    "presses": presses,
                    "solution": truth,
                },
                complexity=stored_value(stored, "complexity"),
                stored_label=label,
                label_note=note,
            )


def _parse_question(q: str) -> tuple[Grid, dict[str, list[list[int]]], list[str]] | None:
    m = re.search(r"n=(\d+)", q)
    if not m:
        return None
    n = int(m.group(1))
    after = q[m.end() :]
    rows = re.findall(r"^[01]+$", after, flags=re.M)[:n]
    if len(rows) != n or any(len(r) != n for r in rows):
        return None
    grid = [[int(ch) for ch in r] for r in rows]
    buttons: dict[str, list[list[int]]] = {}
    for name, body in re.findall(r"Button ([A-Z]) controls the lights at (.*)", q):
        pairs = re.findall(r"\[\s*\"?(\d+)\"?\s*,\s*\"?(\d+)\"?\s*\]|\((\d+)\s*,\s*(\d+)\)", body)
        cells = [[int(a or c), int(b or d)] for a, b, c, d in pairs]
        if not cells or any(not (1 <= x <= n and 1 <= y <= n) for x, y in cells):
            return None
        buttons[name] = cells
    presses = re.findall(r"Round \d+:\s*(?:press )?[Bb]utton ([A-Z])", q)
    if not buttons or not presses or any(p not in buttons for p in presses):
        return None
    return grid, buttons, presses
