"""The CodeSteer loop: a guide steers a task model between code and text over several rounds."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any

from codesteer.models import ChatModel, is_reasoning_model
from codesteer.sandbox import Limits, Sandbox
from codesteer.steer._code import answer_text, runnable_code
from codesteer.steer._prompts import prompt
from codesteer.steer._protocol import (
    PROTOCOLS,
    TEMPLATES,
    GuideProtocol,
    ask_guide,
    protocol_for,
    record_call,
)
from codesteer.steer._records import (
    Execution,
    GuideTurn,
    Role,
    SelfCheck,
    StopReason,
    TaskTurn,
    Trajectory,
    clip,
)
from codesteer.steer._symbolic import symbolic_check
from codesteer.symbench import Instance

TASK_MAX_TOKENS = 2000  # the reference's reply cap for task models that are not reasoning models


@dataclass
class Models:
    """The models of one solve. Without a guide the task model guides itself; without a checker the task model
    checks its own answers (the paper's "self-answer" checking; the reference hard-wired GPT-4o)."""

    task: ChatModel
    guide: ChatModel | None = None
    checker: ChatModel | None = None

    @property
    def guide_or_task(self) -> ChatModel:
        return self.guide or self.task

    @property
    def checker_or_task(self) -> ChatModel:
        return self.checker or self.task


@dataclass(frozen=True)
class SteerOptions:
    """Knobs of the loop; defaults follow the paper (5 rounds, execution shown only to the guide).

    ``guide_protocol``: "codesteer" (ours; ``guide_view`` picks its compact or full form) or "reference" (the
    released guide's exact protocol; needs ``reference_prompts`` or ``$CODESTEER_REFERENCE_PROMPTS``). Guide
    decoding left at ``None`` takes the protocol's default (ours: greedy; reference: T 0.95, top_p 0.7, top_k 50).
    ``guide_template`` "llama3" renders the guide prompt here and sends a raw completion; "auto" does so for hf/
    guides under the reference protocol. ``task_max_tokens=None``: 2000, or no cap for reasoning models.
    """

    max_rounds: int = 5
    symbolic_checker: bool = True
    self_checker: bool = True
    # the reference shows execution results only to the guide; True also shows them to the task model
    show_execution_to_task: bool = False
    guide_view: str = "full"  # "compact" for guides trained on the compact view
    guide_protocol: str = "codesteer"
    reference_prompts: str | None = None
    guide_template: str = "auto"
    guide_temperature: float | None = None
    guide_top_p: float | None = None
    guide_top_k: int | None = None
    task_temperature: float = 0.0
    guide_max_tokens: int | None = 1024
    task_max_tokens: int | None = None
    guide_budget_tokens: int = 6000
    output_chars: int = 2000
    selfcheck_attempts: int = 2
    exec_limits: Limits = field(default_factory=Limits)
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.max_rounds < 0:
            raise ValueError("max_rounds must be >= 0")
        if self.guide_view not in ("compact", "full"):
            raise ValueError(f"guide_view must be 'compact' or 'full', got {self.guide_view!r}")
        if self.guide_protocol not in PROTOCOLS:
            raise ValueError(f"unknown guide protocol {self.guide_protocol!r}; valid: {', '.join(PROTOCOLS)}")
        if self.guide_template not in TEMPLATES:
            raise ValueError(f"unknown guide template {self.guide_template!r}; valid: {', '.join(TEMPLATES)}")
        if self.guide_temperature is not None and not 0 <= self.guide_temperature <= 2:
            raise ValueError(f"guide temperature must be in [0, 2], got {self.guide_temperature}")
        if self.guide_top_p is not None and not 0 < self.guide_top_p <= 1:
            raise ValueError(f"guide top_p must be in (0, 1], got {self.guide_top_p}")
        if self.guide_top_k is not None and self.guide_top_k < 1:
            raise ValueError(f"guide top_k must be >= 1, got {self.guide_top_k}")

    def task_cap(self, model: ChatModel) -> int | None:
        """The reply cap of task and checker calls: the user's, else none for reasoning models, else 2000."""
        if self.task_max_tokens is not None:
            return self.task_max_tokens
        return None if is_reasoning_model(str(getattr(model, "spec", ""))) else TASK_MAX_TOKENS


async def ask(
    traj: Trajectory,
    role: Role,
    model: ChatModel,
    messages: list[dict[str, str]],
    *,
    temperature: float = 0.0,
    max_tokens: int | None = 1024,
    seed: int | None = None,
) -> str:
    """One model call, recorded on the trajectory for per-role accounting."""
    c = await model.chat(messages, temperature=temperature, max_tokens=max_tokens, seed=seed)
    record_call(traj, role, c, messages)
    return c.text


async def execute(sandbox: Sandbox, code: str, limits: Limits | None = None) -> Execution:
    r = await sandbox.arun(code, limits)
    return Execution(code=code, stdout=r.stdout, stderr=r.stderr, exit_code=r.exit_code, timed_out=r.timed_out,
                     killed_by=r.killed_by, wall_ms=r.wall_ms, truncated=r.truncated)


async def run_reply_code(turn: TaskTurn, sandbox: Sandbox, limits: Limits | None) -> None:
    """Run the first runnable block of a reply (once) and record it on the turn."""
    if turn.code is None:
        turn.code = runnable_code(turn.reply)
    if turn.code is not None and turn.execution is None:
        turn.execution = await execute(sandbox, turn.code, limits)


async def self_check(
    traj: Trajectory, question: str, turn: TaskTurn, model: ChatModel, sandbox: Sandbox, opts: SteerOptions
) -> SelfCheck:
    """Ask ``model`` for code that checks the current answer, run it, read pass/fail from its output."""
    response = turn.reply
    if turn.execution is not None:
        response += "\n\nOutput of the code above:\n" + clip(turn.execution.stdout, opts.output_chars)
    msgs = [{"role": "user", "content": f"{prompt('checker')}Question:\n{question}\n\nThe assistant's response:\n{response}\n\nYour checking code:"}]
    last: SelfCheck = SelfCheck(status="unknown", detail="the checker wrote no runnable code")
    for attempt in range(max(1, opts.selfcheck_attempts)):
        reply = await ask(traj, "checker", model, msgs, temperature=0.0 if attempt == 0 else 0.7,
                          max_tokens=opts.task_cap(model), seed=opts.seed)
        code = runnable_code(reply)
        if code is None:
            continue
        ex = await execute(sandbox, code, opts.exec_limits)
        if not ex.ok:
            last = SelfCheck(status="unknown", detail="the checking code failed:\n" + ex.describe(opts.output_chars // 2),
                             code=code, execution=ex)
            continue
        return _read_check(ex, code)
    return last


def _read_check(ex: Execution, code: str) -> SelfCheck:
    lines = [ln.strip() for ln in ex.stdout.splitlines() if ln.strip()]
    wrong = [ln for ln in lines if re.match(r"(?i)(wrong|incorrect)\b", ln)]
    if wrong:
        return SelfCheck(status="fail", detail="\n".join(wrong[:5]), code=code, execution=ex)
    if lines and re.fullmatch(r"(?i)correct[.!]?", lines[-1]):
        return SelfCheck(status="pass", detail="Correct", code=code, execution=ex)
    return SelfCheck(status="unknown", detail=clip(ex.stdout, 500) or "(no output)", code=code, execution=ex)


async def examine(
    traj: Trajectory, turn: TaskTurn, models: Models, sandbox: Sandbox, opts: SteerOptions
) -> None:
    """Everything the guide learns about a reply: its code's run, the symbolic report, the self-check."""
    await run_reply_code(turn, sandbox, opts.exec_limits)
    if turn.code is not None and opts.symbolic_checker:
        turn.symbolic = symbolic_check(turn.code)
    if opts.self_checker:
        turn.selfcheck = await self_check(traj, traj.question, turn, models.checker_or_task, sandbox, opts)


async def finalize(traj: Trajectory, sandbox: Sandbox, limits: Limits | None) -> Trajectory:
    """The final answer is the last task reply — or what that reply's own code printed; never older output."""
    if not traj.task_turns:
        traj.final_answer, traj.final_source = "", "none"
        return traj
    last = traj.task_turns[-1]
    await run_reply_code(last, sandbox, limits)
    text, source = answer_text(last.reply, last.execution.stdout if last.execution else None)
    traj.final_answer, traj.final_source = text, source  # type: ignore[assignment]
    return traj


def new_trajectory(instance: Instance, method: str, **extras: Any) -> Trajectory:
    return Trajectory(instance_id=instance.id, task=instance.task, method=method, question=instance.question, extras=extras)


async def guide_step(traj: Trajectory, protocol: GuideProtocol, models: Models, opts: SteerOptions,
                     seed: int | None = None) -> GuideTurn:
    """Ask the guide for its next turn (not yet appended): what it reads and how its reply reads, per protocol."""
    guide = models.guide_or_task
    first = not traj.guide_turns
    prompt_text = protocol.turn_prompt(traj, opts)
    raw = await ask_guide(traj, guide, protocol.messages(traj, opts), protocol.decoding(opts, guide),
                          seed=opts.seed if seed is None else seed)
    decision, guidance = protocol.interpret(raw, first_turn=first)
    return GuideTurn(index=len(traj.guide_turns), prompt=prompt_text, raw=raw, decision=decision, guidance=guidance)


async def task_step(traj: Trajectory, protocol: GuideProtocol, g: GuideTurn, models: Models,
                    opts: SteerOptions) -> TaskTurn:
    """Send the task model what guide turn ``g`` (already appended) tells it; record and return its reply.

    The task model's conversation is read from the records: each earlier turn's message and its own raw reply,
    then this turn's message.
    """
    message = protocol.task_message(traj, g, opts)
    task_msgs: list[dict[str, str]] = []
    for t in traj.task_turns:
        task_msgs += [{"role": "user", "content": t.prompt}, {"role": "assistant", "content": t.reply}]
    task_msgs.append({"role": "user", "content": message})
    reply = await ask(traj, "task", models.task, task_msgs, temperature=opts.task_temperature,
                      max_tokens=opts.task_cap(models.task), seed=opts.seed)
    turn = TaskTurn(index=g.index, prompt=message, reply=reply)
    traj.task_turns.append(turn)
    return turn


@dataclass(frozen=True)
class Round:
    """What one step did: the guide's turn, the task reply it drew (``None`` when the guide ended the loop), and
    why the loop ended after it (``None`` while it goes on)."""

    guide: GuideTurn
    task: TaskTurn | None
    ended: StopReason | None


@dataclass
class LoopState:
    """One solve between rounds: its records and what the next round needs (the guide answers next).

    ``steer`` runs a state straight through; the DPO guidance tree forks it before a guide turn and runs each
    branch on, so synthesis explores exactly the loop a guide meets at inference. The models, sandbox, protocol
    and options are shared services or frozen; everything a round writes lives on ``traj``, which ``fork`` copies.
    """

    traj: Trajectory
    protocol: GuideProtocol
    models: Models
    sandbox: Sandbox
    opts: SteerOptions
    ended: StopReason | None = None

    @classmethod
    def start(cls, instance: Instance, models: Models, sandbox: Sandbox, opts: SteerOptions | None = None, *,
              method: str = "codesteer") -> LoopState:
        """A fresh solve of ``instance`` (building the protocol first, so a bad one fails before any call)."""
        opts = opts or SteerOptions()
        protocol = protocol_for(opts)
        traj = new_trajectory(instance, method, guide_view=opts.guide_view, max_rounds=opts.max_rounds,
                              guide_protocol=protocol.name)
        return cls(traj, protocol, models, sandbox, opts)

    def fork(self) -> LoopState:
        """An independent copy: the records are copied deeply, so branches never share a mutable record."""
        return dataclasses.replace(self, traj=self.traj.model_copy(deep=True))

    async def step(self, seed: int | None = None) -> Round:
        """One round: the guide reads its view and decides; unless it ends the loop, the task model follows the
        guidance and, unless the round limit is reached, its reply is examined (code run, checkers) for the
        guide's next view. ``seed`` overrides the options' seed for the guide call (DPO siblings)."""
        if self.ended is not None:
            raise RuntimeError(f"the loop has ended ({self.ended})")
        traj, protocol, opts = self.traj, self.protocol, self.opts
        g = await guide_step(traj, protocol, self.models, opts, seed=seed)
        traj.guide_turns.append(g)
        if g.decision in ("return", "terminate"):
            reason: StopReason = "return_answer" if g.decision == "return" else "terminate"
            self.ended = traj.stop_reason = reason
            return Round(g, None, reason)
        turn = await task_step(traj, protocol, g, self.models, opts)
        traj.stop_reason = "max_rounds"
        if g.index >= protocol.max_rounds(opts):
            self.ended = "max_rounds"
        else:
            await protocol.examine(traj, turn, self.models, self.sandbox, opts)
        return Round(g, turn, self.ended)

    async def finish(self) -> Trajectory:
        """The trajectory with its final answer (see ``finalize``)."""
        return await finalize(self.traj, self.sandbox, self.opts.exec_limits)


async def steer(
    instance: Instance,
    models: Models,
    sandbox: Sandbox,
    opts: SteerOptions | None = None,
    *,
    method: str = "codesteer",
) -> Trajectory:
    """Run the CodeSteer loop on one instance and return its trajectory (not scored: see ``symbench.verify``)."""
    state = LoopState.start(instance, models, sandbox, opts, method=method)
    t0 = time.perf_counter()
    while state.ended is None:
        await state.step()
    traj = await state.finish()
    traj.wall_s = time.perf_counter() - t0
    return traj
