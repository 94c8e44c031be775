"""The AST symbolic checker on a labelled set (tests/steer/symbolic_snippets), against the paper's regex heuristic.

The set: code harvested from the measured run (docs/measured/full-results.sqlite.gz), code written the way strong
models answer SymBench tasks, and the original 42 snippets; labels.json holds each label, its source and its part.
The held-out part was fixed by a seeded rule before the rules were tuned and was never tuned on; its accuracy is
the one the README reports.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesteer.steer import symbolic_check
from codesteer.steer._records import TaskTurn
from codesteer.steer._views import feedback_block

SNIPPETS = Path(__file__).parent / "symbolic_snippets"
MANIFEST = json.loads((SNIPPETS / "labels.json").read_text(encoding="utf-8"))["snippets"]
# Accuracy of the hard-coded verdict. Tuned part: what the rules must keep (measured 152/154 = 0.987; the two
# misses are documented in the README). Held-out part: measured 80/80 = 1.00 when first evaluated (48 chosen by
# the seeded rule, then 32 written after the rules were frozen), minus a margin of three snippets (3/80 ~ 0.04)
# so a change may trade a case for another but not slide.
TUNE_MIN = 0.97
HELDOUT_MEASURED = 1.00
HELDOUT_MIN = HELDOUT_MEASURED - 0.04
BATCH2 = "written after tuning (batch 2)"


def is_heldout(entry: dict) -> bool:
    """The seeded rule that fixed the held-out third before tuning (the original 42 always stay in tuning), plus
    every snippet of batch 2, written after the rules were frozen."""
    if entry["source"].startswith(BATCH2):
        return True
    if entry["source"].startswith("original set"):
        return False
    return int(hashlib.sha256(f"issue22-heldout:{entry['file']}".encode()).hexdigest(), 16) % 3 == 0


def part(name: str) -> list[tuple[str, str, bool, bool]]:
    return [(e["file"], (SNIPPETS / e["file"]).read_text(encoding="utf-8"), e["hardcoded"], e["symbolic"])
            for e in MANIFEST if e["part"] == name]


def confusion(verdicts: list[tuple[bool, bool]]) -> dict[str, int]:
    """(predicted hard-coded, labelled hard-coded) pairs -> tp/fp/fn/tn counts."""
    return {"tp": sum(p and t for p, t in verdicts), "fp": sum(p and not t for p, t in verdicts),
            "fn": sum(t and not p for p, t in verdicts), "tn": sum(not p and not t for p, t in verdicts)}


def paper_heuristic(code: str) -> tuple[bool, bool]:
    """The reference's regex checker (method.md §2.1), as (hardcoded, symbolic): score <= 2 means 'not complex
    enough', its stand-in for hard-coding; loops or 'import itertools' (first name only) mean searching."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return (True, False)
    searching = False
    binops = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.While)):
            searching = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and node.names and "itertools" in node.names[0].name:
            searching = True
        elif isinstance(node, ast.BinOp):
            binops += 1
    score = (len(re.findall(r"for|while", code)) + len(re.findall(r"if|elif|else", code))
             + len(re.findall(r"try|except", code)) + 0.25 * binops)
    return (score <= 2, searching)


def test_manifest_is_whole_and_split_by_the_seeded_rule() -> None:
    files = {p.name for p in SNIPPETS.glob("*.py")}
    listed = [e["file"] for e in MANIFEST]
    assert len(listed) == len(set(listed)) == len(files) and set(listed) == files
    assert len(MANIFEST) >= 120
    for e in MANIFEST:
        assert e["part"] == ("heldout" if is_heldout(e) else "tune"), e["file"]
        assert e["source"].split(":")[0] in ("harvested", "written", "original set", BATCH2), e["file"]
    new = [e for e in MANIFEST if not e["source"].startswith(("original set", BATCH2))]
    held = [e for e in new if e["part"] == "heldout"]
    assert 0.25 <= len(held) / len(new) <= 0.40  # about a third
    assert sum(e["source"].startswith("harvested") for e in MANIFEST) >= 50
    assert any(e["hardcoded"] for e in held) and any(not e["hardcoded"] for e in held)


def test_accuracy_on_the_tuned_part() -> None:
    snippets = part("tune")
    hard = sum(symbolic_check(code).hardcoded == h for _, code, h, _ in snippets) / len(snippets)
    sym = sum(symbolic_check(code).symbolic == s for _, code, _, s in snippets) / len(snippets)
    assert hard >= TUNE_MIN and sym >= TUNE_MIN, (hard, sym)


