"""Small helpers shared by the string tasks (insertion, deletion, synthesis, splitting, letters).

They read the paper's ``sample_N/`` folders robustly (missing or unreadable files are skipped, never raised)
and turn a generic parse failure into the ``ParseError`` the API reports as malformed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean

_SAMPLE_RE = re.compile(r"sample_(\d+)$")


def iter_samples(root: Path, folder: str) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """``(source, question, solution)`` for each ``root/folder/sample_N`` in numeric order.

    ``solution`` is None where ``solution.json`` is missing or unreadable; samples without a readable
    ``question.txt`` are skipped, because the question is what ``data`` is rebuilt from.
    """
    base = root / folder
    if not base.is_dir():
        return
    numbered: list[tuple[int, Path]] = []
    for p in base.iterdir():
        m = _SAMPLE_RE.fullmatch(p.name)
        if m and p.is_dir():
            numbered.append((int(m.group(1)), p))
    for _, sample in sorted(numbered):
        question = read_text(sample / "question.txt")
        if question is None:
            continue
        yield str(sample.relative_to(root)), question, read_json(sample / "solution.json")


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_json(path: Path) -> Any:
    text = read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def answer_word(text: str, alphabet: str, *, upper: bool) -> str:
    """A single string over ``alphabet``: quotes, brackets, inner spaces and case are forgiven."""
    s = clean(text)
    while len(s) >= 2 and s[0] in "[(" and s[-1] in "])":
        s = clean(s[1:-1])
    s = re.sub(r"\s+", "", s)
    s = s.upper() if upper else s.lower()
    if not s:
        raise ParseError("empty answer; expected a string")
    bad = sorted({ch for ch in s if ch not in alphabet})
    if bad:
        shown = "".join(bad[:10])
        raise ParseError(f"characters {shown!r} are not allowed; the string uses only {alphabet}")
    return s
