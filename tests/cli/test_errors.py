"""A user's mistakes end in one clear line and a non-zero exit, never a traceback (issue: newcomer path)."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from tests.conftest import run_main


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "--tasks", "no_such_task", "--no-report", "--out", "{tmp}/r"], "unknown task"),
        (["run", "--methods", "no_such_method", "--no-report", "--out", "{tmp}/r"], "unknown method"),
        (["run", "--task-model", "bogus-spec", "--tasks", "number_multiply", "-n", "1", "--no-report", "--out", "{tmp}/r"], "spec"),
        (["solve", "number_multiply", "--task-model", "nosuchprovider/x"], "spec"),
        (["run", "--task-model", "openai/gpt-4o@http://127.0.0.1:9/v1", "--tasks", "number_multiply", "-n", "1",
          "--methods", "only_question", "--no-report", "--out", "{tmp}/r"], "127.0.0.1:9"),
        (["run", "--executor", "dask", "--out", "{tmp}/r"], "executor"),
        (["run", "--out", "{tmp}/file/sub", "--tasks", "number_multiply", "-n", "1", "--task-model", "scripted/{tmp}/s.json"], "cannot write"),
        (["results", "{tmp}/nothing-here"], "no run found"),
        (["report", "{tmp}/nothing-here"], "no run found"),
        (["manifest", "create", "-o", "{tmp}/m.jsonl", "--tasks", "nope"], "unknown task"),
    ],
)
def test_user_errors(argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "s.json").write_text('{"default": "<<<1>>>"}')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CODESTEER_NO_CACHE", "1")
    code, _, err = run_main([a.replace("{tmp}", str(tmp_path)) for a in argv], capsys)
    assert code != 0
    assert needle in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "blocked, argv, extra",
    [
        ("ray", ["run", "--executor", "ray", "--out", "{tmp}/r"], "codesteer[ray]"),
        ("trl", ["train", "sft", "--base", "{tmp}/base", "--data", "{tmp}/data", "--out", "{tmp}/ckpt"], "codesteer[train]"),
        ("anthropic", ["solve", "number_multiply", "--method", "only_question", "--task-model", "anthropic/claude-sonnet-4-5"],
         "codesteer[anthropic]"),
    ],
)
def test_missing_extra_is_named(blocked: str, argv: list[str], extra: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == blocked or name.startswith(blocked + "."):
            raise ImportError(f"No module named '{blocked}'")
        return real_import(name, *args, **kwargs)

    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "config.json").write_text("{}")  # a valid --base, so the missing extra is what fails
    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    code, _, err = run_main([a.replace("{tmp}", str(tmp_path)) for a in argv], capsys)
    assert code == 2 and extra in err, err
    assert "Traceback" not in err
