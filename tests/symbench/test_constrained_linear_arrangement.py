"""Constrained Linear Arrangement: one stated rule set, any consistent answer, reference rules kept apart."""

from __future__ import annotations

import itertools

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.constrained_linear_arrangement import outcome
from tests.conftest import REFERENCE_DATA

NAME = "constrained_linear_arrangement"

# written from the question's wording, independently of the module
CYCLE5 = "ABCDE"  # Wood, Fire, Earth, Metal, Water: each generates the next, overcomes the one after next


def _stated(game: str, me: str, them: str) -> str:
    if me == them:
        return "draw"
    if game == "elements":
        d = (CYCLE5.index(them) - CYCLE5.index(me)) % 5
        # d=1: I generate them (I lose); d=2: I overcome them (win); d=3: they overcome me; d=4: they generate me
        return {1: "loss", 2: "win", 3: "loss", 4: "win"}[d]
    if game == "stick":
        d = ("ABCD".index(them) - "ABCD".index(me)) % 4
        return {1: "win", 3: "loss", 2: "draw"}[d]
    if {me, them} == {"A", "H"}:
        return "win" if me == "H" else "loss"
    return "win" if me < them else "loss"


def _all(inst: sb.Instance) -> list[tuple[str, ...]]:
    d = inst.data
    cards = {"elements": "ABCDE", "stick": "ABCD", "jungle": "ABCDEFGH"}[d["game"]]
    return [
        o
        for o in itertools.permutations(cards, len(d["player"]))
        if all(_stated(d["game"], p, x) == r for p, x, r in zip(d["player"], o, d["results"], strict=True))
    ]


def test_stated_rules_match_an_independent_reading() -> None:
    for game, cards in (("elements", "ABCDE"), ("stick", "ABCD"), ("jungle", "ABCDEFGH")):
        for a, b in itertools.product(cards, repeat=2):
            assert outcome(game, "stated", a, b) == _stated(game, a, b), (game, a, b)
    # the reference generator scored Water (E) vs Metal (D) a draw although Metal generates Water
    assert outcome("elements", "stated", "E", "D") == "win"
    assert outcome("elements", "reference", "E", "D") == "draw"


def test_every_consistent_answer_passes_and_second_answers_exist() -> None:
    seconds = 0
    for inst in sb.generate(NAME, 40, seed=5):
        sols = _all(inst)
        assert sols and len(sols) == inst.data["solutions"]
        assert tuple(inst.answer.split(",")) in sols
        for s in sols[:4]:
            assert sb.verify(inst, f"<<<{','.join(s)}>>>").correct
        if len(sols) > 1:
            seconds += 1
            other = next(s for s in sols if s != tuple(inst.answer.split(",")))
            assert sb.verify(inst, f"<<<[{', '.join(other)}]>>>").correct
    assert seconds >= 5


def test_near_misses() -> None:
    inst = sb.generate(NAME, 1, seed=3, game="jungle", rounds=4)[0]
    sols = set(_all(inst))
    cards = "ABCDEFGH"
    wrong = next(o for o in itertools.permutations(cards, 4) if o not in sols)
    v = sb.verify(inst, f"<<<{','.join(wrong)}>>>")
    assert v.kind == "violates" and v.reason.startswith("violates: round")
    ans = inst.answer.split(",")
    v = sb.verify(inst, f"<<<{','.join(ans[:1] * 4)}>>>")
    assert v.kind == "violates" and "more than once" in v.reason
    assert sb.verify(inst, f"<<<{','.join(ans[:3])}>>>").kind == "violates"
    assert sb.verify(inst, "<<<A,B,C,Z>>>").kind == "violates"
    assert sb.verify(inst, "<<<Elephant, Lion>>>").kind == "malformed"


def test_rounds_bounded_by_deck() -> None:
    with pytest.raises(ValueError, match="rounds"):
        sb.generate(NAME, 1, seed=0, game="stick", rounds=5)
    assert all(
        len(i.data["player"]) == 6 and i.data["game"] == "jungle"
        for i in sb.generate(NAME, 5, seed=0, complexity=5)
    )


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_instances_use_the_generators_rules() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    for inst in items:
        assert inst.data["rules"] == "reference" and inst.data["reference"]["label_agrees"]
        stored = inst.data["reference"]["stored_label"]
        assert sb.verify(inst, f"<<<{','.join(stored)}>>>").correct
    s0 = items[0]  # D draw, C win, E win; opponent D, E, B
    assert s0.data["game"] == "elements" and s0.answer == "D,E,B"
    assert sb.verify(s0, "<<<D,E,E>>>").kind == "violates"