def test_heldout_accuracy_holds_and_beats_the_paper_heuristic(capsys: pytest.CaptureFixture[str]) -> None:
    snippets = part("heldout")
    ours = [(symbolic_check(code).hardcoded, h) for _, code, h, _ in snippets]
    paper = [(paper_heuristic(code)[0], h) for _, code, h, _ in snippets]
    ours_sym = sum(symbolic_check(code).symbolic == s for _, code, _, s in snippets) / len(snippets)
    paper_sym = sum(paper_heuristic(code)[1] == s for _, code, _, s in snippets) / len(snippets)
    acc = sum(p == t for p, t in ours) / len(ours)
    paper_acc = sum(p == t for p, t in paper) / len(paper)
    with capsys.disabled():
        print(f"\nheld-out ({len(snippets)} snippets) hard-coded accuracy: ours {acc:.3f} {confusion(ours)}, "
              f"paper heuristic {paper_acc:.3f} {confusion(paper)}; symbolic accuracy ours {ours_sym:.3f}, "
              f"paper {paper_sym:.3f}")
    assert acc >= HELDOUT_MIN
    assert paper_acc < acc and paper_sym <= ours_sym


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_every_report_is_well_formed(entry: dict) -> None:
    r = symbolic_check((SNIPPETS / entry["file"]).read_text(encoding="utf-8"))
    assert r.summary and 0 <= r.score <= 10
    if r.parsed and r.features["prints"]:
        reason = r.features["reason"]
        assert "\n" not in reason and reason in r.summary
        assert reason.startswith("HARD-CODED" if r.hardcoded else "COMPUTED")
    if r.hardcoded:
        assert "HARD-CODED" in r.summary and r.score <= 1


def test_from_import_detected() -> None:
    r = symbolic_check("from itertools import permutations\nprint(list(permutations([1, 2])))")
    assert r.symbolic and "itertools" in r.features["search_libs"]


def test_unparsable_code_reports_it() -> None:
    r = symbolic_check("def f(:\n")
    assert not r.parsed and r.score == 0 and "does not parse" in r.summary


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(code: str) -> None:
    r = symbolic_check(code)
    assert isinstance(r.summary, str)


# --- the seven kinds of miss in issue 22: each failed on the checker before data flow decided it ---------------

def test_backtracking_that_appends_to_a_list_argument_is_computed() -> None:
    code = (
        "def backtrack(path, remaining, out):\n"
        "    if not remaining:\n"
        "        out.append(path[:])\n"
        "        return\n"
        "    for i, x in enumerate(remaining):\n"
        "        backtrack(path + [x], remaining[:i] + remaining[i + 1:], out)\n"
        "\n"
        "solutions = []\n"
        "backtrack([], [1, 2, 3], solutions)\n"
        "print(f'<<<{solutions}>>>')\n"
    )
    r = symbolic_check(code)
    assert not r.hardcoded and r.symbolic, r.summary


def test_arithmetic_over_the_questions_literals_is_computed() -> None:
    for code in ("a = 123456789\nb = 987654321\nprint(a * b)", "print(f'<<<{-2 * -9 * -97}>>>')",
                 "print(4 * 32 * 7321)"):
        r = symbolic_check(code)
        assert not r.hardcoded, (code, r.summary)
        assert "arithmetic" in r.summary, r.summary


def test_sorting_literals_then_combining_them_is_computed() -> None:
    r = symbolic_check("nums = sorted([7, 2, 9, 4])\nprint(f'<<<{nums[-1] * nums[-2] - nums[0]}>>>')")
    assert not r.hardcoded, r.summary


def test_indexing_literals_then_combining_them_is_computed() -> None:
    r = symbolic_check("cards = [3, 8, 8, 10]\nprint(f'<<<{cards[1] / (cards[0] - cards[1] / cards[2])}>>>')")
    assert not r.hardcoded, r.summary


def test_constant_returned_from_a_function_is_hardcoded() -> None:
    code = (
        "def solve():\n"
        "    # the queens, placed by reasoning\n"
        "    return [0, 4, 7, 5, 2, 6, 1, 3]\n"
        "\n"
        "print(f'<<<{solve()}>>>')\n"
    )
    r = symbolic_check(code)
    assert r.hardcoded, r.summary
    assert "solve" in r.summary, r.summary


def test_loop_that_only_prints_a_constant_list_is_hardcoded() -> None:
    code = (
        "moves = ['Move B from stack3 to stack2', 'Move A from stack1 to stack3']\n"
        "print('<<<', end='')\n"
        "for m in moves:\n"
        "    print(m)\n"
        "print('>>>')\n"
    )
    r = symbolic_check(code)
    assert r.hardcoded and r.symbolic, r.summary


