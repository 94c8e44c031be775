"""Permutations and Combinations (unseen): shelve n books so that every positional constraint holds."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, violates
from codesteer.symbench.suite._tokens import letter_list

KINDS = ("fixed", "not_at", "left_of", "right_of", "adjacent")
Constraint = list[Any]  # [kind, book, position-or-book]


def holds(c: Sequence[Any], pos: Mapping[str, int]) -> bool:
    """Whether one constraint holds for ``pos`` (book -> 1-based position)."""
    kind, a, b = c
    if kind == "fixed":
        return pos[a] == b
    if kind == "not_at":
        return pos[a] != b
    if kind == "left_of":
        return pos[a] < pos[b]
    if kind == "right_of":
        return pos[a] > pos[b]
    if kind == "adjacent":
        return abs(pos[a] - pos[b]) == 1
    raise ValueError(f"unknown constraint kind {kind!r}")


def text(c: Sequence[Any]) -> str:
    kind, a, b = c
    return {
        "fixed": f"Book {a} must be placed in position {b}.",
        "not_at": f"Book {a} cannot be placed in position {b}.",
        "left_of": f"Book {a} must be to the left of book {b}.",
        "right_of": f"Book {a} must be to the right of book {b}.",
        "adjacent": f"Book {a} must be adjacent to book {b}.",
    }[kind]


def solve(books: Sequence[str], constraints: Sequence[Sequence[Any]], limit: int = 1) -> list[list[str]]:
    """Up to ``limit`` arrangements, by filling positions left to right.

    Pruning keeps it fast on every instance the knobs allow (n <= 10): position domains from fixed/forbidden
    positions, "left of"/"right of" failing as soon as the later book is placed first, and "adjacent"
    failing once a placed book's right-hand neighbour is taken by someone else.
    """
    n = len(books)
    domain = {b: set(range(1, n + 1)) for b in books}
    after: dict[str, list[str]] = {b: [] for b in books}  # b must come after each listed book
    adj: dict[str, list[str]] = {b: [] for b in books}
    for kind, a, b in constraints:
        if kind == "fixed":
            domain[a] &= {b}
        elif kind == "not_at":
            domain[a].discard(b)
        elif kind == "left_of":
            after[b].append(a)
        elif kind == "right_of":
            after[a].append(b)
        elif kind == "adjacent":
            adj[a].append(b)
            adj[b].append(a)
    pos: dict[str, int] = {}
    order: list[str] = []
    out: list[list[str]] = []

    def fits(book: str, p: int) -> bool:
        if p not in domain[book] or any(x not in pos for x in after[book]):
            return False
        for x in adj[book]:
            if x in pos and pos[x] != p - 1:
                return False
        if order:  # the previous book's neighbours are now fixed: p-2 and p
            prev = order[-1]
            if any(x not in pos and x != book for x in adj[prev]):
                return False
        return all(not (x not in pos and x != book and max(domain[x]) <= p) for x in books)

    def rec() -> bool:
        if len(order) == n:
            out.append(list(order))
            return len(out) >= limit
        p = len(order) + 1
        for b in books:
            if b in pos or not fits(b, p):
                continue
            pos[b] = p
            order.append(b)
            if rec():
                return True
            order.pop()
            del pos[b]
        return False

    if all(domain[b] for b in books):
        rec()
    return out


def _question(books: Sequence[str], constraints: Sequence[Sequence[Any]]) -> str:
    n = len(books)
    lines = [
        f"Xiao Wang is a librarian responsible for shelving {n} books labeled {', '.join(books)} on a shelf with "
        f"positions 1 to {n} (position 1 is the leftmost). Every book goes in exactly one position and every "
        "position holds exactly one book.",
        "'To the left of' means in a smaller-numbered position (not necessarily next to it); 'to the right of' "
        "means in a larger-numbered position; 'adjacent to' means in the position directly next to it on "
        "either side.",
        "",
        "The constraints are:",
        *(f"{i}. {text(c)}" for i, c in enumerate(constraints, 1)),
        "",
        f"Arrange all {n} books from left to right (positions 1 through {n}) so that every constraint holds. "
        "Several arrangements may be valid; any one is enough. Give the books in position order in the "
        'format <<<["A", "B", "C", ...]>>>, listing all of them. For example, <<<["C", "A", "B"]>>> would put '
        "C in position 1, A in position 2 and B in position 3.",
    ]
    return "\n".join(lines)


def _random_constraint(rng: random.Random, books: Sequence[str], pos: Mapping[str, int]) -> Constraint:
    """A constraint that the hidden arrangement ``pos`` satisfies (so the instance is solvable)."""
    n = len(books)
    kind = rng.choice(KINDS)
    if kind == "fixed":
        a = rng.choice(books)
        return [kind, a, pos[a]]
    if kind == "not_at":
        a = rng.choice(books)
        return [kind, a, rng.choice([p for p in range(1, n + 1) if p != pos[a]])]
    if kind == "adjacent":
        a = rng.choice(books)
        nbrs = [b for b in books if abs(pos[b] - pos[a]) == 1]
        return [kind, a, rng.choice(nbrs)]
    a, b = rng.sample(books, 2)
    if (pos[a] < pos[b]) != (kind == "left_of"):
        a, b = b, a
    return [kind, a, b]


@register
class PermutationsCombinations(Task):
    name = "permutations_combinations"
    title = "Permutations and Combinations (book shelving)"
    seen = False
    description = (
        "Place n books on positions 1..n so that every constraint holds (fixed position, forbidden position, "
        "left of, right of, adjacent). Several arrangements are usually valid; the verifier checks that the "
        "answer is a full permutation of the books satisfying every constraint. Constraints are drawn to fit a "
        "hidden arrangement (so every instance is solvable; a backtracking solver double-checks it), without "
        "duplicates, and the alphabetical order is never a solution. Complexity raises the number of books and "
        "constraints: 5 books / 5-6 constraints at level 1 up to 9 books / 10-11 constraints at level 5, the "
        "reference's spread."
    )
    knobs = (
        Knob("books", int, 7, "number of books (A, B, ...)", lo=3, hi=10),
        Knob("min_constraints", int, 8, "fewest constraints", lo=1, hi=30),
        Knob("max_constraints", int, 9, "most constraints", lo=1, hi=30),
    )
    presets = {
        1: {"books": 5, "min_constraints": 5, "max_constraints": 6},
        2: {"books": 6, "min_constraints": 7, "max_constraints": 8},
        3: {"books": 7, "min_constraints": 8, "max_constraints": 9},
        4: {"books": 8, "min_constraints": 9, "max_constraints": 10},
        5: {"books": 9, "min_constraints": 10, "max_constraints": 11},
    }
    reference_dirs = ("permutations_and_combinations",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["max_constraints"] > 3 * cfg["books"]:
            raise ValueError(
                f"permutations_combinations: max_constraints ({cfg['max_constraints']}) must be <= 3 * books "
                f"({3 * cfg['books']}) so that distinct constraints exist"
            )
        if cfg["min_constraints"] > cfg["max_constraints"]:
            raise ValueError(
                "permutations_combinations: min_constraints "
                f"({cfg['min_constraints']}) must be <= max_constraints ({cfg['max_constraints']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        n = cfg["books"]
        books = [chr(ord("A") + i) for i in range(n)]
        k = rng.randint(cfg["min_constraints"], cfg["max_constraints"])
        alpha = {b: i + 1 for i, b in enumerate(books)}
        for _ in range(100):
            hidden = rng.sample(books, n)
            pos = {b: i + 1 for i, b in enumerate(hidden)}
            constraints: list[Constraint] = []
            seen: set[str] = set()
            for _ in range(20 * k):
                if len(constraints) == k:
                    break
                c = _random_constraint(rng, books, pos)
                if text(c) not in seen:
                    seen.add(text(c))
                    constraints.append(c)
            # the trivial answer A, B, C, ... must not already work
            if len(constraints) == k and not all(holds(c, alpha) for c in constraints):
                break
        found = solve(books, constraints)
        if not found:  # pragma: no cover - the hidden arrangement satisfies every constraint
            raise RuntimeError("permutations_combinations: unsolvable instance")
        data = {"books": books, "constraints": constraints}
        return Draft(_question(books, constraints), _answer(hidden), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        books = list(data["books"])
        got = letter_list(answer, len(books))
        missing = [b for b in books if b not in got]
        extra = sorted({b for b in got if b not in books})
        dups = sorted({b for b in got if got.count(b) > 1})
        if extra:
            return violates(f"unknown book(s) {', '.join(extra)}")
        if dups:
            return violates(f"book(s) {', '.join(dups)} placed more than once")
        if missing or len(got) != len(books):
            return violates(f"not a full arrangement: book(s) {', '.join(missing)} missing")
        pos = {b: i + 1 for i, b in enumerate(got)}
        bad = [i for i, c in enumerate(data["constraints"]) if not holds(c, pos)]
        if bad:
            c = data["constraints"][bad[0]]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            return violates(f"constraint {bad[0] + 1} fails: {text(c)}{more}", score=0.0)
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            parsed = _parse_question(question)
            if parsed is None:
                skip(source, "question not recognised")
                continue
            books, constraints = parsed
            label = stored_value(stored, "correct_solution")
            data = {"books": books, "constraints": constraints}
            note = None
            if isinstance(label, list) and self.check(data, _answer(label)).correct:
                truth = [str(x) for x in label]
            else:
                found = solve(books, constraints)
                if not found:
                    skip(source, "no valid solution as stated")
                    continue
                truth = found[0]
                if label is not None:
                    note = f"stored arrangement {label} violates the constraints; {truth} satisfies them"
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=_answer(truth),
                data=data,
                complexity=stored_value(stored, "complexity"),
                stored_label=label,
                label_note=note,
            )


def _answer(order: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{b}"' for b in order) + "]"


_PATTERNS = (
    ("fixed", r"Book ([A-Z]) must be placed in position (\d+)\."),
    ("not_at", r"Book ([A-Z]) cannot be placed in position (\d+)\."),
    ("left_of", r"Book ([A-Z]) must be to the left of book ([A-Z])\."),
    ("right_of", r"Book ([A-Z]) must be to the right of book ([A-Z])\."),
    ("adjacent", r"Book ([A-Z]) must be adjacent to book ([A-Z])\."),
)


def _parse_question(q: str) -> tuple[list[str], list[Constraint]] | None:
    m = re.search(r"shelving (\d+) books labeled ([A-Z](?:, [A-Z])*)", q)
    if not m:
        return None
    books = m.group(2).split(", ")
    if len(books) != int(m.group(1)):
        return None
    constraints: list[Constraint] = []
    for line in re.findall(r"^\s*\d+\.\s*(Book .*)$", q, flags=re.M):
        for kind, pat in _PATTERNS:
            mm = re.fullmatch(pat, line.strip())
            if mm:
                a, b = mm.group(1), mm.group(2)
                constraints.append([kind, a, int(b) if kind in ("fixed", "not_at") else b])
                break
        else:
            return None
    if not constraints:
        return None
    for c in constraints:
        if c[1] not in books or (isinstance(c[2], str) and c[2] not in books):
            return None
        if isinstance(c[2], int) and not 1 <= c[2] <= len(books):
            return None
    return books, constraints
