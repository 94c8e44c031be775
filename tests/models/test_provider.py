"""The provider contract: a backend that writes only ``_complete`` gets the checks, the stop cut, the token
estimates, the timing and the cost from the base class, the same as every shipped provider."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from codesteer.models import CachedModel, ChatModel, open_cache
from codesteer.models._provider import PromptProvider, Provider, Reply
from codesteer.models._types import ChatParams

MSGS = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "say two words"}]


class Echo(Provider):
    """Returns a fixed text and records what it was given."""

    def __init__(self, text: str, reply: dict | None = None, prices: dict | None = None) -> None:
        self.spec = "test/echo"
        self.model_name = "echo-1"
        if prices is not None:
            self.prices = prices
        self.text, self.reply, self.seen = text, reply or {}, []

    async def _complete(self, messages, params):
        self.seen.append((messages, params))
        return Reply(self.text, **self.reply)


def test_a_new_provider_gets_checks_stop_cut_estimates_and_cost() -> None:
    model = Echo("alpha beta STOP gamma", prices={"echo": (1_000_000.0, 2_000_000.0)})
    assert isinstance(model, ChatModel)
    c = asyncio.run(model.chat(MSGS, stop=["STOP"], max_tokens=None, top_k=3))
    assert c.text == "alpha beta " and c.model == "test/echo" and not c.cached
    assert (c.prompt_tokens, c.completion_tokens) == (5, 2)  # whitespace words of the prompt and of the cut reply
    assert c.cost_usd == pytest.approx(5 * 1.0 + 2 * 2.0) and c.latency_s >= 0
    messages, params = model.seen[0]
    assert messages == MSGS and params == ChatParams(0.0, None, ("STOP",), None, None, 3)
    for bad, match in (({"temperature": 3}, "temperature"), ({"max_tokens": 0}, "max_tokens"),
                       ({"top_p": 0}, "top_p"), ({"top_k": 0}, "top_k")):
        with pytest.raises(ValueError, match=match):
            asyncio.run(model.chat(MSGS, **bad))
    with pytest.raises(ValueError, match="role"):
        asyncio.run(model.chat([{"role": "robot", "content": "x"}]))
    assert len(model.seen) == 1  # nothing invalid reached the backend


def test_reported_counts_and_latency_win_and_no_prices_cost_nothing() -> None:
    model = Echo("one two", reply={"prompt_tokens": 40, "completion_tokens": 7, "latency_s": 1.5,
                                    "reasoning_tokens": 3})
    c = asyncio.run(model.chat(MSGS))
    assert (c.prompt_tokens, c.completion_tokens, c.latency_s, c.reasoning_tokens, c.cost_usd) == (40, 7, 1.5, 3, 0.0)


def test_chat_params_are_frozen_and_round_trip() -> None:
    p = ChatParams.checked(temperature=1, max_tokens=5.0, stop=["x"], seed=4, top_p=0.5)  # type: ignore[arg-type]
    assert p == ChatParams(1.0, 5, ("x",), 4, 0.5, None)
    assert p.kwargs() == {"temperature": 1.0, "max_tokens": 5, "stop": ["x"], "seed": 4, "top_p": 0.5}
    assert ChatParams.checked(**p.kwargs()) == p
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.temperature = 0.5  # type: ignore[misc]


def test_raw_prompts_only_where_the_backend_has_them(tmp_path) -> None:
    class Raw(PromptProvider):
        spec = "test/raw"

        async def _complete_prompt(self, prompt, params):
            return Reply(prompt.upper())

    assert not hasattr(Echo("x"), "complete")  # the steering loop looks for the method
    c = asyncio.run(Raw().complete("ab cd", stop=["D"]))
    assert (c.text, c.prompt_tokens, c.completion_tokens) == ("AB C", 2, 2)
    with pytest.raises(ValueError, match="prompt"):
        asyncio.run(Raw().complete(""))
    cached = CachedModel(Echo("hi"), open_cache(tmp_path / "c.sqlite"))
    assert [asyncio.run(cached.chat(MSGS)).cached for _ in range(2)] == [False, True]
    with pytest.raises(ValueError, match="temperature"):
        asyncio.run(cached.chat(MSGS, temperature=-1))


def test_the_registry_is_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from codesteer.models import SPEC_FORMS, ModelSpecError, _registry, get_model, is_remote, option_names

    assert [f.partition("/")[0] for f in SPEC_FORMS] == list(_registry.PROVIDERS)
    assert [p for p in _registry.PROVIDERS if is_remote(f"{p}/x")] == ["openai", "anthropic"]
    built = []

    def build(spec, rest, options):
        built.append((spec, rest, options))
        return Echo(rest)

    entry = _registry._Provider("echo/<text>", frozenset({"colour"}), build, cached=False)
    monkeypatch.setitem(_registry.PROVIDERS, "echo", entry)
    model = get_model("echo/hello", colour="red")
    assert isinstance(model, Echo) and built == [("echo/hello", "hello", {"colour": "red"})]
    assert option_names("echo/x") == {"colour"}
    with pytest.raises(ModelSpecError, match="take no option"):
        get_model("echo/hello", shade="dark")
