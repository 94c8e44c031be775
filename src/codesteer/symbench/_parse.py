"""Deterministic, tolerant, never-evaluating parsers shared by every task.

All functions raise ``ParseError`` (a ``ValueError``) on input they cannot read; the API turns that into a
"malformed" verdict. None of them runs model text as code: arithmetic goes through ``ast`` with a node
whitelist and is computed on ``Fraction``; literals go through ``ast.literal_eval`` after a length check.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, TypeVar

T = TypeVar("T")


class ParseError(ValueError):
    """The answer text cannot be read in the form the task asks for."""


MAX_LITERAL_CHARS = 200_000

# The one cap on scientific exponents (``1e100``, ``2.5E-100``): ``Fraction("1e9999999")`` builds a 33-million-bit
# integer (about 15 s), so a reply must not reach it. 100 is the tighter of the two caps this replaced (pooling and
# new_operator used 100, GSM-Hard and Game24 400): no generated answer or published label comes near 1e100, the
# strict tasks keep rejecting ``1e150`` as malformed, and GSM-Hard still reads such a number through its
# arithmetic fallback. An exponent written with more than three digits (``1e0005``) is refused as well.
MAX_EXPONENT = 100


def extract_answer(response: str) -> str | None:
    """The text between the last ``<<<`` and the ``>>>`` that closes it, or None.

    Linear time on any input (no backtracking regex), so a megabyte of brackets costs microseconds. Runs of
    extra brackets (``<<<<x>>>>``) are absorbed.
    """
    if not isinstance(response, str):
        return None
    end = response.rfind(">>>")
    while end >= 0:
        # move to the first '>' of this run so '<<<x>>>>' yields 'x'
        while end > 0 and response[end - 1] == ">":
            end -= 1
        start = response.rfind("<<<", 0, end)
        if start >= 0:
            s = start + 3
            while s < end and response[s] == "<":
                s += 1
            return response[s:end]
        return None
    return None


_QUOTES = "\"'`“”‘’"


def clean(text: str) -> str:
    """Strip whitespace, code fences and one layer of matching quotes."""
    s = text.strip()
    if s.startswith("```") and s.endswith("```") and len(s) >= 6:
        s = s[3:-3].strip()
        first, _, rest = s.partition("\n")
        if rest and re.fullmatch(r"[A-Za-z0-9_+-]*", first.strip()):
            s = rest.strip()
    # strip one layer of quotes only when they enclose the whole text ("'a', 'b'" keeps its quotes)
    while len(s) >= 2 and s[0] in _QUOTES and s[-1] in _QUOTES and not any(q in s[1:-1] for q in (s[0], s[-1])):
        s = s[1:-1].strip()
    return s


_INT_RE = re.compile(r"[+-]?\d+")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_DEC_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_FRAC_RE = re.compile(r"([+-]?\d+)\s*/\s*([+-]?\d+)")


def parse_int(text: str) -> int:
    """An exact integer: ``42``, ``-7``, ``1,234,567``, ``1_000``, ``42.0``. Nothing else."""
    s = clean(text).replace("_", "").replace(" ", "")
    if len(s) > 5000:
        raise ParseError("integer too long")
    if _INT_RE.fullmatch(s):
        return int(s)
    if _THOUSANDS_RE.fullmatch(s):
        return int(s.replace(",", ""))
    if re.fullmatch(r"[+-]?\d+\.0*", s):
        return int(s.split(".")[0])
    raise ParseError(f"not an integer: {_short(text)}")


def parse_number(text: str) -> Fraction:
    """An exact rational: integers, decimals, ``3/4``, scientific notation, thousands separators."""
    s = clean(text).replace(" ", "").replace("_", "").replace("−", "-")
    if len(s) > 5000:
        raise ParseError("number too long")
    if _THOUSANDS_RE.fullmatch(s.split(".")[0]) and s.count(".") <= 1:
        s = s.replace(",", "")
    m = _FRAC_RE.fullmatch(s)
    if m:
        den = int(m.group(2))
        if den == 0:
            raise ParseError("division by zero")
        return Fraction(int(m.group(1)), den)
    if _DEC_RE.fullmatch(s):
        exp = re.search(r"[eE][+-]?(\d+)$", s)
        if exp and (len(exp.group(1)) > 3 or int(exp.group(1)) > MAX_EXPONENT):
            raise ParseError(f"exponent too large: {_short(text)}")
        try:
            return Fraction(s)
        except (ValueError, ZeroDivisionError, OverflowError):
            pass
    raise ParseError(f"not a number: {_short(text)}")


def numbers_close(a: Fraction | float | int, b: Fraction | float | int, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    """Compare with a relative and absolute tolerance; exact when both are Fractions within tolerance 0."""
    fa, fb = Fraction(a), Fraction(b)
    diff = abs(fa - fb)
    return diff <= Fraction(abs_) or diff <= Fraction(rel) * max(abs(fa), abs(fb))


def parse_literal(text: str, max_chars: int = MAX_LITERAL_CHARS) -> Any:
    """A Python or JSON literal (lists, tuples, numbers, strings, dicts) without evaluating anything."""
    s = clean(text)
    if len(s) > max_chars:
        raise ParseError("answer too long")
    try:
        return json.loads(s)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(s)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise ParseError(f"not a literal: {_short(text)} ({type(exc).__name__})") from None


def split_items(text: str) -> list[str]:
    """Split ``[a, b, c]``, ``a,b,c``, ``a b c`` or ``(a; b; c)`` into stripped items (brackets dropped)."""
    s = clean(text)
    while len(s) >= 2 and s[0] in "[({" and s[-1] in "])}":
        s = s[1:-1].strip()
    if not s:
        return []
    parts = re.split(r"\s*[,;]\s*|\s+", s) if re.search(r"[,;]", s) else s.split()
    return [clean(p) for p in parts if p.strip()]


def parse_list(text: str, item: Callable[[str], T], *, length: int | None = None) -> list[T]:
    """A flat list of items, each read by ``item``; brackets, commas or spaces as separators."""
    s = clean(text)
    if len(s) > MAX_LITERAL_CHARS:
        raise ParseError("answer too long")
    items = split_items(s)
    if any(ch in it for it in items for ch in "[]()"):
        raise ParseError(f"nested list where a flat list was expected: {_short(text)}")
    out = [item(it) for it in items]
    if length is not None and len(out) != length:
        raise ParseError(f"expected {length} items, got {len(out)}")
    return out


def parse_int_list(text: str, *, length: int | None = None) -> list[int]:
    return parse_list(text, parse_int, length=length)


# --- arithmetic ---------------------------------------------------------------------------------------

_ARITH_SUBS = (
    ("\\times", "*"),
    ("\\cdot", "*"),
    ("\\div", "/"),
    ("×", "*"),
    ("·", "*"),
    ("÷", "/"),
    ("−", "-"),
    ("–", "-"),
    ("\\left", ""),
    ("\\right", ""),
    ("{", "("),
    ("}", ")"),
    ("[", "("),
    ("]", ")"),
)
_ARITH_OPS: dict[type, Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def normalize_arith(text: str) -> str:
    """Map LaTeX/Unicode operators to ASCII and drop a trailing ``= target``."""
    s = clean(text)
    for a, b in _ARITH_SUBS:
        s = s.replace(a, b)
    s = re.sub(r"\\frac\(([^()]*)\)\(([^()]*)\)", r"((\1)/(\2))", s)
    return s.strip()


def eval_arith(
    text: str,
    *,
    max_chars: int = 2000,
    max_nodes: int = 400,
    allow_floats: bool = False,
) -> tuple[Fraction, list[Fraction]]:
    """Value of an expression over ``+ - * /`` and parentheses, plus its numbers in reading order.

    Built on ``ast.parse(mode="eval")`` with a whitelist: anything else (names, calls, attributes, powers,
    comparisons) is a ``ParseError``. Division by zero is a ``ParseError`` too.
    """
    s = normalize_arith(text)
    if len(s) > max_chars:
        raise ParseError("expression too long")
    if "=" in s:
        raise ParseError("expression contains '='; give only the left-hand side")
    try:
        tree = ast.parse(s, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ParseError(f"not an arithmetic expression: {_short(text)} ({type(exc).__name__})") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > max_nodes:
        raise ParseError("expression too large")
    numbers: list[Fraction] = []

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            v = Fraction(node.value)
            numbers.append(v)
            return v
        if allow_floats and isinstance(node, ast.Constant) and type(node.value) is float:
            v = Fraction(str(node.value))
            numbers.append(v)
            return v
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH_OPS:
            left, right = ev(node.left), ev(node.right)
            try:
                return _ARITH_OPS[type(node.op)](left, right)
            except ZeroDivisionError:
                raise ParseError("division by zero") from None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        raise ParseError(f"not allowed in an arithmetic answer: {type(node).__name__}")

    try:
        return ev(tree), numbers
    except RecursionError:
        raise ParseError("expression nested too deeply") from None


def _short(text: str, n: int = 60) -> str:
    t = text if isinstance(text, str) else repr(text)
    t = t.replace("\n", " ")
    return repr(t[:n] + ("…" if len(t) > n else ""))


def same_multiset(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Equal as multisets (``Fraction(3)`` equals ``3``)."""
    return Counter(a) == Counter(b)
