"""The server on its own (raw HTTP) and the ``codesteer serve`` command end to end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest

from codesteer.models import ModelError, ModelServer, ScriptedModel, get_model


def test_raw_http_contract(serve_model):
    srv = serve_model()
    with httpx.Client(base_url=srv.url, timeout=5) as http:
        ok = http.post(
            "/chat/completions",
            json={
                "model": "any",
                "messages": [{"role": "user", "content": "2+2"}],
                "stop": "x",
                "max_tokens": 3,
            },
        )
        assert ok.status_code == 200
        data = ok.json()
        assert data["object"] == "chat.completion" and data["choices"][0]["message"]["content"] == "4"
        assert data["usage"] == {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        bad = http.post("/chat/completions", content=b"{oops", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "JSON object" in bad.json()["error"]["message"]
        role = http.post("/chat/completions", json={"messages": [{"role": "robot", "content": "x"}]})
        assert role.status_code == 400 and "role" in role.json()["error"]["message"]
        stream = http.post(
            "/chat/completions", json={"messages": [{"role": "user", "content": "x"}], "stream": True}
        )
        assert stream.status_code == 400 and "streaming" in stream.json()["error"]["message"]
        assert http.get("/nowhere").status_code == 404


def test_model_failure_is_a_500_and_server_keeps_serving(serve_model):
    srv = serve_model(ScriptedModel(rules=[("ok", "fine")]))  # no reply for anything else: raises
    with httpx.Client(base_url=srv.url, timeout=5) as http:
        assert (
            http.post("/chat/completions", json={"messages": [{"role": "user", "content": "?"}]}).status_code
            == 500
        )
        ok = http.post("/chat/completions", json={"messages": [{"role": "user", "content": "ok"}]})
        assert ok.json()["choices"][0]["message"]["content"] == "fine"


def test_port_in_use_is_a_clear_error(serve_model):
    srv = serve_model()
    port = int(srv.url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(ModelError, match=f"cannot listen on 127.0.0.1:{port}"):
        ModelServer(ScriptedModel(default="x"), "127.0.0.1", port)


_CLI = "import codesteer.cli.serve; from codesteer.cli import main; main(sys.argv[1:])"


def test_cli_serve_end_to_end(tmp_path, monkeypatch):
    script = tmp_path / "demo.yaml"
    script.write_text("rules: [['capital of France', 'Paris']]\ndefault: no idea\n")
    env = {**os.environ, "CODESTEER_CACHE_DIR": str(tmp_path / "cache"), "DEMO_KEY": "k1"}
    cmd = [
        sys.executable,
        "-c",
        f"import sys; {_CLI}",
        "serve",
        f"scripted/{script}",
        "--port",
        "0",
        "--api-key-env",
        "DEMO_KEY",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "serving scripted:demo at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        monkeypatch.setenv("DEMO_KEY", "k1")
        model = get_model(f"openai/demo@{url}", api_key_env="DEMO_KEY", cache=False, timeout_s=5)
        reply = asyncio.run(model.chat([{"role": "user", "content": "the capital of France?"}]))
        assert reply.text == "Paris"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_serve_bad_spec_is_one_line(tmp_path):
    env = {**os.environ, "CODESTEER_CACHE_DIR": str(tmp_path / "cache")}
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", f"import sys; {_CLI}", "serve", "nonsense", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "unknown model spec 'nonsense'" in lines[0]
    assert time.monotonic() - start < 30
