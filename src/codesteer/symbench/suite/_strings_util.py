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
from codesteer.symbench._samples import read_samples

_SAMPLE_RE = re.compile(r"sample_(\d+)$")


def iter_samples(root: Path, folder: str) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """``(source, question, solution)`` for each readable ``root/folder/sample_N`` (see ``read_samples``)."""
    for sample, question, solution in read_samples(root, folder):
        yield str(sample.relative_to(root)), question, solution


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
