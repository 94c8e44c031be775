"""Letters (unseen): count a letter in a word and list its 1-based positions."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._parse import ParseError, clean, parse_int, split_items
from codesteer.symbench._samples import read_json, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict, ok, wrong
from codesteer.symbench.suite._words import WORDS

_BY_LEN: dict[int, tuple[str, ...]] = {
    n: tuple(w for w in WORDS if len(w) == n) for n in sorted({len(w) for w in WORDS})
}
_WORD_SET = frozenset(WORDS)
_LENGTHS = tuple(sorted(_BY_LEN))
_MIN_WORD = _LENGTHS[0]


def positions(word: str, letter: str) -> list[int]:
    """1-based positions of ``letter`` in ``word``."""
    return [i + 1 for i, ch in enumerate(word) if ch == letter]


def format_answer(word: str, letter: str) -> str:
    pos = positions(word, letter)
    return f"Count: {len(pos)}, Positions: [{', '.join(map(str, pos))}]"


def _word_string(rng: random.Random, length: int) -> str:
    """Real words of exactly ``length`` letters in total: one word where possible, else a compound of several."""
    parts: list[str] = []
    left = length
    while left:
        if left in _BY_LEN and (left < 2 * _MIN_WORD or rng.random() < 0.7):
            parts.append(rng.choice(_BY_LEN[left]))
            break
        # leave a remainder that can still be filled (0, or at least the shortest word length)
        options = [n for n in _LENGTHS if n <= left - _MIN_WORD]
        n = rng.choice(options)
        parts.append(rng.choice(_BY_LEN[n]))
        left -= n
    return "".join(parts)


def _random_string(rng: random.Random, length: int, letter: str, count: int) -> str:
    others = [c for c in string.ascii_lowercase if c != letter]
    chars = [rng.choice(others) for _ in range(length)]
    for i in rng.sample(range(length), count):
        chars[i] = letter
    return "".join(chars)


def _question(word: str, letter: str) -> str:
    kind = "word" if word in _WORD_SET else "string"
    return (
        f"How many '{letter}'s are in the {kind} '{word}' and what are their positions? Count the lowercase "
        f"letter '{letter}' exactly, and give positions counting from 1 (the first letter of the {kind} is "
        "position 1), in increasing order.\n"
        "Answer in the format <<<Count: X, Positions: [Y, Z, ...]>>>, for example <<<Count: 2, Positions: "
        "[1, 3]>>>; if the letter does not occur, answer <<<Count: 0, Positions: []>>>."
    )


def _reference_question(word: str, letter: str) -> str:
    # the reference builds its prompt at run time from the stored word; this is its wording
    return (
        f"How many '{letter}'s are in the word '{word}' and what are their positions? The position in the word "
        "counts from 1 not 0.\nSurround the answer with <<<content>>>. Please respond in the format: "
        "<<<Count: X, Positions: [Y, Z, ...]>>>, such as <<<Count: 2, Positions: [1, 3]>>>.\nYour answer:"
    )


# the whole count token up to a separator, so "1.5", "1e309" or "1x" reach parse_int (and fail) instead of "1"
_COUNT_RE = re.compile(r"count\s*(?:[:=]|is)?\s*([+-]?\d[^\s,;\[\]()]*)", re.IGNORECASE)
_POS_RE = re.compile(r"positions?\s*(?:[:=]|are|is)?\s*([\[(]?)([^\])]*)([\])]?)", re.IGNORECASE)
_BARE_RE = re.compile(r"([+-]?\d+)\s*[,;:]?\s*[\[(]([^\])]*)[\])]")


def parse_answer(text: str) -> tuple[int, list[int]]:
    """``Count: 3, Positions: [1, 4, 9]`` (labels, separators and brackets are forgiven; both parts required)."""
    s = clean(text)
    if len(s) > 20_000:
        raise ParseError("answer too long")
    cm, pm = _COUNT_RE.search(s), _POS_RE.search(s)
    if cm and pm:
        count_text = cm.group(1)
        pos_text = pm.group(2)
        if pm.group(1) and not pm.group(3):
            raise ParseError("unclosed positions list")
    else:
        bm = _BARE_RE.fullmatch(s)
        if not bm:
            raise ParseError("expected 'Count: X, Positions: [Y, Z, ...]'")
        count_text, pos_text = bm.group(1), bm.group(2)
    count = parse_int(count_text)
    pos_text = pos_text.strip().rstrip(".").strip()
    items = [it for it in split_items(pos_text)] if pos_text else []
    return count, [parse_int(it) for it in items]


@register
class Letters(Task):
    name = "letters"
    title = "Letters"
    seen = False
    description = (
        "Count how often a letter occurs in a word and give its 1-based positions, answered as "
        "'Count: X, Positions: [Y, Z, ...]'. Words come from an embedded list of about 1,450 common English "
        "words written out for this project (no download); strings longer than one word are compounds of "
        "several real words, and when no word string has the wanted letter count (or source='random') a "
        "random lowercase string with exactly that many copies is used, as the reference did. A count of 0 "
        "is allowed (the reference's checker could never accept it). Complexity sets the length and the "
        "count: 5-10 letters with 1-2 copies at level 1, then 10-15, 15-20, 20-25 letters (the reference's "
        "buckets), and 25-40 letters with 3-8 copies at level 5."
    )
    knobs = (
        Knob("min_length", int, 10, "shortest word/string", lo=4, hi=1000),
        Knob("max_length", int, 15, "longest word/string", lo=4, hi=1000),
        Knob("min_count", int, 1, "fewest occurrences of the asked letter", lo=0, hi=1000),
        Knob("max_count", int, 5, "most occurrences of the asked letter", lo=0, hi=1000),
        Knob(
            "source",
            str,
            "words",
            "real English words (compounds when long) or random strings",
            choices=("words", "random"),
        ),
    )
    presets = {
        1: {"min_length": 5, "max_length": 10, "min_count": 1, "max_count": 2},
        2: {"min_length": 10, "max_length": 15, "min_count": 1, "max_count": 3},
        3: {"min_length": 15, "max_length": 20, "min_count": 1, "max_count": 5},
        4: {"min_length": 20, "max_length": 25, "min_count": 1, "max_count": 5},
        5: {"min_length": 25, "max_length": 40, "min_count": 3, "max_count": 8},
    }
    reference_dirs = ("Letters",)
    _TRIES = 80

    def validate(self, cfg: Mapping[str, Any]) -> None:
        for lo, hi in (("min_length", "max_length"), ("min_count", "max_count")):
            if cfg[lo] > cfg[hi]:
                raise ValueError(f"{self.name}: {lo} ({cfg[lo]}) must be <= {hi} ({cfg[hi]})")
        if cfg["min_count"] > cfg["max_length"]:
            raise ValueError(
                f"{self.name}: min_count ({cfg['min_count']}) cannot exceed max_length ({cfg['max_length']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        length = rng.randint(max(cfg["min_length"], cfg["min_count"]), cfg["max_length"])
        count = rng.randint(cfg["min_count"], min(cfg["max_count"], length))
        word = letter = ""
        if cfg["source"] == "words":
            for _ in range(self._TRIES):
                cand = _word_string(rng, length)
                fits = (
                    sorted({ch for ch in cand if cand.count(ch) == count})
                    if count
                    else sorted(set(string.ascii_lowercase) - set(cand))
                )
                if fits:
                    word, letter = cand, rng.choice(fits)
                    break
        if not word:
            letter = rng.choice(string.ascii_lowercase)
            word = _random_string(rng, length, letter, count)
        return Draft(
            _question(word, letter),
            format_answer(word, letter),
            {"word": word, "letter": letter, "positions": positions(word, letter)},
        )

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        count, pos = parse_answer(answer)
        truth = positions(str(data["word"]), str(data["letter"]))
        if count != len(truth):
            return wrong(f"count {count} is not right")
        dup = sorted({p for p in pos if pos.count(p) > 1})
        if dup:
            return wrong(f"position(s) {dup} listed more than once")
        if set(pos) != set(truth):
            extra = sorted(set(pos) - set(truth))
            missing = len(set(truth) - set(pos))
            parts = []
            if extra:
                parts.append(f"{extra} do not hold '{data['letter']}'")
            if missing:
                parts.append(f"{missing} position(s) missing")
            return wrong("positions: " + "; ".join(parts))
        return ok()

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        base = root / "Letters"
        if not base.is_dir():
            return
        buckets: list[tuple[int, int, Path]] = []
        for d in base.iterdir():
            m = re.fullmatch(r"Letters_dataset_min_length_(\d+)_max_length_(\d+)", d.name)
            if m and d.is_dir():
                buckets.append((int(m.group(1)), int(m.group(2)), d))
        for lo, _hi, bucket in sorted(buckets):
            cells: list[tuple[str, int, int, Path]] = []
            for d in bucket.iterdir():
                m = re.fullmatch(r"([a-z])_(\d+)_(\d+)", d.name)
                if m and d.is_dir():
                    cells.append((m.group(1), int(m.group(2)), int(m.group(3)), d))
            for letter, stored_count, _idx, cell in sorted(cells):
                word = read_json(cell / "test_words.json")
                if isinstance(word, list) and len(word) == 1:
                    word = word[0]
                if not isinstance(word, str) or not word.strip():
                    skip(cell.relative_to(root), "test_words.json holds no word")
                    continue
                word = word.strip().lower()
                truth = format_answer(word, letter)
                n = len(positions(word, letter))
                note = (
                    None if n == stored_count else f"folder says {stored_count} '{letter}'s, the word has {n}"
                )
                yield RefItem(
                    source=str((cell / "test_words.json").relative_to(root)),
                    question=_reference_question(word, letter),
                    answer=truth,
                    data={"word": word, "letter": letter, "positions": positions(word, letter)},
                    complexity=min(5, max(1, lo // 5)),
                    stored_label=stored_count,
                    label_note=note,
                )
