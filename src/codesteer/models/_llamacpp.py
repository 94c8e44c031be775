"""GGUF models on llama.cpp in this process (``xllamacpp``): ``gguf/<path>`` and, by default, ``embedded/<name>``.

One llama.cpp server per loaded file, shared by every model object that names it: its ``n_parallel`` slots
decode all calls in flight together (continuous batching in C++; on 2 cores it decodes the 1.5B 4.4x
faster than our transformers batcher with one request in flight, see ``benchmarks/models_bench.py``).
Each call runs in a worker thread and streams, so an asyncio cancellation stops its slot at the next token.
Each slot has its own KV cache (``kv_unified`` off): with a shared cache, concurrent calls with the same seed
gave different replies here; with separate ones a reply depends only on its request.

The binding also opens an HTTP listener; it is bound to 127.0.0.1 on a free port and guarded by a random key
nobody is told, so only this process can use the server.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codesteer.models._gguf import GGUFInfo, read_gguf_info
from codesteer.models._provider import Provider, Reply
from codesteer.models._types import ChatParams, Message, ModelError, ModelSpecError, RequestRejected

DEFAULT_CONTEXT = 4096  # tokens per slot (prompt + reply)


def default_threads() -> int:
    """Half the CPUs this process may use, at least one.

    llama.cpp's threads spin-wait for each other at every step, so when they outnumber the free cores they
    collapse: on 2 cores shared with a sandbox and other work, 2 threads decoded SmolLM2 at 3-8 tokens/s where
    1 thread did 22-40. Half leaves room for the sandbox and the steering loop itself.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, cpus // 2)


def import_xllamacpp() -> Any:
    """The binding, or a ``ModelError`` saying why it cannot be used (callers may fall back on transformers)."""
    try:
        import xllamacpp
    except (ImportError, OSError) as exc:  # OSError: a shared library that does not load on this machine
        raise ModelError(f"llama.cpp binding unavailable ({type(exc).__name__}: {exc}); pip install xllamacpp") from None
    return xllamacpp


# llama.cpp's names for the x86 kernel sets that decide its speed, with the /proc/cpuinfo flag of each
_X86_KERNELS = (("AVX2", "avx2"), ("AVX512", "avx512f"), ("AVX512_VNNI", "avx512_vnni"), ("AVX_VNNI", "avx_vnni"),
                ("AMX_INT8", "amx_int8"))


def cpu_kernels(system_info: str, cpu_flags: Iterable[str]) -> tuple[list[str], list[str]]:
    """The kernel sets a llama.cpp build uses (read from its system-info line), and those this CPU has but the
    build does not use.

    The PyPI wheel is built for any x86-64 with AVX2; on a CPU with AVX-512 a build from source prefills faster
    (1.5-1.7x for the 1.5B here; one request decodes no faster). A line that does not read as llama.cpp's
    gives two empty lists: no claim either way.
    """
    on = {m.group(1) for m in re.finditer(r"\b([A-Z0-9_]+) = 1\b", system_info)}
    if not system_info.lstrip().startswith("CPU :") or not on:
        return [], []
    flags = set(cpu_flags)
    return ([name for name, _ in _X86_KERNELS if name in on],
            [name for name, flag in _X86_KERNELS if flag in flags and name not in on])


def _cpu_flags() -> list[str]:
    """This CPU's feature flags (Linux); none where /proc/cpuinfo cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return line.partition(":")[2].split()
    except OSError:
        pass
    return []


def llamacpp_build() -> dict[str, Any]:
    """What ``codesteer models`` says of the binding: its version, the kernels it runs, the CPU features it leaves
    unused. Raises ``ModelError`` where the binding cannot be imported."""
    xl = import_xllamacpp()
    kernels, unused = cpu_kernels(str(xl.get_system_info()), _cpu_flags())
    return {"version": xl.__version__, "kernels": kernels, "unused_cpu_features": unused}


def _positive_int(name: str, value: Any, default: int | None) -> int | None:
    if value is None:
        return default
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise ModelSpecError(f"{name} must be a whole number, got {value!r}") from None
    if out < 1:
        raise ModelSpecError(f"{name} must be >= 1, got {out}")
    return out


class _Engine:
    """One llama.cpp server and the worker threads that feed it; shared through ``_ENGINES``."""

    def __init__(self, info: GGUFInfo, *, threads: int, context: int, parallel: int) -> None:
        xl = import_xllamacpp()
        self.info, self.parallel = info, parallel
        self.context = min(context, info.context_length) if info.context_length else context
        p = xl.CommonParams()
        p.model.path = str(info.path)
        p.n_parallel = parallel
        p.n_ctx = self.context * parallel
        p.kv_unified = False
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.hostnames = ["127.0.0.1"]
        p.port = 0
        p.api_keys = [secrets.token_urlsafe(32)]
        p.ui = False
        p.endpoint_slots = False
        p.cache_ram_mib = 0  # no host-memory prompt cache growing behind our back
        p.warmup = False
        p.verbosity = -1
        start = time.perf_counter()
        try:
            self.server: Any = xl.Server(p)
        except Exception as exc:  # noqa: BLE001 - the binding raises RuntimeError with no detail
            raise ModelError(
                f"llama.cpp could not load {info.path} ({info.architecture}, {info.size:,} bytes): "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
            ) from None
        self.load_s = time.perf_counter() - start
        self.pool = concurrent.futures.ThreadPoolExecutor(parallel, thread_name_prefix="codesteer-llamacpp")
        self.users = 0
        self.closed = False
        self._inflight: set[threading.Event] = set()
        self._lock = threading.Lock()

    def complete(self, body: dict[str, Any], cancel: threading.Event) -> tuple[str, int, int]:
        """Blocking: stream one chat completion; returns (text, prompt tokens, completion tokens)."""
        parts: list[str] = []
        usage: dict[str, Any] = {}
        error: list[Any] = []

        def on_chunk(chunk: Any) -> bool:  # True stops the stream; llama.cpp then frees the slot
            if isinstance(chunk, dict) and "error" in chunk:
                error.append(chunk["error"])
                return True
            if isinstance(chunk, dict):
                for choice in chunk.get("choices") or ():
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        parts.append(piece)
                if chunk.get("usage"):
                    usage.update(chunk["usage"])
            return cancel.is_set()

        with self._lock:
            if self.closed:
                raise ModelError(f"the llama.cpp server for {self.info.path} is closed")
            self._inflight.add(cancel)
        try:
            self.server.handle_chat_completions(body, on_chunk)
        finally:
            with self._lock:
                self._inflight.discard(cancel)
        if cancel.is_set():
            raise ModelError("generation cancelled")
        if error:
            err = error[0] if isinstance(error[0], dict) else {"message": str(error[0])}
            message = " ".join(str(err.get("message", err)).split())
            if 400 <= int(err.get("code", 500) or 500) < 500:
                raise RequestRejected(f"llama.cpp rejected the request: {message}")
            raise ModelError(f"llama.cpp failed: {message}")
        return "".join(parts), int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))

    def close(self) -> None:
        """Stop every call in flight, wait for the workers, then end the server's loop thread."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            for ev in self._inflight:
                ev.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.server = None  # the binding's destructor terminates the loop and joins its thread


