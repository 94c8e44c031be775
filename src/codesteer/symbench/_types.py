"""Records shared by every SymBench task: knobs, instances, verdicts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Knob:
    """One complexity knob of a task generator.

    ``lo``/``hi`` bound numeric knobs (inclusive); ``choices`` restricts any knob to a fixed set. Values coming
    from the command line arrive as strings and are coerced here, so every entry point validates the same way.
    """

    name: str
    type: type
    default: Any
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] | None = None

    def range_text(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.lo is not None and self.hi is not None:
            return f"{self.lo}..{self.hi}"
        if self.lo is not None:
            return f">= {self.lo}"
        if self.hi is not None:
            return f"<= {self.hi}"
        return "any " + self.type.__name__

    def coerce(self, value: Any, task: str) -> Any:
        """Return ``value`` converted to the knob's type, or raise ValueError naming the valid range."""
        where = f"knob '{self.name}' of task '{task}'"
        try:
            if self.type is bool:
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low not in {"true", "false", "1", "0", "yes", "no"}:
                        raise ValueError
                    value = low in {"true", "1", "yes"}
                elif not isinstance(value, bool):
                    raise ValueError
            elif self.type is int:
                if isinstance(value, bool):
                    raise ValueError
                if isinstance(value, str):
                    value = int(value.strip())
                elif isinstance(value, float):
                    if not value.is_integer():
                        raise ValueError
                    value = int(value)
                elif not isinstance(value, int):
                    raise ValueError
            elif self.type is float:
                if isinstance(value, bool):
                    raise ValueError
                value = float(value)
            elif self.type is str:
                value = str(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"{where} must be {self.type.__name__} ({self.range_text()}), got {value!r}"
            ) from None
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{where} must be {self.range_text()}, got {value!r}")
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise ValueError(f"{where} must be in {self.range_text()}, got {value!r}")
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.__name__,
            "default": self.default,
            "range": self.range_text(),
            "doc": self.doc,
        }


@dataclass(frozen=True)
class TaskInfo:
    """What ``symbench.tasks()`` lists: enough to choose a task and its knobs without reading code."""

    name: str
    title: str
    seen: bool
    description: str
    knobs: dict[str, Knob]
    presets: dict[int, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "seen": self.seen,
            "description": self.description,
            "knobs": {k: v.to_dict() for k, v in self.knobs.items()},
            "presets": {str(c): dict(p) for c, p in self.presets.items()},
        }


@dataclass(frozen=True)
class Instance:
    """One question with everything needed to verify an answer to it.

    ``answer`` is one correct answer, exactly as a model would write it between ``<<<`` and ``>>>``. ``data``
    is JSON-compatible (the generator output is normalised through JSON), so ``from_dict(to_dict())`` is exact.
    ``seed`` and ``complexity`` are ``None`` for instances read from the paper's published files where the
    files do not say.
    """

    task: str
    id: str
    seed: int | None
    complexity: int | None
    question: str
    answer: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Instance:
        missing = {"task", "id", "question", "answer"} - set(d)
        if missing:
            raise ValueError(f"instance record lacks {sorted(missing)}")
        return cls(
            task=str(d["task"]),
            id=str(d["id"]),
            seed=d.get("seed"),
            complexity=d.get("complexity"),
            question=str(d["question"]),
            answer=str(d["answer"]),
            data=dict(d.get("data") or {}),
        )


    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Instance:
        """An instance from a row of the Hugging Face export (``bench export --format hf``): ``data`` arrives as
        the JSON text it is stored as there (a dict is taken as is); the extra columns (split, seen) are ignored."""
        data = row.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                raise ValueError("instance row's 'data' column is not JSON text") from None
        if data is not None and not isinstance(data, Mapping):
            raise ValueError("instance row's 'data' must be a JSON object")
        return cls.from_dict({**row, "data": data})


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one reply.

    ``reason`` starts with one of "ok", "no <<<answer>>> found", "malformed:", "violates:" or "wrong:" so
    results can be counted per reason. ``score`` is 1.0 for correct answers and partial credit only where a task
    defines it. ``info`` carries task-specific facts (plan length, boxes lifted, ...).
    """

    correct: bool
    score: float
    reason: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The reason's category, for per-reason counts."""
        for k in ("ok", "no <<<answer>>> found", "malformed", "violates", "wrong", "error"):
            if self.reason.startswith(k):
                return k
        return "other"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Verdict:
        return cls(bool(d["correct"]), float(d["score"]), str(d["reason"]), dict(d.get("info") or {}))


def ok(**info: Any) -> Verdict:
    return Verdict(True, 1.0, "ok", dict(info))


def malformed(msg: str, **info: Any) -> Verdict:
    return Verdict(False, 0.0, f"malformed: {msg}", dict(info))


def violates(msg: str, score: float = 0.0, **info: Any) -> Verdict:
    return Verdict(False, max(0.0, min(1.0, score)), f"violates: {msg}", dict(info))


def wrong(msg: str, score: float = 0.0, **info: Any) -> Verdict:
    return Verdict(False, max(0.0, min(1.0, score)), f"wrong: {msg}", dict(info))


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


NO_ANSWER = Verdict(False, 0.0, "no <<<answer>>> found")
