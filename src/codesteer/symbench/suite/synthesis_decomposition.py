"""Synthesis Decomposition (unseen): simulate cyclic exchange recipes on crop and product stocks."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, parse_int
from codesteer.symbench._samples import read_samples, skip, stored_complexity, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._grid import flat_tokens

CROPS = ("A", "B", "C")
PRODUCTS = ("X", "Y")
MAX_STEPS = 100_000

Method = dict[str, dict[str, int]]

# the reference's three recipe books, in its order
BOOKS: dict[str, tuple[tuple[str, ...], list[Method]]] = {
    "basic": (
        ("A", "B"),
        [
            {"in": {"A": 1, "B": 1}, "out": {"X": 1}},
            {"in": {"A": 3}, "out": {"X": 2}},
        ],
    ),
    "intermediate": (
        ("A", "B", "C"),
        [
            {"in": {"A": 1, "B": 1, "C": 1}, "out": {"X": 1}},
            {"in": {"A": 1, "B": 1}, "out": {"C": 2}},
            {"in": {"C": 2}, "out": {"X": 1}},
        ],
    ),
    "advanced": (
        ("A", "B", "C"),
        [
            {"in": {"A": 2, "B": 1, "C": 1}, "out": {"X": 3}},
            {"in": {"A": 1, "B": 1}, "out": {"C": 2}},
            {"in": {"C": 2, "X": 1}, "out": {"Y": 1}},
            {"in": {"A": 1, "X": 2}, "out": {"Y": 1}},
        ],
    ),
}


def simulate(
    initial: Mapping[str, int], methods: list[Method]
) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Final stock and the stock after every executed step.

    Semantics (stated in the question): look at the methods in order, cycling back to Method 1 after the
    last; execute the method once if every input is available, otherwise skip it; stop as soon as no method
    can be executed.
    """
    state = {k: int(v) for k, v in initial.items()}
    steps: list[dict[str, int]] = []

    def can(m: Method) -> bool:
        return all(state.get(k, 0) >= v for k, v in m["in"].items())

    i = 0
    while any(can(m) for m in methods):
        if len(steps) >= MAX_STEPS:
            raise ValueError("synthesis_decomposition: simulation did not terminate")
        m = methods[i]
        if can(m):
            for k, v in m["in"].items():
                state[k] = state.get(k, 0) - v
            for k, v in m["out"].items():
                state[k] = state.get(k, 0) + v
            steps.append(dict(state))
        i = (i + 1) % len(methods)
    return state, steps


def _kind(item: str) -> str:
    return "crop" if item in CROPS else "product"


def _units(n: int, item: str) -> str:
    return f"{n} unit{'s' if n != 1 else ''} of {_kind(item)} {item}"


def _fields(crops: tuple[str, ...], methods: list[Method]) -> list[str]:
    made = {k for m in methods for k in m["out"] if k in PRODUCTS}
    return [*crops, *(p for p in PRODUCTS if p in made)]


def _question(initial: Mapping[str, int], methods: list[Method], fields: list[str]) -> str:
    crops = [f for f in fields if f in CROPS]
    prods = [f for f in fields if f in PRODUCTS]
    method_text = "\n".join(
        f"Method {i}: "
        + " and ".join(_units(v, k) for k, v in m["in"].items())
        + " can be exchanged for "
        + " and ".join(_units(v, k) for k, v in m["out"].items())
        + "."
        for i, m in enumerate(methods, 1)
    )
    start = ", ".join(_units(initial[c], c) for c in crops)
    names = ", ".join(f"remaining_{f}" if f in CROPS else f"obtained_{f}" for f in fields)
    example = ", ".join(str(x) for x in [1, 0, 2, 3, 1][: len(fields)])
    return (
        f"Xiao Li is a farm owner who grows crops {', '.join(crops[:-1])} and {crops[-1]}. He can exchange crops (and products) "
        f"for the agricultural product{'s' if len(prods) > 1 else ''} {' and '.join(prods)} with these "
        "methods:\n\n"
        f"{method_text}\n\n"
        "He works in cycles. He looks at the methods in the order given, starting with Method 1: if he holds "
        "every input of the method he executes it exactly once (at most once per visit), otherwise he skips "
        f"it; after Method {len(methods)} he goes back to Method 1. He stops as soon as no method can be "
        "executed.\n\n"
        f"Initially he has {start}, and no products.\n\n"
        "You may reason step by step. Then give the final stock as a list of integers "
        f"[{names}] in the format <<<[{names}]>>>. For example, <<<[{example}]>>>."
    )


