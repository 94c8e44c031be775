"""Finding the code a reply means to run, and the answer a reply (or its output) gives."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from codesteer.symbench import extract_answer

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+.#-]*)[^\n]*$", re.M)
_PY_LANGS = {"python", "py", "python3", "py3", "ipython", "pycon"}
_NOT_PY = {"sh", "bash", "shell", "console", "text", "txt", "json", "yaml", "output", "plaintext", "cpp", "c", "java",
           "javascript", "js", "latex", "tex", "markdown", "md", "sql", "diff"}


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    code: str
    closed: bool

    @property
    def runnable(self) -> bool:
        """Python-labelled, or unlabeled and valid Python (a lone expression or prose does not count)."""
        lang = self.lang.lower()
        if lang in _NOT_PY:
            return False
        if lang and lang not in _PY_LANGS:
            return False
        try:
            tree = ast.parse(self.code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        if not tree.body:
            return False
        if not lang:
            # unlabeled: require something program-like, not a bare answer such as `42` or `[1, 2]`
            return not all(isinstance(s, ast.Expr) and not isinstance(s.value, ast.Call) for s in tree.body)
        return True


def code_blocks(reply: str) -> list[CodeBlock]:
    """Every fenced block in order; a final fence left open (a truncated reply) runs to the end."""
    blocks: list[CodeBlock] = []
    pos = 0
    while True:
        m = _FENCE.search(reply, pos)
        if not m:
            break
        fence, lang = m.group(1), m.group(2)
        body_start = m.end() + 1
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        c = close.search(reply, body_start)
        if c is None:
            blocks.append(CodeBlock(lang, reply[body_start:].rstrip(), False))
            break
        blocks.append(CodeBlock(lang, reply[body_start:c.start()].rstrip("\n"), True))
        pos = c.end()
    return blocks


def runnable_code(reply: str, which: str = "first") -> str | None:
    """The code the reply means to run: the first (default) or last runnable block, or None."""
    runnable = [b for b in code_blocks(reply) if b.runnable]
    if not runnable:
        return None
    return (runnable[0] if which == "first" else runnable[-1]).code


def answer_text(reply: str, stdout: str | None) -> tuple[str, str]:
    """The text to verify for a final reply and where it came from.

    When the reply's own code printed a ``<<<...>>>`` answer, the printed one counts (the reply was written before
    its output existed); otherwise the reply's last ``<<<...>>>``; otherwise the reply itself (the verifier will
    report that no answer was found).
    """
    if stdout and extract_answer(stdout) is not None:
        return stdout, "execution"
    if extract_answer(reply) is not None:
        return reply, "reply"
    return reply, "none"
