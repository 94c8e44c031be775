"""Mahjong (seen): letter cards; classify the last card added as Peng, Chi or Pass."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

LETTERS = string.ascii_uppercase
NAMES = {0: "Pass", 1: "Peng", 2: "Chi"}


def is_chi(hand: Counter[str], card: str) -> bool:
    """Two hand cards and ``card`` form three consecutive letters (set membership, so repeats don't hide it)."""
    x = ord(card)
    for a, b in ((x - 2, x - 1), (x - 1, x + 1), (x + 1, x + 2)):
        if all(ord("A") <= v <= ord("Z") and hand[chr(v)] > 0 for v in (a, b)):
            return True
    return False


def judge(hand: Counter[str], card: str, chi_rule: bool) -> int:
    if hand[card] >= 2:
        return 1
    if chi_rule and is_chi(hand, card):
        return 2
    return 0


def replay(initial: str, rounds: Sequence[Mapping[str, str | None]], chi_rule: bool) -> int:
    """Result of the final round; each round judges the added card against the hand, then adds, then removes."""
    hand = Counter(initial)
    result = 0
    for rd in rounds:
        card = str(rd["add"])
        result = judge(hand, card, chi_rule)
        hand[card] += 1
        rem = rd.get("remove")
        if rem:
            if hand[rem] <= 0:
                raise ValueError(f"round removes a {rem} card that is not in the hand")
            hand[rem] -= 1
    return result


def _rules(chi_rule: bool) -> list[str]:
    rules = [
        "1. Initially, there are 13 cards in hand.",
        "2. Each round, a new card is added and a result is determined for that new card by comparing it with "
        "the cards in hand before it was added. Then the new card joins the hand, and (except in the last "
        "round) one named card is removed from the hand.",
        '3. If the hand already holds at least two cards identical to the new card, the result is "Peng", '
        "represented by the number 1.",
    ]
    if chi_rule:
        rules += [
            "4. Otherwise, if two cards in hand together with the new card form three consecutive letters of "
            "the alphabet (for example A B C or O P Q, in any order, with no wrap-around from Z to A), the "
            'result is "Chi", represented by the number 2.',
            '5. Otherwise the result is "Pass", represented by the number 0.',
            '6. "Peng" takes precedence over "Chi".',
            "7. The removed card does not affect the result of the round in which it is removed.",
        ]
    else:
        rules += [
            '4. Otherwise the result is "Pass", represented by the number 0.',
            "5. The removed card does not affect the result of the round in which it is removed.",
        ]
    return rules


def _question(initial: str, rounds: Sequence[Mapping[str, str | None]], chi_rule: bool) -> str:
    lines = ["There are several letter cards, and the game rules are as follows:", *_rules(chi_rule)]
    lines.append(f"Initial cards: {initial}")
    lines.append("")
    for i, rd in enumerate(rounds, 1):
        t = f"Round {i}: Add a {rd['add']} card"
        t += f" and remove a {rd['remove']} card." if rd.get("remove") else "."
        lines.append(t)
    lines.append("")
    options = "0 for Pass, 1 for Peng, or 2 for Chi" if chi_rule else "0 for Pass or 1 for Peng"
    lines.append("What is the result of the final round?")
    lines.append(
        f"Answer with a single number in the format <<<x>>>, where x is {options}. For example, <<<0>>>."
    )
    return "\n".join(lines)


def _read(answer: str) -> int:
    s = clean(answer).rstrip(".").strip()
    if len(s) >= 2 and s[0] + s[-1] in ("[]", "()"):  # one layer of brackets only
        s = s[1:-1].strip()
    low = s.lower()
    for k, v in NAMES.items():
        if low == v.lower():
            return k
    if re.fullmatch(r"[+-]?\d{1,3}", s):
        return int(s)
    raise ParseError(f"expected 0, 1 or 2, got {s[:30]!r}")


@register
class Mahjong(Task):
    name = "mahjong"
    title = "Mahjong (letter-card pattern)"
    seen = True
    description = (
        "Thirteen letter cards; each round adds a card (judged Peng if the hand holds two copies of it, Chi if "
        "two hand cards and it form three consecutive letters, else Pass) and removes one. Report the result "
        "of the final round. The Chi rule is stated in the question only when the 'chi' knob is on, and only "
        "then can the answer be 2. Complexity is the number of rounds (1..5) with Chi enabled from level 3, "
        "as in the reference; the final card is drawn to balance the three outcomes."
    )
    knobs = (
        Knob("rounds", int, 5, "number of rounds (the last one only adds)", lo=1, hi=12),
        Knob("chi", bool, True, "state and use the Chi rule"),
    )
    presets = {
        1: {"rounds": 1, "chi": False},
        2: {"rounds": 2, "chi": False},
        3: {"rounds": 3, "chi": True},
        4: {"rounds": 4, "chi": True},
        5: {"rounds": 5, "chi": True},
    }
    reference_dirs = ("mahjong_pattern_dataset",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        chi_rule = bool(cfg["chi"])
        pool = [ch for ch in LETTERS for _ in range(2)]
        initial = "".join(rng.sample(pool, 13))
        hand = Counter(initial)
        rounds: list[dict[str, str | None]] = []
        for _ in range(cfg["rounds"] - 1):
            # half the time re-draw a held letter so Peng situations build up
            held = sorted(k for k, v in hand.items() if v > 0)
            card = rng.choice(held) if rng.random() < 0.5 else rng.choice(LETTERS)
            hand[card] += 1
            held = sorted(k for k, v in hand.items() if v > 0)
            rem = rng.choice(held)
            hand[rem] -= 1
            rounds.append({"add": card, "remove": rem})
        # choose the final outcome first so the labels are balanced, then a card that yields it
        outcomes = [0, 1, 2] if chi_rule else [0, 1]
        rng.shuffle(outcomes)
        for want in outcomes:
            cards = [c for c in LETTERS if judge(hand, c, chi_rule) == want]
            if cards:
                card = rng.choice(cards)
                break
        rounds.append({"add": card, "remove": None})
        result = replay(initial, rounds, chi_rule)
        data = {"initial": initial, "rounds": rounds, "chi_rule": chi_rule, "solution": result}
        return Draft(_question(initial, rounds, chi_rule), str(result), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        got = _read(answer)
        allowed = (0, 1, 2) if data["chi_rule"] else (0, 1)
        if got not in allowed:
            return wrong(f"{got} is not one of the allowed results {allowed}")
        want = int(data["solution"])
        if got == want:
            return ok()
        return wrong(f"{got} ({NAMES[got]}) is not the final round's result")

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            m = re.search(r"initial cards:\s*([A-Z]+)", question, flags=re.I)
            rounds = [
                {"add": a, "remove": r or None}
                for a, r in re.findall(
                    r"Round \d+: Add an? ([A-Z]) card(?: and remove an? ([A-Z]) card)?", question
                )
            ]
            if not m or not rounds:
                skip(source, "initial cards or rounds not found")
                continue
            # Chi counts only where the question states it (the reference tested it regardless)
            chi_rule = '"Chi"' in question or "Chi," in question or "for Chi" in question
            try:
                truth = replay(m.group(1), rounds, chi_rule)
            except ValueError:
                skip(source, "rounds cannot be replayed")
                continue
            label = stored_value(stored, "solution")
            note = None
            if label is not None and label != truth:
                why = (
                    "the question does not state the Chi rule"
                    if label == 2 and not chi_rule
                    else "replay differs"
                )
                note = f"stored result {label} != recomputed {truth} ({why})"
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=str(truth),
                data={"initial": m.group(1), "rounds": rounds, "chi_rule": chi_rule, "solution": truth},
                complexity=stored_value(stored, "complexity"),
                stored_label=label,
                label_note=note,
            )