@register
class SynthesisDecomposition(Task):
    name = "synthesis_decomposition"
    title = "Synthesis Decomposition"
    seen = False
    description = (
        "A farmer holds crops A, B (and C) and cycles through exchange methods in order, executing each at most "
        "once per visit and skipping those he cannot afford, until none applies; the answer is the final "
        "stock of every crop and product, compared as a list of integers (the reference compared "
        "comma-split strings with the brackets left on and, for two-crop questions, the wrong fields). "
        "Complexity 1..5: the reference's two-crop book (A+B->X, 3A->2X) with small and larger stocks, its "
        "three-crop book with small and larger stocks, and its four-method book producing X and Y."
    )
    knobs = (
        Knob("book", str, "basic", "recipe book (the reference's three tiers)", choices=tuple(BOOKS)),
        Knob("min_units", int, 2, "fewest initial units of a crop", lo=0, hi=500),
        Knob("max_units", int, 6, "most initial units of a crop", lo=0, hi=500),
    )
    presets = {
        1: {"book": "basic", "min_units": 2, "max_units": 6},
        2: {"book": "basic", "min_units": 5, "max_units": 15},
        3: {"book": "intermediate", "min_units": 2, "max_units": 8},
        4: {"book": "intermediate", "min_units": 5, "max_units": 15},
        5: {"book": "advanced", "min_units": 3, "max_units": 12},
    }
    reference_dirs = ("synthesis_decomposition_dataset",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_units"] > cfg["max_units"]:
            raise ValueError(
                f"synthesis_decomposition: min_units ({cfg['min_units']}) must be <= max_units "
                f"({cfg['max_units']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        crops, methods = BOOKS[cfg["book"]]
        initial = {c: rng.randint(cfg["min_units"], cfg["max_units"]) for c in crops}
        fields = _fields(crops, methods)
        final, steps = simulate(initial, methods)
        data = _data(initial, methods, fields, final, len(steps))
        return Draft(_question(initial, methods, fields), _answer(final, fields), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        fields: list[str] = data["fields"]
        toks = flat_tokens(answer)
        # tolerate labelled answers such as "A=1, B=0, X=3" or "remaining_A: 1"
        toks = [re.sub(r"^(?:remaining_|obtained_)?[A-Z]\s*[:=]\s*", "", t) for t in toks if t not in ":="]
        toks = [t for t in toks if t]
        if len(toks) != len(fields):
            raise ParseError(f"expected {len(fields)} integers [{', '.join(fields)}], got {len(toks)} items")
        got = [parse_int(t) for t in toks]
        want = [int(x) for x in data["final"]]
        if got == want:
            return ok()
        bad = [f for f, a, b in zip(fields, got, want, strict=True) if a != b]
        return wrong(f"wrong count for {', '.join(bad)}")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, sol in read_samples(root, self.reference_dirs[0]):
            methods = []
            for body in re.findall(r"Method \d+: (.+?) can be exchanged for (.+?)(?:,|\.)", question):
                methods.append({"in": _amounts(body[0]), "out": _amounts(body[1])})
            init_m = re.search(r"Initially there (?:are|is) (.+?)\.\s*\n", question)
            fields_m = re.search(r"as a list showing \[([^\]]+)\]", question)
            if not methods or not init_m or not fields_m or not all(m["in"] and m["out"] for m in methods):
                skip(source, "methods, initial amounts or answer fields not found")
                continue
            initial = _amounts(init_m.group(1))
            fields = [f.strip().rsplit("_", 1)[-1] for f in fields_m.group(1).split(",")]
            if not initial or not all(f in CROPS + PRODUCTS for f in fields):
                skip(source, "unknown crop or product")
                continue
            try:
                final, steps = simulate(initial, methods)
            except ValueError:
                skip(source, "exchanges cannot be simulated")
                continue
            stored = None
            note = None
            stored_sol = stored_value(sol, "solution")
            ans = stored_value(stored_sol, "answer")
            if isinstance(ans, list) and len(ans) == 5:
                by_name = dict(zip(CROPS + PRODUCTS, ans, strict=True))
                stored = [by_name[f] for f in fields]
                try:
                    agrees = [int(x) for x in stored] == [final.get(f, 0) for f in fields]
                except (TypeError, ValueError):
                    agrees = False
                if not agrees:
                    note = f"stored answer {stored} != recomputed {_answer(final, fields)}"
            yield RefItem(
                source=source,
                question=question,
                answer=_answer(final, fields),
                data=_data(initial, methods, fields, final, len(steps)),
                complexity=stored_complexity(sol),
                stored_label=stored,
                label_note=note,
            )


def _amounts(text: str) -> dict[str, int]:
    return {k: int(n) for n, k in re.findall(r"(\d+) units? of (?:crop|product) ([A-Z])", text)}


def _answer(final: Mapping[str, int], fields: list[str]) -> str:
    return "[" + ", ".join(str(final.get(f, 0)) for f in fields) + "]"


def _data(
    initial: Mapping[str, int], methods: list[Method], fields: list[str], final: Mapping[str, int], steps: int
) -> dict[str, Any]:
    return {
        "initial": dict(initial),
        "methods": methods,
        "fields": fields,
        "final": [final.get(f, 0) for f in fields],
        "steps": steps,
    }
