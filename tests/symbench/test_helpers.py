"""The shared helpers: one number parser with one exponent cap, one reader of reference sample folders."""

from __future__ import annotations

from fractions import Fraction

import pytest

import codesteer.symbench as sb
from codesteer.symbench._parse import MAX_EXPONENT, ParseError, parse_number


def test_one_exponent_cap_for_every_task() -> None:
    assert parse_number(f"1e{MAX_EXPONENT}") == 10**MAX_EXPONENT
    assert parse_number(f"-2.5E-{MAX_EXPONENT}") == Fraction(-25, 10 ** (MAX_EXPONENT + 1))
    for bad in (f"1e{MAX_EXPONENT + 1}", "1e-150", "1 e 500", "1e0005", "1e" + "9" * 4000):
        with pytest.raises(ParseError, match="exponent"):
            parse_number(bad)


@pytest.mark.parametrize("name", ["pooling", "new_operator"])
def test_strict_numeric_tasks_refuse_exponents_past_the_cap(name: str) -> None:
    inst = sb.generate(name, 1, seed=3)[0]
    v = sb.verify(inst, "<<<1e150>>>")
    assert v.reason.startswith("malformed") and "exponent" in v.reason, v.reason
