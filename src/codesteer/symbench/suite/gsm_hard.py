"""GSM-Hard (seen): grade-school word problems with large numbers; exact answers, relative tolerance."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, eval_arith, parse_number
from codesteer.symbench._samples import skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

DEFAULT_REL_TOL = 1e-3  # the reference's GPT-4o judge was told to accept a 1e-3 relative error


def _fmt_tol(rel_tol: float) -> str:
    return f"{rel_tol * 100:g}%"


def answer_format(rel_tol: float) -> str:
    return (
        "Give only the final number in the format <<<answer>>>, for example <<<-1234567>>> or <<<2071.25>>>. "
        "If the answer is not a whole number, give it as a decimal with at least six significant digits or as a "
        f"fraction such as <<<7/3>>>. Answers within a relative error of {_fmt_tol(rel_tol)} are accepted."
    )


@dataclass(frozen=True)
class _Template:
    name: str
    steps: int
    slots: dict[str, tuple[int, int]]  # quantity -> ordinary range
    scalable: tuple[str, ...]  # quantities that may be replaced by a large number
    text: str
    solve: Callable[[dict[str, Fraction]], Fraction | None]  # None rejects a draw (e.g. division by zero)


TEMPLATES: tuple[_Template, ...] = (
    _Template("robe", 2, {"a": (2, 9)}, ("a",),
              "A robe takes {a} bolts of blue fiber and half that much white fiber. How many bolts in total "
              "does it take?", lambda v: v["a"] * Fraction(3, 2)),
    _Template("sprints", 2, {"a": (2, 6), "b": (2, 5), "c": (40, 100)}, ("a", "b", "c"),
              "James decides to run {a} sprints {b} times a week. He runs {c} meters each sprint. How many "
              "total meters does he run a week?", lambda v: v["a"] * v["b"] * v["c"]),
    _Template("tank", 2, {"a": (100, 900), "b": (12, 30), "c": (1, 10)}, ("a", "b"),
              "A tank holds {a} liters of water. A pump fills it at {b} liters per minute while a crack leaks "
              "{c} liters per minute. Starting empty, how many minutes does it take to fill the tank?",
              lambda v: v["a"] / (v["b"] - v["c"]) if v["b"] > v["c"] else None),
    _Template("eggs", 3, {"a": (12, 20), "b": (2, 4), "c": (3, 5), "d": (2, 4)}, ("a", "c", "d"),
              "Janet's ducks lay {a} eggs per day. She eats {b} for breakfast every morning and bakes muffins "
              "for her friends every day with {c}. She sells the remainder at the farmers' market daily for "
              "${d} per fresh duck egg. How much in dollars does she make every day at the farmers' market?",
              lambda v: (v["a"] - v["b"] - v["c"]) * v["d"]),
    _Template("flip", 3, {"a": (50000, 90000), "b": (10000, 50000), "p": (50, 200)}, ("a", "b"),
              "Josh decides to try flipping a house. He buys a house for ${a} and then puts in ${b} in repairs. "
              "This increased the value of the house by {p}% of the price he paid. How much profit did he make?",
              lambda v: v["a"] * (100 + v["p"]) / 100 - v["a"] - v["b"]),
    _Template("speed", 3, {"a": (60, 300), "b": (40, 90), "c": (20, 200), "d": (30, 80)}, ("a", "c"),
              "A truck drives {a} kilometers at {b} kilometers per hour and then {c} kilometers at {d} "
              "kilometers per hour. How many hours does the whole trip take?",
              lambda v: v["a"] / v["b"] + v["c"] / v["d"]),
    _Template("share", 3, {"a": (200, 900), "b": (20, 90), "c": (10, 60), "k": (2, 8)}, ("a", "b", "c"),
              "Maria has ${a}. She spends ${b} on a jacket and ${c} on lunch, then shares the rest equally "
              "among her {k} cousins. How many dollars does each cousin get?",
              lambda v: (v["a"] - v["b"] - v["c"]) / v["k"]),
    _Template("class", 3, {"n": (20, 60), "p": (20, 60), "q": (10, 80)}, ("n",),
              "A school has {n} students. {p}% of them are boys, and {q}% of the girls joined the chess club. "
              "How many girls did not join the chess club?",
              lambda v: v["n"] * (100 - v["p"]) / 100 * (100 - v["q"]) / 100),
    _Template("bakery", 3, {"a": (10, 40), "b": (3, 9), "p": (2, 6), "c": (20, 90)}, ("a", "b", "c"),
              "A bakery bakes {a} loaves in each batch and makes {b} batches a day. Each loaf sells for ${p} and "
              "the ingredients for the whole day cost ${c}. What is the bakery's daily profit in dollars?",
              lambda v: v["a"] * v["b"] * v["p"] - v["c"]),
    _Template("wage", 4, {"r": (12, 30), "h": (41, 60)}, ("r", "h"),
              "Eliza's rate per hour for the first 40 hours she works each week is ${r}. She also receives an "
              "overtime pay of 1.2 times her regular hourly rate for every hour beyond 40. If Eliza worked for "
              "{h} hours this week, how much are her earnings for this week?",
              lambda v: 40 * v["r"] + (v["h"] - 40) * v["r"] * Fraction(6, 5) if v["h"] > 40 else None),
    _Template("savings", 4, {"a": (10, 60), "w": (8, 30), "b": (50, 200), "c": (5, 20), "m": (2, 6)},
              ("a", "w", "b"),
              "Tom saves ${a} every week for {w} weeks. Then he buys a bike for ${b} and pays ${c} a month for "
              "a bike lock rental for {m} months. How many dollars does he have left?",
              lambda v: v["a"] * v["w"] - v["b"] - v["c"] * v["m"]),
    _Template("garden", 4, {"a": (3, 12), "b": (4, 15), "c": (5, 30), "d": (10, 50)}, ("a", "b", "c"),
              "A garden has {a} rows with {b} tomato plants in each row. Each plant produces {c} tomatoes, and "
              "birds eat {d}% of all the tomatoes. How many tomatoes are left?",
              lambda v: v["a"] * v["b"] * v["c"] * (100 - v["d"]) / 100),
)  # fmt: skip


def render_number(x: Fraction) -> str:
    """Exact integer or terminating decimal; otherwise 10 significant digits (well inside any tolerance)."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        s = f"{x.numerator / x.denominator:.12f}" if abs(x) < 10**15 else str(float(x))
        exact = Fraction(s)
        if exact == x:
            return s.rstrip("0").rstrip(".")
    return f"{float(x):.10g}"


