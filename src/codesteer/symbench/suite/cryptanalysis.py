"""Cryptanalysis (unseen): deduce a 2-digit + 2-letter lock code from Mastermind-style feedback.

The feedback on the digit half depends only on the digit half (and likewise for letters), so the candidate
set is a product of 90 digit pairs and 650 letter pairs and each half is solved on its own: uniqueness of
the code is proven by exhaustive filtering, in microseconds.
"""

from __future__ import annotations

import itertools
import random
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._samples import read_samples, skip, stored_value
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong

DIGITS = "0123456789"
LETTERS = string.ascii_uppercase
DIGIT_PAIRS = ["".join(p) for p in itertools.permutations(DIGITS, 2)]
LETTER_PAIRS = ["".join(p) for p in itertools.permutations(LETTERS, 2)]

# statuses of one guessed symbol, in the order the feedback lists them
EXACT, MISPLACED, LOW, HIGH, BETWEEN = range(5)


def signature(code: str, guess: str) -> tuple[int, int, int, int, int]:
    """Counts of (exact, misplaced, too low, too high, in between) for one two-symbol half."""
    counts = [0, 0, 0, 0, 0]
    lo, hi = min(code), max(code)
    for i, g in enumerate(guess):
        if g == code[i]:
            counts[EXACT] += 1
        elif g in code:
            counts[MISPLACED] += 1
        elif g < lo:
            counts[LOW] += 1
        elif g > hi:
            counts[HIGH] += 1
        else:
            counts[BETWEEN] += 1
    return (counts[0], counts[1], counts[2], counts[3], counts[4])


def render(sig: Sequence[int], letters: bool) -> str:
    """One half's feedback in words; injective in ``sig`` so the text carries exactly the signature."""
    noun = "letter" if letters else "number"
    low = "too early in the alphabet" if letters else "too small"
    high = "too late in the alphabet" if letters else "too large"
    between = (
        "incorrect and between the two code letters"
        if letters
        else "incorrect and between the two code numbers"
    )
    phrases = (
        ("correct and in the correct position", "correct and in the correct positions"),
        ("correct but in the wrong position", "correct but in the wrong positions"),
        (f"incorrect and {low}", f"incorrect and {low}"),
        (f"incorrect and {high}", f"incorrect and {high}"),
        (between, between),
    )
    parts = []
    for count, (one, both) in zip(sig, phrases, strict=True):
        if count == 1:
            parts.append(f"one {noun} is {one}")
        elif count == 2:
            parts.append(f"both {noun}s are {both}")
    return "; ".join(parts)


def legacy_feedback(code: str, guess: str, letters: bool) -> str:
    """The reference generator's wording for one half (used only to read the published instances)."""
    noun = "letter" if letters else "number"
    small, large = (
        ("too early in the alphabet", "too late in the alphabet") if letters else ("too small", "too large")
    )
    correct = misplaced = 0
    bad: list[str] = []
    lo, hi = min(code), max(code)
    for i, g in enumerate(guess):
        if g == code[i]:
            correct += 1
        elif g in code:
            misplaced += 1
        elif g < lo:
            bad.append(small)
        elif g > hi:
            bad.append(large)
        else:
            bad.append("incorrect")
    parts = []
    if correct == 1:
        parts.append(f"one {noun} is correct and in the correct position")
    elif correct == 2:
        parts.append(f"both {noun}s are correct and in the correct positions")
    if misplaced == 1:
        parts.append(f"one {noun} is correct but in the wrong position")
    elif misplaced == 2:
        parts.append(f"both {noun}s are correct but in the wrong positions")
    if len(bad) == 2:
        if bad[0] == bad[1] and bad[0] != "incorrect":
            parts.append(f"both {noun}s are incorrect and {bad[0]}")
        else:
            parts.append(f"both {noun}s are incorrect")
    elif len(bad) == 1:
        parts.append(f"one {noun} is incorrect and {bad[0]}")
    return "; ".join(parts)


def _half_ok(data: Mapping[str, Any], half: str, letters: bool, i: int) -> bool:
    guess = data["guesses"][i]
    g = guess[2:] if letters else guess[:2]
    want = data["feedback"][i][1 if letters else 0]
    if data.get("grammar") == "reference":
        return legacy_feedback(half, g, letters) == want
    return list(signature(half, g)) == list(want)


def consistent(data: Mapping[str, Any], half: str, letters: bool) -> list[int]:
    """Indices of the conditions a digit half (or letter half) contradicts."""
    return [i for i in range(len(data["guesses"])) if not _half_ok(data, half, letters, i)]


