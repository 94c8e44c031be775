"""Small helpers shared by the planning tasks (Blocksworld, BoxLift, BoxNet, Path Plan)."""

from __future__ import annotations

import re
from pathlib import Path

from codesteer.symbench._types import Verdict


def numeric_key(p: Path) -> tuple[tuple[int, ...], str]:
    """Sort key that orders ``BoxLift_10_3/BoxLift2`` before ``BoxLift_10_3/BoxLift10`` (numbers, not text)."""
    rel = str(p)
    return tuple(int(n) for n in re.findall(r"\d+", rel)), rel


def partial(correct: bool, done: int, total: int, reason: str, **info: object) -> Verdict:
    """A simulation verdict whose score is the share of work done; below 1.0 unless the plan is correct.

    A share of 1.0 can only coincide with a failed plan when nothing was left to do at the failure point,
    which the simulators rule out by stopping once everything is done; the clamp keeps the invariant anyway.
    """
    share = done / total if total else 1.0
    if correct:
        return Verdict(True, 1.0, "ok", dict(info))
    score = min(share, 1.0 - 1.0 / (2 * max(total, 1)))
    return Verdict(False, max(0.0, score), reason, dict(info))
