"""Logical Deduction (seen; BIG-Bench-Hard): order objects from relative and absolute clues, pick the option."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_bbh, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._choices import (
    LETTERS,
    OPTION_FORMAT,
    check_option,
    parse_options,
    render_options,
    with_format,
)

_NUM = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
_ORDW = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")

# position 0 is the start of the canonical order: left, first place, oldest, cheapest
DOMAINS: dict[str, dict[str, Any]] = {
    "golf": {
        "intro": "In a golf tournament, there were {n} golfers: {items}.",
        "pool": ("Ana", "Eve", "Ada", "Dan", "Rob", "Amy", "Joe", "Eli", "Mel", "Mya"),
        "article": False,
    },
    "books": {
        "intro": "On a shelf, there are {n} books: {items}.",
        "pool": ("brown", "yellow", "black", "white", "green", "orange", "purple", "gray", "blue", "red"),
        "article": True,
    },
    "birds": {
        "intro": "On a branch, there are {n} birds: {items}.",
        "pool": ("hummingbird", "cardinal", "blue jay", "owl", "raven", "quail", "robin", "falcon", "crow"),
        "article": True,
    },
    "vehicles": {
        "intro": "In an antique car show, there are {n} vehicles: {items}.",
        "pool": (
            "bus",
            "motorcycle",
            "hatchback",
            "station wagon",
            "minivan",
            "truck",
            "limousine",
            "tractor",
            "convertible",
            "sedan",
        ),
        "article": True,
    },  # fmt: skip
    "fruits": {
        "intro": "A fruit stand sells {n} fruits: {items}.",
        "pool": (
            "kiwis",
            "plums",
            "mangoes",
            "watermelons",
            "pears",
            "peaches",
            "oranges",
            "loquats",
            "apples",
            "cantaloupes",
        ),
        "article": False,
    },  # fmt: skip
}
_HEADER = (
    "The following paragraphs each describe a set of {n} objects arranged in a fixed order. The statements are "
    "logically consistent within each paragraph."
)


def _item(domain: str, noun: str) -> str:
    """How an object is listed in the intro ("a blue jay", "an orange book", "kiwis", "Ana")."""
    if domain == "books":
        noun = f"{noun} book"
    if DOMAINS[domain]["article"]:
        return ("an " if noun[0] in "aeiou" else "a ") + noun
    return noun


def subject(domain: str, noun: str) -> str:
    if domain == "golf":
        return noun
    return f"The {noun} book" if domain == "books" else f"The {noun}"


def abs_sentence(domain: str, subj: str, k: int, from_end: bool) -> str:
    """``subj`` is the k-th (0-based) from the start, or from the end when ``from_end``."""
    o = _ORDW[k]
    if domain == "golf":
        if from_end:
            return f"{subj} finished last" if k == 0 else f"{subj} finished {o}-to-last"
        return f"{subj} finished {o}"
    if domain in ("books", "birds"):
        side = "right" if from_end else "left"
        return f"{subj} is the {side}most" if k == 0 else f"{subj} is the {o} from the {side}"
    if domain == "vehicles":
        word = "newest" if from_end else "oldest"
        return f"{subj} is the {word}" if k == 0 else f"{subj} is the {o}-{word}"
    word = "most expensive" if from_end else "cheapest"
    return f"{subj} are the {word}" if k == 0 else f"{subj} are the {o}-{word}"


def rel_sentence(domain: str, a: str, b: str, a_first: bool) -> str:
    """``a`` comes before ``b`` in the canonical order (a_first) or after it."""
    words = {
        "golf": ("finished above", "finished below"),
        "books": ("is to the left of", "is to the right of"),
        "birds": ("is to the left of", "is to the right of"),
        "vehicles": ("is older than", "is newer than"),
        "fruits": ("are less expensive than", "are more expensive than"),
    }[domain]
    b_obj = b if domain == "golf" else "the" + b[3:]
    return f"{a} {words[0] if a_first else words[1]} {b_obj}"


@lru_cache(maxsize=8)
def _perms(n: int) -> tuple[tuple[int, ...], ...]:
    return tuple(itertools.permutations(range(n)))


@lru_cache(maxsize=8)
def _masks(n: int) -> dict[tuple[Any, ...], int]:
    """Bit i of a clue's mask is set when ordering i of ``_perms(n)`` satisfies the clue."""
    perms = _perms(n)
    out: dict[tuple[Any, ...], int] = {}
    for o in range(n):
        for p in range(n):
            out[("abs", o, p)] = sum(1 << i for i, pos in enumerate(perms) if pos[o] == p)
    for a in range(n):
        for b in range(n):
            if a != b:
                out[("rel", a, b)] = sum(1 << i for i, pos in enumerate(perms) if pos[a] < pos[b])
    return out


