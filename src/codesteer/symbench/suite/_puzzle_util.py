"""Private helpers shared by the puzzle tasks: reading ``sample_N`` folders and cell-list answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean

_CELLS_OK = re.compile(r"[\d\s,;:()\[\]{}\-+]*")


def sample_dirs(base: Path) -> list[Path]:
    """``sample_*`` folders under ``base`` in numeric order (``sample_9_7_0`` sorts by its numbers)."""
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if p.is_dir() and p.name.startswith("sample_")]
    return sorted(found, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)))


def read_samples(root: Path, top: str) -> Iterator[tuple[Path, str, Any]]:
    """(folder, question text, parsed solution.json or None) for every readable sample of one task folder."""
    for d in sample_dirs(root / top):
        qfile = d / "question.txt"
        if not qfile.is_file():
            continue
        try:
            question = qfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        stored: Any = None
        sfile = d / "solution.json"
        if sfile.is_file():
            try:
                stored = json.loads(sfile.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None
        yield d, question, stored


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


def stored_list(stored: Any, key: str) -> Any:
    """``stored[key]`` when ``stored`` is a dict holding it, else None (solution.json files vary)."""
    if isinstance(stored, dict):
        return stored.get(key)
    return None
