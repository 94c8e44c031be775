"""HTTP providers (OpenAI-compatible endpoints, Anthropic) with one reliability policy.

The SDKs' own retries are switched off: we retry here so every provider gets the same behaviour (timeout
per attempt, exponential backoff with jitter, Retry-After honoured, no retry on auth/validation errors) and
the caller gets one clear line when it finally fails, instead of 25 blind attempts and a traceback.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import os
import random
import socket
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from codesteer.errors import MissingExtraError
from codesteer.models._accounting import Prices
from codesteer.models._provider import PromptProvider, Provider, Reply
from codesteer.models._types import (
    AuthError,
    ChatParams,
    EndpointError,
    Message,
    MissingKeyError,
    RequestRejected,
)

MAX_RETRY_AFTER_S = 120.0
ANTHROPIC_DEFAULT_MAX_TOKENS = 8192


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Equal jitter: half the exponential step fixed, half random, so synchronized clients spread out."""
        step = min(self.backoff_max_s, self.backoff_base_s * (2**attempt))
        return step / 2 + rng.uniform(0, step / 2)


def retry_after_s(headers: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``retry-after`` as seconds or an HTTP date)."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            value = float(ms) / 1000
        else:
            raw = headers.get("retry-after")
            if raw is None:
                return None
            try:
                value = float(raw)
            except ValueError:
                when = email.utils.parsedate_to_datetime(raw)
                value = when.timestamp() - time.time()
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return min(max(value, 0.0), MAX_RETRY_AFTER_S)


# The concurrency limit of each endpoint, set by the last model built for it; every model object pointing at
# the same server shares one limiter (one per event loop, as asyncio waiters belong to one loop).
_LIMITS: dict[str, int] = {}
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, EndpointLimiter]] = (
    weakref.WeakKeyDictionary()
)


def set_endpoint_limit(endpoint: str, limit: int) -> None:
    _LIMITS[endpoint] = max(1, int(limit))


class EndpointLimiter:
    """A semaphore whose size is read from ``_LIMITS`` on every acquire, so building a model with a new
    limit takes effect for requests already waiting (an ``asyncio.Semaphore`` is fixed at creation)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.active = 0
        self._waiters: list[asyncio.Future[None]] = []

    def _limit(self) -> int:
        return _LIMITS.get(self.endpoint, 16)

    def _wake(self) -> None:
        room = self._limit() - self.active
        for fut in self._waiters:
            if room <= 0:
                break
            if not fut.done():
                fut.set_result(None)
                room -= 1

    async def __aenter__(self) -> None:
        while self.active >= self._limit():
            fut = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self._wake()  # we were handed a slot we will not use: pass it on
                raise
            finally:
                self._waiters.remove(fut)
        self.active += 1

    async def __aexit__(self, *exc: object) -> None:
        self.active -= 1
        self._wake()


def waiting_calls() -> int:
    """Requests queued behind a full endpoint (``--max-connections``), over every endpoint and event loop."""
    return sum(len(lim._waiters) for per_loop in list(_LIMITERS.values()) for lim in list(per_loop.values()))


def endpoint_limiter(endpoint: str) -> EndpointLimiter:
    per_loop = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    if endpoint not in per_loop:
        per_loop[endpoint] = EndpointLimiter(endpoint)
    return per_loop[endpoint]


def _is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


# The hosted APIs a key is always needed for; any other explicit base URL is taken as a self-hosted server.
HOSTED_APIS = ("api.openai.com", "api.anthropic.com", "deepseek.com")


def _is_hosted(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return not _is_loopback(url) and any(host == h or host.endswith("." + h) for h in HOSTED_APIS)


def missing_key(env: str, base_url: str) -> MissingKeyError:
    """The error for an unset key variable: it names the variable and the option that picks another one."""
    exc = MissingKeyError(f"{env} is not set (needed for {base_url}): export {env}=<key>, or read the key from "
                          "another variable with the model option api_key_env=NAME")
    exc.env, exc.base_url = env, base_url  # type: ignore[attr-defined]  # the CLI rewrites the advice with its flag
    return exc


def _short(text: Any, limit: int = 200) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return _short(err["message"])
        if isinstance(err, str):
            return _short(err)
    return _short(getattr(exc, "message", "") or exc)


def _connection_reason(exc: BaseException) -> str:
    """The root cause an operator can act on, found down the SDK's exception chain."""
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 20:
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "unknown host"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        cause = cause.__cause__ or cause.__context__
        seen += 1
    inner = exc.__cause__
    return _short(inner) if inner is not None and str(inner) else "connection failed"