_UNIT_RE = re.compile(r"^\s*[$€£]?\s*(.*?)\s*(?:%|[A-Za-z][A-Za-z ]*)?\s*$", re.S)


def read_number(text: str) -> Fraction:
    """A number with optional currency sign and trailing unit word(s); fractions and +-*/ expressions too."""
    s = clean(text)
    if len(s) > 400:
        raise ParseError("answer too long for a number")
    m = _UNIT_RE.match(s.replace("\\$", "$").replace("\\%", "%"))
    core = m.group(1) if m else s
    core = core.replace("$", "")
    if not core or not re.search(r"\d", core):
        raise ParseError(f"no number in {s[:40]!r}")
    try:
        return parse_number(core)
    except ParseError:
        pass
    value, _ = eval_arith(core.replace(",", "") if re.fullmatch(r"[\d,.\s+*/()-]+", core) else core,
                          allow_floats=True, max_chars=400, max_nodes=60)  # fmt: skip
    return value


def check_number(data: Mapping[str, Any], answer: str) -> Verdict:
    got = read_number(answer)
    target = Fraction(str(data["target"]))
    rel = Fraction(str(data.get("rel_tol", DEFAULT_REL_TOL)))
    if abs(got - target) <= rel * abs(target) or got == target:
        return ok()
    return wrong(f"{render_number(got)} is not within {float(rel):g} relative error of the expected value")


