"""Date Understanding: an independent day-count solver, option readers, distractors, BBH files."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite._choices import LETTERS
from codesteer.symbench.suite.date_understanding import shift
from tests.conftest import REFERENCE_DATA

BBH = REFERENCE_DATA / "BIG-Bench-Hard" / "bbh" / "date_understanding.json"
_WORDS = {"one": 1, "two": 2, "three": 3, "a": 1}


def _n(tok: str) -> int:
    return _WORDS.get(tok, int(tok) if tok.isdigit() else 0)


def _days(amount: str) -> int:
    if amount == "24 hours":
        return 1
    num, unit = amount.split()
    return _n(num) * (7 if unit.startswith("week") else 1)


def solve_days_only(text: str) -> dt.date:
    """Independent solver for stories in US format with day/week offsets: ordinal day arithmetic."""
    story, q = text.split(" What is the date ")
    m = re.search(r"(\d\d)/(\d\d)/(\d{4})", story)
    assert m
    day = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))).toordinal()
    if story.startswith("Yesterday was"):
        day += 1
    elif story.startswith("Tomorrow is"):
        day -= 1
    offsets = re.findall(r"(?:was|Today is) ((?:\w+) (?:days?|weeks?)|24 hours) (after|before)", story)
    for amount, rel in offsets:
        day += _days(amount) * (1 if rel == "after" else -1)
    phrase = q.split(" in MM/DD/YYYY")[0]
    fixed = {
        "today": 0,
        "tomorrow": 1,
        "yesterday": -1,
        "24 hours later": 1,
        "one week from today": 7,
        "one week ago from today": -7,
    }
    if phrase in fixed:
        day += fixed[phrase]
    else:
        m2 = re.fullmatch(r"(.+?) (from today|ago)", phrase)
        assert m2, phrase
        day += _days(m2.group(1)) * (1 if m2.group(2) == "from today" else -1)
    return dt.date.fromordinal(day)


def test_generated_answers_match_independent_solver() -> None:
    for inst in sb.generate("date_understanding", 40, seed=6, units="days_weeks", formats="us", hops=3):
        want = solve_days_only(inst.question.split("\n")[0])
        letter = inst.answer.strip("()")
        assert inst.data["options"][LETTERS.index(letter)] == want.strftime("%m/%d/%Y"), inst.id


def test_options_distinct_and_one_true() -> None:
    for inst in sb.generate("date_understanding", 50, seed=7):
        opts = inst.data["options"]
        assert len(set(opts)) == len(opts)
        ans = dt.date.fromisoformat(inst.data["answer_date"])
        assert opts.count(ans.strftime("%m/%d/%Y")) == 1


def test_letters_spread() -> None:
    letters = {i.answer for i in sb.generate("date_understanding", 60, seed=1, complexity=3)}
    assert len(letters) >= 5


@pytest.mark.parametrize("form", ["({L})", "{L}", "{L})", "{l}", "Option {L}", "({L}) {T}", "{T}"])
def test_option_forms_accepted(form: str) -> None:
    inst = sb.generate("date_understanding", 1, seed=3, complexity=3)[0]
    letter = inst.answer.strip("()")
    text = inst.data["options"][LETTERS.index(letter)]
    reply = form.format(L=letter, l=letter.lower(), T=text)
    assert sb.verify(inst, f"<<<{reply}>>>").correct, reply


def test_wrong_and_ambiguous_options_fail() -> None:
    inst = sb.generate("date_understanding", 1, seed=3, complexity=3)[0]
    letter = inst.answer.strip("()")
    idx = LETTERS.index(letter)
    other = (idx + 1) % len(inst.data["options"])
    v = sb.verify(inst, f"<<<({LETTERS[other]})>>>")
    assert not v.correct and v.reason.startswith("wrong")
    # the right letter with another option's text is contradictory, not a pass
    v = sb.verify(inst, f"<<<({letter}) {inst.data['options'][other]}>>>")
    assert not v.correct and v.reason.startswith("malformed")
    assert sb.verify(inst, "<<<(Z)>>>").reason.startswith("malformed")
    assert sb.verify(inst, "<<<01/01/0001>>>").reason.startswith("malformed")


def test_shift_refuses_ambiguous_month_and_year_moves() -> None:
    assert shift(dt.date(2024, 1, 31), "months", 1) is None
    assert shift(dt.date(2024, 2, 29), "years", 1) is None
    assert shift(dt.date(2024, 2, 29), "years", 4) == dt.date(2028, 2, 29)
    assert shift(dt.date(2023, 12, 15), "months", 2) == dt.date(2024, 2, 15)
    assert shift(dt.date(2000, 2, 28), "days", 1) == dt.date(2000, 2, 29)


def test_knob_cross_validation() -> None:
    with pytest.raises(ValueError, match="year_lo"):
        sb.generate("date_understanding", 1, seed=0, year_lo=2000, year_hi=1990)


@pytest.mark.skipif(not BBH.is_file(), reason=f"BBH date sample not found at {BBH}")
def test_reference_loads_options() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "date_understanding"))
    assert len(items) == 16
    first = items[0]
    assert first.answer == "(B)" and first.data["options"][1] == "12/25/1937"
    assert "<<<(B)>>>" in first.question  # our format sentence was appended
    assert sb.verify(first, "<<<12/25/1937>>>").correct
