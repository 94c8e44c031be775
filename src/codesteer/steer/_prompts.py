"""Prompt texts, kept as files under ``steer/prompts/`` so they can be read and edited as text."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def prompt(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    try:
        return resources.files("codesteer.steer").joinpath(f"prompts/{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no prompt named {name!r}") from None
