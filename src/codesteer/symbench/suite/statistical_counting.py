"""Statistical Counting (seen): score the runs of repeated letters in a string."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import parse_int
from codesteer.symbench._samples import read_samples, skip, stored_complexity, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

_LETTERS = "ABCDEFGHIJK"
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def run_score(sequence: str, scores: Mapping[str, int], min_run: int) -> int:
    """Sum of ``scores[letter]`` over maximal runs of length >= ``min_run`` (one score per run)."""
    total = 0
    i = 0
    while i < len(sequence):
        j = i
        while j < len(sequence) and sequence[j] == sequence[i]:
            j += 1
        if j - i >= min_run:
            total += int(scores.get(sequence[i], 0))
        i = j
    return total


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_FORMAT = "Return your answer with the format <<<number>>>; for example, <<<5>>> means the total score is 5."


def _question(sequence: str, scores: Mapping[str, int], min_run: int) -> str:
    letters = list(scores)
    word = _WORDS.get(min_run, str(min_run))
    rules = "\n".join(
        f"{i}. For every run of {word} or more consecutive {c}'s, add {scores[c]} to the total score."
        for i, c in enumerate(letters, 1)
    )
    ex_letter = letters[0]
    return (
        f"The initial total score is 0. Given a string consisting of the letters {_join(letters)}, "
        "scan it from front to back:\n\n"
        f"{rules}\n\n"
        "A run is a maximal block of identical adjacent letters. Each qualifying run adds its score exactly "
        f"once, however long it is: for example, {ex_letter * 5} is one run and scores once, not once per pair "
        f"or per extra letter; runs shorter than {min_run} score nothing.\n\n"
        f"What is the total score of the string {sequence}?\n" + _FORMAT
    )


@register
class StatisticalCounting(Task):
    name = "statistical_counting"
    title = "Statistical Counting"
    seen = True
    description = (
        "A string over the first k letters of A-K; letter number i scores i points for every maximal run of at "
        "least min_run identical adjacent letters (one score per run, stated in the question, which the "
        "reference left implicit). The answer is one integer, compared exactly. Complexity 1..5 grows the "
        "string from 5 to 65 letters and the alphabet from 2 to 7 letters."
    )
    knobs = (
        Knob("length", int, 20, "length of the string", lo=1, hi=500),
        Knob("letters", int, 4, "alphabet size: the first k letters of A-K, letter i scores i", lo=1, hi=11),
        Knob("min_run", int, 2, "shortest run that scores", lo=2, hi=5),
    )
    presets = {
        1: {"length": 5, "letters": 2},
        2: {"length": 10, "letters": 3},
        3: {"length": 20, "letters": 4},
        4: {"length": 35, "letters": 5},
        5: {"length": 65, "letters": 7},
    }
    reference_dirs = ("statistical_counting_dataset",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        alphabet = _LETTERS[: cfg["letters"]]
        sequence = "".join(rng.choice(alphabet) for _ in range(cfg["length"]))
        scores = {c: i + 1 for i, c in enumerate(alphabet)}
        total = run_score(sequence, scores, cfg["min_run"])
        data = {"sequence": sequence, "scores": scores, "min_run": cfg["min_run"], "total": total}
        return Draft(_question(sequence, scores, cfg["min_run"]), str(total), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        value = parse_int(answer)
        target = int(data["total"])
        if value == target:
            return ok()
        return wrong(f"total score {value} is not correct")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            seq = re.search(r"total score of the string\s+([A-Z]+)\s*\?", question)
            rules = re.findall(r"(\w+) or more consecutive ([A-Z])'s, add (\d+)", question)
            if not seq or not rules:
                skip(source, "string or scoring rules not found")
                continue
            word_to_n = {v: k for k, v in _WORDS.items()}
            mins = {word_to_n.get(w.lower(), int(w) if w.isdigit() else 2) for w, _, _ in rules}
            min_run = min(mins)
            scores = {c: int(s) for _, c, s in rules}
            total = run_score(seq.group(1), scores, min_run)
            stored = stored_value(sol, "solution")
            note = None
            if stored is not None and stored != total:
                note = f"stored solution {stored!r} != recomputed {total}"
            if "<<<" not in question:
                question = question.rstrip() + "\n" + _FORMAT
            yield RefItem(
                source=source,
                question=question,
                answer=str(total),
                data={"sequence": seq.group(1), "scores": scores, "min_run": min_run, "total": total},
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )
