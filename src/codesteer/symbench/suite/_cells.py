"""Cell-list answers of the board puzzles: ``(row, col)`` pairs read strictly and written back."""

from __future__ import annotations

import re

from codesteer.symbench._parse import ParseError, clean

_CELLS_OK = re.compile(r"[\d\s,;:()\[\]{}\-+]*")


def parse_cells(text: str) -> list[tuple[int, int]]:
    """Read ``0 3, 1 0``, ``(0,3), (1,0)``, ``[[0, 3], [1, 0]]`` or ``0,3; 1,0`` as (row, col) pairs.

    Only digits, signs and separators are allowed, so prose or code in the answer is malformed rather than
    silently mined for numbers.
    """
    s = clean(text)
    if len(s) > 20_000:
        raise ParseError("answer too long")
    if not _CELLS_OK.fullmatch(s):
        raise ParseError("cell list may contain only integers and separators, e.g. 0 3, 1 0")
    nums = re.findall(r"[+-]?\d+", s)
    if any(len(n) > 6 for n in nums):
        raise ParseError("coordinate too large")
    if len(nums) % 2:
        raise ParseError(f"odd number of coordinates ({len(nums)}); give row column pairs")
    vals = [int(n) for n in nums]
    return [(vals[i], vals[i + 1]) for i in range(0, len(vals), 2)]


def format_cells(cells: list[tuple[int, int]] | list[list[int]]) -> str:
    return ", ".join(f"{r} {c}" for r, c in cells)
