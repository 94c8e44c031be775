"""Usage errors through the installed console script: typer's message, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesteer import __version__
from tests.conftest import cli


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "--no-such-flag"], "No such option"),
        (["run", "--concurrency", "abc"], "--concurrency"),
        (["solve"], "give a task name"),  # the task is optional since solve --manifest --id
        (["no-such-command"], "No such command"),
        (["bench", "generate"], "Missing"),
    ],
)
def test_usage_error_is_one_message_exit_2(argv: list[str], needle: str, tmp_path: Path) -> None:
    p = cli(*argv, cwd=tmp_path)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert needle in p.stderr, p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_bare_command_prints_help_and_exits_2(tmp_path: Path) -> None:
    p = cli(cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert "run" in p.stdout + p.stderr and "Usage" in p.stdout + p.stderr


def test_version(tmp_path: Path) -> None:
    p = cli("--version", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"codesteer {__version__}"
