"""LaTeX answers of MATH-style problems: normalisation, a safe sympy conversion, symbolic equivalence.

The reference asked GPT-4o whether two LaTeX answers are equal. Here the text is rewritten into a small
arithmetic language (numbers, ``+ - * / **``, ``sqrt``, ``root``, ``binom``, ``factorial``, ``pi``, one-letter
symbols, tuples), parsed with ``ast`` under a node whitelist and built into a sympy expression by hand —
``sympify``/``parse_expr`` are never called on model text because they ``eval`` internally. Sizes are bounded
(length, nesting, exponents, factorial and binomial arguments) so a hostile answer cannot stall the checker.
Answers that are not expressions (intervals, words) fall back to a normalised string comparison. The two MATH
tasks also share their family choice and their reader of the MATH json files here.
"""

from __future__ import annotations

import ast
import json
import math
import random
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import skip, sort_key
from codesteer.symbench._task import RefItem
from codesteer.symbench._types import Verdict, ok, wrong

MAX_CHARS = 1000
MAX_NODES = 300
MAX_DEPTH = 40
MAX_EXP = 1000
MAX_DIGITS = 20_000
MAX_FACTORIAL = 1000

_FUNCS = {"sqrt": 1, "root": 2, "binom": 2, "factorial": 1}
_CONSTS = {"pi", "oo"}

_DROP = (
    "\\!", "\\,", "\\;", "\\:", "\\ ", "\\displaystyle", "\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl",
    "\\Bigr", "\\big", "\\Big", "\\quad", "\\qquad", "\\$", "$",
)  # fmt: skip
_UNITS = (
    r"(?:square|sq\.?|cubic)?\s*(?:units?|cm|centimeters?|mm|millimeters?|meters?|km|kilometers?|in|inch|"
    r"inches|ft|feet|foot|yards?|miles?|degrees?|radians?|dollars?|cents?|ways?|people|seconds?|minutes?|"
    r"hours?|days?)(?:\^?\{?[23]\}?|²|³)?"
)
_UNIT_TAIL = re.compile(r"(?<=[\d\)\s}])\s*" + _UNITS + r"\s*\.?\s*$", re.I)


def _closing_brace(s: str, i: int) -> int | None:
    """Index of the ``}`` that closes the ``{`` at ``s[i]``, or None when it is never closed."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (or ``\\fbox{...}``) with balanced braces; ``\\boxed 5`` too."""
    idx = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if idx < 0:
        return None
    i = idx + (6 if text.startswith("\\boxed", idx) else 5)  # end of \boxed / \fbox
    while i < len(text) and text[i] == " ":
        i += 1
    if i < len(text) and text[i] == "{":
        end = _closing_brace(text, i)
        return None if end is None else text[i + 1 : end]
    m = re.match(r"[^\s$]+", text[i:])
    return m.group(0) if m else None


def _strip_wrappers(s: str) -> str:
    s = clean(s)
    for a, b in (("\\(", "\\)"), ("\\[", "\\]")):
        if s.startswith(a) and s.endswith(b):
            s = s[2:-2].strip()
    if "\\boxed" in s or "\\fbox" in s:
        inner = last_boxed(s)
        if inner is not None:
            s = inner
    s = s.replace("{,}", "")
    for tok in _DROP:
        s = s.replace(tok, " " if tok == "\\ " else "")
    s = re.sub(r"\\(?:d|t)frac", r"\\frac", s)
    s = re.sub(r"\\(?:d|t)binom", r"\\binom", s)
    s = re.sub(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree", "", s)
    s = s.replace("\\%", "").replace("%", "")
    # units written as \text{ cm}, \mbox{ft}, \textbf{...}: drop text when something else remains
    texts = re.findall(r"\\(?:text|mbox|textbf|textrm|mathrm|mathbf)\s*\{([^{}]*)\}", s)
    rest = re.sub(r"\\(?:text|mbox|textbf|textrm|mathrm|mathbf)\s*\{[^{}]*\}", "", s).strip()
    if texts and rest:
        s = rest
    elif texts:
        s = " ".join(texts)
    s = s.strip().rstrip(".").strip()
    s = re.sub(r"^[A-Za-z](?:_\{?\w+\}?)?\s*=\s*(?=[^=]+$)", "", s)  # "x = 5", "h=3"
    prev = None
    while prev != s:  # "400 square inches", "12 cm^2"
        prev = s
        s = _UNIT_TAIL.sub("", s).strip()
    return s


def _read_arg(s: str, i: int) -> tuple[str, int]:
    """One LaTeX argument at ``s[i:]``: a braced group or a single character/command."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        raise ParseError("missing argument")
    if s[i] == "{":
        end = _closing_brace(s, i)
        if end is None:
            raise ParseError("unbalanced braces")
        return s[i + 1 : end], end + 1
    if s[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", s[i:])
        if m:
            return m.group(0), i + len(m.group(0))
    return s[i], i + 1


_SIMPLE_CMDS = {
    "\\pi": " pi ", "\\cdot": "*", "\\times": "*", "\\div": "/", "\\infty": " oo ", "\\ast": "*",
}  # fmt: skip


def _latex_to_py(s: str, depth: int = 0) -> str:
    """Rewrite LaTeX commands into the small arithmetic language; unknown commands are a ParseError."""
    if depth > MAX_DEPTH:
        raise ParseError("answer nested too deeply")
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            cmd = "\\" + (m.group(1) if m else "")
            i += len(cmd)
            if cmd == "\\frac":
                a, i = _read_arg(s, i)
                b, i = _read_arg(s, i)
                out.append(f"(({_latex_to_py(a, depth + 1)})/({_latex_to_py(b, depth + 1)}))")
            elif cmd == "\\binom":
                a, i = _read_arg(s, i)
                b, i = _read_arg(s, i)
                out.append(f" binom({_latex_to_py(a, depth + 1)},{_latex_to_py(b, depth + 1)}) ")
            elif cmd == "\\sqrt":
                n = None
                j = i
                while j < len(s) and s[j] == " ":
                    j += 1
                if j < len(s) and s[j] == "[":
                    k = s.find("]", j)
                    if k < 0:
                        raise ParseError("unclosed root index")
                    n, i = s[j + 1 : k], k + 1
                a, i = _read_arg(s, i)
                inner = _latex_to_py(a, depth + 1)
                out.append(f" root({inner},{_latex_to_py(n, depth + 1)}) " if n else f" sqrt({inner}) ")
            elif cmd in _SIMPLE_CMDS:
                out.append(_SIMPLE_CMDS[cmd])
            elif cmd in ("\\{", "\\}"):
                out.append("(" if cmd == "\\{" else ")")
            else:
                raise ParseError(f"unsupported LaTeX command {cmd}")
        elif c == "{":
            out.append("(")
            i += 1
        elif c == "}":
            out.append(")")
            i += 1
        elif c == "^":
            out.append("**")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


_TOKEN_RE = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|([A-Za-z]+)|(\*\*|[-+*/(),!]))")


def _tokens(s: str) -> list[str]:
    toks: list[str] = []
    i = 0
    s = s.rstrip()
    while i < len(s):
        m = _TOKEN_RE.match(s, i)
        if not m or m.end() == i:
            raise ParseError(f"unexpected character {s[i : i + 1]!r}")
        tok = m.group(m.lastindex or 0)
        i = m.end()
        if m.group(2):  # names: functions, constants, or runs of one-letter symbols ("pir" -> p*i*r is wrong,
            name = tok  # so only whitelisted words and single letters are accepted)
            if name in _FUNCS or name in _CONSTS or len(name) == 1:
                toks.append(name)
            elif name.startswith("pi") and len(name) == 3:
                toks += ["pi", name[2]]
            else:
                raise ParseError(f"unknown name {name!r}")
        else:
            toks.append(tok)
    return toks


def _is_operand_end(t: str) -> bool:
    return t == ")" or t[0].isdigit() or t[0] == "." or (t[0].isalpha() and t not in _FUNCS)


def _is_operand_start(t: str) -> bool:
    return t == "(" or t[0].isdigit() or t[0] == "." or t[0].isalpha()


def _join(toks: list[str]) -> str:
    """Insert implicit multiplication and rewrite postfix ``!`` into ``factorial(...)``."""
    out: list[str] = []
    wrap = False
    for t in toks:
        if wrap:  # "sqrt 2" (from \sqrt2 spelled out, or the sign √2): the function takes the next operand
            wrap = False
            if t != "(":
                if not _is_operand_start(t) or t in _FUNCS:
                    raise ParseError("function without an argument")
                out += ["(", t, ")"]
                continue
        if t == "!":
            if not out:
                raise ParseError("factorial without an argument")
            if out[-1] == ")":
                depth, j = 0, len(out) - 1
                while j >= 0:
                    depth += out[j] == ")"
                    depth -= out[j] == "("
                    if depth == 0:
                        break
                    j -= 1
                if j < 0:
                    raise ParseError("unbalanced parentheses")
                if j > 0 and out[j - 1] in _FUNCS:
                    j -= 1
                out[j:] = ["factorial", "(", *out[j:], ")"]
            else:
                out[-1:] = ["factorial", "(", out[-1], ")"]
            continue
        if out and _is_operand_end(out[-1]) and _is_operand_start(t):
            if out[-1][0].isdigit() and t[0].isdigit():
                raise ParseError("two numbers side by side")
            out.append("*")
        out.append(t)
        wrap = t in _FUNCS
    return " ".join(out)


def normalize(text: str) -> str:
    """LaTeX/plain answer text -> an expression in the restricted arithmetic language (a Python subset)."""
    if len(text) > MAX_CHARS:
        raise ParseError("answer too long")
    s = _strip_wrappers(text)
    if not s:
        raise ParseError("empty answer")
    s = s.replace("π", " pi ").replace("√", " sqrt ").replace("×", "*").replace("·", "*").replace("−", "-")
    if re.search(r"[\[\]]", s) and "," in s:
        raise ParseError("an interval is compared as text")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s.replace(" ", "")):
        s = s.replace(",", "").replace(" ", "")
    py = _latex_to_py(s).replace("[", "(").replace("]", ")")
    if "=" in py or "<" in py or ">" in py:
        raise ParseError("an equation or inequality is not an expression")
    depth = 0
    for ch in py:
        depth += ch == "("
        depth -= ch == ")"
        if depth > MAX_DEPTH:
            raise ParseError("answer nested too deeply")
    return _join(_tokens(py))


def _sympy() -> Any:
    import sympy  # imported lazily: it costs ~0.5 s and only MATH tasks need it

    return sympy


def _digits(x: Any) -> float:
    sp = _sympy()
    if isinstance(x, sp.Integer):
        return math.log10(abs(int(x)) + 1)
    if isinstance(x, sp.Rational):
        return max(_digits(sp.Integer(x.p)), _digits(sp.Integer(x.q)))
    return 0.0


def _build(node: ast.AST) -> Any:
    sp = _sympy()
    if isinstance(node, ast.Expression):
        return _build(node.body)
    if isinstance(node, ast.Tuple):
        return tuple(_build(e) for e in node.elts)
    if isinstance(node, ast.Constant):
        if type(node.value) is int:
            return sp.Integer(node.value)
        if type(node.value) is float:
            if not math.isfinite(node.value):
                raise ParseError("number out of range")
            return sp.Rational(repr(node.value))
        raise ParseError("only numbers are allowed")
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return sp.pi
        if node.id == "oo":
            return sp.oo
        if len(node.id) == 1:
            return sp.Symbol(node.id)
        raise ParseError(f"unknown name {node.id!r}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _build(node.operand)
        _scalar(v)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _build(node.left), _build(node.right)
        _scalar(a)
        _scalar(b)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            if _digits(a) + _digits(b) > MAX_DIGITS:
                raise ParseError("number too large")
            return a * b
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise ParseError("division by zero")
            return a / b
        if isinstance(node.op, ast.Pow):
            if b.is_Number:
                if abs(b) > MAX_EXP:
                    raise ParseError("exponent too large")
                if a.is_Number and _digits(a) * float(abs(b)) > MAX_DIGITS:
                    raise ParseError("power too large")
                if a == 0 and b.is_negative:
                    raise ParseError("division by zero")
            elif not b.free_symbols:
                raise ParseError("only numeric exponents or symbols are allowed")
            return a**b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        if node.keywords or len(node.args) != _FUNCS[node.func.id]:
            raise ParseError(f"{node.func.id} takes {_FUNCS[node.func.id]} argument(s)")
        args = [_build(x) for x in node.args]
        for x in args:
            _scalar(x)
        name = node.func.id
        if name == "sqrt":
            return sp.sqrt(args[0])
        if name == "root":
            n = args[1]
            if not (n.is_Integer and 1 <= n <= 100):
                raise ParseError("root index must be an integer 1..100")
            return sp.root(args[0], n)
        ints = all(x.is_Integer for x in args)
        if not ints:
            raise ParseError(f"{name} needs integer arguments")
        if name == "factorial":
            if not 0 <= args[0] <= MAX_FACTORIAL:
                raise ParseError("factorial argument out of range")
            return sp.factorial(args[0])
        if not (0 <= args[0] <= 10 * MAX_FACTORIAL):
            raise ParseError("binomial argument out of range")
        return sp.binomial(args[0], args[1])
    raise ParseError(f"not allowed in a math answer: {type(node).__name__}")


def _scalar(v: Any) -> None:
    if isinstance(v, tuple):
        raise ParseError("a tuple cannot be part of an expression")


def to_sympy(text: str) -> Any:
    """A sympy expression (or a tuple of them) for the answer text; ParseError if it is not one."""
    return _to_sympy_cached(text)


@lru_cache(maxsize=4096)
def _to_sympy_cached(text: str) -> Any:
    py = normalize(text)
    try:
        tree = ast.parse(py, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ParseError(f"not an expression: {text[:60]!r}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ParseError("expression too large")
    try:
        return _build(tree)
    except RecursionError:
        raise ParseError("answer nested too deeply") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"cannot evaluate: {type(exc).__name__}") from None


def _num(x: Any, prec: int) -> complex | None:
    try:
        return complex(x.evalf(prec))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None


def equivalent(a: Any, b: Any) -> bool:
    """Symbolic equality: a numeric screen first (cheap), then ``simplify(a - b) == 0`` to confirm.

    Where simplify cannot decide a numeric (symbol-free) difference, agreement to 60 significant digits is
    accepted. Expressions with symbols are compared at three fixed points before simplify.
    """
    sp = _sympy()
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
            and all(equivalent(x, y) for x, y in zip(a, b, strict=True))
        )  # fmt: skip
    if a == b:
        return True
    if a.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or b.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return False
    d = a - b
    if d == 0:
        return True
    syms = sorted(d.free_symbols, key=str)
    scale = 1.0
    if syms:
        for k, base in enumerate((sp.Rational(7, 13), sp.Rational(-11, 17), sp.Rational(23, 9))):
            point = {s: base + sp.Rational(i * (k + 1), 29) for i, s in enumerate(syms)}
            v = _num(d.subs(point), 30)
            if v is None or abs(v) > 1e-12 * max(1.0, abs(_num(a.subs(point), 30) or 1)):
                return False
    else:
        v = _num(d, 40)
        va = _num(a, 40)
        if v is None:
            return False
        scale = max(1.0, abs(va) if va is not None else 1.0)
        if abs(v) > 1e-25 * scale:
            return False
    try:
        if sp.simplify(d) == 0:
            return True
    except (TypeError, ValueError, RecursionError, AttributeError, NotImplementedError):
        pass
    if not syms:
        v = _num(d, 80)
        return v is not None and abs(v) < 1e-60 * scale
    return False


def norm_string(s: str) -> str:
    """Fallback for answers that are not expressions: a whitespace/markup-insensitive string."""
    t = _strip_wrappers(s) if len(s) <= MAX_CHARS else s
    t = re.sub(r"\\(?:text|mbox|textbf|mathrm)\s*\{([^{}]*)\}", r"\1", t)
    t = t.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    return re.sub(r"\s+", "", t).lower().rstrip(".")


def check_math(gold: str, answer: str) -> Verdict:
    """Compare an answer with the gold LaTeX answer: symbolic equivalence, or normalised strings."""
    try:
        g = to_sympy(gold)
    except ParseError:
        g = None
    if g is None:
        if not clean(answer):
            raise ParseError("empty answer")
        if norm_string(answer) == norm_string(gold):
            return ok()
        return wrong(f"{clean(answer)[:60]!r} does not match the expected answer")
    try:
        a = to_sympy(answer)
    except ParseError:
        if norm_string(answer) == norm_string(gold):
            return ok()
        raise
    if equivalent(g, a):
        return ok()
    return wrong(f"{clean(answer)[:60]!r} is not equal to the expected value")


def choose_family(rng: random.Random, families: Mapping[str, tuple[int, Any]], tier: int, name: str) -> str:
    """The named family, or one of the given tier (60%) or below."""
    if name != "any":
        return name
    top = sorted(f for f, (t, _) in families.items() if t == tier)
    below = sorted(f for f, (t, _) in families.items() if t <= tier)
    return rng.choice(top if top and rng.random() < 0.6 else below)


def load_math_dir(root: Path, rels: tuple[str, ...], fmt: str) -> Iterator[RefItem]:
    """MATH json files ``{problem, level, type, solution}``; the gold answer is the last ``\\boxed{}``."""
    for rel in rels:
        base = root / rel
        if not base.is_dir():
            continue
        for f in sorted(base.glob("*.json"), key=lambda p: sort_key(p.name)):
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
                problem, solution = rec["problem"], rec["solution"]
            except (OSError, ValueError, KeyError, TypeError):
                skip(f.relative_to(root), "file unreadable")
                continue
            if not isinstance(problem, str) or not isinstance(solution, str):
                skip(f.relative_to(root), "problem or solution is not text")
                continue
            gold = last_boxed(solution)
            if gold is None:
                skip(f.relative_to(root), "no \\boxed answer in the solution")
                continue
            m = re.search(r"(\d)", str(rec.get("level", "")))
            level = int(m.group(1)) if m and 1 <= int(m.group(1)) <= 5 else None
            q = problem.strip()
            yield RefItem(
                source=str(f.relative_to(root)),
                question=q if "<<<" in q else q + "\n" + fmt,
                answer=gold.strip(),
                data={"gold": gold.strip(), "level": rec.get("level"), "type": rec.get("type")},
                complexity=level,
                stored_label=gold.strip(),
            )
