"""The CodeSteer loop driven end to end by scripted models and the real sandbox; its state, one round a step."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from codesteer import symbench
from codesteer.models import ScriptedModel
from codesteer.sandbox import Limits
from codesteer.steer import LoopState, Models, SteerOptions, Trajectory, guide_messages, steer


@pytest.fixture(scope="module")
def inst() -> symbench.Instance:
    return symbench.generate("number_multiply", 1, seed=4, complexity=3)[0]


def factors(inst: symbench.Instance) -> str:
    return "*".join(f"({f})" for f in inst.data["factors"])


def code_reply(inst: symbench.Instance) -> str:
    return f"Plan: multiply.\n```python\nimport math\nvals = {inst.data['factors']}\nprint(f'<<<{{math.prod(vals)}}>>>')\n```\n"


def guide_by_turn(*replies: str) -> ScriptedModel:
    """A guide whose reply depends on how many times it has already answered in this conversation."""
    def fn(messages: list[dict]) -> str:
        n = sum(1 for m in messages if m["role"] == "assistant")
        return replies[min(n, len(replies) - 1)]
    return ScriptedModel(fn=fn, name="guide")


def run(coro):
    return asyncio.run(coro)


def test_text_then_code_then_return(inst, sandbox) -> None:
    guide = guide_by_turn("Short reasoning. <<<Text>>>", "The text answer is wrong; write code. <<<Write Python code that multiplies the factors exactly.>>>", "<<<Return Answer>>>")
    task = ScriptedModel(replies=["I think it is <<<12>>>", code_reply(inst)], name="task")
    checker = ScriptedModel(default="```python\nprint('Correct')\n```", name="checker")
    traj = run(steer(inst, Models(task=task, guide=guide, checker=checker), sandbox))
    assert [g.decision for g in traj.guide_turns] == ["text", "guidance", "return"]
    assert traj.stop_reason == "return_answer"
    assert len(traj.task_turns) == 2
    assert traj.task_turns[0].code is None and traj.task_turns[1].execution.ok
    assert traj.final_source == "execution"
    assert symbench.verify(inst, traj.final_answer).correct
    # the text instruction went to the task model on turn 0, the guidance on turn 1
    assert "without writing code" in traj.task_turns[0].prompt
    assert traj.task_turns[1].prompt.startswith("Write Python code")
    assert traj.task_turns[1].symbolic is not None and not traj.task_turns[1].symbolic.hardcoded
    assert traj.task_turns[1].selfcheck.status == "pass"
    usage = traj.usage()
    assert usage["guide"]["calls"] == 3 and usage["task"]["calls"] == 2 and usage["checker"]["calls"] == 2
    # JSON round trip
    assert Trajectory.model_validate_json(traj.model_dump_json()) == traj


def test_round_limit(inst, sandbox) -> None:
    guide = guide_by_turn("<<<Code>>>", "<<<Try again, more carefully.>>>")
    task = ScriptedModel(default="no idea <<<1>>>", name="task")
    traj = run(steer(inst, Models(task=task, guide=guide), sandbox, SteerOptions(max_rounds=3, self_checker=False)))
    assert traj.stop_reason == "max_rounds"
    assert len(traj.task_turns) == 4 and len(traj.guide_turns) == 4
    assert not symbench.verify(inst, traj.final_answer).correct


def test_code_timeout_reported_to_guide(inst, sandbox) -> None:
    seen: list[str] = []

    def guide_fn(messages: list[dict]) -> str:
        seen.append(messages[-1]["content"])
        return "<<<Code>>>" if len(seen) == 1 else "<<<Terminate>>>"

    task = ScriptedModel(default="```python\nwhile True:\n    pass\n```", name="task")
    opts = SteerOptions(self_checker=False, exec_limits=Limits(wall_s=1.0, cpu_s=30.0))  # wall fires first, also under load
    traj = run(steer(inst, Models(task=task, guide=ScriptedModel(fn=guide_fn)), sandbox, opts))
    assert traj.task_turns[0].execution.timed_out
    assert "time limit" in seen[1]
    assert traj.stop_reason == "terminate"
    assert traj.final_source == "none"


def test_guide_terminates_and_prose_mentions_do_not(inst, sandbox) -> None:
    # "Return Answer" inside prose guidance is NOT a stop; only the structured decision is
    guide = guide_by_turn("<<<Code>>>", "<<<Check it again, and only then Return Answer or Terminate.>>>", "<<<Terminate>>>")
    task = ScriptedModel(default="<<<5>>>", name="task")
    traj = run(steer(inst, Models(task=task, guide=guide), sandbox, SteerOptions(self_checker=False)))
    assert [g.decision for g in traj.guide_turns] == ["code", "guidance", "terminate"]
    assert traj.stop_reason == "terminate" and len(traj.task_turns) == 2


def test_stale_code_output_never_counts(inst, sandbox) -> None:
    # turn 0 code prints the right answer; the final reply is text with a wrong answer -> wrong
    guide = guide_by_turn("<<<Code>>>", "<<<Now answer in text only.>>>", "<<<Return Answer>>>")
    task = ScriptedModel(replies=[code_reply(inst), "The answer is <<<7>>>"], name="task")
    traj = run(steer(inst, Models(task=task, guide=guide), sandbox, SteerOptions(self_checker=False)))
    assert traj.final_source == "reply"
    assert not symbench.verify(inst, traj.final_answer).correct


def test_show_execution_to_task_option(inst, sandbox) -> None:
    guide = guide_by_turn("<<<Code>>>", "<<<Fix it.>>>", "<<<Return Answer>>>")
    task = ScriptedModel(replies=["```python\nprint('hello-from-code')\n```", "<<<1>>>"], name="task")
    hidden = run(steer(inst, Models(task=task, guide=guide), sandbox, SteerOptions(self_checker=False)))
    assert "hello-from-code" not in hidden.task_turns[1].prompt
    task2 = ScriptedModel(replies=["```python\nprint('hello-from-code')\n```", "<<<1>>>"], name="task")
    shown = run(steer(inst, Models(task=task2, guide=guide_by_turn("<<<Code>>>", "<<<Fix it.>>>", "<<<Return Answer>>>")),
                      sandbox, SteerOptions(self_checker=False, show_execution_to_task=True)))
    assert "hello-from-code" in shown.task_turns[1].prompt


def test_views_and_budget(inst, sandbox) -> None:
    guide = guide_by_turn("<<<Code>>>", "<<<Again.>>>")
    task = ScriptedModel(default="```python\nprint('x' * 50000)\n```", name="task")
    traj = run(steer(inst, Models(task=task, guide=guide), sandbox, SteerOptions(max_rounds=4, self_checker=False)))
    compact = guide_messages(traj, view="compact", budget_tokens=3000)
    full = guide_messages(traj, view="full", budget_tokens=10**9)
    assert compact[0]["content"] == full[0]["content"]  # turn 0: choice prompt + question in both
    assert "Here is the task" in full[2]["content"] and "Here is the task" not in compact[2]["content"]
    assert compact[1]["content"] == "<<<Code>>>"
    assert sum(len(m["content"]) for m in compact) // 4 <= 3000 + 1000
    assert any("omitted" in m["content"] for m in compact)
    assert "characters omitted" in full[2]["content"]  # 50k of output clipped with a marker
    json.dumps(compact)


# --- LoopState: one round per step, an ending that says why, forks that share no mutable record ----------

SIX = "```python\nprint('<<<6>>>')\n```"


def _models(*guide_replies: str) -> Models:
    return Models(task=ScriptedModel(default=SIX, name="task"), guide=guide_by_turn(*guide_replies),
                  checker=ScriptedModel(default="```python\nprint('Correct')\n```", name="checker"))


def test_each_step_is_one_round_and_says_why_it_ended(inst, sandbox) -> None:
    state = LoopState.start(inst, _models("<<<Code>>>", "<<<Check once more.>>>", "<<<Return Answer>>>"), sandbox)
    first = asyncio.run(state.step())
    # guide call, task call, then the reply examined (run, symbolic report, self-check) for the next view
    assert (first.guide.decision, first.ended) == ("code", None) and first.task is not None
    assert first.task.execution is not None and first.task.symbolic is not None
    assert first.task.selfcheck is not None and first.task.selfcheck.status == "pass"
    assert [c.role for c in state.traj.calls] == ["guide", "task", "checker"]
    second = asyncio.run(state.step())
    assert (second.guide.decision, second.ended, second.task.index) == ("guidance", None, 1)
    last = asyncio.run(state.step())
    assert (last.guide.decision, last.task, last.ended) == ("return", None, "return_answer")
    assert state.ended == state.traj.stop_reason == "return_answer"
    with pytest.raises(RuntimeError, match="ended"):
        asyncio.run(state.step())
    traj = asyncio.run(state.finish())
    assert traj.final_answer.strip() == "<<<6>>>" and traj.final_source == "execution"


def test_last_round_is_not_examined(inst, sandbox) -> None:
    state = LoopState.start(inst, _models("<<<Code>>>", "<<<Again.>>>"), sandbox, SteerOptions(max_rounds=1))
    assert asyncio.run(state.step()).ended is None
    last = asyncio.run(state.step())
    assert last.ended == "max_rounds" and last.task is not None
    assert last.task.execution is None and last.task.selfcheck is None  # nobody reads it: no checker call
    assert [c.role for c in state.traj.calls] == ["guide", "task", "checker", "guide", "task"]


def _mutables(obj: object, seen: dict[int, object]) -> dict[int, object]:
    """Every mutable object reachable from ``obj`` (records, lists, dicts), by identity."""
    if isinstance(obj, BaseModel | list | dict | set) and id(obj) not in seen:
        seen[id(obj)] = obj
        items = (obj.__dict__.values() if isinstance(obj, BaseModel)
                 else obj.values() if isinstance(obj, dict) else obj)
        for v in items:
            _mutables(v, seen)
    return seen


def test_fork_shares_no_mutable_record(inst, sandbox) -> None:
    state = LoopState.start(inst, _models("<<<Code>>>", "<<<Again.>>>", "<<<Return Answer>>>"), sandbox)
    asyncio.run(state.step())
    fork = state.fork()
    assert fork.traj == state.traj and fork.ended is None
    assert not set(_mutables(state.traj, {})) & set(_mutables(fork.traj, {}))
    # the services are shared, not copied
    assert (fork.models, fork.sandbox, fork.protocol, fork.opts) == (state.models, state.sandbox, state.protocol,
                                                                    state.opts)
    # running the fork on leaves the original where it was
    asyncio.run(fork.step())
    asyncio.run(fork.finish())
    assert len(state.traj.guide_turns) == 1 and len(fork.traj.guide_turns) == 2
    assert state.traj.final_answer == "" and state.traj.stop_reason == "max_rounds"


def _untimed(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _untimed(v) for k, v in obj.items() if k not in ("wall_s", "wall_ms", "latency_s")}
    return [_untimed(v) for v in obj] if isinstance(obj, list) else obj


def test_steer_is_the_state_run_straight_through(inst, sandbox) -> None:
    replies = ("<<<Text>>>", "<<<Write code.>>>", "<<<Return Answer>>>")
    traj = asyncio.run(steer(inst, _models(*replies), sandbox))
    state = LoopState.start(inst, _models(*replies), sandbox)
    while state.ended is None:
        asyncio.run(state.step())
    stepped = asyncio.run(state.finish())
    assert _untimed(traj.model_dump()) == _untimed(stepped.model_dump())
    assert traj.extras == {"guide_view": "full", "max_rounds": 5, "guide_protocol": "codesteer"}
