"""Synthesis Decomposition: cyclic semantics, integer-list comparison, the stored-field bug."""

from __future__ import annotations

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import synthesis_decomposition as sd
from tests.conftest import REFERENCE_DATA

TASK = "synthesis_decomposition"


def independent_final(initial: dict[str, int], methods: list[dict]) -> dict[str, int]:
    """Written separately from the task: whole passes over the method list until a pass does nothing."""
    stock = dict(initial)
    changed = True
    while changed:
        changed = False
        for m in methods:
            if all(stock.get(k, 0) >= v for k, v in m["in"].items()):
                for k, v in m["in"].items():
                    stock[k] -= v
                for k, v in m["out"].items():
                    stock[k] = stock.get(k, 0) + v
                changed = True
    return stock


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_matches_independent_simulation(level: int) -> None:
    for inst in sb.generate(TASK, 20, seed=31, complexity=level):
        d = inst.data
        final = independent_final(d["initial"], d["methods"])
        assert d["final"] == [final.get(f, 0) for f in d["fields"]]
        assert inst.answer == "[" + ", ".join(str(x) for x in d["final"]) + "]"


def test_semantics_example() -> None:
    # A=4, B=2: M1 -> (3,1,X1); M2 -> (0,1,X3); nothing applies
    final, steps = sd.simulate({"A": 4, "B": 2}, sd.BOOKS["basic"][1])
    assert final == {"A": 0, "B": 1, "X": 3} and len(steps) == 2
    q = sb.generate(TASK, 1, seed=0, complexity=3)[0].question
    assert "crop C" in q and "product C" not in q  # the reference called crop C a product
    assert "at most once per visit" in q and "otherwise he skips" in q


def test_integer_lists_not_strings() -> None:
    inst = sb.generate(TASK, 1, seed=7, complexity=5)[0]
    vals = inst.data["final"]
    assert len(vals) == 5 and inst.data["fields"] == ["A", "B", "C", "X", "Y"]
    plain = ", ".join(map(str, vals))
    for ok_text in (
        plain,
        f"[{plain}]",
        " ".join(map(str, vals)),
        str([str(x) for x in vals]),
        ", ".join(f"{f}={x}" for f, x in zip("ABCXY", vals, strict=True)),
        ", ".join(f"0{x}" for x in vals),
    ):
        assert _v(inst, ok_text).correct, ok_text
    bumped = list(vals)
    bumped[3] += 1
    assert not _v(inst, str(bumped)).correct
    assert "X" in _v(inst, str(bumped)).reason
    assert not _v(inst, str(vals[::-1])).correct or vals == vals[::-1]
    for bad in (
        str(vals[:4]),
        str(vals + [0]),
        "".join(map(str, vals)),
        "[1, 2, x, 4, 5]",
        "[1.5, 0, 0, 0, 0]",
    ):
        v = _v(inst, bad)
        assert not v.correct and v.reason.startswith("malformed"), (bad, v)


def test_validation() -> None:
    with pytest.raises(ValueError, match="min_units"):
        sb.generate(TASK, 1, seed=0, min_units=9, max_units=3)


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no synthesis_decomposition_dataset in the reference sample")
    s0 = items[0]
    assert s0.data["initial"] == {"A": 3, "B": 2} and s0.data["fields"] == ["A", "B", "X"]
    assert s0.answer == "[1, 0, 2]"
    # the reference compared [A, B, C] for two-crop questions; the shown fields are [A, B, X]
    assert _v(s0, "[1, 0, 2]").correct and not _v(s0, "[1, 0, 0]").correct
    assert s0.data["reference"]["stored_label"] == ["1", "0", "2"]
    for inst in items:
        d = inst.data
        assert d["reference"]["label_agrees"], inst.id
        final = independent_final(d["initial"], d["methods"])
        assert d["final"] == [final.get(f, 0) for f in d["fields"]]
