"""Prompt texts, kept as files under a package's ``prompts/`` folder so they can be read and edited as text.

The steering loop's prompts live in ``steer/prompts/``; prompts only a baseline method sends live in
``methods/prompts/`` beside the methods that use them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def prompt(name: str, package: str = "codesteer.steer") -> str:
    """The text of ``prompts/<name>.txt`` in ``package`` (the steering loop's own prompts by default)."""
    try:
        return resources.files(package).joinpath(f"prompts/{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no prompt named {name!r} in {package}") from None
