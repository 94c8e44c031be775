"""Date Understanding (seen; BIG-Bench-Hard): date arithmetic over chained offsets, six-way multiple choice."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_bbh, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._choices import (
    LETTERS,
    OPTION_FORMAT,
    check_option,
    parse_options,
    render_options,
    with_format,
)

_RULES = (
    "Conventions: a month or year offset keeps the day of the month (the questions never need a day that does "
    "not exist in the target month); a week is 7 days; 24 hours is one day."
)

_PEOPLE = ("Jane", "John", "Maria", "Ahmed", "Li", "Olga", "Tom", "Priya", "Kofi", "Sara")
_EVENTS = (
    "flight", "wedding", "job interview", "exam", "concert", "dentist appointment", "move to a new city",
    "graduation", "product launch", "marathon", "book club meeting", "vacation",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORD = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def shift(d: dt.date, unit: str, n: int) -> dt.date | None:
    """``d`` moved by ``n`` units; None when a month/year move would need a day the target month lacks."""
    try:
        if unit == "days":
            return d + dt.timedelta(days=n)
        if unit == "weeks":
            return d + dt.timedelta(weeks=n)
        if unit == "months":
            m = d.month - 1 + n
            y, m = d.year + m // 12, m % 12 + 1
            if d.day > calendar.monthrange(y, m)[1]:
                return None
            return d.replace(year=y, month=m)
        if unit == "years":
            y = d.year + n
            if d.month == 2 and d.day == 29 and not calendar.isleap(y):
                return None
            return d.replace(year=y)
    except (OverflowError, ValueError):
        return None
    raise ValueError(f"unknown unit {unit!r}")


def _amount(unit: str, n: int, rng: random.Random) -> str:
    n = abs(n)
    if unit == "days" and n == 1 and rng.random() < 0.3:
        return "24 hours"
    word = unit[:-1] if n == 1 else unit
    num = {1: "one", 2: "two", 3: "three"}.get(n, str(n)) if unit != "days" else str(n)
    if n == 1 and unit in ("months", "years") and rng.random() < 0.5:
        num = "a"
    return f"{num} {word}"


def fmt_us(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def _fmt_any(d: dt.date, rng: random.Random, mixed: bool) -> str:
    if not mixed:
        return fmt_us(d)
    k = rng.randrange(3)
    if k == 0:
        return fmt_us(d)
    if k == 1:
        return f"{calendar.month_abbr[d.month]} {d.day}, {d.year}"
    suffix = "th" if 10 <= d.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    return f"{calendar.month_name[d.month]} {d.day}{suffix}, {d.year}"


def _random_offset(rng: random.Random, units: tuple[str, ...]) -> tuple[str, int]:
    unit = rng.choice(units)
    n = {"days": rng.randint(1, 40), "weeks": rng.randint(1, 6), "months": rng.randint(1, 14),
         "years": rng.randint(1, 12)}[unit]  # fmt: skip
    return unit, n * rng.choice((-1, 1))


def _anchor(rng: random.Random, cfg: Mapping[str, Any]) -> dt.date:
    year = rng.randint(cfg["year_lo"], cfg["year_hi"])
    if cfg["edge_dates"] and rng.random() < 0.6:
        month = rng.choice((1, 2, 2, 3, 12, rng.randint(1, 12)))
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, rng.choice((1, 2, last - 1, last)))
    month = rng.randint(1, 12)
    return dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _distractors(
    rng: random.Random, ans: dt.date, today: dt.date, q: tuple[str, int], k: int
) -> list[dt.date]:
    cands: list[dt.date | None] = []
    if ans.day <= 12 and ans.day != ans.month:
        cands.append(dt.date(ans.year, ans.day, ans.month))  # day and month swapped
    cands += [shift(ans, "days", 1), shift(ans, "days", -1), shift(ans, "months", 1), shift(ans, "months", -1),
              shift(ans, "years", 1), shift(ans, "years", -1), shift(ans, "weeks", rng.choice((-1, 1))),
              shift(ans, "years", rng.randint(10, 70) * rng.choice((-1, 1))), shift(ans, "days", rng.randint(2, 9))]  # fmt: skip
    if q[1] != 0:
        cands += [today, shift(today, q[0], -q[1])]  # offset ignored / applied the wrong way
    out: list[dt.date] = []
    seen = {ans}
    rng.shuffle(cands)
    for c in cands:
        if c is not None and c not in seen and 1 <= c.year <= 9999:
            seen.add(c)
            out.append(c)
        if len(out) == k:
            break
    while len(out) < k:  # very rare: pad with random dates of the same year
        c = dt.date(ans.year, rng.randint(1, 12), rng.randint(1, 28))
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


_QUESTIONS = {
    ("days", 0): "today",
    ("days", 1): "tomorrow",
    ("days", -1): "yesterday",
    ("weeks", 1): "one week from today",
    ("weeks", -1): "one week ago from today",
    ("months", -1): "a month ago",
    ("months", 1): "one month from today",
    ("years", -1): "one year ago from today",
    ("years", 1): "one year from today",
}


def _question_phrase(q: tuple[str, int], rng: random.Random) -> str:
    if q in _QUESTIONS and rng.random() < 0.7:
        return _QUESTIONS[q]
    if q == ("days", 1):
        return "24 hours later"
    amount = _amount(q[0], q[1], rng)
    return f"{amount} from today" if q[1] > 0 else f"{amount} ago"


def _chain_story(
    rng: random.Random, cfg: Mapping[str, Any], units: tuple[str, ...]
) -> tuple[list[str], dt.date]:
    """Sentences that pin down today through ``hops`` chained offsets from a stated date; returns today."""
    mixed = cfg["formats"] == "mixed"
    for _ in range(100):
        d0 = _anchor(rng, cfg)
        person = rng.choice(_PEOPLE)
        events = rng.sample(_EVENTS, min(len(_EVENTS), cfg["hops"] + 1))
        sentences: list[str] = []
        cur = d0
        kind = rng.randrange(5) if mixed else rng.randrange(3)
        if cfg["hops"] == 0:
            if kind == 0:
                sentences.append(f"Today is {_fmt_any(d0, rng, mixed)}.")
                return sentences, d0
            if kind == 1:
                sentences.append(f"Yesterday was {_fmt_any(d0, rng, mixed)}.")
                return sentences, d0 + dt.timedelta(days=1)
            if kind == 2:
                sentences.append(f"Tomorrow is {_fmt_any(d0, rng, mixed)}.")
                return sentences, d0 - dt.timedelta(days=1)
            if kind == 3:
                sentences.append(
                    "In the UK, people usually put the day before the month when formatting the date. "
                    f"Therefore, today is {d0.day:02d}/{d0.month:02d}/{d0.year:04d} to them."
                )
                return sentences, d0
            wd = rng.randrange(7)
            nth = rng.randint(1, 4)
            first = dt.date(d0.year, d0.month, 1)
            day = first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (nth - 1))
            sentences.append(
                f"The first day of {calendar.month_name[d0.month]} {d0.year} is a {_WEEKDAYS[first.weekday()]}, "
                f"and today is the {_ORD[nth]} {_WEEKDAYS[wd]} of that month."
            )
            return sentences, day
        sentences.append(f"{person}'s {events[0]} was on {_fmt_any(d0, rng, mixed)}.")
        ok = True
        for i in range(1, cfg["hops"] + 1):
            unit, n = _random_offset(rng, units)
            nxt = shift(cur, unit, n)
            if nxt is None:
                ok = False
                break
            rel = "after" if n > 0 else "before"
            if i < cfg["hops"]:
                sentences.append(f"The {events[i]} was {_amount(unit, n, rng)} {rel} the {events[i - 1]}.")
            else:
                sentences.append(f"Today is {_amount(unit, n, rng)} {rel} the {events[i - 1]}.")
            cur = nxt
        if ok and 1 <= cur.year <= 9999:
            return sentences, cur
    raise RuntimeError("could not build a date story")  # pragma: no cover - 100 tries never all fail


@register
class DateUnderstanding(Task):
    name = "date_understanding"
    title = "Date Understanding"
    seen = True
    description = (
        "A short story fixes today's date through a stated date and a chain of offsets (days, weeks, months, "
        "years); the question asks for the date at one more offset, in MM/DD/YYYY, as a choice among BBH-style "
        "options with plausible distractors (day and month swapped, off by a day, month or year, the offset "
        "applied the wrong way). Computed with datetime. Complexity grows with the number of chained offsets, "
        "the offset units allowed, date formats (UK order, weekday anchors), edge dates (month/year ends, leap "
        "days) and the number of options."
    )
    knobs = (
        Knob("hops", int, 1, "chained offsets between the stated date and today (0 = BBH-style one-liner)",
             lo=0, hi=6),
        Knob("units", str, "days_weeks", "offset units used in the chain",
             choices=("days", "days_weeks", "all")),
        Knob("formats", str, "us", "how dates are written in the story", choices=("us", "mixed")),
        Knob("edge_dates", bool, False, "prefer stated dates near month/year ends and in February"),
        Knob("options", int, 6, "number of answer options", lo=2, hi=10),
        Knob("year_lo", int, 1900, "earliest year of the stated date", lo=1000, hi=2900),
        Knob("year_hi", int, 2030, "latest year of the stated date", lo=1000, hi=2900),
    )  # fmt: skip
    presets = {
        1: {"hops": 0, "units": "days", "formats": "us", "edge_dates": False, "options": 4},
        2: {"hops": 0, "units": "days_weeks", "formats": "mixed", "edge_dates": True, "options": 6},
        3: {"hops": 1, "units": "days_weeks", "formats": "mixed", "edge_dates": True, "options": 6},
        4: {"hops": 2, "units": "all", "formats": "mixed", "edge_dates": True, "options": 6},
        5: {"hops": 4, "units": "all", "formats": "mixed", "edge_dates": True, "options": 8},
    }
    reference_dirs = ("BIG-Bench-Hard/bbh/date_understanding.json",)

    def validate(self, cfg: Mapping[str, Any]) -> None:
        if cfg["year_lo"] > cfg["year_hi"]:
            raise ValueError(
                f"date_understanding: year_lo ({cfg['year_lo']}) must be <= year_hi ({cfg['year_hi']})"
            )

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        units = {
            "days": ("days",),
            "days_weeks": ("days", "weeks"),
            "all": ("days", "weeks", "months", "years"),
        }[cfg["units"]]
        for _ in range(100):
            sentences, today = _chain_story(rng, cfg, units)
            if rng.random() < 0.25:
                q: tuple[str, int] = ("days", rng.choice((0, 1, -1)))
            else:
                q = _random_offset(rng, units)
                if q[0] in ("days", "weeks") and rng.random() < 0.5:
                    q = (q[0], 1 if q[1] > 0 else -1)
            ans = shift(today, *q)
            if ans is not None and 1 <= ans.year <= 9999:
                break
        else:  # pragma: no cover
            raise RuntimeError("could not draw a question date")
        opts = _distractors(rng, ans, today, q, cfg["options"] - 1) + [ans]
        rng.shuffle(opts)
        options = [fmt_us(d) for d in opts]
        target = LETTERS[opts.index(ans)]
        question = (
            " ".join(sentences)
            + f" What is the date {_question_phrase(q, rng)} in MM/DD/YYYY?\n"
            + render_options(options)
            + "\n"
            + _RULES
            + "\n"
            + OPTION_FORMAT
        )
        data = {
            "options": options,
            "target": target,
            "today": today.isoformat(),
            "answer_date": ans.isoformat(),
        }
        return Draft(question, f"({target})", data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_option(data, answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        # BBH date stories are free text; the options are parsed and the stored letter is the label (it is
        # checked to name an existing option holding a valid MM/DD/YYYY date).
        for rel in self.reference_dirs:
            for source, _i, text, target in read_bbh(root, rel):
                options = parse_options(text)
                letter = target.strip("() ")
                if not options or len(letter) != 1 or letter not in LETTERS[: len(options)]:
                    skip(source, "options unreadable or the stored letter names none of them")
                    continue
                note = None
                try:
                    m, d, y = (int(p) for p in options[LETTERS.index(letter)].split("/"))
                    dt.date(y, m, d)
                except ValueError:
                    note = f"stored option {target} is not a valid MM/DD/YYYY date"
                yield RefItem(
                    source=source,
                    question=with_format(text, OPTION_FORMAT),
                    answer=f"({letter})",
                    data={"options": options, "target": letter},
                    stored_label=target,
                    label_note=note,
                )
