"""Letters: 1-based positions, count 0, order/duplicates, real words, published samples."""

from __future__ import annotations

import json
from functools import cache

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite import letters as lt
from codesteer.symbench.suite._words import WORDS
from tests.conftest import REFERENCE_DATA

TASK = "letters"
WORD_SET = frozenset(WORDS)


def _v(inst: sb.Instance, text: str) -> sb.Verdict:
    return sb.verify(inst, f"<<<{text}>>>")


def _inst(word: str, letter: str) -> sb.Instance:
    return sb.Instance(
        TASK, "x", None, None, "q", lt.format_answer(word, letter), {"word": word, "letter": letter}
    )


def made_of_words(s: str) -> bool:
    @cache
    def ok(i: int) -> bool:
        return i == len(s) or any(s[i:j] in WORD_SET and ok(j) for j in range(i + 1, len(s) + 1))

    return ok(0)


def test_word_list_is_clean() -> None:
    assert len(WORDS) >= 1000
    assert list(WORDS) == sorted(set(WORDS))
    assert all(w.isascii() and w.isalpha() and w.islower() for w in WORDS)


def test_answers_match_a_direct_count() -> None:
    for inst in sb.generate(TASK, 100, seed=31):
        w, ch = inst.data["word"], inst.data["letter"]
        pos = [i for i in range(1, len(w) + 1) if w[i - 1] == ch]
        assert inst.answer == f"Count: {len(pos)}, Positions: {pos}"


def test_presets_and_mostly_real_words() -> None:
    task = sb.get_task(TASK)
    real = total = 0
    for level in range(1, 6):
        cfg = task.presets[level]
        for inst in sb.generate(TASK, 30, seed=3, complexity=level):
            w, ch = inst.data["word"], inst.data["letter"]
            assert cfg["min_length"] <= len(w) <= cfg["max_length"]
            assert cfg["min_count"] <= w.count(ch) <= cfg["max_count"]
            real += made_of_words(w)
            total += 1
    assert real >= 0.8 * total, f"only {real}/{total} strings are made of real words"


def test_random_source() -> None:
    for inst in sb.generate(
        TASK, 20, seed=1, source="random", min_length=30, max_length=30, min_count=7, max_count=7
    ):
        assert len(inst.data["word"]) == 30 and inst.data["word"].count(inst.data["letter"]) == 7


def test_count_zero_is_answerable() -> None:
    # the reference's regex needed a digit inside the brackets, so a count of 0 could never pass
    insts = sb.generate(TASK, 10, seed=2, min_count=0, max_count=0)
    for inst in insts:
        assert inst.data["letter"] not in inst.data["word"]
        assert inst.answer == "Count: 0, Positions: []"
        assert _v(inst, "Count: 0, Positions: []").correct
        assert not _v(inst, "Count: 1, Positions: [1]").correct


def test_one_based_positions_and_near_misses() -> None:
    inst = _inst("banana", "a")
    assert _v(inst, "Count: 3, Positions: [2, 4, 6]").correct
    assert _v(inst, "count: 3, positions: [6, 2, 4]").correct  # order does not matter
    assert _v(inst, "Count = 3; Positions = (2, 4, 6)").correct
    assert _v(inst, "3, [2, 4, 6]").correct
    v = _v(inst, "Count: 3, Positions: [1, 3, 5]")  # 0-based
    assert not v.correct and "do not hold" in v.reason
    v = _v(inst, "Count: 2, Positions: [2, 4]")
    assert not v.correct and "count 2" in v.reason
    v = _v(inst, "Count: 3, Positions: [2, 4, 4]")
    assert not v.correct and "more than once" in v.reason
    v = _v(inst, "Count: 3, Positions: [2, 4]")
    assert not v.correct and "missing" in v.reason
    assert _v(inst, "Count: 3").reason.startswith("malformed")
    assert _v(inst, "Count: 3, Positions: [2, 4, six]").reason.startswith("malformed")
    assert _v(inst, "Count: 3, Positions: [2, 4, 6").reason.startswith("malformed")


def test_count_is_an_integer_written_as_one() -> None:
    inst = _inst("cat", "a")  # count 1, position 2
    assert _v(inst, "Count: 1, Positions: [2]").correct
    for bad in ("Count: 1.5, Positions: [2]", "Count: 1e309, Positions: [2]", "Count: 1x, Positions: [2]",
                "Count: 1e0, Positions: [2]", "Count: 1/1, Positions: [2]", "Count: 1, Positions: [2.5]",
                "Count: 1, Positions: [2x]"):
        assert not _v(inst, bad).correct, bad


def test_question_says_one_based() -> None:
    q = sb.generate(TASK, 1, seed=1)[0].question
    assert "counting from 1" in q and "<<<Count: X, Positions: [Y, Z, ...]>>>" in q


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
def test_reference_samples() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, TASK))
    if not items:
        pytest.skip("no Letters samples in the reference data")
    for inst in items:
        src = REFERENCE_DATA / inst.data["reference"]["source"]
        word = json.loads(src.read_text())
        letter, count, _ = src.parent.name.split("_")
        assert inst.data["word"] == word and inst.data["letter"] == letter
        assert f"'{word}'" in inst.question and "counts from 1" in inst.question
        assert inst.data["reference"]["label_agrees"] == (word.count(letter) == int(count))
        pos = [i + 1 for i, ch in enumerate(word) if ch == letter]
        assert sb.verify(inst, f"<<<Count: {len(pos)}, Positions: {pos}>>>").correct
        low = int(src.parent.parent.name.split("_")[4])  # Letters_dataset_min_length_{low}_max_length_{high}
        assert inst.complexity == min(5, max(1, low // 5))
