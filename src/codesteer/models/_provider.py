"""The provider contract: ``chat()`` is written once here; a provider only says how it completes.

``ValidatedChat.chat`` owns the public keyword signature and the input checks, then hands checked messages and a
frozen ``ChatParams`` to ``_chat``. A ``Provider`` implements ``_complete`` (and ``_complete_prompt`` for raw
prompts, as a ``PromptProvider``) returning a ``Reply``; the stop cut, the token estimates where the backend
reports none, the timing and the cost are applied here, the same way for every backend. Wrappers such as the
response cache override ``_chat`` instead and pass the parameters on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from codesteer.models._accounting import cost_usd
from codesteer.models._types import (
    ChatParams,
    Completion,
    Message,
    approx_tokens,
    check_messages,
    truncate_at_stop,
)


@dataclass(frozen=True)
class Reply:
    """What a backend produced; ``None`` fields are filled in by the provider contract."""

    text: str  # before the stop cut (a backend that already cut is unaffected: the cut is idempotent)
    prompt_tokens: int | None = None  # None: whitespace-word estimate of the prompt
    completion_tokens: int | None = None  # None: whitespace-word estimate of the reply after the stop cut
    latency_s: float | None = None  # None: the whole ``_complete`` call, timed here
    reasoning_tokens: int = 0


class ValidatedChat:
    """The public ``chat`` of every model object: one signature, one validation."""

    spec: str

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = 1024,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
    ) -> Completion:
        """``max_tokens=None`` means no cap of ours (the backend's own limit applies)."""
        msgs = check_messages(messages)
        params = ChatParams.checked(temperature, max_tokens, stop, seed, top_p, top_k)
        return await self._chat(msgs, params)

    async def _chat(self, messages: list[Message], params: ChatParams) -> Completion:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class Provider(ValidatedChat):
    """A backend: implement ``_complete``; set ``model_name`` and ``prices`` where calls cost money."""

    model_name: str = ""
    prices: Mapping[str, tuple[float, float]] = MappingProxyType({})

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        raise NotImplementedError

    async def _chat(self, messages: list[Message], params: ChatParams) -> Completion:
        start = time.perf_counter()
        reply = await self._complete(messages, params)
        return self._completion(reply, params, start, lambda: sum(approx_tokens(m["content"]) for m in messages))

    def _completion(self, reply: Reply, params: ChatParams, start: float, prompt_estimate: Callable[[], int]) -> Completion:
        text = truncate_at_stop(reply.text, params.stop)
        pt = reply.prompt_tokens if reply.prompt_tokens is not None else prompt_estimate()
        ct = reply.completion_tokens if reply.completion_tokens is not None else approx_tokens(text)
        return Completion(
            text=text,
            prompt_tokens=pt,
            completion_tokens=ct,
            latency_s=reply.latency_s if reply.latency_s is not None else time.perf_counter() - start,
            model=self.spec,
            cached=False,
            cost_usd=cost_usd(self.model_name, pt, ct, self.prices) if self.prices else 0.0,
            reasoning_tokens=reply.reasoning_tokens,
        )


class PromptProvider(Provider):
    """A backend that also continues a raw, already-rendered prompt (``complete``); the steering loop looks for
    that method, so only backends that have one derive from this class."""

    async def complete(
        self,
        prompt: str,
        *,
        temperature: float = 0.0,
        max_tokens: int | None = 1024,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
    ) -> Completion:
        if not isinstance(prompt, str) or not prompt:
            raise ValueError("prompt must be a non-empty str")
        params = ChatParams.checked(temperature, max_tokens, stop, seed, top_p, top_k)
        start = time.perf_counter()
        reply = await self._complete_prompt(prompt, params)
        return self._completion(reply, params, start, lambda: approx_tokens(prompt))

    async def _complete_prompt(self, prompt: str, params: ChatParams) -> Reply:
        raise NotImplementedError
