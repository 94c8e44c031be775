"""Reading and writing instance files (JSONL, one ``Instance.to_dict()`` per line) and exports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from codesteer._files import atomic_writer, json_objects
from codesteer.errors import did_you_mean
from codesteer.symbench._api import generate, tasks
from codesteer.symbench._types import Instance


def write_jsonl(instances: Iterable[Instance], path: str | Path) -> int:
    """Write atomically (temp file + rename) so a crash never leaves half a file; returns the count."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with atomic_writer(p) as f:
        for inst in instances:
            f.write(inst.to_json() + "\n")
            n += 1
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


def _records(path: str | Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"file not found: {p}")
    return json_objects(p)


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
        raise ValueError(f"unknown export format {fmt!r}{did_you_mean(fmt, ('jsonl', 'hf'))}; valid: jsonl, hf")
    out = Path(out_dir)
    names = select_tasks(task_spec)
    per_task = {name: generate(name, n, seed=seed) for name in names}
    if fmt == "jsonl":
        for name, insts in per_task.items():
            write_jsonl(insts, out / f"{name}.jsonl")
        return out
    import datasets

    seen = {t.name: t.seen for t in tasks()}

    def rows(insts: list[Instance]) -> dict[str, list[Any]]:
        return {
            "id": [i.id for i in insts],
            "task": [i.task for i in insts],
            "split": ["seen" if seen.get(i.task, True) else "unseen" for i in insts],
            "seen": [seen.get(i.task, True) for i in insts],
            "seed": [i.seed for i in insts],
            "complexity": [i.complexity for i in insts],
            "question": [i.question for i in insts],
            "answer": [i.answer for i in insts],
            # task data differ in shape, so they travel as JSON text
            "data": [json.dumps(i.data, sort_keys=True) for i in insts],
        }

    dd = datasets.DatasetDict({name: datasets.Dataset.from_dict(rows(insts)) for name, insts in per_task.items()})
    out.mkdir(parents=True, exist_ok=True)
    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # one bar per split is noise: the caller prints one line
    try:
        dd.save_to_disk(str(out))
    finally:
        if was_enabled:
            datasets.enable_progress_bars()
    (out / "README.md").write_text(dataset_card(per_task, seen, n=n, seed=seed), encoding="utf-8")
    return out


def dataset_card(per_task: Mapping[str, list[Instance]], seen: Mapping[str, bool], *, n: int, seed: int) -> str:
    """The README.md of an exported data set: what it is, its fields, how to verify an answer, where it comes from."""
    total = sum(len(v) for v in per_task.values())
    lines = [
        "---",
        "license: apache-2.0",
        "task_categories:",
        "- question-answering",
        "tags:",
        "- symbolic-reasoning",
        "- code-generation",
        "- symbench",
        "---",
        "",
        "# SymBench (codesteer export)",
        "",
        f"{total} seeded instances of {len(per_task)} SymBench tasks ({n} per task, seed {seed}), generated by "
        "codesteer's procedural generators. SymBench is the benchmark of *CodeSteer: Symbolic-Augmented Language "
        "Models via Code/Text Guidance* (ICML 2025): symbolic problems (planning, arithmetic puzzles, string "
        "manipulation, logic, constraint satisfaction) where a model has to choose between reasoning in text and "
        "writing code. The same seed gives the same instances on every machine.",
        "",
        "Each task is one split of the `DatasetDict` (load it with `datasets.load_from_disk(path)`).",
        "",
        "## Fields",
        "",
        "| field | type | meaning |",
        "|---|---|---|",
        "| `id` | string | unique instance id (`<task>-<seed>-<index>`) |",
        "| `task` | string | SymBench task name |",
        "| `split` | string | `seen` (the paper's 28 training-domain tasks) or `unseen` (its 9 held-out tasks) |",
        "| `seen` | bool | the same as a boolean |",
        "| `seed` | int | generator seed |",
        "| `complexity` | int | difficulty level 1..5 |",
        "| `question` | string | the prompt, with the rules and the answer format stated exactly |",
        "| `answer` | string | one correct answer, as a model would write it between `<<<` and `>>>` |",
        "| `data` | string | **JSON text** of the task's own data (shapes differ per task); the verifier reads it |",
        "",
        "Several tasks accept more than one correct answer, so compare through the verifier, not with `answer`.",
        "",
        "## Verifying an answer",
        "",
        "The verifiers are deterministic and never call a model. A reply is scored by the last `<<<...>>>` in it:",
        "",
        "```python",
        "import datasets",
        "from codesteer.symbench import Instance, verify",
        "",
        'dd = datasets.load_from_disk("path/to/export")',
        f'row = dd["{next(iter(per_task), "game24")}"][0]',
        'verdict = verify(row, "... <<<your answer>>>")   # a dataset row is accepted as is',
        "print(verdict.correct, verdict.score, verdict.reason)",
        "instance = Instance.from_row(row)             # or turn the row into an Instance first",
        "```",
        "",
        "## Tasks",
        "",
        "| task | split | instances |",
        "|---|---|---:|",
        *[f"| {name} | {'seen' if seen.get(name, True) else 'unseen'} | {len(insts)} |" for name, insts in per_task.items()],
        "",
        "## Citation",
        "",
        "```bibtex",
        "@inproceedings{chen2025codesteer,",
        "  title     = {CodeSteer: Symbolic-Augmented Language Models via Code/Text Guidance},",
        "  author    = {Chen, Yongchao and Hao, Yilun and Liu, Yueying and Zhang, Yang and Fan, Chuchu},",
        "  booktitle = {Proceedings of the 42nd International Conference on Machine Learning (ICML)},",
        "  year      = {2025},",
        "  note      = {arXiv:2502.04350}",
        "}",
        "```",
        "",
        "## License",
        "",
        "Apache-2.0, as codesteer. The instances are generated; the seven tasks the paper took from public data sets",
        "(BIG-Bench-Hard, GSM-Hard, MATH) are produced here by codesteer's own generators, not copied from them.",
        "",
    ]
    return "\n".join(lines)