class _Malformed(Exception):
    """A 200 reply that is not a chat completion (a proxy error page, a truncated body)."""


class _RemoteModel(Provider):
    """Shared retry loop over a Stainless-generated SDK (openai and anthropic raise the same shapes)."""

    prefix: str  # the spec's provider prefix

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        api_key_env: str | None = None,
        policy: RetryPolicy | None = None,
        max_concurrency: int = 16,
        prices: Prices | None = None,
        retry_seed: int | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        default_url = self._default_url()
        base_url = (base_url or default_url).rstrip("/")
        named_env = api_key_env is not None
        api_key_env = api_key_env or self._default_key_env(base_url)
        key = api_key or os.environ.get(api_key_env)
        if not key:
            # a self-hosted server (vLLM, Ollama, llama.cpp, codesteer serve) usually takes any key; the hosted
            # APIs, and any variable the user named, must supply one
            if named_env or _is_hosted(base_url):
                raise missing_key(api_key_env, base_url)
            key = "not-needed"
        self.extra_body = dict(extra_body) if extra_body else None
        self._sdk = self._import_sdk()
        self.policy = policy or RetryPolicy()
        self.max_concurrency = max_concurrency
        self.key_env = api_key_env
        self.prices = prices or {}
        seed = retry_seed if retry_seed is not None else os.getpid() ^ id(self)
        self._rng = random.Random(seed)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self.attempts = 0  # every HTTP attempt made, retries included (tests and benchmarks read it)
        self.model_name = model
        self.endpoint = base_url
        self._key = key
        set_endpoint_limit(base_url, max_concurrency)
        self.spec = f"{self.prefix}/{model}" if base_url == default_url else f"{self.prefix}/{model}@{base_url}"

    @staticmethod
    def _default_url() -> str:
        raise NotImplementedError

    @staticmethod
    def _default_key_env(base_url: str) -> str:
        raise NotImplementedError

    @staticmethod
    def _import_sdk() -> Any:
        raise NotImplementedError

    def _make_client(self) -> Any:
        raise NotImplementedError

    def _client(self) -> Any:
        """One SDK client per event loop: an httpx pool must not outlive the loop it was made in."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self._make_client()
        return client

    async def _with_retries(self, call: Callable[[Any], Awaitable[Reply]]) -> Reply:
        sdk, policy = self._sdk, self.policy
        sem = endpoint_limiter(self.endpoint)
        last = "no attempt made"
        tries = policy.max_retries + 1
        for attempt in range(tries):
            delay: float | None = None
            try:
                async with sem:
                    self.attempts += 1
                    async with asyncio.timeout(policy.timeout_s):
                        return await call(self._client())
            except (sdk.AuthenticationError, sdk.PermissionDeniedError) as exc:
                raise AuthError(
                    f"{self.endpoint} refused the credentials from ${self.key_env} "
                    f"(HTTP {exc.status_code}): {_status_message(exc)}"
                ) from None
            except sdk.APIStatusError as exc:
                status = exc.status_code
                if status == 429 or status >= 500 or status in (408, 409):
                    kind = "rate limited (HTTP 429)" if status == 429 else f"HTTP {status}"
                    last = f"{kind}: {_status_message(exc)}"
                    delay = retry_after_s(getattr(exc.response, "headers", None))
                else:
                    raise RequestRejected(
                        f"{self.endpoint} rejected the request for model '{self.model_name}' "
                        f"(HTTP {status}): {_status_message(exc)}"
                    ) from None
            except (sdk.APITimeoutError, TimeoutError):
                last = f"no reply within {policy.timeout_s:g} s"
            except sdk.APIConnectionError as exc:
                last = f"cannot reach {self.endpoint}: {_connection_reason(exc)}"
            except (_Malformed, json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = f"malformed reply ({_short(exc, 80)})"
            if attempt + 1 < tries:
                await asyncio.sleep(delay if delay is not None else policy.backoff(attempt, self._rng))
        if last.startswith("cannot reach"):
            raise EndpointError(f"{last} ({tries} attempts)")
        raise EndpointError(f"{self.endpoint}: {last} (gave up after {tries} attempts)")

    async def aclose(self) -> None:
        """Close the client of the current loop; clients of loops already gone are dropped with them."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.close()


