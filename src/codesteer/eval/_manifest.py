"""Manifests: the exact instance list every method and model of a run is measured on."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from codesteer.errors import did_you_mean
from codesteer.symbench import Instance, generate, load_reference, select_tasks


def create_manifest(
    task_spec: str = "all",
    n: int = 5,
    seed: int = 0,
    *,
    complexity: list[int] | None = None,
    reference: str | Path | None = None,
) -> list[Instance]:
    """``n`` instances per task: generated (spread over ``complexity`` levels, default 1..5) or, with
    ``reference``, the first ``n`` published instances of each task found under that folder."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    names = select_tasks(task_spec)
    out: list[Instance] = []
    for name in names:
        if reference is not None:
            out.extend(itertools.islice(load_reference(reference, name), n))
            continue
        if not complexity:
            out.extend(generate(name, n, seed=seed))
            continue
        # round-robin over the requested levels so any n covers them evenly
        per_level = {c: (n + len(complexity) - 1 - i) // len(complexity) for i, c in enumerate(complexity)}
        for c, k in per_level.items():
            out.extend(generate(name, k, seed=seed, complexity=c))
    return out


def select_instances(instances: Sequence[Instance], *, limit: int | None = None,
                     ids: Sequence[str] | None = None) -> list[Instance]:
    """The part of a manifest to run: the given ``ids`` (in manifest order), then the first ``limit`` per task.

    Selecting never renames or regenerates instances, so a run on a subset stores rows that a later run on the
    whole manifest resumes from.
    """
    out = list(instances)
    if ids:
        known = {i.id for i in out}
        missing = [x for x in ids if x not in known]
        if missing:
            raise ValueError(f"no instance {missing[0]!r} in the manifest{did_you_mean(missing[0], known)}"
                             + (f" (and {len(missing) - 1} more unknown)" if len(missing) > 1 else ""))
        wanted = set(ids)
        out = [i for i in out if i.id in wanted]
    if limit is not None:
        if limit < 1:
            raise ValueError(f"--limit must be >= 1, got {limit}")
        per_task: dict[str, int] = {}
        kept = []
        for inst in out:
            per_task[inst.task] = per_task.get(inst.task, 0) + 1
            if per_task[inst.task] <= limit:
                kept.append(inst)
        out = kept
    return out
