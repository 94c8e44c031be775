"""Web of Lies: an independent brute-force solver, balanced labels, tolerant Yes/No reading, BBH files."""

from __future__ import annotations

import itertools

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.web_of_lies import parse_question
from tests.conftest import REFERENCE_DATA

BBH = REFERENCE_DATA / "BIG-Bench-Hard" / "bbh" / "web_of_lies.json"


def brute_force(n: int, first: bool, claims: list[list]) -> list[bool]:
    """Every truth assignment consistent with the statements (must be exactly one)."""
    found = []
    for truth in itertools.product((True, False), repeat=n):
        if truth[0] != first:
            continue
        if all(truth[sp] == (truth[sub] == says) for sp, sub, says in claims):
            found.append(list(truth))
    assert len(found) == 1
    return found[0]


def test_generated_answers_match_brute_force_and_text() -> None:
    for inst in sb.generate("web_of_lies", 40, seed=1):
        d = inst.data
        truth = brute_force(len(d["names"]), d["first_truthful"], d["claims"])
        assert inst.answer == ("Yes" if truth[d["ask"]] else "No")
        # the question text alone determines the same answer
        names, first, claims, ask = parse_question(inst.question.split("\n")[0])
        assert brute_force(len(names), first, [list(c) for c in claims])[ask] == truth[d["ask"]]


def test_labels_balanced() -> None:
    yes = sum(i.answer == "Yes" for i in sb.generate("web_of_lies", 200, seed=4))
    assert 70 <= yes <= 130


@pytest.mark.parametrize("variant", ["{a}", "{a}.", "{A}", "({a})", "'{a}'"])
def test_tolerant_yes_no(variant: str) -> None:
    inst = sb.generate("web_of_lies", 1, seed=2, complexity=3)[0]
    reply = variant.format(a=inst.answer.lower(), A=inst.answer.upper())
    assert sb.verify(inst, f"<<<{reply}>>>").correct


def test_near_miss_and_malformed() -> None:
    inst = sb.generate("web_of_lies", 1, seed=2, complexity=3)[0]
    other = "No" if inst.answer == "Yes" else "Yes"
    v = sb.verify(inst, f"<<<{other}>>>")
    assert not v.correct and v.reason.startswith("wrong")
    for bad in ["Maybe", "Yes and No", "Correct", "Incorrect"]:
        v = sb.verify(inst, f"<<<{bad}>>>")
        assert not v.correct and v.reason.startswith("malformed"), bad


def test_shuffle_and_branching_change_structure() -> None:
    inst = sb.generate("web_of_lies", 1, seed=9, complexity=5)[0]
    subjects = [c[1] for c in inst.data["claims"]]
    speakers = [c[0] for c in inst.data["claims"]]
    assert len(inst.data["names"]) == 16
    assert speakers != sorted(speakers) or any(s != sp - 1 for sp, s in zip(speakers, subjects, strict=True))


@pytest.mark.skipif(not BBH.is_file(), reason=f"BBH web_of_lies sample not found at {BBH}")
def test_reference_recomputed_and_agrees() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "web_of_lies"))
    assert len(items) == 16
    assert all(i.data["reference"]["label_agrees"] for i in items)
    assert items[0].id == "ref-web_of_lies-BIG-Bench-Hard/bbh/web_of_lies.json#0"
    assert items[0].answer == "No" and items[0].question.endswith("<<<No>>>.")
