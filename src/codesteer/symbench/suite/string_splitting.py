"""String Splitting (unseen): dismantle machines A, B, C into parts X, Y, Z, one method per turn in rotation."""

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

NAMES = ("A", "B", "C", "X", "Y", "Z")
# (consumed, produced) as {index into NAMES: count}, methods 1..5
METHODS: tuple[tuple[dict[int, int], dict[int, int]], ...] = (
    ({0: 1}, {3: 2, 4: 1}),
    ({1: 2}, {3: 1}),
    ({2: 2}, {4: 1}),
    ({1: 1, 2: 1}, {0: 1}),
    ({3: 1, 4: 1}, {5: 1}),
)
# three wordings per method, all meaning exactly the same thing (the reference also varied the wording)
TEMPLATES: tuple[tuple[str, ...], ...] = (
    (
        "Method 1: one machine A is taken apart into two parts X and one part Y.",
        "Method 1: dismantling one machine A gives two parts X and one part Y.",
        "Method 1: a single machine A can be broken down into two X parts plus one Y part.",
    ),
    (
        "Method 2: two machines B are taken apart into one part X.",
        "Method 2: dismantling two machines B gives one part X.",
        "Method 2: a pair of B machines can be broken down into a single X part.",
    ),
    (
        "Method 3: two machines C are taken apart into one part Y.",
        "Method 3: dismantling two machines C gives one part Y.",
        "Method 3: a pair of C machines can be broken down into a single Y part.",
    ),
    (
        "Method 4: one machine B and one machine C are assembled into one machine A.",
        "Method 4: combining one machine B with one machine C gives one machine A.",
        "Method 4: a B machine together with a C machine can be built into a single A machine.",
    ),
    (
        "Method 5: one part X and one part Y are joined into one part Z.",
        "Method 5: combining one part X with one part Y gives one part Z.",
        "Method 5: an X part together with a Y part can be merged into a single Z part.",
    ),
)


def _can(counts: list[int], need: dict[int, int]) -> bool:
    return all(counts[i] >= k for i, k in need.items())


def _apply(counts: list[int], need: dict[int, int], make: dict[int, int], times: int) -> None:
    for i, k in need.items():
        counts[i] -= times * k
    for i, k in make.items():
        counts[i] += times * k


def simulate(a: int, b: int, c: int) -> list[int]:
    """Final [A, B, C, X, Y, Z]: turns rotate through methods 1..5; a turn runs its method once or skips it."""
    counts = [a, b, c, 0, 0, 0]
    turn = 0
    while any(_can(counts, need) for need, _ in METHODS):
        need, make = METHODS[turn % 5]
        if _can(counts, need):
            _apply(counts, need, make, 1)
        turn += 1
    return counts


def simulate_exhaustive(a: int, b: int, c: int) -> list[int]:
    """The misreading the question rules out: each method run as often as it can before the next one."""
    counts = [a, b, c, 0, 0, 0]
    while any(_can(counts, need) for need, _ in METHODS):
        for need, make in METHODS:
            n = min(counts[i] // k for i, k in need.items())
            _apply(counts, need, make, n)
    return counts


_FORMAT = (
    "Give the six final numbers in the order machines A, B, C, then parts X, Y, Z, in the format "
    "<<<[A, B, C, X, Y, Z]>>>. For example, if 1 machine A, 0 machines B, 1 machine C, 1 part X, 1 part Y and "
    "2 parts Z remain, answer <<<[1, 0, 1, 1, 1, 2]>>>."
)


def _question(a: int, b: int, c: int, wording: list[int]) -> str:
    methods = "\n".join(TEMPLATES[m][w] for m, w in enumerate(wording))
    return (
        "A dismantling engineer has old machines A, B and C. He can obtain new parts X, Y and Z, and rebuild "
        "machines, with the following methods:\n"
        f"{methods}\n\n"
        "He works in turns that rotate through the methods in order: Method 1, 2, 3, 4, 5, then Method 1 "
        "again, and so on. On its turn a method is carried out exactly once if everything it needs is "
        "available, and is skipped otherwise. He stops as soon as none of the five methods can be carried "
        "out.\n"
        f"Initially there are {a} machines A, {b} machines B and {c} machines C, and no parts. How many "
        "machines A, B, C and parts X, Y, Z are there at the end?\n" + _FORMAT
    )


@register
class StringSplitting(Task):
    name = "string_splitting"
    title = "String Splitting"
    seen = False
    description = (
        "Simulate five dismantling/assembly methods (A -> 2X + Y, 2B -> X, 2C -> Y, B + C -> A, X + Y -> Z) "
        "taken in strict rotation, one application per turn, skipped when impossible, until none can run; "
        "report the six final counts. Counts are compared as a list of integers (the reference compared a "
        "concatenated string, ambiguous once a count reaches 10). Each method is worded in one of three "
        "equivalent ways. Complexity sets the starting machine counts as in the reference: 1-3 at level 1, "
        "2-4, 3-6, 4-7, and 5-10 at level 5."
    )
    knobs = (
        Knob("min_count", int, 3, "fewest starting machines of each of A, B, C", lo=0, hi=10_000),
        Knob("max_count", int, 6, "most starting machines of each of A, B, C", lo=0, hi=10_000),
    )
    presets = {
        1: {"min_count": 1, "max_count": 3},
        2: {"min_count": 2, "max_count": 4},
        3: {"min_count": 3, "max_count": 6},
        4: {"min_count": 4, "max_count": 7},
        5: {"min_count": 5, "max_count": 10},
    }
    reference_dirs = ("string_splitting",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_count"] > cfg["max_count"]:
            raise ValueError(
                f"{self.name}: min_count ({cfg['min_count']}) must be <= max_count ({cfg['max_count']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        a, b, c = (rng.randint(cfg["min_count"], cfg["max_count"]) for _ in range(3))
        wording = [rng.randrange(3) for _ in range(5)]
        final = simulate(a, b, c)
        return Draft(
            _question(a, b, c, wording),
            "[" + ", ".join(map(str, final)) + "]",
            {"start": [a, b, c], "final": final},
        )

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        got = parse_int_list(answer, length=6)
        a, b, c = (int(x) for x in data["start"])
        truth = simulate(a, b, c)
        if got == truth:
            return ok()
        if got == simulate_exhaustive(a, b, c):
            return wrong(
                "each method was run as often as possible in one go; the methods take turns, one application "
                "per turn"
            )
        bad = [NAMES[i] for i in range(6) if got[i] != truth[i]]
        return wrong(f"the counts of {', '.join(bad)} are not right")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, solution in read_samples(root, "string_splitting"):
            m = re.search(
                r"there are (\d+) units? of Machine A, (\d+) units? of Machine B, and (\d+) units? of Machine C",
                question,
                flags=re.IGNORECASE,
            )
            if not m:
                skip(source, "counts not found in the question")
                continue
            a, b, c = (int(x) for x in m.groups())
            final = simulate(a, b, c)
            stored = stored_value(solution, "expected_answer")
            stored_ints: list[int] | None = None
            if isinstance(stored, list):
                try:
                    stored_ints = [int(x) for x in stored]
                except (TypeError, ValueError):
                    stored_ints = None
            note = None
            if stored is not None and stored_ints != final:
                note = f"stored answer {stored} != recomputed {final}"
            q = question.strip()
            if "<<<" not in q:
                q += "\n" + _FORMAT
            # written the way the published question asks for it: a list of quoted numbers
            answer = "[" + ", ".join(f'"{x}"' for x in final) + "]"
            yield RefItem(source, q, answer, {"start": [a, b, c], "final": final}, None, stored, note)
