"""Web of Lies (seen; BIG-Bench-Hard): who tells the truth in a chain of claims about each other."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_bbh, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._choices import YES_NO_FORMAT, check_yes_no, with_format

NAMES = (
    "Alexis", "Amberly", "Audrie", "Bernita", "Christie", "Conception", "Crista", "Delbert", "Delfina",
    "Elanor", "Fidel", "Fletcher", "Gwenn", "Helene", "Inga", "Jamey", "Jaymie", "Jerry", "Jim", "Ka",
    "Kandi", "Kristian", "Leda", "Lorine", "Michaela", "Millicent", "Millie", "Osvaldo", "Phoebe", "Raymond",
    "Rashida", "Sal", "Shalonda", "Shaunda", "Shenna", "Sherrie", "Sima", "Tamika", "Teressa", "Vernell",
    "Vina", "Willian", "Alejandro", "Antwan", "Bernard", "Dallas", "Gwenn", "Maybelle", "Ryan", "Yoland",
)  # fmt: skip
_UNIQUE_NAMES = tuple(dict.fromkeys(NAMES))

_RULES = (
    "Each person either always tells the truth or always lies. A person who tells the truth only makes true "
    "statements; a liar only makes false statements."
)


def solve(first_truthful: bool, claims: list[tuple[int, int, bool]], n: int) -> list[bool]:
    """Truth value of every person. ``claims`` are (speaker, subject, says_subject_truthful), each about an
    earlier-resolved person; a speaker is truthful iff their claim matches the subject's real status."""
    truth: list[bool | None] = [None] * n
    truth[0] = first_truthful
    pending = list(claims)
    while pending:
        progressed = False
        for c in list(pending):
            sp, sub, says = c
            if truth[sub] is not None:
                truth[sp] = truth[sub] == says
                pending.remove(c)
                progressed = True
        if not progressed:
            raise ValueError("claims do not form a chain from the first person")
    if any(t is None for t in truth):
        raise ValueError("someone makes no claim")
    return [bool(t) for t in truth]


def _render(names: list[str], first_truthful: bool, claims: list[tuple[int, int, bool]], ask: int) -> str:
    parts = [f"{names[0]} {'tells the truth' if first_truthful else 'lies'}."]
    for sp, sub, says in claims:
        parts.append(f"{names[sp]} says {names[sub]} {'tells the truth' if says else 'lies'}.")
    return "Question: " + " ".join(parts) + f" Does {names[ask]} tell the truth?"


@register
class WebOfLies(Task):
    name = "web_of_lies"
    title = "Web of Lies"
    seen = True
    description = (
        "A chain of people: the first one tells the truth or lies, each other one says whether an earlier "
        "person tells the truth; the question asks whether a given person tells the truth (Yes/No, balanced). "
        "Complexity grows with the number of people (BBH uses 5), with statements given out of order, with "
        "claims about any earlier person instead of the previous one, and with asking about someone other than "
        "the last person."
    )
    knobs = (
        Knob("people", int, 5, "number of people in the web", lo=2, hi=40),
        Knob("shuffle", bool, False, "list the statements in a random order instead of chain order"),
        Knob("branching", bool, False, "a claim may concern any earlier person, not only the previous one"),
        Knob("ask_last", bool, True, "ask about the last person of the chain (else about a random one)"),
    )
    presets = {
        1: {"people": 3, "shuffle": False, "branching": False, "ask_last": True},
        2: {"people": 5, "shuffle": False, "branching": False, "ask_last": True},
        3: {"people": 7, "shuffle": False, "branching": True, "ask_last": True},
        4: {"people": 10, "shuffle": True, "branching": True, "ask_last": True},
        5: {"people": 16, "shuffle": True, "branching": True, "ask_last": False},
    }
    reference_dirs = ("BIG-Bench-Hard/bbh/web_of_lies.json",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n = cfg["people"]
        names = rng.sample(_UNIQUE_NAMES, n)
        claims = []
        for i in range(1, n):
            sub = rng.randrange(i) if cfg["branching"] else i - 1
            claims.append((i, sub, rng.random() < 0.5))
        ask = n - 1 if cfg["ask_last"] else rng.randrange(1, n)
        want_yes = rng.random() < 0.5
        # the answer flips with the first person's status, so choosing it balances the labels
        first = solve(True, claims, n)[ask] == want_yes
        truth = solve(first, claims, n)
        shown = list(claims)
        if cfg["shuffle"]:
            rng.shuffle(shown)
        question = _render(names, first, shown, ask) + "\n" + _RULES + "\n" + YES_NO_FORMAT
        target = "Yes" if truth[ask] else "No"
        data = {
            "names": names,
            "first_truthful": first,
            "claims": [list(c) for c in shown],
            "ask": ask,
            "target": target,
        }
        return Draft(question, target, data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_yes_no(data, answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for rel in self.reference_dirs:
            for source, _i, text, target in read_bbh(root, rel):
                parsed = parse_question(text)
                if parsed is None:
                    skip(source, "question not recognised")
                    continue
                names, first, claims, ask = parsed
                truth = solve(first, claims, len(names))[ask]
                answer = "Yes" if truth else "No"
                note = None if target == answer else f"stored target {target!r} != recomputed {answer!r}"
                yield RefItem(
                    source=source,
                    question=with_format(text, YES_NO_FORMAT),
                    answer=answer,
                    data={
                        "names": names,
                        "first_truthful": first,
                        "claims": [list(c) for c in claims],
                        "ask": ask,
                        "target": answer,
                    },
                    stored_label=target,
                    label_note=note,
                )


_FIRST_RE = re.compile(r"^(\w[\w' -]*?) (tells the truth|lies)\.$")
_CLAIM_RE = re.compile(r"^(\w[\w' -]*?) says (\w[\w' -]*?) (tells the truth|lies)\.$")
_ASK_RE = re.compile(r"Does (\w[\w' -]*?) tell the truth\?")


def parse_question(text: str) -> tuple[list[str], bool, list[tuple[int, int, bool]], int] | None:
    """Rebuild (names, first_truthful, claims, asked index) from BBH-style text; None if it does not fit."""
    body = text.split("Question:", 1)[-1]
    m = _ASK_RE.search(body)
    if not m:
        return None
    sentences = [s.strip() + "." for s in body[: m.start()].split(".") if s.strip()]
    names: list[str] = []
    first: bool | None = None
    claims: list[tuple[int, int, bool]] = []
    for s in sentences:
        mc = _CLAIM_RE.match(s)
        if mc:
            sp, sub = mc.group(1), mc.group(2)
            if sp not in names:
                names.append(sp)
            if sub not in names:
                names.append(sub)
            claims.append((names.index(sp), names.index(sub), mc.group(3) == "tells the truth"))
            continue
        mf = _FIRST_RE.match(s)
        if mf and first is None:
            if mf.group(1) in names:
                names.remove(mf.group(1))
            names.insert(0, mf.group(1))
            first = mf.group(2) == "tells the truth"
            continue
        return None
    if first is None or m.group(1) not in names:
        return None
    # names were indexed before the first person may have moved to the front: re-index by name
    order = names
    by_name = {nm: i for i, nm in enumerate(order)}
    fixed = []
    for s in sentences:
        mc = _CLAIM_RE.match(s)
        if mc:
            fixed.append((by_name[mc.group(1)], by_name[mc.group(2)], mc.group(3) == "tells the truth"))
    try:
        solve(first, fixed, len(order))
    except ValueError:
        return None
    return order, first, fixed, by_name[m.group(1)]
