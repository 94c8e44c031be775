from __future__ import annotations

import asyncio
import random
import subprocess
import sys

import pytest

from codesteer.models import (
    CachedModel,
    ModelSpecError,
    RetryPolicy,
    ScriptedModel,
    cache_key,
    cost_usd,
    get_model,
    load_prices,
    open_cache,
    price_for,
)
from codesteer.models._remote import anthropic_messages, retry_after_s


@pytest.mark.parametrize("spec", ["foo", "gpt-4o", "vllm/x", "openai/", "openai/@http://x", ""])
def test_bad_specs_name_the_accepted_forms(spec):
    with pytest.raises(ModelSpecError) as err:
        get_model(spec)
    msg = str(err.value)
    assert msg.startswith(f"unknown model spec '{spec}'") and "openai/<model>[@<base_url>]" in msg
    assert "embedded/<name>" in msg and "\n" not in msg


def test_unknown_option_and_embedded_name():
    with pytest.raises(ModelSpecError, match="take no option"):
        get_model("openai/x@http://127.0.0.1:1/v1", temprature=0.1)
    with pytest.raises(
        ModelSpecError, match="unknown embedded model 'gpt2': expected one of default, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, smollm2-135m"
    ):
        get_model("embedded/gpt2")
    with pytest.raises(ModelSpecError, match="timeout_s must be > 0"):
        get_model("openai/x@http://127.0.0.1:1/v1", timeout_s=0)


def test_remote_models_are_cached_by_default_and_spec_is_stable(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    m = get_model("openai/gpt-4o-mini")
    assert isinstance(m, CachedModel) and m.spec == "openai/gpt-4o-mini"
    local = get_model("openai/llama@http://localhost:8000/v1/", cache=False)  # no key needed on loopback
    assert not isinstance(local, CachedModel) and local.spec == "openai/llama@http://localhost:8000/v1"
    monkeypatch.setenv("CODESTEER_NO_CACHE", "1")
    assert not isinstance(get_model("openai/gpt-4o-mini"), CachedModel)


def test_anthropic_needs_its_key():
    from codesteer.models import MissingKeyError

    with pytest.raises(MissingKeyError, match="^ANTHROPIC_API_KEY is not set"):
        get_model("anthropic/claude-3-5-sonnet-20241022")


def test_anthropic_message_shape():
    system, turns = anthropic_messages(
        [
            {"role": "system", "content": "S1"},
            {"role": "assistant", "content": "A0"},
            {"role": "user", "content": "U1"},
            {"role": "user", "content": "U2"},
            {"role": "system", "content": "S2"},
        ]
    )
    assert system == "S1\n\nS2"
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[2]["content"] == "U1\n\nU2"


def test_prices_match_longest_prefix_and_override(tmp_path, monkeypatch):
    prices = load_prices()
    assert price_for("gpt-4o-mini-2024-07-18", prices) == prices["gpt-4o-mini"]
    assert price_for("gpt-4o-2024-08-06", prices) == prices["gpt-4o"]
    assert price_for("claude-3-5-sonnet-20241022", prices) == (3.0, 15.0)
    assert price_for("my-local-llama", prices) is None
    assert cost_usd("my-local-llama", 1000, 1000, prices) == 0.0
    assert cost_usd("gpt-4o", 1_000_000, 100_000, prices) == pytest.approx(2.5 + 1.0)
    f = tmp_path / "p.yaml"
    f.write_text("gpt-4o: {input: 1, output: 1}\nmine: {input: 2, output: 4}\n")
    monkeypatch.setenv("CODESTEER_PRICES", str(f))
    assert load_prices()["gpt-4o"] == (1.0, 1.0)
    assert load_prices({"mine": {"input": 9, "output": 9}})["mine"] == (9.0, 9.0)
    with pytest.raises(ModelSpecError, match="bad price"):
        load_prices({"x": {"input": "free"}})


def test_retry_after_parsing():
    assert retry_after_s({"retry-after": "3"}) == 3.0
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # a date in the past
    assert retry_after_s({"retry-after": "soon"}) is None
    assert retry_after_s({"retry-after": "99999"}) == 120.0
    assert retry_after_s({}) is None


def test_backoff_grows_with_jitter_and_cap():
    policy = RetryPolicy(backoff_base_s=1.0, backoff_max_s=8.0)
    rng = random.Random(1)
    delays = [policy.backoff(a, rng) for a in range(6)]
    for attempt, d in enumerate(delays):
        step = min(8.0, 2.0**attempt)
        assert step / 2 <= d <= step
    assert len({round(d, 6) for d in delays[3:]}) == 3  # capped, but still jittered


def test_cached_calls_are_flagged_and_cost_nothing(tmp_path):
    cached = CachedModel(ScriptedModel(default="four"), open_cache(tmp_path / "c.sqlite"))
    msgs = [{"role": "user", "content": "2+2"}]
    first, second = asyncio.run(cached.chat(msgs)), asyncio.run(cached.chat(msgs))
    assert (first.cached, second.cached) == (False, True) and second.cost_usd == 0.0
    assert (second.text, second.prompt_tokens, second.completion_tokens) == ("four", 1, 1)


def test_cache_key_covers_parameters():
    msgs = [{"role": "user", "content": "x"}]
    base = dict(temperature=0.0, max_tokens=10, stop=None, seed=None)
    k = cache_key("s", msgs, **base)
    assert k == cache_key("s", msgs, **{**base, "seed": 5})  # greedy: the seed changes nothing
    assert k != cache_key("s2", msgs, **base)
    assert k != cache_key("s", msgs, **{**base, "max_tokens": 11})
    assert k != cache_key("s", msgs, **{**base, "stop": ["a"]})
    assert k != cache_key("s", [{"role": "system", "content": "x"}], **base)


_WRITER = """
import sys
from codesteer.models import Completion, open_cache
cache = open_cache(sys.argv[1])
for i in range(60):
    cache.put(f"{sys.argv[2]}-{i}", "spec", Completion(f"text {i}", 1, 2, 0.1, "m"))
    assert cache.get(f"{sys.argv[2]}-{i}").text == f"text {i}"
"""


def test_cache_is_safe_under_concurrent_processes(tmp_path):
    path = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"p{n}"], stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    cache = open_cache(path)
    assert len(cache) == 240
    hit = cache.get("p3-59")
    assert hit is not None and hit.cached and hit.text == "text 59" and hit.completion_tokens == 2


def test_bad_cache_location_is_one_clear_error(tmp_path):
    from codesteer.models import ModelError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ModelError, match="cannot open response cache"):
        open_cache(blocker / "sub" / "c.sqlite")


def test_import_does_not_pull_torch():
    code = "import sys, codesteer.models; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
