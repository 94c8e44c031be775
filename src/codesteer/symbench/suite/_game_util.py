"""Small helpers shared by the game-style tasks: reading layout-A sample folders and tolerant token parsing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import read_samples


def sample_key(p: Path) -> tuple[str, int]:
    """Sort ``sample_10`` after ``sample_9`` (numeric, not lexicographic)."""
    m = re.search(r"(\d+)$", p.name)
    return (str(p.parent), int(m.group(1)) if m else -1)


def iter_samples(root: Path, dirs: Sequence[str]) -> Iterator[tuple[str, str, Any]]:
    """``(source, question, solution)`` for every readable ``<dir>/sample_N`` (see ``read_samples``)."""
    for top in dirs:
        for sample, question, solution in read_samples(root, top):
            yield str(sample.relative_to(root)), question, solution


_STRIP = "[](){}\"'`“”‘’<>"


def tokens(text: str, max_tokens: int = 400) -> list[str]:
    """Split an answer into bare tokens: brackets and quotes dropped, commas/semicolons/whitespace separate."""
    s = clean(text)
    if len(s) > 20_000:
        raise ParseError("answer too long")
    for ch in _STRIP:
        s = s.replace(ch, " ")
    out = [t for t in re.split(r"[\s,;]+", s) if t]
    if len(out) > max_tokens:
        raise ParseError(f"too many items ({len(out)})")
    return out


def letter_list(text: str, n: int | None = None) -> list[str]:
    """Single upper-case letters from ``["A","B"]``, ``A, B``, ``A B`` or ``AB`` (when ``n`` letters expected)."""
    toks = tokens(text)
    if len(toks) == 1 and n is not None and len(toks[0]) == n and toks[0].isalpha():
        toks = list(toks[0])
    out = []
    for t in toks:
        if len(t) != 1 or not ("A" <= t.upper() <= "Z"):
            raise ParseError(f"not a single letter: {t[:20]!r}")
        out.append(t.upper())
    if not out:
        raise ParseError("empty answer")
    return out


def rc(cell: tuple[int, int] | Sequence[int]) -> str:
    """A 0-based cell as the 1-based ``(row, column)`` text the questions use."""
    return f"({cell[0] + 1},{cell[1] + 1})"
