"""String Insertion: simultaneous semantics, exact insertion counts, near misses, the published samples."""

from __future__ import annotations

import json
import random
import re

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import string_insertion as si
from tests.conftest import REFERENCE_DATA

TASK = "string_insertion"
PATTERNS = {"ABCD": "A", "BCDE": "B", "CDEA": "C", "DEAB": "D", "EABC": "E"}


def independent_t(s: str) -> str:
    """Written separately from the task: a lookahead regex finds overlapping triggers, insert right to left."""
    hits = [(m.start() + 4, PATTERNS[m.group(1)]) for m in re.finditer(r"(?=(ABCD|BCDE|CDEA|DEAB|EABC))", s)]
    chars = list(s)
    for pos, ch in sorted(hits, reverse=True):
        chars.insert(pos, ch)
    return "".join(chars)


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def test_simultaneous_semantics_regression() -> None:
    # overlapping triggers are all found in the original string
    assert si.apply_t("ABCDE") == "ABCDAEB"
    assert si.apply_t("EABCDEA") == "EABCEDAEBAC"
    # the sequential misreading differs and is what the question rules out
    assert si.apply_sequential("ABCDE") != "ABCDAEB"


def test_matches_independent_solver_and_insertion_count() -> None:
    for level in range(1, 6):
        cfg = sb.get_task(TASK).presets[level]
        for inst in sb.generate(TASK, 20, seed=9, complexity=level):
            s = inst.data["string"]
            assert inst.answer == independent_t(s)
            assert len(inst.answer) - len(s) == cfg["insertions"]
            assert cfg["min_length"] <= len(s) <= cfg["max_length"]
            assert set(s) <= set("ABCDE")


def test_safe_builder_hits_exact_count() -> None:
    rng = random.Random(1)
    for _ in range(300):
        k = rng.randint(1, 6)
        length = rng.randint(5 * k - 1, 5 * k + 15)
        s = si._build(rng, length, k, rng.random() < 0.5, safe=True)
        assert len(s) == length
        assert len(si.trigger_positions(s)) == k


def test_question_states_semantics_and_format() -> None:
    q = sb.generate(TASK, 1, seed=1, complexity=3)[0].question
    assert "ORIGINAL" in q and "at once" in q and "<<<" in q


def test_near_misses_and_variants() -> None:
    inst = sb.generate(TASK, 1, seed=4, complexity=4)[0]
    ans, s = inst.answer, inst.data["string"]
    assert _v(inst, ans).correct
    assert _v(inst, ans.lower()).correct
    assert _v(inst, f'"{ans}"').correct
    assert _v(inst, " ".join(ans)).correct
    # one letter changed
    flip = ans[:-1] + ("A" if ans[-1] != "A" else "B")
    assert not _v(inst, flip).correct
    # unchanged input
    v = _v(inst, s)
    assert not v.correct and "unchanged" in v.reason
    # sequential misreading, where it differs
    seq = si.apply_sequential(s)
    if seq != ans:
        v = _v(inst, seq)
        assert not v.correct and "simultaneous" in v.reason
    # letters outside A-E
    v = _v(inst, ans + "F")
    assert not v.correct and v.reason.startswith("malformed")


def test_sequential_misreading_fails_with_reason() -> None:
    inst = sb.Instance(TASK, "x", None, None, "q", "ABCDAEB", {"string": "ABCDE", "result": "ABCDAEB"})
    v = _v(inst, si.apply_sequential("ABCDE"))
    assert not v.correct and "simultaneous" in v.reason


def test_missing_insertion_fails() -> None:
    inst = sb.Instance(
        TASK, "x", None, None, "q", "ABCDADBCDEB", {"string": "ABCDDBCDE", "result": "ABCDADBCDEB"}
    )
    assert _v(inst, "ABCDADBCDEB").correct
    v = _v(inst, "ABCDDBCDEB")  # the insertion after ABCD left out
    assert not v.correct and "inserts 2" in v.reason
    v = _v(inst, "ABCDADBCDBE")  # right letters, wrong place
    assert not v.correct and "wrong places" in v.reason


def test_short_lengths_grow_to_fit_the_insertions() -> None:
    for inst in sb.generate(TASK, 10, seed=0, complexity=1, insertions=5):
        assert len(inst.data["string"]) == 24
        assert len(inst.answer) == 29
    with pytest.raises(ValueError, match="max_length"):
        sb.generate(TASK, 1, seed=0, min_length=30, max_length=20)


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no string_insertion samples in the reference data")
    assert [int(i.id.rsplit("_", 1)[1]) for i in items] == sorted(int(i.id.rsplit("_", 1)[1]) for i in items)
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        stored_q = (src / "question.txt").read_text()
        sol = json.loads((src / "solution.json").read_text())
        assert inst.question.startswith(stored_q.strip())
        assert inst.data["string"] == sol["original_string"]
        assert inst.answer == independent_t(inst.data["string"])
        assert inst.data["reference"]["label_agrees"] == (sol["modified_string"] == inst.answer)
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
