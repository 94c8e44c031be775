"""Matrix Transformation (seen): rotate a character matrix clockwise by 90, 180 or 270 degrees."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError
from codesteer.symbench._samples import read_samples, skip, stored_complexity, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._grid import explicit_rows, flat_tokens

_ALPHABETS = {
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "digits": "123456789",
    "mixed": "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789",
    # no commas, quotes, brackets or '<>' so cells never collide with the answer syntax
    "symbols": "!@#$%^&*",
}


def rotate(matrix: list[list[str]], degrees: int = 90) -> list[list[str]]:
    """Rotate clockwise by a multiple of 90 degrees."""
    out = [list(r) for r in matrix]
    for _ in range((degrees // 90) % 4):
        out = [list(r) for r in zip(*reversed(out), strict=True)]
    return out


def _flat(matrix: list[list[str]]) -> str:
    return ",".join(c for row in matrix for c in row)


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def _question(matrix: list[list[str]], degrees: int) -> str:
    rows, cols = len(matrix), len(matrix[0])
    out_r, out_c = (rows, cols) if degrees == 180 else (cols, rows)
    body = "\n".join(" ".join(r) for r in matrix)
    example = ",".join("ABCDEF"[: out_r * out_c]) if out_r * out_c <= 6 else "A,B,C,D,..."
    return (
        f"Given a matrix of single characters with {_n(rows, 'row')} and {_n(cols, 'column')} (cells separated by "
        "spaces, one row per line):\n\n"
        f"{body}\n\n"
        f"Rotate this matrix {degrees} degrees clockwise. The result has {_n(out_r, 'row')} and {_n(out_c, 'column')}.\n"
        "Give the rotated matrix flattened row by row (first row left to right, then the second row, and so "
        "on) as a comma-separated list of its characters, in the format <<<list of characters>>>. For "
        f"example, <<<{example}>>> lists a matrix's cells in that row-major order."
    )


@register
class MatrixTransformation(Task):
    name = "matrix_transformation"
    title = "Matrix Transformation"
    seen = True
    description = (
        "Rotate a character matrix clockwise (90 degrees by default, like the reference) and give the result "
        "flattened row-major. The question states the output shape, which the reference's flat answer hid, and "
        "the verifier strips brackets and quotes, accepts row-by-row nesting and compares cell by cell. "
        "Complexity 1..5: 2x2 letters, 2x3 digits, 3x3 letters, 3x4 letters and digits, 4x4 symbols."
    )
    knobs = (
        Knob("rows", int, 3, "rows of the input matrix", lo=1, hi=12),
        Knob("cols", int, 3, "columns of the input matrix", lo=1, hi=12),
        Knob("content", str, "letters", "cell alphabet", choices=tuple(_ALPHABETS)),
        Knob("degrees", int, 90, "clockwise rotation", choices=(90, 180, 270)),
    )
    presets = {
        1: {"rows": 2, "cols": 2, "content": "letters"},
        2: {"rows": 2, "cols": 3, "content": "digits"},
        3: {"rows": 3, "cols": 3, "content": "letters"},
        4: {"rows": 3, "cols": 4, "content": "mixed"},
        5: {"rows": 4, "cols": 4, "content": "symbols"},
    }
    reference_dirs = ("matrix_transformation_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["rows"] * cfg["cols"] < 2:
            raise ValueError("matrix_transformation: the matrix needs at least 2 cells (rows * cols >= 2)")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        alphabet = _ALPHABETS[cfg["content"]]
        matrix = [[rng.choice(alphabet) for _ in range(cfg["cols"])] for _ in range(cfg["rows"])]
        result = rotate(matrix, cfg["degrees"])
        data = {"matrix": matrix, "degrees": cfg["degrees"], "result": result}
        return Draft(_question(matrix, cfg["degrees"]), _flat(result), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        result: list[list[str]] = data["result"]
        out_r, out_c = len(result), len(result[0])
        want = [c.upper() for row in result for c in row]
        rows = explicit_rows(answer)
        if rows is not None:
            got_rows = [_cells(r, out_c) for r in rows]
            shape = [len(r) for r in got_rows]
            if shape != [out_c] * out_r:
                return wrong(
                    f"rotated matrix has {out_r} rows of {out_c} cells, the answer has rows of {shape}"
                )
            got = [c for r in got_rows for c in r]
        else:
            got = _cells(answer, out_r * out_c, out_c)
        if len(got) != len(want):
            return wrong(f"expected {len(want)} cells, got {len(got)}")
        bad = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a.upper() != b]
        if not bad:
            return ok()
        i = bad[0]
        return wrong(
            f"{len(bad)} of {len(want)} cells differ (first at row {i // out_c + 1}, column {i % out_c + 1})"
        )

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            m = re.search(r"If the matrix is\s*\n(.*?)\.?\s*\nWhat is the result", question, re.S)
            if not m:
                skip(source, "matrix not found in the question")
                continue
            matrix = [ln.split() for ln in m.group(1).strip().splitlines() if ln.strip()]
            if not matrix or any(len(r) != len(matrix[0]) for r in matrix):
                skip(source, "matrix rows of unequal length")
                continue
            result = rotate(matrix, 90)
            answer = _flat(result)
            stored = stored_value(sol, "formatted_solution")
            note = None
            if stored is not None and [t.strip() for t in str(stored).split(",")] != answer.split(","):
                note = f"stored solution {stored!r} != recomputed {answer}"
            yield RefItem(
                source=source,
                question=question,
                answer=answer,
                data={"matrix": matrix, "degrees": 90, "result": result},
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )


def _cells(text: str, n: int, row_len: int | None = None) -> list[str]:
    """Single-character cells; ``JQ,HR`` (rows written as words) is split when the shape makes it unambiguous."""
    toks = flat_tokens(text)
    if not toks:
        raise ParseError("no cells in the answer")
    if all(len(t) == 1 for t in toks):
        return toks
    if row_len is not None and all(len(t) == row_len for t in toks) and len(toks) * row_len == n:
        return [c for t in toks for c in t]
    if len(toks) == 1 and len(toks[0]) == n:
        return list(toks[0])
    long = next(t for t in toks if len(t) != 1)
    raise ParseError(f"cells must be single characters, got {long[:20]!r}")