class OpenAIModel(_RemoteModel, PromptProvider):
    """Any OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, Ollama, llama.cpp, DeepSeek, LM Studio)."""

    prefix = "openai"

    @staticmethod
    def _default_url() -> str:
        return os.environ.get("OPENAI_BASE_URL", "").rstrip("/") or "https://api.openai.com/v1"

    @staticmethod
    def _default_key_env(base_url: str) -> str:
        return "DEEPSEEK_API_KEY" if "deepseek.com" in base_url else "OPENAI_API_KEY"

    @staticmethod
    def _import_sdk() -> Any:
        import openai

        return openai

    @property
    def _reasoning(self) -> bool:
        """OpenAI's reasoning models reject temperature and take max_completion_tokens."""
        return self.model_name.split("/")[-1].startswith(("o1", "o3", "o4", "gpt-5"))

    @property
    def _takes_top_k(self) -> bool:
        """OpenAI itself rejects top_k; vLLM and most local servers take it as an extra body field."""
        return (urlparse(self.endpoint).hostname or "") != "api.openai.com"

    def _make_client(self) -> Any:
        return self._sdk.AsyncOpenAI(
            api_key=self._key, base_url=self.endpoint, max_retries=0, timeout=self.policy.timeout_s
        )

    def _sampling(self, kwargs: dict[str, Any], p: ChatParams) -> None:
        """Request fields shared by chat and raw completions; nothing is sent that the caller did not set."""
        if self._reasoning:
            if p.max_tokens is not None:
                kwargs["max_completion_tokens"] = p.max_tokens
        else:
            if p.max_tokens is not None:
                kwargs["max_tokens"] = p.max_tokens
            kwargs["temperature"] = p.temperature
            if p.top_p is not None:
                kwargs["top_p"] = p.top_p
            if p.top_k is not None and self._takes_top_k:
                kwargs["extra_body"] = {"top_k": p.top_k}
        if self.extra_body:  # -M role.key=value request-body fields; an explicit top_k above wins
            kwargs["extra_body"] = {**self.extra_body, **kwargs.get("extra_body", {})}
        if p.stop:
            kwargs["stop"] = list(p.stop)
        if p.seed is not None:
            kwargs["seed"] = int(p.seed)

    @staticmethod
    def _reply(resp: Any, text: str, latency: float) -> Reply:
        """Token counts as the server reports them; the contract estimates the ones it leaves out."""
        usage = getattr(resp, "usage", None)
        pt = getattr(usage, "prompt_tokens", None)
        ct = getattr(usage, "completion_tokens", None)
        details = getattr(usage, "completion_tokens_details", None)
        rt = getattr(details, "reasoning_tokens", None) if details is not None else None
        return Reply(
            text=text,
            prompt_tokens=int(pt) if pt is not None else None,
            completion_tokens=int(ct) if ct is not None else None,
            latency_s=latency,
            reasoning_tokens=int(rt) if isinstance(rt, int | float) else 0,
        )

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        """``max_tokens=None`` sends no cap (what reasoning models need unless the user sets one)."""
        kwargs: dict[str, Any] = {"model": self.model_name, "messages": messages}
        self._sampling(kwargs, params)

        async def call(client: Any) -> Reply:
            start = time.perf_counter()
            resp = await client.chat.completions.create(**kwargs)
            latency = time.perf_counter() - start
            try:
                content = resp.choices[0].message.content or ""
            except (AttributeError, IndexError, TypeError, KeyError):
                raise _Malformed(f"no choices in {_short(resp, 60)}") from None
            return self._reply(resp, content, latency)

        return await self._with_retries(call)

    async def _complete_prompt(self, prompt: str, params: ChatParams) -> Reply:
        """A raw text completion (``/v1/completions``): the caller rendered the chat template itself, so the
        server's template (which may trim or add a system prompt) never touches the prompt."""
        kwargs: dict[str, Any] = {"model": self.model_name, "prompt": prompt}
        self._sampling(kwargs, params)
        if self._takes_top_k:
            # the prompt carries its own BOS; vLLM would add a second one unless told not to
            kwargs["extra_body"] = {**kwargs.get("extra_body", {}), "add_special_tokens": False}

        async def call(client: Any) -> Reply:
            start = time.perf_counter()
            resp = await client.completions.create(**kwargs)
            latency = time.perf_counter() - start
            try:
                text = resp.choices[0].text or ""
            except (AttributeError, IndexError, TypeError, KeyError):
                raise _Malformed(f"no choices in {_short(resp, 60)}") from None
            return self._reply(resp, text, latency)

        return await self._with_retries(call)


