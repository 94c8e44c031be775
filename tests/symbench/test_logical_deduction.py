"""Logical Deduction: uniqueness by an independent brute force, text/data agreement, BBH files."""

from __future__ import annotations

import itertools

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite._choices import LETTERS
from codesteer.symbench.suite.logical_deduction import parse_question
from tests.conftest import REFERENCE_DATA

BBH = REFERENCE_DATA / "BIG-Bench-Hard" / "bbh" / "logical_deduction_seven_objects.json"


def orderings(n: int, clues: list[list]) -> list[tuple[int, ...]]:
    """Orderings (object at each position) satisfying every clue."""
    out = []
    for order in itertools.permutations(range(n)):
        where = {obj: p for p, obj in enumerate(order)}
        ok = all(where[c[1]] == c[2] if c[0] == "abs" else where[c[1]] < where[c[2]] for c in clues)
        if ok:
            out.append(order)
    return out


@pytest.mark.parametrize("complexity", [1, 2, 3, 4, 5])
def test_unique_ordering_and_one_true_option(complexity: int) -> None:
    for inst in sb.generate("logical_deduction", 6, seed=10, complexity=complexity):
        d = inst.data
        n = len(d["nouns"])
        sols = orderings(n, d["clues"])
        assert len(sols) == 1, inst.id
        # the text says the same as the data, and the options name exactly the target as true
        domain, nouns, clues, facts = parse_question(inst.question)
        assert nouns == d["nouns"] and sorted(clues) == sorted(d["clues"])
        true = [i for i, (obj, pos) in enumerate(facts) if sols[0][pos] == obj]
        assert [LETTERS[i] for i in true] == [d["target"]]


def test_relative_only_level_has_no_absolute_clue() -> None:
    for inst in sb.generate("logical_deduction", 5, seed=1, complexity=5):
        assert all(c[0] == "rel" for c in inst.data["clues"])


def test_option_text_and_letters() -> None:
    inst = sb.generate("logical_deduction", 1, seed=4, complexity=3)[0]
    idx = LETTERS.index(inst.data["target"])
    text = inst.data["options"][idx]
    assert sb.verify(inst, f"<<<{text}>>>").correct
    assert sb.verify(inst, f"<<<{inst.data['target']}>>>").correct
    wrong_idx = (idx + 1) % len(inst.data["options"])
    v = sb.verify(inst, f"<<<({LETTERS[wrong_idx]})>>>")
    assert not v.correct and v.reason.startswith("wrong")
    assert sb.verify(inst, f"<<<{inst.data['options'][wrong_idx]}>>>").reason.startswith("wrong")
    assert sb.verify(inst, "<<<(H)>>>").reason.startswith("malformed")


@pytest.mark.skipif(not BBH.is_file(), reason=f"BBH logical deduction sample not found at {BBH}")
def test_reference_parsed_solved_and_agrees() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "logical_deduction"))
    assert len(items) == 16  # every published paragraph is parsed and has exactly one ordering
    assert all(i.data["reference"]["label_agrees"] for i in items)
    assert items[0].answer == "(D)"