_ENGINES: dict[tuple[str, int, int, int], _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _acquire(path: Path, *, threads: int, context: int, parallel: int,
             check: GGUFInfo | None = None) -> _Engine:
    info = check or read_gguf_info(path)
    key = (str(info.path.resolve()), threads, context, parallel)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None or engine.closed:
            engine = _ENGINES[key] = _Engine(info, threads=threads, context=context, parallel=parallel)
        engine.users += 1
        return engine


def _release(engine: _Engine) -> None:
    with _ENGINES_LOCK:
        engine.users -= 1
        if engine.users > 0:
            return
        for key, value in list(_ENGINES.items()):
            if value is engine:
                del _ENGINES[key]
    engine.close()


@atexit.register
def close_all() -> None:
    """End every server (also at interpreter exit, so no loop thread outlives the interpreter)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.close()


class LlamaCppModel(Provider):
    """A GGUF file served by llama.cpp in this process; ``Completion.cost_usd`` is always 0.

    ``max_batch`` is the number of slots (calls decoded together); ``context`` the tokens of each slot;
    ``threads`` the CPU threads (default: half the usable CPUs, see ``default_threads``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        spec: str,
        threads: Any = None,
        context: Any = None,
        max_batch: Any = None,
        info: GGUFInfo | None = None,
    ) -> None:
        self.spec = spec
        self.engine: _Engine | None = _acquire(
            Path(path).expanduser(),
            threads=_positive_int("threads", threads, None) or default_threads(),
            context=_positive_int("context", context, DEFAULT_CONTEXT) or DEFAULT_CONTEXT,
            parallel=_positive_int("max_batch", max_batch, 16) or 16,
            check=info,
        )

    async def _complete(self, messages: list[Message], params: ChatParams) -> Reply:
        """``seed`` defaults to 0 so that sampling is reproducible, as on the transformers path; ``max_tokens=None``
        leaves the reply capped by the slot's context only."""
        engine = self.engine
        if engine is None:
            raise ModelError(f"{self.spec} is closed")
        body: dict[str, Any] = {
            "messages": messages,
            "temperature": params.temperature,
            "seed": int(params.seed) % 0xFFFFFFFF if params.seed is not None else 0,  # 0xFFFFFFFF would mean "random"
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if params.max_tokens is not None:
            body["max_tokens"] = params.max_tokens
        stops = [s for s in params.stop or () if s]
        if stops:
            body["stop"] = stops
        if params.top_p is not None:
            body["top_p"] = params.top_p
        if params.top_k is not None:
            body["top_k"] = params.top_k
        cancel = threading.Event()
        try:
            future = engine.pool.submit(engine.complete, body, cancel)
        except RuntimeError:  # the pool was shut down by close()
            raise ModelError(f"{self.spec} is closed") from None
        try:
            text, pt, ct = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            cancel.set()  # a call already running stops at its next token; a queued one never starts
            raise
        return Reply(text, pt, ct)

    async def aclose(self) -> None:
        """Release this model's hold; the last holder's close ends the server (in a thread: it joins)."""
        engine, self.engine = self.engine, None
        if engine is not None:
            await asyncio.to_thread(_release, engine)


def gguf_model(path: str, **options: Any) -> LlamaCppModel:
    """``gguf/<path>``: any GGUF file with a chat template (llama.cpp's built-in ChatML otherwise)."""
    return LlamaCppModel(path, spec=f"gguf/{path}", **options)
