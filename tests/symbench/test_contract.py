"""The API contract every registered task must keep (issue: SymBench core).

Task-specific behaviour (near misses, second valid answers found by an independent solver) lives in
``test_<task>.py``; this file checks what is common: determinism, reference answers pass, wrong/malformed/
missing/hostile answers fail without raising or side effects, knob validation, JSON round trips.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA

ALL = [t.name for t in sb.tasks()]


def test_registry_nonempty_and_named_uniquely() -> None:
    assert ALL and len(ALL) == len(set(ALL))


@pytest.mark.parametrize("name", ALL)
def test_info_complete(name: str) -> None:
    info = next(t for t in sb.tasks() if t.name == name)
    assert info.title and info.description and isinstance(info.seen, bool)
    assert sorted(info.presets) == [1, 2, 3, 4, 5]
    json.dumps(info.to_dict())


@pytest.mark.parametrize("name", ALL)
def test_deterministic_and_seed_sensitive(name: str) -> None:
    a = [i.to_json() for i in sb.generate(name, 5, seed=7)]
    b = [i.to_json() for i in sb.generate(name, 5, seed=7)]
    c = [i.to_json() for i in sb.generate(name, 5, seed=8)]
    assert a == b
    assert a != c
    # a shorter list is a prefix of a longer one
    assert a[:3] == [i.to_json() for i in sb.generate(name, 3, seed=7)]
    ids = [json.loads(x)["id"] for x in a]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", ALL)
def test_reference_answers_pass_over_all_complexities(name: str) -> None:
    insts = sb.generate(name, 50, seed=2024)
    assert {i.complexity for i in insts} == {1, 2, 3, 4, 5}
    for inst in insts:
        assert "<<<" in inst.question and ">>>" in inst.question, "question must demand <<<...>>>"
        assert inst.answer.strip(), inst.id
        v = sb.verify(inst, f"Reasoning...\nFinal answer: <<<{inst.answer}>>>")
        assert v.correct and v.score == 1.0 and v.reason == "ok", (inst.id, inst.answer, v)
        assert sb.Instance.from_dict(json.loads(inst.to_json())) == inst


@pytest.mark.parametrize("name", ALL)
def test_missing_and_malformed_fail(name: str) -> None:
    inst = sb.generate(name, 1, seed=3, complexity=3)[0]
    v = sb.verify(inst, inst.answer)  # the right text but without <<< >>>
    assert not v.correct and v.reason == "no <<<answer>>> found"
    for bad in ["<<<>>>", "<<<@@@ not an answer %%%>>>", "<<<[[[[>>>", "<<<None>>>"]:
        v = sb.verify(inst, bad)
        assert not v.correct and v.score == 0.0, (bad, v)
    # the last <<<>>> counts: a correct answer followed by a wrong one fails
    v = sb.verify(inst, f"<<<{inst.answer}>>> no wait <<<@@@>>>")
    assert not v.correct


HOSTILE = [
    "<<<__import__('os').system('touch {marker}')>>>",
    "<<<exec(\"open('{marker}','w')\")>>>",
    "<<<" + "[" * 1_000_000 + ">>>",
    "<<<" + "(" * 5000 + "1" + ")" * 5000 + ">>>",
    "<<<" + "[" * 3000 + "1" + "]" * 3000 + ">>>",
    "<<<\x00\x00\x00>>>",
    "<<<1\x002\x003>>>",
    "<" * 1_000_000,
    ">>>" * 100_000,
    "<<<" + "9" * 100_000 + ">>>",
    "<<<" + "1, " * 50_000 + ">>>",
    "<<<9**9**9**9>>>",
    "<<<{'a': 1}>>>",
    "<<<\ud800>>>",
]


@pytest.mark.parametrize("name", ALL)
def test_hostile_replies_score_zero_without_side_effects(name: str, tmp_path: Path) -> None:
    inst = sb.generate(name, 1, seed=5, complexity=2)[0]
    marker = tmp_path / "pwned"
    for reply in HOSTILE:
        v = sb.verify(inst, reply.replace("{marker}", str(marker)))
        assert isinstance(v, sb.Verdict)
        assert not v.correct and v.score == 0.0, (reply[:40], v)
    assert not marker.exists()
    assert not sb.verify(inst, None).correct  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ALL)
def test_knob_validation(name: str) -> None:
    with pytest.raises(ValueError, match="valid knobs"):
        sb.generate(name, 1, seed=0, no_such_knob=1)
    with pytest.raises(ValueError, match="complexity"):
        sb.generate(name, 1, seed=0, complexity=6)
    info = next(t for t in sb.tasks() if t.name == name)
    for knob in info.knobs.values():
        if knob.type in (int, float) and knob.hi is not None:
            with pytest.raises(ValueError, match=knob.name):
                sb.generate(name, 1, seed=0, **{knob.name: knob.hi + 1})
        if knob.choices is not None:
            with pytest.raises(ValueError, match=knob.name):
                sb.generate(name, 1, seed=0, **{knob.name: "__not_a_choice__"})


def test_unknown_task() -> None:
    with pytest.raises(ValueError, match="valid tasks"):
        sb.generate("no_such_task", 1, seed=0)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300))
def test_fuzz_verify_never_raises(name: str, text: str) -> None:
    inst = _first(name)
    for reply in (text, f"<<<{text}>>>"):
        v = sb.verify(inst, reply)
        assert 0.0 <= v.score <= 1.0


_CACHE: dict[str, sb.Instance] = {}


def _first(name: str) -> sb.Instance:
    if name not in _CACHE:
        _CACHE[name] = sb.generate(name, 1, seed=11, complexity=4)[0]
    return _CACHE[name]


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason=f"reference data not found at {REFERENCE_DATA}")
@pytest.mark.parametrize("name", ALL)
def test_reference_conformance(name: str) -> None:
    """Published instances load, and the (recomputed) truth passes our verifier."""
    task = sb.get_task(name)
    if not any((REFERENCE_DATA / d).exists() for d in task.reference_dirs):
        pytest.skip(f"no published sample for {name} in {REFERENCE_DATA}")
    items = list(sb.load_reference(REFERENCE_DATA, name))
    assert items, f"{name}: nothing loaded from {task.reference_dirs}"
    for inst in items:
        assert inst.task == name and inst.id.startswith(f"ref-{name}-")
        v = sb.verify(inst, f"<<<{inst.answer}>>>")
        assert v.correct, (inst.id, inst.answer, v)
        assert "reference" in inst.data


def test_load_reference_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(sb.load_reference(tmp_path / "nope"))
    assert os.path.isdir(tmp_path)


def test_parsers_hold_against_huge_exponents_and_quoted_lists() -> None:
    from codesteer.symbench._parse import ParseError, clean, parse_int_list, parse_number, split_items

    with pytest.raises(ParseError, match="exponent"):
        parse_number("1e9999999")
    assert parse_number("2.5e3") == 2500
    assert split_items("'a', 'b'") == ["a", "b"]
    assert parse_int_list("'1', '2'") == [1, 2]
    assert clean('"abc"') == "abc"


# Tasks whose answers are real numbers, where ``12e0`` is a fair way to write 12 (the value is what is checked).
REAL_VALUED = {"gsm_hard", "new_operator", "path_plan", "pooling"}
# GSM-Hard keeps the paper's judge: a 1e-3 relative tolerance and trailing unit words ("12 apples"), so a
# ".5" on a large number or a trailing word is within its stated rule.
TOLERANT = {"gsm_hard"}
_INT_TOKEN = re.compile(r"(?<![\w.])\d+(?![\w.])")


@pytest.mark.parametrize("name", ALL)
def test_integers_in_answers_are_read_strictly(name: str) -> None:
    """Every integer of a right answer, rewritten as a non-integer, in exponent form or with trailing garbage,
    makes the answer fail (issue 18: "Count: 1.5" passed for a count of 1)."""
    forms = ["{}e309"] + ([] if name in TOLERANT else ["{}.5", "{}x"]) + ([] if name in REAL_VALUED else ["{}e0"])
    for inst in sb.generate(name, 10, seed=11):
        for m in list(_INT_TOKEN.finditer(inst.answer))[:6]:
            for form in forms:
                text = inst.answer[: m.start()] + form.format(m.group()) + inst.answer[m.end():]
                v = sb.verify(inst, f"<<<{text}>>>")
                assert not v.correct, (inst.id, inst.answer, text)
