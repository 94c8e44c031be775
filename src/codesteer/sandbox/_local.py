"""Parent side of the two backends: LocalSandbox (fork-server) and SubprocessSandbox (one interpreter per job)."""

from __future__ import annotations

import asyncio
import atexit
import itertools
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from codesteer.errors import CodesteerError

from . import _confine, _zygote
from ._types import ExecResult, Limits, build_result, collect, log, warn_once

ZYGOTE_SCRIPT = str(Path(_zygote.__file__).resolve())

DEFAULT_PRELOAD: tuple[str, ...] = (
    # what model-written solutions import; pre-imported so a job pays nothing for them
    "math", "cmath", "itertools", "functools", "collections", "re", "fractions", "heapq", "bisect",
    "random", "string", "statistics", "decimal", "json", "copy", "operator", "time", "datetime",
    "typing", "dataclasses", "enum", "array", "queue", "textwrap", "pprint", "numbers", "struct",
    "hashlib", "unicodedata", "csv", "ast", "contextlib", "abc", "io", "traceback", "inspect", "sys",
    "numpy", "sympy",
)  # fmt: skip

# Exercise the lazily-imported corners of sympy/numpy once in the zygote so each job does not redo them
# (polynomial roots alone cost a job ~7 ms on its first use).
DEFAULT_WARMUP = """
try:
    import sympy as sp
    x, y = sp.symbols("x y")
    sp.solve([x + y - 3, x - y - 1], [x, y]); sp.solve(x**3 - 6*x**2 + 11*x - 6, x); sp.solve(x**2 - 2, x)
    sp.factor(x**2 - 1); sp.simplify(sp.sin(x)**2 + sp.cos(x)**2)
    sp.Matrix([[1, 2], [3, 4]]).det(); sp.sympify("x**2 + 1"); sp.Rational(1, 3) + 1; sp.isprime(97)
    sp.integrate(x, x); sp.expand((x + 1)**3); str(sp.sqrt(8)); sp.nsimplify(0.5); sp.latex(x)
except ImportError:
    pass
try:
    import numpy as np
    a = np.arange(9.0).reshape(3, 3); np.linalg.det(a + np.eye(3)); np.linalg.solve(a + np.eye(3), a[0])
    np.random.default_rng(0).integers(0, 9, 3); str(a); np.sort(a[0])
except ImportError:
    pass
"""

_ZYGOTE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}

