"""The steering loop: typed trajectory records, one round (``LoopState.step``) driven by a guide protocol, the
guide views, the symbolic and self-answer checkers."""

from codesteer.steer._checkpoint import GUIDE_MARKER, guide_view_for
from codesteer.steer._code import CodeBlock, answer_text, code_blocks, runnable_code
from codesteer.steer._guide import parse_guide
from codesteer.steer._loop import (
    LoopState,
    Models,
    Round,
    SteerOptions,
    ask,
    examine,
    execute,
    finalize,
    guide_step,
    new_trajectory,
    run_reply_code,
    self_check,
    steer,
    task_step,
)
from codesteer.steer._prompts import prompt
from codesteer.steer._protocol import (
    PROTOCOLS,
    CodeSteerProtocol,
    Decoding,
    GuideProtocol,
    ask_guide,
    protocol_for,
    protocol_of,
    render_llama3,
)
from codesteer.steer._records import (
    Call,
    Execution,
    GuideTurn,
    SelfCheck,
    SymbolicReport,
    TaskTurn,
    Trajectory,
    clip,
)
from codesteer.steer._reference import (
    PROMPTS_ENV,
    ReferencePrompts,
    ReferencePromptsError,
    ReferenceProtocol,
    load_reference_prompts,
    reference_prompts_for,
    reference_summary,
)
from codesteer.steer._symbolic import symbolic_check
from codesteer.steer._views import (
    choice_message,
    compact_conversation,
    feedback_block,
    guide_messages,
    view_over_budget,
)

__all__ = [
    "GUIDE_MARKER", "guide_view_for", "reference_prompts_for",
    "PROMPTS_ENV", "PROTOCOLS", "Call", "CodeBlock", "CodeSteerProtocol", "Decoding", "Execution", "GuideProtocol",
    "GuideTurn", "LoopState", "Models", "ReferencePrompts", "ReferencePromptsError", "ReferenceProtocol", "Round", "SelfCheck",
    "SteerOptions", "SymbolicReport", "TaskTurn", "Trajectory", "answer_text", "ask", "ask_guide", "choice_message",
    "clip", "code_blocks", "compact_conversation", "view_over_budget", "examine", "execute", "feedback_block", "finalize",
    "guide_messages", "guide_step", "load_reference_prompts", "new_trajectory", "parse_guide", "prompt",
    "protocol_for", "protocol_of", "reference_summary", "render_llama3", "run_reply_code", "runnable_code",
    "self_check", "steer", "symbolic_check", "task_step",
]
