"""Each prompt file lives beside the code that sends it: steer's loop prompts in steer/, the baselines' in methods/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import codesteer
from codesteer.steer import prompt

SRC = Path(codesteer.__file__).parent


def _names_read(files: list[Path], call: str) -> set[str]:
    found: set[str] = set()
    for f in files:
        text = f.read_text(encoding="utf-8")
        found |= set(re.findall(rf"\b{call}\(\s*[\"']([a-z_]+)[\"']", text))
        found |= {f"{a}_template" for a in re.findall(rf"\b{call}\(\s*f[\"']\{{[^}}]*\}}_template", text) for a in ("code", "text")}
        found |= set(re.findall(rf"\b{call}\(\s*[\"']([a-z_]+)[\"'] if ", text))
        found |= set(re.findall(rf"\b{call}\([^)]*else [\"']([a-z_]+)[\"']", text))
    return found


def test_steer_prompts_are_read_outside_the_methods_package() -> None:
    outside = [f for f in SRC.rglob("*.py") if "methods" not in f.parts]
    used = _names_read(outside, "prompt")
    held = {p.stem for p in (SRC / "steer" / "prompts").glob("*.txt")}
    assert held <= used, f"only the methods read {sorted(held - used)}: they belong in methods/prompts"


def test_method_prompts_are_files_of_the_methods_package() -> None:
    held = {p.stem for p in (SRC / "methods" / "prompts").glob("*.txt")}
    methods = SRC / "methods" / "_all.py"
    used = _names_read([methods], "_own_prompt") | set(re.findall(r"\(\"([a-z_]+)\", _OWN\)", methods.read_text()))
    assert held and held == used
    for name in held:
        assert prompt(name, "codesteer.methods").strip()
        with pytest.raises(ValueError, match="no prompt named"):
            prompt(name)
