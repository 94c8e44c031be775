"""Pattern Recognition: the largest square is unique (proved by brute force here), near misses fail."""

from __future__ import annotations

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import pattern_recognition as pr
from tests.conftest import REFERENCE_DATA

TASK = "pattern_recognition"


def all_squares(grid: list[str], min_side: int = 3) -> list[tuple[int, int, int]]:
    """Written separately from the task: brute force over every top-left corner and side."""
    out = []
    rows, cols = len(grid), len(grid[0])
    for r in range(rows):
        for c in range(cols):
            for k in range(min_side, min(rows - r, cols - c) + 1):
                ch = grid[r][c]
                if all(grid[r + i][c + j] == ch for i in range(k) for j in range(k)):
                    out.append((k, r + k - 1, c + k - 1))
    return out


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_unique_largest_square_by_brute_force(level: int) -> None:
    for inst in sb.generate(TASK, 8, seed=12, complexity=level):
        grid = inst.data["grid"]
        sq = all_squares(grid)
        best = max(k for k, _, _ in sq)
        corners = [[r, c] for k, r, c in sq if k == best]
        assert corners == inst.data["corners"] and len(corners) == 1
        # every other square of side >= 3 lies inside the largest one (no second, separate square)
        (br, bc) = corners[0]
        for k, r, c in sq:
            assert br - best < r - k + 1 and r <= br and bc - best < c - k + 1 and c <= bc
        assert inst.answer == f"[{br}, {bc}]"


def test_squares_away_from_the_border_are_detected() -> None:
    """The reference's uniqueness check only saw squares reaching the border; the DP sees all."""
    grid = ["ABCDEF", "BQQQCD", "CQQQEF", "DQQQAB", "EFABCD"]
    assert pr.largest_squares(grid) == (3, [[3, 3]])


def test_largest_not_any_square_regression() -> None:
    inst = next(i for i in sb.generate(TASK, 30, seed=2, complexity=4) if i.data["side"] >= 4)
    (br, bc) = inst.data["corners"][0]
    assert _v(inst, f"[{br}, {bc}]").correct
    assert _v(inst, f"({br},{bc})").correct and _v(inst, f"{br} {bc}").correct
    assert _v(inst, f"row {br}, column {bc}").correct
    # the bottom-right corner of a 3x3 sub-square inside the largest square is not the answer
    v = _v(inst, f"[{br - 1}, {bc - 1}]")
    assert not v.correct and "not of the largest" in v.reason
    side = inst.data["side"]
    for near in (
        [br - side + 1, bc - side + 1],
        [br + 1, bc + 1],
        [bc, br] if bc != br else [br, bc + 1],
        [br, bc + 1],
        [99, 99],
    ):
        assert not _v(inst, str(near)).correct, near
    assert "largest" in inst.question


def test_malformed() -> None:
    inst = sb.generate(TASK, 1, seed=1, complexity=1)[0]
    for bad in ("[1]", "[1, 2, 3]", "[row, column]", "1.5, 2", "a b"):
        v = _v(inst, bad)
        assert not v.correct and v.reason.startswith("malformed"), (bad, v)


def test_validation() -> None:
    with pytest.raises(ValueError, match="min_square"):
        sb.generate(TASK, 1, seed=0, min_square=5, max_square=4)


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no pattern_recognition in the reference sample")
    first = items[0]
    assert first.answer == "[5, 6]" and first.data["side"] == 5
    assert len(first.data["grid"]) == 10 and len(first.data["grid"][0]) == 13
    assert not _v(first, "[3, 4]").correct  # a 3x3 sub-square's corner
    for inst in items:
        assert inst.data["reference"]["label_agrees"], inst.id
        sq = all_squares(inst.data["grid"])
        best = max(k for k, _, _ in sq)
        assert [[r, c] for k, r, c in sq if k == best] == inst.data["corners"]
