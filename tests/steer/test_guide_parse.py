"""Reading a guide's decision: small guides get the brackets wrong, never the word."""

from __future__ import annotations

import pytest

from codesteer.steer._guide import parse_guide


@pytest.mark.parametrize("raw, decision", [
    ("<<<Return Answer>>>", "return"),
    ("<<<Return Answer>>", "return"),  # seen from Qwen2.5-Coder-0.5B in the pilot: it became guidance
    ("<<Return Answer>>>", "return"),
    ("The check printed Correct.\n<<<Terminate>>", "terminate"),
    ("Return Answer", "return"),
])
def test_a_control_word_in_malformed_brackets_is_still_the_decision(raw: str, decision: str) -> None:
    assert parse_guide(raw, first_turn=False) == (decision, "")


def test_first_turn_code_or_text_in_malformed_brackets() -> None:
    assert parse_guide("Exact arithmetic: <<<Code>>", first_turn=True)[0] == "code"
    assert parse_guide("<<Text>>", first_turn=True)[0] == "text"


@pytest.mark.parametrize("raw", [
    "Please return the answer only after you check the product again.",
    "<<<Return the answer as an integer>>>",
    "<<<Terminate the loop early if needed and recompute>>>",
])
def test_prose_that_mentions_a_control_word_stays_guidance(raw: str) -> None:
    assert parse_guide(raw, first_turn=False)[0] == "guidance"
