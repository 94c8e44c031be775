"""The CLI only parses and prints: the run's orchestration and defaults live in eval, errors name flags."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.errors import ParameterError
from codesteer.eval import RunConfig, RunStore, evaluate
from codesteer.models import embedded_caps
from codesteer.steer import GUIDE_MARKER
from tests.conftest import cli

SRC = Path(__file__).resolve().parents[2] / "src" / "codesteer"


def test_no_cli_module_imports_a_private_module_of_another_package() -> None:
    for path in (SRC / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("codesteer."):
                parts = node.module.split(".")
                private = [p for p in parts[2:] if p.startswith("_")]
                assert parts[1] == "cli" or not private, f"{path.name} imports {node.module}"


def test_for_models_sizes_defaults_for_embedded_models_and_trained_guides(tmp_path: Path) -> None:
    small = RunConfig.for_models("embedded/smollm2-135m")
    assert (small.max_rounds, small.task_max_tokens, small.guide_max_tokens, small.selfcheck_attempts) == (1, 192, 96, 1)
    coder = RunConfig.for_models("embedded/qwen2.5-coder-1.5b")  # sized for the model, not the 135M's caps
    assert (coder.max_rounds, coder.task_max_tokens, coder.guide_max_tokens, coder.selfcheck_attempts) == (2, 512, 192, 1)
    assert RunConfig.for_models("embedded/default").task_max_tokens == embedded_caps("embedded/default")["task_max_tokens"]
    assert RunConfig.for_models("embedded/default", max_rounds=3, task_max_tokens=50).max_rounds == 3
    big = RunConfig.for_models("openai/gpt-4o")
    assert (big.max_rounds, big.task_max_tokens, big.guide_max_tokens, big.guide_view) == (5, None, 1024, "full")
    (tmp_path / GUIDE_MARKER).write_text(json.dumps({"view": "compact"}))
    assert RunConfig.for_models("openai/gpt-4o", f"hf/{tmp_path}").guide_view == "compact"
    assert RunConfig.for_models("openai/gpt-4o", f"hf/{tmp_path}", guide_view="full").guide_view == "full"


@pytest.mark.parametrize("kwargs, names", [
    ({"guide_view": "wide"}, ("guide_view",)),
    ({"reference_prompts": "p.py"}, ("reference_prompts", "guide_protocol")),
])
def test_for_models_errors_name_parameters(kwargs: dict, names: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    with pytest.raises(ParameterError) as err:
        RunConfig.for_models("openai/gpt-4o", **kwargs)
    assert err.value.params == names and all(n in str(err.value) and f"--{n}" not in str(err.value) for n in names)


def test_evaluate_runs_resumes_and_names_its_parameters(tmp_path: Path) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"default": "<<<1>>>"}))
    insts = symbench.generate("number_multiply", 2, seed=0)
    config = RunConfig.for_models(f"scripted/{script}", max_rounds=1, concurrency=1)
    with pytest.raises(ParameterError, match="ray_address and ray_workers need executor ray"):
        evaluate(config, insts, ["only_question"], tmp_path / "run", ray_workers=2)
    assert not (tmp_path / "run").exists()  # refused before the folder is made
    with pytest.raises(ParameterError, match="unknown executor 'rya'"):
        evaluate(config, insts, ["only_question"], tmp_path / "run", executor="rya")
    updates: list[int] = []
    prog = evaluate(config, insts, ["only_question"], tmp_path / "run", meta={"manifest": None},
                    progress=lambda total: _display(total, updates))
    assert (prog.total, prog.done, prog.skipped) == (2, 2, 0) and updates[0] == 2
    with RunStore(tmp_path / "run", create=False) as store:
        meta = store.meta()["config"]
        assert meta["methods"] == ["only_question"] and meta["manifest"] is None and "connection" not in meta
        assert len(store.rows()) == 2
    again = evaluate(config, insts, ["only_question"], tmp_path / "run")
    assert (again.done, again.skipped) == (0, 2)


def _display(total: int, seen: list[int]):  # type: ignore[no-untyped-def]
    import contextlib

    seen.append(total)
    return contextlib.nullcontext(lambda p: None)


@pytest.mark.parametrize("args, message", [
    (["run", "--ray-workers", "2", "--no-report"], "--ray-address and --ray-workers need --executor ray"),
    (["run", "--executor", "rya", "--no-report"], "unknown --executor 'rya' (did you mean 'ray'?)"),
    (["run", "--guide-view", "wide", "--no-report", "--tasks", "game24"], "--guide-view must be compact or full"),
    (["synth", "sft", "--out", "OUT", "--guide-model", "scripted/x.json", "--attempts", "0"], "--attempts must be >= 1"),
    (["synth", "dpo", "--out", "OUT", "--guide-model", "scripted/x.json", "--pairs", "some"],
     "--pairs must be 'all' or 'best_worst'"),
])
def test_the_cli_shows_parameter_errors_as_its_flags(args: list[str], message: str, tmp_path: Path) -> None:
    args = [str(tmp_path / "o") if a == "OUT" else a for a in args]
    p = cli(*args, cwd=tmp_path)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], p.stderr
