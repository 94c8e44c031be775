"""``LoopState``: one round per step, an ending that says why, and forks that share no mutable record."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from codesteer import symbench
from codesteer.models import ScriptedModel
from codesteer.sandbox import get_sandbox
from codesteer.steer import LoopState, Models, SteerOptions, steer


@pytest.fixture(scope="module")
def sandbox():
    sb = get_sandbox("local")
    yield sb
    sb.close()


@pytest.fixture(scope="module")
def inst() -> symbench.Instance:
    return symbench.generate("number_multiply", 1, seed=4, complexity=2)[0]


CODE = "```python\nprint('<<<6>>>')\n```"


def guide_by_turn(*replies: str) -> ScriptedModel:
    return ScriptedModel(fn=lambda m: replies[min(sum(x["role"] == "assistant" for x in m), len(replies) - 1)],
                         name="guide")


def models(*guide_replies: str) -> Models:
    return Models(task=ScriptedModel(default=CODE, name="task"), guide=guide_by_turn(*guide_replies),
                  checker=ScriptedModel(default="```python\nprint('Correct')\n```", name="checker"))


def test_each_step_is_one_round_and_says_why_it_ended(inst, sandbox) -> None:
    state = LoopState.start(inst, models("<<<Code>>>", "<<<Check once more.>>>", "<<<Return Answer>>>"), sandbox)
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
    state = LoopState.start(inst, models("<<<Code>>>", "<<<Again.>>>"), sandbox, SteerOptions(max_rounds=1))
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
    state = LoopState.start(inst, models("<<<Code>>>", "<<<Again.>>>", "<<<Return Answer>>>"), sandbox)
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
    traj = asyncio.run(steer(inst, models(*replies), sandbox))
    state = LoopState.start(inst, models(*replies), sandbox)
    while state.ended is None:
        asyncio.run(state.step())
    stepped = asyncio.run(state.finish())
    assert _untimed(traj.model_dump()) == _untimed(stepped.model_dump())
    assert traj.extras == {"guide_view": "full", "max_rounds": 5, "guide_protocol": "codesteer"}
