"""GSM-Hard: independent float recomputation per template, the 1e-3 tolerance, number readers, jsonl files."""

from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer import symbench as sb
from codesteer.symbench.suite.gsm_hard import read_number, render_number
from tests.conftest import REFERENCE_DATA

JSONL = REFERENCE_DATA / "gsmhardv2.jsonl"

FORMULAS = {
    "robe": lambda v: v["a"] * 1.5,
    "sprints": lambda v: v["a"] * v["b"] * v["c"],
    "tank": lambda v: v["a"] / (v["b"] - v["c"]),
    "eggs": lambda v: (v["a"] - v["b"] - v["c"]) * v["d"],
    "flip": lambda v: v["a"] * v["p"] / 100 - v["b"],
    "speed": lambda v: v["a"] / v["b"] + v["c"] / v["d"],
    "share": lambda v: (v["a"] - v["b"] - v["c"]) / v["k"],
    "class": lambda v: v["n"] * (1 - v["p"] / 100) * (1 - v["q"] / 100),
    "bakery": lambda v: v["a"] * v["b"] * v["p"] - v["c"],
    "wage": lambda v: 40 * v["r"] + (v["h"] - 40) * 1.2 * v["r"],
    "savings": lambda v: v["a"] * v["w"] - v["b"] - v["c"] * v["m"],
    "garden": lambda v: v["a"] * v["b"] * v["c"] * (100 - v["d"]) / 100,
}


def test_every_template_matches_float_recomputation() -> None:
    seen = set()
    for inst in sb.generate("gsm_hard", 150, seed=12):
        d = inst.data
        seen.add(d["template"])
        want = FORMULAS[d["template"]](d["values"])
        got = float(Fraction(d["target"]))
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (inst.id, got, want)
        for v in d["values"].values():
            assert str(v) in inst.question
    assert seen == set(FORMULAS)


def test_tolerance_boundary() -> None:
    inst = next(
        i for i in sb.generate("gsm_hard", 20, seed=1, complexity=3) if Fraction(i.data["target"]) != 0
    )
    t = Fraction(inst.data["target"])
    assert sb.verify(inst, f"<<<{float(t * Fraction(10005, 10000))}>>>").correct  # 0.05% off
    v = sb.verify(inst, f"<<<{float(t * Fraction(1003, 1000))}>>>")  # 0.3% off
    assert not v.correct and v.reason.startswith("wrong")
    strict = sb.generate("gsm_hard", 1, seed=1, complexity=3, rel_tol=0.0)[0]
    assert not sb.verify(strict, f"<<<{Fraction(strict.data['target']) + 1}>>>").correct


def test_large_magnitude_is_exact() -> None:
    inst = sb.generate("gsm_hard", 1, seed=5, complexity=5, rel_tol=0.0)[0]
    t = Fraction(inst.data["target"])
    assert sb.verify(inst, f"<<<{inst.answer}>>>").correct
    if t.denominator == 1:
        assert sb.verify(inst, f"<<<{t.numerator:,}>>>").correct
        assert not sb.verify(inst, f"<<<{t.numerator + 1}>>>").correct


@pytest.mark.parametrize(
    ("text", "value"),
    [("$1,234.50", Fraction(246_9, 2)), ("12 dollars", Fraction(12)), ("-9867630.0", Fraction(-9867630)),
     ("7/3", Fraction(7, 3)), ("1.5e3", Fraction(1500)), ("\\$42", Fraction(42)), ("(3+4)*2", Fraction(14))],
)  # fmt: skip
def test_read_number(text: str, value: Fraction) -> None:
    assert read_number(text) == value


@pytest.mark.parametrize("bad", ["about twelve", "12 or 13", "$", "1/0", "2**100000", "__import__('os')"])
def test_read_number_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        read_number(bad)


def test_render_number() -> None:
    assert render_number(Fraction(-9867630)) == "-9867630"
    assert render_number(Fraction(5, 2)) == "2.5"
    assert abs(float(render_number(Fraction(1, 3))) - 1 / 3) < 1e-9


@pytest.mark.skipif(not JSONL.is_file(), reason=f"GSM-Hard sample not found at {JSONL}")
def test_reference_loads_without_running_code() -> None:
    items = list(sb.load_reference(REFERENCE_DATA, "gsm_hard"))
    assert len(items) == 16
    assert items[0].answer == "-9867630" and items[0].id == "ref-gsm_hard-gsmhardv2.jsonl#1"
    assert "code" not in items[0].data and "def solution" not in items[0].question
    assert sb.verify(items[0], "<<<-9,867,630>>>").correct
    assert sb.verify(items[0], "<<<-9870000>>>").correct  # within the reference judge's 1e-3
    assert not sb.verify(items[0], "<<<9867630>>>").correct
