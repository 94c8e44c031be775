"""A manifest is checked whole before the first model call; every bad line is named (issue 18, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.errors import CodesteerError
from codesteer.eval import read_manifest
from tests.conftest import cli


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def _bad_manifest(tmp_path: Path) -> Path:
    a, b, c = (i.to_dict() for i in symbench.generate("number_multiply", 3, seed=7))
    return _write(tmp_path / "m.jsonl", [
        a,                                                  # 1 fine
        {**b, "task": "no_such_task"},                      # 2 unknown task
        {**a, "question": "a different question"},          # 3 duplicate id, other content
        {**c, "data": None},                                # 4 data null
        "{not json",                                        # 5
        {**c, "id": "x-1", "data": {"product": 1}},          # 6 data that its own answer does not pass
        {"task": "number_multiply", "id": "x-2"},           # 7 missing fields
        a,                                                  # 8 exact repeat: dropped, not an error
        {**c, "id": "x-3", "complexity": "high"},           # 9 complexity
    ])


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CodesteerError) as err:
        read_manifest(_bad_manifest(tmp_path))
    msg = str(err.value)
    assert "7 bad lines" in msg, msg
    for needle in ["line 2: unknown task 'no_such_task'", "line 3: id", "line 1", "line 4: data must be a JSON object",
                   "line 5: invalid JSON", "line 6:", "line 7: lacks", "line 9: complexity"]:
        assert needle in msg, (needle, msg)
    assert "line 8" not in msg


def test_good_manifest_reads_and_drops_exact_repeats(tmp_path: Path) -> None:
    insts = symbench.generate("number_multiply", 3, seed=7) + symbench.generate("letters", 2, seed=1)
    path = _write(tmp_path / "m.jsonl", [i.to_dict() for i in insts] + [insts[0].to_dict()])
    assert read_manifest(path) == insts


def test_run_refuses_bad_manifest_before_any_model_call(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"default": "<<<1>>>"}))
    p = cli("run", "--manifest", str(_bad_manifest(tmp_path)), "--methods", "only_question",
            "--task-model", f"scripted/{script}", "--out", str(tmp_path / "run"), "--no-report")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr and "line 2: unknown task" in p.stderr and "line 4:" in p.stderr
    assert not (tmp_path / "run" / "results.sqlite").exists() and not calls.exists()


def test_library_run_refuses_unknown_task_before_calling_a_model(tmp_path: Path) -> None:
    import asyncio
    import dataclasses

    from codesteer.eval import RunConfig, RunStore, run_eval
    from codesteer.models import ScriptedModel
    from codesteer.steer import Models

    inst = dataclasses.replace(symbench.generate("number_multiply", 1, seed=1)[0], task="no_such_task")
    model = ScriptedModel(default="<<<1>>>")
    with RunStore(tmp_path) as store, pytest.raises(ValueError, match="unknown task"):
        asyncio.run(run_eval([inst], ["only_question"], RunConfig(task_model="scripted:x"), Models(task=model),
                             None, store))  # type: ignore[arg-type]
    assert model.calls == []