def anthropic_messages(messages: Sequence[Message]) -> tuple[str, list[dict[str, str]]]:
    """Anthropic takes the system prompt apart and wants user/assistant turns alternating, starting with a
    user turn: system messages are joined, consecutive same-role turns merged."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[dict[str, str]] = []
    for m in messages:
        if m["role"] == "system":
            continue
        if turns and turns[-1]["role"] == m["role"]:
            turns[-1] = {"role": m["role"], "content": turns[-1]["content"] + "\n\n" + m["content"]}
        else:
            turns.append({"role": m["role"], "content": m["content"]})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "(continue)"})
    return system, turns


class AnthropicModel(_RemoteModel):
    """Claude through the official SDK (the ``anthropic`` extra)."""

    prefix = "anthropic"

    @staticmethod
    def _default_url() -> str:
        return "https://api.anthropic.com"

    @staticmethod
    def _default_key_env(base_url: str) -> str:
        return "ANTHROPIC_API_KEY"

    @staticmethod
    def _import_sdk() -> Any:
        try:
            import anthropic
        except ImportError:
            raise MissingExtraError("anthropic", "anthropic/ models") from None
        return anthropic

    @property
    def _takes_temperature(self) -> bool:
        """Recent SDKs dropped ``temperature`` from ``messages.create``; send it only where it exists."""
        if not hasattr(self, "_temperature_ok"):
            import inspect

            try:
                from anthropic.resources.messages import AsyncMessages

                params = inspect.signature(AsyncMessages.create).parameters
                self._temperature_ok = "temperature" in params or "kwargs" in params
            except (ImportError, AttributeError, TypeError, ValueError):
                self._temperature_ok = True
        return self._temperature_ok

    def _make_client(self) -> Any:
        return self._sdk.AsyncAnthropic(
            api_key=self._key, base_url=self.endpoint, max_retries=0, timeout=self.policy.timeout_s
        )

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        """``seed`` is accepted for the common interface; Anthropic has no seed parameter. The API requires a
        reply cap: ``max_tokens=None`` sends ``ANTHROPIC_DEFAULT_MAX_TOKENS``."""
        system, turns = anthropic_messages(messages)
        cap = ANTHROPIC_DEFAULT_MAX_TOKENS if params.max_tokens is None else params.max_tokens
        kwargs: dict[str, Any] = {"model": self.model_name, "messages": turns, "max_tokens": cap}
        if self._takes_temperature:
            kwargs["temperature"] = min(params.temperature, 1.0)
        if params.top_p is not None:
            kwargs["top_p"] = params.top_p
        if params.top_k is not None:
            kwargs["top_k"] = params.top_k
        if system:
            kwargs["system"] = system
        if params.stop:
            kwargs["stop_sequences"] = list(params.stop)
        if self.extra_body:
            kwargs["extra_body"] = self.extra_body

        async def call(client: Any) -> Reply:
            start = time.perf_counter()
            resp = await client.messages.create(**kwargs)
            latency = time.perf_counter() - start
            try:
                text = "".join(b.text for b in resp.content if getattr(b, "type", "") == "text")
                pt, ct = int(resp.usage.input_tokens), int(resp.usage.output_tokens)
            except (AttributeError, TypeError, ValueError):
                raise _Malformed(f"not a message: {_short(resp, 60)}") from None
            return Reply(text, pt, ct, latency)

        return await self._with_retries(call)
