"""Every model behind one async interface: ``get_model(spec)`` then ``await model.chat(messages)``.

Providers: OpenAI-compatible endpoints, Anthropic, in-process transformers and llama.cpp models, embedded offline
defaults and scripted models for tests. Retries, timeouts, a response cache and token/cost accounting live
here once. Importing this package does not import torch; building an hf/ model (or an embedded/ one on the
transformers engine) does.
"""

from codesteer.models._accounting import cost_usd, load_prices, price_for
from codesteer.models._cache import CachedModel, ResponseCache, cache_dir, cache_key, open_cache
from codesteer.models._embedded import (
    EMBEDDED,
    EMBEDDED_ALIASES,
    embedded_caps,
    embedded_engine,
    embedded_path,
    find_embedded_gguf,
)
from codesteer.models._llamacpp import llamacpp_build
from codesteer.models._packaged import packaged_models
from codesteer.models._registry import SPEC_FORMS, TRANSPORT_OPTIONS, get_model, is_remote, option_names
from codesteer.models._remote import RetryPolicy, waiting_calls
from codesteer.models._scripted import ScriptedModel
from codesteer.models._server import ModelServer, serve
from codesteer.models._types import (
    AuthError,
    ChatModel,
    Completion,
    EndpointError,
    Message,
    MissingKeyError,
    ModelError,
    ModelSpecError,
    RequestRejected,
    is_reasoning_model,
    sampling_kwargs,
)

__all__ = [
    "embedded_engine",
    "llamacpp_build",
    "packaged_models",
    "EMBEDDED",
    "EMBEDDED_ALIASES",
    "SPEC_FORMS",
    "TRANSPORT_OPTIONS",
    "AuthError",
    "CachedModel",
    "ChatModel",
    "Completion",
    "EndpointError",
    "Message",
    "MissingKeyError",
    "ModelError",
    "ModelServer",
    "ModelSpecError",
    "RequestRejected",
    "ResponseCache",
    "RetryPolicy",
    "ScriptedModel",
    "cache_dir",
    "cache_key",
    "cost_usd",
    "embedded_caps",
    "embedded_path",
    "find_embedded_gguf",
    "get_model",
    "is_remote",
    "is_reasoning_model",
    "load_prices",
    "open_cache",
    "option_names",
    "price_for",
    "sampling_kwargs",
    "serve",
    "waiting_calls",
]
