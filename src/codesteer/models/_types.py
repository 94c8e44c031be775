"""The one interface every provider implements, and the errors a caller can act on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from codesteer.errors import CodesteerError

Message = dict[str, str]
ROLES = ("system", "user", "assistant")


class ModelError(CodesteerError):
    """Base of every model-layer error a user can fix or must know about."""


class ModelSpecError(ModelError):
    """A spec string (or its options) that names no model we can build."""


class MissingKeyError(ModelError):
    """The environment variable holding an API key is unset."""


class EndpointError(ModelError):
    """The endpoint could not be reached or kept failing after every retry."""


class AuthError(ModelError):
    """The endpoint refused our credentials (401/403): retrying cannot help."""


class RequestRejected(ModelError):
    """The endpoint rejected the request itself (other 4xx): retrying cannot help."""


@dataclass(frozen=True)
class Completion:
    """One model reply with what it cost; ``cost_usd`` is 0.0 when the price is unknown or the call was cached."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    model: str
    cached: bool = False
    cost_usd: float = 0.0
    reasoning_tokens: int = 0  # part of completion_tokens, when the API reports it (o-series, R1)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@runtime_checkable
class ChatModel(Protocol):
    """What the steering loop needs from any model: one async call and a way to release resources."""

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
    ) -> Completion: ...

    async def aclose(self) -> None: ...


def check_messages(messages: Sequence[Message]) -> list[Message]:
    """Validate once at the boundary so every provider can trust its input (a caller bug, hence ValueError)."""
    if not messages:
        raise ValueError("messages must not be empty")
    out: list[Message] = []
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            raise ValueError(f"message {i} is not a dict: {msg!r}")
        role, content = msg.get("role"), msg.get("content")
        if role not in ROLES:
            raise ValueError(f"message {i} has role {role!r}; expected one of {', '.join(ROLES)}")
        if not isinstance(content, str):
            raise ValueError(f"message {i} content must be a str, got {type(content).__name__}")
        out.append({"role": role, "content": content})
    return out


def check_params(temperature: float, max_tokens: int | None, top_p: float | None = None,
                 top_k: int | None = None) -> None:
    """``max_tokens=None`` means no cap of ours (the provider's own limit applies)."""
    if not 0.0 <= float(temperature) <= 2.0:
        raise ValueError(f"temperature must be in [0, 2], got {temperature}")
    if max_tokens is not None and int(max_tokens) < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
    if top_p is not None and not 0.0 < float(top_p) <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if top_k is not None and int(top_k) < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")


@dataclass(frozen=True)
class ChatParams:
    """The sampling parameters of one call, checked once: what every provider's ``_complete`` receives."""

    temperature: float = 0.0
    max_tokens: int | None = 1024  # None: no cap of ours
    stop: tuple[str, ...] | None = None  # None when no stop string was given
    seed: int | None = None
    top_p: float | None = None
    top_k: int | None = None

    @classmethod
    def checked(cls, temperature: float = 0.0, max_tokens: int | None = 1024, stop: Sequence[str] | None = None,
                seed: int | None = None, top_p: float | None = None, top_k: int | None = None) -> ChatParams:
        """Validate (``check_params``' messages) and normalise the public keyword arguments."""
        check_params(temperature, max_tokens, top_p, top_k)
        return cls(
            temperature=float(temperature),
            max_tokens=None if max_tokens is None else int(max_tokens),
            stop=tuple(stop) if stop else None,
            seed=seed,
            top_p=None if top_p is None else float(top_p),
            top_k=None if top_k is None else int(top_k),
        )

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments that rebuild these parameters on another model (unset top_p/top_k left out)."""
        return dict(temperature=self.temperature, max_tokens=self.max_tokens,
                    stop=list(self.stop) if self.stop else None, seed=self.seed,
                    **sampling_kwargs(self.top_p, self.top_k))


def sampling_kwargs(top_p: float | None, top_k: int | None) -> dict[str, float | int]:
    """The nucleus/top-k arguments that were set, for passing on to another model without adding defaults."""
    out: dict[str, float | int] = {}
    if top_p is not None:
        out["top_p"] = float(top_p)
    if top_k is not None:
        out["top_k"] = int(top_k)
    return out


_REASONING = re.compile(r"^(o1|o3|o4|gpt-5)|deepseek-reasoner|(^|[-_/.])r1($|[-_/.:])", re.IGNORECASE)


def is_reasoning_model(name: str) -> bool:
    """o1/o3/o4/gpt-5 families and DeepSeek-R1-style models: they think before answering, so a reply cap sized
    for ordinary models (the reference's 2000) cuts their reasoning and leaves no answer."""
    base = name.split("@", 1)[0].rsplit("/", 1)[-1]
    return bool(_REASONING.search(base))


def truncate_at_stop(text: str, stop: Sequence[str] | None) -> str:
    """OpenAI semantics: the reply ends before the first stop string, which is not included."""
    if not stop:
        return text
    cut = len(text)
    for s in stop:
        if s:
            i = text.find(s)
            if i != -1:
                cut = min(cut, i)
    return text[:cut]


def approx_tokens(text: str) -> int:
    """Whitespace words: a provider-independent estimate where no tokenizer is available."""
    return len(text.split())


def last_user_message(messages: Sequence[Message]) -> str:
    for msg in reversed(messages):
        if msg["role"] == "user":
            return msg["content"]
    return ""
