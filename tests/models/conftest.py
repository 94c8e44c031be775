"""Fixtures: a private cache dir per test, and a fault-injecting OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import collections
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from codesteer.models import ModelServer, ScriptedModel


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch) -> None:
    """No test reads or writes the user's cache or sees their keys and endpoints."""
    monkeypatch.setenv("CODESTEER_CACHE_DIR", str(tmp_path / "cache"))
    for var in (
        "CODESTEER_NO_CACHE",
        "CODESTEER_PRICES",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
    ):
        monkeypatch.delenv(var, raising=False)


class Faults:
    """A queue of misbehaviours, consumed one per chat request; an empty queue means behave normally."""

    def __init__(self) -> None:
        self.queue: collections.deque[tuple[str, Any]] = collections.deque()
        self.chat_requests = 0
        self.bodies: list[Any] = []
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def add(self, kind: str, arg: Any = None, times: int = 1) -> Faults:
        for _ in range(times):
            self.queue.append((kind, arg))
        return self

    def __call__(self, path: str, body: Any) -> tuple[int, dict[str, str], bytes] | None:
        if not path.endswith("/chat/completions"):
            return None
        with self._lock:
            self.chat_requests += 1
            self.bodies.append(body)
            self.arrivals.append(time.monotonic())
            kind, arg = self.queue.popleft() if self.queue else ("ok", None)
        if kind == "ok":
            return None
        if kind == "sleep":  # a slow reply: answer normally, late
            time.sleep(arg)
            return None
        if kind == "status":  # (code, headers)
            code, headers = arg
            return (
                code,
                headers,
                json.dumps({"error": {"message": f"injected {code}", "code": code}}).encode(),
            )
        if kind == "raw":  # (code, content type, bytes)
            code, ctype, payload = arg
            return code, {"Content-Type": ctype}, payload
        raise AssertionError(f"unknown fault {kind}")


class Served:
    def __init__(self, server: ModelServer, faults: Faults, model: Any) -> None:
        self.server, self.faults, self.model = server, faults, model
        self.url = server.url


@pytest.fixture
def serve_model() -> Iterator[Any]:
    """Start ``ModelServer`` around a model on 127.0.0.1:0 with a fault queue; closed after the test."""
    started: list[ModelServer] = []

    def start(model: Any | None = None, *, api_key: str | None = None) -> Served:
        model = model or ScriptedModel(rules=[(r"2\s*\+\s*2", "4")], default="hello from the script")
        faults = Faults()
        server = ModelServer(model, "127.0.0.1", 0, api_key=api_key, intercept=faults).start()
        started.append(server)
        return Served(server, faults, model)

    yield start
    for server in started:
        server.close()
