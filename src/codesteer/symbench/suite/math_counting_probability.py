"""MATH Counting & Probability (seen): templated counting and probability problems with exact answers."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._latex import check_math, choose_family, load_math_dir

CP_FORMAT = (
    "Give the exact answer in the format <<<answer>>>: an integer, or a probability as a common fraction in "
    "lowest terms; for example <<<120>>> or <<<\\frac{5}{324}>>> (plain text such as <<<5/324>>> is accepted "
    "too). A rounded decimal is not an exact answer."
)


def frac_latex(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def dice_sums(k: int, sides: int = 6) -> Counter[int]:
    """Number of ways to reach each total with k dice (dynamic programming)."""
    ways: Counter[int] = Counter({0: 1})
    for _ in range(k):
        nxt: Counter[int] = Counter()
        for s, w in ways.items():
            for f in range(1, sides + 1):
                nxt[s + f] += w
        ways = nxt
    return ways


_LETTERS = "ABCDEGHILMNOPRST"


def _word_arrangements(rng: random.Random, n: int) -> tuple[str, Fraction]:
    length = rng.randint(4, min(4 + n, 12))
    alphabet = rng.sample(_LETTERS, rng.randint(2, max(2, length - 2)))
    word = [rng.choice(alphabet) for _ in range(length)]
    counts = Counter(word)
    total = math.factorial(length)
    for c in counts.values():
        total //= math.factorial(c)
    w = "".join(word)
    return f"How many distinct arrangements of the letters of the string {w} are there?", Fraction(total)


def _coins_exact(rng: random.Random, n: int) -> tuple[str, Fraction]:
    flips = rng.randint(3, 4 + n)
    k = rng.randint(0, flips)
    return (
        f"A fair coin is flipped {flips} times. What is the probability of getting exactly {k} heads? Express "
        "your answer as a common fraction.",
        Fraction(math.comb(flips, k), 2**flips),
    )


def _committee(rng: random.Random, n: int) -> tuple[str, Fraction]:
    total = rng.randint(5, 6 + 2 * n)
    k = rng.randint(2, min(6, total - 1))
    return (
        f"In how many ways can a committee of {k} people be chosen from a club of {total} people?",
        Fraction(math.comb(total, k)),
    )


def _at_least_one_six(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(2, 2 + n // 2)
    return (
        f"{k} fair six-sided dice are rolled. What is the probability that at least one of them shows a 6? "
        "Express your answer as a common fraction.",
        1 - Fraction(5, 6) ** k,
    )


def _mixed_committee(rng: random.Random, n: int) -> tuple[str, Fraction]:
    m, w = rng.randint(3, 3 + n), rng.randint(3, 3 + n)
    k = rng.randint(3, min(6, m + w - 1))
    count = math.comb(m + w, k) - math.comb(m, k) - math.comb(w, k)
    return (
        f"A club has {m} men and {w} women. In how many ways can a committee of {k} be chosen that includes at "
        "least one man and at least one woman?",
        Fraction(count),
    )


def _dice_sum(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(2, 3)
    ways = dice_sums(k)
    s = rng.randint(k + 1, 6 * k - 1)
    return (
        f"{k} fair six-sided dice are rolled. What is the probability that the sum of the numbers shown is "
        f"exactly {s}? Express your answer as a common fraction.",
        Fraction(ways[s], 6**k),
    )


_SUITS = ("hearts", "spades", "diamonds", "clubs")


def _cards(rng: random.Random, n: int) -> tuple[str, Fraction]:
    kind = rng.randrange(4)
    head = "Two cards are drawn at random without replacement from a standard 52-card deck. What is the probability "
    tail = "? Express your answer as a common fraction."
    if kind == 0:
        suit = rng.choice(_SUITS)
        return head + f"that both cards are {suit}" + tail, Fraction(13 * 12, 52 * 51)
    if kind == 1:
        return head + "that the two cards are of the same suit" + tail, Fraction(12, 51)
    if kind == 2:
        return head + "that one card is an ace and the other is a king" + tail, Fraction(2 * 4 * 4, 52 * 51)
    return head + "that at least one of the cards is an ace" + tail, 1 - Fraction(48 * 47, 52 * 51)


def _stars_bars(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(2, 4)
    total = rng.randint(k + 1, 6 + 2 * n)
    if rng.random() < 0.5:
        return (
            f"How many solutions in non-negative integers does $x_1 + \\dots + x_{k} = {total}$ have?",
            Fraction(math.comb(total + k - 1, k - 1)),
        )
    return (
        f"How many solutions in positive integers does $x_1 + \\dots + x_{k} = {total}$ have?",
        Fraction(math.comb(total - 1, k - 1)),
    )


def _divisible(rng: random.Random, n: int) -> tuple[str, Fraction]:
    top = rng.randint(50, 100 * n)
    a, b = rng.sample(range(2, 14), 2)
    count = top // a + top // b - top // math.lcm(a, b)
    return f"How many integers from 1 to {top}, inclusive, are divisible by {a} or by {b}?", Fraction(count)


def _urn(rng: random.Random, n: int) -> tuple[str, Fraction]:
    red, blue = rng.randint(2, 3 + n), rng.randint(2, 3 + n)
    k = rng.randint(2, min(5, red + blue - 1))
    j = rng.randint(max(0, k - blue), min(k, red))
    p = Fraction(math.comb(red, j) * math.comb(blue, k - j), math.comb(red + blue, k))
    return (
        f"An urn contains {red} red balls and {blue} blue balls. {k} balls are drawn at random without "
        f"replacement. What is the probability that exactly {j} of them are red? Express your answer as a common "
        "fraction.",
        p,
    )


def count_seatings(n: int, not_adjacent: tuple[int, int], not_end: int | None) -> int:
    """Rows of n distinct people with two given people apart (and one given person not at an end): enumerate
    the places of the constrained people, the others fill the rest in (n - fixed)! ways."""
    a, b = not_adjacent
    people = [a, b] + ([not_end] if not_end is not None else [])
    rest = math.factorial(n - len(people))
    count = 0
    for places in itertools.permutations(range(n), len(people)):
        if abs(places[0] - places[1]) == 1:
            continue
        if not_end is not None and places[2] in (0, n - 1):
            continue
        count += rest
    return count


def _seating(rng: random.Random, n: int) -> tuple[str, Fraction]:
    size = rng.randint(5, min(9, 5 + n // 2))
    names = ["Alice", "Bob", "Carol"]
    if rng.random() < 0.5:
        return (
            f"In how many ways can {size} different people sit in a row of {size} chairs if {names[0]} and "
            f"{names[1]} refuse to sit next to each other?",
            Fraction(count_seatings(size, (0, 1), None)),
        )
    return (
        f"In how many ways can {size} different people sit in a row of {size} chairs if {names[0]} and {names[1]} "
        f"refuse to sit next to each other and {names[2]} does not sit in either end chair?",
        Fraction(count_seatings(size, (0, 1), 2)),
    )


def bounded_solutions(k: int, total: int, cap: int) -> int:
    """Solutions of x_1 + ... + x_k = total with 0 <= x_i <= cap, by inclusion-exclusion."""
    out = 0
    for j in range(k + 1):
        rem = total - j * (cap + 1)
        if rem < 0:
            break
        out += (-1) ** j * math.comb(k, j) * math.comb(rem + k - 1, k - 1)
    return out


def _bounded_stars(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(3, 5)
    cap = rng.randint(2, 3 + n // 3)
    total = rng.randint(cap + 1, k * cap - 1)
    return (
        f"How many solutions in integers does $x_1 + \\dots + x_{k} = {total}$ have with $0 \\le x_i \\le {cap}$ "
        f"for every $i$?",
        Fraction(bounded_solutions(k, total, cap)),
    )


def _divisible_none(rng: random.Random, n: int) -> tuple[str, Fraction]:
    top = rng.randint(100, 200 * n)
    a, b, c = sorted(rng.sample(range(2, 16), 3))
    inc = 0
    for r in range(1, 4):
        for combo in itertools.combinations((a, b, c), r):
            inc += (-1) ** (r + 1) * (top // math.lcm(*combo))
    return (
        f"How many integers from 1 to {top}, inclusive, are divisible by none of {a}, {b} and {c}?",
        Fraction(top - inc),
    )


def _dice_at_least(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(3, 4)
    ways = dice_sums(k)
    s = rng.randint(k + 2, 6 * k - 2)
    good = sum(w for t, w in ways.items() if t >= s)
    return (
        f"{k} fair six-sided dice are rolled. What is the probability that the sum of the numbers shown is at "
        f"least {s}? Express your answer as a common fraction.",
        Fraction(good, 6**k),
    )


def _distinct_digits(rng: random.Random, n: int) -> tuple[str, Fraction]:
    k = rng.randint(3, 4)
    cond = rng.choice(("even", "odd", "greater than 5000" if k == 4 else "greater than 500"))
    count = 0
    for digits in itertools.permutations(range(10), k):
        if digits[0] == 0:
            continue
        value = int("".join(map(str, digits)))
        if (
            (cond == "even" and value % 2 == 0)
            or (cond == "odd" and value % 2 == 1)
            or (cond.startswith("greater") and value > int(cond.split()[-1]))
        ):
            count += 1
    return f"How many {k}-digit positive integers have all distinct digits and are {cond}?", Fraction(count)


def _round_table(rng: random.Random, n: int) -> tuple[str, Fraction]:
    size = rng.randint(4, min(10, 5 + n // 2))
    return (
        f"In how many ways can {size} people sit around a round table if two particular people, Alice and Bob, "
        "must sit next to each other? (Two seatings are the same if one is a rotation of the other.)",
        Fraction(2 * math.factorial(size - 2)),
    )


FAMILIES: dict[str, tuple[int, Callable[[random.Random, int], tuple[str, Fraction]]]] = {
    "word_arrangements": (1, _word_arrangements),
    "coins": (1, _coins_exact),
    "committee": (1, _committee),
    "at_least_one_six": (1, _at_least_one_six),
    "mixed_committee": (2, _mixed_committee),
    "dice_sum": (2, _dice_sum),
    "cards": (2, _cards),
    "stars_and_bars": (2, _stars_bars),
    "divisible": (2, _divisible),
    "urn": (2, _urn),
    "seating": (3, _seating),
    "bounded_stars_and_bars": (3, _bounded_stars),
    "divisible_by_none": (3, _divisible_none),
    "dice_at_least": (3, _dice_at_least),
    "distinct_digits": (3, _distinct_digits),
    "round_table": (3, _round_table),
}


@register
class MathCountingProbability(Task):
    name = "math_counting_probability"
    title = "MATH Counting & Probability"
    seen = True
    description = (
        "Counting and probability problems from templates in the style of the MATH data set: arrangements with "
        "repeated letters or seating constraints, committees, inclusion-exclusion over divisibility, dice, "
        "coins, cards and urns, stars and bars (also with upper bounds). Answers are integers or reduced "
        "fractions computed exactly (closed forms checked against enumeration) and compared by symbolic "
        "equivalence. Complexity: tier 1 one formula, tier 2 complements and distributions, tier 3 constraints "
        "and inclusion-exclusion; size scales the universe."
    )
    knobs = (
        Knob("tier", int, 2, "hardest family tier (1 one formula, 2 two steps, 3 constraints)", lo=1, hi=3),
        Knob("size", int, 4, "scale of the universe (people, flips, ranges)", lo=1, hi=12),
        Knob("family", str, "any", "restrict to one family", choices=("any", *FAMILIES)),
    )
    presets = {
        1: {"tier": 1, "size": 2},
        2: {"tier": 2, "size": 3},
        3: {"tier": 2, "size": 6},
        4: {"tier": 3, "size": 6},
        5: {"tier": 3, "size": 10},
    }
    reference_dirs = ("MATH/train/counting_and_probability", "MATH/test/counting_and_probability")
    max_answer_chars = 2000

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        fam = choose_family(rng, FAMILIES, cfg["tier"], cfg["family"])
        text, value = FAMILIES[fam][1](rng, cfg["size"])
        gold = frac_latex(value)
        return Draft(text + "\n" + CP_FORMAT, gold, {"family": fam, "gold": gold})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_math(str(data["gold"]), answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        yield from load_math_dir(root, self.reference_dirs, CP_FORMAT)
