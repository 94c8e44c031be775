"""The released guide's protocol (``reference``), reproduced from ``spec/reference-guide-protocol.md``.

The paper's trained guide saw one exact message shape during training; any other wording is out of its
distribution. This module speaks that shape: the guide's user turns, its raw outputs as history, the reference's
code-block rule, execution text, self-answer checker texts and symbolic-summary heuristic, how a guide output
becomes the task model's next message, and the released guide's decoding.

The long template texts belong to the reference's ``prompt.py``; codesteer ships none of them. They are read at
run time from the user's copy of that file, parsed with ``ast`` (never imported or executed).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codesteer.errors import CodesteerError
from codesteer.models import ChatModel
from codesteer.steer._protocol import Decoding, GuideProtocol, record_call
from codesteer.steer._records import (
    Execution,
    GuideDecision,
    GuideTurn,
    SelfCheck,
    SymbolicReport,
    TaskTurn,
    Trajectory,
)

if TYPE_CHECKING:
    from codesteer.sandbox import Sandbox
    from codesteer.steer._loop import Models, SteerOptions

PROMPTS_ENV = "CODESTEER_REFERENCE_PROMPTS"
PROMPT_NAMES = {
    "choice": "code_text_choice_prompt",
    "code": "with_COT_code_output_prompt",
    "text": "text_output_prompt",
    "checker": "Code_checker_prompt",
}
# LLaMA-Factory's generation defaults, which the released guide was evaluated with
GUIDE_TEMPERATURE, GUIDE_TOP_P, GUIDE_TOP_K, GUIDE_MAX_TOKENS = 0.95, 0.7, 50, 1024
MAX_ROUNDS = 5
OUTPUT_TOKEN_LIMIT = 2000
CHECK_ATTEMPTS, CHECK_ASKS = 3, 5
TIMEOUT_S = 10

_CODE = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
NOT_COMPLEX_NOTE = "\nThe generated code may not be complex enough to carry out symbolic computing for solving the task."
TOO_LONG = "\nThe execution result from the generated code is too long to be displayed."
CLOSING = "The final returned guidance prompt should be of the format <<<guidance prompt content>>>."
NO_CHECK_CODE = "errors: \nPrevious attempt failed to generate code. Please try again."
CHECK_TOO_LONG = "Check function does not work this round."


class ReferencePromptsError(CodesteerError):
    """The reference's prompt file is missing, unreadable, or lacks a text the protocol needs."""


@dataclass(frozen=True)
class ReferencePrompts:
    """The four template texts of the reference's ``prompt.py`` that the protocol sends."""

    choice: str
    code: str
    text: str
    checker: str
    source: str = ""

    @property
    def digest(self) -> str:
        """Identifies the texts (not the path): a run keyed by it recomputes when the user's file changes."""
        blob = "\0".join((self.choice, self.code, self.text, self.checker)).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]


def prompts_path(path: str | Path | None = None) -> Path:
    """``path``, else ``$CODESTEER_REFERENCE_PROMPTS``; a one-line error when neither is given."""
    value = str(path) if path else os.environ.get(PROMPTS_ENV, "")
    if not value:
        raise ReferencePromptsError(
            "the reference protocol needs your copy of the reference's prompt.py: pass --reference-prompts PATH "
            f"or set {PROMPTS_ENV}")
    return Path(value).expanduser()


def reference_prompts_for(protocol: str, prompts: str | None) -> str | None:
    """The reference's prompt file a run with guide ``protocol`` reads (located now, so a missing one fails before
    any work); ``prompts`` belongs to the reference protocol only."""
    if protocol == "reference":
        return str(prompts_path(prompts))
    if prompts is not None:
        from codesteer.errors import ParameterError

        raise ParameterError("{reference_prompts} needs {guide_protocol} reference", "reference_prompts",
                             "guide_protocol")
    return None


