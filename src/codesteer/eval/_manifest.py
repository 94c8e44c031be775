"""Manifests: the exact instance list every method and model of a run is measured on."""

from __future__ import annotations

import itertools
from pathlib import Path

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
