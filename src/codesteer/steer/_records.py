"""Typed records of one sample's trajectory; both guide views are rendered from them (``_views.py``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["guide", "task", "checker", "judge"]
GuideDecision = Literal["code", "text", "guidance", "return", "terminate"]
StopReason = Literal["return_answer", "terminate", "max_rounds", "single_shot", "no_code", "error"]


class Call(BaseModel):
    """One model call, for token/cost/latency accounting per role."""

    role: Role
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    cached: bool = False
    # exactly what was sent, so a report can show each call's prompt (and a bad prompt can be found)
    messages: list[dict[str, str]] = Field(default_factory=list)
    reply: str = ""
    reasoning_tokens: int = 0  # part of completion_tokens (reasoning models that report it)


class Execution(BaseModel):
    """A code block and what the sandbox did with it (fields of ``sandbox.ExecResult``)."""

    code: str
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    timed_out: bool = False
    killed_by: str | None = None
    wall_ms: float = 0.0
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def describe(self, max_chars: int = 2000) -> str:
        """The execution as the guide (or the task model) reads it, with long output cut visibly."""
        parts = []
        if self.timed_out:
            parts.append(f"The code was stopped: it exceeded the time limit ({self.killed_by or 'wall clock'}).")
        elif self.exit_code not in (0, None):
            parts.append(f"The code exited with status {self.exit_code}" + (f" ({self.killed_by})." if self.killed_by else "."))
        parts.append("Output:\n" + (clip(self.stdout, max_chars) if self.stdout.strip() else "(no output)"))
        if self.stderr.strip():
            parts.append("Errors:\n" + clip(self.stderr, max_chars // 2))
        return "\n".join(parts)


class SymbolicReport(BaseModel):
    """What static analysis says about a code block (see ``symbolic_check``)."""

    parsed: bool
    hardcoded: bool
    symbolic: bool
    score: float
    features: dict[str, Any] = Field(default_factory=dict)
    summary: str = ""


class SelfCheck(BaseModel):
    """The outcome of code the checker model wrote to test the current answer."""

    status: Literal["pass", "fail", "unknown"]
    detail: str = ""
    code: str | None = None
    execution: Execution | None = None


class GuideTurn(BaseModel):
    """One guide call: its raw text, the decision read from it, and what the task model receives."""

    index: int
    prompt: str  # the compact-view user message of this turn
    raw: str
    decision: GuideDecision
    guidance: str = ""  # instruction sent to the task model ('' for return/terminate)

    @property
    def target(self) -> str:
        """The canonical reply a trained guide learns (structured, without the analysis)."""
        if self.decision == "code":
            return "<<<Code>>>"
        if self.decision == "text":
            return "<<<Text>>>"
        if self.decision == "return":
            return "<<<Return Answer>>>"
        if self.decision == "terminate":
            return "<<<Terminate>>>"
        return f"<<<{self.guidance}>>>"


class TaskTurn(BaseModel):
    """One task-model reply with everything the loop learned about it."""

    index: int
    prompt: str
    reply: str
    code: str | None = None
    execution: Execution | None = None
    symbolic: SymbolicReport | None = None
    selfcheck: SelfCheck | None = None


class Trajectory(BaseModel):
    """A whole solve: what each model was asked and said, what ran, why it stopped and the final answer."""

    instance_id: str
    task: str
    method: str
    question: str
    guide_turns: list[GuideTurn] = Field(default_factory=list)
    task_turns: list[TaskTurn] = Field(default_factory=list)
    calls: list[Call] = Field(default_factory=list)
    final_answer: str = ""  # the text that is verified (a reply, or the printed output of its code)
    final_source: Literal["reply", "execution", "none"] = "none"
    stop_reason: StopReason = "single_shot"
    error: str | None = None
    wall_s: float = 0.0
    extras: dict[str, Any] = Field(default_factory=dict)

    def usage(self) -> dict[str, dict[str, float]]:
        """Totals per role: calls, prompt/completion tokens, latency and cost."""
        out: dict[str, dict[str, float]] = {}
        for c in self.calls:
            t = out.setdefault(
                c.role, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "latency_s": 0.0, "cost_usd": 0.0}
            )
            t["calls"] += 1
            t["prompt_tokens"] += c.prompt_tokens
            t["completion_tokens"] += c.completion_tokens
            t["latency_s"] += c.latency_s
            t["cost_usd"] += c.cost_usd
            if c.reasoning_tokens:
                t["reasoning_tokens"] = t.get("reasoning_tokens", 0) + c.reasoning_tokens
        return out

    @property
    def total_tokens(self) -> int:
        return sum(c.prompt_tokens + c.completion_tokens for c in self.calls)

    @property
    def cost_usd(self) -> float:
        return sum(c.cost_usd for c in self.calls)


def clip(text: str, max_chars: int) -> str:
    """Keep the head and tail of long text with a visible marker in between."""
    if len(text) <= max_chars:
        return text
    head = max_chars * 2 // 3
    tail = max_chars - head
    return f"{text[:head]}\n[... {len(text) - max_chars} characters omitted ...]\n{text[-tail:]}"