def _literal(node: ast.AST) -> str | None:
    """The value of a string literal, an f-string without placeholders, or ``+`` of such; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                return None
            parts.append(v.value)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def load_reference_prompts(path: str | Path | None = None) -> ReferencePrompts:
    """Read the four texts from a ``prompt.py`` without running it (module-level assignments; the last wins)."""
    p = prompts_path(path)
    if not p.is_file():
        raise ReferencePromptsError(f"reference prompts file not found: {p}")
    try:
        tree = ast.parse(p.read_bytes(), filename=str(p))
    except (SyntaxError, ValueError) as exc:
        raise ReferencePromptsError(f"{p}: not valid Python ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    except (RecursionError, MemoryError):
        raise ReferencePromptsError(f"{p}: too deeply nested to read") from None
    except OSError as exc:
        raise ReferencePromptsError(f"cannot read {p}: {exc.strerror or exc}") from None
    found: dict[str, ast.AST] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            found[stmt.target.id] = stmt.value
    texts: dict[str, str] = {}
    for key, var in PROMPT_NAMES.items():
        if var not in found:
            raise ReferencePromptsError(f"{p}: no variable {var!r} (the reference protocol needs it)")
        try:
            value = _literal(found[var])
        except RecursionError:
            value = None
        if value is None:
            raise ReferencePromptsError(f"{p}: {var!r} is not a string literal or an f-string without placeholders")
        texts[key] = value
    return ReferencePrompts(source=str(p), **texts)


def prompts_digest(path: str | Path | None) -> str:
    """The digest of the prompt texts at ``path`` (read through the protocol cache)."""
    from codesteer.steer._loop import SteerOptions
    from codesteer.steer._protocol import protocol_for

    protocol = protocol_for(SteerOptions(guide_protocol="reference", reference_prompts=str(path) if path else None))
    return protocol.prompts.digest  # type: ignore[attr-defined]


def extract_code(text: str) -> list[str]:
    """The reference's code-block rule: blocks opened by exactly ```` ```python ```` and a newline."""
    return _CODE.findall(text or "")


@functools.cache
def _encoding() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("o200k_base")
    except Exception:  # not installed, or its encoding file cannot be fetched offline
        return None


def count_tokens(text: str) -> int:
    """gpt-4o tokens (tiktoken ``o200k_base``) where tiktoken and its encoding are available; otherwise an
    estimate of one token per four characters, which decides the 2000-token rule only near the boundary."""
    enc = _encoding()
    if enc is not None:
        return len(enc.encode(text, disallowed_special=()))
    return math.ceil(len(text) / 4)


def timeout_note(name: str) -> str:
    """What ``subprocess.TimeoutExpired`` printed in the reference (its command was ``["python3", file]``)."""
    return f"\nTimeoutExpired: Command '{['python3', name]}' timed out after {TIMEOUT_S} seconds"


def _streams(ex: Execution, name: str) -> tuple[str, str]:
    errors = ex.stderr + (timeout_note(name) if ex.timed_out else "")
    return ex.stdout, errors


def response_with_output(turn: TaskTurn) -> str:
    """R: the task reply, extended with its first block's execution text when it had one."""
    if turn.execution is None:
        return turn.reply
    out, err = _streams(turn.execution, f"code_1_{turn.index}.py")
    if count_tokens(out + err) > OUTPUT_TOKEN_LIMIT:
        return turn.reply + TOO_LONG
    return turn.reply + "\nThe execution result from the generated code is:\noutput: " + out + ", errors: " + err


