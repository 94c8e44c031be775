"""The AST symbolic checker on a labelled set, against the paper's regex heuristic as comparator."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesteer.steer import symbolic_check

# (code, hardcoded, symbolic)
REAL = [
    ("from itertools import permutations\nfor p in permutations([1, 2, 3, 4]):\n    if p[0] < p[1]:\n        best = p\nprint(f'<<<{best}>>>')", False, True),
    ("import itertools\nsols = [c for c in itertools.product(range(3), repeat=3) if sum(c) == 4]\nprint(len(sols))", False, True),
    ("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(20))", False, True),
    ("import heapq\nq = [(0, 'a')]\nseen = set()\nwhile q:\n    d, u = heapq.heappop(q)\n    if u in seen: continue\n    seen.add(u)\nprint(d)", False, True),
    ("from sympy import symbols, solve\nx = symbols('x')\nprint(solve(x**2 - 4, x))", False, True),
    ("import z3\ns = z3.Solver()\nx = z3.Int('x')\ns.add(x > 3, x < 5)\ns.check()\nprint(s.model()[x])", False, True),
    ("import networkx as nx\ng = nx.path_graph(5)\nprint(nx.shortest_path(g, 0, 4))", False, True),
    ("total = 0\nfor i in range(1, 101):\n    total += i\nprint(f'<<<{total}>>>')", False, True),
    ("grid = [[0]*4 for _ in range(4)]\nfor r in range(4):\n    for c in range(4):\n        grid[r][c] = r*c\nprint(grid)", False, True),
    ("def solve(board, i=0):\n    if i == 81:\n        return True\n    return solve(board, i + 1)\nprint(solve([0]*81))", False, True),
    ("from itertools import combinations as C\nprint(sum(1 for c in C(range(10), 3) if sum(c) % 2 == 0))", False, True),
    ("nums = [4, 7, 8, 8]\nops = '+-*/'\nfound = None\nfor a in ops:\n    for b in ops:\n        found = (a, b)\nprint(found)", False, True),
    ("from collections import deque\nq = deque([0])\nwhile q:\n    x = q.popleft()\n    if x < 5: q.append(x + 1)\nprint(x)", False, True),
    ("words = 'a bb ccc'.split()\nprint(max(len(w) for w in words))", False, True),
    ("import math\nvals = [3, -4, 5]\nprint(f'<<<{math.prod(vals)}>>>')", False, False),
    ("a = 123456789\nb = 987654321\nprint(a * b)", True, False),
]
HARDCODED = [
    ("print('<<<42>>>')", True, False),
    ("# information before format, for specific reasons\nprint('<<<42>>>')", True, False),
    ("answer = 24\nprint(f'<<<{answer}>>>')", True, False),
    ("print((10 - 4) * (13 - 9))", True, False),
    ("result = '(8 / (3 - 8 / 3))'\nprint('<<<' + result + '>>>')", True, False),
    ("# I solved this by hand: the queens go at\nqueens = [(0, 0), (1, 4), (2, 7)]\nprint(queens)", True, False),
    ("x = [1, 2, 3]\nprint('<<<{}>>>'.format(x))", True, False),
    ("final = 'ABCD'\nprint(f'Answer: <<<{final.lower()}>>>')", True, False),
    ("for i in range(10):\n    pass  # pretend to search\nprint('<<<7>>>')", True, True),
    ("import itertools\nperms = list(itertools.permutations([1,2,3]))\nprint('<<<[1, 2, 3]>>>')", True, True),
    ("def helper():\n    return 5\nprint('<<<5>>>')", True, False),
    ("# format the answer\nans = \"\"\"<<<A>>>\"\"\"\nprint(ans)", True, False),
    ("a, b = 3, 4\nprint(f'<<<{a * b}>>>')", True, False),
    ("print('The answer is', '<<<', 17, '>>>')", True, False),
]
MIXED = [
    ("import itertools\nbest = max(itertools.permutations([3, 1, 2]))\nprint(f'<<<{best}>>>')", False, True),
    ("n = 10\nprint(f'<<<{n * (n + 1) // 2}>>>')", True, False),
    ("data = [5, 3, 9]\ndata.sort()\nprint(data)", False, False),
    ("s = input_string = 'abcabc'\ncount = s.count('a')\nprint(count)", False, False),
    ("x = sorted([3, 1, 2])\nprint(x)", True, False),
    ("import numpy as np\nm = np.array([[1, 2], [3, 4]])\nprint(np.rot90(m).tolist())", False, False),
    ("def f(x):\n    return x * 2\nprint(f(21))", False, False),
    ("r = list(reversed('abc'))\nprint(''.join(r))", False, False),
    ("vals = {}\nfor k in 'abc':\n    vals[k] = ord(k)\nprint(vals)", False, True),
    ("print(sum(range(101)))", False, False),
    ("def f(\n", False, False),
    ("", False, False),
]
SET = REAL + HARDCODED + MIXED


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


def test_set_size() -> None:
    assert len(SET) >= 40


def test_labelled_accuracy_beats_paper_heuristic(capsys: pytest.CaptureFixture[str]) -> None:
    ours_h = sum(symbolic_check(c).hardcoded == h for c, h, _ in SET)
    ours_s = sum(symbolic_check(c).symbolic == s for c, _, s in SET)
    paper_h = sum(paper_heuristic(c)[0] == h for c, h, _ in SET)
    paper_s = sum(paper_heuristic(c)[1] == s for c, _, s in SET)
    n = len(SET)
    with capsys.disabled():
        print(f"\nsymbolic checker on {n} labelled snippets: hard-coded accuracy ours {ours_h / n:.0%} vs paper {paper_h / n:.0%}; "
              f"symbolic accuracy ours {ours_s / n:.0%} vs paper {paper_s / n:.0%}")
    assert ours_h == n and ours_s == n
    assert paper_h < ours_h


@pytest.mark.parametrize("code, hardcoded, symbolic", SET)
def test_each_snippet(code: str, hardcoded: bool, symbolic: bool) -> None:
    r = symbolic_check(code)
    assert (r.hardcoded, r.symbolic) == (hardcoded, symbolic), r.summary
    assert r.summary and 0 <= r.score <= 10
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