@register
class GsmHard(Task):
    name = "gsm_hard"
    title = "GSM-Hard"
    seen = True
    description = (
        "GSM8K-style word problems from templates in which some quantities are replaced by large numbers (as "
        "GSM-Hard did), so answers may be huge, negative or fractional; the truth is computed exactly with "
        "Fraction and a reply is accepted within a relative tolerance (default 1e-3, as the reference judge). "
        "Complexity grows with the number of reasoning steps of the template, the digits of the large numbers "
        "and how many quantities are large."
    )
    knobs = (
        Knob("min_steps", int, 2, "fewest arithmetic steps of the chosen template", lo=2, hi=4),
        Knob("max_steps", int, 4, "most arithmetic steps of the chosen template", lo=2, hi=4),
        Knob("magnitude", int, 7, "digits of each large number", lo=1, hi=12),
        Knob("big_numbers", int, 1, "how many quantities are replaced by large numbers", lo=0, hi=3),
        Knob("allow_negative", bool, True, "keep draws whose answer is negative (GSM-Hard has such noise)"),
        Knob("rel_tol", float, DEFAULT_REL_TOL, "accepted relative error", lo=0.0, hi=0.1),
    )
    presets = {
        1: {"min_steps": 2, "max_steps": 2, "magnitude": 3, "big_numbers": 1},
        2: {"min_steps": 2, "max_steps": 3, "magnitude": 5, "big_numbers": 1},
        3: {"min_steps": 3, "max_steps": 3, "magnitude": 7, "big_numbers": 1},
        4: {"min_steps": 3, "max_steps": 4, "magnitude": 7, "big_numbers": 2},
        5: {"min_steps": 4, "max_steps": 4, "magnitude": 9, "big_numbers": 3},
    }
    reference_dirs = ("gsmhardv2.jsonl",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_steps"] > cfg["max_steps"]:
            raise ValueError(
                f"gsm_hard: min_steps ({cfg['min_steps']}) must be <= max_steps ({cfg['max_steps']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        pool = [t for t in TEMPLATES if cfg["min_steps"] <= t.steps <= cfg["max_steps"]]
        mag = cfg["magnitude"]
        for _ in range(200):
            t = rng.choice(pool)
            big = set(rng.sample(t.scalable, min(cfg["big_numbers"], len(t.scalable))))
            values: dict[str, Fraction] = {}
            for slot, (lo, hi) in t.slots.items():
                if slot in big:
                    values[slot] = Fraction(rng.randint(10 ** (mag - 1) if mag > 1 else 2, 10**mag - 1))
                else:
                    values[slot] = Fraction(rng.randint(lo, hi))
            try:
                ans = t.solve(values)
            except ZeroDivisionError:
                ans = None
            if ans is None or (ans < 0 and not cfg["allow_negative"]):
                continue
            text = t.text.format(**{k: v.numerator for k, v in values.items()})
            question = text + "\n" + answer_format(cfg["rel_tol"])
            data = {
                "template": t.name,
                "values": {k: v.numerator for k, v in values.items()},
                "target": str(ans),
                "rel_tol": cfg["rel_tol"],
            }
            return Draft(question, render_number(ans), data)
        raise RuntimeError("gsm_hard: no valid draw in 200 tries")  # pragma: no cover

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_number(data, answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        # the stored `target` is the label; the `code` field is never executed
        for rel in self.reference_dirs:
            path = root / rel
            if not path.is_file():
                continue
            with path.open(encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    try:
                        rec = json.loads(line)
                        text, target = rec["input"], rec["target"]
                        value = Fraction(repr(float(target)))
                    except (ValueError, KeyError, TypeError, OverflowError):
                        skip(f"{rel}:{lineno}", "record unreadable (input/target)")
                        continue
                    if not isinstance(text, str):
                        skip(f"{rel}:{lineno}", "input is not text")
                        continue
                    yield RefItem(
                        source=f"{rel}#{lineno}",
                        question=text.strip() + "\n" + answer_format(DEFAULT_REL_TOL),
                        answer=render_number(value),
                        data={"target": str(value), "rel_tol": DEFAULT_REL_TOL},
                        stored_label=target,
                    )
