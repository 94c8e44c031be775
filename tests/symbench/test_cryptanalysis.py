"""Cryptanalysis: uniqueness proven by an independent brute force, feedback wording, near misses, reference."""

from __future__ import annotations

import itertools
import re
import string

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.cryptanalysis import render
from tests.conftest import REFERENCE_DATA

NAME = "cryptanalysis"


def _words(code: str, guess: str, letters: bool) -> str:
    """Feedback phrases written independently of the module (counts of each status, fixed order)."""
    noun = "letter" if letters else "number"
    lo, hi = min(code), max(code)
    status = []
    for i, g in enumerate(guess):
        if g == code[i]:
            status.append("correct and in the correct position")
        elif g in code:
            status.append("correct but in the wrong position")
        elif g < lo:
            status.append("incorrect and " + ("too early in the alphabet" if letters else "too small"))
        elif g > hi:
            status.append("incorrect and " + ("too late in the alphabet" if letters else "too large"))
        else:
            status.append(f"incorrect and between the two code {noun}s")
    order = [
        "correct and in the correct position",
        "correct but in the wrong position",
        "incorrect and " + ("too early in the alphabet" if letters else "too small"),
        "incorrect and " + ("too late in the alphabet" if letters else "too large"),
        f"incorrect and between the two code {noun}s",
    ]
    parts = []
    for s in order:
        c = status.count(s)
        if c == 1:
            parts.append(f"one {noun} is {s}")
        elif c == 2:
            both = s.replace("position", "positions") if "position" in s else s
            parts.append(f"both {noun}s are {both}")
    return "; ".join(parts)


def _brute(conds: list[tuple[str, str]]) -> list[str]:
    nums = ["".join(p) for p in itertools.permutations("0123456789", 2)]
    lets = ["".join(p) for p in itertools.permutations(string.ascii_uppercase, 2)]
    split = [
        (
            g,
            "; ".join(p for p in t.split("; ") if "number" in p),
            "; ".join(p for p in t.split("; ") if "letter" in p),
        )
        for g, t in conds
    ]
    ok_n = [n for n in nums if all(_words(n, g[:2], False) == tn for g, tn, _ in split)]
    ok_l = [x for x in lets if all(_words(x, g[2:], True) == tl for g, _, tl in split)]
    return [a + b for a in ok_n for b in ok_l]


def _conds(question: str) -> list[tuple[str, str]]:
    return [(g, t.rstrip(".")) for g, t in re.findall(r"Guess: (\w{4}), Feedback: (.*)", question)]


def test_question_text_determines_a_unique_code_and_every_condition_is_needed() -> None:
    for inst in sb.generate(NAME, 10, seed=2):
        conds = _conds(inst.question)
        assert len(conds) == len(inst.data["guesses"])
        code = "".join(re.findall(r"\w", inst.answer))
        assert _brute(conds) == [code]
        assert len(_brute(conds[:-1])) > 1  # the last condition is not redundant


def test_feedback_rendering_is_injective() -> None:
    sigs = [s for s in itertools.product(range(3), repeat=5) if sum(s) == 2]
    for letters in (False, True):
        texts = {render(s, letters) for s in sigs}
        assert len(texts) == len(sigs)


def test_near_misses_and_formats() -> None:
    inst = sb.generate(NAME, 1, seed=8, complexity=3)[0]
    code = "".join(re.findall(r"\w", inst.answer))
    for good in (code, code.lower(), " ".join(code), "[" + ", ".join(f"'{ch}'" for ch in code) + "]"):
        assert sb.verify(inst, f"<<<{good}>>>").correct, good
    swapped = code[1] + code[0] + code[2:]
    v = sb.verify(inst, f"<<<{swapped}>>>")
    assert v.kind == "wrong" and "contradicts condition" in v.reason
    other = code[:3] + ("A" if code[3] != "A" and code[2] != "A" else "B")
    assert sb.verify(inst, f"<<<{other}>>>").kind == "wrong"
    assert sb.verify(inst, f"<<<{code[0]}{code[0]}{code[2:]}>>>").kind == "wrong"
    for bad in (code[:3], code + "1", "AB12", "12345"):
        assert sb.verify(inst, f"<<<{bad}>>>").kind == "malformed", bad


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_codes_are_unique_under_the_published_wording() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, NAME))
    assert len(items) == 8
    for inst in items:
        assert inst.data["unique"] and inst.data["reference"]["label_agrees"]
        assert inst.data["grammar"] == "reference"
    s0 = items[0]
    assert s0.id.endswith("cryptanalysis/sample_0") and s0.answer == '["5", "3", "F", "A"]'
    assert sb.verify(s0, '<<< ["5", "3", "F", "A"] >>>').correct
    assert sb.verify(s0, "<<<53FA>>>").correct
    v = sb.verify(s0, "<<<35FA>>>")
    assert v.kind == "wrong" and "contradicts condition" in v.reason
