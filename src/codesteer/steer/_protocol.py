"""Guide protocols: how the loop talks to a guide, behind one small interface.

A protocol renders what the guide reads from the trajectory records, turns the guide's raw reply into the next
move, says what the task model receives, and examines each task reply. ``codesteer`` is ours (its compact and full
views are two forms of it); ``reference`` speaks the paper's released guide's protocol byte for byte
(``_reference.py``). The loop (``steer``) and data synthesis drive every protocol through the same calls.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codesteer.models import ChatModel, Completion, sampling_kwargs
from codesteer.steer._guide import parse_guide
from codesteer.steer._records import Call, GuideDecision, GuideTurn, Role, TaskTurn, Trajectory
from codesteer.steer._views import choice_message, compact_conversation, feedback_block, guide_messages

if TYPE_CHECKING:
    from codesteer.sandbox import Sandbox
    from codesteer.steer._loop import Models, SteerOptions

PROTOCOLS = ("codesteer", "reference")
TEMPLATES = ("auto", "chat", "llama3")
LLAMA3_STOP = "<|eot_id|>"


@dataclass(frozen=True)
class Decoding:
    """How the guide is sampled. ``template`` "llama3": the prompt is rendered here and sent as a raw completion
    (nothing trims or rewraps it); "chat": the messages go to the model's chat endpoint and template."""

    temperature: float
    max_tokens: int | None
    top_p: float | None = None
    top_k: int | None = None
    template: str = "chat"


