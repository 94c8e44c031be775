"""Navigate: an independent complex-number simulator, balanced labels, BBH files."""

from __future__ import annotations

import re

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.navigate import parse_question
from tests.conftest import REFERENCE_DATA

BBH = REFERENCE_DATA / "BIG-Bench-Hard" / "bbh" / "navigate.json"


def walk(text: str) -> bool:
    """Returns to start? Position and heading as complex numbers (forward = 1j)."""
    pos, head = 0j, 1j
    for sent in re.findall(r"(Take \d+ steps?(?: \w+)?|Turn \w+)\.", text):
        if sent.startswith("Turn"):
            head *= {"left": 1j, "right": -1j, "around": -1}[sent.split()[1]]
            continue
        parts = sent.split()
        rel = {"forward": 1, "backward": -1, "left": 1j, "right": -1j}.get(parts[-1], 1)
        pos += int(parts[1]) * head * rel
    return pos == 0


def test_generated_answers_match_independent_walk() -> None:
    for inst in sb.generate("navigate", 60, seed=3):
        first_line = inst.question.split("\n")[0]
        assert ("Yes" if walk(first_line) else "No") == inst.answer, inst.id


def test_labels_balanced_at_every_level() -> None:
    for c in (1, 3, 5):
        yes = sum(i.answer == "Yes" for i in sb.generate("navigate", 100, seed=5, complexity=c))
        assert 30 <= yes <= 70, (c, yes)


def test_step_size_respected() -> None:
    for inst in sb.generate("navigate", 30, seed=8, complexity=1):
        assert all(s[1] <= 10 for s in inst.data["steps"] if s[0] == "move")


def test_near_miss() -> None:
    inst = sb.generate("navigate", 1, seed=2, complexity=2)[0]
    other = "No" if inst.answer == "Yes" else "Yes"
    assert not sb.verify(inst, f"<<<{other}>>>").correct
    assert sb.verify(inst, "<<<Return>>>").reason.startswith("malformed")


def test_parse_rejects_unknown_sentences() -> None:
    assert parse_question("If you follow these instructions? Jump twice.") is None


@pytest.mark.skipif(not BBH.is_file(), reason=f"BBH navigate sample not found at {BBH}")
def test_reference_recomputed_and_agrees() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "navigate"))
    assert len(items) == 16
    assert all(i.data["reference"]["label_agrees"] for i in items)
    assert [i.answer for i in items][:4] == ["No", "No", "No", "Yes"]
