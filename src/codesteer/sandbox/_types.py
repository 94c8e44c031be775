"""Public records of the sandbox and the parent-side output collection shared by both backends."""

from __future__ import annotations

import json
import logging
import os
import selectors
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger("codesteer.sandbox")


@dataclass(frozen=True)
class Limits:
    """Per-job limits. ``None`` switches a limit off (except ``wall_s`` and ``output_bytes``).

    ``cpu_s=None`` means the wall limit plus one second, so that single-threaded code that runs too long is
    reported as a timeout (the wall clock fires first) rather than racing the CPU limit; CPU burned by many threads
    still stops at it. ``output_bytes`` caps stdout and stderr each.
    """

    wall_s: float = 10.0
    cpu_s: float | None = None
    memory_mb: int | None = 1024
    max_procs: int | None = 64
    file_size_mb: int | None = 64
    output_bytes: int = 65536

    def __post_init__(self) -> None:
        if not self.wall_s or self.wall_s <= 0:
            raise ValueError(f"Limits.wall_s must be > 0, got {self.wall_s!r}")
        for name in ("cpu_s", "memory_mb", "max_procs", "file_size_mb"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{name} must be > 0 or None, got {value!r}")
        if self.output_bytes < 64:
            raise ValueError(f"Limits.output_bytes must be >= 64, got {self.output_bytes!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ExecResult:
    """What one snippet did. ``isolation`` says what was actually in force for this run.

    ``peak_memory_bytes`` is the job tree's peak charged memory where a cgroup held the job
    (``isolation["memory"]`` is ``"cgroup-v1"`` or ``"cgroup-v2"``), else the main process's peak RSS.
    """

    stdout: str
    stderr: str
    exit_code: int
    timed_out: bool = False
    killed_by: str | None = None
    wall_ms: float = 0.0
    truncated: bool = False
    isolation: dict[str, Any] = field(default_factory=dict)
    peak_memory_bytes: int | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["isolation"] = json.loads(json.dumps(self.isolation))
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ExecResult:
        names = {
            "stdout",
            "stderr",
            "exit_code",
            "timed_out",
            "killed_by",
            "wall_ms",
            "truncated",
            "isolation",
            "peak_memory_bytes",
        }
        kwargs = {k: v for k, v in d.items() if k in names}
        kwargs["isolation"] = dict(kwargs.get("isolation") or {})
        return cls(**kwargs)


@runtime_checkable
class Sandbox(Protocol):
    """Runs untrusted Python source. Implementations are thread-safe and usable as context managers."""

    def run(self, code: str, limits: Limits | None = None) -> ExecResult: ...

    async def arun(self, code: str, limits: Limits | None = None) -> ExecResult: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sandbox: ...

    def __exit__(self, *exc: object) -> None: ...


# ------------------------------------------------------------------------------------------ output capture


class _Capture:
    """Keeps the head and the tail of a stream (tracebacks end at the tail) and counts what was dropped."""

    def __init__(self, cap: int) -> None:
        self.head_cap = cap - cap // 4
        self.tail_cap = cap // 4
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > 4 * self.tail_cap + 65536:
                del self.tail[: len(self.tail) - self.tail_cap]

    @property
    def truncated(self) -> bool:
        return self.total > self.head_cap + self.tail_cap

    def text(self) -> str:
        head = bytes(self.head).decode("utf-8", errors="replace")
        if not self.truncated:
            return head + bytes(self.tail).decode("utf-8", errors="replace")
        tail = bytes(self.tail[-self.tail_cap :]) if self.tail_cap else b""
        dropped = self.total - len(self.head) - len(tail)
        marker = f"\n[... codesteer sandbox: output truncated, {dropped} bytes omitted ...]\n"
        return head + marker + tail.decode("utf-8", errors="replace")


_SIGNAL_LIMITS: dict[int, str] = {signal.SIGXCPU: "cpu_limit", signal.SIGXFSZ: "file_size_limit"}
STATUS_CAP = 1 << 16  # the status channel carries one short record; anything beyond is not ours


class Malformed(str):
    """A status line that is not a record the sandbox writes (the reason is the string)."""


def collect(
    out_fd: int,
    err_fd: int,
    st_fd: int,
    limits: Limits,
    kill: Callable[[], None],
    started: float,
) -> tuple[_Capture, _Capture, list[Any], bool]:
    """Drain the job's pipes until every writer is gone; kill the job at the wall limit.

    Only the namespace's init (never the job) writes ``st_fd``, once, after the whole job tree is dead, so
    the job is over when all three pipes reach EOF. Every pipe is capped. Returns (stdout, stderr, decoded
    status lines (a :class:`Malformed` for one that does not decode), timed_out). Closes the three fds.
    """
    out, err = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
    status = bytearray()
    overflow = False
    sel = selectors.DefaultSelector()
    for fd, sink in ((out_fd, out), (err_fd, err), (st_fd, status)):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ, sink)
    deadline = started + limits.wall_s
    killed_at: float | None = None
    timed_out = False
    try:
        while sel.get_map():
            now = time.monotonic()
            if killed_at is None and now >= deadline:
                timed_out = b'"status"' not in status
                kill()
                killed_at = now
            if killed_at is not None and now - killed_at > 10:
                log.warning("sandbox job still holds its pipes 10 s after being killed; giving up on it")
                break
            timeout = (deadline - now) if killed_at is None else 0.25
            for key, _ in sel.select(max(timeout, 0.0)):
                try:
                    data = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(key.fd)
                    continue
                if key.data is status:
                    room = STATUS_CAP - len(status)
                    overflow |= len(data) > room
                    status += data[: max(room, 0)]
                else:
                    key.data.feed(data)
    finally:
        sel.close()
        for fd in (out_fd, err_fd, st_fd):
            try:
                os.close(fd)
            except OSError:
                pass
    records: list[Any] = []
    for line in bytes(status).splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append(Malformed(f"undecodable status line ({len(line)} bytes)"))
    if overflow:
        records.append(Malformed(f"status channel over {STATUS_CAP} bytes"))
    return out, err, records, timed_out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_status(records: list[Any]) -> tuple[dict[str, Any], str | None]:
    """Merge what the namespace's init wrote: an isolation record, then (unless the job was killed first)
    the status record. Returns (merged record, why it is malformed or None); no "status" key = missing."""
    merged: dict[str, Any] = {}
    if len(records) > 2:
        return merged, f"{len(records)} status records instead of two"
    for i, rec in enumerate(records):
        if isinstance(rec, Malformed):
            return {}, str(rec)
        if not isinstance(rec, dict):
            return {}, f"status record is a {type(rec).__name__}, not an object"
        if not isinstance(rec.get("iso", {}), dict):
            return {}, "bad isolation record"
        if "status" in rec and i != len(records) - 1:
            return {}, "status record before the end"
        merged.setdefault("iso", {}).update(rec.get("iso") or {})
        merged.update({k: v for k, v in rec.items() if k != "iso"})
    st = merged.get("status")
    if "status" in merged and not (isinstance(st, int) and not isinstance(st, bool) and 0 <= st < 1 << 16):
        return {}, f"bad wait status {st!r:.40}"
    peak = merged.get("peak_memory_bytes")
    if peak is not None and not (_is_int(peak) and peak >= 0):
        return {}, f"bad peak memory {peak!r:.40}"
    if not isinstance(merged.get("oom_killed", False), bool):
        return {}, "bad oom flag"
    return merged, None


_warned: set[str] = set()
_warn_lock = threading.Lock()


def warn_once(key: str, message: str) -> None:
    with _warn_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(message)


def build_result(
    out: _Capture,
    err: _Capture,
    records: list[Any],
    timed_out: bool,
    started: float,
    isolation: dict[str, Any],
) -> tuple[ExecResult, bool]:
    """Turn collected pipes into an ExecResult; the flag says whether the job's status was missing.

    Never raises on what came back: a missing or malformed status is a ``sandbox_error`` with the reason.
    """
    rec, bad = parse_status(records)
    stderr = err.text()
    killed_by = None
    missing = False
    peak = None
    isolation.update(rec.get("iso") or {})
    peak = rec.get("peak_memory_bytes")
    raw = rec.get("status")
    if timed_out:
        exit_code, killed_by = -signal.SIGKILL, "wall_limit"
    elif bad is not None:
        exit_code, killed_by = -1, "sandbox_error"
        stderr += f"\n[codesteer sandbox: malformed status from the sandbox: {bad}]\n"
    elif raw is None:
        exit_code, killed_by, missing = -1, "sandbox_error", True
        stderr += "\n[codesteer sandbox: the job ended without reporting a status]\n"
    else:
        exit_code = os.waitstatus_to_exitcode(raw)
        if exit_code < 0:
            sig = -exit_code
            killed_by = _SIGNAL_LIMITS.get(sig) or _signal_name(sig)
            if sig == signal.SIGKILL and rec.get("oom_killed"):
                killed_by = "memory_limit"
    _report_degraded(isolation)
    result = ExecResult(
        stdout=out.text(),
        stderr=stderr,
        exit_code=exit_code,
        timed_out=timed_out,
        killed_by=killed_by,
        wall_ms=round((time.monotonic() - started) * 1000, 3),
        truncated=out.truncated or err.truncated,
        isolation=isolation,
        peak_memory_bytes=peak,
    )
    return result, missing


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _report_degraded(iso: dict[str, Any]) -> None:
    checks = {
        "pid_namespace": "no PID namespace: leftover processes are hunted by a subreaper instead",
        "net_namespace": "no network namespace: sandboxed code can reach the network",
        "unprivileged_uid": "sandboxed code runs with this process's uid (root?): NPROC and file permissions do not hold",
        "private_tmp": "no private /tmp: sandboxed code can write to the shared /tmp",
        "ipc_namespace": "no IPC namespace: SysV shared memory and queues are the host's",
        "fs_view": "no minimal root: sandboxed code sees the host's filesystem",
        "seccomp": "no seccomp filter: sandboxed code can make namespaces, mounts and unix sockets",
    }
    for key, what in checks.items():
        if key in iso and not iso[key]:
            warn_once(key, f"codesteer sandbox degraded: {what} ({iso.get(key + '_error', 'unavailable')})")
    if iso.get("memory") == "rlimit-per-process":
        warn_once(
            "memory",
            "codesteer sandbox degraded: memory and process limits hold per process, not per job "
            f"({iso.get('memory_error', 'no cgroup')})",
        )
    if iso.get("cgroup_failed"):
        warn_once("cgroup_failed", f"codesteer sandbox degraded: could not set the cgroup limits {iso['cgroup_failed']}")
    if iso.get("rlimits_failed"):
        warn_once("rlimits", f"codesteer sandbox degraded: could not set rlimits {iso['rlimits_failed']}")
