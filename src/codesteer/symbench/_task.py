"""The task contract and the registry.

A task is one module under ``symbench/suite/`` holding a ``Task`` subclass decorated with ``@register``: its
knobs and complexity presets, a seeded generator, a verifier and, where the paper published instances, a
reader for them. Everything else (ids, seeding, knob validation, answer extraction, never-raise guarantees)
lives once in ``_api.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from codesteer.errors import did_you_mean
from codesteer.symbench._types import Knob, TaskInfo, Verdict


@dataclass(frozen=True)
class Draft:
    """What a generator returns for one instance; the API adds task, id, seed and complexity."""

    question: str
    answer: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefItem:
    """One instance read from the paper's published files.

    ``source`` is the path relative to the data root (it becomes part of the id). ``label_note`` is set when
    the stored label disagrees with the truth recomputed from the question; the recomputed truth is ``answer``.
    """

    source: str
    question: str
    answer: str
    data: dict[str, Any]
    complexity: int | None = None
    stored_label: Any = None
    label_note: str | None = None


class Task:
    """Base class of every SymBench task.

    Subclasses set the class attributes and implement ``generate`` and ``check``. ``check`` receives the text
    found between the last ``<<<`` and ``>>>`` of a reply; it may raise ``ValueError`` (reported as malformed)
    but must never evaluate the text as code.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    seen: ClassVar[bool]
    description: ClassVar[str]
    knobs: ClassVar[tuple[Knob, ...]] = ()
    presets: ClassVar[Mapping[int, Mapping[str, Any]]] = {}
    # folder names (relative to the data root) that ``load_reference`` reads
    reference_dirs: ClassVar[tuple[str, ...]] = ()
    # replies longer than this between <<< and >>> are rejected before parsing
    max_answer_chars: ClassVar[int] = 20_000

    def validate(self, cfg: Mapping[str, Any]) -> None:
        """Check constraints between knobs (e.g. min <= max); raise ValueError with a clear message."""

    def generate(self, rng: random.Random, cfg: Mapping[str, Any]) -> Draft:
        raise NotImplementedError

    def check(self, data: Mapping[str, Any], answer: str) -> Verdict:
        raise NotImplementedError

    def load_reference(self, root: Path) -> Iterator[RefItem]:
        """Yield the published instances found under ``root``; the default task has none."""
        return iter(())

    @classmethod
    def info(cls) -> TaskInfo:
        return TaskInfo(
            name=cls.name,
            title=cls.title,
            seen=cls.seen,
            description=cls.description,
            knobs={k.name: k for k in cls.knobs},
            presets={c: dict(p) for c, p in sorted(cls.presets.items())},
        )


_REGISTRY: dict[str, Task] = {}
_LOADED = False


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: add a task to the registry under ``cls.name``."""
    for attr in ("name", "title", "seen", "description"):
        if not hasattr(cls, attr):
            raise TypeError(f"task class {cls.__name__} lacks '{attr}'")
    if sorted(cls.presets) != [1, 2, 3, 4, 5]:
        raise TypeError(f"task {cls.name}: presets must cover complexity 1..5 exactly")
    names = {k.name for k in cls.knobs}
    reserved = names & {"n", "seed", "complexity", "name"}
    if reserved:
        raise TypeError(f"task {cls.name}: knob names {sorted(reserved)} clash with generate()'s parameters")
    for level, preset in cls.presets.items():
        extra = set(preset) - names
        if extra:
            raise TypeError(f"task {cls.name}: preset {level} sets unknown knobs {sorted(extra)}")
    if cls.name in _REGISTRY and type(_REGISTRY[cls.name]) is not cls:
        raise TypeError(f"task name {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    import importlib
    import pkgutil

    from codesteer.symbench import suite as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}")
    _LOADED = True


def registry() -> dict[str, Task]:
    _load_all()
    return _REGISTRY


def get_task(name: str) -> Task:
    """The task object for ``name``; ValueError lists the valid names."""
    reg = registry()
    try:
        return reg[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown task {name!r}{did_you_mean(name, reg)}; valid tasks: {', '.join(sorted(reg))}") from None
