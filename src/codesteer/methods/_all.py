"""CodeSteer, its ablations, and the paper's baselines (their own prompts are files under ``methods/prompts``)."""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any, ClassVar

from codesteer.methods._base import Method, register
from codesteer.sandbox import Sandbox
from codesteer.steer import (
    Models,
    SteerOptions,
    TaskTurn,
    Trajectory,
    ask,
    clip,
    finalize,
    guide_step,
    new_trajectory,
    prompt,
    protocol_for,
    run_reply_code,
    steer,
)
from codesteer.symbench import Instance, extract_answer

_OWN = "codesteer.methods"  # the package whose prompts/ holds the prompts only the baselines send


def _own_prompt(name: str) -> str:
    """A prompt only the baselines send (``methods/prompts/<name>.txt``)."""
    return prompt(name, _OWN)


async def _answer(
    traj: Trajectory, models: Models, sandbox: Sandbox, opts: SteerOptions, text: str, t0: float, index: int = 0
) -> Trajectory:
    """The final single task-model call of a method: ask, record, finalize (its own code may give the answer)."""
    reply = await ask(traj, "task", models.task, [{"role": "user", "content": text}],
                      temperature=opts.task_temperature, max_tokens=opts.task_cap(models.task), seed=opts.seed)
    traj.task_turns.append(TaskTurn(index=index, prompt=text, reply=reply))
    traj.stop_reason = "single_shot"
    await finalize(traj, sandbox, opts.exec_limits)
    traj.wall_s = time.perf_counter() - t0
    return traj


async def _one_shot(
    instance: Instance, models: Models, sandbox: Sandbox, opts: SteerOptions, method: str, prefix: str
) -> Trajectory:
    """One task-model call with ``prefix + question``."""
    t0 = time.perf_counter()
    return await _answer(new_trajectory(instance, method), models, sandbox, opts, prefix + instance.question, t0)


class _OneShot(Method):
    """One task-model call: a fixed prompt (or none) in front of the question."""

    prefix: ClassVar[tuple[str, str] | None] = None  # (prompt name, package holding prompts/<name>.txt)

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        text = prompt(*self.prefix) if self.prefix else ""
        return await _one_shot(instance, models, sandbox, options or SteerOptions(), self.name, text)


@register
class OnlyQuestion(_OneShot):
    name = "only_question"
    title = "Only Question"
    description = "The question alone, one call."


@register
class AllTextCoT(_OneShot):
    name = "all_text_cot"
    title = "All Text + CoT"
    description = "Always reason in text, step by step; one call."
    prefix = ("text_template", "codesteer.steer")


@register
class AllCodeCoT(_OneShot):
    name = "all_code_cot"
    title = "All Code + CoT"
    description = "Always answer with code (plan first, then one block); the code is run; one call."
    prefix = ("code_template", "codesteer.steer")


@register
class AutoGenConcat(_OneShot):
    name = "autogen_concat"
    title = "AutoGen Conca."
    description = "An AutoGen-style assistant instruction concatenated in front of the question; one call."
    prefix = ("autogen", _OWN)


def _agent_view(traj: Trajectory, chars: int) -> str:
    turn = traj.task_turns[-1]
    text = turn.reply
    if turn.execution is not None:
        text += "\n\nOutput of its code:\n" + clip(turn.execution.stdout or "(no output)", chars)
    return text


@register
class CodeTextSum(Method):
    name = "code_text_sum"
    title = "Code + Text + Sum."
    description = "A text answer and a code answer to the same question, then the task model summarizes both."

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        opts = options or SteerOptions()
        t0 = time.perf_counter()
        text_run = await _one_shot(instance, models, sandbox, opts, "all_text_cot", prompt("text_template"))
        code_run = await _one_shot(instance, models, sandbox, opts, "all_code_cot", prompt("code_template"))
        traj = new_trajectory(instance, self.name)
        traj.calls = text_run.calls + code_run.calls
        traj.task_turns = [text_run.task_turns[0], code_run.task_turns[0].model_copy(update={"index": 1})]
        text = (f"{_own_prompt('summarizer')}Task:\n{instance.question}\n\nAgent 1 (text):\n{_agent_view(text_run, opts.output_chars)}"
                f"\n\nAgent 2 (code):\n{_agent_view(code_run, opts.output_chars)}\n\n"
                "Analyse both answers and give the final answer in the format the task requires.")
        return await _answer(traj, models, sandbox, opts, text, t0, index=2)