def test_constant_solution_joined_into_the_answer_is_hardcoded() -> None:
    for code in (
        "grid = [[1, 2], [2, 1]]\nrows = '\\n'.join(','.join(map(str, row)) for row in grid)\nprint(f'<<<{rows}>>>')",
        "path = [(0, 0), (0, 1), (1, 1)]\nprint('<<<' + ', '.join(f'({r}, {c})' for r, c in path) + '>>>')",
        "answer = {'x': 3, 'y': 5}\nprint('<<<{}>>>'.format(', '.join(str(v) for v in answer.values())))",
    ):
        r = symbolic_check(code)
        assert r.hardcoded, (code, r.summary)


def test_the_guide_reads_the_one_line_reason() -> None:
    code = "def solve():\n    return [0, 4, 7, 5, 2, 6, 1, 3]\n\nprint(f'<<<{solve()}>>>')"
    turn = TaskTurn(index=0, prompt="q", reply=f"```python\n{code}\n```", code=code, symbolic=symbolic_check(code))
    block = feedback_block(turn)
    reason = turn.symbolic.features["reason"]  # type: ignore[union-attr]
    assert reason in block and "the return value of solve()" in reason


def test_reasons_name_the_computation() -> None:
    cases = {
        "from itertools import permutations\nbest = max(permutations([3, 1, 2]))\nprint(f'<<<{best}>>>')": "max()",
        "s = 'stressed'\nprint(f'<<<{s[::-1]}>>>')": "slicing",
        "def f(n):\n    return 1 if n < 2 else n * f(n - 1)\nprint(f(5))": "recursion in f()",
        "for x in [1, 2, 3, 4]:\n    if x > 2:\n        print(f'<<<{x}>>>')": "a search",
        "import random\nok = random.random() > 0.5\nprint('<<<Yes>>>' if ok else '<<<No>>>')": "a choice made by the test",
        "q = []\nq.sort()\nprint(q)": "changed by .sort()",
    }
    for code, words in cases.items():
        r = symbolic_check(code)
        assert not r.hardcoded and words in r.features["reason"], (code, r.features["reason"])


def test_hostile_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = (f"import os\nopen({str(marker)!r}, 'w').write('x')\nos.system('touch {marker}')\n"
            f"__import__('os').remove({str(marker)!r})\nprint('<<<' + 'x' * 10 + '>>>')")
    r = symbolic_check(code)
    assert r.parsed and not marker.exists()


def test_lookup_chains_and_verifications() -> None:
    # comparisons among constants are a lookup: the answer stays hard-coded
    lookup = "def pick(k):\n    if k == 'a':\n        return 'X'\n    return 'Y'\nprint(f'<<<{pick(\"a\")}>>>')"
    assert symbolic_check(lookup).hardcoded
    # a test on computed data decides what is printed: computed
    choice = "speed = 180 / 3\nprint('<<<Yes>>>' if speed > 50 else '<<<No>>>')"
    assert not symbolic_check(choice).hardcoded
    # a hard-coded answer next to printed intermediate values: only the <<<...>>> line is the answer
    mixed = "total = sum([1, 2, 3])\nprint(total)\nprint('<<<42>>>')"
    assert symbolic_check(mixed).hardcoded
    # scopes: a parameter named like a module variable does not mix with it
    scoped = "def f(answer):\n    return answer * 2\nanswer = 'x'\nprint(f'<<<{answer}>>>')\nprint(f(3))"
    assert symbolic_check(scoped).hardcoded


def test_deep_and_long_code_does_not_break_it() -> None:
    long_concat = "x = " + " + ".join(["'a'"] * 2000) + "\nprint('<<<' + x + '>>>')"
    assert symbolic_check(long_concat).hardcoded
    nested = "x = 1\n" + "".join("    " * i + f"if x == {i}:\n" for i in range(60)) + "    " * 60 + "print(x)\n"
    r = symbolic_check(nested)
    assert isinstance(r.summary, str) and r.summary


@pytest.mark.timeout(60)
def test_hostile_shapes_get_bounded_work() -> None:
    # names bound twice to the name before them: 2**40 paths if nothing is memoised
    chain = ["x0 = ['a']", "x0 = ['b']"]
    for i in range(1, 40):
        chain += [f"x{i} = x{i - 1}", f"x{i} = x{i - 1}"]
    chain += ["s = ''", "for e in x39:", "    s += e", "print(f'<<<{s}>>>')"]
    assert symbolic_check("\n".join(chain)).hardcoded
    # many redefinitions of one function times many calls to it
    many = "\n".join(["def f(a):\n    return a"] * 400 + ["print(f(1))"] * 400)
    r = symbolic_check(many)
    assert r.parsed and r.summary
    # a long chain of names, each twice the one before: deep, but answered
    deep = "\n".join(["v0 = 1"] + [f"v{i} = v{i - 1} + v{i - 1}" for i in range(1, 400)] + ["print(v399)"])
    r = symbolic_check(deep)
    assert not r.hardcoded and r.summary
