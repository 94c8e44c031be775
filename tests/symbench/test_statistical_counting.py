"""Statistical Counting: one score per maximal run, exact integer answers, the published samples."""

from __future__ import annotations

import re

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import statistical_counting as sc
from tests.conftest import REFERENCE_DATA

TASK = "statistical_counting"


def independent_score(seq: str, scores: dict[str, int], min_run: int) -> int:
    """Written separately from the task: a backreference regex finds maximal runs."""
    return sum(scores[m.group(1)] for m in re.finditer(r"(.)\1*", seq) if len(m.group(0)) >= min_run)


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def test_per_run_semantics_regression() -> None:
    scores = {"A": 1, "B": 2}
    assert sc.run_score("AAAA", scores, 2) == 1  # one run, not three pairs or two extra letters
    assert sc.run_score("AABAA", scores, 2) == 2
    assert sc.run_score("ABAB", scores, 2) == 0
    assert sc.run_score("BBBAAB", scores, 3) == 2
    q = sb.generate(TASK, 1, seed=1, complexity=3)[0].question
    assert "exactly once" in q and "maximal block" in q


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_matches_independent_solver(level: int) -> None:
    for inst in sb.generate(TASK, 20, seed=4, complexity=level):
        d = inst.data
        assert int(inst.answer) == independent_score(d["sequence"], d["scores"], d["min_run"])
        assert d["sequence"] in inst.question


def test_min_run_knob() -> None:
    for inst in sb.generate(TASK, 10, seed=2, min_run=3, length=40, letters=2):
        assert "three or more" in inst.question
        assert int(inst.answer) == independent_score(inst.data["sequence"], inst.data["scores"], 3)


def test_near_misses_and_exact_integer_parsing() -> None:
    inst = next(i for i in sb.generate(TASK, 30, seed=5, complexity=4) if int(i.answer) >= 2)
    t = int(inst.answer)
    assert _v(inst, f" {t} ").correct and _v(inst, f"'{t}'").correct and _v(inst, f"{t}.0").correct
    for near in (t - 1, t + 1, int(f"1{t}"), int(f"{t}0")):
        v = _v(inst, str(near))
        assert not v.correct and v.reason.startswith("wrong"), (near, v)
    # no substring matching: the right digits inside other text are not an answer
    for bad in (f"{t} points", f"score={t}", f"{t}, {t}", f"[{t}1]", "five"):
        v = _v(inst, bad)
        assert not v.correct and v.reason.startswith("malformed"), (bad, v)
    assert sb.verify(inst, f"the score is {t}").reason == "no <<<answer>>> found"


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no statistical_counting_dataset in the reference sample")
    assert [i.id.rsplit("_", 1)[-1] for i in items] == [str(k) for k in range(len(items))]
    first = items[0]
    assert first.data["sequence"] == "BBAAB" and first.answer == "3"
    assert first.question.startswith("The initial total score is 0.")
    for inst in items:
        assert inst.data["reference"]["label_agrees"], inst.id
        assert int(inst.answer) == independent_score(inst.data["sequence"], inst.data["scores"], 2)
        assert not _v(inst, str(int(inst.answer) + 1)).correct
