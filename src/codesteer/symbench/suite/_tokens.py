"""Answers written as tokens: bare items of a list, single letters, one word over an alphabet (tolerant readers)."""

from __future__ import annotations

import re

from codesteer.symbench._parse import ParseError, clean

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
