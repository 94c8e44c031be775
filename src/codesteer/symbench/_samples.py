"""Reading the paper's ``sample_N/`` folders (``question.txt`` + ``solution.json``), shared by task loaders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

# (source, reason) of each published instance a task loader leaves out; set by ``load_reference`` around each
# step of a loader, so every skip is counted and reported instead of vanishing
_skipped: ContextVar[list[tuple[str, str]] | None] = ContextVar("codesteer_reference_skips", default=None)


def skip(source: object, reason: str) -> None:
    """Record that a task loader leaves one published instance out, and why (``load_reference`` reports it)."""
    found = _skipped.get()
    if found is not None:
        found.append((str(source), reason))


def sample_dirs(base: Path) -> list[Path]:
    """``sample_*`` folders under ``base`` in numeric order (``sample_9_7_0`` sorts by its numbers)."""
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if p.is_dir() and p.name.startswith("sample_")]
    return sorted(found, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)))


def read_samples(root: Path, folder: str) -> Iterator[tuple[Path, str, Any]]:
    """(folder, question text, parsed ``solution.json`` or None) for every readable sample of one task folder.

    A missing or unreadable solution is None: the question alone rebuilds an instance; the stored label is only
    compared against.
    """
    for d in sample_dirs(root / folder):
        qfile = d / "question.txt"
        if not qfile.is_file():
            skip(d.relative_to(root), "question.txt missing")
            continue
        try:
            question = qfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            skip(d.relative_to(root), "question.txt unreadable")
            continue
        stored: Any = None
        sfile = d / "solution.json"
        if sfile.is_file():
            try:
                stored = json.loads(sfile.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None
        yield d, question, stored