@register
class CodeTextChoice(Method):
    name = "code_text_choice"
    title = "Code/Text Choice"
    description = "The guide (or the task model itself) picks code or text once; the task model answers once."
    uses_guide = True

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        opts = options or SteerOptions()
        t0 = time.perf_counter()
        protocol = protocol_for(opts)
        traj = new_trajectory(instance, self.name, guide_protocol=protocol.name)
        g = await guide_step(traj, protocol, models, opts)
        traj.guide_turns.append(g)
        return await _answer(traj, models, sandbox, opts, protocol.task_message(traj, g, opts), t0)


_ESTIMATE = re.compile(r"code\s*[:=]\s*(\d+(?:\.\d+)?).*?text\s*[:=]\s*(\d+(?:\.\d+)?)", re.I | re.S)


def read_estimate(reply: str) -> tuple[float, float] | None:
    """``(code, text)`` confidences from ``<<<code: X, text: Y>>>`` (or the same words anywhere)."""
    content = extract_answer(reply)
    for source in ([content] if content else []) + [reply]:
        m = _ESTIMATE.search(source or "")
        if m:
            return float(m.group(1)), float(m.group(2))
    return None


@register
class SelfEstimate(Method):
    name = "self_estimate"
    title = "Self-estimate Score"
    description = "The task model rates its confidence for code and for text, then answers with the higher."

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        opts = options or SteerOptions()
        t0 = time.perf_counter()
        traj = new_trajectory(instance, self.name)
        raw = await ask(traj, "task", models.task, [{"role": "user", "content": _own_prompt("self_estimate") + instance.question}],
                        temperature=opts.task_temperature, max_tokens=200, seed=opts.seed)
        scores = read_estimate(raw)
        use_code = scores is None or scores[0] >= scores[1]  # unreadable -> code (documented default)
        traj.extras["estimate"] = {"raw": raw[:500], "code": scores[0] if scores else None, "text": scores[1] if scores else None,
                                   "choice": "code" if use_code else "text"}
        text = prompt("code_template" if use_code else "text_template") + instance.question
        return await _answer(traj, models, sandbox, opts, text, t0)


@register
class CodeInterpreter(Method):
    name = "code_interpreter"
    title = "Code Interpreter"
    description = ("A multi-turn execute-and-refine loop in our sandbox: each reply's code is run and its output "
                   "returned to the task model until it answers without code or the round limit is reached.")

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        opts = options or SteerOptions()
        t0 = time.perf_counter()
        traj = new_trajectory(instance, self.name)
        text = _own_prompt("interpreter") + instance.question
        msgs = [{"role": "user", "content": text}]
        traj.stop_reason = "max_rounds"
        for rnd in range(opts.max_rounds + 1):
            reply = await ask(traj, "task", models.task, msgs, temperature=opts.task_temperature,
                              max_tokens=opts.task_cap(models.task), seed=opts.seed)
            turn = TaskTurn(index=rnd, prompt=msgs[-1]["content"], reply=reply)
            traj.task_turns.append(turn)
            await run_reply_code(turn, sandbox, opts.exec_limits)
            if turn.execution is None:
                traj.stop_reason = "no_code"
                break
            if rnd == opts.max_rounds:
                break
            feedback = "Execution result:\n" + turn.execution.describe(opts.output_chars)
            msgs += [{"role": "assistant", "content": reply}, {"role": "user", "content": feedback}]
        await finalize(traj, sandbox, opts.exec_limits)
        traj.wall_s = time.perf_counter() - t0
        return traj


class _CodeSteerBase(Method):
    uses_guide = True
    _overrides: ClassVar[dict[str, Any]] = {}  # SteerOptions fields this ablation switches off

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        opts = dataclasses.replace(options or SteerOptions(), **self._overrides)
        return await steer(instance, models, sandbox, opts, method=self.name)


@register
class CodeSteer(_CodeSteerBase):
    name = "codesteer"
    title = "CodeSteer"
    description = "The guide steers the task model over up to 5 rounds with the symbolic and self-answer checkers."


@register
class CodeSteerNoSymbolic(_CodeSteerBase):
    name = "codesteer_no_symbolic"
    title = "CodeSteer w/o symbolic checker"
    description = "CodeSteer without the symbolic checker's report."
    _overrides = {"symbolic_checker": False}


@register
class CodeSteerNoSelfcheck(_CodeSteerBase):
    name = "codesteer_no_selfcheck"
    title = "CodeSteer w/o self-answer checker"
    description = "CodeSteer without the self-answer checker."
    _overrides = {"self_checker": False}
