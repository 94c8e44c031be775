"""String Insertion (seen): one simultaneous pass of five "insert after trigger" rules over an A-E string."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._tokens import answer_word

ALPHABET = "ABCDE"
RULES: tuple[tuple[str, str], ...] = (
    ("ABCD", "A"),
    ("BCDE", "B"),
    ("CDEA", "C"),
    ("DEAB", "D"),
    ("EABC", "E"),
)
_BY_PATTERN = dict(RULES)
_NEXT = {c: ALPHABET[(i + 1) % 5] for i, c in enumerate(ALPHABET)}


def trigger_positions(s: str) -> list[tuple[int, str]]:
    """``(index after the trigger, inserted letter)`` for every trigger in ``s``, overlaps included."""
    return [(i + 4, _BY_PATTERN[s[i : i + 4]]) for i in range(len(s) - 3) if s[i : i + 4] in _BY_PATTERN]


def apply_t(s: str) -> str:
    """Operation T: triggers are found in the original string and all letters are inserted at once."""
    out: list[str] = []
    prev = 0
    for pos, ch in trigger_positions(s):
        out.append(s[prev:pos])
        out.append(ch)
        prev = pos
    out.append(s[prev:])
    return "".join(out)


def apply_sequential(s: str) -> str:
    """The misreading the question rules out: insert, then keep scanning the *changed* string."""
    i = 0
    while i <= len(s) - 4 and len(s) < 10 * 1024:
        ch = _BY_PATTERN.get(s[i : i + 4])
        if ch is not None:
            s = s[: i + 4] + ch + s[i + 4 :]
        i += 1
    return s


def _unit(rng: random.Random, chains: bool) -> str:
    """A planted piece of the cycle ABCDEABCDE...: 4 letters hold one trigger, 4+k letters hold 1+k."""
    start = rng.randrange(5)
    length = 4 + (rng.randint(1, 3) if chains and rng.random() < 0.5 else 0)
    return "".join(ALPHABET[(start + j) % 5] for j in range(length))


def _build(rng: random.Random, length: int, insertions: int, chains: bool, safe: bool) -> str:
    """Plant units holding ``insertions`` triggers in a random filler string of ``length`` letters.

    With ``safe`` the filler never continues the A->B->C->D->E->A succession across a letter boundary, so the
    planted triggers are exactly the triggers of the string (the fallback that always hits the target count).
    """
    units: list[str] = []
    left = insertions
    while left > 0:
        u = _unit(rng, chains)
        if len(u) - 3 > left:
            u = u[: left + 3]
        units.append(u)
        left -= len(u) - 3
    planted = sum(len(u) for u in units)
    gaps = len(units) + 1
    spare = length - planted
    # every inner gap needs one separator letter in safe mode
    inner_min = 1 if safe else 0
    cuts = [inner_min if 0 < g < gaps - 1 else 0 for g in range(gaps)]
    spare -= sum(cuts)
    for _ in range(max(0, spare)):
        cuts[rng.randrange(gaps)] += 1
    pieces: list[str] = []
    for g in range(gaps):
        pieces.append("\x00" * cuts[g])  # placeholders, filled below
        if g < len(units):
            pieces.append(units[g])
    template = "".join(pieces)
    chars = list(template)
    for i, ch in enumerate(chars):
        if ch != "\x00":
            continue
        options = list(ALPHABET)
        if safe:
            before = chars[i - 1] if i > 0 else None
            after = template[i + 1] if i + 1 < len(template) and template[i + 1] != "\x00" else None
            options = [c for c in options if (before is None or _NEXT[before] != c)]
            options = [c for c in options if (after is None or _NEXT[c] != after)]
        chars[i] = rng.choice(options)
    return "".join(chars)


def make_string(rng: random.Random, length: int, insertions: int, chains: bool) -> str:
    """A string of ``length`` letters whose operation T makes exactly ``insertions`` insertions."""
    for _ in range(30):
        s = _build(rng, length, insertions, chains, safe=False)
        if len(trigger_positions(s)) == insertions:
            return s
    s = _build(rng, length, insertions, chains, safe=True)
    assert len(trigger_positions(s)) == insertions, s
    return s


_FORMAT = "Give the resulting string only, in the format <<<string>>>. For example, <<<ABCDAEAB>>>."


def _question(s: str) -> str:
    return (
        "Given a string consisting of the characters A, B, C, D and E, define the operation T as follows:\n\n"
        "1. If there is a substring ABCD in the string, insert the character A after that substring.\n"
        "2. If there is a substring BCDE in the string, insert the character B after that substring.\n"
        "3. If there is a substring CDEA in the string, insert the character C after that substring.\n"
        "4. If there is a substring DEAB in the string, insert the character D after that substring.\n"
        "5. If there is a substring EABC in the string, insert the character E after that substring.\n\n"
        "How one operation T works exactly: first find every occurrence of the five substrings in the ORIGINAL "
        "string, scanning it from left to right (occurrences may overlap, and a substring occurring several "
        "times triggers several insertions). Then insert all the corresponding characters at once, each "
        "directly after its own occurrence in the original string. Inserted characters never create new "
        "occurrences within the same operation.\n"
        "For example, for ABCDE the occurrences are ABCD and BCDE, so one operation T gives ABCDAEB.\n\n"
        f"Question: Given the string {s}, what will the string be after one operation T?\n" + _FORMAT
    )


@register
class StringInsertion(Task):
    name = "string_insertion"
    title = "String Insertion"
    seen = True
    description = (
        "Apply one pass of five insertion rules (after ABCD insert A, after BCDE insert B, ...) to a string "
        "over A-E. The question states the reference's semantics explicitly: all trigger occurrences are found "
        "in the original string (overlaps allowed) and inserted simultaneously. Complexity grows the string "
        "(8-10 letters at level 1 to 30-42 at level 5) and the number of insertions (1 to 6); levels 4-5 also "
        "plant overlapping trigger chains such as ABCDEA, where the simultaneous rule matters most."
    )
    knobs = (
        Knob(
            "min_length",
            int,
            14,
            "shortest string length (raised to 5*insertions-1 if shorter)",
            lo=4,
            hi=400,
        ),
        Knob("max_length", int, 20, "longest string length", lo=4, hi=400),
        Knob("insertions", int, 3, "exact number of trigger occurrences (= inserted letters)", lo=1, hi=60),
        Knob("chains", bool, False, "also plant overlapping trigger chains (ABCDE... longer than 4)"),
    )
    presets = {
        1: {"min_length": 8, "max_length": 10, "insertions": 1, "chains": False},
        2: {"min_length": 10, "max_length": 14, "insertions": 2, "chains": False},
        3: {"min_length": 14, "max_length": 20, "insertions": 3, "chains": False},
        4: {"min_length": 20, "max_length": 28, "insertions": 4, "chains": True},
        5: {"min_length": 30, "max_length": 42, "insertions": 6, "chains": True},
    }
    reference_dirs = ("string_insertion",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_length"] > cfg["max_length"]:
            raise ValueError(
                f"string_insertion: min_length ({cfg['min_length']}) must be <= max_length ({cfg['max_length']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        # room for every trigger plus a separator: short lengths grow rather than fail, so an explicit
        # `insertions` knob works together with every complexity preset
        length = max(rng.randint(cfg["min_length"], cfg["max_length"]), 5 * cfg["insertions"] - 1)
        s = make_string(rng, length, cfg["insertions"], cfg["chains"])
        result = apply_t(s)
        return Draft(_question(s), result, {"string": s, "result": result})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        got = answer_word(answer, ALPHABET, upper=True)
        s = str(data["string"])
        truth = apply_t(s)
        if got == truth:
            return ok()
        if got == s:
            return wrong("the string is unchanged; at least one substring triggers an insertion")
        if got == apply_sequential(s):
            return wrong(
                "insertions were applied one after another on the changed string; all occurrences are found "
                "in the original string and inserted simultaneously"
            )
        n = len(trigger_positions(s))
        if len(got) != len(truth):
            return wrong(f"operation T inserts {n} character(s) here, the answer adds {len(got) - len(s)}")
        return wrong("the characters were inserted at the wrong places")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, solution in read_samples(root, "string_insertion"):
            m = re.search(r"Given the string\s+([A-E]+)\s*,", question)
            if not m:
                skip(source, "string not found in the question")
                continue
            s = m.group(1)
            truth = apply_t(s)
            stored = stored_value(solution, "modified_string")
            note = None if stored in (None, truth) else f"stored answer {stored!r} != recomputed {truth!r}"
            q = question.strip()
            if "<<<" not in q:
                q += "\n" + _FORMAT
            yield RefItem(source, q, truth, {"string": s, "result": truth}, None, stored, note)
