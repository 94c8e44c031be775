"""The paper's normalised averages recompute exactly from its per-task table (method.md §7.4)."""

from __future__ import annotations

import csv
import io

import pytest

from codesteer.eval import normalised_average, wilson

# Per-task success rates of the paper's table (facts from the paper, transcribed).
PAPER_TABLE = """\
task,seen,o1,deepseek_r1,o1_preview,only_question,symbolic_agent,all_text_cot,all_code_cot,autogen_concat,code_text_sum1,code_text_sum2,code_text_choice,code_interpreter,gpt4o_codesteer
game24,1,80,65,78,17,37,23,11,88,33,43,43,18,93
path_plan,1,74,60,56,65,43,44,76,71,66,61,73,54,75
boxlift,1,95,92,85,69,58,56,68,20,65,60,73,49,77
boxnet,1,45,43,54,37,30,30,1,12,23,21,23,37,29
blocksworld,1,100,100,77,43,60,52,32,50,50,48,44,42,52
date_understanding,1,87,88,87,90,89,88,72,65,86,84,86,76,87
web_of_lies,1,100,100,98,96,99,86,91,78,77,80,98,94,98
logical_deduction,1,100,98,97,89,93,91,83,82,94,90,94,82,92
navigate,1,100,100,100,98,93,95,99,91,96,94,92,98,99
gsm_hard,1,79,77,71,78,76,80,83,81,81,78,77,79,77
math_geometry,1,94,91,90,76,73,73,74,73,77,76,76,73,75
math_counting_probability,1,96,97,95,89,88,87,88,91,86,88,84,89,93
logical_equation,1,100,100,100,52,50,52,40,48,30,33,56,71,78
new_operator,1,44,39,25,42,39,45,39,47,56,38,48,48,40
pooling,1,46,40,42,54,46,60,57,55,43,47,40,49,46
light_puzzles,1,100,100,92,62,56,56,69,56,92,78,73,95,68
mahjong,1,96,98,93,66,77,73,80,94,72,74,96,64,90
statistical_counting,1,25,72,78,34,93,32,95,93,93,86,95,89,97
matrix_transformation,1,87,100,98,94,96,76,97,97,96,92,97,90,98
logic_puzzle,1,88,80,86,48,58,51,41,39,44,50,44,68,70
constrained_linear_arrangement,1,74,62,81,82,71,84,60,79,72,71,77,72,86
pattern_recognition,1,100,100,100,70,90,44,89,100,56,60,94,100,93
string_insertion,1,96,49,72,6,100,8,100,100,67,75,100,89,100
letter_logic_diagram,1,50,54,28,2,30,0,12,21,8,9,31,8,45
string_deletion_modification,1,60,37,34,4,90,0,64,37,51,65,85,49,93
string_synthesis,1,2,0,2,0,20,0,11,0,7,5,16,12,29
reversi,1,46,29,28,8,36,15,49,60,20,23,45,23,52
standard_sudoku,1,0,0,0,0,98,0,100,94,12,14,100,100,100
letters,0,61,52,49,12,91,11,100,93,84,87,89,89,96
eight_queens,0,84,79,64,8,73,0,35,51,40,45,52,44,78
number_multiply,0,43,46,28,11,87,8,100,100,68,65,100,75,95
cryptanalysis,0,60,21,49,20,15,24,20,13,16,20,27,0,24
string_splitting,0,96,91,90,28,52,25,48,47,37,35,48,43,56
combinatorial_calculation,0,57,98,35,16,45,60,55,48,70,67,80,57,86
synthesis_decomposition,0,57,96,53,52,53,72,71,35,44,38,69,72,66
game2048,0,52,0,37,44,43,40,28,37,25,20,39,49,56
permutations_combinations,0,100,100,100,66,89,48,64,60,40,46,80,75,93
"""


def load() -> tuple[dict[str, dict[str, float]], list[str], list[str]]:
    rows = list(csv.DictReader(io.StringIO(PAPER_TABLE)))
    methods = [c for c in rows[0] if c not in ("task", "seen")]
    table = {m: {r["task"]: float(r[m]) for r in rows} for m in methods}
    seen = [r["task"] for r in rows if r["seen"] == "1"]
    unseen = [r["task"] for r in rows if r["seen"] == "0"]
    return table, seen, unseen


@pytest.mark.parametrize(
    "method, expected",
    [
        ("gpt4o_codesteer", (88.1, 81.3, 86.4)),
        ("o1", (83.8, 79.4, 82.7)),
        ("only_question", (59.3, 34.5, 53.3)),
    ],
)
def test_paper_anchors(method: str, expected: tuple[float, float, float]) -> None:
    table, seen, unseen = load()
    assert len(seen) == 28 and len(unseen) == 9
    got = tuple(round(normalised_average(table, ts)[method], 1) for ts in (seen, unseen, seen + unseen))
    assert got == expected


def test_raw_average_differs_from_normalised() -> None:
    table, seen, unseen = load()
    raw = sum(table["gpt4o_codesteer"][t] for t in seen + unseen) / 37
    assert round(raw, 1) == 75.2


def test_normaliser_depends_on_methods_present() -> None:
    table = {"a": {"x": 50.0, "y": 10.0}, "b": {"x": 25.0, "y": 20.0}}
    assert normalised_average(table, ["x", "y"]) == {"a": 75.0, "b": 75.0}
    assert normalised_average({"a": table["a"]}, ["x", "y"]) == {"a": 100.0}
    assert normalised_average({"a": {"x": 0.0}}, ["x"]) == {"a": 0.0}


def test_wilson() -> None:
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and 0.25 < hi < 0.35
    lo, hi = wilson(10, 10)
    assert hi == 1.0 and 0.65 < lo < 0.75
    lo, hi = wilson(5, 10)
    assert lo < 0.5 < hi
    assert wilson(0, 0) == (0.0, 1.0)


def test_complete_instances_keeps_only_questions_every_method_finished():
    from codesteer.eval import ResultRow, complete_instances

    def row(inst: str, method: str, model: str = "m") -> ResultRow:
        return ResultRow(instance_id=inst, task="game24", complexity=1, method=method, task_model=model,
                         guide_model=None, status="done", correct=True, score=1.0, reason="", turns=1, tokens={},
                         cost=0.0, wall_s=1.0, error=None)

    rows = [row("i1", "a"), row("i1", "b"), row("i2", "a"), row("i3", "b"),
            row("i2", "a", "other")]  # another model configuration, judged by its own methods
    kept = {(r.instance_id, r.method, r.task_model) for r in complete_instances(rows)}
    assert kept == {("i1", "a", "m"), ("i1", "b", "m"), ("i2", "a", "other")}
    assert complete_instances([]) == []