_live: weakref.WeakSet[_BaseSandbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for sb in list(_live):
        try:
            sb.close()
        except Exception:
            pass


def _default_pool() -> int:
    return max(4, os.cpu_count() or 1)


class _BaseSandbox:
    def __init__(
        self,
        limits: Limits | None,
        pool_size: int | None,
        uid_base: int,
        drop_uid: bool,
        tmp_mb: int | None,
        cgroups: bool = True,
        seccomp: bool = True,
    ) -> None:
        if limits is not None and not isinstance(limits, Limits):
            raise CodesteerError(f"limits must be a codesteer.sandbox.Limits, got {type(limits).__name__}")
        self.limits = limits or Limits()
        self.pool_size = int(pool_size or _default_pool())
        if self.pool_size < 1:
            raise CodesteerError(f"pool_size must be >= 1, got {pool_size}")
        self.uid_base = int(uid_base)
        self.drop_uid = bool(drop_uid)
        self.tmp_mb = tmp_mb
        self.cgroups = bool(cgroups)
        self.seccomp = bool(seccomp)
        self._slots = threading.BoundedSemaphore(self.pool_size)
        self._executor: ThreadPoolExecutor | None = None
        self._exec_lock = threading.Lock()
        self._closed = False
        _live.add(self)

    def _limits(self, limits: Limits | None) -> Limits:
        if limits is None:
            return self.limits
        if not isinstance(limits, Limits):
            raise CodesteerError(f"limits must be a codesteer.sandbox.Limits, got {type(limits).__name__}")
        return limits

    def _payload(self, code: str, limits: Limits) -> dict[str, Any]:
        if not isinstance(code, str):
            raise CodesteerError(f"sandbox code must be str, got {type(code).__name__}")
        return {"code": code, "limits": limits.to_dict()}

    def _chain_config(self) -> dict[str, Any]:
        return {
            "uid_base": self.uid_base,
            "drop_uid": self.drop_uid,
            "tmp_mb": self.tmp_mb,
            "cgroups": self.cgroups,
            "seccomp": self.seccomp,
            "workroot": tempfile.gettempdir(),  # used only where no private /tmp can be mounted
        }

    def run(self, code: str, limits: Limits | None = None) -> ExecResult:
        """Run ``code`` as ``__main__`` in a fresh isolated process; blocks at most about ``wall_s``."""
        limits = self._limits(limits)
        payload = self._payload(code, limits)
        if self._closed:
            raise CodesteerError("this sandbox is closed")
        with self._slots:
            return self._run(payload, limits)

    async def arun(self, code: str, limits: Limits | None = None) -> ExecResult:
        """``run`` on a worker thread; at most ``pool_size`` jobs of this sandbox run at once."""
        with self._exec_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.pool_size, thread_name_prefix="codesteer-sandbox")
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, self.run, code, limits)

    def _run(self, payload: dict[str, Any], limits: Limits) -> ExecResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        self._closed = True
        with self._exec_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    def __enter__(self) -> _BaseSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalSandbox(_BaseSandbox):
    """Fork-server sandbox: one warm zygote forks an isolated process tree per job.

    The zygote is a fresh ``python -I`` (exec'd, never forked from the caller), so the caller may already
    have imported torch or run threads; what must stay out is torch in ``preload``, since the zygote itself
    forks. It starts lazily on the first job; call :meth:`start` to pay its start-up (about half a second
    with numpy and sympy) early. A zygote that dies is restarted, and every job it had in flight runs again
    once on the new one; ``close()`` (or the context manager, or interpreter exit) stops it and every job
    still running. ``cgroups=False`` / ``seccomp=False`` switch those layers off (reported in ``isolation``).
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        pool_size: int | None = None,
        preload: tuple[str, ...] | list[str] = DEFAULT_PRELOAD,
        warmup: str | None = DEFAULT_WARMUP,
        spares: int = 2,
        uid_base: int = 1_000_000_000,
        drop_uid: bool = True,
        tmp_mb: int | None = 256,
        start_timeout_s: float = 60.0,
        cgroups: bool = True,
        seccomp: bool = True,
    ) -> None:
        super().__init__(limits, pool_size, uid_base, drop_uid, tmp_mb, cgroups, seccomp)
        self.preload = tuple(preload)
        self.warmup = warmup
        self.spares = max(0, int(spares))
        self.start_timeout_s = start_timeout_s
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._hello: dict[str, Any] = {}
        self._jobs = itertools.count(1)
        self._gen = 0  # which zygote: a job whose zygote died is rerun on the next one

    # ------------------------------------------------------------------ zygote lifecycle
    def start(self) -> None:
        """Start the zygote now (idempotent)."""
        with self._lock:
            self._ensure()

    @property
    def info(self) -> dict[str, Any]:
        """The zygote's hello: pid, preloaded modules, import failures, exposed import paths, cgroup plan."""
        return dict(self._hello)

    def _ensure(self) -> socket.socket:
        if self._closed:
            raise CodesteerError("this sandbox is closed")
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            return self._sock
        self._stop()
        parent, child = socket.socketpair()
        config = {
            **self._chain_config(),
            "fd": child.fileno(),
            "preload": list(self.preload),
            "warmup": self.warmup,
            "spares": self.spares,
            "pool_size": self.pool_size,
        }
        debug = bool(os.environ.get("CODESTEER_SANDBOX_DEBUG"))
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE_SCRIPT, "serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=None if debug else subprocess.DEVNULL,
                pass_fds=[child.fileno()],
                env=dict(_ZYGOTE_ENV),
                start_new_session=True,
            )
        except OSError as e:
            parent.close()
            raise CodesteerError(f"could not start the sandbox zygote: {e}") from e
        finally:
            child.close()
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(config).encode())
            self._proc.stdin.close()
        except OSError:
            pass  # it died at once; the hello below reports it
        parent.settimeout(self.start_timeout_s)
        try:
            hello, _ = _zygote.recv_msg(parent)
        except (OSError, EOFError) as e:
            parent.close()
            self._proc.kill()
            self._proc.wait()
            self._proc = None
            raise CodesteerError(
                f"the sandbox zygote did not start ({e!r}); set CODESTEER_SANDBOX_DEBUG=1 to see its stderr"
            ) from e
        parent.settimeout(None)
        self._sock = parent
        self._gen += 1
        self._hello = hello
        missing = [m for m in self._hello.get("failed", {}) if m != "<warmup>"]
        if missing:
            warn_once("preload:" + ",".join(missing), f"codesteer sandbox could not pre-import {missing}")
        return parent

    def _stop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        """Stop the zygote; it kills any job still running. Idempotent."""
        super().close()
        with self._lock:
            self._stop()
            if self.cgroups and self._gen:  # groups a killed zygote could not remove (a clean one removes its own)
                plan = _confine.cgroup_detect()
                if plan.get("version"):
                    _confine.cgroup_sweep(plan, "codesteer-")

    # ------------------------------------------------------------------ jobs
    def _request(self, msg: dict[str, Any], fds: list[int]) -> tuple[dict[str, Any], subprocess.Popen[bytes]]:
        """Send one request; returns the reply and the zygote process that answered it."""
        with self._lock:
            for attempt in (0, 1):
                sock = self._ensure()
                try:
                    _zygote.send_msg(sock, msg, fds)
                    reply, _ = _zygote.recv_msg(sock)
                    assert self._proc is not None
                    return reply, self._proc
                except (OSError, EOFError):
                    log.info("sandbox zygote went away; restarting it (attempt %d)", attempt + 1)
                    self._stop_dead()
            raise CodesteerError("the sandbox zygote keeps dying; set CODESTEER_SANDBOX_DEBUG=1 to see why")

    def _stop_dead(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
            except OSError:
                pass
        self._stop()

    def _kill(self, job: int) -> None:
        with self._lock:
            if self._sock is None:
                return
            try:
                _zygote.send_msg(self._sock, {"op": "kill", "job": job})
            except OSError:
                pass

    def _run(self, payload: dict[str, Any], limits: Limits) -> ExecResult:
        for attempt in (0, 1):
            result, missing, proc = self._run_once(payload, limits)
            if not missing or attempt:
                return result
            # The status is missing when the job's namespace init died without reporting, which it does when
            # the zygote (its ancestor) dies. The pipes can reach EOF before the kernel marks the zygote dead,
            # so wait for that zygote (not whichever one runs now) a moment before deciding.
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                return result
            log.info("sandbox zygote died during a job; rerunning it on a fresh zygote")
        return result

    def _run_once(
        self, payload: dict[str, Any], limits: Limits
    ) -> tuple[ExecResult, bool, subprocess.Popen[bytes]]:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        st_r, st_w = os.pipe()
        job = next(self._jobs)
        started = time.monotonic()
        try:
            reply, proc = self._request({"op": "run", "job": job, "payload": payload}, [out_w, err_w, st_w])
        except BaseException:
            for fd in (out_r, err_r, st_r):
                os.close(fd)
            raise
        finally:
            for fd in (out_w, err_w, st_w):
                os.close(fd)
        if reply.get("op") != "started":
            for fd in (out_r, err_r, st_r):
                os.close(fd)
            raise CodesteerError(f"the sandbox could not start a job: {reply.get('error')}")
        clean = False
        try:
            out, err, records, timed_out = collect(
                out_r, err_r, st_r, limits, lambda: self._kill(job), started
            )
            clean = not timed_out and bool(records) and isinstance(records[-1], dict) and "status" in records[-1]
        finally:
            if not clean:
                self._kill(job)  # the job did not end by itself: make sure nothing of it lingers
        # A job that ended by itself was tidied by its namespace's init, which then readies the chain for reuse.
        result, missing = build_result(out, err, records, timed_out, started, {"backend": "local"})
        return result, missing, proc


class SubprocessSandbox(_BaseSandbox):
    """A fresh ``python -I`` per job with the same isolation as LocalSandbox; slower, no shared state."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        pool_size: int | None = None,
        uid_base: int = 1_000_000_000,
        drop_uid: bool = True,
        tmp_mb: int | None = 256,
        cgroups: bool = True,
        seccomp: bool = True,
    ) -> None:
        super().__init__(limits, pool_size, uid_base, drop_uid, tmp_mb, cgroups, seccomp)
        self._cg_plan = _confine.cgroup_detect() if self.cgroups else {}

    def _run(self, payload: dict[str, Any], limits: Limits) -> ExecResult:
        st_r, st_w = os.pipe()
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE_SCRIPT, "once", str(st_w), json.dumps(self._chain_config())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=[st_w],
                env=dict(_ZYGOTE_ENV),
                start_new_session=True,
            )
        except OSError as e:
            os.close(st_r)
            raise CodesteerError(f"could not start the sandbox interpreter: {e}") from e
        finally:
            os.close(st_w)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None

        def kill() -> None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        try:
            proc.stdin.write(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
            proc.stdin.close()
        except OSError:
            pass
        out_fd, err_fd = os.dup(proc.stdout.fileno()), os.dup(proc.stderr.fileno())
        proc.stdout.close()
        proc.stderr.close()
        try:
            out, err, records, timed_out = collect(out_fd, err_fd, st_r, limits, kill, started)
        finally:
            if proc.poll() is None:
                kill()
            proc.wait()
            if self._cg_plan.get("version"):  # the job's cgroup, named after the interpreter just reaped
                _confine.cgroup_sweep(self._cg_plan, "codesteer-once-")
        result, _missing = build_result(out, err, records, timed_out, started, {"backend": "subprocess"})
        return result
