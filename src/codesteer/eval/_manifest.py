"""Manifests: the exact instance list every method and model of a run is measured on."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codesteer.errors import CodesteerError, did_you_mean
from codesteer.symbench import Instance, generate, get_task, load_reference, select_tasks, verify
from codesteer.symbench._api import COMPLEXITIES


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
            with contextlib.closing(load_reference(reference, name)) as found:  # closed now: its skips are reported now
                out.extend(itertools.islice(found, n))
            continue
        if not complexity:
            out.extend(generate(name, n, seed=seed))
            continue
        # round-robin over the requested levels so any n covers them evenly
        per_level = {c: (n + len(complexity) - 1 - i) // len(complexity) for i, c in enumerate(complexity)}
        for c, k in per_level.items():
            out.extend(generate(name, k, seed=seed, complexity=c))
    return out


MAX_REPORTED = 50  # bad lines listed in one error; the rest are counted


def _problem(rec: Any) -> str | None:
    """Why one manifest record cannot be run, or None: checked before any model is paid to answer it."""
    if not isinstance(rec, dict):
        return "expected a JSON object"
    missing = sorted({"task", "id", "question", "answer"} - set(rec))
    if missing:
        return f"lacks {', '.join(missing)}"
    for key in ("task", "id", "question"):
        if not isinstance(rec[key], str) or not rec[key].strip():
            return f"{key} must be a non-empty string, got {rec[key]!r:.60}"
    if not isinstance(rec["answer"], str | int):
        return f"answer must be a string, got {type(rec['answer']).__name__}"
    if "data" in rec and not isinstance(rec["data"], dict):
        return f"data must be a JSON object, got {json.dumps(rec['data'])[:60]}"
    c = rec.get("complexity")
    if c is not None and (isinstance(c, bool) or c not in COMPLEXITIES):
        return f"complexity must be 1..5 or null, got {c!r:.60}"
    if rec.get("seed") is not None and (isinstance(rec["seed"], bool) or not isinstance(rec["seed"], int)):
        return f"seed must be an integer or null, got {rec['seed']!r:.60}"
    try:
        get_task(rec["task"])
    except ValueError:
        return f"unknown task {rec['task']!r:.60}"
    inst = Instance.from_dict(rec)
    v = verify(inst, f"<<<{inst.answer}>>>")
    if not v.correct:  # the data a verifier needs is missing or does not match the question's answer
        return f"its own answer does not pass the {inst.task} verifier ({v.reason[:100]}); data missing or damaged"
    return None


def read_manifest(path: str | Path) -> list[Instance]:
    """The instances of a manifest file, each checked; every bad line is reported at once, before any work.

    A line repeated exactly is read once (it would otherwise be solved, and paid for, twice); an id reused with
    other content is an error, since results are keyed by id.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CodesteerError(f"cannot read manifest {p}: {getattr(exc, 'strerror', None) or exc}") from None
    out: list[Instance] = []
    seen: dict[str, tuple[int, Instance]] = {}
    bad: list[str] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            bad.append(f"line {lineno}: invalid JSON ({getattr(exc, 'msg', exc)})")
            continue
        why = _problem(rec)
        if why:
            bad.append(f"line {lineno}: {why}")
            continue
        inst = Instance.from_dict(rec)
        if inst.id in seen:
            first, other = seen[inst.id]
            if other != inst:
                bad.append(f"line {lineno}: id {inst.id!r:.60} already used on line {first} by a different instance")
            continue
        seen[inst.id] = (lineno, inst)
        out.append(inst)
    if bad:
        more = f"\n  ... and {len(bad) - MAX_REPORTED} more" if len(bad) > MAX_REPORTED else ""
        raise CodesteerError(f"manifest {p} has {len(bad)} bad line{'s' if len(bad) > 1 else ''}:\n  "
                             + "\n  ".join(bad[:MAX_REPORTED]) + more)
    if not out:
        raise CodesteerError(f"manifest {p} holds no instances")
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
