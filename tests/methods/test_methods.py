"""Every method end to end with scripted models (no network, real sandbox)."""

from __future__ import annotations

import asyncio

import pytest

from codesteer import symbench
from codesteer.methods import METHOD_NAMES, get_method, read_estimate
from codesteer.models import ScriptedModel
from codesteer.steer import Models, SteerOptions

EXPECTED = {
    "only_question", "all_text_cot", "all_code_cot", "autogen_concat", "code_text_sum", "code_text_choice",
    "self_estimate", "code_interpreter", "codesteer", "codesteer_no_symbolic", "codesteer_no_selfcheck",
}


def test_all_methods_registered() -> None:
    assert set(METHOD_NAMES) == EXPECTED
    with pytest.raises(ValueError, match="valid methods"):
        get_method("nope")


def smart_task(inst: symbench.Instance) -> ScriptedModel:
    """Answers with code when asked for code, with a (wrong) guess in text otherwise."""
    code = f"```python\nimport math\nprint(f'<<<{{math.prod({inst.data['factors']})}}>>>')\n```"

    def fn(messages: list[dict]) -> str:
        last = messages[-1]["content"]
        if "confidence" in last:
            return "<<<code: 90, text: 20>>>"
        if "Execution result" in last:
            return f"The code printed the product, so the answer is <<<{inst.answer}>>>"
        if "checks whether" in last:
            return "```python\nprint('Correct')\n```"
        if "without writing code" in last:
            return "Roughly <<<100>>>"
        return "Let me compute.\n" + code

    return ScriptedModel(fn=fn, name="task")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_method_end_to_end(name: str, sandbox) -> None:
    inst = symbench.generate("number_multiply", 1, seed=9, complexity=2)[0]
    guide = ScriptedModel(fn=lambda m: "<<<Code>>>" if len(m) == 1 else "<<<Return Answer>>>", name="guide")
    traj = asyncio.run(get_method(name).solve(inst, Models(task=smart_task(inst), guide=guide), sandbox,
                                              SteerOptions(max_rounds=3)))
    assert traj.method == name and traj.instance_id == inst.id
    assert traj.task_turns, name
    v = symbench.verify(inst, traj.final_answer)
    if name == "all_text_cot":
        assert not v.correct  # the scripted model guesses in text
    else:
        assert v.correct, (name, traj.final_answer[:200])
    assert traj.usage()["task"]["calls"] >= 1
    if name.startswith("codesteer"):
        turn = traj.task_turns[0]
        assert (turn.symbolic is None) == (name == "codesteer_no_symbolic")
        assert (turn.selfcheck is None) == (name == "codesteer_no_selfcheck")


def test_code_interpreter_feeds_output_back(sandbox) -> None:
    inst = symbench.generate("number_multiply", 1, seed=1, complexity=1)[0]
    traj = asyncio.run(get_method("code_interpreter").solve(inst, Models(task=smart_task(inst)), sandbox))
    assert len(traj.task_turns) == 2 and traj.stop_reason == "no_code"
    assert "Execution result" in traj.task_turns[1].prompt
    assert symbench.verify(inst, traj.final_answer).correct and traj.final_source == "reply"


def test_self_estimate_parsing() -> None:
    assert read_estimate("<<<code: 80, text: 30>>>") == (80.0, 30.0)
    assert read_estimate("Code=10 and text=95") == (10.0, 95.0)
    assert read_estimate("no idea") is None
