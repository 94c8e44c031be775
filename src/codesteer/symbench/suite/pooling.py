"""Pooling (seen): max or average pooling of an integer matrix with a sliding window."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, parse_number
from codesteer.symbench._samples import read_samples, skip, stored_complexity, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._grid import flat_tokens

TOLERANCE = 0.01
"""Absolute tolerance for averages: asks for 2+ decimals (error <= 0.005); windows up to 6x6 keep distinct
averages at least 1/36 > 2 * 0.01 apart, so a neighbouring wrong value never passes."""


def pool(matrix: list[list[int]], window: int, kind: str, stride: int = 1) -> list[list[Fraction]]:
    """Exact pooling result (averages as Fractions)."""
    n = len(matrix)
    out_n = (n - window) // stride + 1
    out: list[list[Fraction]] = []
    for i in range(out_n):
        row = []
        for j in range(out_n):
            cells = [matrix[i * stride + a][j * stride + b] for a in range(window) for b in range(window)]
            row.append(Fraction(max(cells)) if kind == "max" else Fraction(sum(cells), window * window))
        out.append(row)
    return out


def fmt_value(v: Fraction) -> str:
    """Integer, exact short decimal (3.25), or exact fraction (7/3): always exact, always parseable."""
    if v.denominator == 1:
        return str(v.numerator)
    d = v.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    places = max(twos, fives)
    if d == 1 and places <= 4:
        text = f"{float(v):.{places}f}"
        if Fraction(text) == v:
            return text
    return f"{v.numerator}/{v.denominator}"


def _question(matrix: list[list[int]], window: int, kind: str, stride: int) -> str:
    n = len(matrix)
    out_n = (n - window) // stride + 1
    body = "\n".join(", ".join(str(x) for x in row) for row in matrix)
    what = "the maximum" if kind == "max" else "the average (arithmetic mean)"
    step = "one cell" if stride == 1 else f"{stride} cells"
    if kind == "max":
        fmt = "Each value is an integer."
        example = ", ".join(["0"] * min(out_n * out_n, 4))
    else:
        fmt = (
            "Give each average exactly (an integer, a fraction such as 7/3, or a decimal such as 3.25) or "
            "rounded to at least two decimal places (2.33); answers within 0.01 of the exact average count."
        )
        example = "1, 2.5, 7/3, -0.75"
    return (
        f"Here is a {n}x{n} matrix of integers (one row per line, numbers separated by commas):\n"
        f"{body}\n\n"
        f"Perform {kind} pooling with a {window}x{window} window and stride {stride}, without padding: "
        f"the window starts at the top-left corner and moves {step} at a time to the right and, after each "
        f"row, {step} down; for every position take {what} of the {window * window} numbers it covers. The "
        f"results keep their positions and form a {out_n}x{out_n} matrix.\n"
        f"Give that matrix flattened row by row as a comma-separated list of {out_n * out_n} values, in the "
        f"format <<<v1, v2, ...>>>. {fmt} For example, <<<{example}>>> (this example only shows the format)."
    )


@register
class Pooling(Task):
    name = "pooling"
    title = "Pooling"
    seen = True
    description = (
        "Max or average pooling of a square integer matrix with an n x n window (stride 1 by default, no "
        "padding); the answer is the pooled matrix flattened row-major. Averages are checked with an absolute "
        "tolerance of 0.01 (the reference's int() scorer could never pass one), exact fractions accepted. "
        "Complexity 1..5: 3x3/2 max, 4x4/2 max, 5x5/3 max, 4x4/2 average, 6x6/3 average."
    )
    knobs = (
        Knob("size", int, 4, "matrix side N", lo=2, hi=12),
        Knob("window", int, 2, "window side n (n < N)", lo=1, hi=6),
        Knob("kind", str, "max", "pooling operation", choices=("max", "average")),
        Knob("stride", int, 1, "window step in cells", lo=1, hi=3),
        Knob("min_value", int, -10, "smallest matrix entry", lo=-1000, hi=1000),
        Knob("max_value", int, 20, "largest matrix entry", lo=-1000, hi=1000),
    )
    presets = {
        1: {"size": 3, "window": 2, "kind": "max"},
        2: {"size": 4, "window": 2, "kind": "max"},
        3: {"size": 5, "window": 3, "kind": "max"},
        4: {"size": 4, "window": 2, "kind": "average"},
        5: {"size": 6, "window": 3, "kind": "average"},
    }
    reference_dirs = ("pooling_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["window"] >= cfg["size"]:
            raise ValueError(f"pooling: window ({cfg['window']}) must be smaller than size ({cfg['size']})")
        if cfg["min_value"] > cfg["max_value"]:
            raise ValueError(
                f"pooling: min_value ({cfg['min_value']}) must be <= max_value ({cfg['max_value']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n, w, kind, stride = cfg["size"], cfg["window"], cfg["kind"], cfg["stride"]
        matrix = [[rng.randint(cfg["min_value"], cfg["max_value"]) for _ in range(n)] for _ in range(n)]
        result = pool(matrix, w, kind, stride)
        return Draft(
            _question(matrix, w, kind, stride), _answer(result), _data(matrix, w, kind, stride, result)
        )

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        want = [Fraction(x) for row in data["result"] for x in row]
        toks = flat_tokens(answer)
        if not toks:
            raise ParseError("no values in the answer")
        got = [parse_number(t) for t in toks]
        if len(got) != len(want):
            return wrong(f"expected {len(want)} values, got {len(got)}")
        tol = Fraction(0) if data["kind"] == "max" else Fraction(str(data.get("tolerance", TOLERANCE)))
        side = len(data["result"][0])
        bad = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if abs(a - b) > tol]
        if not bad:
            return ok()
        i = bad[0]
        return wrong(
            f"{len(bad)} of {len(want)} values are wrong (first at row {i // side + 1}, column {i % side + 1}: "
            f"{fmt_value(got[i])})"
        )

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            m = re.search(
                r"perform (max|average) pooling .*?(\d+)\*(\d+) sliding window:\s*\n(.*?)\n\s*For example",
                question,
                re.S,
            )
            if not m:
                skip(source, "matrix or pooling not found in the question")
                continue
            kind, w = m.group(1), int(m.group(2))
            try:
                matrix = [
                    [int(x) for x in ln.split(",")] for ln in m.group(4).strip().splitlines() if ln.strip()
                ]
            except ValueError:
                skip(source, "matrix unreadable")
                continue
            if not matrix or any(len(r) != len(matrix) for r in matrix) or w >= len(matrix):
                skip(source, "matrix not square or window too large")
                continue
            result = pool(matrix, w, kind)
            stored = stored_value(sol, "solution")
            note = None
            try:
                flat_stored = (
                    [Fraction(str(x)) for row in stored for x in row] if stored is not None else None
                )
            except (TypeError, ValueError):
                flat_stored = None
            if stored is not None:
                flat_true = [x for row in result for x in row]
                if (
                    flat_stored is None
                    or len(flat_stored) != len(flat_true)
                    or any(
                        abs(a - b) > Fraction(1, 10**6) for a, b in zip(flat_stored, flat_true, strict=True)
                    )
                ):
                    note = f"stored solution {stored!r} != recomputed {_answer(result)}"
            yield RefItem(
                source=source,
                question=question,
                answer=_answer(result),
                data=_data(matrix, w, kind, 1, result),
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )


def _answer(result: list[list[Fraction]]) -> str:
    return ", ".join(fmt_value(v) for row in result for v in row)


def _data(
    matrix: list[list[int]], window: int, kind: str, stride: int, result: list[list[Fraction]]
) -> dict[str, Any]:
    return {
        "matrix": matrix,
        "window": window,
        "kind": kind,
        "stride": stride,
        # exact values as strings ("7/3") so the JSON round trip loses nothing
        "result": [[fmt_value(v) for v in row] for row in result],
        "tolerance": TOLERANCE,
    }
