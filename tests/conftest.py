"""Project-wide test settings (offline, single-threaded torch, shared test data) and the CLI runners and
sandbox fixture that test modules share instead of keeping their own copies."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from codesteer.sandbox import Sandbox

# A developer who set a cache dir keeps the converted embedded model between sessions; otherwise one per session.
_USER_CACHE = os.environ.get("CODESTEER_CACHE_DIR")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_DATA = Path(os.environ.get("CODESTEER_REFERENCE_DATA", REPO.parent / "shared" / "reference-data"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the embedded model's one-time GGUF conversion goes (shared by every test of the session)."""
    return Path(_USER_CACHE) if _USER_CACHE else tmp_path_factory.mktemp("model-cache")


# --- the CLI, two ways ----------------------------------------------------------------------------------------------

# The installed console script: the subprocess tests run exactly what a user runs (entry point, exit codes, stderr).
CLI = Path(sys.executable).parent / "codesteer"


# Variables a developer's shell may hold that would send a test's run to a real endpoint.
_FOREIGN = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


def cli_env(extra: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment, hermetic for a test run: no OpenAI settings, no result cache, then ``extra``."""
    keep = {k: v for k, v in os.environ.items() if k not in _FOREIGN + drop}
    return {**keep, "CODESTEER_NO_CACHE": "1", **(extra or {})}


def cli(*args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        drop: tuple[str, ...] = (), inherit: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``codesteer ARGS`` through the installed script, as a user would.

    The environment is :func:`cli_env` (``env`` added, ``drop`` removed); ``inherit=False`` runs it with ``env``
    alone. ``timeout`` only guards against a hang."""
    environ = cli_env(env, drop) if inherit else dict(env or {})
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=environ)


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The CLI in-process (fast, monkeypatchable): exit code, stdout, stderr."""
    # imported here so that the environment above is set before codesteer loads
    from codesteer.cli import main

    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- the sandbox ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One local sandbox per test module: its worker pool takes a moment to start, and tests leave it reusable."""
    from codesteer.sandbox import get_sandbox

    sb = get_sandbox("local")
    yield sb
    sb.close()
