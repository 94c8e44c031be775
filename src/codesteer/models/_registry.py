"""``get_model(spec)``: the one place a spec string becomes a model, so the CLI and the API agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.models._accounting import load_prices
from codesteer.models._cache import CachedModel, cache_disabled_by_env, open_cache
from codesteer.models._remote import AnthropicModel, OpenAIModel, RetryPolicy
from codesteer.models._scripted import ScriptedModel
from codesteer.models._types import ChatModel, ModelSpecError

_REMOTE_OPTIONS = frozenset({
    "timeout_s",
    "max_retries",
    "backoff_base_s",
    "backoff_max_s",
    "max_concurrency",
    "api_key_env",
    "api_key",
    "base_url",
    "prices",
    "retry_seed",
    "extra_body",
})
_LOCAL_OPTIONS = frozenset({"device", "dtype", "max_batch"})
_GGUF_OPTIONS = frozenset({"threads", "context", "max_batch"})
_COMMON_OPTIONS = frozenset({"cache", "cache_path"})
# options that change how a request travels, never what the model answers: a run's identity leaves them out
TRANSPORT_OPTIONS = frozenset({
    "timeout_s", "max_retries", "backoff_base_s", "backoff_max_s", "max_concurrency", "api_key_env", "api_key",
    "prices", "retry_seed", "cache", "cache_path", "device", "max_batch",
})


@dataclass(frozen=True)
class _Provider:
    """One spec prefix: the form shown in errors, the options it takes, how it is built from the text after the
    prefix, whether it travels over HTTP and whether its replies may be cached."""

    form: str
    options: frozenset[str]
    build: Callable[[str, str, dict[str, Any]], Any]  # (spec, rest, options) -> model
    remote: bool = False
    cached: bool = True


def _remote(provider: str) -> Callable[[str, str, dict[str, Any]], Any]:
    def build(spec: str, rest: str, options: dict[str, Any]) -> Any:
        name, _, url = rest.partition("@")
        if not name:
            raise _bad_spec(spec, "no model name")
        cls = OpenAIModel if provider == "openai" else AnthropicModel
        return cls(
            name,
            url or options.get("base_url"),
            api_key=options.get("api_key"),
            api_key_env=options.get("api_key_env"),
            policy=_policy(options),
            max_concurrency=int(options.get("max_concurrency", 16)),
            prices=load_prices(options.get("prices")),
            retry_seed=options.get("retry_seed"),
            extra_body=_extra_body(options.get("extra_body")),
        )

    return build


def _hf(spec: str, rest: str, options: dict[str, Any]) -> Any:
    from codesteer.models._transformers import LocalModel

    return LocalModel(rest, spec=f"hf/{rest}", device=options.get("device"), dtype=options.get("dtype"),
                      max_batch=_max_batch(options))


def _gguf_options(options: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {k: options[k] for k in ("threads", "context", "engine", "device", "dtype") if k in options}
    return {"max_batch": _max_batch(options), **extra}


def _embedded(spec: str, rest: str, options: dict[str, Any]) -> Any:
    from codesteer.models._embedded import embedded_model

    return embedded_model(rest, **_gguf_options(options))


def _gguf(spec: str, rest: str, options: dict[str, Any]) -> Any:
    from codesteer.models._llamacpp import gguf_model

    return gguf_model(rest, **_gguf_options(options))


def _scripted(spec: str, rest: str, options: dict[str, Any]) -> Any:
    return ScriptedModel.from_file(Path(rest))


# The one list of providers: get_model, option_names, is_remote and SPEC_FORMS all read it.
PROVIDERS: dict[str, _Provider] = {
    "openai": _Provider("openai/<model>[@<base_url>]", _REMOTE_OPTIONS, _remote("openai"), remote=True),
    "anthropic": _Provider("anthropic/<model>", _REMOTE_OPTIONS, _remote("anthropic"), remote=True),
    "hf": _Provider("hf/<path-or-id>", _LOCAL_OPTIONS, _hf),
    "embedded": _Provider("embedded/<name>", _LOCAL_OPTIONS | _GGUF_OPTIONS | {"engine"}, _embedded),
    "gguf": _Provider("gguf/<path>", _GGUF_OPTIONS, _gguf),
    "scripted": _Provider("scripted/<file>", frozenset(), _scripted, cached=False),  # never cached
}
SPEC_FORMS = tuple(p.form for p in PROVIDERS.values())


def _provider_of(spec: str) -> _Provider | None:
    return PROVIDERS.get(str(spec).partition("/")[0].strip().lower())


def option_names(spec: str) -> frozenset[str]:
    """The options ``get_model`` accepts for ``spec``'s provider (empty for an unknown provider)."""
    entry = _provider_of(spec)
    if entry is None:
        return frozenset()
    return (entry.options | _COMMON_OPTIONS) if entry.cached else entry.options