def render_llama3(messages: Sequence[dict[str, str]]) -> str:
    """The Llama-3 chat format with a generation prompt, contents untouched (Meta's HF template trims them;
    LLaMA-Factory's ``llama3`` template, which the released guide was trained with, does not)."""
    parts = ["<|begin_of_text|>"]
    for m in messages:
        parts.append(f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>")
    parts.append("<|start_header_id|>assistant<|end_header_id|>\n\n")
    return "".join(parts)


def record_call(traj: Trajectory, role: Role, c: Completion, messages: list[dict[str, str]]) -> None:
    """Account one completion on the trajectory (per-role tokens, cost, latency), with exactly what was sent, so
    a report can show each call's prompt (and a bad prompt can be found)."""
    traj.calls.append(
        Call(role=role, model=c.model, prompt_tokens=c.prompt_tokens, completion_tokens=c.completion_tokens,
             latency_s=c.latency_s, cost_usd=getattr(c, "cost_usd", 0.0), cached=c.cached,
             reasoning_tokens=getattr(c, "reasoning_tokens", 0) or 0,
             messages=[{"role": m["role"], "content": m["content"]} for m in messages], reply=c.text)
    )


async def ask_guide(traj: Trajectory, model: ChatModel, messages: list[dict[str, str]], decoding: Decoding,
                    seed: int | None) -> str:
    """One guide call under ``decoding``, recorded on the trajectory."""
    sampling: dict[str, Any] = sampling_kwargs(decoding.top_p, decoding.top_k)
    if decoding.template == "llama3":
        complete = getattr(model, "complete", None)
        if complete is None:
            raise ValueError(f"guide {model.spec} cannot take a raw prompt (--guide-template llama3 needs an "
                             "openai/ or hf/ guide)")
        stop = [LLAMA3_STOP]
        c = await complete(render_llama3(messages), temperature=decoding.temperature,
                           max_tokens=decoding.max_tokens, stop=stop, seed=seed, **sampling)
    else:
        c = await model.chat(messages, temperature=decoding.temperature, max_tokens=decoding.max_tokens, seed=seed,
                             **sampling)
    record_call(traj, "guide", c, messages)
    return c.text


class GuideProtocol:
    """The interface the loop and synthesis use; one instance serves every sample of a run."""

    name: str = ""

    def decoding(self, opts: SteerOptions, guide: ChatModel) -> Decoding:
        raise NotImplementedError

    def max_rounds(self, opts: SteerOptions) -> int:
        return opts.max_rounds

    def messages(self, traj: Trajectory, opts: SteerOptions) -> list[dict[str, str]]:
        """The guide's conversation so far, ending with the user turn it answers next."""
        raise NotImplementedError

    def turn_prompt(self, traj: Trajectory, opts: SteerOptions) -> str:
        """The user message of the coming guide turn, as recorded on its ``GuideTurn``."""
        raise NotImplementedError

    def interpret(self, raw: str, *, first_turn: bool) -> tuple[GuideDecision, str]:
        """The decision a raw guide reply means and the instruction it gives the task model."""
        raise NotImplementedError

    def task_message(self, traj: Trajectory, g: GuideTurn, opts: SteerOptions) -> str:
        """What the task model receives after guide turn ``g``."""
        raise NotImplementedError

    async def examine(self, traj: Trajectory, turn: TaskTurn, models: Models, sandbox: Sandbox,
                      opts: SteerOptions) -> None:
        """Everything the guide will learn about a reply (its code's run, the checkers), stored on the turn."""
        raise NotImplementedError

    def target(self, g: GuideTurn) -> str:
        """The guide reply a trained guide learns for turn ``g``."""
        raise NotImplementedError

    def training_conversation(self, traj: Trajectory) -> list[dict[str, str]]:
        """The whole guide conversation with the learned replies (SFT data)."""
        raise NotImplementedError


class CodeSteerProtocol(GuideProtocol):
    """Ours: structured decisions in ``<<<...>>>``, the compact view for trained guides, the full one for API guides."""

    name = "codesteer"

    def decoding(self, opts: SteerOptions, guide: ChatModel) -> Decoding:
        return Decoding(temperature=opts.guide_temperature if opts.guide_temperature is not None else 0.0,
                        max_tokens=opts.guide_max_tokens, top_p=opts.guide_top_p, top_k=opts.guide_top_k,
                        template="llama3" if opts.guide_template == "llama3" else "chat")

    def messages(self, traj: Trajectory, opts: SteerOptions) -> list[dict[str, str]]:
        return guide_messages(traj, view=opts.guide_view, budget_tokens=opts.guide_budget_tokens,
                              max_chars=opts.output_chars)

    def turn_prompt(self, traj: Trajectory, opts: SteerOptions) -> str:
        if not traj.guide_turns:
            return choice_message(traj.question)
        return feedback_block(traj.task_turns[-1], max_chars=opts.output_chars)

    def interpret(self, raw: str, *, first_turn: bool) -> tuple[GuideDecision, str]:
        return parse_guide(raw, first_turn=first_turn)

    def task_message(self, traj: Trajectory, g: GuideTurn, opts: SteerOptions) -> str:
        if g.index == 0:
            return g.guidance + traj.question
        last = traj.task_turns[-1]
        if opts.show_execution_to_task and last.execution is not None:
            return "Your code was run.\n" + last.execution.describe(opts.output_chars) + "\n\n" + g.guidance
        return g.guidance

    async def examine(self, traj: Trajectory, turn: TaskTurn, models: Models, sandbox: Sandbox,
                      opts: SteerOptions) -> None:
        from codesteer.steer._loop import examine

        await examine(traj, turn, models, sandbox, opts)

    def target(self, g: GuideTurn) -> str:
        return g.target

    def training_conversation(self, traj: Trajectory) -> list[dict[str, str]]:
        return compact_conversation(traj)


_CODESTEER = CodeSteerProtocol()


def protocol_for(opts: Any) -> GuideProtocol:
    """The protocol ``opts`` asks for; building ``reference`` reads the user's prompt file (a clear error if it
    cannot), so callers can build it once before any work starts."""
    name = getattr(opts, "guide_protocol", "codesteer")
    if name == "codesteer":
        return _CODESTEER
    if name == "reference":
        return _reference_protocol(getattr(opts, "reference_prompts", None))
    raise ValueError(f"unknown guide protocol {name!r}; valid: {', '.join(PROTOCOLS)}")


def _reference_protocol(path: str | None) -> GuideProtocol:
    from codesteer.steer._reference import ReferenceProtocol, load_reference_prompts, prompts_path

    resolved = prompts_path(path)
    return _cached_reference(str(resolved), _mtime(resolved), ReferenceProtocol, load_reference_prompts)


def _mtime(path: Any) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@functools.lru_cache(maxsize=8)
def _cached_reference(path: str, mtime: float, cls: Any, load: Any) -> GuideProtocol:
    return cls(load(path))


def protocol_of(traj: Trajectory) -> str:
    """The protocol a stored trajectory was run with (older trajectories: ours)."""
    return str(traj.extras.get("guide_protocol") or "codesteer")
