"""String Synthesis (seen): combine [A] [B] [C] blocks by six methods, each applied exhaustively per pass."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import parse_int_list
from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

BLOCKS = ("[A]", "[B]", "[C]", "{A}", "{B}", "{C}", "(A)", "(B)", "(C)")
# (consumed, produced) as {block index: count}, in method order 1..6
METHODS: tuple[tuple[dict[int, int], dict[int, int]], ...] = (
    ({0: 1, 1: 1, 2: 1}, {3: 1}),
    ({0: 1, 1: 1}, {5: 1}),
    ({1: 1, 2: 1}, {4: 1}),
    ({2: 2}, {5: 1}),
    ({3: 1, 5: 1}, {6: 1, 7: 1}),
    ({4: 2}, {8: 1}),
)
METHOD_TEXT = (
    "1. One [A], one [B], and one [C] can be combined to form one {A}.",
    "2. One [A] and one [B] can be combined to form one {C}.",
    "3. One [B] and one [C] can be combined to form one {B}.",
    "4. Two [C] can be combined to form one {C}.",
    "5. One {A} and one {C} can be combined to form one (A) and one (B).",
    "6. Two {B} can be combined to form one (C).",
)


def _times(counts: list[int], need: dict[int, int]) -> int:
    return min(counts[i] // k for i, k in need.items())


def synthesize(a: int, b: int, c: int, *, exhaustive: bool = True) -> list[int]:
    """Final nine counts.

    ``exhaustive`` is the stated rule: in each pass every method, in order, is applied as many times as it can
    be before moving on; passes repeat until one changes nothing. ``exhaustive=False`` is the misreading (one
    application per method per pass), kept to recognise it in wrong answers.
    """
    counts = [a, b, c, 0, 0, 0, 0, 0, 0]
    changed = True
    while changed:
        changed = False
        for need, make in METHODS:
            n = _times(counts, need)
            if n == 0:
                continue
            if not exhaustive:
                n = 1
            for i, k in need.items():
                counts[i] -= n * k
            for i, k in make.items():
                counts[i] += n * k
            changed = True
    return counts


_FORMAT = (
    "Give the nine final counts in the order [A], [B], [C], {A}, {B}, {C}, (A), (B), (C), separated by spaces, "
    "in the format <<<n1 n2 n3 n4 n5 n6 n7 n8 n9>>>. For example, <<<1 0 3 0 0 0 0 0 0>>> means 1 [A], 0 [B], "
    "3 [C] and none of the other blocks."
)


def _question(a: int, b: int, c: int) -> str:
    return (
        "There are nine different blocks [A], [B], [C], {A}, {B}, {C}, (A), (B), (C) that satisfy:\n"
        + "\n".join(METHOD_TEXT)
        + "\n\n"
        "Cycle through Methods 1..6 repeatedly until no more changes can be made. Exactly: in each cycle, apply "
        "Method 1 as many times as possible, then Method 2 as many times as possible, and so on up to Method 6; "
        "then start a new cycle with Method 1. Stop after a cycle in which no method could be applied.\n\n"
        f"Question: If we now have {a} [A], {b} [B], and {c} [C], how many blocks of each kind will there be "
        "at the end?\n" + _FORMAT
    )


@register
class StringSynthesis(Task):
    name = "string_synthesis"
    title = "String Synthesis"
    seen = True
    description = (
        "Combine starting [A], [B], [C] blocks through six fixed methods and report the nine final block "
        "counts. The question states the reference's semantics (each method applied as many times as possible "
        "before the next, cycles repeated until nothing changes) and counts are parsed as whitespace- or "
        "comma-separated integers (the reference read one digit per count). Complexity sets the starting "
        "counts: level 1 has at most 2/3/3 of [A]/[B]/[C], level 3 the reference's 5/8/7, level 5 up to 20/25/25 "
        "(two-digit final counts)."
    )
    knobs = (
        Knob("min_count", int, 1, "fewest starting blocks of each of [A], [B], [C]", lo=0, hi=10_000),
        Knob("max_a", int, 5, "most starting [A]", lo=0, hi=10_000),
        Knob("max_b", int, 8, "most starting [B]", lo=0, hi=10_000),
        Knob("max_c", int, 7, "most starting [C]", lo=0, hi=10_000),
    )
    presets = {
        1: {"min_count": 1, "max_a": 2, "max_b": 3, "max_c": 3},
        2: {"min_count": 1, "max_a": 4, "max_b": 5, "max_c": 5},
        3: {"min_count": 1, "max_a": 5, "max_b": 8, "max_c": 7},
        4: {"min_count": 3, "max_a": 10, "max_b": 14, "max_c": 12},
        5: {"min_count": 5, "max_a": 20, "max_b": 25, "max_c": 25},
    }
    reference_dirs = ("string_synthesis",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        for k in ("max_a", "max_b", "max_c"):
            if cfg["min_count"] > cfg[k]:
                raise ValueError(f"{self.name}: min_count ({cfg['min_count']}) must be <= {k} ({cfg[k]})")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        lo = cfg["min_count"]
        a, b, c = (rng.randint(lo, cfg[k]) for k in ("max_a", "max_b", "max_c"))
        final = synthesize(a, b, c)
        return Draft(_question(a, b, c), " ".join(map(str, final)), {"start": [a, b, c], "final": final})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        s = answer
        # tolerate "[A]: 1, [B]: 0, ..." by dropping the block labels first
        for label in BLOCKS:
            s = s.replace(label + ":", " ").replace(label + "=", " ")
        got = parse_int_list(s, length=len(BLOCKS))
        a, b, c = (int(x) for x in data["start"])
        truth = synthesize(a, b, c)
        if got == truth:
            return ok()
        if got == synthesize(a, b, c, exhaustive=False):
            return wrong(
                "these are the counts for one application per method per cycle; each method must be applied "
                "as many times as possible before moving to the next"
            )
        bad = [BLOCKS[i] for i in range(len(BLOCKS)) if got[i] != truth[i]]
        return wrong(f"the counts of {', '.join(bad)} are not right")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, solution in read_samples(root, "string_synthesis"):
            if any(line not in question for line in METHOD_TEXT):
                skip(source, "methods differ from the simulated ones")
                continue  # different methods than the ones we simulate
            m = re.search(r"we now have (\d+) \[A\], (\d+) \[B\], and (\d+) \[C\]", question)
            if not m:
                skip(source, "counts not found in the question")
                continue
            a, b, c = (int(x) for x in m.groups())
            final = synthesize(a, b, c)
            stored = stored_value(solution, "final_counts")
            note = None if stored in (None, final) else f"stored counts {stored} != recomputed {final}"
            q = question.strip()
            if "<<<" not in q:
                q += "\n" + _FORMAT
            yield RefItem(
                source, q, " ".join(map(str, final)), {"start": [a, b, c], "final": final}, None, stored, note
            )
