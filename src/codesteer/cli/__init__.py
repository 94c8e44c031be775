"""The ``codesteer`` command line: thin wrappers that parse, call one function and print."""

from __future__ import annotations

from codesteer.cli._app import app, main

__all__ = ["app", "main"]
