"""Private helpers shared by the grid/list tasks: reading ``sample_N`` folders and splitting flat answers.

Kept here rather than in ``_parse.py`` because only a handful of tasks need them; the coordinator may lift
them into the shared parsers later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import clean
from codesteer.symbench._samples import read_samples

_BRACKETS = re.compile(r"[\[\](){}]")
_SEP = re.compile(r"[,;\s]+")
_QUOTES = "\"'`“”‘’"


def grid_samples(root: Path, folder: str) -> Iterator[tuple[Path, str, dict[str, Any] | None]]:
    """(folder, question, solution) per readable sample (see ``read_samples``); a non-dict solution is wrapped
    as ``{"solution": value}`` so callers can always read keys."""
    for d, question, sol in read_samples(root, folder):
        yield d, question, sol if sol is None or isinstance(sol, dict) else {"solution": sol}


def stored_complexity(sol: dict[str, Any] | None) -> int | None:
    """The file's own 1..5 complexity label, when it has a usable one."""
    c = (sol or {}).get("complexity")
    return c if isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= 5 else None


def _prep(text: str) -> str:
    # not clean(): its outer-quote stripping would eat the first and last quote of "'a', 'b'"
    s = text.strip()
    return clean(s) if s.startswith("```") else s


def flat_tokens(text: str) -> list[str]:
    """Cells of a flat or nested list answer: brackets dropped, split on commas, semicolons or whitespace.

    ``a / b`` is joined to ``a/b`` first so fractions survive the whitespace split. Each token loses one layer
    of quotes.
    """
    s = _prep(text)
    s = re.sub(r"\s*/\s*", "/", s)
    s = _BRACKETS.sub(" ", s)
    out = []
    for tok in _SEP.split(s):
        t = tok.strip()
        while len(t) >= 2 and t[0] in _QUOTES and t[-1] in _QUOTES:
            t = t[1:-1].strip()
        if t:
            out.append(t)
    return out


def explicit_rows(text: str) -> list[str] | None:
    """The row texts when the answer is visibly written row by row (``[[..],[..]]`` or one row per line)."""
    s = _prep(text)
    inner = re.findall(r"[\[(]([^\[\]()]*)[\])]", s)
    if len(inner) >= 2 and re.search(r"[\[(]\s*[\[(]", s):
        return inner
    lines = [ln for ln in re.split(r"\n|;", s) if ln.strip(" \t[](),")]
    if len(lines) >= 2:
        return lines
    return None