def reference_summary(code: str) -> tuple[str, float]:
    """The reference symbolic-summary heuristic, as its guide was trained on it (known flaws included: raw-text
    keyword counts, ``from itertools import ...`` missed). The not-complex note is appended when score <= 2."""
    try:
        tree = ast.parse(code)
    except Exception as exc:  # noqa: BLE001 - the reference reported any parse failure this way
        return "Invalid Python code: " + str(exc) + NOT_COMPLEX_NOTE, 0
    explanations: list[str] = []
    searching = symbolic = numerical = False
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.While):
            searching = True
            explanations.append("Contains loops for systematic search")
        if isinstance(node, ast.Import | ast.ImportFrom) and "itertools" in node.names[0].name:
            searching = True
            explanations.append("Uses itertools for combinatorial search")
    if "eval(" in code or "exec(" in code:
        symbolic = True
        explanations.append("Uses eval/exec for symbolic expression evaluation")
    if any(s in code for s in ("format", 'f"', "f'")):
        symbolic = True
        explanations.append("Uses string formatting for expression building")
    ops = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            numerical = True
            explanations.append("Contains direct mathematical operations")
            ops += 1
    score = (len(re.findall(r"for|while", code)) + len(re.findall(r"if|elif|else", code))
             + len(re.findall(r"try|except", code)) + ops * 0.25)
    lines: list[str] = []
    if searching:
        lines.append("SEARCHING APPROACH detected because:")
        lines += [f"- {e}" for e in explanations if "search" in e.lower()]
    if symbolic:
        lines.append("\nSYMBOLIC COMPUTING detected because:")
        lines += [f"- {e}" for e in explanations if "symbol" in e.lower() or "expression" in e.lower()]
    if numerical:
        lines.append("\nNUMERICAL COMPUTING detected because:")
        lines += [f"- {e}" for e in explanations if "mathematical" in e.lower()]
    lines.append(f"\nComplexity score: {score}")
    text = "\n".join(lines)
    return (text + NOT_COMPLEX_NOTE if score <= 2 else text), score


def feedback_message(turn: TaskTurn) -> str:
    """The guide's user turn after a task reply (k >= 1)."""
    check = turn.selfcheck.detail if turn.selfcheck is not None else ""
    msg = ("The response from TaskLLM is: " + response_with_output(turn)
           + "\n\nThe feedback from the checking agent is:\n" + check + "\n\n")
    if turn.code is not None and turn.symbolic is not None:
        msg += "The summary of generated code complexity is: " + turn.symbolic.summary + "\n\n"
    return msg + CLOSING