def is_remote(spec: str) -> bool:
    """True for providers reached over HTTP (the ones timeouts, retries and connection limits apply to)."""
    entry = _provider_of(spec)
    return entry is not None and entry.remote


def _bad_spec(spec: str, why: str = "") -> ModelSpecError:
    extra = f" ({why})" if why else ""
    return ModelSpecError(f"unknown model spec '{spec}'{extra}: expected one of {', '.join(SPEC_FORMS)}")


def _check_options(provider: str, options: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(options) - allowed - _COMMON_OPTIONS
    if unknown:
        raise ModelSpecError(
            f"{provider}/ models take no option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(allowed | _COMMON_OPTIONS))}"
        )


def _policy(options: dict[str, Any]) -> RetryPolicy:
    fields: dict[str, Any] = {
        k: options[k] for k in ("timeout_s", "max_retries", "backoff_base_s", "backoff_max_s") if k in options
    }
    try:
        typed: dict[str, Any] = {k: (int(v) if k == "max_retries" else float(v)) for k, v in fields.items()}
        policy = RetryPolicy(**typed)
    except (TypeError, ValueError) as exc:
        raise ModelSpecError(f"bad retry option: {exc}") from None
    if policy.timeout_s <= 0 or policy.max_retries < 0 or policy.backoff_base_s < 0:
        raise ModelSpecError("timeout_s must be > 0, max_retries and backoff_base_s >= 0")
    return policy


def _extra_body(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ModelSpecError(f"extra_body must be a mapping of request fields, got {value!r}")
    return dict(value) or None


def _max_batch(options: dict[str, Any]) -> int:
    try:
        value = int(options.get("max_batch", 16))
    except (TypeError, ValueError):
        raise ModelSpecError(f"max_batch must be a whole number, got {options.get('max_batch')!r}") from None
    if value < 1:
        raise ModelSpecError(f"max_batch must be >= 1, got {value}")
    return value


def get_model(spec: str, **options: Any) -> ChatModel:
    """Build a model from the same spec string the CLI takes.

    Options: ``timeout_s``, ``max_retries``, ``backoff_base_s``, ``backoff_max_s``, ``max_concurrency``,
    ``api_key_env`` / ``api_key``, ``base_url``, ``prices`` (mapping or YAML path), ``retry_seed``, ``extra_body``
    (fields added to every request body, e.g. vLLM's ``top_k``) for remote models; ``device``, ``dtype``,
    ``max_batch`` (requests decoded together, default 16) for hf/embedded; ``threads``, ``context`` (tokens per
    slot) for gguf/ and embedded/ on llama.cpp, ``engine`` (llamacpp or transformers) for embedded/; ``cache`` (default on; off also with
    ``CODESTEER_NO_CACHE=1``) and ``cache_path`` for every provider but scripted, which is never cached.
    """
    if not isinstance(spec, str) or "/" not in spec:
        raise _bad_spec(str(spec))
    provider, _, rest = spec.partition("/")
    provider = provider.strip().lower()
    rest = rest.strip()
    if not rest:
        raise _bad_spec(spec, "nothing after the provider")
    entry = PROVIDERS.get(provider)
    if entry is None:
        raise _bad_spec(spec, f"unknown provider '{provider}'")
    _check_options(provider, options, entry.options)
    model = entry.build(spec, rest, options)
    if entry.cached and bool(options.get("cache", True)) and not cache_disabled_by_env():
        return CachedModel(model, open_cache(options.get("cache_path")))
    return model
