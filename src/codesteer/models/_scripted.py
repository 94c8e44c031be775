"""Deterministic replies for tests and demos, labelled ``scripted:`` wherever they appear."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codesteer.models._provider import PromptProvider, Reply
from codesteer.models._types import ChatParams, Message, ModelSpecError, last_user_message


class ScriptedModel(PromptProvider):
    """A model whose replies are written in advance, so tests of other layers never need a real model.

    Which reply: ``fn(messages)`` if given; else the first ``(regex, reply)`` rule that matches the last user
    message (``re.search`` with DOTALL); else the next of ``replies`` in order, the last one repeating once
    they run out; else ``default``; else :class:`ModelSpecError`. Stop strings are honoured, ``max_tokens``
    is not. Token counts are approximate: whitespace-separated words of the message contents and of the reply.
    Never cached, so a script that changes is always seen.
    """

    def __init__(
        self,
        replies: list[str] | None = None,
        *,
        rules: list[tuple[str, str]] | None = None,
        default: str | None = None,
        fn: Callable[[list[dict]], str] | None = None,
        delay_s: float = 0.0,
        name: str = "scripted",
    ) -> None:
        self.name = name
        self.spec = f"scripted:{name}"
        self._replies = list(replies or [])
        try:
            self._rules = [(re.compile(pat, re.DOTALL), reply) for pat, reply in (rules or [])]
        except re.error as exc:
            raise ModelSpecError(f"scripted model '{name}': bad rule pattern: {exc}") from exc
        self._default = default
        self._fn = fn
        self._delay_s = float(delay_s)
        self._next = 0
        self._lock = threading.Lock()
        self.calls: list[list[Message]] = []
        self.params: list[dict[str, Any]] = []  # sampling parameters of each call, in order (tests read them)
        self.prompts: list[str] = []  # raw completion prompts, in order

    def _pick(self, messages: list[Message]) -> str:
        if self._fn is not None:
            return str(self._fn(messages))
        last = last_user_message(messages)
        for pattern, reply in self._rules:
            if pattern.search(last):
                return reply
        with self._lock:
            if self._replies:
                reply = self._replies[min(self._next, len(self._replies) - 1)]
                self._next += 1
                return reply
        if self._default is not None:
            return self._default
        raise ModelSpecError(f"scripted model '{self.name}' has no reply for: {last[:80]!r}")

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        self.params.append({"temperature": params.temperature, "max_tokens": params.max_tokens,
                            "stop": list(params.stop) if params.stop else None, "seed": params.seed,
                            "top_p": params.top_p, "top_k": params.top_k})
        with self._lock:
            self.calls.append(messages)
        if self._delay_s > 0:
            await asyncio.sleep(self._delay_s)
        return Reply(self._pick(messages))  # token counts: the contract's whitespace-word estimates

    async def _complete_prompt(self, prompt: str, params: ChatParams) -> Reply:
        """A raw completion, answered like a chat whose one user message is the rendered prompt; ``prompts``
        records each prompt."""
        self.prompts.append(prompt)
        return await self._complete([{"role": "user", "content": prompt}], params)

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedModel:
        """Build from YAML or JSON with the constructor's fields (``rules``: ``[[regex, reply], ...]`` or
        ``[{pattern: ..., reply: ...}, ...]``); the name defaults to the file's stem."""
        p = Path(path).expanduser()
        if not p.is_file():
            raise ModelSpecError(f"scripted model file not found: {p}")
        raw = p.read_text(encoding="utf-8")
        try:
            if p.suffix.lower() == ".json":
                data: Any = json.loads(raw)
            else:
                import yaml

                data = yaml.safe_load(raw)
        except Exception as exc:  # yaml and json raise different types; either is the user's file
            raise ModelSpecError(f"cannot parse scripted model file {p}: {exc}".splitlines()[0]) from exc
        if isinstance(data, list):
            data = {"replies": data}
        if not isinstance(data, dict):
            raise ModelSpecError(f"scripted model file {p} must hold a mapping or a list of replies")
        unknown = set(data) - {"replies", "rules", "default", "delay_s", "name"}
        if unknown:
            raise ModelSpecError(f"scripted model file {p}: unknown keys {sorted(unknown)}")
        rules: list[tuple[str, str]] = []
        for rule in data.get("rules") or []:
            if isinstance(rule, dict) and {"pattern", "reply"} <= set(rule):
                rules.append((str(rule["pattern"]), str(rule["reply"])))
            elif isinstance(rule, list | tuple) and len(rule) == 2:
                rules.append((str(rule[0]), str(rule[1])))
            else:
                raise ModelSpecError(f"scripted model file {p}: bad rule {rule!r}")
        replies = data.get("replies")
        if replies is not None and not isinstance(replies, list):
            raise ModelSpecError(f"scripted model file {p}: 'replies' must be a list")
        default = data.get("default")
        return cls(
            [str(r) for r in replies or []],
            rules=rules,
            default=None if default is None else str(default),
            delay_s=float(data.get("delay_s", 0.0)),
            name=str(data.get("name") or p.stem),
        )
