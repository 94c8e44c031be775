"""Grid and list answers: splitting a flat or nested list into cells, and finding rows written one by one."""

from __future__ import annotations

import re

from codesteer.symbench._parse import clean

_BRACKETS = re.compile(r"[\[\](){}]")
_SEP = re.compile(r"[,;\s]+")
_QUOTES = "\"'`“”‘’"


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
