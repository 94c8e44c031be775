"""Light Puzzles: XOR simulation, near misses, format variants, reference loading."""

from __future__ import annotations

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA

NAME = "light_puzzles"


def _independent(data: dict) -> list[int]:
    n = data["n"]
    flat = [v for row in data["grid"] for v in row]
    for b in data["presses"]:
        for r, c in data["buttons"][b]:
            flat[(r - 1) * n + (c - 1)] = 1 - flat[(r - 1) * n + (c - 1)]
    return flat


def test_answers_match_an_independent_simulation_and_change_the_grid() -> None:
    for inst in sb.generate(NAME, 40, seed=1):
        want = _independent(inst.data)
        assert inst.answer == ",".join(map(str, want))
        assert want != [v for row in inst.data["grid"] for v in row]  # "copy the grid" is never right


def test_near_misses_and_formats() -> None:
    inst = sb.generate(NAME, 1, seed=4, complexity=5)[0]
    cells = inst.answer.split(",")
    n = inst.data["n"]
    rows = "\n".join("".join(cells[i * n : (i + 1) * n]) for i in range(n))
    assert sb.verify(inst, f"<<<{rows}>>>").correct
    assert sb.verify(inst, f"<<<[{', '.join(cells)}]>>>").correct
    flipped = list(cells)
    flipped[7] = "1" if flipped[7] == "0" else "0"
    v = sb.verify(inst, f"<<<{','.join(flipped)}>>>")
    assert not v.correct and v.reason.startswith("wrong: 1 of 25 cells differ, first at row 2, column 3")
    for bad in (",".join(cells[:-1]), ",".join(cells + ["0"]), ",".join(cells[:-1] + ["2"])):
        v = sb.verify(inst, f"<<<{bad}>>>")
        assert not v.correct and v.kind == "malformed", v


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_loads_and_labels_agree() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    assert [i.id for i in items][:2] == [
        f"ref-{NAME}-light_puzzles_dataset/sample_0",
        f"ref-{NAME}-light_puzzles_dataset/sample_1",
    ]
    for inst in items:
        assert inst.data["reference"]["label_agrees"]
        assert inst.answer == ",".join(map(str, inst.data["reference"]["stored_label"]))
        assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
        assert "<<<0,0,0" in inst.question  # the stored format sentence is kept verbatim
