"""``--guide-protocol``, ``--guide-view`` and the guide decoding flags through the installed console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.eval import RunStore
from tests.conftest import cli as run_cli
from tests.steer.test_reference import CHOICE, PROMPT_PY


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script without a developer's own reference prompts."""
    return run_cli(*args, env=env, drop=("CODESTEER_REFERENCE_PROMPTS",))


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    inst = symbench.generate("number_multiply", 1, seed=3, complexity=1)[0]
    symbench.write_jsonl([inst], tmp_path / "m.jsonl")
    (tmp_path / "prompt.py").write_text(PROMPT_PY)
    (tmp_path / "guide.json").write_text(json.dumps({"rules": [
        {"pattern": r"^\[CHOICE", "reply": "Write code.\n"},
        {"pattern": "The response from TaskLLM", "reply": "Checked; Return Answer."},
        {"pattern": ".", "reply": "<<<Code>>>"}]}))
    product = 1
    for f in inst.data["factors"]:
        product *= f
    (tmp_path / "task.json").write_text(json.dumps({"default": f"```python\nprint('<<<{product}>>>')\n```"}))
    (tmp_path / "checker.json").write_text(json.dumps({"default": "```python\nprint('Correct')\n```"}))
    return {"dir": tmp_path, "manifest": tmp_path / "m.jsonl", "prompts": tmp_path / "prompt.py"}


def _models(d: Path) -> list[str]:
    return ["--guide-model", f"scripted/{d / 'guide.json'}", "--task-model", f"scripted/{d / 'task.json'}",
            "--checker-model", f"scripted/{d / 'checker.json'}"]


def test_run_with_the_reference_protocol_records_it(setup) -> None:
    d = setup["dir"]
    r = cli("run", "--out", str(d / "run"), "--manifest", str(setup["manifest"]), "--methods", "codesteer",
            *_models(d), "--guide-protocol", "reference", "--reference-prompts", str(setup["prompts"]),
            "--guide-top-k", "20")
    assert r.returncode == 0, r.stderr
    with RunStore(d / "run", create=False) as store:
        cfg = store.meta()["config"]
        (_, traj, verdict), = store.trajectories()
    assert cfg["guide_protocol"] == "reference" and cfg["reference_prompts"] == str(setup["prompts"])
    assert cfg["guide_top_k"] == 20
    assert traj["extras"]["guide_protocol"] == "reference"
    assert traj["guide_turns"][0]["prompt"].startswith(CHOICE)
    assert traj["task_turns"][0]["prompt"] == "Write code.\n" + traj["question"]
    assert traj["stop_reason"] == "return_answer" and verdict["correct"]
    assert "guide_protocol: reference" in (d / "run" / "report.html").read_text()


def test_reference_prompts_from_the_environment_and_missing(setup) -> None:
    d = setup["dir"]
    base = ["run", "--manifest", str(setup["manifest"]), "--methods", "codesteer", *_models(d),
            "--guide-protocol", "reference"]
    r = cli(*base, "--out", str(d / "a"))
    assert r.returncode == 2 and "--reference-prompts" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli(*base, "--out", str(d / "b"), env={"CODESTEER_REFERENCE_PROMPTS": str(setup["prompts"])})
    assert r.returncode == 0, r.stderr
    r = cli(*base[:-2], "--out", str(d / "c"), "--guide-protocol", "nope")
    assert r.returncode == 2 and "unknown guide protocol" in r.stderr


def test_guide_view_flag_is_recorded(setup) -> None:
    d = setup["dir"]
    r = cli("run", "--out", str(d / "run"), "--manifest", str(setup["manifest"]), "--methods", "codesteer",
            *_models(d), "--guide-view", "compact")
    assert r.returncode == 0, r.stderr
    with RunStore(d / "run", create=False) as store:
        cfg = store.meta()["config"]
        (_, traj, _), = store.trajectories()
    assert cfg["guide_view"] == "compact" and cfg["guide_protocol"] == "codesteer"
    assert traj["extras"]["guide_view"] == "compact"


def test_solve_with_the_reference_protocol(setup) -> None:
    d = setup["dir"]
    r = cli("solve", "number_multiply", "--seed", "3", *_models(d)[:4], "--guide-protocol", "reference",
            "--reference-prompts", str(setup["prompts"]), "--json")
    assert r.returncode == 0, r.stderr
    traj = json.loads(r.stdout)["trajectory"]
    assert traj["extras"]["guide_protocol"] == "reference"
    assert traj["guide_turns"][0]["prompt"].startswith(CHOICE)


def test_synth_sft_with_the_reference_protocol_exports_its_format(setup) -> None:
    d = setup["dir"]
    r = cli("synth", "sft", "--out", str(d / "sft"), "--manifest", str(setup["manifest"]), *_models(d),
            "--concurrency", "1", "--guide-protocol", "reference", "--reference-prompts", str(setup["prompts"]))
    assert r.returncode == 0, r.stderr
    rec = json.loads((d / "sft" / "sft.jsonl").read_text().splitlines()[0])
    msgs = rec["messages"]
    assert msgs[0]["content"].startswith(CHOICE) and msgs[1]["content"] == "Write code.\n"
    assert msgs[2]["content"].startswith("The response from TaskLLM is: ")
    assert msgs[3]["content"] == "Checked; Return Answer."
