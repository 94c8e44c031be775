"""Eight Queens: pre-placed queens kept, blocked cells avoided, any valid completion accepted."""

from __future__ import annotations

import itertools

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA


def _all_placements(n: int) -> list[list[tuple[int, int]]]:
    """Independent solver: every permutation of columns, filtered for diagonals."""
    out = []
    for perm in itertools.permutations(range(n)):
        if len({r - c for r, c in enumerate(perm)}) == n and len({r + c for r, c in enumerate(perm)}) == n:
            out.append(list(enumerate(perm)))
    return out


ALL8 = _all_placements(8)


def _fmt(cells: list[tuple[int, int]]) -> str:
    return ", ".join(f"{r} {c}" for r, c in cells)


def _valid_for(inst: sb.Instance) -> list[list[tuple[int, int]]]:
    fixed = {tuple(q) for q in inst.data["fixed"]}
    blocked = {tuple(b) for b in inst.data["blocked"]}
    return [p for p in ALL8 if fixed <= set(p) and not blocked & set(p)]


def test_all_92_solutions_known() -> None:
    assert len(ALL8) == 92


def test_second_valid_answer_from_independent_solver() -> None:
    seen_second = 0
    for inst in sb.generate("eight_queens", 10, seed=9):
        valid = _valid_for(inst)
        assert valid, inst.data
        ref = sorted((int(a), int(b)) for a, b in (x.split() for x in inst.answer.split(", ")))
        for p in valid:
            assert sb.verify(inst, f"<<<{_fmt(p)}>>>").correct
            seen_second += sorted(p) != ref
    assert seen_second > 0


def _inst_with_fixed() -> sb.Instance:
    for inst in sb.generate("eight_queens", 20, seed=4, complexity=4):
        if inst.data["fixed"]:
            return inst
    raise AssertionError("no instance with pre-placed queens")


def test_preplaced_queens_required() -> None:
    # the reference accepted any 8-queens solution avoiding X cells, even one dropping the given queens
    inst = _inst_with_fixed()
    fixed = {tuple(q) for q in inst.data["fixed"]}
    blocked = {tuple(b) for b in inst.data["blocked"]}
    dropping = [p for p in ALL8 if not fixed <= set(p) and not blocked & set(p)]
    assert dropping
    v = sb.verify(inst, f"<<<{_fmt(dropping[0])}>>>")
    assert not v.correct and "pre-placed" in v.reason
    # our own prompt asks for all N queens, so listing only the remaining ones is incomplete
    rest = [q for q in _valid_for(inst)[0] if list(q) not in inst.data["fixed"]]
    assert not sb.verify(inst, f"<<<{_fmt(rest)}>>>").correct


def test_near_misses_fail() -> None:
    inst = _inst_with_fixed()
    good = _valid_for(inst)[0]
    blocked = [tuple(b) for b in inst.data["blocked"]]
    cases = {
        "seven": _fmt(good[:7]),
        "dup": _fmt(good[:7] + [good[0]]),
        "outside": _fmt(good[:7] + [(8, 0)]),
        "attack": _fmt(good[:7] + [(good[7][0], good[0][1])]),
    }
    for name, text in cases.items():
        v = sb.verify(inst, f"<<<{text}>>>")
        assert not v.correct, (name, v)
    # a full valid 8-queens placement that sits on a blocked cell
    on_blocked = [
        p for p in ALL8 if set(blocked) & set(p) and {tuple(q) for q in inst.data["fixed"]} <= set(p)
    ]
    if on_blocked:
        v = sb.verify(inst, f"<<<{_fmt(on_blocked[0])}>>>")
        assert not v.correct and "blocked" in v.reason
    for bad in ["0 1 2", "queens at 0 1", "[[0,1],[2]]"]:
        assert sb.verify(inst, f"<<<{bad}>>>").kind == "malformed"


def test_answer_formats() -> None:
    inst = _inst_with_fixed()
    p = _valid_for(inst)[0]
    for text in [
        ", ".join(f"({r},{c})" for r, c in p),
        str([list(x) for x in p]),
        "; ".join(f"{r},{c}" for r, c in reversed(p)),
    ]:
        assert sb.verify(inst, f"<<<{text}>>>").correct, text


def test_bigger_boards() -> None:
    for inst in sb.generate("eight_queens", 3, seed=1, size=12, queens=3, blocked=10):
        assert inst.data["size"] == 12 and len(inst.answer.split(", ")) == 12
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    with pytest.raises(ValueError, match="queens"):
        sb.generate("eight_queens", 1, seed=0, size=4, queens=5)


@pytest.mark.skipif(
    not (REFERENCE_DATA / "eight_queens_dataset").is_dir(), reason="reference data sample absent"
)
def test_reference_loads() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "eight_queens"))
    assert len(items) == 8
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        stored = inst.data["reference"]["stored_label"]
        assert sb.verify(inst, "<<<" + _fmt([tuple(x) for x in stored]) + ">>>").correct
    s1 = next(i for i in items if i.id.endswith("sample_1"))
    assert s1.data["fixed"] == [[2, 3]]
    # the published prompt asks only for "the remaining queens": listing just those is accepted there
    rest = [tuple(x) for x in s1.data["reference"]["stored_label"] if x != [2, 3]]
    assert sb.verify(s1, "<<<" + _fmt(rest) + ">>>").correct
    assert not sb.verify(s1, "<<<" + _fmt(rest[:-1]) + ">>>").correct
    assert s1.question.startswith("Given an 8*8 grid")
