"""Shared pieces of data synthesis: instance selection, train/test disjointness, file writing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer._files import atomic_writer, write_text_atomic
from codesteer.errors import CodesteerError
from codesteer.runs import guide_key
from codesteer.steer import SteerOptions
from codesteer.symbench import Instance, read_jsonl

# Synthesis draws instances from a different seed than evaluation (whose default seed is 0), so the two never
# share generated instances unless a user asks for it.
DEFAULT_SYNTH_SEED = 1000


@dataclass(frozen=True)
class GuideSampling:
    """How synthesis runs the loop and samples its guide: the options SFT and DPO synthesis share, turned into
    the loop's ``SteerOptions`` and into the part of a stored record's key they make."""

    guide_temperature: float = 1.0
    guide_view: str = "full"
    max_rounds: int = 5
    guide_protocol: str = "codesteer"
    reference_prompts: str | None = None
    guide_top_p: float | None = None
    guide_top_k: int | None = None
    guide_max_tokens: int | None = None
    guide_template: str = "auto"

    def steer_options(self, seed: int | None = None) -> SteerOptions:
        extra: dict[str, Any] = {} if self.guide_max_tokens is None else {"guide_max_tokens": self.guide_max_tokens}
        return SteerOptions(max_rounds=self.max_rounds, guide_temperature=self.guide_temperature,
                            guide_view=self.guide_view, seed=seed, guide_protocol=self.guide_protocol,
                            reference_prompts=self.reference_prompts, guide_top_p=self.guide_top_p,
                            guide_top_k=self.guide_top_k, guide_template=self.guide_template, **extra)

    def sampling_key(self, **fixed: Any) -> dict[str, Any]:
        """``fixed`` (in order), then the options added later, each only when set, so records stored before
        an option existed keep their key and still resume."""
        return {**fixed, **guide_key(self.guide_protocol, self.reference_prompts, self.guide_template,
                                     guide_top_p=self.guide_top_p, guide_top_k=self.guide_top_k,
                                     guide_max_tokens=self.guide_max_tokens)}


def normalise_question(text: str) -> str:
    """Questions compared for overlap ignore case and whitespace, so a reformatted copy still counts."""
    return re.sub(r"\s+", " ", text).strip().lower()


def check_disjoint(
    instances: Sequence[Instance], exclude: str | Path | None, *, drop: bool = False
) -> tuple[list[Instance], dict[str, Any]]:
    """Keep training data apart from an evaluation manifest: same id or same question text is an overlap.

    An overlap is refused with a message naming the clashes, unless ``drop`` asks to leave those instances out.
    Returns the instances to use and a report for the run's metadata.
    """
    report: dict[str, Any] = {"exclude_manifest": str(exclude) if exclude else None, "checked": bool(exclude),
                              "overlap_ids": [], "overlap_questions": [], "dropped": 0}
    if not exclude:
        return list(instances), report
    path = Path(exclude).expanduser()
    if not path.is_file():
        raise CodesteerError(f"--exclude-manifest {path}: no such file")
    held = read_jsonl(path)
    ids = {i.id for i in held}
    questions = {normalise_question(i.question) for i in held}
    by_id = [i.id for i in instances if i.id in ids]
    by_q = [i.id for i in instances if i.id not in ids and normalise_question(i.question) in questions]
    report["overlap_ids"], report["overlap_questions"] = by_id, by_q
    clash = set(by_id) | set(by_q)
    if clash and not drop:
        parts = []
        if by_id:
            parts.append(f"{len(by_id)} by instance id (e.g. {', '.join(by_id[:3])})")
        if by_q:
            parts.append(f"{len(by_q)} by question text (e.g. {', '.join(by_q[:3])})")
        raise CodesteerError(
            f"{len(clash)} synthesis instance(s) also appear in the evaluation manifest {path}: {'; '.join(parts)}. "
            "Training on test questions would inflate the evaluation; use another --seed, another manifest, "
            "or --drop-overlap to leave them out."
        )
    kept = [i for i in instances if i.id not in clash]
    report["dropped"] = len(instances) - len(kept)
    return kept, report


def digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def write_json(path: Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_writer(path) as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def sharegpt(messages: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Chat messages as LLaMA-Factory's sharegpt turns (human/gpt/system)."""
    names = {"user": "human", "assistant": "gpt", "system": "system"}
    return [{"from": names[m["role"]], "value": m["content"]} for m in messages]


def dataset_info(entries: dict[str, dict[str, Any]], out: Path) -> None:
    """Merge ``entries`` into ``out/dataset_info.json`` (LLaMA-Factory's dataset registry), keeping others."""
    path = out / "dataset_info.json"
    current: dict[str, Any] = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            current = {}
    current.update(entries)
    write_json(path, current)
