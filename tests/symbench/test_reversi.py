"""Reversi: the shown board precedes the moves; the answer is an independent simulation."""

from __future__ import annotations

import json
import re

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA

NAME = "reversi"


def _sim(rows: list[str], moves: list[tuple[str, int, int]]) -> list[str]:
    n = len(rows)
    b = [list(r) for r in rows]
    for me, r, c in moves:
        assert b[r][c] == "*"
        b[r][c] = me
        flipped = 0
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                if dr == dc == 0:
                    continue
                path = []
                i, j = r + dr, c + dc
                while 0 <= i < n and 0 <= j < n and b[i][j] not in ("*", me):
                    path.append((i, j))
                    i, j = i + dr, j + dc
                if path and 0 <= i < n and 0 <= j < n and b[i][j] == me:
                    for i2, j2 in path:
                        b[i2][j2] = me
                    flipped += len(path)
        assert flipped, "every listed move must be legal"
    return [c for row in b for c in row]


def _parse(question: str) -> tuple[list[str], list[tuple[str, int, int]]]:
    n = int(re.search(r"n=(\d+)", question).group(1))
    rows = re.findall(r"^[01*]+$", question, flags=re.M)[:n]
    moves = [
        ("0" if color == "black" else "1", int(a) - 1, int(b) - 1)
        for color, a, b in re.findall(
            r"Move \d+: (black|white) \(\d\) places a piece at \((\d+),(\d+)\)", question
        )
    ]
    return rows, moves


def test_answer_is_the_simulation_of_the_shown_board_not_the_board_itself() -> None:
    for inst in sb.generate(NAME, 40, seed=1):
        rows, moves = _parse(inst.question)
        assert len(moves) == len(inst.data["moves"])
        final = _sim(rows, moves)
        assert inst.answer == ",".join(final)
        assert final != [c for r in rows for c in r]  # the reference's "copy the board" bug


def test_near_misses_and_formats() -> None:
    inst = sb.generate(NAME, 1, seed=2, complexity=5)[0]
    cells = inst.answer.split(",")
    n = inst.data["n"]
    rows = "\n".join("".join(cells[i * n : (i + 1) * n]) for i in range(n))
    assert sb.verify(inst, f"<<<{rows}>>>").correct
    assert sb.verify(inst, f"<<<{json.dumps([cells[i * n : (i + 1) * n] for i in range(n)])}>>>").correct
    i = next(k for k, c in enumerate(cells) if c != "*")
    bad = list(cells)
    bad[i] = "1" if bad[i] == "0" else "0"
    v = sb.verify(inst, f"<<<{','.join(bad)}>>>")
    assert v.kind == "wrong" and "1 cell(s) differ" in v.reason
    shown = ",".join(c for r in _parse(inst.question)[0] for c in r)
    assert sb.verify(inst, f"<<<{shown}>>>").kind == "wrong"
    assert sb.verify(inst, f"<<<{','.join(cells[:-1])}>>>").kind == "malformed"
    assert sb.verify(inst, f"<<<{','.join(cells[:-1] + ['2'])}>>>").kind == "malformed"


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_boards_already_include_the_moves_and_are_flagged() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    for inst in items:
        ref = inst.data["reference"]
        assert not ref["label_agrees"] and "already includes the listed moves" in ref["note"]
        assert inst.answer == ref["stored_label"]  # only the shown board is a consistent reading


def test_loader_simulates_a_well_formed_published_question(tmp_path) -> None:
    sample = tmp_path / "reversi_dataset" / "sample_0"
    sample.mkdir(parents=True)
    q = (
        "Given: n=4, you play black chess.\n\nThe previous round of the game was: \n****\n*10*\n*01*\n****\n\n"
        "Round 1: Your's landing position is (1,2)\n\nFor example, <<<*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*>>>"
    )
    (sample / "question.txt").write_text(q)
    (sample / "solution.json").write_text(json.dumps({"solution": "*,0,*,*,*,0,0,*,*,0,1,*,*,*,*,*"}))
    (inst,) = list(sb.load_reference(tmp_path, NAME))
    assert inst.answer == "*,0,*,*,*,0,0,*,*,0,1,*,*,*,*,*" and inst.data["reference"]["label_agrees"]
