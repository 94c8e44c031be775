"""Reading and writing instance files (JSONL, one ``Instance.to_dict()`` per line) and exports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from codesteer.errors import did_you_mean
from codesteer.symbench._api import generate, tasks
from codesteer.symbench._types import Instance


def write_jsonl(instances: Iterable[Instance], path: str | Path) -> int:
    """Write atomically (temp file + rename) so a crash never leaves half a file; returns the count."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as f:
        for inst in instances:
            f.write(inst.to_json() + "\n")
            n += 1
    tmp.replace(p)
    return n


def read_jsonl(path: str | Path) -> list[Instance]:
    """Instances from a JSONL file; a bad line is a ValueError naming the file and line."""
    out: list[Instance] = []
    for lineno, rec in _records(path):
        try:
            out.append(Instance.from_dict(rec))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{lineno}: not an instance record ({exc})") from None
    return out


def read_responses(path: str | Path) -> dict[str, str]:
    """Replies keyed by instance id from lines ``{"id": ..., "response": ...}``."""
    out: dict[str, str] = {}
    for lineno, rec in _records(path):
        key = rec.get("id", rec.get("instance_id"))
        resp = rec.get("response", rec.get("output"))
        if key is None or resp is None:
            raise ValueError(f"{path}:{lineno}: expected keys 'id' and 'response'")
        out[str(key)] = str(resp)
    return out


def _records(path: str | Path) -> Iterable[tuple[int, Mapping[str, Any]]]:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"file not found: {p}")
    with p.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{p}:{lineno}: invalid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{p}:{lineno}: expected a JSON object")
            yield lineno, rec


def select_tasks(spec: str) -> list[str]:
    """``all``, ``seen``, ``unseen`` or a comma list of names (validated)."""
    infos = tasks()
    names = [t.name for t in infos]
    s = spec.strip()
    if s == "all":
        return names
    if s == "seen":
        return [t.name for t in infos if t.seen]
    if s == "unseen":
        return [t.name for t in infos if not t.seen]
    chosen = [x.strip() for x in s.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in names]
    if unknown or not chosen:
        hint = did_you_mean(unknown[0], [*names, "all", "seen", "unseen"]) if len(unknown) == 1 else ""
        raise ValueError(
            f"unknown task(s) {', '.join(unknown) or '(none given)'}{hint}; use all, seen, unseen or names from: "
            + ", ".join(sorted(names))
        )
    return chosen


def export(out_dir: str | Path, *, task_spec: str = "all", n: int = 100, seed: int = 0, fmt: str = "jsonl") -> Path:
    """Generate ``n`` instances per task and write them as JSONL files or a Hugging Face ``DatasetDict``."""
    if fmt not in ("jsonl", "hf"):
        raise ValueError(f"unknown export format {fmt!r}; valid: jsonl, hf")
    out = Path(out_dir)
    names = select_tasks(task_spec)
    per_task = {name: generate(name, n, seed=seed) for name in names}
    if fmt == "jsonl":
        for name, insts in per_task.items():
            write_jsonl(insts, out / f"{name}.jsonl")
        return out
    import datasets

    def rows(insts: list[Instance]) -> dict[str, list[Any]]:
        return {
            "id": [i.id for i in insts],
            "task": [i.task for i in insts],
            "seed": [i.seed for i in insts],
            "complexity": [i.complexity for i in insts],
            "question": [i.question for i in insts],
            "answer": [i.answer for i in insts],
            # task data differ in shape, so they travel as JSON text
            "data": [json.dumps(i.data, sort_keys=True) for i in insts],
        }

    dd = datasets.DatasetDict({name: datasets.Dataset.from_dict(rows(insts)) for name, insts in per_task.items()})
    out.mkdir(parents=True, exist_ok=True)
    dd.save_to_disk(str(out))
    return out
