from __future__ import annotations

import asyncio
import json

import pytest

from codesteer.models import ChatModel, ModelSpecError, ScriptedModel, get_model


def ask(model, text: str, **params) -> str:
    return asyncio.run(model.chat([{"role": "user", "content": text}], **params)).text


def test_replies_in_order_then_last_repeats():
    m = ScriptedModel(["one", "two"])
    assert [ask(m, "x") for _ in range(4)] == ["one", "two", "two", "two"]


def test_rules_beat_replies_and_match_last_user_message_with_dotall():
    m = ScriptedModel(["fallback"], rules=[(r"code.*text", "CODE"), (r"^hi$", "HELLO")])
    assert ask(m, "choose code\nor text") == "CODE"  # DOTALL: '.' crosses the newline
    msgs = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "HELLO"},
        {"role": "user", "content": "something else"},
    ]
    assert asyncio.run(m.chat(msgs)).text == "fallback"  # only the last user message is matched


def test_fn_wins_and_default_is_last_resort():
    m = ScriptedModel(["r"], rules=[(".", "rule")], fn=lambda msgs: f"fn saw {len(msgs)}")
    assert ask(m, "a") == "fn saw 1"
    assert ask(ScriptedModel(default="d"), "a") == "d"


def test_no_reply_raises():
    with pytest.raises(ModelSpecError, match="no reply"):
        ask(ScriptedModel(rules=[("never", "x")]), "a")


def test_completion_is_labelled_counted_and_uncached():
    m = ScriptedModel(["the answer is 4"], name="demo")
    assert isinstance(m, ChatModel) and m.spec == "scripted:demo"
    c = asyncio.run(
        m.chat([{"role": "system", "content": "be brief"}, {"role": "user", "content": "2 + 2 ?"}])
    )
    assert c.model == "scripted:demo" and not c.cached and c.cost_usd == 0.0
    assert (c.prompt_tokens, c.completion_tokens) == (2 + 4, 4)
    assert c.to_dict()["text"] == "the answer is 4"


def test_stop_and_validation():
    m = ScriptedModel(default="line one\nSTOP line two")
    assert ask(m, "x", stop=["STOP"]) == "line one\n"
    with pytest.raises(ValueError, match="role"):
        asyncio.run(m.chat([{"role": "robot", "content": "x"}]))
    with pytest.raises(ValueError, match="empty"):
        asyncio.run(m.chat([]))
    with pytest.raises(ValueError, match="temperature"):
        ask(m, "x", temperature=-1)


def test_delay_runs_concurrently():
    import time

    m = ScriptedModel(default="ok", delay_s=0.1)

    async def go():
        return await asyncio.gather(*[m.chat([{"role": "user", "content": "x"}]) for _ in range(5)])

    start = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - start < 0.4


def test_yaml_file_spec(tmp_path):
    path = tmp_path / "guide.yaml"
    path.write_text(
        "replies: [first, second]\n"
        "rules:\n"
        "  - {pattern: 'Game 24', reply: 'Code'}\n"
        "  - ['sudoku', 'Text']\n"
        "default: never used\n"
    )
    m = get_model(f"scripted/{path}")
    assert m.spec == "scripted:guide"  # never wrapped in a cache
    assert ask(m, "Game 24 with 1 2 3 4") == "Code"
    assert ask(m, "a sudoku") == "Text"
    assert [ask(m, "q"), ask(m, "q"), ask(m, "q")] == ["first", "second", "second"]


def test_json_file_and_bare_list(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"default": "x", "name": "named"}))
    assert get_model(f"scripted/{p}").spec == "scripted:named"
    q = tmp_path / "list.yaml"
    q.write_text("- a\n- b\n")
    assert ask(get_model(f"scripted/{q}"), "?") == "a"


@pytest.mark.parametrize(
    "content,match",
    [
        ("replies: [a]\ncolour: blue\n", "unknown keys"),
        ("rules: [[1, 2, 3]]\n", "bad rule"),
        ("rules: [['(', 'x']]\n", "bad rule pattern"),
        ("replies: {a: 1}\n", "must be a list"),
        ("just a string\n", "mapping or a list"),
        ("a: [\n", "cannot parse"),
    ],
)
def test_bad_script_files(tmp_path, content, match):
    p = tmp_path / "bad.yaml"
    p.write_text(content)
    with pytest.raises(ModelSpecError, match=match):
        get_model(f"scripted/{p}")


def test_missing_script_file(tmp_path):
    with pytest.raises(ModelSpecError, match="not found"):
        get_model(f"scripted/{tmp_path}/nope.yaml")
