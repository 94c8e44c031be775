"""Reading the paper's published reference files, shared by every task loader.

One order for every folder and file list (``sort_key``: numbers first, so ``sample_10`` follows ``sample_9``), one
reader for ``sample_N/`` folders (``read_samples``), one way to pick a field from a stored solution (``stored_value``)
and one way to report an instance a loader leaves out (``skip``). A missing or unreadable file is skipped or read
as None, never raised: a user's copy of ``dataset_gather/`` may be partial.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NamedTuple

# (source, reason) of each published instance a task loader leaves out; set by ``load_reference`` around each
# step of a loader, so every skip is counted and reported instead of vanishing
_skipped: ContextVar[list[tuple[str, str]] | None] = ContextVar("codesteer_reference_skips", default=None)


def skip(source: object, reason: str) -> None:
    """Record that a task loader leaves one published instance out, and why (``load_reference`` reports it)."""
    found = _skipped.get()
    if found is not None:
        found.append((str(source), reason))


def sort_key(path: Path | str) -> tuple[tuple[int, ...], str]:
    """The numbers in a (relative) path in order, then its text: ``BoxLift2`` sorts before ``BoxLift10``."""
    text = str(path)
    return tuple(int(n) for n in re.findall(r"\d+", text)), text


def subfolders(base: Path) -> list[Path]:
    """The folders directly under ``base`` in ``sort_key`` order; none when ``base`` is absent."""
    if not base.is_dir():
        return []
    return sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: sort_key(p.name))


def sample_dirs(base: Path) -> list[Path]:
    """The ``sample_*`` folders under ``base`` in numeric order (``sample_9_7_0`` sorts by its numbers)."""
    return [p for p in subfolders(base) if p.name.startswith("sample_")]


def read_text(path: Path) -> str | None:
    """The file's UTF-8 text, or None when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_json(path: Path) -> Any:
    """The file's parsed JSON, or None when it is missing, unreadable or not JSON."""
    text = read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class Sample(NamedTuple):
    """One published ``sample_N`` folder."""

    source: str  # the folder relative to the reference root: the instance's source and its id
    question: str
    solution: Any  # the parsed solution file; None when it is missing or unreadable


def read_samples(
    root: Path,
    *folders: str,
    question_file: str = "question.txt",
    solution_file: str = "solution.json",
    read_solution: Callable[[str], Any] = json.loads,
) -> Iterator[Sample]:
    """Every readable ``sample_*`` folder of ``root/<folder>``, folder after folder.

    A folder without a readable question is skipped (and reported); a missing or unreadable solution is None:
    the question alone rebuilds an instance, the stored label is only compared against.
    """
    for folder in folders:
        for d in sample_dirs(root / folder):
            source = str(d.relative_to(root))
            qfile = d / question_file
            if not qfile.is_file():
                skip(source, f"{question_file} missing")
                continue
            question = read_text(qfile)
            if question is None:
                skip(source, f"{question_file} unreadable")
                continue
            text = read_text(d / solution_file)
            solution: Any = None
            if text is not None:
                try:
                    solution = read_solution(text)
                except ValueError:
                    solution = None
            yield Sample(source, question, solution)


def stored_value(solution: Any, key: str) -> Any:
    """``solution[key]`` when the stored solution is a dict holding it, else None (solution files vary)."""
    return solution.get(key) if isinstance(solution, dict) else None


def stored_complexity(solution: Any) -> int | None:
    """The file's own 1..5 complexity label, when it has a usable one."""
    c = stored_value(solution, "complexity")
    return c if isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= 5 else None


def read_bbh(root: Path, rel: str) -> Iterator[tuple[str, int, str, str]]:
    """``(source, index, input, target)`` for every example of a BIG-Bench-Hard json file; nothing if absent."""
    doc = read_json(root / rel)
    examples = doc.get("examples") if isinstance(doc, dict) else None
    if not isinstance(examples, list):
        return
    for i, ex in enumerate(examples):
        if isinstance(ex, dict) and isinstance(ex.get("input"), str) and isinstance(ex.get("target"), str):
            yield f"{rel}#{i}", i, ex["input"], ex["target"].strip()
        else:
            skip(f"{rel}#{i}", "example lacks input or target text")
