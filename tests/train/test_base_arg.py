"""``train --base`` (issue 19): local folders and embedded/<name> specs; anything else refused before torch loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codesteer.errors import CodesteerError
from codesteer.train import resolve_base

PROBE = """
import sys
from codesteer.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    print("exit", exc.code, "torch" in sys.modules)
"""


@pytest.mark.parametrize("base, needle", [
    ("openai/gpt-4o", "no such folder"),
    ("meta-llama/Llama-3.1-8B-Instruct", "no such folder"),
    ("{tmp}", "not a model folder"),
    ("embedded/nosuch", "unknown embedded model"),
])
def test_bad_base_is_refused_before_torch(base: str, needle: str, tmp_path: Path) -> None:
    argv = ["train", "sft", "--base", base.replace("{tmp}", str(tmp_path)), "--data", str(tmp_path),
            "--out", str(tmp_path / "o")]
    r = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "exit 2 False", (r.stdout, r.stderr)
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_local_folders_and_hf_prefix(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    assert resolve_base(tmp_path) == tmp_path
    assert resolve_base(f"hf/{tmp_path}") == tmp_path
    with pytest.raises(CodesteerError, match="no such folder"):
        resolve_base(tmp_path / "missing")


def test_embedded_spec_resolves_to_its_checkpoint(model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESTEER_CACHE_DIR", str(model_cache))
    try:
        path = resolve_base("embedded/smollm2-135m")
    except CodesteerError as exc:  # the embedded model package is part of the base install; say so if it is not
        pytest.fail(f"embedded/smollm2-135m did not resolve: {exc}")
    assert (path / "config.json").is_file()
