"""Combinatorial Calculation (unseen): put + - * / and parentheses between digits in a fixed order."""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, eval_arith, normalize_arith
from codesteer.symbench._samples import read_samples, skip, stored_value, subfolders
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong

Sets = dict[tuple[int, int], set[Any]]

# --- solver: reachable values per interval ------------------------------------------------------------
# Exact rational interval DP is complete but grows fast (about 13 ms for 6 numbers, 100 ms for 7). A
# pruned DP over integers within a bound is sound (everything it finds is truly reachable) and cheap up to
# about 10 numbers, so it runs first; the exact DP settles the rest for up to EXACT_MAX numbers.

EXACT_MAX = 6


def _interval_sets(nums: list[int], bound: int | None) -> Sets:
    n = len(nums)
    sets: Sets = {(i, i): {Fraction(x) if bound is None else x} for i, x in enumerate(nums)}
    for length in range(2, n):  # the full interval is only looked up, never built
        for i in range(n - length + 1):
            j = i + length - 1
            out: set[Any] = set()
            for k in range(i, j):
                for a in sets[(i, k)]:
                    for b in sets[(k + 1, j)]:
                        out.add(a + b)
                        out.add(a - b)
                        out.add(a * b)
                        if b:
                            if bound is None:
                                out.add(a / b)
                            elif a % b == 0:
                                out.add(a // b)
            if bound is not None:
                out = {v for v in out if -bound <= v <= bound}
            sets[(i, j)] = out
    return sets


def _forms(a: Fraction, goal: Fraction) -> Iterator[tuple[Fraction, str]]:
    """Each right operand b and operator with ``a <op> b == goal``."""
    yield goal - a, "+"
    yield a - goal, "-"
    if a:
        yield goal / a, "*"
    if goal:
        yield a / goal, "/"


def _build(sets: Sets, i: int, j: int, goal: Fraction) -> tuple[str, int] | None:
    """An expression for nums[i..j] equal to goal, with its precedence (1 sum, 2 product, 3 atom)."""
    if i == j:
        only = next(iter(sets[(i, i)]))
        return (str(only), 3) if Fraction(only) == goal else None
    for k in range(i, j):
        left, right = sets[(i, k)], sets[(k + 1, j)]
        for a in left:
            fa = Fraction(a)
            for b, op in _forms(fa, goal):
                if op == "/" and b == 0:
                    continue
                if b not in right:
                    continue
                la = _build(sets, i, k, fa)
                rb = _build(sets, k + 1, j, b)
                if la is None or rb is None:  # pragma: no cover - membership guarantees both
                    continue
                (ea, pa), (eb, pb) = la, rb
                if op in "*/" and pa == 1:
                    ea = f"({ea})"
                if (op == "-" and pb == 1) or (op == "*" and pb == 1) or (op == "/" and pb <= 2):
                    eb = f"({eb})"
                return f"{ea}{op}{eb}", 1 if op in "+-" else 2
    return None


def solve(numbers: list[int], target: int) -> str | None:
    """An expression keeping the numbers in order that equals ``target`` exactly, or None if none is found.

    Complete for up to ``EXACT_MAX`` numbers; beyond that only integer intermediate values within a bound are
    searched, so None means "not found", not "impossible".
    """
    goal = Fraction(target)
    n = len(numbers)
    if n == 1:
        return str(numbers[0]) if numbers[0] == goal else None
    bound = max(200, 2 * abs(int(target)))
    for b in (bound, None) if n <= EXACT_MAX else (bound,):
        sets = _interval_sets(numbers, b)
        sets[(0, n - 1)] = {goal}
        found = _build(sets, 0, n - 1, goal)
        if found is not None:
            return found[0]
    return None


def to_tokens(expr: str) -> str:
    """``6/2+7`` -> ``[6, /, 2, +, 7]`` (the answer format of the task)."""
    return "[" + ", ".join(re.findall(r"\d+|[-+*/()]", expr)) + "]"


# --- checking -----------------------------------------------------------------------------------------

_ALLOWED = re.compile(r"[\d\s+\-*/()×÷·−–]*")


def tokens_to_expr(answer: str) -> str:
    """Read ``[4, -, (, 6, *, 9, )]`` (quotes allowed) or a plain ``4-(6*9)`` as an expression string."""
    s = clean(answer)
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    s = re.sub(r"[\"'`]", "", s).replace(",", " ")
    if not _ALLOWED.fullmatch(s):
        raise ParseError("only integers, + - * / and parentheses may appear in the token list")
    if not s.strip():
        raise ParseError("empty answer")
    return s


def _question(numbers: list[int], target: int, lo: int, hi: int) -> str:
    nums = ", ".join(str(x) for x in numbers)
    return (
        f"Given {len(numbers)} integers between {lo} and {hi}, insert arithmetic operations (+, -, *, /) and "
        f"parentheses between them so that the expression equals {target}. Use each number exactly once and "
        "keep the numbers in the given order: you may not reorder them, join digits into larger numbers or put "
        "a minus sign in front of a number or a parenthesis (only the binary operators + - * / are allowed). "
        "Division is exact: fractions may appear in intermediate steps, and the final value must equal "
        f"{target} exactly.\n"
        f"The input numbers are: {nums}. The target is: {target}.\n"
        "Return the expression as a list of numbers and symbols in the format <<<list of values and "
        "symbols>>>. For example, <<<[1, +, 3]>>> means 1+3 and <<<[4, -, (, 6, *, 9, )]>>> means 4-(6*9)."
    )


@register
class CombinatorialCalculation(Task):
    name = "combinatorial_calculation"
    title = "Combinatorial Calculation"
    seen = False
    description = (
        "Insert + - * / and parentheses between digits, kept in the given order, so the expression equals the "
        "target exactly (Fraction arithmetic). Every instance is proven solvable by an interval-DP solver "
        "(complete for up to 6 numbers; for 7-10 numbers a sound integer-bounded search). Complexity raises "
        "the count of numbers and the target: level 1 is 3 numbers to 10, 2 is 4 to 24, 3 is 5 to 78, 4 is "
        "6 to 100, 5 is 8 to 200. Any valid expression passes; unlike the reference, the order of the numbers "
        "is enforced."
    )
    knobs = (
        Knob("count", int, 4, "how many numbers (solver bound: 10)", lo=2, hi=10),
        Knob("target", int, 24, "value the expression must reach", lo=-10_000, hi=10_000),
        Knob("min_value", int, 1, "smallest number drawn", lo=1, hi=99),
        Knob("max_value", int, 9, "largest number drawn", lo=1, hi=99),
    )
    presets = {
        1: {"count": 3, "target": 10},
        2: {"count": 4, "target": 24},
        3: {"count": 5, "target": 78},
        4: {"count": 6, "target": 100},
        5: {"count": 8, "target": 200},
    }
    reference_dirs = ("combinatorial_calculation", "combinatorial_calculation_varied_complexity")

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_value"] > cfg["max_value"]:
            raise ValueError(
                f"combinatorial_calculation: min_value ({cfg['min_value']}) must be <= max_value "
                f"({cfg['max_value']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        lo, hi, target = cfg["min_value"], cfg["max_value"], cfg["target"]
        for _ in range(300):
            numbers = [rng.randint(lo, hi) for _ in range(cfg["count"])]
            expr = solve(numbers, target)
            if expr is not None:
                data = {"numbers": numbers, "target": target, "min_value": lo, "max_value": hi}
                return Draft(_question(numbers, target, lo, hi), to_tokens(expr), data)
        raise ValueError(
            f"combinatorial_calculation: no solvable instance with {cfg['count']} numbers in {lo}..{hi} and "
            f"target {target} found in 300 draws; change the target or the number range"
        )

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        expr = tokens_to_expr(answer)
        value, used = eval_arith(expr)
        tree = ast.parse(normalize_arith(expr), mode="eval")
        if any(isinstance(n, ast.UnaryOp) for n in ast.walk(tree)):
            return violates("a sign in front of a number or parenthesis is not allowed")
        numbers = [Fraction(x) for x in data["numbers"]]
        if used != numbers:
            got = ", ".join(str(u) for u in used)
            want = ", ".join(str(x) for x in data["numbers"])
            return violates(f"numbers used in order ({got}) differ from the given sequence ({want})")
        target = Fraction(data["target"])
        if value != target:
            return wrong(f"expression equals {value}, not {target}")
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        varied = "combinatorial_calculation_varied_complexity"
        tops = ["combinatorial_calculation"] + [f"{varied}/{d.name}" for d in subfolders(root / varied)]
        for top in tops:
            for source, question, stored in read_samples(root, top):
                item = self._ref_item(source, question, stored)
                if item is not None:
                    yield item
                else:
                    skip(source, "question not recognised or no expression reaches the target")

    def _ref_item(self, source: str, question: str, stored: Any) -> RefItem | None:
        m = re.search(r"input numbers are:\s*([\d,\s]+?),?\s*the target values? is:\s*(-?\d+)", question)
        if not m:
            return None
        numbers = [int(x) for x in re.findall(r"\d+", m.group(1))]
        target = int(m.group(2))
        lo, hi = 1, 9
        rng_m = re.search(r"integers between (\d+) and (\d+)", question)
        if rng_m:
            lo, hi = int(rng_m.group(1)), int(rng_m.group(2))
        data = {"numbers": numbers, "target": target, "min_value": lo, "max_value": hi}
        label = stored_value(stored, "solution")
        label_text = "[" + ", ".join(str(t) for t in label) + "]" if isinstance(label, list) else None
        expr = solve(numbers, target)
        answer = to_tokens(expr) if expr is not None else None
        note = None
        if label_text is not None:
            try:
                label_ok = self.check(data, label_text).correct
            except (ValueError, ArithmeticError):
                label_ok = False
            if not label_ok:
                note = f"stored solution {label_text} does not reach {target} with the numbers in order"
            elif answer is None:
                answer = label_text
        if answer is None:
            return None
        level = stored_value(stored, "complexity")
        return RefItem(
            source=source,
            question=question.strip(),
            answer=answer,
            data=data,
            complexity=level if isinstance(level, int) and 1 <= level <= 5 else None,
            stored_label=label,
            label_note=note,
        )
