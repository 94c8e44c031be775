"""An OpenAI-compatible server in front of any ChatModel, so one loaded guide serves many processes.

Standard library only (``http.server``): the model's coroutines run on one event loop in a background thread,
request handlers (one thread each) hand them over and wait. Non-streaming ``/v1/chat/completions``,
``/v1/completions`` (a raw prompt, for clients that render the chat template themselves) and ``/v1/models``
are enough for the ``openai/<model>@<url>`` client, vLLM's own server being the answer for
big models.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from codesteer.models._types import ChatModel, ModelError, RequestRejected

MAX_N = 16  # choices per request; more is a mistake (or an attempt to tie the server up)

# (path, parsed JSON body or None) -> None to go on, or (status, headers, body bytes) to answer instead.
Intercept = Callable[[str, Any], tuple[int, dict[str, str], bytes] | None]


def _error_body(message: str, kind: str, code: int) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": code}}).encode()


class ModelServer:
    """Serve ``model`` on ``host:port`` (port 0 picks a free one) from a background thread.

    ``api_key``: when set, requests must carry ``Authorization: Bearer <api_key>`` (401 otherwise).
    ``intercept``: a hook that may answer a request itself (used to inject faults in tests and demos).
    """

    def __init__(
        self,
        model: ChatModel,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        intercept: Intercept | None = None,
    ) -> None:
        self.model = model
        self.api_key = api_key
        self.intercept = intercept
        self.requests = 0
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(
            target=self._loop.run_forever, name="model-server-loop", daemon=True
        )
        handler = type("_BoundHandler", (_Handler,), {"server_ref": self})
        try:
            self._httpd = _QuietServer((host, port), handler)
        except OSError as exc:
            self._loop.close()
            raise ModelError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self._httpd.daemon_threads = True
        self._http_thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="model-server", daemon=True
        )
        self._started = False

    @property
    def url(self) -> str:
        """Base URL for an OpenAI client (ends in ``/v1``)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> ModelServer:
        if not self._started:
            self._loop_thread.start()
            self._http_thread.start()
            self._started = True
        return self

    def _params(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Sampling parameters of an OpenAI request body (vLLM's ``top_k`` extra field included) and ``n``."""
        if body.get("stream"):
            raise RequestRejected("streaming is not supported by codesteer serve")
        stop = body.get("stop")
        if isinstance(stop, str):
            stop = [stop]
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
        n = body.get("n", 1)
        if n is None:
            n = 1
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_N:
            raise RequestRejected(f"'n' must be a whole number from 1 to {MAX_N}")
        params: dict[str, Any] = dict(
            temperature=float(body.get("temperature", 0.0) or 0.0),
            max_tokens=int(max_tokens) if max_tokens else 1024,
            stop=stop,
            seed=body.get("seed"),
        )
        for name, kind in (("top_p", float), ("top_k", int)):
            value = body.get(name)
            if value is not None and not (name == "top_k" and value == -1):  # vLLM's -1 means "off"
                params[name] = kind(value)
        return params, n

    def _run(self, make: Callable[[dict[str, Any]], Any], params: dict[str, Any], n: int) -> list[Any]:
        """Run ``n`` generations on the server loop; with a seed, choice i samples with seed + i."""
        if not self._loop.is_running():
            raise ModelError("server is shutting down")
        futures = []
        for i in range(n):
            p = dict(params)
            if p.get("seed") is not None and i:
                p["seed"] = int(p["seed"]) + i
            coro = make(p)
            try:
                futures.append(asyncio.run_coroutine_threadsafe(coro, self._loop))
            except RuntimeError:  # the loop closed between the check and the call
                coro.close()
                raise ModelError("server is shutting down") from None
        return [f.result() for f in futures]

    @staticmethod
    def _usage(completions: list[Any]) -> dict[str, int]:
        pt = completions[0].prompt_tokens if completions else 0  # one prompt, n samples
        ct = sum(c.completion_tokens for c in completions)
        return {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}

    def run_chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """Validate an OpenAI chat request body, run the model on the server loop, shape the reply."""
        messages = body.get("messages")
        if not isinstance(messages, list):
            raise RequestRejected("'messages' must be a list")
        params, n = self._params(body)
        cs = self._run(lambda p: self.model.chat(messages, **p), params, n)
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model.spec,
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": c.text}, "finish_reason": "stop"}
                for i, c in enumerate(cs)
            ],
            "usage": self._usage(cs),
        }

    def run_completion(self, body: dict[str, Any]) -> dict[str, Any]:
        """``/v1/completions``: the prompt goes to the model as given, no chat template (raw-prompt clients)."""
        prompt = body.get("prompt")
        if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
            prompt = prompt[0]
        if not isinstance(prompt, str) or not prompt:
            raise RequestRejected("'prompt' must be a non-empty string")
        complete = getattr(self.model, "complete", None)
        if complete is None:
            raise RequestRejected(f"{self.model.spec} takes chat requests only (/v1/chat/completions)")
        params, n = self._params(body)
        cs = self._run(lambda p: complete(prompt, **p), params, n)
        return {
            "id": f"cmpl-{next(self._ids)}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.model.spec,
            "choices": [{"index": i, "text": c.text, "logprobs": None, "finish_reason": "stop"}
                        for i, c in enumerate(cs)],
            "usage": self._usage(cs),
        }

    def close(self) -> None:
        if self._started:
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._started:
            asyncio.run_coroutine_threadsafe(self.model.aclose(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop_thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()
        self._started = False

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the stdlib's 5 resets connections when 32 clients connect at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (it timed out and retried) is routine, not a traceback on stderr."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    server_ref: ModelServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorized(self) -> bool:
        key = self.server_ref.api_key
        if key is None:
            return True
        if self.headers.get("Authorization", "") == f"Bearer {key}":
            return True
        self._send(401, _error_body("invalid API key", "authentication_error", 401))
        return False

    def _intercepted(self, body: Any) -> bool:
        hook = self.server_ref.intercept
        if hook is None:
            return False
        answer = hook(self.path, body)
        if answer is None:
            return False
        status, headers, payload = answer
        self._send(status, payload, headers)
        return True

    def do_GET(self) -> None:
        self.server_ref.requests += 1
        if self._intercepted(None) or not self._authorized():
            return
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            data = {
                "object": "list",
                "data": [{"id": self.server_ref.model.spec, "object": "model", "owned_by": "codesteer"}],
            }
            self._send(200, json.dumps(data).encode())
        else:
            self._send(404, _error_body(f"no route {self.path}", "not_found", 404))

    def do_POST(self) -> None:
        self.server_ref.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if self._intercepted(body) or not self._authorized():
            return
        route = self.path.rstrip("/")
        if route in ("/v1/chat/completions", "/chat/completions"):
            handle = self.server_ref.run_chat
        elif route in ("/v1/completions", "/completions"):
            handle = self.server_ref.run_completion
        else:
            self._send(404, _error_body(f"no route {self.path}", "not_found", 404))
            return
        if not isinstance(body, dict):
            self._send(400, _error_body("request body must be a JSON object", "invalid_request_error", 400))
            return
        try:
            reply = handle(body)
        except (RequestRejected, ValueError, TypeError) as exc:
            self._send(400, _error_body(str(exc), "invalid_request_error", 400))
            return
        except Exception as exc:  # the client gets a 500 it may retry; the server keeps serving
            self._send(500, _error_body(f"{type(exc).__name__}: {exc}", "server_error", 500))
            return
        self._send(200, json.dumps(reply).encode())


def serve(
    model: ChatModel | str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    api_key: str | None = None,
    on_ready: Callable[[ModelServer], None] | None = None,
    **options: Any,
) -> None:
    """Serve until interrupted; a spec string is built with :func:`get_model` (``options`` go there)."""
    if isinstance(model, str):
        from codesteer.models._registry import get_model

        model = get_model(model, **options)
    server = ModelServer(model, host, port, api_key=api_key).start()
    if on_ready is not None:
        on_ready(server)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
