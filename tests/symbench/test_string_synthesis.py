"""String Synthesis: exhaustive application per method, multi-digit counts, near misses, published samples."""

from __future__ import annotations

import json

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import string_synthesis as ss
from tests.conftest import REFERENCE_DATA

TASK = "string_synthesis"


def independent(a: int, b: int, c: int) -> list[int]:
    """Separate simulation: named counters, each method looped one application at a time until it stops."""
    A, B, C, bA, bB, bC, pA, pB, pC = a, b, c, 0, 0, 0, 0, 0, 0
    while True:
        before = (A, B, C, bA, bB, bC, pA, pB, pC)
        while A and B and C:
            A, B, C, bA = A - 1, B - 1, C - 1, bA + 1
        while A and B:
            A, B, bC = A - 1, B - 1, bC + 1
        while B and C:
            B, C, bB = B - 1, C - 1, bB + 1
        while C >= 2:
            C, bC = C - 2, bC + 1
        while bA and bC:
            bA, bC, pA, pB = bA - 1, bC - 1, pA + 1, pB + 1
        while bB >= 2:
            bB, pC = bB - 2, pC + 1
        if (A, B, C, bA, bB, bC, pA, pB, pC) == before:
            return list(before)


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def test_spec_example_exhaustive_vs_one_per_turn() -> None:
    assert ss.synthesize(4, 5, 5) == [0, 0, 0, 4, 1, 0, 0, 0, 0]
    assert ss.synthesize(4, 5, 5, exhaustive=False) == [0, 0, 0, 0, 1, 1, 2, 2, 0]
    inst = sb.Instance(TASK, "x", None, None, "q", "0 0 0 4 1 0 0 0 0", {"start": [4, 5, 5], "final": []})
    assert _v(inst, "0 0 0 4 1 0 0 0 0").correct
    v = _v(inst, "0 0 0 0 1 1 2 2 0")
    assert not v.correct and "as many times as possible" in v.reason


def test_matches_independent_solver() -> None:
    for inst in sb.generate(TASK, 100, seed=21):
        a, b, c = inst.data["start"]
        assert inst.data["final"] == independent(a, b, c)
        assert inst.answer == " ".join(map(str, independent(a, b, c)))
    for a in range(0, 9):
        for b in range(0, 9):
            for c in range(0, 9):
                assert ss.synthesize(a, b, c) == independent(a, b, c)


def test_multi_digit_counts_parse_as_integers() -> None:
    # the reference read one digit per count; two-digit counts must work
    insts = [i for i in sb.generate(TASK, 60, seed=2, complexity=5) if max(i.data["final"]) >= 10]
    assert insts, "level 5 should produce some count >= 10"
    inst = insts[0]
    assert _v(inst, inst.answer).correct
    assert _v(inst, "[" + ", ".join(map(str, inst.data["final"])) + "]").correct
    assert not _v(inst, inst.answer.replace(" ", "")).correct  # digits run together


def test_near_misses_and_variants() -> None:
    inst = sb.generate(TASK, 1, seed=3, complexity=3)[0]
    final = inst.data["final"]
    assert _v(inst, ",".join(map(str, final))).correct
    labelled = ", ".join(f"{blk}: {n}" for blk, n in zip(ss.BLOCKS, final, strict=True))
    assert _v(inst, labelled).correct
    bumped = list(final)
    bumped[3] += 1
    v = _v(inst, " ".join(map(str, bumped)))
    assert not v.correct and "{A}" in v.reason
    assert _v(inst, " ".join(map(str, final[:8]))).reason.startswith("malformed")
    assert _v(inst, " ".join(map(str, final)) + " 0").reason.startswith("malformed")
    assert _v(inst, "1 0 x 0 0 0 0 0 0").reason.startswith("malformed")


def test_question_states_exhaustive_rule() -> None:
    q = sb.generate(TASK, 1, seed=1)[0].question
    assert "as many times as possible" in q and "[A], [B], [C], {A}, {B}, {C}, (A), (B), (C)" in q


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no string_synthesis samples in the reference data")
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        sol = json.loads((src / "solution.json").read_text())
        assert inst.question == (src / "question.txt").read_text().strip()
        assert inst.data["start"] == [sol["A_count"], sol["B_count"], sol["C_count"]]
        assert inst.data["final"] == independent(*inst.data["start"])
        assert inst.data["reference"]["label_agrees"] == (sol["final_counts"] == inst.data["final"])
        assert sb.verify(inst, sol["solution_string"]).correct == inst.data["reference"]["label_agrees"]
