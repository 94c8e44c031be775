"""Run model-written Python safely and fast.

``get_sandbox()`` returns the default :class:`LocalSandbox`, a fork-server: a warm zygote with numpy and
sympy already imported forks an isolated process tree per snippet (fresh PID, network, IPC and mount
namespaces, a minimal read-only root with a private empty /tmp, an unprivileged uid, one cgroup for the
job tree, a seccomp filter, rlimits, a scrubbed environment). The
:class:`SubprocessSandbox` starts a fresh interpreter per snippet with the same isolation. Every
:class:`ExecResult` reports in ``isolation`` what was actually in force. This is not a VM: see the README's
"Security model" section.
"""

from __future__ import annotations

from typing import Any

from codesteer.errors import CodesteerError

from ._local import DEFAULT_PRELOAD, LocalSandbox, SubprocessSandbox
from ._types import ExecResult, Limits, Sandbox

__all__ = [
    "DEFAULT_PRELOAD",
    "ExecResult",
    "Limits",
    "LocalSandbox",
    "Sandbox",
    "SubprocessSandbox",
    "get_sandbox",
]

_BACKENDS = {"local": LocalSandbox, "subprocess": SubprocessSandbox}


def get_sandbox(name: str = "local", **options: Any) -> LocalSandbox | SubprocessSandbox:
    """Build a sandbox backend by name ("local" or "subprocess"); options go to its constructor."""
    cls = _BACKENDS.get(name)
    if cls is None:
        raise CodesteerError(f"unknown sandbox {name!r}; choose one of: {', '.join(sorted(_BACKENDS))}")
    try:
        return cls(**options)
    except TypeError as e:
        raise CodesteerError(f"bad option for the {name!r} sandbox: {e}") from e
