"""Model and connection options shared by the commands that call models (``run``, ``solve``).

``--timeout``, ``--max-retries`` and ``--max-connections`` apply to every remote model of a command;
``-M role.key=value`` sets any option ``get_model`` takes for one role (task, guide, checker) and wins over the
flags. An unknown key of an HTTP model becomes a field of its request body (``-M task.top_k=20`` for vLLM).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from codesteer.errors import CodesteerError, did_you_mean

ROLES = ("task", "guide", "checker")

TaskTemperature = Annotated[float, typer.Option("--task-temperature", help="Sampling temperature of task-model calls (default 0).")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds per HTTP request attempt (default 120).")]
MaxRetries = Annotated[int | None, typer.Option("--max-retries", help="Retries of a failed HTTP request (default 4).")]
MaxConnections = Annotated[int | None, typer.Option("--max-connections", help="Requests in flight per endpoint (default 16).")]
ModelArgs = Annotated[list[str] | None, typer.Option(
    "-M", "--model-arg",
    help="ROLE.KEY=VALUE for the task, guide or checker model (repeatable): api_key_env=VAR, timeout_s=60, "
         "dtype=bfloat16, ...; other keys of openai/ and anthropic/ models go into the request body (top_k=20).")]


# request fields the client fills in itself: a body field of the same name would silently override them
_SET_BY_CODESTEER = {"model": "the model spec", "messages": "", "temperature": "--task-temperature",
                     "max_tokens": "--task-max-tokens / --guide-max-tokens",
                     "max_completion_tokens": "--task-max-tokens / --guide-max-tokens", "stop": "", "seed": "",
                     "stream": ""}


def _value(text: str) -> Any:
    """JSON where it parses (numbers, true/false, lists, objects), the plain string otherwise."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_model_args(pairs: list[str] | None) -> dict[str, dict[str, Any]]:
    """``role.key=value`` strings to ``{role: {key: value}}``; ``role.extra_body.key=value`` nests."""
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs or []:
        lhs, sep, value = pair.partition("=")
        role, dot, key = lhs.strip().partition(".")
        if not sep or not dot or not key:
            raise CodesteerError(f"-M expects ROLE.KEY=VALUE (e.g. task.api_key_env=VLLM_KEY), got {pair!r}")
        if role not in ROLES:
            raise CodesteerError(f"-M {lhs}: unknown role {role!r}{did_you_mean(role, ROLES)}; roles: {', '.join(ROLES)}")
        opts = out.setdefault(role, {})
        if key.startswith("extra_body."):
            opts.setdefault("extra_body", {})[key.removeprefix("extra_body.")] = _value(value)
        else:
            opts[key] = _value(value)
    return out


def model_options(specs: dict[str, str | None], *, timeout: float | None = None, max_retries: int | None = None,
                  max_connections: int | None = None, model_args: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The ``get_model`` options of each role, checked against what its provider takes before anything runs."""
    from codesteer.models import is_remote, option_names

    if timeout is not None and timeout <= 0:
        raise CodesteerError(f"--timeout must be > 0 seconds, got {timeout:g}")
    if max_retries is not None and max_retries < 0:
        raise CodesteerError(f"--max-retries must be >= 0, got {max_retries}")
    if max_connections is not None and max_connections < 1:
        raise CodesteerError(f"--max-connections must be >= 1, got {max_connections}")
    parsed = parse_model_args(model_args)
    out: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        spec = specs.get(role)
        given = parsed.get(role, {})
        if spec is None:
            if given:
                raise CodesteerError(f"-M {role}.…: there is no separate {role} model (give --{role}-model, "
                                     "or set the option on the task model with -M task.…)")
            continue
        opts: dict[str, Any] = {}
        if is_remote(spec):
            flags = {"timeout_s": timeout, "max_retries": max_retries, "max_concurrency": max_connections}
            opts.update({k: v for k, v in flags.items() if v is not None})
        known = option_names(spec)
        for key, value in given.items():
            if key == "api_key":
                raise CodesteerError(f"-M {role}.api_key: a key on the command line leaks into shell history and "
                                     f"process lists; put it in a variable and pass -M {role}.api_key_env=NAME")
            for field in (value if key == "extra_body" and isinstance(value, dict) else {key: None}):
                if field in _SET_BY_CODESTEER:
                    raise CodesteerError(f"-M {role}.{key}: codesteer sets {field!r} in every request itself"
                                         + (f"; use {_SET_BY_CODESTEER[field]}" if _SET_BY_CODESTEER[field] else ""))
            if key in known:
                opts[key] = {**opts.get(key, {}), **value} if key == "extra_body" and isinstance(value, dict) else value
                continue
            hint = did_you_mean(key, known)
            if is_remote(spec) and not hint:
                opts.setdefault("extra_body", {})[key] = value  # a provider field such as vLLM's top_k
                continue
            raise CodesteerError(
                f"-M {role}.{key}: {spec.partition('/')[0]}/ models take no option {key!r}{hint}; known: "
                + ", ".join(sorted(known or {"(none)"}))
                + (f" (to send a request field named {key}, write -M {role}.extra_body.{key}=...)" if hint and is_remote(spec) else ""))
        if opts:
            out[role] = opts
    return out


def explain_missing_key(exc: Exception) -> Exception:
    """A missing-key error (``role`` tagged by the model builder) reworded to name this command line's own way of
    supplying the key; any other error as it is."""
    from codesteer.models import MissingKeyError

    if not isinstance(exc, MissingKeyError):
        return exc
    role, env = getattr(exc, "role", "task"), getattr(exc, "env", "OPENAI_API_KEY")
    return CodesteerError(f"{role} model: {env} is not set (needed for {getattr(exc, 'base_url', '?')}): "
                          f"export {env}=<key>, or read the key from another variable with -M {role}.api_key_env=NAME")
