"""The public SymBench functions: list, generate, verify, load the paper's files."""

from __future__ import annotations

import hashlib
import json
import random
import warnings
from collections import Counter
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.errors import did_you_mean
from codesteer.symbench._parse import ParseError, extract_answer
from codesteer.symbench._samples import _skipped
from codesteer.symbench._task import get_task, registry
from codesteer.symbench._types import NO_ANSWER, Instance, TaskInfo, Verdict, malformed

COMPLEXITIES = (1, 2, 3, 4, 5)


def tasks() -> list[TaskInfo]:
    """Every registered task, seen ones first, then by name."""
    return sorted((t.info() for t in registry().values()), key=lambda i: (not i.seen, i.name))


def resolve_config(name: str, complexity: int, knobs: dict[str, Any]) -> dict[str, Any]:
    """Defaults, then the complexity preset, then explicit knobs: validated, typed."""
    task = get_task(name)
    by_name = {k.name: k for k in task.knobs}
    unknown = sorted(set(knobs) - set(by_name))
    if unknown:
        valid = ", ".join(sorted(by_name)) or "(none)"
        hint = did_you_mean(unknown[0], by_name) if len(unknown) == 1 else ""
        raise ValueError(f"unknown knob(s) {', '.join(unknown)}{hint} for task '{name}'; valid knobs: {valid}")
    cfg = {k.name: k.default for k in task.knobs}
    cfg.update(task.presets[complexity])
    cfg.update({k: by_name[k].coerce(v, name) for k, v in knobs.items()})
    task.validate(cfg)
    return cfg


def _check_complexity(complexity: Any) -> None:
    if complexity is not None and (isinstance(complexity, bool) or complexity not in COMPLEXITIES):
        raise ValueError(f"complexity must be one of 1, 2, 3, 4, 5 (or None to spread), got {complexity!r}")


def instance_id(name: str, seed: int, index: int, complexity: int, knobs: dict[str, Any]) -> str:
    """Stable id; it is also the per-instance RNG seed, so equal ids always mean equal instances."""
    base = f"{name}-s{seed}-c{complexity}-{index:04d}"
    if knobs:
        digest = hashlib.sha256(json.dumps(knobs, sort_keys=True, default=str).encode()).hexdigest()[:8]
        base += f"-k{digest}"
    return base


def generate(name: str, n: int, *, seed: int, complexity: int | None = None, **knobs: Any) -> list[Instance]:
    """``n`` instances of a task; pure and deterministic.

    With ``complexity=None`` instance ``i`` gets level ``1 + i % 5``, so a shorter list is a prefix of a longer
    one. Instance ``i`` is drawn from ``random.Random(<its id>)``: independent of ``n`` and of other instances.
    """
    task = get_task(name)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    _check_complexity(complexity)
    typed_knobs = {k: v for k, v in sorted(knobs.items())}
    cfgs = {c: resolve_config(name, c, typed_knobs) for c in ([complexity] if complexity else COMPLEXITIES)}
    # ids hash the *typed* knob values so "3" from the CLI and 3 from Python give the same instance
    typed = {k: cfgs[next(iter(cfgs))][k] for k in typed_knobs}
    out: list[Instance] = []
    for i in range(n):
        level = complexity or COMPLEXITIES[i % 5]
        iid = instance_id(name, seed, i, level, typed)
        draft = task.generate(random.Random(iid), cfgs[level])
        data = json.loads(json.dumps(draft.data))
        out.append(Instance(name, iid, seed, level, draft.question, draft.answer, data))
    return out


def verify(instance: Instance | Mapping[str, Any], response: str) -> Verdict:
    """Score a whole model reply: the answer is its last ``<<<...>>>``. Never raises, never calls a model.

    ``instance`` may also be a row of the Hugging Face export (see ``Instance.from_row``).
    """
    try:
        if not isinstance(instance, Instance):
            instance = Instance.from_row(instance)
        task = get_task(instance.task)
    except (ValueError, TypeError, AttributeError) as exc:
        return Verdict(False, 0.0, f"error: {exc}")
    answer = extract_answer(response if isinstance(response, str) else "")
    if answer is None:
        return NO_ANSWER
    if "\x00" in answer:
        return malformed("NUL byte in answer")
    if len(answer) > task.max_answer_chars:
        return malformed(f"answer too long ({len(answer)} characters)")
    try:
        verdict = task.check(instance.data, answer)
    except (ParseError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
        return malformed(str(exc) or type(exc).__name__)
    except (RecursionError, MemoryError):
        return malformed("answer nested too deeply or too large")
    score = min(1.0, max(0.0, float(verdict.score)))
    if score != verdict.score:
        verdict = Verdict(verdict.correct, score, verdict.reason, verdict.info)
    return verdict


class ReferenceWarning(UserWarning):
    """Published instances were left out by ``load_reference`` (the message gives the count and the reasons)."""


@dataclass
class ReferenceLoad:
    """How one task's published instances were read: how many became instances, and why the others did not."""

    task: str
    loaded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)

    def reasons(self) -> Counter[str]:
        return Counter(reason for _, reason in self.skipped)

    def summary(self) -> str:
        return "; ".join(f"{n} {reason}" for reason, n in self.reasons().most_common())


def load_reference(path: str | Path, task: str | None = None) -> Generator[Instance, None, None]:
    """Instances from the paper's ``dataset_gather/`` layout (or the public BBH/GSM-Hard/MATH files).

    Each task rebuilds its ``data`` from the stored question text. Where the stored label is wrong the
    recomputed truth becomes ``answer`` and ``data["reference"]`` records the disagreement. A published instance
    that cannot be used (no valid solution as stated, an unreadable file) is never dropped silently: one
    ``ReferenceWarning`` per task gives the count and the reasons (``reference_summary`` returns them).
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"reference data folder not found: {root}")
    names = [task] if task is not None else sorted(registry())
    for name in names:
        stats = ReferenceLoad(name)
        try:
            yield from _load_task(root, name, stats)
        finally:  # also when the caller stops early (islice): what was passed over so far is reported
            if stats.skipped:
                warnings.warn(f"{name}: {len(stats.skipped)} published instance(s) skipped ({stats.summary()})",
                              ReferenceWarning, stacklevel=2)


def reference_summary(path: str | Path, task_names: list[str] | None = None) -> list[ReferenceLoad]:
    """Per task: published instances loaded and skipped (with reasons), reading each task's files once."""
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"reference data folder not found: {root}")
    out = []
    for name in task_names or sorted(registry()):
        stats = ReferenceLoad(name)
        for _ in _load_task(root, name, stats):
            pass
        out.append(stats)
    return out


def _load_task(root: Path, name: str, stats: ReferenceLoad) -> Iterator[Instance]:
    t = get_task(name)
    items = iter(t.load_reference(root))
    while True:
        token = _skipped.set(stats.skipped)  # set around each step: the loader runs only inside next()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            _skipped.reset(token)
        stats.loaded += 1
        data = dict(item.data)
        data["reference"] = {
            "source": item.source,
            "stored_label": item.stored_label,
            "label_agrees": item.label_note is None,
            "note": item.label_note,
        }
        data = json.loads(json.dumps(data, default=str))
        yield Instance(
            task=name,
            id=f"ref-{name}-{item.source}",
            seed=None,
            complexity=item.complexity,
            question=item.question,
            answer=item.answer,
            data=data,
        )
