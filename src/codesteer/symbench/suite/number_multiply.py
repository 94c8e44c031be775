"""Number Multiply (unseen): the product of several signed integers with given digit counts."""

from __future__ import annotations

import ast
import math
import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import parse_int
from codesteer.symbench._samples import read_samples, skip, subfolders
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong


def _factor(rng: random.Random, digits: int) -> int:
    # exactly `digits` digits (the reference's lower bound was off by one), never 0 or ±1
    lo = 2 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(lo, 10**digits - 1) * rng.choice((-1, 1))


_FORMAT = (
    "Give only the final integer, without thousands separators, in the format <<<answer>>>. "
    "For example, <<<-1234567>>>."
)


def _question(factors: list[int]) -> str:
    expr = "*".join(str(f) for f in factors)
    return (
        f"What is the result of {expr}?\n"
        "Compute the exact integer value of the product (the factors are signed integers; '*' is "
        "multiplication).\n" + _FORMAT
    )


@register
class NumberMultiply(Task):
    name = "number_multiply"
    title = "Number Multiply"
    seen = False
    description = (
        "Multiply several signed integers exactly. The number of factors and their digit counts set the "
        "difficulty; the answer is one integer, compared exactly (no substring matching, unlike the reference)."
    )
    knobs = (
        Knob("factors", int, 3, "number of factors", lo=2, hi=8),
        Knob("min_digits", int, 1, "fewest digits in a factor", lo=1, hi=30),
        Knob("max_digits", int, 4, "most digits in a factor", lo=1, hi=30),
    )
    presets = {
        1: {"factors": 2, "min_digits": 1, "max_digits": 2},
        2: {"factors": 3, "min_digits": 1, "max_digits": 3},
        3: {"factors": 3, "min_digits": 1, "max_digits": 4},
        4: {"factors": 4, "min_digits": 2, "max_digits": 4},
        5: {"factors": 4, "min_digits": 3, "max_digits": 8},
    }
    reference_dirs = ("number_multiply", "number_multiply_varied_complexity")

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_digits"] > cfg["max_digits"]:
            raise ValueError(
                f"number_multiply: min_digits ({cfg['min_digits']}) must be <= max_digits ({cfg['max_digits']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        digits = [rng.randint(cfg["min_digits"], cfg["max_digits"]) for _ in range(cfg["factors"])]
        digits.sort()
        factors = [_factor(rng, d) for d in digits]
        product = math.prod(factors)
        return Draft(_question(factors), str(product), {"factors": factors, "product": product})

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        value = parse_int(answer)
        target = int(data["product"])
        if value == target:
            return ok()
        return wrong(f"{value} != expected product")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for top in self.reference_dirs:
            tops = [f"{top}/{d.name}" for d in subfolders(root / top)]  # digit_1_2_4/sample_0, ...
            for source, stored_q, stored in read_samples(
                root, *tops, question_file="input_prompt_1.txt", solution_file="target_answer.txt",
                read_solution=_read_target,
            ):
                m = re.search(r"result of\s*([-\d*\s]+)\?", stored_q)
                if not m:
                    skip(source, "product not found in the question")
                    continue
                factors = [int(x) for x in m.group(1).replace(" ", "").split("*") if x]
                product = math.prod(factors)
                note = None if stored in (None, product) else f"stored target {stored} != recomputed {product}"
                yield RefItem(
                    source=source,
                    # the published question has no answer format; keep its text and add ours
                    question=stored_q.strip() + "\n" + _FORMAT,
                    answer=str(product),
                    data={"factors": factors, "product": product},
                    complexity=None,
                    stored_label=stored,
                    label_note=note,
                )


def _read_target(text: str) -> Any:
    """The stored product as an int; the text itself when it is not an integer literal."""
    try:
        return int(ast.literal_eval(text.strip()))
    except (ValueError, SyntaxError):
        return text.strip()
