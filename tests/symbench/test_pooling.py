"""Pooling: exact max, average within a tolerance, near misses, the published samples."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesteer import symbench as sb
from codesteer.symbench.suite import pooling as pl
from tests.conftest import REFERENCE_DATA

TASK = "pooling"


def independent_pool(m: list[list[int]], w: int, kind: str, stride: int) -> list[Fraction]:
    """Written separately from the task: slice rows, then columns, flat output."""
    out = []
    for top in range(0, len(m) - w + 1, stride):
        for left in range(0, len(m) - w + 1, stride):
            cells = [x for row in m[top : top + w] for x in row[left : left + w]]
            out.append(Fraction(max(cells)) if kind == "max" else Fraction(sum(cells)) / len(cells))
    return out


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_matches_independent_solver(level: int) -> None:
    for inst in sb.generate(TASK, 10, seed=8, complexity=level):
        d = inst.data
        want = independent_pool(d["matrix"], d["window"], d["kind"], d["stride"])
        assert [Fraction(x.strip()) for x in inst.answer.split(",")] == want


def test_stride_knob() -> None:
    for inst in sb.generate(TASK, 5, seed=1, size=7, window=3, stride=2, kind="average"):
        want = independent_pool(inst.data["matrix"], 3, "average", 2)
        assert len(want) == 9 and "stride 2" in inst.question
        assert _v(inst, ", ".join(f"{float(x):.3f}" for x in want)).correct


def _avg_instance() -> tuple[sb.Instance, list[Fraction]]:
    for inst in sb.generate(TASK, 20, seed=6, complexity=5):
        want = independent_pool(inst.data["matrix"], 3, "average", 1)
        if any(x.denominator != 1 for x in want):
            return inst, want
    raise AssertionError("no average instance with a non-integer value")


def test_average_tolerance_regression() -> None:
    """The reference parsed averages with int() and could never pass one; decimals must pass here."""
    inst, want = _avg_instance()
    assert inst.data["kind"] == "average"
    rounded2 = ", ".join(f"{float(x):.2f}" for x in want)
    assert _v(inst, rounded2).correct
    assert _v(inst, ", ".join(repr(float(x)) for x in want)).correct  # 1.3333333333333333
    assert _v(inst, str([[float(x) for x in want[i : i + 4]] for i in range(0, 16, 4)])).correct
    assert _v(inst, " ".join(f"{x.numerator} / {x.denominator}" for x in want)).correct
    # one value off by a ninth (the smallest possible error for a 3x3 window) fails
    k = next(i for i, x in enumerate(want) if x.denominator != 1)
    off = list(want)
    off[k] += Fraction(1, 9)
    v = _v(inst, ", ".join(f"{float(x):.4f}" for x in off))
    assert not v.correct and "row" in v.reason
    # truncated to one decimal is outside the tolerance for a ninth like x.x5..
    trunc = ", ".join(f"{int(float(x) * 10) / 10}" for x in want)
    assert _v(inst, trunc).correct == all(
        abs(Fraction(str(int(float(x) * 10) / 10)) - x) <= Fraction(1, 100) for x in want
    )


def test_max_is_exact_and_near_misses_fail() -> None:
    inst = sb.generate(TASK, 1, seed=4, complexity=2)[0]
    want = independent_pool(inst.data["matrix"], 2, "max", 1)
    good = [int(x) for x in want]
    assert _v(inst, ", ".join(f"{x}.0" for x in good)).correct
    bad = list(good)
    bad[-1] += 1
    assert not _v(inst, ", ".join(map(str, bad))).correct
    assert not _v(inst, ", ".join(map(str, good[:-1]))).correct
    assert not _v(inst, "".join(map(str, good))).correct  # concatenated digits are not a list
    # min pooling instead of max
    m = inst.data["matrix"]
    mins = [min(m[i][j], m[i][j + 1], m[i + 1][j], m[i + 1][j + 1]) for i in range(3) for j in range(3)]
    assert mins != good and not _v(inst, ", ".join(map(str, mins))).correct
    assert _v(inst, "a, b, c").reason.startswith("malformed")


def test_fmt_value() -> None:
    assert pl.fmt_value(Fraction(13, 4)) == "3.25"
    assert pl.fmt_value(Fraction(-7, 3)) == "-7/3"
    assert pl.fmt_value(Fraction(5)) == "5"


def test_validation() -> None:
    with pytest.raises(ValueError, match="window"):
        sb.generate(TASK, 1, seed=0, size=3, window=3)


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no pooling_dataset in the reference sample")
    first = items[0]
    assert first.data["matrix"] == [[-1, 7, 20], [6, 16, -4], [9, 13, 7]]
    assert first.answer == "16, 20, 16, 16"
    assert _v(first, "[[16, 20], [16, 16]]").correct
    assert not _v(first, "16, 20, 16, 15").correct
    for inst in items:
        assert inst.data["reference"]["label_agrees"], inst.id


def test_reference_average_question_parses(tmp_path) -> None:
    """The sample holds only max pooling; an average one in the published wording must load and verify."""
    d = tmp_path / "pooling_dataset" / "sample_0"
    d.mkdir(parents=True)
    (d / "question.txt").write_text(
        "In an N*N grid, there are N^2 numbers, with numbers in the same row separated by commas. We define "
        'the "average pooling" operation: suppose that there is an n*n (n<N) sliding window, which slides '
        "from left to right or from top to bottom in the matrix, calculating the average value in each "
        "sliding window. Then, the average values are arranged according to their original positions to "
        "form a new matrix for output.\nNow, please perform average pooling on the following matrix by using "
        "a 2*2 sliding window:\n1, 2, 3\n4, 5, 7\n7, 8, 9\nFor example, <<<0,0,0,0>>> represents a 2D array."
    )
    (d / "solution.json").write_text('{"solution": [[3.0, 4.25], [6.0, 7.25]], "complexity": 2}')
    (inst,) = list(sb.load_reference(tmp_path, TASK))
    assert inst.answer == "3, 4.25, 6, 7.25" and inst.data["reference"]["label_agrees"]
    assert _v(inst, "3.0, 4.25, 6.0, 7.25").correct


def test_huge_exponent_is_rejected_fast() -> None:
    import time

    inst = sb.generate(TASK, 1, seed=0, complexity=4)[0]
    t = time.perf_counter()
    v = _v(inst, ", ".join(["1e999999999"] * 9))
    assert not v.correct and v.reason.startswith("malformed") and time.perf_counter() - t < 1.0
    assert not _v(inst, "1e5, 2, 3, 4, 5, 6, 7, 8, 9").correct


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fractions(min_value=-1000, max_value=1000, max_denominator=36),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([", ", " ", ",", "; ", "\n"]),
    st.booleans(),
)
def test_fuzz_flat_number_round_trip(values: list[Fraction], sep: str, bracket: bool) -> None:
    from codesteer.symbench._parse import parse_number
    from codesteer.symbench.suite._grid import flat_tokens

    text = sep.join(pl.fmt_value(v) for v in values)
    if bracket:
        text = f"[{text}]"
    assert [parse_number(t) for t in flat_tokens(text)] == values
