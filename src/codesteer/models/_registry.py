"""``get_model(spec)``: the one place a spec string becomes a model, so the CLI and the API agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codesteer.models._accounting import load_prices
from codesteer.models._cache import CachedModel, cache_disabled_by_env, open_cache
from codesteer.models._remote import RetryPolicy
from codesteer.models._scripted import ScriptedModel
from codesteer.models._types import ChatModel, ModelSpecError

SPEC_FORMS = (
    "openai/<model>[@<base_url>]",
    "anthropic/<model>",
    "hf/<path-or-id>",
    "embedded/<name>",
    "gguf/<path>",
    "scripted/<file>",
)

_REMOTE_OPTIONS = {
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
}
_LOCAL_OPTIONS = {"device", "dtype", "max_batch"}
_GGUF_OPTIONS = {"threads", "context", "max_batch"}
_COMMON_OPTIONS = {"cache", "cache_path"}
# options that change how a request travels, never what the model answers: a run's identity leaves them out
TRANSPORT_OPTIONS = frozenset({
    "timeout_s", "max_retries", "backoff_base_s", "backoff_max_s", "max_concurrency", "api_key_env", "api_key",
    "prices", "retry_seed", "cache", "cache_path", "device", "max_batch",
})


def option_names(spec: str) -> frozenset[str]:
    """The options ``get_model`` accepts for ``spec``'s provider (empty for an unknown provider)."""
    provider = str(spec).partition("/")[0].strip().lower()
    if provider in ("openai", "anthropic"):
        return frozenset(_REMOTE_OPTIONS | _COMMON_OPTIONS)
    if provider == "hf":
        return frozenset(_LOCAL_OPTIONS | _COMMON_OPTIONS)
    if provider == "embedded":
        return frozenset(_LOCAL_OPTIONS | _GGUF_OPTIONS | {"engine"} | _COMMON_OPTIONS)
    if provider == "gguf":
        return frozenset(_GGUF_OPTIONS | _COMMON_OPTIONS)
    return frozenset()


def is_remote(spec: str) -> bool:
    """True for providers reached over HTTP (the ones timeouts, retries and connection limits apply to)."""
    return str(spec).partition("/")[0].strip().lower() in ("openai", "anthropic")


def _bad_spec(spec: str, why: str = "") -> ModelSpecError:
    extra = f" ({why})" if why else ""
    return ModelSpecError(f"unknown model spec '{spec}'{extra}: expected one of {', '.join(SPEC_FORMS)}")


def _check_options(provider: str, options: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed - _COMMON_OPTIONS
    if unknown:
        raise ModelSpecError(
            f"{provider}/ models take no option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(allowed | _COMMON_OPTIONS))}"
        )


def _policy(options: dict[str, Any]) -> RetryPolicy:
    fields = {
        k: options[k] for k in ("timeout_s", "max_retries", "backoff_base_s", "backoff_max_s") if k in options
    }
    try:
        policy = RetryPolicy(**{k: (int(v) if k == "max_retries" else float(v)) for k, v in fields.items()})
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
    use_cache = bool(options.get("cache", True)) and not cache_disabled_by_env()
    model: Any
    if provider in ("openai", "anthropic"):
        _check_options(provider, options, _REMOTE_OPTIONS)
        name, _, url = rest.partition("@")
        if not name:
            raise _bad_spec(spec, "no model name")
        base_url = url or options.get("base_url")
        common = dict(
            api_key=options.get("api_key"),
            api_key_env=options.get("api_key_env"),
            policy=_policy(options),
            max_concurrency=int(options.get("max_concurrency", 16)),
            prices=load_prices(options.get("prices")),
            retry_seed=options.get("retry_seed"),
            extra_body=_extra_body(options.get("extra_body")),
        )
        if provider == "openai":
            from codesteer.models._remote import OpenAIModel

            model = OpenAIModel(name, base_url, **common)
        else:
            from codesteer.models._remote import AnthropicModel

            model = AnthropicModel(name, base_url, **common)
    elif provider == "hf":
        _check_options(provider, options, _LOCAL_OPTIONS)
        from codesteer.models._transformers import LocalModel

        model = LocalModel(rest, spec=f"hf/{rest}", device=options.get("device"), dtype=options.get("dtype"),
                           max_batch=_max_batch(options))
    elif provider in ("embedded", "gguf"):
        _check_options(provider, options, _GGUF_OPTIONS | (_LOCAL_OPTIONS | {"engine"} if provider == "embedded" else set()))
        from codesteer.models._embedded import embedded_model
        from codesteer.models._llamacpp import gguf_model

        extra = {k: options[k] for k in ("threads", "context", "engine", "device", "dtype") if k in options}
        model = (embedded_model if provider == "embedded" else gguf_model)(rest, max_batch=_max_batch(options), **extra)
    elif provider == "scripted":
        _check_options(provider, options, set())
        return ScriptedModel.from_file(Path(rest))
    else:
        raise _bad_spec(spec, f"unknown provider '{provider}'")
    if use_cache:
        return CachedModel(model, open_cache(options.get("cache_path")))
    return model
