"""Permutations and Combinations: a constraint checker; second answers from an independent brute force."""

from __future__ import annotations

import itertools
import re

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA

NAME = "permutations_combinations"


def _rules(question: str) -> list[tuple[str, str, str]]:
    pats = {
        "fixed": r"Book (\w) must be placed in position (\d+)\.",
        "not": r"Book (\w) cannot be placed in position (\d+)\.",
        "left": r"Book (\w) must be to the left of book (\w)\.",
        "right": r"Book (\w) must be to the right of book (\w)\.",
        "adj": r"Book (\w) must be adjacent to book (\w)\.",
    }
    out = []
    for line in re.findall(r"^\d+\. (Book .*)$", question, flags=re.M):
        kind = next(k for k, p in pats.items() if re.fullmatch(p, line))
        a, b = re.fullmatch(pats[kind], line).groups()
        out.append((kind, a, b))
    return out


def _fits(order: tuple[str, ...], rules: list[tuple[str, str, str]]) -> bool:
    p = {b: i + 1 for i, b in enumerate(order)}
    tests = {
        "fixed": lambda a, b: p[a] == int(b),
        "not": lambda a, b: p[a] != int(b),
        "left": lambda a, b: p[a] < p[b],
        "right": lambda a, b: p[a] > p[b],
        "adj": lambda a, b: abs(p[a] - p[b]) == 1,
    }
    return all(tests[k](a, b) for k, a, b in rules)


def _all_solutions(inst: sb.Instance) -> list[tuple[str, ...]]:
    books = inst.data["books"]
    rules = _rules(inst.question)
    assert len(rules) == len(inst.data["constraints"])
    return [o for o in itertools.permutations(books) if _fits(o, rules)]


def _fmt(order) -> str:
    return "[" + ", ".join(f'"{b}"' for b in order) + "]"


def test_every_independent_solution_passes_and_others_fail() -> None:
    seconds = 0
    for inst in sb.generate(NAME, 15, seed=6, books=6, min_constraints=5, max_constraints=7):
        sols = _all_solutions(inst)
        assert sols, "generator must only emit solvable instances"
        ref = tuple(re.findall(r"\w", inst.answer))
        assert ref in sols
        assert tuple(inst.data["books"]) not in sols  # alphabetical order is never a solution
        for s in sols[:5]:
            assert sb.verify(inst, f"<<<{_fmt(s)}>>>").correct
        seconds += any(s != ref for s in sols)
        non = next(o for o in itertools.permutations(inst.data["books"]) if o not in sols)
        v = sb.verify(inst, f"<<<{_fmt(non)}>>>")
        assert v.kind == "violates" and "constraint" in v.reason
    assert seconds >= 5  # several instances have a valid answer other than the stored one


def test_constraints_are_distinct_and_counts_follow_knobs() -> None:
    for inst in sb.generate(NAME, 20, seed=1):
        texts = [tuple(c) for c in inst.data["constraints"]]
        assert len(set(texts)) == len(texts)
        lo, hi = {5: (5, 6), 6: (7, 8), 7: (8, 9), 8: (9, 10), 9: (10, 11)}[len(inst.data["books"])]
        assert lo <= len(texts) <= hi


def test_partial_duplicate_and_single_quoted_answers() -> None:
    inst = sb.generate(NAME, 1, seed=2, complexity=3)[0]
    order = re.findall(r"\w", inst.answer)
    assert sb.verify(
        inst, "<<<[" + ", ".join(f"'{b}'" for b in order) + "]>>>"
    ).correct  # json.loads bug fixed
    assert sb.verify(inst, f"<<<{''.join(order)}>>>").correct
    assert sb.verify(inst, f"<<<{' '.join(order).lower()}>>>").correct
    v = sb.verify(inst, f"<<<{_fmt(order[:-1])}>>>")  # a missing book is never accepted
    assert v.kind == "violates" and "missing" in v.reason
    v = sb.verify(inst, f"<<<{_fmt(order[:-1] + [order[0]])}>>>")
    assert v.kind == "violates" and "more than once" in v.reason
    v = sb.verify(inst, f"<<<{_fmt(order[:-1] + ['Z'])}>>>")
    assert v.kind == "violates" and "unknown" in v.reason
    assert sb.verify(inst, '<<<["AB", "C"]>>>').kind == "malformed"


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_instances_accept_any_valid_arrangement() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    s0 = items[0]
    assert s0.id.endswith("permutations_and_combinations/sample_0")
    assert len(s0.data["constraints"]) == 8 and s0.data["reference"]["label_agrees"]
    sols = _all_solutions(s0)
    assert len(sols) > 1
    for s in sols:
        assert sb.verify(s0, f"<<<{_fmt(s)}>>>").correct


def test_backtracking_solver_matches_brute_force_on_arbitrary_constraint_sets() -> None:
    import random

    from codesteer.symbench.suite.permutations_combinations import KINDS, holds, solve

    rng = random.Random(0)
    for _ in range(150):
        n = rng.randint(2, 6)
        books = [chr(65 + i) for i in range(n)]
        cs = []
        for _ in range(rng.randint(0, 7)):
            kind = rng.choice(KINDS)
            cs.append(
                [kind, rng.choice(books), rng.randint(1, n)]
                if kind in ("fixed", "not_at")
                else [kind, *rng.sample(books, 2)]
            )
        brute = [
            list(p)
            for p in itertools.permutations(books)
            if all(holds(c, {b: i + 1 for i, b in enumerate(p)}) for c in cs)
        ]
        assert sorted(solve(books, cs, limit=10**6)) == sorted(brute), cs


def test_constraint_count_is_bounded_by_book_count() -> None:
    with pytest.raises(ValueError, match="max_constraints"):
        sb.generate(NAME, 1, seed=0, books=3, min_constraints=10, max_constraints=10)
    insts = sb.generate(NAME, 10, seed=0, books=3, min_constraints=9, max_constraints=9)
    assert all(len(i.data["constraints"]) == 9 for i in insts)
