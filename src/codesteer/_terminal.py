"""Showing foreign text on a terminal as text: the one place that makes it safe.

Model replies, program output, endpoint errors and values read back from a store are hostile input. Printed
raw, an escape sequence can write the clipboard (OSC 52), retitle the window or hide text, and rich markup in
them is obeyed (``[link=…]`` disguises a link) or crashes the print (``[/]`` raises ``MarkupError``). Every
such string goes through :func:`visible` before it reaches a rich console.
"""

from __future__ import annotations

import re
import unicodedata

from rich.markup import escape

# anything outside printable ASCII is looked at; categories Cc (controls), Cf (format: bidi overrides,
# zero-width characters), Cs (lone surrogates), Co/Cn (private, unassigned) and the line/paragraph separators
# are written as escapes instead of being sent to the terminal
_SUSPECT = re.compile(r"[^\x20-\x7e\n\t]")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _show(m: re.Match[str]) -> str:
    ch = m.group()
    if unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: object, *, markup: bool = True) -> str:
    """``text`` as a string whose control and format characters are shown as escapes (``\\x1b``, ``\\u202e``).

    With ``markup`` (for a rich console that interprets markup: ``console.print``, table cells, panels) rich
    markup is escaped too; pass ``markup=False`` where the string is printed with ``markup=False``.
    Newlines and tabs are kept.
    """
    s = _SUSPECT.sub(_show, text if isinstance(text, str) else str(text))
    return escape(s) if markup else s
