"""The steering loop: typed trajectory records, both guide views, the symbolic and self-answer checkers."""

from codesteer.steer._code import CodeBlock, answer_text, code_blocks, runnable_code
from codesteer.steer._guide import parse_guide
from codesteer.steer._loop import (
    Models,
    SteerOptions,
    ask,
    examine,
    execute,
    finalize,
    new_trajectory,
    run_reply_code,
    self_check,
    steer,
)
from codesteer.steer._prompts import prompt
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
from codesteer.steer._symbolic import symbolic_check
from codesteer.steer._views import choice_message, compact_conversation, feedback_block, guide_messages

__all__ = [
    "Call", "CodeBlock", "Execution", "GuideTurn", "Models", "SelfCheck", "SteerOptions", "SymbolicReport",
    "TaskTurn", "Trajectory", "answer_text", "ask", "choice_message", "clip", "code_blocks", "compact_conversation",
    "examine", "execute", "feedback_block", "finalize", "guide_messages", "new_trajectory", "parse_guide", "prompt",
    "run_reply_code", "runnable_code", "self_check", "steer", "symbolic_check",
]
