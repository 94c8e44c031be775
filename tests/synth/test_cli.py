"""``codesteer synth`` and ``codesteer train`` through the real entry point: wiring, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer import symbench
from tests.conftest import run_main
from tests.synth.helpers import code_reply


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    inst = symbench.generate("number_multiply", 1, seed=1000, complexity=1)[0]
    symbench.write_jsonl([inst], tmp_path / "train.jsonl")
    (tmp_path / "guide.json").write_text(json.dumps({"replies": ["<<<Code>>>", "<<<Return Answer>>>"]}))
    (tmp_path / "task.json").write_text(json.dumps({"default": code_reply(inst)}))
    (tmp_path / "checker.json").write_text(json.dumps({"default": "```python\nprint('Correct')\n```"}))
    return {"dir": tmp_path, "manifest": tmp_path / "train.jsonl"}


def _models(d: Path) -> list[str]:
    return ["--guide-model", f"scripted/{d / 'guide.json'}", "--task-model", f"scripted/{d / 'task.json'}",
            "--checker-model", f"scripted/{d / 'checker.json'}", "--concurrency", "1"]


def test_synth_sft_cli(setup, capsys) -> None:
    d = setup["dir"]
    code, out, err = run_main(["synth", "sft", "--out", str(d / "out"), "--manifest", str(setup["manifest"]), *_models(d)], capsys)
    assert code == 0, err
    assert "1 SFT conversations" in out
    rec = json.loads((d / "out" / "sft.jsonl").read_text().splitlines()[0])
    assert [m["content"] for m in rec["messages"][1::2]] == ["<<<Code>>>", "<<<Return Answer>>>"]


def test_synth_refuses_overlap_with_the_evaluation_manifest(setup, capsys) -> None:
    d = setup["dir"]
    code, _, err = run_main(["synth", "sft", "--out", str(d / "out"), "--manifest", str(setup["manifest"]),
                        "--exclude-manifest", str(setup["manifest"]), *_models(d)], capsys)
    assert code == 2 and "also appear in the evaluation manifest" in err and "Traceback" not in err
    assert not (d / "out" / "sft.jsonl").exists()


def test_train_errors_are_one_line(tmp_path, capsys) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "config.json").write_text("{}")
    code, _, err = run_main(["train", "sft", "--base", str(tmp_path / "base"), "--data", str(tmp_path), "--out",
                        str(tmp_path / "o")], capsys)
    assert code == 2 and "no training data" in err
    (tmp_path / "sft.jsonl").write_text('{"messages": []}\n')
    code, _, err = run_main(["train", "sft", "--base", str(tmp_path / "nope"), "--data", str(tmp_path), "--out",
                        str(tmp_path / "o")], capsys)
    assert code == 2 and "not a model folder" in err
    code, out, _ = run_main(["train", "configs", "--path", "deepspeed_zero3.yaml"], capsys)
    assert code == 0 and Path(out.strip()).is_file()
    code, _, err = run_main(["train", "configs", "--path", "nope.yaml"], capsys)
    assert code == 2 and "fsdp.yaml" in err


def test_synth_with_no_examples_fails_with_the_reason(setup, capsys) -> None:
    d = setup["dir"]
    (d / "task.json").write_text(json.dumps({"default": "<<<0>>>"}))  # always wrong
    code, out, err = run_main(["synth", "sft", "--out", str(d / "out"), "--manifest", str(setup["manifest"]), *_models(d)],
                         capsys)
    assert code == 2 and "Traceback" not in err
    assert "synth sft produced no examples: 0 correct trajectories out of 1 samples" in err
    assert "stronger task or guide model" in err


def test_synth_records_the_manifest_it_used(setup, capsys) -> None:
    from codesteer.eval import RunStore

    d = setup["dir"]
    code, _, err = run_main(["synth", "sft", "--out", str(d / "out"), "--tasks", "number_multiply", "-n", "1",
                        "--seed", "1000", *_models(d)], capsys)
    assert code in (0, 2), err
    with RunStore(d / "out", create=False) as store:
        meta = store.meta()["synth_sft"]
    used = Path(meta["manifest_used"])
    assert used == (d / "out" / "manifest.jsonl").resolve() and meta["instances"] == 1 and meta["manifest"] is None
    import hashlib

    assert hashlib.sha256(used.read_bytes()).hexdigest() == meta["manifest_sha256"]
    assert [i.id for i in symbench.read_jsonl(used)] == [i.id for i in symbench.generate("number_multiply", 1, seed=1000)]
