"""Navigate (seen; BIG-Bench-Hard): does a list of moves bring you back to the starting point?"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer.symbench._samples import read_bbh, skip
from codesteer.symbench._task import Draft, RefItem, Task, register
from codesteer.symbench._types import Knob, Verdict
from codesteer.symbench.suite._choices import YES_NO_FORMAT, check_yes_no, with_format

_HEAD = "If you follow these instructions, do you return to the starting point?"
_RULES = (
    "Rules: you start at the starting point facing forward. 'Take N steps' moves N steps in the direction you "
    "face; 'Take N steps forward/backward/left/right' moves N steps that way relative to the direction you face, "
    "without turning. 'Turn left'/'Turn right' turn 90 degrees in place and 'Turn around' turns 180 degrees. "
    "'Always face forward' means you never turn."
)

# headings as (dx, dy); forward is +y
_DIRS = ((0, 1), (1, 0), (0, -1), (-1, 0))  # forward, right, backward, left (clockwise)
_REL = {"forward": 0, "right": 1, "backward": 2, "left": 3}


def simulate(steps: list[list[Any]]) -> tuple[int, int]:
    """Final position. Each step is ``["move", n, rel]`` (rel one of forward/right/backward/left, or "" for
    the facing direction) or ``["turn", "left"|"right"|"around"]``."""
    x = y = 0
    heading = 0
    for st in steps:
        if st[0] == "turn":
            heading = (heading + {"right": 1, "around": 2, "left": 3}[st[1]]) % 4
        else:
            n, rel = int(st[1]), st[2] or "forward"
            dx, dy = _DIRS[(heading + _REL[rel]) % 4]
            x, y = x + n * dx, y + n * dy
    return x, y


def _say(st: list[Any]) -> str:
    if st[0] == "turn":
        return f"Turn {st[1]}."
    n, rel = st[1], st[2]
    word = "step" if n == 1 else "steps"
    return f"Take {n} {word}{' ' + rel if rel else ''}."


def render(steps: list[list[Any]], face_forward: bool) -> str:
    body = " ".join(([("Always face forward.")] if face_forward else []) + [_say(s) for s in steps])
    return f"{_HEAD} {body}\nOptions:\n- Yes\n- No"


def _chunks(n: int, top: int, rng: random.Random) -> list[int]:
    """Split ``n`` into parts of at most ``top`` so closing moves look like the others."""
    out = []
    while n > top:
        part = rng.randint(max(1, top // 2), top)
        out.append(part)
        n -= part
    return out + [n]


def _closing_moves(
    x: int, y: int, heading: int, face_forward: bool, top: int, rng: random.Random
) -> list[list[Any]]:
    """Moves that bring the walker from (x, y) facing ``heading`` back to the origin."""
    out: list[list[Any]] = []
    for dx, dy in ((-x, 0), (0, -y)):
        if dx == 0 and dy == 0:
            continue
        n = abs(dx) + abs(dy)
        want = _DIRS.index((dx // n, dy // n))
        rel = (want - heading) % 4
        if face_forward or rng.random() < 0.5:
            out += [["move", p, ("forward", "right", "backward", "left")[rel]] for p in _chunks(n, top, rng)]
        else:
            if rel:
                out.append(["turn", {1: "right", 2: "around", 3: "left"}[rel]])
                heading = want
            out += [["move", p, ""] for p in _chunks(n, top, rng)]
    return out


@register
class Navigate(Task):
    name = "navigate"
    title = "Navigation"
    seen = True
    description = (
        "A list of step and turn instructions on a grid; does the walker end where it started (Yes/No, "
        "balanced labels; 'Yes' cases are built by appending or mixing in closing moves)? Complexity grows with "
        "the number of instructions (BBH uses 3-10), the largest step count, and the mode: 'face_forward' "
        "(moves relative to a fixed heading, as in BBH), 'turning' (turns change the heading) or 'mixed'."
    )
    knobs = (
        Knob("instructions", int, 6, "number of instructions before closing moves are added", lo=1, hi=60),
        Knob("max_step", int, 10, "largest number of steps in one move", lo=1, hi=1000),
        Knob("mode", str, "mixed", "instruction style", choices=("face_forward", "turning", "mixed")),
    )
    presets = {
        1: {"instructions": 3, "max_step": 10, "mode": "face_forward"},
        2: {"instructions": 5, "max_step": 10, "mode": "mixed"},
        3: {"instructions": 8, "max_step": 10, "mode": "mixed"},
        4: {"instructions": 12, "max_step": 20, "mode": "turning"},
        5: {"instructions": 20, "max_step": 50, "mode": "turning"},
    }
    reference_dirs = ("BIG-Bench-Hard/bbh/navigate.json",)

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        mode = cfg["mode"]
        face_forward = mode == "face_forward" or (mode == "mixed" and rng.random() < 0.5)
        want_yes = rng.random() < 0.5
        k, top = cfg["instructions"], cfg["max_step"]
        steps: list[list[Any]] = []
        heading = 0
        for _ in range(k):
            if face_forward:
                steps.append(
                    ["move", rng.randint(1, top), rng.choice(("forward", "backward", "left", "right"))]
                )
            elif rng.random() < 0.35:
                turn = rng.choice(("left", "right", "around"))
                steps.append(["turn", turn])
                heading = (heading + {"right": 1, "around": 2, "left": 3}[turn]) % 4
            else:
                rel = rng.choice(("", "", "", "forward", "backward", "left", "right"))
                steps.append(["move", rng.randint(1, top), rel])
        x, y = simulate(steps)
        if want_yes:
            closing = _closing_moves(x, y, heading, face_forward, top, rng)
            if face_forward:
                steps = steps + closing
                rng.shuffle(steps)  # translations commute, so the closing moves can sit anywhere
            else:
                steps = steps + closing
        elif (x, y) == (0, 0):
            # nudge one move so the walk does not close (a step count changes by one)
            idx = next((i for i in range(len(steps) - 1, -1, -1) if steps[i][0] == "move"), None)
            if idx is None:
                steps.append(["move", rng.randint(1, top), ""])
            else:
                steps[idx] = ["move", steps[idx][1] + 1, steps[idx][2]]
        end = simulate(steps)
        target = "Yes" if end == (0, 0) else "No"
        question = render(steps, face_forward) + "\n" + _RULES + "\n" + YES_NO_FORMAT
        data = {"steps": steps, "face_forward": face_forward, "end": list(end), "target": target}
        return Draft(question, target, data)

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        return check_yes_no(data, answer)

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        for rel in self.reference_dirs:
            for source, _i, text, target in read_bbh(root, rel):
                parsed = parse_question(text)
                if parsed is None:
                    skip(source, "question not recognised")
                    continue
                steps, face_forward = parsed
                end = simulate(steps)
                answer = "Yes" if end == (0, 0) else "No"
                note = None if target == answer else f"stored target {target!r} != recomputed {answer!r}"
                yield RefItem(
                    source=source,
                    question=with_format(text, YES_NO_FORMAT),
                    answer=answer,
                    data={"steps": steps, "face_forward": face_forward, "end": list(end), "target": answer},
                    stored_label=target,
                    label_note=note,
                )


_MOVE_RE = re.compile(r"^Take (\d+) steps?(?: (forward|backward|left|right))?$")
_TURN_RE = re.compile(r"^Turn (left|right|around)$")


def parse_question(text: str) -> tuple[list[list[Any]], bool] | None:
    """Steps and the 'always face forward' flag from BBH-style text; None if a sentence is unknown."""
    body = text.split("?", 1)[-1].split("Options:", 1)[0]
    face_forward = False
    steps: list[list[Any]] = []
    for sent in (s.strip() for s in body.split(".")):
        if not sent:
            continue
        if sent == "Always face forward":
            face_forward = True
            continue
        m = _MOVE_RE.match(sent)
        if m:
            steps.append(["move", int(m.group(1)), m.group(2) or ""])
            continue
        t = _TURN_RE.match(sent)
        if t:
            steps.append(["turn", t.group(1)])
            continue
        return None
    return steps, face_forward
