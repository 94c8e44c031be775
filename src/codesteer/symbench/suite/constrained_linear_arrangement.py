"""Constrained Linear Arrangement (seen): deduce the opponent's cards in a card game from round results.

The reference's rules text contradicted its generator (see the spec); here one rule set per game is stated
in the question, instances are generated from it, and any opponent sequence consistent with every round
(and with "each card once") is accepted.
"""

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

CARDS = {"elements": "ABCDE", "stick": "ABCD", "jungle": "ABCDEFGH"}
# elements: A->B->C->D->E->A generates; A->C->E->B->D->A overcomes (A Wood, B Fire, C Earth, D Metal, E Water)
_GEN = {"A": "B", "B": "C", "C": "D", "D": "E", "E": "A"}
_OVER = {"A": "C", "C": "E", "E": "B", "B": "D", "D": "A"}
_BEATS = {"A": "B", "B": "C", "C": "D", "D": "A"}  # Stick > Tiger > Chicken > Worm > Stick


def outcome(game: str, rules: str, mine: str, theirs: str) -> str:
    """The round's result for the player holding ``mine``.

    ``rules`` is "stated" (the rules as our questions state them) or "reference" (the rules the paper's
    generator actually used, which is how its published results were produced).
    """
    if game == "elements":
        if rules == "reference":  # only the player's card's relations count
            if _GEN[mine] == theirs:
                return "loss"
            return "win" if _OVER[mine] == theirs else "draw"
        if mine == theirs:
            return "draw"
        if _GEN[mine] == theirs or _OVER[theirs] == mine:
            return "loss"
        return "win"  # mine overcomes theirs, or theirs generates mine
    if game == "stick":
        if _BEATS[mine] == theirs:
            return "win"
        return "loss" if _BEATS[theirs] == mine else "draw"
    if game == "jungle":
        if mine == theirs:
            return "draw"
        if mine == "H" and theirs == "A":
            return "win"
        if mine == "A" and theirs == "H":
            return "loss"
        return "win" if mine < theirs else "loss"  # A (Elephant) is the largest
    raise ValueError(f"unknown game {game!r}")


def solutions(
    game: str, rules: str, player: Sequence[str], results: Sequence[str], limit: int = 10_000
) -> list[list[str]]:
    """Every opponent sequence (distinct cards) that produces ``results``; at most ``limit``."""
    allowed = [
        [c for c in CARDS[game] if outcome(game, rules, p, c) == r]
        for p, r in zip(player, results, strict=True)
    ]
    out: list[list[str]] = []
    seq: list[str] = []

    def rec(i: int) -> None:
        if len(out) >= limit:
            return
        if i == len(allowed):
            out.append(list(seq))
            return
        for c in allowed[i]:
            if c not in seq:
                seq.append(c)
                rec(i + 1)
                seq.pop()

    rec(0)
    return out


_RULES = {
    "elements": (
        "Two players each hold five element cards: Wood (A), Fire (B), Earth (C), Metal (D) and Water (E). Each "
        "player uses each card at most once. Both play one card per round simultaneously, and the referee "
        "announces the result.\n"
        "Generation: Wood A generates Fire B, Fire B generates Earth C, Earth C generates Metal D, Metal D "
        "generates Water E, Water E generates Wood A.\n"
        "Overcoming: Wood A overcomes Earth C, Earth C overcomes Water E, Water E overcomes Fire B, Fire B "
        "overcomes Metal D, Metal D overcomes Wood A.\n"
        "Rules (applied to both players' cards alike):\n"
        "1. If one card generates the other, the holder of the generating card loses.\n"
        "2. If one card overcomes the other, the holder of the overcoming card wins.\n"
        "3. If both cards are the same, it is a draw. (Any two different cards are related by exactly one of "
        "rules 1 and 2.)"
    ),
    "stick": (
        'Two players play "Stick, Tiger, Chicken, Worm". Each holds four cards: Stick (A), Tiger (B), Chicken '
        "(C) and Worm (D), and uses each card at most once. Both play one card per round simultaneously, and "
        "the referee announces the result.\n"
        "Rules:\n"
        "1. Stick beats Tiger, Tiger beats Chicken, Chicken beats Worm, and Worm beats Stick; the holder of the "
        "beating card wins and the other loses.\n"
        "2. Every other pair draws: the same card, Stick with Chicken, and Tiger with Worm."
    ),
    "jungle": (
        "Two players play a game like Jungle Chess. Each holds eight animal pieces ranked from largest to "
        "smallest: Elephant (A), Lion (B), Tiger (C), Leopard (D), Wolf (E), Dog (F), Cat (G), Mouse (H), and "
        "uses each piece at most once. Both reveal one piece per round simultaneously, and the referee "
        "announces the result.\n"
        "Rules:\n"
        "1. The larger piece captures the smaller one, and its holder wins the round.\n"
        "2. Exception: the Mouse captures the Elephant (the Mouse's holder wins), and the Elephant cannot "
        "capture the Mouse.\n"
        "3. Two identical pieces capture each other: a draw."
    ),
}


