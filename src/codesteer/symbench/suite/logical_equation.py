"""Logical Equation (seen): assign distinct numbers to letters so every stated relation holds."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, parse_int, parse_int_list
from codesteer.symbench._samples import read_samples, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates, wrong

# A constraint is [kind, i, j, k]: letters i and j (0 = A), constant k as a string (exact decimal).
#   sum: X + Y = k    diff: X - Y = k    mul: X = kY    gt: X > Y    lt: X < Y    eq: X = Y
Constraint = list[Any]


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def render(c: Constraint) -> str:
    kind, i, j, k = c
    x, y = _letter(i), _letter(j)
    return {
        "sum": f"{x} + {y} = {k}",
        "diff": f"{x} - {y} = {k}",
        "mul": f"{x} = {k}{y}",
        "gt": f"{x} > {y}",
        "lt": f"{x} < {y}",
        "eq": f"{x} = {y}",
    }[kind]


def holds(c: Constraint, x: int | Fraction, y: int | Fraction) -> bool:
    kind, _, _, k = c
    if kind == "sum":
        return x + y == Fraction(k)
    if kind == "diff":
        return x - y == Fraction(k)
    if kind == "mul":
        return Fraction(x) == Fraction(k) * y
    if kind == "gt":
        return x > y
    if kind == "lt":
        return x < y
    return x == y


def solve(
    n: int, values: list[int], constraints: list[Constraint], limit: int = 1, node_limit: int = 200_000
) -> list[list[int]]:
    """Up to ``limit`` assignments (a permutation of the ``values`` multiset) meeting every constraint.

    Backtracking with forward checking: the letter with the fewest values consistent with the letters already
    placed goes next, so equation chains collapse to single candidates.
    """
    by_var: list[list[tuple[Constraint, bool]]] = [[] for _ in range(n)]
    for c in constraints:
        by_var[c[1]].append((c, True))
        by_var[c[2]].append((c, False))
    left = Counter(values)
    assign: list[int | None] = [None] * n
    out: list[list[int]] = []
    nodes = 0

    def domain(v: int) -> list[int]:
        cands = [x for x in sorted(left) if left[x] > 0]
        for c, is_x in by_var[v]:
            other = c[2] if is_x else c[1]
            ov = assign[other]
            if ov is None:
                continue
            cands = [x for x in cands if (holds(c, x, ov) if is_x else holds(c, ov, x))]
        return cands

    def rec() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            return True
        best, best_dom = -1, None
        for v in range(n):
            if assign[v] is None:
                dom = domain(v)
                if best_dom is None or len(dom) < len(best_dom):
                    best, best_dom = v, dom
                    if len(dom) <= 1:
                        break
        if best < 0:
            out.append([int(x) for x in assign])  # type: ignore[arg-type]
            return len(out) >= limit
        for x in best_dom or []:
            assign[best] = x
            left[x] -= 1
            stop = rec()
            left[x] += 1
            assign[best] = None
            if stop:
                return True
        return False

    rec()
    return out


def violations(values: list[int], constraints: list[Constraint], assign: list[int]) -> str | None:
    """Why ``assign`` is not a solution, or None."""
    if Counter(assign) != Counter(values):
        return "the values are not a permutation of the given numbers (each number is used exactly once)"
    for idx, c in enumerate(constraints, 1):
        x, y = assign[c[1]], assign[c[2]]
        if not holds(c, x, y):
            return f"constraint {idx} ({render(c)}) fails with {_letter(c[1])}={x}, {_letter(c[2])}={y}"
    return None


def _make_constraints(rng: random.Random, assign: list[int], count: int) -> list[Constraint]:
    n = len(assign)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    # X = kY with k one of 1.1, 1.2, ..., 4.9 exactly
    mul_pairs = [
        (i, j)
        for i, j in pairs
        if assign[j] > 0 and (10 * assign[i]) % assign[j] == 0 and 11 <= 10 * assign[i] // assign[j] <= 49
    ]
    seen: set[tuple[int, int]] = set()
    out: list[Constraint] = []
    for _ in range(count * 50):
        if len(out) == count:
            break
        roll = rng.random()
        kind = "gt" if roll < 0.05 else rng.choice(("sum", "diff", "mul"))
        if kind == "mul":
            free = [p for p in mul_pairs if (min(p), max(p)) not in seen]
            if not free:
                kind = rng.choice(("sum", "diff"))
        if kind == "mul":
            i, j = rng.choice(free)
        else:
            i, j = rng.choice(pairs)
        if (min(i, j), max(i, j)) in seen:
            continue
        x, y = assign[i], assign[j]
        if kind == "gt" and x < y:
            i, j, x, y = j, i, y, x
        k: str = {
            "sum": str(x + y),
            "diff": str(x - y),
            "mul": f"{float(Fraction(x, y)):.1f}",
            "gt": "",
        }[kind]
        seen.add((min(i, j), max(i, j)))
        out.append([kind, i, j, k])
    # dense requests (close to one relation per pair) can outlast random picks: fill the remaining pairs
    for i, j in pairs:
        if len(out) == count:
            break
        if i < j and (i, j) not in seen:
            seen.add((i, j))
            kind = rng.choice(("sum", "diff"))
            out.append([kind, i, j, str(assign[i] + assign[j] if kind == "sum" else assign[i] - assign[j])])
    return out


def _question(n: int, values: list[int], constraints: list[Constraint]) -> str:
    letters = ", ".join(_letter(i) for i in range(n))
    nums = ", ".join(str(v) for v in values)
    lines = "\n".join(f"{i}. {render(c)}" for i, c in enumerate(constraints, 1))
    return (
        f"There are {n} letters {letters}. Each letter stands for a different one of the numbers {nums}: every "
        'number is used by exactly one letter. The letters satisfy these relations ("X = 2.4Y" means X '
        "equals 2.4 times Y exactly; + and - are ordinary addition and subtraction):\n"
        f"{lines}\n\n"
        "Return the value of every letter in alphabetical order, starting with A, in the format <<<list of "
        "values>>>. For example, <<<[1, 2, 3]>>> means that A is 1, B is 2 and C is 3."
    )


def parse_assignment(answer: str, n: int) -> list[int]:
    """``[36, 1, 80]`` or ``A=36, B=1, C=80`` as a list of values in letter order."""
    s = clean(answer)
    pairs = re.findall(r"\b([A-Za-z])\s*[=:]\s*([+-]?\d+)", s)
    if pairs:
        got: dict[int, int] = {}
        for letter, val in pairs:
            idx = ord(letter.upper()) - ord("A")
            if not 0 <= idx < n:
                raise ParseError(f"unknown letter {letter}")
            if idx in got:
                raise ParseError(f"letter {letter.upper()} given twice")
            got[idx] = parse_int(val)
        if len(got) != n:
            raise ParseError(f"expected values for {n} letters, got {len(got)}")
        return [got[i] for i in range(n)]
    return parse_int_list(s, length=n)


@register
class LogicalEquation(Task):
    name = "logical_equation"
    title = "Logical Equation"
    seen = True
    description = (
        "Letters stand for distinct numbers from a given set; relations such as 'A + B = 12', 'A - C = -4', "
        "'A = 2.4B' (exact multiple) and 'A > B' restrict them. The answer is the value of each letter. "
        "Relations are read off a hidden random assignment, so every instance is solvable (a forward-checking "
        "solver recomputes it for published files). Complexity raises the letters, relations and value range: "
        "level 1 is 9 letters with 7 relations, 2 is 11/10, 3 is 13/11, 4 is 15/12, 5 is 15/14, mirroring the "
        "reference test set. Several assignments may satisfy the relations; any permutation of the value set "
        "that satisfies all of them passes."
    )
    knobs = (
        Knob("letters", int, 9, "number of letters (A, B, ...)", lo=2, hi=26),
        Knob("constraints", int, 7, "number of relations", lo=1, hi=60),
        Knob("max_value", int, 100, "values are distinct integers drawn from 1..max_value", lo=2, hi=10_000),
    )
    presets = {
        1: {"letters": 9, "constraints": 7, "max_value": 100},
        2: {"letters": 11, "constraints": 10, "max_value": 120},
        3: {"letters": 13, "constraints": 11, "max_value": 150},
        4: {"letters": 15, "constraints": 12, "max_value": 200},
        5: {"letters": 15, "constraints": 14, "max_value": 250},
    }
    reference_dirs = ("logical_equation",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        n = cfg["letters"]
        if cfg["max_value"] < n:
            raise ValueError(f"logical_equation: max_value ({cfg['max_value']}) must be >= letters ({n})")
        if cfg["constraints"] > n * (n - 1) // 2:
            raise ValueError(
                f"logical_equation: constraints ({cfg['constraints']}) must be <= letters*(letters-1)/2 "
                f"({n * (n - 1) // 2}); each pair of letters gets at most one relation"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n = cfg["letters"]
        values = sorted(rng.sample(range(1, cfg["max_value"] + 1), n))
        assign = values[:]
        rng.shuffle(assign)
        constraints = _make_constraints(rng, assign, cfg["constraints"])
        assert violations(values, constraints, assign) is None  # the hidden assignment proves solvability
        data = {"letters": n, "values": values, "constraints": constraints}
        return Draft(_question(n, values, constraints), str(assign), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        n = int(data["letters"])
        assign = parse_assignment(answer, n)
        err = violations(list(data["values"]), list(data["constraints"]), assign)
        if err is None:
            return ok()
        if err.startswith("the values"):
            return violates(err)
        return wrong(err)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, "logical_equation"):
            parsed = parse_question(question)
            if parsed is None:
                skip(source, "question not recognised")
                continue
            n, values, constraints = parsed
            sols = solve(n, values, constraints)
            if not sols:
                skip(source, "no valid solution as stated")
                continue
            data = {"letters": n, "values": values, "constraints": constraints}
            note = None
            if isinstance(stored, list):
                try:
                    err = violations(values, constraints, [int(x) for x in stored])
                except (TypeError, ValueError):
                    err = "unreadable stored label"
                if err:
                    note = f"stored label fails: {err}"
            text = question.strip()
            if "<<<" not in text:
                text += "\nReturn the values in alphabetical order in the format <<<[1, 2, 3]>>>."
            yield RefItem(
                source=source,
                question=text,
                answer=str(sols[0]),
                data=data,
                complexity=None,
                stored_label=stored,
                label_note=note,
            )


_PATTERNS = (
    (re.compile(r"([A-Z])\s*\+\s*([A-Z])\s*=\s*(-?\d+)"), "sum"),
    (re.compile(r"([A-Z])\s*-\s*([A-Z])\s*=\s*(-?\d+)"), "diff"),
    (re.compile(r"([A-Z])\s*=\s*(\d+(?:\.\d+)?)\s*\*?\s*([A-Z])"), "mul"),
    (re.compile(r"([A-Z])\s*>\s*([A-Z])"), "gt"),
    (re.compile(r"([A-Z])\s*<\s*([A-Z])"), "lt"),
    (re.compile(r"([A-Z])\s*=\s*([A-Z])"), "eq"),
)


def parse_question(question: str) -> tuple[int, list[int], list[Constraint]] | None:
    """(letters, values, constraints) from a stored question, or None when any line is unreadable."""
    m = re.search(r"one of the numbers\s+([-\d,\s]+)", question)
    if not m:
        return None
    values = [int(x) for x in re.findall(r"-?\d+", m.group(1))]
    n = len(values)
    constraints: list[Constraint] = []
    for line in re.findall(r"^\s*\d+\.\s*(.+?)\s*$", question, re.M):
        for pat, kind in _PATTERNS:
            mm = pat.fullmatch(line)
            if not mm:
                continue
            g = mm.groups()
            if kind == "mul":
                i, k, j = g[0], g[1], g[2]
            else:
                i, j = g[0], g[1]
                k = g[2] if kind in ("sum", "diff") else ""
            ii, jj = ord(i) - 65, ord(j) - 65
            if not (0 <= ii < n and 0 <= jj < n):
                return None
            constraints.append([kind, ii, jj, k])
            break
        else:
            return None
    return (n, values, constraints) if constraints else None