class ReferenceProtocol(GuideProtocol):
    """The released guide's protocol, byte for byte (see the module docstring)."""

    name = "reference"

    def __init__(self, prompts: ReferencePrompts) -> None:
        self.prompts = prompts

    def decoding(self, opts: SteerOptions, guide: ChatModel) -> Decoding:
        template = opts.guide_template
        if template == "auto":
            template = "llama3" if str(getattr(guide, "spec", "")).startswith("hf/") else "chat"
        return Decoding(
            temperature=opts.guide_temperature if opts.guide_temperature is not None else GUIDE_TEMPERATURE,
            max_tokens=opts.guide_max_tokens if opts.guide_max_tokens is not None else GUIDE_MAX_TOKENS,
            top_p=opts.guide_top_p if opts.guide_top_p is not None else GUIDE_TOP_P,
            top_k=opts.guide_top_k if opts.guide_top_k is not None else GUIDE_TOP_K,
            template=template,
        )

    def max_rounds(self, opts: SteerOptions) -> int:
        return min(opts.max_rounds, MAX_ROUNDS)

    def first_message(self, question: str) -> str:
        return self.prompts.choice + question

    def messages(self, traj: Trajectory, opts: SteerOptions) -> list[dict[str, str]]:
        users = [self.first_message(traj.question)] + [feedback_message(t) for t in traj.task_turns]
        msgs: list[dict[str, str]] = []
        for i, g in enumerate(traj.guide_turns):
            if i >= len(users) - 1:
                break
            msgs += [{"role": "user", "content": users[i]}, {"role": "assistant", "content": g.raw}]
        msgs.append({"role": "user", "content": users[len(msgs) // 2]})
        return msgs

    def turn_prompt(self, traj: Trajectory, opts: SteerOptions) -> str:
        if not traj.guide_turns:
            return self.first_message(traj.question)
        return feedback_message(traj.task_turns[-1])

    def interpret(self, raw: str, *, first_turn: bool) -> tuple[GuideDecision, str]:
        if first_turn:
            return "guidance", raw
        if "<<<Code>>>" in raw:
            return "code", self.prompts.code
        if "<<<Text>>>" in raw:
            return "text", self.prompts.text
        if "Return Answer" in raw:
            return "return", ""
        if "Terminate" in raw:
            return "terminate", ""
        return "guidance", raw

    def task_message(self, traj: Trajectory, g: GuideTurn, opts: SteerOptions) -> str:
        return g.guidance + traj.question if g.index == 0 else g.guidance

    async def examine(self, traj: Trajectory, turn: TaskTurn, models: Models, sandbox: Sandbox,
                      opts: SteerOptions) -> None:
        from codesteer.steer._loop import execute

        blocks = extract_code(turn.reply)
        if blocks and turn.execution is None:
            turn.code = blocks[0]
            if opts.symbolic_checker:
                summary, score = reference_summary(turn.code)
                turn.symbolic = SymbolicReport(parsed=not summary.startswith("Invalid Python code: "),
                                               hardcoded=False, symbolic="SYMBOLIC COMPUTING" in summary,
                                               score=float(score), features={"protocol": "reference"},
                                               summary=summary)
            turn.execution = await execute(sandbox, turn.code, opts.exec_limits)
        if opts.self_checker:
            turn.selfcheck = await self.check(traj, turn, models.checker_or_task, sandbox, opts)

    async def check(self, traj: Trajectory, turn: TaskTurn, model: ChatModel, sandbox: Sandbox,
                    opts: SteerOptions) -> SelfCheck:
        """The self-answer checker: up to 3 attempts, each asking up to 5 times for a python block, run 10 s."""
        from codesteer.steer._loop import _read_check, execute

        text = (self.prompts.checker + "\nThe question is:\n" + traj.question + "\nThe response is:\n"
                + response_with_output(turn) + "\nYour checking code:\n")
        msgs = [{"role": "user", "content": text}]
        out = errors = ""
        ex: Execution | None = None
        code: str | None = None
        for _attempt in range(CHECK_ATTEMPTS):
            code = None
            for _ask in range(CHECK_ASKS):
                c = await _checker_call(model, msgs, opts)
                record_call(traj, "checker", c, msgs)
                blocks = extract_code(c.text)
                if blocks:
                    code = blocks[0]
                    break
            if code is None:
                return SelfCheck(status="unknown", detail=NO_CHECK_CODE)
            ex = await execute(sandbox, code, opts.exec_limits)
            out, errors = _streams(ex, f"check_code_1_{turn.index}.py")
            if not errors:
                return SelfCheck(status=_read_check(ex, code).status, detail="output: " + out, code=code, execution=ex)
        detail = CHECK_TOO_LONG if count_tokens(out) > OUTPUT_TOKEN_LIMIT else "output: " + out + "\nerrors: " + errors
        return SelfCheck(status="unknown", detail=detail, code=code, execution=ex)

    def target(self, g: GuideTurn) -> str:
        return g.raw

    def training_conversation(self, traj: Trajectory) -> list[dict[str, str]]:
        return reference_conversation(traj)


def reference_conversation(traj: Trajectory) -> list[dict[str, str]]:
    """The released guide's training shape of a reference-protocol trajectory: each guide turn's exact user
    message (recorded on the turn) and its raw output."""
    msgs: list[dict[str, str]] = []
    for g in traj.guide_turns:
        msgs += [{"role": "user", "content": g.prompt}, {"role": "assistant", "content": g.raw}]
    return msgs


async def _checker_call(model: ChatModel, msgs: list[dict[str, str]], opts: SteerOptions) -> Any:
    """A checker call at temperature 0 with the task models' reply cap (as the reference's checker)."""
    return await model.chat(msgs, temperature=0.0, max_tokens=opts.task_cap(model), seed=opts.seed)
