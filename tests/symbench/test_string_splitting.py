"""String Splitting: one application per turn, integer lists (not concatenation), published samples."""

from __future__ import annotations

import json

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import string_splitting as sp
from tests.conftest import REFERENCE_DATA

TASK = "string_splitting"


def independent(a: int, b: int, c: int) -> list[int]:
    """Separate simulation in the reference's style: a method pointer, and a full check only after a skip."""
    st = {"A": a, "B": b, "C": c, "X": 0, "Y": 0, "Z": 0}
    can = [
        lambda: st["A"] >= 1,
        lambda: st["B"] >= 2,
        lambda: st["C"] >= 2,
        lambda: st["B"] >= 1 and st["C"] >= 1,
        lambda: st["X"] >= 1 and st["Y"] >= 1,
    ]
    effects = [
        {"A": -1, "X": 2, "Y": 1},
        {"B": -2, "X": 1},
        {"C": -2, "Y": 1},
        {"B": -1, "C": -1, "A": 1},
        {"X": -1, "Y": -1, "Z": 1},
    ]
    m = 0
    while True:
        if can[m % 5]():
            for k, d in effects[m % 5].items():
                st[k] += d
        elif not any(f() for f in can):
            break
        m += 1
    return [st[k] for k in "ABCXYZ"]


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def test_matches_independent_solver_and_presets() -> None:
    task = sb.get_task(TASK)
    for level in range(1, 6):
        lo, hi = task.presets[level]["min_count"], task.presets[level]["max_count"]
        for inst in sb.generate(TASK, 20, seed=13, complexity=level):
            a, b, c = inst.data["start"]
            assert all(lo <= x <= hi for x in (a, b, c))
            assert inst.data["final"] == independent(a, b, c)
    for a in range(8):
        for b in range(8):
            for c in range(8):
                assert sp.simulate(a, b, c) == independent(a, b, c)


def test_counts_of_ten_or_more_are_unambiguous() -> None:
    # the reference compared concatenated strings, so ["1","10"] and ["11","0"] looked the same
    insts = [i for i in sb.generate(TASK, 40, seed=1, complexity=5) if max(i.data["final"]) >= 10]
    assert insts
    inst = insts[0]
    final = inst.data["final"]
    assert _v(inst, json.dumps([str(x) for x in final])).correct
    assert _v(inst, " ".join(map(str, final))).correct
    assert _v(inst, "".join(map(str, final))).reason.startswith("malformed")


def test_near_misses() -> None:
    inst = sb.generate(TASK, 1, seed=6, complexity=4)[0]
    final = inst.data["final"]
    for i in range(6):
        bad = list(final)
        bad[i] += 1
        v = _v(inst, str(bad))
        assert not v.correct and sp.NAMES[i] in v.reason
    assert _v(inst, str(final[:5])).reason.startswith("malformed")
    assert _v(inst, str(list(reversed(final)))).correct == (final == list(reversed(final)))


def test_exhaustive_misreading_fails_with_reason() -> None:
    hits = 0
    for inst in sb.generate(TASK, 60, seed=4):
        ex = sp.simulate_exhaustive(*inst.data["start"])
        if ex != inst.data["final"]:
            hits += 1
            v = _v(inst, str(ex))
            assert not v.correct and "one application per turn" in v.reason
    assert hits >= 5


def test_question_states_turn_rule() -> None:
    q = sb.generate(TASK, 1, seed=1)[0].question
    assert "exactly once" in q and "skipped" in q and "<<<[" in q


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no string_splitting samples in the reference data")
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        sol = json.loads((src / "solution.json").read_text())
        assert inst.question == (src / "question.txt").read_text().strip()
        assert inst.data["final"] == independent(*inst.data["start"])
        assert [str(x) for x in inst.data["final"]] == sol["expected_answer"]
        assert inst.data["reference"]["label_agrees"]
        assert sb.verify(inst, "<<<" + json.dumps(sol["expected_answer"]) + ">>>").correct
