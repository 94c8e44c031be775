"""Reading a guide reply as a structured decision (never a substring test over prose)."""

from __future__ import annotations

import re

from codesteer.steer._prompts import prompt
from codesteer.steer._records import GuideDecision
from codesteer.symbench import extract_answer

_CONTROL = {
    "code": "code",
    "text": "text",
    "return answer": "return",
    "return": "return",
    "terminate": "terminate",
}
# a control word between two or three angle brackets on either side: small guides miscount them
_LOOSE = re.compile(r"<{2,3}([^<>\n]{1,40})>{2,3}")


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip(" .!*`'\"")).lower()


def parse_guide(raw: str, *, first_turn: bool) -> tuple[GuideDecision, str]:
    """The decision and the instruction for the task model.

    The decision is the content of the last ``<<<...>>>``: exactly ``Code``/``Text`` (mapped to our code and text
    instructions), ``Return Answer`` or ``Terminate`` (end of loop), else free guidance. A reply without
    ``<<<...>>>`` is used verbatim as guidance (a trained guide may answer so), unless its last bracketed word,
    with two or three brackets on a side (``<<<Return Answer>>``), is a control word. On the first turn an empty
    or unusable reply falls back to the code instruction, so a sample is never skipped.
    """
    content = extract_answer(raw or "")
    if content is None:
        loose = _LOOSE.findall(raw or "")
        if loose and _key(loose[-1]) in _CONTROL:
            content = loose[-1]
    text = (content if content is not None else (raw or "")).strip()
    decision = _CONTROL.get(_key(text))
    if decision == "code":
        return "code", prompt("code_template")
    if decision == "text":
        return "text", prompt("text_template")
    if decision in ("return", "terminate"):
        if first_turn:
            return "code", prompt("code_template")
        return decision, ""  # type: ignore[return-value]
    if not text:
        return ("code", prompt("code_template")) if first_turn else ("terminate", "")
    if first_turn:
        return "guidance", text.rstrip() + "\n\n"
    return "guidance", text
