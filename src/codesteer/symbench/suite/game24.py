"""Game 24 (seen): combine the given numbers with + - * / and parentheses to hit the target exactly."""

from __future__ import annotations

import ast
import csv
import random
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, eval_arith, normalize_arith, parse_number, same_multiset
from codesteer.symbench._samples import skip, sort_key
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong

# --- exact solver -------------------------------------------------------------------------------------
# Values reachable from a multiset of numbers, with the number of expression trees reaching each value
# (counted over number positions; + and * counted once per unordered pair). Keyed by the sorted multiset, so
# the cache is a pure function of its argument and results never depend on what was solved before.


def _splits(t: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    n = len(t)
    full = (1 << n) - 1
    sub = (full - 1) & full
    while sub:
        if sub & 1:  # the part holding position 0: each unordered split once
            a = tuple(t[i] for i in range(n) if sub >> i & 1)
            b = tuple(t[i] for i in range(n) if not sub >> i & 1)
            yield a, b
        sub = (sub - 1) & full


@lru_cache(maxsize=8192)
def _reach(t: tuple[int, ...]) -> dict[Fraction, int]:
    if len(t) == 1:
        return {Fraction(t[0]): 1}
    out: dict[Fraction, int] = {}
    for a_part, b_part in _splits(t):
        ra, rb = _reach(a_part), _reach(b_part)
        for a, ca in ra.items():
            for b, cb in rb.items():
                c = ca * cb
                for v in (a + b, a * b, a - b, b - a):
                    out[v] = out.get(v, 0) + c
                if b:
                    v = a / b
                    out[v] = out.get(v, 0) + c
                if a:
                    v = b / a
                    out[v] = out.get(v, 0) + c
    return out


def _ordered_splits(t: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Splits with the side that reaches fewer values first: the forms below are symmetric in a and b, so
    scanning the small side and looking the other up counts every tree once, at a fraction of the cost."""
    for a_part, b_part in _splits(t):
        if len(_reach(a_part)) > len(_reach(b_part)):
            a_part, b_part = b_part, a_part
        yield a_part, b_part


def _pairs_for(a: Fraction, target: Fraction) -> Iterator[tuple[Fraction, str]]:
    """Each (b, form) with ``form`` combining a and b into ``target``."""
    yield target - a, "a+b"
    yield a - target, "a-b"
    yield a + target, "b-a"
    if a:
        yield target / a, "a*b"
        yield target * a, "b/a"
        if target:
            yield a / target, "a/b"


def count_ways(numbers: list[int], target: int | Fraction) -> int:
    """How many expression trees over ``numbers`` (each used once) evaluate exactly to ``target``."""
    t = tuple(sorted(numbers))
    goal = Fraction(target)
    if len(t) == 1:
        return int(Fraction(t[0]) == goal)
    total = 0
    for a_part, b_part in _ordered_splits(t):
        ra, rb = _reach(a_part), _reach(b_part)
        for a, ca in ra.items():
            for b, _form in _pairs_for(a, goal):
                cb = rb.get(b)
                if cb:
                    total += ca * cb
    return total


def solve(numbers: list[int], target: int | Fraction) -> str | None:
    """One expression using every number once that equals ``target`` exactly, or None."""
    return _expr(tuple(sorted(numbers)), Fraction(target), top=True)


def _expr(t: tuple[int, ...], goal: Fraction, top: bool = False) -> str | None:
    if len(t) == 1:
        return str(t[0]) if Fraction(t[0]) == goal else None
    for a_part, b_part in _ordered_splits(t):
        ra, rb = _reach(a_part), _reach(b_part)
        for a in ra:
            for b, form in _pairs_for(a, goal):
                if b not in rb:
                    continue
                ea, eb = _expr(a_part, a), _expr(b_part, b)
                if ea is None or eb is None:  # pragma: no cover - reach() guarantees both exist
                    continue
                # sub-expressions of two or more numbers come back parenthesised, so no precedence issues
                text = {
                    "a+b": f"{ea}+{eb}",
                    "a-b": f"{ea}-{eb}",
                    "b-a": f"{eb}-{ea}",
                    "a*b": f"{ea}*{eb}",
                    "a/b": f"{ea}/{eb}",
                    "b/a": f"{eb}/{ea}",
                }[form]
                return text if top else f"({text})"
    return None


# --- checking -----------------------------------------------------------------------------------------


def split_equation(text: str, target: Fraction) -> str:
    """Drop a trailing (or leading) ``= target`` so ``(1+2)*8 = 24`` reads as ``(1+2)*8``."""
    s = normalize_arith(text)
    if "=" not in s:
        return s
    parts = [p.strip() for p in s.split("=")]
    if len(parts) != 2:
        raise ParseError("more than one '=' in the answer")
    left, right = parts
    for expr, side in ((left, right), (right, left)):
        try:
            value = parse_number(side)
        except ParseError:
            continue
        if value != target:
            raise ParseError(f"the answer claims '= {side}' but the target is {target}")
        return expr
    raise ParseError("an '=' must be followed by the target number only")


def has_unary_minus(expr: str) -> bool:
    """True when the expression negates a sub-expression (only binary + - * / are allowed)."""
    tree = ast.parse(normalize_arith(expr), mode="eval")
    return any(isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub) for n in ast.walk(tree))


_EXAMPLE = "(10-9)*(11+13)"


def _question(numbers: list[int], target: int) -> str:
    nums = " ".join(str(x) for x in numbers)
    return (
        f"Use the numbers {nums} to make {target}.\n"
        f"Rules: use every one of the {len(numbers)} numbers exactly once (a number listed twice must be used "
        "twice), combined only with the binary operators + - * / and parentheses. No other operations "
        "(no powers, roots, factorials, unary minus or joining digits into new numbers). Division is exact: "
        f"fractions may appear in intermediate steps, and the final value must equal {target} exactly.\n"
        f"Give only the expression in the format <<<expression>>>. For example, for the numbers 9 10 11 13 and "
        f"target 24: <<<{_EXAMPLE}>>>."
    )


@register
class Game24(Task):
    name = "game24"
    title = "Game 24"
    seen = True
    description = (
        "Combine the given integers, each used exactly once, with + - * / and parentheses so the expression "
        "equals the target (24 by default) in exact rational arithmetic. Every puzzle is proven solvable by an "
        "exact Fraction solver. Difficulty is the number of solution trees the solver finds (fewer is harder, "
        "like 3 3 8 8 whose only solutions need the fraction 8/3): level 1 keeps puzzles with at least 30 "
        "ways, level 5 those with at most 2. Any valid expression passes (numbers checked as a multiset, value "
        "compared exactly)."
    )
    knobs = (
        Knob("count", int, 4, "how many numbers (the solver is exhaustive: 5 is the bound)", lo=3, hi=5),
        Knob("target", int, 24, "value the expression must reach", lo=1, hi=100_000),
        Knob("min_value", int, 1, "smallest number drawn", lo=1, hi=1000),
        Knob("max_value", int, 13, "largest number drawn", lo=1, hi=1000),
        Knob(
            "min_ways",
            int,
            1,
            "keep puzzles with at least this many solution trees (a preference: after 400 draws, 10 for "
            "5 numbers, the closest solvable draw is used)",
            lo=1,
            hi=1_000_000,
        ),
        Knob(
            "max_ways",
            int,
            0,
            "keep puzzles with at most this many solution trees (0 = no limit)",
            lo=0,
            hi=1_000_000,
        ),
    )
    presets = {
        1: {"min_value": 1, "max_value": 10, "min_ways": 30, "max_ways": 0},
        2: {"min_value": 1, "max_value": 13, "min_ways": 13, "max_ways": 29},
        3: {"min_value": 1, "max_value": 13, "min_ways": 6, "max_ways": 12},
        4: {"min_value": 1, "max_value": 13, "min_ways": 3, "max_ways": 5},
        5: {"min_value": 1, "max_value": 13, "min_ways": 1, "max_ways": 2},
    }
    reference_dirs = ("game24_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_value"] > cfg["max_value"]:
            raise ValueError(
                f"game24: min_value ({cfg['min_value']}) must be <= max_value ({cfg['max_value']})"
            )
        if cfg["max_ways"] and cfg["max_ways"] < cfg["min_ways"]:
            raise ValueError(
                f"game24: max_ways ({cfg['max_ways']}) must be 0 or >= min_ways ({cfg['min_ways']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        lo, hi, target = cfg["min_value"], cfg["max_value"], cfg["target"]
        want_lo, want_hi = cfg["min_ways"], cfg["max_ways"] or None
        best: tuple[int, list[int], int] | None = None
        # 5-number sets cost ~10x more to count, so their ways band is given up sooner
        patience = 400 if cfg["count"] <= 4 else 10
        for attempt in range(4000):
            numbers = [rng.randint(lo, hi) for _ in range(cfg["count"])]
            ways = count_ways(numbers, target)
            if not ways:
                continue
            miss = max(0, want_lo - ways) + (max(0, ways - want_hi) if want_hi else 0)
            if best is None or miss < best[0]:
                best = (miss, numbers, ways)
            if miss == 0 or (attempt >= patience and best is not None):
                break
        if best is None:
            raise ValueError(
                f"game24: no solvable puzzle with {cfg['count']} numbers in {lo}..{hi} and target {target} "
                "found in 4000 draws; widen the number range or change the target"
            )
        _, numbers, ways = best
        expr = solve(numbers, target)
        assert expr is not None
        return Draft(_question(numbers, target), expr, {"numbers": numbers, "target": target, "ways": ways})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        target = Fraction(data["target"])
        expr = split_equation(answer, target)
        if not expr:
            raise ParseError("empty expression")
        value, used = eval_arith(expr)
        if has_unary_minus(expr):
            return violates("unary minus is not allowed; use only binary + - * /")
        numbers = [Fraction(x) for x in data["numbers"]]
        if not same_multiset(used, numbers):
            shown = " ".join(str(u) for u in used)
            return violates(f"numbers used ({shown}) are not exactly the given numbers ({_nums(data)})")
        if value != target:
            return wrong(f"expression equals {value}, not {target}")
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        base = root / "game24_dataset"
        if not base.is_dir():
            return
        files = sorted(base.glob("*/*.csv"), key=lambda p: sort_key(p.relative_to(base)))
        for f in files:
            target = _target_of(f)
            if target is None:
                skip(f.relative_to(root), "target not given by the file name")
                continue
            try:
                rows = list(csv.DictReader(f.read_text(encoding="utf-8").splitlines()))
            except (OSError, UnicodeDecodeError, csv.Error):
                skip(f.relative_to(root), "CSV file unreadable")
                continue
            total = len(rows)
            for idx, row in enumerate(rows):
                item = _ref_item(root, f, idx, total, row, target)
                if item is not None:
                    yield item
                else:
                    skip(f"{f.relative_to(root)}#{idx}", "numbers unreadable or no solution found")


def _nums(data: Mapping[str, Any]) -> str:
    return " ".join(str(x) for x in data["numbers"])


def _target_of(f: Path) -> int | None:
    m = re.fullmatch(r"(\d+)(?:_(\d+)_number)?", f.stem)
    if not m or f.parent.name != m.group(1):
        return None
    return int(m.group(1))


def _ref_item(root: Path, f: Path, idx: int, total: int, row: dict[str, str], target: int) -> RefItem | None:
    try:
        numbers = [int(x) for x in (row.get("Puzzles") or "").split()]
    except ValueError:
        return None
    if not numbers:
        return None
    stored = (row.get("Solutions") or "").strip() or None
    data = {"numbers": numbers, "target": target}
    answer: str | None = None
    if len(numbers) <= 5:
        answer = solve(numbers, target)
    note = None
    if stored is not None:
        try:
            stored_ok = Game24().check(data, stored).correct
        except (ValueError, ArithmeticError):
            stored_ok = False
        if answer is None and stored_ok:
            answer = stored  # too many numbers for the exhaustive solver, but the stored answer checks out
        elif not stored_ok:
            note = f"stored solution {stored!r} does not reach {target} with the given numbers"
    if answer is None:
        return None
    rank = row.get("Rank") or str(idx + 1)
    # the 24.csv ranking follows human solve time: its quintiles become complexity levels
    complexity = 1 + (idx * 5) // total if f.stem == str(target) and total else None
    return RefItem(
        source=f"{f.relative_to(root)}#rank{rank}",
        question=_question(numbers, target),
        answer=answer,
        data=data,
        complexity=complexity,
        stored_label=stored,
        label_note=note,
    )
