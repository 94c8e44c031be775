"""In-process transformers models: ``hf/<path-or-id>`` and ``embedded/<name>`` on the transformers engine.

A model is loaded once per process and shared by every ``LocalModel`` that names it (the reference code
reloaded its guide from disk on every call). Generation runs in one decode thread per model that batches all
calls in flight (``_batching``), so the event loop stays responsive and concurrent samples share each step.
torch and transformers are imported only when such a model is built.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.models._batching import _Batcher, _Request
from codesteer.models._provider import PromptProvider, Reply
from codesteer.models._types import ChatParams, Message, ModelError, ModelSpecError

# Used only when a tokenizer ships no template of its own (SmolLM2's GGUF does ship one).
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def _import_torch() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ModelError(f"hf/ and embedded/ models need torch and transformers: {exc}") from None
    return torch, transformers


class _quiet_progress:
    """transformers draws progress bars on every load; a CLI user wants one line, not three bars."""

    def __enter__(self) -> None:
        from transformers.utils import logging as hf_logging

        self._was = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()

    def __exit__(self, *exc: object) -> None:
        from transformers.utils import logging as hf_logging

        if self._was:
            hf_logging.enable_progress_bar()


@dataclass
class _Loaded:
    model: Any
    tokenizer: Any
    source: str
    device: str
    load_s: float
    eos_ids: frozenset[int]
    context: int
    max_batch: int = 16
    batcher: _Batcher = field(init=False)

    def __post_init__(self) -> None:
        self.batcher = _Batcher(self)


_LOADED: dict[tuple[str, str, str], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _default_device(torch: Any) -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_local(
    source: str, *, device: str | None = None, dtype: str | None = None, max_batch: int = 16
) -> _Loaded:
    """Load (or reuse) a transformers causal LM; keyed by resolved path, device and dtype.

    ``max_batch`` caps the requests decoded together; the first load of a model sets it for every user.
    """
    torch, transformers = _import_torch()
    path = Path(source).expanduser()
    if path.exists():
        ident = str(path.resolve())
    elif source.startswith(("/", ".", "~")) or source.count("/") > 1:
        raise ModelError(f"cannot load hf model '{source}': no such folder")
    else:
        ident = source  # a hub id, found in the local Hugging Face cache (or downloaded when online)
    device = device or _default_device(torch)
    if dtype is None:
        dtype = "float32" if device == "cpu" else "bfloat16"
    key = (ident, device, dtype)
    with _LOAD_LOCK:
        if key in _LOADED:
            return _LOADED[key]
        if not hasattr(torch, dtype) or not isinstance(getattr(torch, dtype), torch.dtype):
            raise ModelSpecError(f"unknown dtype '{dtype}' (use float32, bfloat16 or float16)")
        start = time.perf_counter()
        try:
            with _quiet_progress():
                tok = transformers.AutoTokenizer.from_pretrained(ident)
                model = transformers.AutoModelForCausalLM.from_pretrained(ident, dtype=getattr(torch, dtype))
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"cannot load hf model '{source}': {first}") from None
        model.to(device)
        model.eval()
        if tok.chat_template is None:
            tok.chat_template = CHATML_TEMPLATE
        eos: set[int] = set()
        for ids in (tok.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
            if isinstance(ids, int):
                eos.add(ids)
            elif ids:
                eos.update(int(i) for i in ids)
        context = int(getattr(model.config, "max_position_embeddings", 0) or 0) or 1 << 30
        loaded = _Loaded(
            model=model,
            tokenizer=tok,
            max_batch=max_batch,
            source=ident,
            device=device,
            load_s=time.perf_counter() - start,
            eos_ids=frozenset(eos),
            context=context,
        )
        _LOADED[key] = loaded
        return loaded


class LocalModel(PromptProvider):
    """A transformers model in this process; ``Completion.cost_usd`` is always 0."""

    def __init__(
        self,
        source: str,
        *,
        spec: str,
        device: str | None = None,
        dtype: str | None = None,
        max_batch: int = 16,
    ) -> None:
        self.spec = spec
        self.loaded = load_local(source, device=device, dtype=dtype, max_batch=max_batch)

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        return await self._generate(messages, None, params)

    async def _complete_prompt(self, prompt: str, params: ChatParams) -> Reply:
        """Continue ``prompt`` as given (special tokens in it are tokenised as such; nothing is added or trimmed)."""
        return await self._generate([], prompt, params)

    async def _generate(self, msgs: list[Message], prompt: str | None, p: ChatParams) -> Reply:
        req = _Request(msgs, p.temperature, p.max_tokens, list(p.stop) if p.stop else None, p.seed,
                       concurrent.futures.Future(), top_p=p.top_p, top_k=p.top_k, prompt=prompt)
        self.loaded.batcher.submit(req)
        text, pt, ct = await asyncio.wrap_future(req.future)
        return Reply(text, pt, ct)

    async def aclose(self) -> None:
        """The weights stay loaded for other users in this process."""
        return None
