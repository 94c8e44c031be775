"""``codesteer serve MODEL_SPEC``: one loaded model behind an OpenAI-compatible endpoint."""

from __future__ import annotations

import os

import typer

from codesteer.cli._app import app, console, fail


@app.command()
def serve(
    model_spec: str = typer.Argument(
        ..., metavar="MODEL_SPEC", help="hf/<path-or-id>, embedded/<name>, scripted/<file> (or any spec)."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, help="Port to listen on (0 picks a free one)."),
    api_key_env: str | None = typer.Option(
        None, help="Require 'Authorization: Bearer $VAR' from clients, VAR named here."
    ),
    cache: bool = typer.Option(True, help="Answer repeated temperature-0 requests from the response cache."),
) -> None:
    """Serve a local model as /v1/chat/completions and /v1/models, so many evaluation processes share it."""
    from codesteer.models import serve as serve_model

    api_key = None
    if api_key_env:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise fail(f"{api_key_env} is not set")

    def ready(server) -> None:
        console.print(f"serving {server.model.spec} at {server.url}  (Ctrl-C to stop)", highlight=False)
        console.print(f"use it as: openai/<any-name>@{server.url}", highlight=False)

    serve_model(model_spec, host, port, api_key=api_key, on_ready=ready, cache=cache)
