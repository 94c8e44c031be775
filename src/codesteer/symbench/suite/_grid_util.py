"""Private helpers shared by the grid/list tasks: reading ``sample_N`` folders and splitting flat answers.

Kept here rather than in ``_parse.py`` because only a handful of tasks need them; the coordinator may lift
them into the shared parsers later.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, parse_number

_BRACKETS = re.compile(r"[\[\](){}]")
_SEP = re.compile(r"[,;\s]+")
_QUOTES = "\"'`“”‘’"


def sample_dirs(root: Path, folder: str) -> list[Path]:
    """``root/folder/sample_N`` directories sorted by N (numerically, so sample_10 follows sample_9)."""
    base = root / folder
    if not base.is_dir():
        return []
    out = []
    for p in base.iterdir():
        m = re.fullmatch(r"sample_(\d+)", p.name)
        if m and p.is_dir():
            out.append((int(m.group(1)), p))
    return [p for _, p in sorted(out)]


def read_sample(d: Path) -> tuple[str, dict[str, Any] | None] | None:
    """The stored question and the parsed ``solution.json`` (None when absent or unreadable)."""
    q = d / "question.txt"
    if not q.is_file():
        return None
    try:
        question = q.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    sol: dict[str, Any] | None = None
    s = d / "solution.json"
    if s.is_file():
        try:
            loaded = json.loads(s.read_text(encoding="utf-8"))
            sol = loaded if isinstance(loaded, dict) else {"solution": loaded}
        except (OSError, UnicodeDecodeError, ValueError):
            sol = None
    return question, sol


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


def require_count(tokens: list[str], n: int, what: str) -> None:
    if len(tokens) != n:
        raise ParseError(f"expected {n} {what}, got {len(tokens)}")


_EXP = re.compile(r"[eE]\s*[+-]?\s*(\d+)")


def parse_number_safe(text: str) -> Fraction:
    """``parse_number`` with a cap on scientific exponents.

    ``Fraction("1e9999999")`` builds a 33-million-bit integer (about 15 s); a reply must not be able to stall
    the verifier that way, so exponents beyond 1e±100 are rejected before parsing.
    """
    for m in _EXP.finditer(text):
        if len(m.group(1)) > 3 or int(m.group(1)) > 100:
            raise ParseError("exponent too large")
    return parse_number(text)