def _question(game: str, player: Sequence[str], results: Sequence[str]) -> str:
    k = len(player)
    example = ",".join(CARDS[game][:k][::-1])
    lines = [
        _RULES[game],
        "",
        "You are one of the players. From the cards you played and the result of each round (win, loss or "
        "draw, from your point of view), deduce which card your opponent played in each round. Your opponent "
        "also uses each card at most once.",
        "",
        "Rounds:",
        *(
            f"Round {i}: you played {p}, result: {r}."
            for i, (p, r) in enumerate(zip(player, results, strict=True), 1)
        ),
        "",
        f"If several answers fit, any one is accepted. Give the opponent's {k} cards in round order as a list of "
        f"letters in the format <<<{example}>>> (this example only shows the format).",
    ]
    return "\n".join(lines)


@register
class ConstrainedLinearArrangement(Task):
    name = "constrained_linear_arrangement"
    title = "Constrained Linear Arrangement (card deduction)"
    seen = True
    description = (
        "A card-deduction game (five elements, Stick-Tiger-Chicken-Worm, or Jungle animals): given your cards "
        "and each round's result, give a sequence of distinct opponent cards consistent with every round. One "
        "consistent rule set per game is stated in the question and used to generate and verify; every "
        "consistent answer passes (a backtracking solver proves at least one exists). Complexity raises the "
        "number of rounds and the deck: 2-3 rounds at levels 1-2, 4 at level 3, 5 at level 4 and 6 Jungle "
        "rounds at level 5."
    )
    knobs = (
        Knob(
            "game",
            str,
            "any",
            "which game ('any' draws one with enough cards)",
            choices=("any", "elements", "stick", "jungle"),
        ),
        Knob("rounds", int, 4, "number of rounds (at most the number of cards in the game)", lo=1, hi=8),
    )
    presets = {
        1: {"game": "any", "rounds": 2},
        2: {"game": "any", "rounds": 3},
        3: {"game": "any", "rounds": 4},
        4: {"game": "any", "rounds": 5},
        5: {"game": "jungle", "rounds": 6},
    }
    reference_dirs = ("constrained_linear_arrangement",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        game, k = cfg["game"], cfg["rounds"]
        if game != "any" and k > len(CARDS[game]):
            raise ValueError(
                f"constrained_linear_arrangement: rounds ({k}) exceeds the {len(CARDS[game])} cards of game '{game}'"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        k = cfg["rounds"]
        game = cfg["game"]
        if game == "any":
            game = rng.choice([g for g in sorted(CARDS) if len(CARDS[g]) >= k])
        player = rng.sample(CARDS[game], k)
        opponent = rng.sample(CARDS[game], k)
        results = [outcome(game, "stated", p, o) for p, o in zip(player, opponent, strict=True)]
        n_sol = len(solutions(game, "stated", player, results))
        if n_sol < 1:  # pragma: no cover - the drawn opponent sequence is a solution
            raise RuntimeError("constrained_linear_arrangement: unsolvable instance")
        data = {"game": game, "rules": "stated", "player": player, "results": results, "solutions": n_sol}
        return Draft(_question(game, player, results), ",".join(opponent), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        game, rules = data["game"], data["rules"]
        player, results = data["player"], data["results"]
        got = letter_list(answer, len(player))
        if len(got) != len(player):
            return violates(f"expected {len(player)} cards (one per round), got {len(got)}")
        bad = [c for c in got if c not in CARDS[game]]
        if bad:
            return violates(f"card {bad[0]} is not in this game (cards {', '.join(CARDS[game])})")
        dups = sorted({c for c in got if got.count(c) > 1})
        if dups:
            return violates(f"opponent card {dups[0]} used more than once")
        for i, (p, o, r) in enumerate(zip(player, got, results, strict=True), 1):
            res = outcome(game, rules, p, o)
            if res != r:
                return violates(f"round {i}: {p} against {o} is a {res}, not a {r}")
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            if "five-element" in question or "Five element" in question:
                game = "elements"
            elif "Stick, Tiger, Chicken" in question:
                game = "stick"
            elif "Jungle" in question:
                game = "jungle"
            else:
                skip(source, "game not recognised in the question")
                continue
            rounds = re.findall(r"Round \d+:\s*([A-H]),\s*(win|loss|draw)\.", question)
            if not rounds:
                skip(source, "no rounds found in the question")
                continue
            player = [p for p, _ in rounds]
            results = [r for _, r in rounds]
            if any(p not in CARDS[game] for p in player):
                skip(source, "a card outside the game's deck")
                continue
            # the published results follow the reference generator's rules, not its rules text
            sols = solutions(game, "reference", player, results)
            if not sols:
                skip(source, "no opponent cards fit the stated results")
                continue
            data = {
                "game": game,
                "rules": "reference",
                "player": player,
                "results": results,
                "solutions": len(sols),
            }
            label = stored_value(stored, "solution")
            note = None
            if isinstance(label, list) and [str(x) for x in label] in sols:
                truth = [str(x) for x in label]
            else:
                truth = sols[0]
                if label is not None:
                    note = f"stored opponent cards {label} contradict the results; {truth} fits"
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=",".join(truth),
                data=data,
                complexity=stored_value(stored, "complexity"),
                stored_label=label,
                label_note=note,
            )
