"""SQLite response cache: a re-run of an evaluation at temperature 0 costs nothing and returns the same text.

One file shared by every process of a machine; WAL journal and a busy timeout let several evaluation
processes read and write it at once (writes serialise inside SQLite, each a single short transaction).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from codesteer._sqlite import connect_wal
from codesteer.models._provider import ValidatedChat
from codesteer.models._types import ChatParams, Completion, Message, ModelError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def _add_reasoning_column(conn: sqlite3.Connection) -> None:
    """Cache files written before reasoning tokens were recorded gain the column (0 for their rows)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(responses)")}
    if "reasoning_tokens" in columns:
        return
    try:
        conn.execute("ALTER TABLE responses ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0")
    except sqlite3.OperationalError as exc:  # another process added it first
        if "duplicate column" not in str(exc):
            raise


def cache_dir() -> Path:
    """Where codesteer keeps caches: ``$CODESTEER_CACHE_DIR`` or ``~/.cache/codesteer``."""
    env = os.environ.get("CODESTEER_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "codesteer"


def cache_disabled_by_env() -> bool:
    return os.environ.get("CODESTEER_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no")


def cache_key(
    spec: str,
    messages: Sequence[Message],
    *,
    temperature: float,
    max_tokens: int | None,
    stop: Sequence[str] | None,
    seed: int | None,
    top_p: float | None = None,
    top_k: int | None = None,
) -> str:
    """Hash of everything that changes the reply; the seed only matters when sampling. Fields added later
    (``top_p``, ``top_k``, no cap) enter the hash only when set, so older cache entries keep their keys."""
    payload: dict[str, object] = {
        "spec": spec,
        "messages": [[m["role"], m["content"]] for m in messages],
        "temperature": float(temperature),
        "max_tokens": int(max_tokens) if max_tokens is not None else None,
        "stop": list(stop) if stop else None,
        "seed": seed if temperature > 0 else None,
    }
    if top_p is not None:
        payload["top_p"] = float(top_p)
    if top_k is not None:
        payload["top_k"] = int(top_k)
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Completions by request key; one connection per thread, since sqlite3 connections are not thread-safe."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._local = threading.local()
            self._conn()  # fail now, with a clear message, rather than on the first request
        except (OSError, sqlite3.Error) as exc:
            raise ModelError(f"cannot open response cache {self.path}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_wal(self.path, timeout=60.0, isolation_level=None)
            conn.execute(_SCHEMA)
            _add_reasoning_column(conn)
            self._local.conn = conn
        return conn

    def get(self, key: str) -> Completion | None:
        start = time.perf_counter()
        row = (
            self._conn()
            .execute(
                "SELECT text, prompt_tokens, completion_tokens, model, reasoning_tokens FROM responses WHERE key = ?",
                (key,),
            )
            .fetchone()
        )
        if row is None:
            return None
        text, pt, ct, model, rt = row
        return Completion(
            text=text,
            prompt_tokens=int(pt),
            completion_tokens=int(ct),
            latency_s=time.perf_counter() - start,
            model=model,
            cached=True,
            cost_usd=0.0,
            reasoning_tokens=int(rt or 0),
        )

    def put(self, key: str, spec: str, completion: Completion) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO responses (key, spec, text, prompt_tokens, completion_tokens, latency_s, model, "
            "created, reasoning_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                spec,
                completion.text,
                completion.prompt_tokens,
                completion.completion_tokens,
                completion.latency_s,
                completion.model,
                time.time(),
                getattr(completion, "reasoning_tokens", 0) or 0,
            ),
        )

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


_CACHES: dict[Path, ResponseCache] = {}
_CACHES_LOCK = threading.Lock()


def open_cache(path: str | Path | None = None) -> ResponseCache:
    """The process-wide cache for a file (default ``<cache dir>/responses.sqlite``)."""
    p = Path(path).expanduser() if path else cache_dir() / "responses.sqlite"
    p = p.resolve()
    with _CACHES_LOCK:
        if p not in _CACHES:
            _CACHES[p] = ResponseCache(p)
        return _CACHES[p]


class CachedModel(ValidatedChat):
    """Serves temperature-0 requests from the cache; anything sampled goes to the model every time."""

    def __init__(self, inner, cache: ResponseCache) -> None:
        self.inner = inner
        self.spec: str = inner.spec
        self.cache = cache
        # request-body fields (vLLM's top_k, ...) change the reply, so they are part of the key
        extra = getattr(inner, "extra_body", None)
        self._key_spec = self.spec + ("#" + json.dumps(extra, sort_keys=True) if extra else "")

    async def _chat(self, messages: list[Message], params: ChatParams) -> Completion:
        if params.temperature > 0:
            return await self.inner.chat(messages, **params.kwargs())
        key = cache_key(self._key_spec, messages, **params.kwargs())
        return await self._cached(key, lambda: self.inner.chat(messages, **params.kwargs()))

    async def complete(self, prompt: str, *, temperature: float = 0.0, **params: Any) -> Completion:
        """Raw completions share the cache; the prompt is keyed as one message of role ``prompt``."""
        if temperature > 0:
            return await self.inner.complete(prompt, temperature=temperature, **params)
        key = cache_key(self.spec, [{"role": "prompt", "content": prompt}], temperature=temperature,
                        max_tokens=params.get("max_tokens", 1024), stop=params.get("stop"), seed=params.get("seed"),
                        top_p=params.get("top_p"), top_k=params.get("top_k"))
        return await self._cached(key, lambda: self.inner.complete(prompt, temperature=temperature, **params))

    async def _cached(self, key: str, call: Callable[[], Awaitable[Completion]]) -> Completion:
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        completion = await call()
        self.cache.put(key, self.spec, completion)
        return replace(completion, cached=False)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)
