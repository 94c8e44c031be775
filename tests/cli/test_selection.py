"""Selecting work and models the way inspect_ai / lm-eval users expect (issue 19), through the console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.eval import RunStore, select_instances
from codesteer.models import ModelServer, ScriptedModel, get_model
from tests.conftest import cli, run_main
from tests.models.conftest import Faults


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "m.jsonl"
    insts = symbench.generate("number_multiply", 4, seed=5) + symbench.generate("letters", 4, seed=5)
    symbench.write_jsonl(insts, path)
    return path


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"default": "<<<1>>>"}))
    return path


def test_select_instances_limit_and_ids(manifest: Path) -> None:
    insts = symbench.read_jsonl(manifest)
    two = select_instances(insts, limit=2)
    assert [i.id for i in two] == [i.id for i in insts if i.task == "number_multiply"][:2] + \
        [i.id for i in insts if i.task == "letters"][:2]
    picked = select_instances(insts, ids=[insts[5].id, insts[1].id])
    assert [i.id for i in picked] == [insts[1].id, insts[5].id]  # manifest order
    with pytest.raises(ValueError, match=f"did you mean '{insts[0].id}'"):
        select_instances(insts, ids=[insts[0].id + "x"])
    with pytest.raises(ValueError, match="--limit must be >= 1"):
        select_instances(insts, limit=0)


def test_run_limit_and_sample_id(manifest: Path, script: Path, tmp_path: Path) -> None:
    insts = symbench.read_jsonl(manifest)
    out = tmp_path / "run"
    r = cli("run", "--manifest", str(manifest), "--limit", "2", "--methods", "only_question",
            "--task-model", f"scripted/{script}", "--out", str(out), "--no-report")
    assert r.returncode == 0, r.stderr
    with RunStore(out, create=False) as s:
        ids = sorted(row.instance_id for row in s.rows())
        assert s.meta()["config"]["limit"] == 2
    assert ids == sorted([i.id for i in insts if i.task == "number_multiply"][:2]
                         + [i.id for i in insts if i.task == "letters"][:2])
    # the same run folder: one more instance by id resumes, the four done ones are skipped
    r = cli("run", "--manifest", str(manifest), "--sample-id", f"{insts[0].id},{insts[3].id}", "--methods",
            "only_question", "--task-model", f"scripted/{script}", "--out", str(out), "--no-report")
    assert r.returncode == 0, r.stderr
    assert "1 new, 1 already finished" in r.stdout
    bad = cli("run", "--manifest", str(manifest), "--sample-id", insts[0].id[:-1] + "9x", "--out", str(out),
              "--task-model", f"scripted/{script}", "--no-report")
    assert bad.returncode == 2 and "no instance" in bad.stderr and "did you mean" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_solve_replays_a_manifest_instance(manifest: Path, script: Path) -> None:
    inst = symbench.read_jsonl(manifest)[6]
    r = cli("solve", "--manifest", str(manifest), "--id", inst.id, "--method", "only_question",
            "--task-model", f"scripted/{script}", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["instance"] == inst.to_dict() and doc["trajectory"]["instance_id"] == inst.id


@pytest.mark.parametrize("argv, needle", [
    (["solve", "--manifest", "{m}", "--method", "only_question"], "--manifest needs --id"),
    (["solve", "number_multiply", "--id", "x"], "--id needs --manifest"),
    (["solve"], "give a task name"),
    (["solve", "letters", "--manifest", "{m}", "--id", "{id0}"], "not letters"),
])
def test_solve_manifest_mistakes(argv: list[str], needle: str, manifest: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    id0 = symbench.read_jsonl(manifest)[0].id
    code, _, err = run_main([a.replace("{m}", str(manifest)).replace("{id0}", id0) for a in argv], capsys)
    assert code == 2 and needle in err, err


@pytest.fixture
def server():
    faults = Faults()
    srv = ModelServer(ScriptedModel(default="<<<7>>>"), "127.0.0.1", 0, intercept=faults).start()
    yield srv, faults
    srv.close()


def test_generation_and_connection_flags_reach_the_endpoint(server, manifest: Path, tmp_path: Path) -> None:
    """No OPENAI_API_KEY for a local server; -M body fields and --task-temperature arrive in the request."""
    srv, faults = server
    out = tmp_path / "run"
    r = cli("run", "--manifest", str(manifest), "--limit", "1", "--methods", "only_question",
            "--task-model", f"openai/local-model@{srv.url}", "--task-temperature", "0.5", "--timeout", "7",
            "--max-retries", "0", "--max-connections", "2", "-M", "task.top_k=20",
            "-M", 'task.extra_body.chat_template_kwargs={"enable_thinking": false}', "--out", str(out), "--no-report")
    assert r.returncode == 0, r.stderr
    assert len(faults.bodies) == 2
    for body in faults.bodies:
        assert body["temperature"] == 0.5 and body["top_k"] == 20
        assert body["chat_template_kwargs"] == {"enable_thinking": False}
    with RunStore(out, create=False) as s:
        cfg = s.meta()["config"]
    assert cfg["task_temperature"] == 0.5
    assert cfg["model_args"] == {"task": {"extra_body": {"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}}}}
    assert cfg["connection"] == {"task": {"timeout_s": 7.0, "max_retries": 0, "max_concurrency": 2}}


def test_explicit_base_url_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    model = get_model("openai/qwen@http://gpu-box.internal:8000/v1", cache=False)
    assert model.endpoint == "http://gpu-box.internal:8000/v1"
    from codesteer.models import MissingKeyError

    with pytest.raises(MissingKeyError, match="OPENAI_API_KEY"):
        get_model("openai/gpt-4o@https://api.openai.com/v1")
    with pytest.raises(MissingKeyError, match="MY_VLLM_KEY"):  # a variable the user named must be set
        get_model("openai/qwen@http://gpu-box.internal:8000/v1", api_key_env="MY_VLLM_KEY")


def test_missing_key_names_the_flag(tmp_path: Path) -> None:
    r = cli("solve", "number_multiply", "--method", "only_question", "--task-model", "openai/gpt-4o")
    assert r.returncode == 2
    assert "task model: OPENAI_API_KEY is not set" in r.stderr
    assert "export OPENAI_API_KEY=" in r.stderr and "-M task.api_key_env=NAME" in r.stderr
    r = cli("run", "--tasks", "number_multiply", "--methods", "only_question", "--task-model", "embedded/smollm2-135m",
            "--guide-model", "openai/gpt-4o", "--out", str(tmp_path / "r"), "--no-report")
    assert r.returncode == 2 and "-M guide.api_key_env=NAME" in r.stderr, r.stderr


@pytest.mark.parametrize("argv, needle", [
    (["run", "--methods", "codesteerr"], "did you mean 'codesteer'"),
    (["run", "--tasks", "game42"], "did you mean 'game24'"),
    (["run", "--executor", "rey"], "did you mean 'ray'"),
    (["run", "--task-model", "openai/x@http://127.0.0.1:9/v1", "-M", "task.timeout=5"], "did you mean 'timeout_s'"),
    (["run", "-M", "tsk.device=cpu"], "did you mean 'task'"),
    (["run", "-M", "task.devise=cpu"], "did you mean 'device'"),
    (["run", "-M", "guide.dtype=float32"], "no separate guide model"),
    (["run", "--task-model", "openai/x@http://127.0.0.1:9/v1", "-M", "task.api_key=sk-123"], "api_key_env"),
    (["run", "-M", "task.device"], "ROLE.KEY=VALUE"),
    (["run", "--task-model", "openai/x@http://127.0.0.1:9/v1", "-M", "task.temperature=1"], "--task-temperature"),
    (["run", "--task-model", "openai/x@http://127.0.0.1:9/v1", "-M", "task.extra_body.messages=[]"], "sets 'messages'"),
    (["run", "--timeout", "0"], "--timeout must be > 0"),
    (["results", "{tmp}", "--format", "jsn"], "did you mean 'json'"),
    (["bench", "export", "--out", "{tmp}/x", "--format", "jsonll"], "did you mean 'jsonl'"),
    (["bench", "generate", "number_multipy"], "did you mean 'number_multiply'"),
    (["solve", "game24", "--knob", "targt=24"], "did you mean 'target'"),
    (["solve", "game24", "--method", "code_steer"], "did you mean 'codesteer'"),
])
def test_did_you_mean(argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if args[0] == "run":
        args += ["--out", str(tmp_path / "r"), "--no-report"]
    code, _, err = run_main(args, capsys)
    assert code == 2 and needle in err, err
    assert "Traceback" not in err