def solve(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """All digit pairs and all letter pairs consistent with every condition (exhaustive)."""
    if data.get("grammar") == "reference":
        nums = [p for p in DIGIT_PAIRS if not consistent(data, p, False)]
        lets = [p for p in LETTER_PAIRS if not consistent(data, p, True)]
        return nums, lets
    out = []
    for letters in (False, True):
        half = _half(letters)
        cands = list(range(len(half.pairs)))
        for guess, fb in zip(data["guesses"], data["feedback"], strict=True):
            a, b = half.keys(guess[2:] if letters else guess[:2])
            want = _sig_key(fb[1 if letters else 0])
            cands = [c for c in cands if _PAIR[a[c]][b[c]] == want]
        out.append([half.pairs[c] for c in cands])
    return out[0], out[1]


def _sig_key(sig: Sequence[int]) -> int:
    """The ``_PAIR`` key of a signature (two statuses as counts)."""
    st = [s for s, n in enumerate(sig) for _ in range(int(n))]
    if len(st) != 2:
        raise ValueError(f"bad feedback signature {list(sig)}")
    return _PAIR[st[0]][st[1]]


class _Half:
    """Status tables for one half (digits or letters) so filtering candidates is a table lookup."""

    def __init__(self, alphabet: str) -> None:
        self.pairs = ["".join(p) for p in itertools.permutations(alphabet, 2)]
        self.index = {p: i for i, p in enumerate(self.pairs)}
        # status[pos][symbol][code] of a guessed symbol at position pos
        self.status = [
            {g: [_status(code, pos, g) for code in self.pairs] for g in alphabet} for pos in (0, 1)
        ]

    def keys(self, guess: str) -> tuple[list[int], list[int]]:
        return self.status[0][guess[0]], self.status[1][guess[1]]


def _status(code: str, pos: int, g: str) -> int:
    if g == code[pos]:
        return EXACT
    if g in code:
        return MISPLACED
    if g < min(code):
        return LOW
    if g > max(code):
        return HIGH
    return BETWEEN


# unordered pair of statuses -> one int; the signature is a multiset of the two statuses
_PAIR = [[min(a, b) * 5 + max(a, b) for b in range(5)] for a in range(5)]
_TABLES: dict[bool, _Half] = {}


def _half(letters: bool) -> _Half:
    if letters not in _TABLES:
        _TABLES[letters] = _Half(LETTERS if letters else DIGITS)
    return _TABLES[letters]


def _pick_half(
    rng: random.Random, half: _Half, code: int, cands: list[int], unique: bool, used: set[str]
) -> tuple[str, list[int]] | None:
    """A guess half leaving exactly one candidate (``unique``), or the most informative of a few that leave
    more than one, found by random probing."""
    best: tuple[str, list[int]] | None = None
    probes = 0
    for gi in rng.sample(range(len(half.pairs)), min(len(half.pairs), 150)):
        g = half.pairs[gi]
        if gi == code or g in used:
            continue
        a, b = half.keys(g)
        want = _PAIR[a[code]][b[code]]
        rest = [c for c in cands if _PAIR[a[c]][b[c]] == want]
        if unique:
            if len(rest) == 1:
                return g, rest
            continue
        if len(rest) > 1 and (best is None or len(rest) < len(best[1])):
            best = (g, rest)
        probes += 1
        if best is not None and probes >= 4:
            break
    return best


def _build(rng: random.Random, k: int) -> tuple[str, list[str]] | None:
    """A code and ``k`` guesses whose feedback determines the code only once all ``k`` are known."""
    num_code = "".join(rng.sample(DIGITS, 2))
    let_code = "".join(rng.sample(LETTERS, 2))
    # the two halves become unique at steps tn and tl; the later one is the last guess
    t_other = rng.randint(max(1, k - 3), k)
    tn, tl = (t_other, k) if rng.random() < 0.5 else (k, t_other)
    halves: list[list[str]] = []
    for letters, code_s, t in ((False, num_code, tn), (True, let_code, tl)):
        half = _half(letters)
        code = half.index[code_s]
        cands = list(range(len(half.pairs)))
        seq: list[str] = []
        for step in range(1, k + 1):
            # before step t keep several candidates; from t on exactly one (after t any fresh guess does)
            got = _pick_half(rng, half, code, cands, step >= t, set(seq))
            if got is None:
                return None
            seq.append(got[0])
            cands = got[1]
        halves.append(seq)
    guesses = [a + b for a, b in zip(halves[0], halves[1], strict=True)]
    if len(set(guesses)) != k:
        return None
    return num_code + let_code, guesses


def _question(guesses: Sequence[str], texts: Sequence[str]) -> str:
    lines = [
        f"Please deduce the correct password based on the following {len(guesses)} known conditions.",
        "A combination lock's code consists of two digits followed by two letters; the two digits are "
        "different and the two letters are different.",
        "Feedback rules for each guess (digits and letters are judged separately): a guessed symbol is "
        "'correct and in the correct position' if the code has it at that position; 'correct but in the wrong "
        "position' if the code has it at the other position; otherwise it is incorrect, and the feedback says "
        "'too small' / 'too early in the alphabet' if it is smaller than both code symbols of its kind, 'too "
        "large' / 'too late in the alphabet' if it is larger than both, and 'between the two code numbers' / "
        "'between the two code letters' otherwise. Every guessed symbol is accounted for in its feedback.",
    ]
    for i, (g, t) in enumerate(zip(guesses, texts, strict=True), 1):
        lines.append(f"{i}. Guess: {g}, Feedback: {t}.")
    lines.append(
        'Exactly one code fits all conditions. Give it in the format <<< ["X", "Y", "Z", "W"] >>> where X '
        'and Y are the digits and Z and W the letters, in order. For example, <<< ["1", "2", "A", "B"] >>>.'
    )
    return "\n".join(lines)


def _read(answer: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]", "", clean(answer)).upper()
    if not re.fullmatch(r"[0-9]{2}[A-Z]{2}", s):
        raise ParseError(f"expected two digits then two letters, got {answer.strip()[:40]!r}")
    return s


@register
class Cryptanalysis(Task):
    name = "cryptanalysis"
    title = "Cryptanalysis"
    seen = False
    description = (
        "Deduce a lock code (two distinct digits, two distinct letters) from guesses with Mastermind-style "
        "feedback: right place, wrong place, or wrong with a too small / too large / in-between hint. The "
        "generator proves the code unique by exhaustive search, and the last condition is always needed "
        "(uniqueness is first reached there). Complexity is the number of conditions: 3-4 at level 1 up to "
        "11-13 at level 5 (the reference's stored instances mostly have 4-7)."
    )
    knobs = (
        Knob(
            "min_guesses", int, 5, "fewest conditions (3 is slowest: about 45 ms per instance)", lo=3, hi=20
        ),
        Knob("max_guesses", int, 7, "most conditions", lo=3, hi=20),
    )
    presets = {
        1: {"min_guesses": 3, "max_guesses": 4},
        2: {"min_guesses": 5, "max_guesses": 6},
        3: {"min_guesses": 7, "max_guesses": 8},
        4: {"min_guesses": 9, "max_guesses": 10},
        5: {"min_guesses": 11, "max_guesses": 13},
    }
    reference_dirs = ("cryptanalysis",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["min_guesses"] > cfg["max_guesses"]:
            raise ValueError(
                f"cryptanalysis: min_guesses ({cfg['min_guesses']}) must be <= max_guesses ({cfg['max_guesses']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        k = rng.randint(cfg["min_guesses"], cfg["max_guesses"])
        built = None
        for _ in range(200):
            built = _build(rng, k)
            if built is not None:
                break
        if built is None:  # pragma: no cover - never observed; keeps the contract explicit
            raise RuntimeError("cryptanalysis: could not build an instance")
        code, guesses = built
        feedback = [[list(signature(code[:2], g[:2])), list(signature(code[2:], g[2:]))] for g in guesses]
        data = {"guesses": guesses, "feedback": feedback, "grammar": "v1", "solution": code}
        nums, lets = solve(data)
        if nums != [code[:2]] or lets != [code[2:]]:  # pragma: no cover - the search above guarantees it
            raise RuntimeError("cryptanalysis: generated code is not unique")
        texts = [f"{render(f[0], False)}; {render(f[1], True)}" for f in feedback]
        return Draft(_question(guesses, texts), _answer_text(code), data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        got = _read(answer)
        if got == data["solution"]:
            return ok()
        bad = sorted(set(consistent(data, got[:2], False)) | set(consistent(data, got[2:], True)))
        if got[0] == got[1] or got[2] == got[3]:
            return wrong(f"{got} repeats a symbol; the code's digits and letters are distinct")
        if bad:
            return wrong(f"{got} contradicts condition {bad[0] + 1}")
        if data.get("unique") is False:  # a published instance with several fitting codes: any of them
            return ok()
        return wrong(f"{got} fits every condition but is not the code")  # only for non-unique published data

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for source, question, stored in read_samples(root, *self.reference_dirs):
            conds = re.findall(r"Guess:\s*([0-9]{2}[A-Z]{2}),\s*Feedback:\s*(.+)", question)
            if not conds:
                skip(source, "no guess/feedback conditions found")
                continue
            guesses, feedback = [], []
            for guess, text in conds:
                parts = [p.strip() for p in text.strip().rstrip(".").split(";") if p.strip()]
                feedback.append(
                    [
                        "; ".join(p for p in parts if "number" in p),
                        "; ".join(p for p in parts if "letter" in p),
                    ]
                )
                guesses.append(guess)
            data: dict[str, Any] = {"guesses": guesses, "feedback": feedback, "grammar": "reference"}
            nums, lets = solve(data)
            label_list = stored_value(stored, "answer")
            label = "".join(str(x) for x in label_list) if isinstance(label_list, list) else None
            codes = [a + b for a in nums for b in lets]
            note = None
            if len(codes) == 1:
                truth = codes[0]
                if label is not None and label != truth:
                    note = f"stored code {label} != the unique consistent code {truth}"
            elif label in codes:
                truth = label
                note = f"{len(codes)} codes fit the conditions; the stored one is kept"
            elif codes:
                truth = codes[0]
                note = f"stored code {label} contradicts the conditions; {len(codes)} codes fit"
            else:
                skip(source, "no code fits the stated conditions")
                continue
            data["solution"] = truth
            data["unique"] = len(codes) == 1
            yield RefItem(
                source=source,
                question=question.strip(),
                answer=_answer_text(truth),
                data=data,
                complexity=None,
                stored_label=label_list,
                label_note=note,
            )


def _answer_text(code: str) -> str:
    return "[" + ", ".join(f'"{c}"' for c in code) + "]"