def _mask_of(n: int, clues: list[list[Any]]) -> int:
    masks = _masks(n)
    m = (1 << len(_perms(n))) - 1
    for c in clues:
        m &= masks[tuple(c)]
    return m


def solutions(n: int, clues: list[list[Any]]) -> list[tuple[int, ...]]:
    """All position vectors (pos[object]) consistent with the clues, by brute force over n! orderings."""
    m = _mask_of(n, clues)
    perms = _perms(n)
    out = []
    while m:
        low = m & -m
        out.append(perms[low.bit_length() - 1])
        m ^= low
    return out


def _clue_text(domain: str, nouns: list[str], clue: list[Any], n: int, rng: random.Random | None) -> str:
    if clue[0] == "abs":
        obj, p = clue[1], clue[2]
        near_end = n - 1 - p < p
        from_end = near_end if rng is None or max(p, n - 1 - p) > 3 else rng.random() < 0.5
        if rng is not None and p == n - 1 - p:
            from_end = rng.random() < 0.5
        k = n - 1 - p if from_end else p
        return abs_sentence(domain, subject(domain, nouns[obj]), k, from_end) + "."
    a, b = clue[1], clue[2]
    if rng is not None and rng.random() < 0.5:
        return rel_sentence(domain, subject(domain, nouns[b]), subject(domain, nouns[a]), False) + "."
    return rel_sentence(domain, subject(domain, nouns[a]), subject(domain, nouns[b]), True) + "."


