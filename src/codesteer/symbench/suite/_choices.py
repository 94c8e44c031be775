"""Multiple-choice and Yes/No answers (the four BIG-Bench-Hard tasks): option rendering and tolerant readers.

BBH answers are either an option letter such as ``(B)`` or ``Yes``/``No``. The reference scored them with a
GPT-4o judge (and "Incorrect" counted as a pass); here they are compared exactly after a tolerant
normalisation, so the verdict is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from codesteer.symbench._parse import ParseError, clean
from codesteer.symbench._types import Verdict, ok, wrong

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

OPTION_FORMAT = "Answer with the letter of the correct option in the format <<<(X)>>>, for example <<<(B)>>>."
YES_NO_FORMAT = "Answer with Yes or No in the format <<<Yes>>> or <<<No>>>."


def render_options(options: Sequence[str]) -> str:
    """BBH's option block: ``Options:`` then ``(A) text`` lines."""
    return "Options:\n" + "\n".join(f"({LETTERS[i]}) {t}" for i, t in enumerate(options))


def _norm_text(s: str) -> str:
    s = s.strip().lower().rstrip(".").strip()
    return re.sub(r"\s+", " ", s)


_LETTER_RE = re.compile(r"^\(?\s*([A-Za-z])\s*\)?[.:]?$")
_LETTER_TEXT_RE = re.compile(r"^\(\s*([A-Za-z])\s*\)\s*(.+)$|^([A-Za-z])[).:]\s+(.+)$")


def read_option(answer: str, options: Sequence[str]) -> int:
    """Index of the chosen option: ``(A)``, ``A``, ``A)``, ``option A``, ``(A) text`` or the option's text.

    The bare text is accepted only when it names exactly one option; a letter followed by text must agree
    with that text, so ``(A) <text of B>`` is rejected as ambiguous instead of guessed.
    """
    s = clean(answer)
    s = re.sub(r"^(?:the\s+)?(?:answer|option)\s*(?:is)?\s*:?\s*", "", s, flags=re.I).strip()
    if not s:
        raise ParseError("empty answer; expected an option letter such as (A)")
    n = len(options)
    m = _LETTER_RE.match(s)
    if m:
        idx = LETTERS.index(m.group(1).upper())
        if idx >= n:
            raise ParseError(f"option {m.group(1).upper()} does not exist (options A-{LETTERS[n - 1]})")
        return idx
    texts = [_norm_text(o) for o in options]
    m2 = _LETTER_TEXT_RE.match(s)
    if m2:
        letter = (m2.group(1) or m2.group(3)).upper()
        rest = _norm_text(m2.group(2) or m2.group(4))
        idx = LETTERS.index(letter)
        if idx >= n:
            raise ParseError(f"option {letter} does not exist (options A-{LETTERS[n - 1]})")
        if rest != texts[idx]:
            raise ParseError(f"option letter ({letter}) does not match the option text given")
        return idx
    hits = [i for i, t in enumerate(texts) if t == _norm_text(s)]
    if len(hits) == 1:
        return hits[0]
    raise ParseError(f"not an option letter or option text: {s[:60]!r}")


def check_option(data: Mapping[str, Any], answer: str) -> Verdict:
    options = list(data["options"])
    target = LETTERS.index(str(data["target"]).strip("() "))
    idx = read_option(answer, options)
    if idx == target:
        return ok()
    return wrong(f"chose ({LETTERS[idx]}) {options[idx]!r}")


_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


def read_yes_no(answer: str) -> bool:
    s = clean(answer).strip().strip("()[]*").strip().rstrip(".!").strip().lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise ParseError(f"expected Yes or No, got {s[:40]!r}")


def check_yes_no(data: Mapping[str, Any], answer: str) -> Verdict:
    got = read_yes_no(answer)
    target = str(data["target"]).strip().lower() == "yes"
    if got == target:
        return ok()
    return wrong(f"answered {'Yes' if got else 'No'}")


def parse_options(text: str) -> list[str]:
    """The ``(A) ...`` lines of a BBH question, in order."""
    return [m.group(2).strip() for m in re.finditer(r"^\(([A-Z])\)\s*(.*)$", text, flags=re.M)]


def with_format(question: str, fmt: str) -> str:
    """Append our answer-format sentence unless the stored question already asks for ``<<<...>>>``."""
    q = question.rstrip()
    return q if "<<<" in q else q + "\n" + fmt
