"""New Operator (seen): evaluate an expression over custom binary operators defined by formulas."""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, numbers_close, parse_number
from codesteer.symbench._samples import read_samples, skip, stored_complexity, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

SYMBOLS = "#@$&%~"
REL_TOL = Fraction(1, 10**6)
_MAX_NUM = 10**12
_MAX_DEN = 10**4


# --- exact evaluation -------------------------------------------------------------------------------


def apply_formula(formula: str, a: Fraction, b: Fraction) -> Fraction:
    """Value of a definition such as ``3*a+2*b`` or ``(a + b)/b`` on exact numbers (ZeroDivisionError on /0).

    The formulas come from our generator or the published files, never from a model; they are still read
    through ``ast`` with a whitelist rather than ``eval``.
    """

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return Fraction(str(node.value))
        if isinstance(node, ast.Name) and node.id in ("a", "b"):
            return a if node.id == "a" else b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            x, y = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return x + y
            if isinstance(node.op, ast.Sub):
                return x - y
            if isinstance(node.op, ast.Mult):
                return x * y
            if isinstance(node.op, ast.Div):
                return x / y
        raise ValueError(f"unsupported operator definition: {formula!r}")

    return ev(ast.parse(formula, mode="eval"))


_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[()]|[" + re.escape(SYMBOLS) + r"])")


def tokenize(expr: str) -> list[str]:
    pos, out = 0, []
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read expression {expr!r} at {pos}")
        out.append(m.group(1))
        pos = m.end()
    return out


def evaluate(expr: str, defs: Mapping[str, str]) -> Fraction:
    """Exact value with the stated semantics: parentheses first, custom operators left to right."""
    toks = tokenize(expr)
    pos = 0

    def operand() -> Fraction:
        nonlocal pos
        if pos >= len(toks):
            raise ValueError("expression ends early")
        t = toks[pos]
        pos += 1
        if t == "(":
            v = chain()
            if pos >= len(toks) or toks[pos] != ")":
                raise ValueError("unbalanced parentheses")
            pos += 1
            return v
        if t[0].isdigit():
            return Fraction(t)
        raise ValueError(f"unexpected {t!r}")

    def chain() -> Fraction:
        nonlocal pos
        v = operand()
        while pos < len(toks) and toks[pos] in defs:
            op = toks[pos]
            pos += 1
            v = apply_formula(defs[op], v, operand())
        return v

    value = chain()
    if pos != len(toks):
        raise ValueError(f"unexpected {toks[pos]!r} in {expr!r}")
    return value


def order_matters(expr: str) -> bool:
    """True when some parenthesis level holds two or more operators, so the evaluation order must be stated."""
    counts = [0]
    for t in tokenize(expr):
        if t == "(":
            counts.append(0)
        elif t == ")":
            if counts.pop() >= 2:
                return True
        elif not t[0].isdigit():
            counts[-1] += 1
    return any(c >= 2 for c in counts)


def fmt_exact(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


# --- generation -------------------------------------------------------------------------------------

_TEMPLATES = {
    "reference": ("{k1}*a+{k2}*b", "{k1}*a*b", "(a+b)/b"),
    "extended": ("{k1}*a+{k2}*b", "{k1}*a-{k2}*b", "{k1}*a*b", "(a+b)/b", "a*b+{k1}", "(a-b)/{k1}"),
}


def _build(rng: random.Random, m: int, depth: int, cfg: Mapping[str, Any]) -> list[str]:
    """Tokens of an expression with ``m`` operands (operators as '?' placeholders), nested <= depth."""
    if m == 1:
        return [str(rng.randint(1, cfg["max_operand"]))]
    if depth == 0:
        out = [str(rng.randint(1, cfg["max_operand"]))]
        for _ in range(m - 1):
            out += ["?", str(rng.randint(1, cfg["max_operand"]))]
        return out
    parts = rng.randint(2, m)
    # a random composition of m into `parts` positive sizes
    cuts = sorted(rng.sample(range(1, m), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, m], strict=True)]
    out = []
    for i, size in enumerate(sizes):
        if i:
            out.append("?")
        sub = _build(rng, size, depth - 1, cfg)
        out += ["(", *sub, ")"] if size > 1 else sub
    return out


def _definitions(rng: random.Random, cfg: Mapping[str, Any], templates: tuple[str, ...]) -> dict[str, str]:
    ops = rng.sample(SYMBOLS, cfg["operators"])
    return {op: rng.choice(templates).format(k1=rng.randint(1, 5), k2=rng.randint(1, 5)) for op in ops}


def _fill_ops(rng: random.Random, tokens: list[str], ops: list[str]) -> str:
    slots = [i for i, t in enumerate(tokens) if t == "?"]
    choice = list(ops) + [rng.choice(ops) for _ in range(len(slots) - len(ops))]
    rng.shuffle(choice)
    out = list(tokens)
    for i, op in zip(slots, choice, strict=True):
        out[i] = op
    return "".join(out)


def _question(defs: Mapping[str, str], expr: str) -> str:
    ops = list(defs)
    names = ops[0] if len(ops) == 1 else ", ".join(ops[:-1]) + " and " + ops[-1]
    lines = "\n".join(f"a{op}b = {f}" for op, f in defs.items())
    x, y = (ops[0], ops[1]) if len(ops) > 1 else (ops[0], ops[0])
    return (
        f"Let a and b be numbers. The new operation{'s' if len(ops) > 1 else ''} {names} "
        f"{'are' if len(ops) > 1 else 'is'} defined as follows:\n{lines}\n\n"
        "Evaluation rules: a part in parentheses is evaluated first; otherwise all the new operations have "
        f"the same precedence and are applied strictly from left to right, so 2{x}3{y}4 means (2{x}3){y}4. "
        "Inside a definition the usual arithmetic rules hold (* and / before + and -), and all arithmetic is "
        "exact (no rounding).\n\n"
        f"Calculate {expr}.\n"
        "Give the exact value as a single number: an integer, or a fraction p/q in lowest terms (a decimal "
        "correct to at least 6 decimal places is also accepted). Use the format <<<number>>>; for example, "
        "<<<-12>>> or <<<37/4>>>."
    )


