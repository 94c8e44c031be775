"""The two views of a trajectory that a guide reads, rendered from the same records.

*compact*: turn 0 is the choice prompt + question, later user turns are the feedback block only — what a trained
guide is trained on and sees. *full*: later user turns also repeat the decision prompt and the question — for API
guides that were never trained on the format. Both stay within a token budget: long replies and outputs are cut
with a marker, and the oldest feedback is dropped first.
"""

from __future__ import annotations

from codesteer.steer._prompts import prompt
from codesteer.steer._records import TaskTurn, Trajectory, clip

CHARS_PER_TOKEN = 4  # a rough, model-independent estimate; budgets are soft


def choice_message(question: str) -> str:
    return prompt("choice") + question


def feedback_block(turn: TaskTurn, *, max_chars: int = 2000) -> str:
    """What the guide learns from one task reply: the reply, its execution, the checkers."""
    parts = [f"The response from TaskLLM is:\n{clip(turn.reply, max_chars * 2)}"]
    if turn.execution is not None:
        parts.append("The result of running its code:\n" + turn.execution.describe(max_chars))
    elif turn.code is None:
        parts.append("The response contains no runnable Python code.")
    if turn.selfcheck is not None:
        detail = clip(turn.selfcheck.detail, max_chars // 2)
        parts.append(f"The feedback from the checking agent ({turn.selfcheck.status}):\n{detail}")
    if turn.symbolic is not None:
        parts.append(f"The summary of the generated code's complexity:\n{turn.symbolic.summary}")
    parts.append(
        "Reply with your decision: <<<Return Answer>>>, <<<Terminate>>>, or the next guidance for the TaskLLM in the "
        "format <<<guidance prompt content>>>."
    )
    return "\n\n".join(parts)


def guide_messages(
    traj: Trajectory,
    *,
    view: str = "full",
    budget_tokens: int = 6000,
    max_chars: int = 2000,
) -> list[dict[str, str]]:
    """The guide's conversation so far, ending with a user turn (the guide answers next)."""
    if view not in ("compact", "full"):
        raise ValueError(f"unknown guide view {view!r}; valid: compact, full")
    users = [choice_message(traj.question)]
    for turn in traj.task_turns:
        block = feedback_block(turn, max_chars=max_chars)
        if view == "full":
            block = prompt("decision") + traj.question + "\n\n" + block
        users.append(block)
    assistants = [g.raw if view == "full" else g.target for g in traj.guide_turns]
    _trim(users, assistants, budget_tokens)
    messages: list[dict[str, str]] = []
    for i, u in enumerate(users):
        messages.append({"role": "user", "content": u})
        if i < len(assistants) and i < len(users) - 1:
            messages.append({"role": "assistant", "content": assistants[i]})
    return messages


def _trim(users: list[str], assistants: list[str], budget_tokens: int) -> int:
    """Drop the oldest feedback (never turn 0 or the latest) until the estimate fits the budget; in place, returns
    how many rounds were dropped."""
    dropped = 0
    while _estimate(users, assistants) > budget_tokens and len(users) - dropped > 2:
        dropped += 1
        users[dropped] = f"[feedback of round {dropped} omitted to fit the context budget]"
        if dropped < len(assistants):
            assistants[dropped] = clip(assistants[dropped], 300)
    return dropped


def view_over_budget(messages: list[dict[str, str]], *, budget_tokens: int) -> bool:
    """Whether ``guide_messages`` would trim this view (a conversation ending with the user turn the guide answers).
    Training data must not hold such a view whole: the trained guide never sees it so, and a one-sequence
    conversation that is trimmed at its last turn shows earlier turns feedback the later ones never get."""
    users = [m["content"] for m in messages if m["role"] == "user"]
    assistants = [m["content"] for m in messages if m["role"] == "assistant"]
    return _trim(users, assistants, budget_tokens) > 0


def _estimate(users: list[str], assistants: list[str]) -> int:
    return (sum(map(len, users)) + sum(map(len, assistants))) // CHARS_PER_TOKEN


def compact_conversation(traj: Trajectory) -> list[dict[str, str]]:
    """The whole guide conversation in the compact view, assistant turns included (training data)."""
    msgs: list[dict[str, str]] = []
    users = [choice_message(traj.question)] + [feedback_block(t) for t in traj.task_turns]
    for i, g in enumerate(traj.guide_turns):
        if i >= len(users):
            break
        msgs.append({"role": "user", "content": users[i]})
        msgs.append({"role": "assistant", "content": g.target})
    return msgs
