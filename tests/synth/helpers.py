"""Scripted models for synthesis tests: a guide whose k-th answer to the same conversation is the k-th
alternative (so sibling samples differ), and a task model that is right with code and wrong in text."""

from __future__ import annotations

import json
from collections import defaultdict

from codesteer import symbench
from codesteer.models import ScriptedModel
from codesteer.steer import prompt


def code_reply(inst: symbench.Instance) -> str:
    return (f"Plan: multiply.\n```python\nimport math\nvals = {inst.data['factors']}\n"
            f"print(f'<<<{{math.prod(vals)}}>>>')\n```\n")


def branching_guide(per_turn: list[list[str]]) -> ScriptedModel:
    """Turn t (= assistant messages so far) answers ``per_turn[t][k % len]`` on the k-th identical request."""
    seen: dict[str, int] = defaultdict(int)

    def fn(messages: list[dict]) -> str:
        key = json.dumps(messages, sort_keys=True)
        k = seen[key]
        seen[key] += 1
        turn = sum(1 for m in messages if m["role"] == "assistant")
        options = per_turn[min(turn, len(per_turn) - 1)]
        return options[k % len(options)]

    return ScriptedModel(fn=fn, name="guide")


def task_model(insts: list[symbench.Instance], *, wrong_ids: frozenset[str] = frozenset()) -> ScriptedModel:
    """Writes correct code when asked for code or to try again, answers wrongly in text; always wrong for
    instances in ``wrong_ids``."""
    text_tpl = prompt("text_template")[:60]

    def fn(messages: list[dict]) -> str:
        first = messages[0]["content"]
        inst = next(i for i in insts if i.question in first)
        if inst.id in wrong_ids:
            return "It is <<<12>>>"
        last = messages[-1]["content"]
        if len(messages) == 1 and text_tpl in last:
            return "By reasoning, the product is <<<12>>>"
        return code_reply(inst)

    return ScriptedModel(fn=fn, name="task")


def checker() -> ScriptedModel:
    return ScriptedModel(default="```python\nprint('Correct')\n```", name="checker")