@register
class NewOperator(Task):
    name = "new_operator"
    title = "New Operator"
    seen = True
    description = (
        "Custom binary operators (# @ $ & % ~) are defined by formulas such as 3*a+2*b, 2*a*b or (a+b)/b; "
        "evaluate an expression that uses them. The question states the evaluation order (parentheses first, "
        "then all custom operators left to right) and the truth is computed exactly on Fractions, fixing the "
        "reference's evaluator, which applied only the first operator of its fixed list and dropped the rest "
        "(99 of 100 stored complexity-5 labels are wrong). Answers are compared exactly for integer results "
        "and with a 1e-6 relative tolerance otherwise. Complexity 1..5: a op b; (x op y) op z; two operators "
        "over four operands; three operators over five operands with nesting; four operators over seven "
        "operands with deeper nesting and more formula kinds."
    )
    knobs = (
        Knob("operators", int, 2, "distinct custom operators defined and used", lo=1, hi=6),
        Knob("operands", int, 4, "numbers in the expression", lo=2, hi=10),
        Knob("depth", int, 1, "maximum parenthesis nesting (0 = a flat left-to-right chain)", lo=0, hi=3),
        Knob("max_operand", int, 10, "operands are drawn from 1..max_operand", lo=1, hi=100),
        Knob("templates", str, "reference", "formula family", choices=tuple(_TEMPLATES)),
    )
    presets = {
        1: {"operators": 1, "operands": 2, "depth": 0, "templates": "reference"},
        2: {"operators": 1, "operands": 3, "depth": 1, "templates": "reference"},
        3: {"operators": 2, "operands": 4, "depth": 1, "templates": "reference"},
        4: {"operators": 3, "operands": 5, "depth": 2, "templates": "extended"},
        5: {"operators": 4, "operands": 7, "depth": 3, "templates": "extended"},
    }
    reference_dirs = ("new_operator_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["operands"] - 1 < cfg["operators"]:
            raise ValueError(
                f"new_operator: {cfg['operands']} operands leave {cfg['operands'] - 1} operator slots, fewer "
                f"than operators ({cfg['operators']}); raise operands or lower operators"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        templates = _TEMPLATES[cfg["templates"]]
        for attempt in range(200):
            if attempt == 199:  # always succeeds: sums of bounded positives stay finite and small
                templates = ("{k1}*a+{k2}*b",)
            defs = _definitions(rng, cfg, templates)
            expr = _fill_ops(rng, _build(rng, cfg["operands"], cfg["depth"], cfg), list(defs))
            try:
                value = evaluate(expr, defs)
            except ZeroDivisionError:
                continue
            if abs(value.numerator) <= _MAX_NUM and value.denominator <= _MAX_DEN:
                break
        else:  # pragma: no cover
            raise RuntimeError("new_operator: no valid expression")
        data = {"definitions": defs, "expression": expr, "value": fmt_exact(value)}
        return Draft(_question(defs, expr), fmt_exact(value), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        s = clean(answer)
        while len(s) >= 2 and s[0] in "[(" and s[-1] in "])":
            s = s[1:-1].strip()
        s = re.sub(r"\s*/\s*", "/", s)
        if len(s) > 200:
            raise ParseError("answer too long for a number")
        got = parse_number(s)
        truth = Fraction(data["value"])
        if got == truth:
            return ok()
        if truth.denominator != 1 and abs(got - truth) <= REL_TOL * max(Fraction(1), abs(truth)):
            return ok(approximate=True)
        return wrong(f"{fmt_exact(got)} is not the value of the expression")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            defs = dict(re.findall(r"Define a(\S)b to be (.+?)\.\s*$", question, re.M))
            m = re.search(r"Calculate (.+?)\.\s*$", question, re.M)
            if not defs or not m:
                skip(source, "definition or expression not found")
                continue
            expr = m.group(1).strip()
            try:
                value = evaluate(expr, defs)
            except (ValueError, ZeroDivisionError, SyntaxError):
                skip(source, "expression cannot be evaluated")
                continue
            stored = stored_value(sol, "solution")
            note = None
            if stored is not None:
                try:
                    agrees = numbers_close(Fraction(str(stored)), value, rel=1e-6)
                except (ValueError, TypeError):
                    agrees = False
                if not agrees:
                    note = (
                        f"stored solution {stored!r} != {fmt_exact(value)} (custom operators evaluated left "
                        "to right after parentheses)"
                    )
            if order_matters(expr):
                ops = [op for op in defs if op in expr]
                x, y = (ops + ops)[:2]
                question = question.rstrip() + (
                    "\nNote: parentheses are evaluated first; otherwise the new operations have the same "
                    f"precedence and are applied from left to right, so 2{x}3{y}4 means (2{x}3){y}4. Give the "
                    "value as one exact number (integer or fraction p/q), e.g. <<<37/4>>>."
                )
            yield RefItem(
                source=source,
                question=question,
                answer=fmt_exact(value),
                data={"definitions": defs, "expression": expr, "value": fmt_exact(value)},
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )
