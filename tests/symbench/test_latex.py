"""The LaTeX answer parser: equivalent forms agree, different values do not, hostile text is refused fast."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesteer.symbench._parse import ParseError
from codesteer.symbench.suite import _latex as mu

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(
    ("gold", "answer"),
    [
        ("\\frac{1}{2}", "0.5"), ("\\dfrac{1001}{2003}", "1001/2003"), ("\\tfrac12", "\\frac{1}{2}"),
        ("1,\\!000,\\!000", "1000000"), ("1{,}000", "1,000"), ("(18, -18)", "(18,-18)"),
        ("12\\pi", "12*pi"), ("12\\pi", "12π"), ("\\frac{3\\sqrt{2}}{4}", "3sqrt(2)/4"), ("2\\sqrt2", "\\sqrt{8}"),
        ("110^\\circ", "110"), ("110", "110°"), ("7\\text{ cm}", "7"), ("400", "400 square inches"),
        ("\\sqrt[3]{8}", "2"), ("\\binom{5}{2}", "10"), ("120", "5!"), ("\\pi r^2", "r^{2}\\pi"),
        ("5", "x = 5"), ("\\sqrt{2}", "√2"), ("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"),
        ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{5+2\\sqrt{6}}"), ("\\$42", "42"), ("$\\frac{7}{33}$", "\\(\\frac{7}{33}\\)"),
        ("\\left(\\frac{1}{2}\\right)^2", "1/4"), ("2\\cdot 3", "6"), ("3 \\times 10^3", "3000"),
        ("[1,2)", "[1, 2)"), ("\\text{Monday}", "monday"), ("\\boxed{6}", "6"), ("25\\%", "25"),
    ],
)  # fmt: skip
def test_equivalent_forms_pass(gold: str, answer: str) -> None:
    assert mu.check_math(gold, answer).correct, (gold, answer)


@pytest.mark.parametrize(
    ("gold", "answer"),
    [
        ("\\frac{1}{2}", "0.51"), ("12\\pi", "12"), ("(18,-18)", "(-18,18)"), ("\\sqrt2", "1.41421356"),
        ("\\frac{5}{324}", "0.0154"), ("[1,2)", "(1,2)"), ("\\pi r^2", "2\\pi r"), ("(1,2)", "(1,2,3)"),
        ("\\frac{12}{13}", "\\frac{13}{12}"),
    ],
)  # fmt: skip
def test_different_values_fail(gold: str, answer: str) -> None:
    try:
        v = mu.check_math(gold, answer)
    except ParseError:
        return
    assert not v.correct and v.reason.startswith("wrong"), (gold, answer)


@pytest.mark.parametrize(
    "bad",
    [
        "9**9**9**9", "9^{9^{9^{9}}}", "\\frac{1}{0}", "(" * 60 + "1" + ")" * 60, "__import__('os').system('x')",
        "1001!", "10001!", "\\binom{100000}{3}", "open('f')", "lambda: 1", "x.y", "1 if 1 else 2",
        "\\unknown{3}", "2 2", "\\frac{1}", "{'a': 1}", "x = y = 3", "1 < 2", "",
    ],
)  # fmt: skip
def test_hostile_or_unreadable_text_is_parse_error(bad: str) -> None:
    t = time.perf_counter()
    with pytest.raises(ParseError):
        mu.to_sympy(bad)
    assert time.perf_counter() - t < 2.0


def test_last_boxed() -> None:
    assert mu.last_boxed("a \\boxed{1} b \\boxed{\\frac{1}{2}} c") == "\\frac{1}{2}"
    assert mu.last_boxed("so \\boxed 5$.") == "5"
    assert mu.last_boxed("\\fbox{x^{2}}") == "x^{2}"
    assert mu.last_boxed("no box") is None
    assert mu.last_boxed("\\boxed{unclosed") is None


def test_no_sympify_or_parse_expr_in_source() -> None:
    src = Path(mu.__file__).read_text()
    code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("#", '"', "``")))
    for name in ("sympify(", "parse_expr(", "eval(", "exec("):
        assert name not in code.replace("literal_eval(", ""), name


@SETTINGS
@given(p=st.integers(-(10**6), 10**6), q=st.integers(1, 10**6))
def test_fraction_forms_agree(p: int, q: int) -> None:
    f = Fraction(p, q)
    latex = f"\\frac{{{f.numerator}}}{{{f.denominator}}}"
    assert mu.check_math(latex, f"{f.numerator}/{f.denominator}").correct
    assert mu.check_math(latex, f"\\dfrac{{{p}}}{{{q}}}").correct
    assert not mu.check_math(latex, f"{f.numerator + 1}/{f.denominator}").correct


@SETTINGS
@given(c=st.integers(1, 50), r=st.integers(2, 60))
def test_radical_forms_agree(c: int, r: int) -> None:
    assert mu.check_math(f"{c}\\sqrt{{{r}}}", f"sqrt({c * c * r})").correct
    assert mu.check_math(f"\\frac{{{c}\\sqrt{{{r}}}\\pi}}{{7}}", f"{c}*sqrt({r})*pi/7").correct


_ALPHABET = st.sampled_from(list("0123456789+-*/^()[]{},.!=<> \\abcdefghijklmnopqrstuvwxyzπ√°$%") +
                            ["\\frac", "\\sqrt", "\\pi", "\\binom", "\\left", "\\right", "\\text{", "\\cdot",
                             "\\dfrac", "^{", "**", "\\!", "\\boxed{"])  # fmt: skip


@SETTINGS
@given(parts=st.lists(_ALPHABET, max_size=40))
def test_fuzz_parser_only_raises_parse_error(parts: list[str]) -> None:
    text = "".join(parts)
    t = time.perf_counter()
    try:
        mu.to_sympy(text)
    except ParseError:
        pass
    try:
        mu.check_math("\\frac{3\\sqrt{2}}{4}", text)
    except ParseError:
        pass
    assert time.perf_counter() - t < 3.0


@SETTINGS
@given(text=st.text(max_size=120))
def test_fuzz_arbitrary_text(text: str) -> None:
    try:
        v = mu.check_math("12\\pi", text)
        assert v.reason.startswith(("ok", "wrong"))
    except ParseError:
        pass