@register
class LogicalDeduction(Task):
    name = "logical_deduction"
    title = "Logical Deduction"
    seen = True
    description = (
        "Objects in a fixed order (golfers, books, birds, vehicles by age, fruits by price) described by "
        "relative clues (X is left of Y) and absolute clues (X is the third from the right); clues are added "
        "until a brute-force solver finds exactly one ordering. The options state which object holds one "
        "position; exactly one is true and the answer is its letter. Complexity grows with the number of "
        "objects (BBH: 3, 5, 7), fewer absolute clues (more chained relative reasoning) and redundant clues."
    )
    knobs = (
        Knob("objects", int, 7, "number of objects (brute force over n! orderings)", lo=3, hi=7),
        Knob("max_absolute", int, 3, "most absolute-position clues (0 = relative clues only)", lo=0, hi=7),
        Knob("extra_clues", int, 0, "true but redundant clues added after the puzzle is unique", lo=0, hi=6),
        Knob("domain", str, "any", "scenario", choices=("any", *DOMAINS)),
    )
    presets = {
        1: {"objects": 3, "max_absolute": 2, "extra_clues": 0},
        2: {"objects": 5, "max_absolute": 3, "extra_clues": 0},
        3: {"objects": 7, "max_absolute": 4, "extra_clues": 0},
        4: {"objects": 7, "max_absolute": 2, "extra_clues": 1},
        5: {"objects": 7, "max_absolute": 0, "extra_clues": 2},
    }
    reference_dirs = ("BIG-Bench-Hard/bbh/logical_deduction_seven_objects.json",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n = cfg["objects"]
        domain = rng.choice(sorted(DOMAINS)) if cfg["domain"] == "any" else cfg["domain"]
        nouns = rng.sample(DOMAINS[domain]["pool"], n)
        order = list(range(n))
        rng.shuffle(order)  # order[p] = object at position p
        pos = [0] * n
        for p, obj in enumerate(order):
            pos[obj] = p
        cands: list[list[Any]] = [["abs", o, pos[o]] for o in range(n)]
        cands += [["rel", a, b] for a in range(n) for b in range(n) if pos[a] < pos[b]]
        rng.shuffle(cands)
        masks = _masks(n)
        clues: list[list[Any]] = []
        live = (1 << len(_perms(n))) - 1
        n_abs = 0
        for c in cands:
            if live.bit_count() == 1:
                break
            if c[0] == "abs" and n_abs >= cfg["max_absolute"]:
                continue
            nxt = live & masks[tuple(c)]
            if nxt != live:
                live = nxt
                clues.append(c)
                n_abs += c[0] == "abs"
        # drop clues that later ones made redundant, keeping the puzzle unique (BBH uses n-1 or so)
        for c in list(clues):
            rest = [x for x in clues if x is not c]
            if _mask_of(n, rest).bit_count() == 1:
                clues = rest
        spare = [c for c in cands if c not in clues and (c[0] == "rel" or n_abs < cfg["max_absolute"])]
        clues += spare[: cfg["extra_clues"]]
        rng.shuffle(clues)
        sols = solutions(n, clues)
        assert len(sols) == 1 and list(sols[0]) == pos
        p = rng.randrange(n)
        from_end = (n - 1 - p < p) if max(p, n - 1 - p) > 3 else rng.random() < 0.5
        k = n - 1 - p if from_end else p
        options = [abs_sentence(domain, subject(domain, nouns[o]), k, from_end) for o in range(n)]
        target = LETTERS[order[p]]
        intro = DOMAINS[domain]["intro"].format(n=_NUM[n], items=_list([_item(domain, x) for x in nouns]))
        text = " ".join(
            [_HEADER.format(n=_NUM[n]), intro] + [_clue_text(domain, nouns, c, n, rng) for c in clues]
        )
        question = text + "\n" + render_options(options) + "\n" + OPTION_FORMAT
        data = {"domain": domain, "nouns": nouns, "clues": clues, "options": options, "target": target}
        return Draft(question, f"({target})", data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_option(data, answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for rel in self.reference_dirs:
            for source, _i, text, target in read_bbh(root, rel):
                parsed = parse_question(text)
                if parsed is None:
                    skip(source, "question not recognised")
                    continue
                domain, nouns, clues, opt_facts = parsed
                options = parse_options(text)
                sols = solutions(len(nouns), clues)
                if len(sols) != 1:
                    skip(source, "clues do not fix a unique order")
                    continue
                true = [i for i, (o, p) in enumerate(opt_facts) if sols[0][o] == p]
                if len(true) != 1:
                    skip(source, "not exactly one option is true")
                    continue
                letter = LETTERS[true[0]]
                stored = target.strip("() ")
                note = None if stored == letter else f"stored target {target} != recomputed ({letter})"
                yield RefItem(
                    source=source,
                    question=with_format(text, OPTION_FORMAT),
                    answer=f"({letter})",
                    data={
                        "domain": domain,
                        "nouns": nouns,
                        "clues": clues,
                        "options": options,
                        "target": letter,
                    },
                    stored_label=target,
                    label_note=note,
                )


def _list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + ", and " + items[-1] if len(items) > 2 else " and ".join(items)


_INTRO_RE = {
    d: re.compile(re.escape(spec["intro"]).replace(r"\{n\}", r"(\w+)").replace(r"\{items\}", r"(.+?)") + "$")
    for d, spec in DOMAINS.items()
}


def parse_question(text: str) -> tuple[str, list[str], list[list[Any]], list[tuple[int, int]]] | None:
    """(domain, nouns, clues, option facts (object, position)) from BBH-style text, or None."""
    body, _, opts = text.partition("\nOptions:")
    sentences = [s.strip() + "." for s in re.split(r"(?<=\.)\s+", body) if s.strip()]
    sentences = [s[:-1] if s.endswith("..") else s for s in sentences]
    found = None
    for i, s in enumerate(sentences):
        for d, rx in _INTRO_RE.items():
            m = rx.match(s)
            if m:
                found = (i, d, m.group(2))
                break
        if found:
            break
    if not found:
        return None
    idx, domain, items_text = found
    raw = [x.strip() for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", items_text) if x.strip()]
    nouns = []
    for it in raw:
        it = re.sub(r"^(a|an)\s+", "", it)
        if domain == "books":
            it = re.sub(r"\s+book$", "", it)
        nouns.append(it)
    n = len(nouns)
    if n < 2 or n > 7:
        return None
    table: dict[str, list[Any]] = {}
    for o, noun in enumerate(nouns):
        subj = subject(domain, noun)
        for k in range(n):
            for from_end in (False, True):
                table[abs_sentence(domain, subj, k, from_end)] = ["abs", o, n - 1 - k if from_end else k]
        for b, other in enumerate(nouns):
            if b != o:
                sb = subject(domain, other)
                table[rel_sentence(domain, subj, sb, True)] = ["rel", o, b]
                table[rel_sentence(domain, subj, sb, False)] = ["rel", b, o]
    clues = []
    for s in sentences[idx + 1 :]:
        c = table.get(s.rstrip("."))
        if c is None:
            return None
        clues.append(c)
    facts = []
    for line in parse_options("Options:" + opts):
        c = table.get(line.strip().rstrip("."))
        if c is None or c[0] != "abs":
            return None
        facts.append((c[1], c[2]))
    return domain, nouns, clues, facts
