"""The shared helpers: one number parser with one exponent cap, one reader of reference sample folders."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import codesteer.symbench as sb
from codesteer.symbench._parse import MAX_EXPONENT, ParseError, parse_number
from tests.conftest import REFERENCE_DATA as REFERENCE


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


def test_one_sort_key_orders_numbers_as_numbers() -> None:
    from codesteer.symbench._samples import sort_key

    for group in (["sample_2", "sample_9", "sample_10"], ["BoxLift_10_3/BoxLift2", "BoxLift_10_3/BoxLift10"],
                  ["digit_4_4", "digit_12_12", "digit_20_20"], ["24/24.csv", "24/24_8_number.csv", "24/24_20_number.csv"]):
        assert sorted(reversed(group), key=sort_key) == group


def _sample(d: Path, question: str | None, solution: str | None, qname: str = "question.txt") -> None:
    d.mkdir(parents=True)
    if question is not None:
        (d / qname).write_text(question, encoding="utf-8")
    if solution is not None:
        (d / "solution.json").write_text(solution, encoding="utf-8")


def test_read_samples_reads_in_order_and_reports_what_it_leaves_out(tmp_path: Path) -> None:
    from codesteer.symbench._samples import _skipped, read_samples, stored_complexity, stored_value

    _sample(tmp_path / "a" / "sample_10", "q10", '{"solution": [1], "complexity": 3}')
    _sample(tmp_path / "a" / "sample_2", "q2", "not json")
    _sample(tmp_path / "a" / "sample_3", None, "{}")
    (tmp_path / "a" / "sample_4").mkdir()
    (tmp_path / "a" / "sample_4" / "question.txt").write_bytes(b"\xff\xfe\xfa")
    _sample(tmp_path / "b" / "sample_0", "qb", "[1, 2]")
    (tmp_path / "a" / "sample_5.txt").write_text("a file, not a folder")
    found: list[tuple[str, str]] = []
    token = _skipped.set(found)
    try:
        got = list(read_samples(tmp_path, "a", "b", "missing"))
    finally:
        _skipped.reset(token)
    assert [(s.source, s.question) for s in got] == [("a/sample_2", "q2"), ("a/sample_10", "q10"), ("b/sample_0", "qb")]
    assert [s.solution for s in got] == [None, {"solution": [1], "complexity": 3}, [1, 2]]
    assert found == [("a/sample_3", "question.txt missing"), ("a/sample_4", "question.txt unreadable")]
    assert stored_value(got[1].solution, "solution") == [1] and stored_value(got[2].solution, "solution") is None
    assert stored_complexity(got[1].solution) == 3 and stored_complexity({"complexity": True}) is None


def test_varied_complexity_folders_load_in_numeric_order(tmp_path: Path) -> None:
    """``complexity10`` used to load before ``complexity2`` (and ``digit_12`` before ``digit_4``)."""
    src = REFERENCE / "combinatorial_calculation" / "sample_0"
    if not src.is_dir():
        pytest.skip(f"no published combinatorial_calculation sample in {REFERENCE}")
    varied = tmp_path / "combinatorial_calculation_varied_complexity"
    for level in (10, 2):
        shutil.copytree(src, varied / f"combinatorial_calculation_complexity{level}" / "sample_0")
    sources = [i.data["reference"]["source"] for i in sb.load_reference(tmp_path, "combinatorial_calculation")]
    assert [s.split("/")[1] for s in sources] == [
        "combinatorial_calculation_complexity2", "combinatorial_calculation_complexity10"]
