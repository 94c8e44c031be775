"""String Deletion & Modification (seen): a priority rewrite system over strings of a, b, c."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._tokens import answer_word

ALPHABET = "abcz"  # rule 20 writes 'zz'


@dataclass(frozen=True)
class Rule:
    """One rewrite rule: the reference's wording (to read published questions) and an exact wording of ours."""

    ref_text: str
    text: str
    fn: Callable[[str], str | None]  # the new string, or None when the rule does not apply


def _cb(s: str) -> str | None:
    return "aa" + s[2:-1] if s.startswith("cb") else None


def _ca_after_start(s: str) -> str | None:
    i = s.find("ca", 1)
    return s[:i] + s[i + 2 :] if i != -1 else None


def _middle(s: str) -> str | None:
    n = len(s)
    return s[: n // 2] + s[n // 2 + 1 :] if n > 15 else None


def _even_b(s: str) -> str | None:
    k = s.count("b")
    return s + "ab" if k > 0 and k % 2 == 0 else None


# The reference's pool of 20 rules (ids 1..20 in its order); our wording removes every ambiguity it had.
POOL: dict[int, Rule] = {
    1: Rule(
        "If the string prefix is 'ab', replace it with 'ca'.",
        "If the string starts with 'ab', replace that 'ab' with 'ca'.",
        lambda s: "ca" + s[2:] if s.startswith("ab") else None,
    ),
    2: Rule(
        "If the string suffix is 'ac', replace it with 'cb'.",
        "If the string ends with 'ac', replace that 'ac' with 'cb'.",
        lambda s: s[:-2] + "cb" if s.endswith("ac") else None,
    ),
    3: Rule(
        "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.",
        "If the string starts with 'bc', delete those first two characters and append 'aa' to the end.",
        lambda s: s[2:] + "aa" if s.startswith("bc") else None,
    ),
    4: Rule(
        "If the string suffix is 'bb', delete the last two characters.",
        "If the string ends with 'bb', delete those last two characters.",
        lambda s: s[:-2] if s.endswith("bb") else None,
    ),
    5: Rule(
        "If the string prefix is 'cb', replace it with 'aa' and delete the last character.",
        "If the string starts with 'cb', replace that 'cb' with 'aa' and delete the last character of the "
        "string (a string that is exactly 'cb' becomes 'aa').",
        _cb,
    ),
    6: Rule(
        "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.",
        "If the string starts with 'ca', replace that 'ca' with 'bb' and append 'c' to the end.",
        lambda s: "bb" + s[2:] + "c" if s.startswith("ca") else None,
    ),
    7: Rule(
        "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.",
        "If the string ends with 'cc', replace that 'cc' with a single 'b' and prepend 'a' to the start.",
        lambda s: "a" + s[:-2] + "b" if s.endswith("cc") else None,
    ),
    8: Rule(
        "If the string prefix is 'aa', remove the first character.",
        "If the string starts with 'aa', remove the first character.",
        lambda s: s[1:] if s.startswith("aa") else None,
    ),
    9: Rule(
        "If the string contains 'abc', replace the first occurrence with 'cab'.",
        "If the string contains 'abc', replace its leftmost occurrence with 'cab'.",
        lambda s: s.replace("abc", "cab", 1) if "abc" in s else None,
    ),
    10: Rule(
        "If the string contains 'bca', delete the first occurrence entirely.",
        "If the string contains 'bca', delete its leftmost occurrence (all three characters).",
        lambda s: s.replace("bca", "", 1) if "bca" in s else None,
    ),
    11: Rule(
        "If the string ends with 'ba', replace it with 'ab'.",
        "If the string ends with 'ba', replace that 'ba' with 'ab'.",
        lambda s: s[:-2] + "ab" if s.endswith("ba") else None,
    ),
    12: Rule(
        "If the string starts with 'cc', remove the first two characters.",
        "If the string starts with 'cc', remove those first two characters.",
        lambda s: s[2:] if s.startswith("cc") else None,
    ),
    13: Rule(
        "If the string contains 'acb', replace the first occurrence with its reverse ('bca').",
        "If the string contains 'acb', replace its leftmost occurrence with 'bca'.",
        lambda s: s.replace("acb", "bca", 1) if "acb" in s else None,
    ),
    14: Rule(
        "If the string ends with 'ca', remove the last character.",
        "If the string ends with 'ca', remove the last character.",
        lambda s: s[:-1] if s.endswith("ca") else None,
    ),
    15: Rule(
        "If the string starts with 'bb', remove the second character.",
        "If the string starts with 'bb', remove the second character.",
        lambda s: s[0] + s[2:] if s.startswith("bb") else None,
    ),
    16: Rule(
        "If the string ends with 'aa', replace it with 'cc'.",
        "If the string ends with 'aa', replace that 'aa' with 'cc'.",
        lambda s: s[:-2] + "cc" if s.endswith("aa") else None,
    ),
    17: Rule(
        "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.",
        "If the string contains 'ca' starting at the second character or later, delete the leftmost such "
        "occurrence (both characters); a 'ca' at the very start does not count.",
        _ca_after_start,
    ),
    18: Rule(
        "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.",
        "If the string contains an even, non-zero number of 'b' characters, append 'ab' to the end.",
        _even_b,
    ),
    19: Rule(
        "If the string length is greater than 15, remove the middle character.",
        "If the string is longer than 15 characters, remove its middle character: for length n, the character "
        "at position floor(n/2)+1, counting from 1 (so for even n, the right one of the two middle characters).",
        _middle,
    ),
    20: Rule(
        "If the string starts with 'ac', replace the first two characters with 'zz'.",
        "If the string starts with 'ac', replace those first two characters with 'zz'.",
        lambda s: "zz" + s[2:] if s.startswith("ac") else None,
    ),
}
_BY_REF_TEXT = {r.ref_text: rid for rid, r in POOL.items()}


def first_applicable(s: str, rules: list[int]) -> tuple[int, str] | None:
    """The 1-based number (within ``rules``) and result of the first rule that applies to ``s``."""
    for k, rid in enumerate(rules, start=1):
        new = POOL[rid].fn(s)
        if new is not None:
            return k, new
    return None


def run(s: str, rules: list[int], cap: int) -> tuple[str, int] | None:
    """The final string and the number of rule applications; None if more than ``cap`` are needed."""
    steps = 0
    while True:
        nxt = first_applicable(s, rules)
        if nxt is None:
            return s, steps
        steps += 1
        if steps > cap:
            return None
        s = nxt[1]


_FORMAT = (
    "Give the final string only, in the format <<<string>>> (quotes around it are optional). "
    'For example, <<<"bcaab">>>.'
)


def _question(s: str, rules: list[int]) -> str:
    listing = "\n".join(f"{k}. {POOL[rid].text}" for k, rid in enumerate(rules, start=1))
    return (
        "Apply the following rules to a string:\n\n"
        f"{listing}\n\n"
        "The rules form a priority list. At each step, find the lowest-numbered rule whose condition holds for "
        "the current string and apply that one rule once; then start again from rule 1 with the new string. "
        "Stop when no rule's condition holds; the string at that point is the final string.\n\n"
        f'For the string "{s}", what is the final string?\n' + _FORMAT
    )


@register
class StringDeletionModification(Task):
    name = "string_deletion_modification"
    title = "String Deletion & Modification"
    seen = True
    description = (
        "Run a small rewrite system: a random string over a, b, c and a numbered list of rules drawn from the "
        "reference's pool of 20 prefix/suffix/substring/parity/length rules, applied as a priority list (the "
        "first applicable rule fires, then scanning restarts at rule 1) until none applies. The question says "
        "so explicitly (the reference said 'cycle through the operations'), and every instance needs between "
        "min_steps and max_steps applications (a hard cap rules out non-terminating systems). Complexity: "
        "level 1 has 4 rules, 8-12 letters and 1-3 steps; level 3 mirrors the reference (6 rules, 10-20 "
        "letters, 4-6 steps); level 5 has 8 rules, 20-30 letters and 10-20 steps."
    )
    knobs = (
        Knob("min_length", int, 10, "shortest initial string", lo=2, hi=200),
        Knob("max_length", int, 20, "longest initial string", lo=2, hi=200),
        Knob("rules", int, 6, "number of rules drawn from the pool of 20", lo=1, hi=20),
        Knob("min_steps", int, 4, "fewest rule applications an instance needs", lo=1, hi=60),
        Knob("max_steps", int, 6, "most rule applications an instance may need", lo=1, hi=60),
    )
    presets = {
        1: {"min_length": 8, "max_length": 12, "rules": 4, "min_steps": 1, "max_steps": 3},
        2: {"min_length": 10, "max_length": 15, "rules": 5, "min_steps": 2, "max_steps": 4},
        3: {"min_length": 10, "max_length": 20, "rules": 6, "min_steps": 4, "max_steps": 6},
        4: {"min_length": 15, "max_length": 25, "rules": 7, "min_steps": 6, "max_steps": 10},
        5: {"min_length": 20, "max_length": 30, "rules": 8, "min_steps": 10, "max_steps": 20},
    }
    reference_dirs = ("string_deletion_and_modification",)
    _ATTEMPTS = 3000

    def validate(self, cfg: Mapping[str, Any]) -> None:
        for lo, hi in (("min_length", "max_length"), ("min_steps", "max_steps")):
            if cfg[lo] > cfg[hi]:
                raise ValueError(f"{self.name}: {lo} ({cfg[lo]}) must be <= {hi} ({cfg[hi]})")

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        for _ in range(self._ATTEMPTS):
            length = rng.randint(cfg["min_length"], cfg["max_length"])
            s = "".join(rng.choice("abc") for _ in range(length))
            rules = rng.sample(sorted(POOL), cfg["rules"])
            out = run(s, rules, cfg["max_steps"])
            if out is None:
                continue
            final, steps = out
            if steps >= cfg["min_steps"] and final:
                return Draft(
                    _question(s, rules),
                    final,
                    {"initial": s, "rules": rules, "final": final, "steps": steps},
                )
        raise ValueError(
            f"{self.name}: found no instance needing {cfg['min_steps']}..{cfg['max_steps']} rule applications "
            f"with {cfg['rules']} rules and length {cfg['min_length']}..{cfg['max_length']} in "
            f"{self._ATTEMPTS} tries; widen the step range or change the rule count or string length"
        )

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        got = answer_word(answer, ALPHABET, upper=False)
        rules = [int(r) for r in data["rules"]]
        out = run(str(data["initial"]), rules, 10_000)
        truth = out[0] if out is not None else str(data["final"])
        if got == truth:
            return ok()
        if got == data["initial"]:
            return wrong("that is the initial string; at least one rule applies to it")
        nxt = first_applicable(got, rules)
        if nxt is not None:
            return wrong(f"rule {nxt[0]} still applies to {got!r}, so it is not final")
        return wrong(f"no rule applies to {got!r}, but it is not the string the rules produce")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, solution in read_samples(root, "string_deletion_and_modification"):
            m = re.search(r'For the string "([abc]+)"', question)
            lines = re.findall(r"^\s*(\d+)\.\s*(.+?)\s*$", question, flags=re.MULTILINE)
            if not m or not lines:
                skip(source, "string or rules not found")
                continue
            try:
                rules = [_BY_REF_TEXT[text] for _, text in lines]
            except KeyError:
                skip(source, "a rule outside the known pool")
                continue  # a rule outside the known pool: cannot rebuild the instance
            out = run(m.group(1), rules, 10_000)
            if out is None:
                skip(source, "rules do not terminate")
                continue
            final, steps = out
            stored = stored_value(solution, "final_string")
            note = None if stored in (None, final) else f"stored answer {stored!r} != recomputed {final!r}"
            q = question.strip()
            if "<<<" not in q:
                q += "\n" + _FORMAT
            data = {"initial": m.group(1), "rules": rules, "final": final, "steps": steps}
            yield RefItem(source, q, final, data, None, stored, note)
