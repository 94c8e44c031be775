"""Matrix Transformation: rotation, shape, tolerant formats, near misses, the published samples."""

from __future__ import annotations

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import matrix_transformation as mt
from tests.conftest import REFERENCE_DATA

TASK = "matrix_transformation"


def independent_rotate(m: list[list[str]], degrees: int) -> list[list[str]]:
    """Written separately from the task: index arithmetic instead of zip."""
    for _ in range(degrees // 90):
        n, k = len(m), len(m[0])
        out = [[""] * n for _ in range(k)]
        for i in range(n):
            for j in range(k):
                out[j][n - 1 - i] = m[i][j]
        m = out
    return m


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_matches_independent_rotation(degrees: int) -> None:
    for level in range(1, 6):
        for inst in sb.generate(TASK, 5, seed=3, complexity=level, degrees=degrees):
            want = independent_rotate(inst.data["matrix"], degrees)
            assert inst.answer == ",".join(c for r in want for c in r)
            assert f"{degrees} degrees clockwise" in inst.question


def test_tolerant_formats_pass() -> None:
    inst = sb.generate(TASK, 1, seed=1, rows=2, cols=3, content="letters")[0]
    res = inst.data["result"]  # 3 rows x 2 columns
    flat = [c for r in res for c in r]
    variants = [
        ", ".join(flat),
        " ".join(flat),
        "[" + ",".join(flat) + "]",
        str(res),  # [['A', 'B'], ...]
        "\n".join(" ".join(r) for r in res),
        ",".join(flat).lower(),
        ",".join("".join(r) for r in res),  # rows written as words
        '["' + '","'.join(flat) + '"]',
    ]
    for text in variants:
        assert _v(inst, text).correct, text


def test_near_misses_fail() -> None:
    inst = sb.generate(TASK, 1, seed=2, rows=3, cols=4, content="mixed")[0]
    res = inst.data["result"]
    flat = [c for r in res for c in r]
    unrotated = [c for r in inst.data["matrix"] for c in r]
    ccw = [c for r in independent_rotate(inst.data["matrix"], 270) for c in r]
    swapped = flat[:]
    swapped[0], swapped[-1] = swapped[-1], swapped[0]
    if swapped == flat:  # same character at both ends: change one instead
        swapped[0] = "Z" if flat[0] != "Z" else "Y"
    for bad in (unrotated, ccw, swapped, flat[:-1], flat + ["A"]):
        v = _v(inst, ",".join(bad))
        assert not v.correct, bad
    # the right cells in the wrong shape (4 rows of 3 instead of 4 rows of 3 for a 3x4 input is right;
    # 3 rows of 4 is not)
    wrong_shape = [flat[i : i + 4] for i in range(0, 12, 4)]
    assert not _v(inst, str(wrong_shape)).correct
    assert _v(inst, "A,B,C").reason.startswith("wrong")
    assert _v(inst, "AB,CD,EF,GHX").reason.startswith("malformed")


def test_rotate_helper() -> None:
    assert mt.rotate([["1", "2", "3"], ["4", "5", "6"]]) == [["4", "1"], ["5", "2"], ["6", "3"]]
    assert mt.rotate([["a", "b"]], 180) == [["b", "a"]]


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no matrix_transformation_dataset in the reference sample")
    first = items[0]
    # the trailing period after the last cell ("J H.") is not part of the cell
    assert first.data["matrix"] == [["Q", "R"], ["J", "H"]]
    assert first.answer == "J,Q,H,R"
    assert _v(first, "[J, Q, H, R]").correct  # the reference did not strip brackets
    assert not _v(first, "Q,J,R,H").correct
    for inst in items:
        assert inst.data["reference"]["label_agrees"], inst.id
