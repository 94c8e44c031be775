"""String Deletion & Modification: priority-restart semantics, rule edge cases, near misses, published samples."""

from __future__ import annotations

import json

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import string_deletion_modification as sdm
from tests.conftest import REFERENCE_DATA

TASK = "string_deletion_modification"


def _rule(rid: int, s: str) -> str | None:
    """The 20 pool rules written a second time, independently of the task module."""
    if rid == 1:
        return "ca" + s[2:] if s[:2] == "ab" else None
    if rid == 2:
        return s[:-2] + "cb" if s[-2:] == "ac" else None
    if rid == 3:
        return s[2:] + "aa" if s[:2] == "bc" else None
    if rid == 4:
        return s[:-2] if s[-2:] == "bb" else None
    if rid == 5:
        if s[:2] != "cb":
            return None
        return "aa" if len(s) == 2 else "aa" + s[2 : len(s) - 1]
    if rid == 6:
        return "bb" + s[2:] + "c" if s[:2] == "ca" else None
    if rid == 7:
        return "a" + s[: len(s) - 2] + "b" if s[-2:] == "cc" else None
    if rid == 8:
        return s[1:] if s[:2] == "aa" else None
    if rid in (9, 10, 13):
        old, new = {9: ("abc", "cab"), 10: ("bca", ""), 13: ("acb", "bca")}[rid]
        i = s.find(old)
        return None if i < 0 else s[:i] + new + s[i + 3 :]
    if rid == 11:
        return s[:-2] + "ab" if s[-2:] == "ba" else None
    if rid == 12:
        return s[2:] if s[:2] == "cc" else None
    if rid == 14:
        return s[:-1] if s[-2:] == "ca" else None
    if rid == 15:
        return s[:1] + s[2:] if s[:2] == "bb" else None
    if rid == 16:
        return s[:-2] + "cc" if s[-2:] == "aa" else None
    if rid == 17:
        for i in range(1, len(s) - 1):
            if s[i : i + 2] == "ca":
                return s[:i] + s[i + 2 :]
        return None
    if rid == 18:
        n = sum(1 for ch in s if ch == "b")
        return s + "ab" if n and n % 2 == 0 else None
    if rid == 19:
        if len(s) <= 15:
            return None
        m = len(s) // 2  # 0-based index of the character at 1-based position floor(n/2)+1
        return s[:m] + s[m + 1 :]
    if rid == 20:
        return "zz" + s[2:] if s[:2] == "ac" else None
    raise AssertionError(rid)


def priority_run(s: str, rules: list[int]) -> str:
    for _ in range(1000):
        for rid in rules:
            new = _rule(rid, s)
            if new is not None:
                s = new
                break
        else:
            return s
    raise AssertionError("did not terminate")


def cyclic_run(s: str, rules: list[int]) -> str:
    """The misreading 'cycle through the operations': after rule k, try rule k+1 next (not rule 1)."""
    k, idle = 0, 0
    for _ in range(5000):
        new = _rule(rules[k % len(rules)], s)
        if new is None:
            idle += 1
            if idle == len(rules):
                return s
        else:
            s, idle = new, 0
        k += 1
    raise AssertionError("did not terminate")


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def test_matches_independent_solver_and_step_ranges() -> None:
    task = sb.get_task(TASK)
    for level in range(1, 6):
        cfg = task.presets[level]
        for inst in sb.generate(TASK, 20, seed=17, complexity=level):
            d = inst.data
            assert inst.answer == d["final"] == priority_run(d["initial"], d["rules"])
            assert cfg["min_steps"] <= d["steps"] <= cfg["max_steps"]
            assert len(d["rules"]) == cfg["rules"] == len(set(d["rules"]))
            assert cfg["min_length"] <= len(d["initial"]) <= cfg["max_length"]


def test_rule_texts_agree_with_independent_rules() -> None:
    samples = ["", "a", "cb", "cba", "abcabc", "acbacb", "bbcaab", "cacacaca", "bcabcabcabcabcabca", "ccbbaa"]
    for rid in sdm.POOL:
        for s in samples + [
            x + y for x in ("ab", "ac", "bc", "ca", "cb", "cc") for y in ("aa", "ba", "bb", "cc")
        ]:
            assert sdm.POOL[rid].fn(s) == _rule(rid, s), (rid, s)


def test_edge_rules_regression() -> None:
    assert sdm.POOL[5].fn("cb") == "aa"  # stated in the question
    assert "exactly 'cb' becomes 'aa'" in sdm.POOL[5].text
    assert sdm.POOL[19].fn("a" * 8 + "b" + "c" * 7) == "a" * 8 + "c" * 7  # n=16: the 9th character goes
    assert "floor(n/2)+1" in sdm.POOL[19].text
    assert sdm.POOL[17].fn("cacb") is None and sdm.POOL[17].fn("acab") == "ab"


def test_priority_restart_differs_from_cycling_and_is_stated() -> None:
    found = 0
    for inst in sb.generate(TASK, 60, seed=5):
        d = inst.data
        cyc = cyclic_run(d["initial"], d["rules"])
        if cyc != d["final"]:
            found += 1
            v = _v(inst, cyc)
            assert not v.correct and v.reason.startswith("wrong"), v
    assert found >= 5, "the two readings should differ on a good share of instances"
    q = sb.generate(TASK, 1, seed=1)[0].question
    assert "lowest-numbered rule" in q and "start again from rule 1" in q


def test_near_misses_and_variants() -> None:
    inst = sb.generate(TASK, 1, seed=8, complexity=4)[0]
    ans = inst.answer
    assert _v(inst, ans).correct
    assert _v(inst, f'"{ans}"').correct
    assert _v(inst, f" '{ans.upper()}' ").correct
    v = _v(inst, inst.data["initial"])
    assert not v.correct and "initial string" in v.reason
    v = _v(inst, ans + "a")
    assert not v.correct and v.reason.startswith("wrong")
    v = _v(inst, ans + "x")
    assert v.reason.startswith("malformed")


def test_intermediate_state_reports_applicable_rule() -> None:
    d = {"initial": "ab", "rules": [1, 6], "final": "bbc", "steps": 2}
    inst = sb.Instance(TASK, "x", None, None, "q", "bbc", d)
    assert _v(inst, "bbc").correct
    v = _v(inst, "cab")
    assert not v.correct and "rule 2 still applies" in v.reason


def test_unreachable_step_range_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="found no instance"):
        sb.generate(TASK, 1, seed=0, rules=1, min_length=2, max_length=2, min_steps=60, max_steps=60)
    with pytest.raises(ValueError, match="min_steps"):
        sb.generate(TASK, 1, seed=0, min_steps=9, max_steps=3)


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no string_deletion_and_modification samples in the reference data")
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        sol = json.loads((src / "solution.json").read_text())
        assert inst.question.startswith((src / "question.txt").read_text().strip())
        assert inst.data["initial"] == sol["initial_string"]
        assert [sdm.POOL[r].ref_text for r in inst.data["rules"]] == sol["selected_rules"]
        assert inst.answer == priority_run(inst.data["initial"], inst.data["rules"])
        assert inst.data["reference"]["label_agrees"] == (sol["final_string"] == inst.answer)
        assert sb.verify(inst, f'<<< "{inst.answer}" >>>').correct
