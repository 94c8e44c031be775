"""The process side of the sandbox: a pre-warmed zygote and the per-job process tree.

This file imports only the standard library at module level because it runs as a script
(``python -I _zygote.py serve|once``) in a process that must stay small and single-threaded (it forks); the
parent imports it only for the wire helpers.

Per job the tree is::

    zygote (or the `once` process)
      └─ A  setsid; unshare(NEWPID|NEWNET|NEWNS|NEWIPC); waits for B    (in the caller's PID namespace)
          └─ B  PID 1 of a fresh PID namespace: pivots into a minimal read-only root (``_confine``) with private
              │ /proc, /tmp, /var/tmp, /dev/shm; watches C's exit, then kills the rest and reports
              └─ C  joins the chain's cgroup, drops to the job's own uid, loads the seccomp filter, then waits
                    for the job: rlimits, closes every fd but 0-2, runs it as __main__

The whole chain is forked ahead of time (spares), so a job only pays a message to C (the zygote sets the
chain's cgroup limits for the job just before). The job never holds the channel its result travels on: the
zygote hands that fd to B only. B has the kernel stop C as it starts to exit (ptrace exit event), so it knows
C's exit status before the teardown of C's large address space, kills everything else in the namespace and
reports. Killing A's process group kills B, and when B (the namespace's init) dies the kernel kills every
process in the namespace: a double-forked, setsid daemon cannot outlive the job. Every step that fails is
reported in the job's isolation record, never hidden.

A fully isolated chain serves up to ``JOBS_PER_CHAIN`` jobs one after another: after each, B kills everything
else in its namespace, mounts fresh empty /tmp, /var/tmp and /dev/shm, enters a fresh IPC namespace, forks the
next C under the next uid of its range and tells the zygote it is idle. So a job costs one fork of the warm
interpreter instead of three (plus the namespace set-up), which is what kept the 2-core latency above its target. Nothing of a job
survives into the next: no process (PID-namespace kill), no file in a private mount, no SysV object, not its
uid.
"""

from __future__ import annotations

import atexit
import builtins
import io
import json
import linecache
import math
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import types
from typing import Any

try:
    from . import _confine
except ImportError:  # run as a script (``python -I`` keeps this directory off sys.path): load the sibling
    import importlib.util

    _spec = importlib.util.spec_from_file_location(
        "_codesteer_confine", os.path.join(os.path.dirname(os.path.abspath(__file__)), "_confine.py")
    )
    assert _spec is not None and _spec.loader is not None
    _confine = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_confine)

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_REC, MS_PRIVATE = 0x4000, 1 << 18

MNT_DETACH = 2
JOBS_PER_CHAIN = 64  # uids per chain: base + 64 * host pid + job number
_HDR = struct.Struct("!I")
# one libc binding and one set of mount helpers for the sandbox: _confine's
_errcheck = _confine.errcheck
_c = _confine.libc


def _unshare(flags: int) -> str | None:
    return _errcheck(_c().unshare(flags))


def _prctl(option: int, arg: int) -> str | None:
    return _errcheck(_c().prctl(option, arg, 0, 0, 0))


_mount = _confine.mount
_umount = _confine.umount


# ---------------------------------------------------------------------------------------------- wire format


def send_msg(sock: socket.socket, obj: object, fds: list[int] | tuple[int, ...] = ()) -> None:
    """Length-prefixed pickle over a stream socket; file descriptors ride on the header."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    hdr = _HDR.pack(len(data))
    if fds:
        socket.send_fds(sock, [hdr], list(fds))
    else:
        sock.sendall(hdr)
    sock.sendall(data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("peer closed")
        buf += chunk
    return bytes(buf)


def recv_msg(sock: socket.socket, maxfds: int = 4) -> tuple[Any, list[int]]:
    hdr, fds = b"", []
    while len(hdr) < _HDR.size:
        chunk, new_fds, _flags, _addr = socket.recv_fds(sock, _HDR.size - len(hdr), maxfds)
        fds += new_fds
        if not chunk:
            for fd in fds:
                os.close(fd)
            raise EOFError("peer closed")
        hdr += chunk
    (n,) = _HDR.unpack(hdr)
    return pickle.loads(_recv_exact(sock, n)), fds


# ---------------------------------------------------------------------------------------------- helpers


def _close_fds_except(keep: set[int]) -> None:
    try:
        fds = [int(x) for x in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _write_line(fd: int, record: dict) -> None:
    data = (json.dumps(record) + "\n").encode()
    try:
        os.write(fd, data)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------- C: the job


def _set_limits(limits: dict) -> dict:
    applied, failed = [], []
    cpu = limits.get("cpu_s") or limits["wall_s"] + 1.0  # the wall clock first: a busy loop is a timeout
    table = [("cpu", resource.RLIMIT_CPU, int(math.ceil(cpu)), int(math.ceil(cpu)) + 1)]
    if limits.get("memory_mb"):
        n = int(limits["memory_mb"]) << 20
        table.append(("as", resource.RLIMIT_AS, n, n))
    if limits.get("max_procs"):
        n = int(limits["max_procs"])
        table.append(("nproc", resource.RLIMIT_NPROC, n, n))
    if limits.get("file_size_mb"):
        n = int(limits["file_size_mb"]) << 20
        table.append(("fsize", resource.RLIMIT_FSIZE, n, n))
    table += [("nofile", resource.RLIMIT_NOFILE, 256, 256), ("core", resource.RLIMIT_CORE, 0, 0)]
    for name, which, soft, hard in table:
        try:
            cur_hard = resource.getrlimit(which)[1]
            if cur_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, cur_hard), min(hard, cur_hard)
            resource.setrlimit(which, (soft, hard))
            applied.append(name)
        except (OSError, ValueError):
            failed.append(name)
    return {"rlimits": applied, "rlimits_failed": failed}


def _c_prepare(ctx: dict, keep: set[int], iso_fd: int) -> None:
    """Everything C can do before the job exists: it then waits as the unprivileged user, under the seccomp
    filter (loaded here, off the job's critical path: C needs none of what it denies), and tells B so."""
    iso = ctx["iso"]
    if ctx.get("cg") is not None and not ctx["cg"].join():
        os._exit(0)  # a job outside its cgroup would escape the tree limits: no job for this C
    _close_fds_except({0, 1, 2, iso_fd, *keep})
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(ctx["workdir"])
    uid = ctx["uid"]
    iso["unprivileged_uid"] = os.geteuid() != 0
    if uid is not None:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            iso["unprivileged_uid"] = True
        except OSError as e:
            iso["unprivileged_uid_error"] = str(e)
    iso["uid"] = os.geteuid()
    iso["no_new_privs"] = _prctl(PR_SET_NO_NEW_PRIVS, 1) is None
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": ctx["workdir"],
            "TMPDIR": ctx["workdir"],
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
        }
    )
    iso["env_scrubbed"] = True
    program = ctx.get("seccomp")
    if program and iso["no_new_privs"]:
        err = _confine.install_seccomp(program)
        iso["seccomp"] = err is None
        if err:
            iso["seccomp_error"] = err
    _write_line(iso_fd, {"iso": iso})


def _c_run(ctx: dict, job: dict, out_fd: int, err_fd: int, iso_fd: int) -> None:
    """Run the snippet in C and exit with its code. Never returns.

    Before any job code runs, C reports the rlimits it set to B on ``iso_fd`` and then holds exactly fds
    0, 1 and 2: the job has no handle on the channel its result travels on (B reports that, from the exit
    status the kernel gives it) and none on any host directory.
    """
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    for fd in {out_fd, err_fd, null} - {0, 1, 2, iso_fd}:
        os.close(fd)
    _write_line(iso_fd, {"iso": _set_limits(job["limits"])})
    os.closerange(3, 1 << 20)  # close_range(2): whatever else this process inherited
    code = _run_snippet(job["code"], ctx["workdir"])
    for fd in (1, 2):
        try:
            os.close(fd)
        except OSError:
            pass
    os._exit(code)


def _run_snippet(source: str, workdir: str) -> int:
    atexit._clear()
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", write_through=True
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr  # type: ignore[misc]  # the job's streams are its originals
    filename = os.path.join(workdir, "main.py")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__builtins__ = builtins  # type: ignore[attr-defined]  # what a __main__ module carries
    sys.modules["__main__"] = main
    sys.argv = [filename]
    sys.path.insert(0, workdir)
    exit_code = 0
    try:
        compiled = compile(source, filename, "exec")
        exec(compiled, main.__dict__)  # noqa: S102 - the sandboxed child: the one place model code runs
    except SystemExit as e:
        exit_code = _system_exit_code(e)
    except BaseException as e:
        tb = e.__traceback__.tb_next if e.__traceback__ else None  # hide this runner's own frame
        try:
            traceback.print_exception(type(e), e, tb)
        except BaseException:
            pass
        exit_code = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # join non-daemon threads like the interpreter does at exit
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    return exit_code


def _system_exit_code(e: SystemExit) -> int:
    code = e.code
    if code is None:
        return 0
    if isinstance(code, bool):
        return int(code)
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except BaseException:
        pass
    return 1


# ---------------------------------------------------------------------------------------------- B: ns init


def _b_prepare(ctx: dict) -> None:
    """B, before any job exists: its cgroup's control files, the job's minimal root, private /proc, /tmp
    (the job's empty working dir), /dev/shm and /var/tmp."""
    iso = ctx["iso"]
    uid = ctx["uid"]
    workdir = None
    ctx["cg"] = None
    cg = ctx.get("cgroup")
    if cg and cg.get("dirs"):
        try:
            ctx["cg"] = _confine.JobCgroup(cg["version"], cg["dirs"])
        except OSError as e:
            iso["memory"] = iso["pids"] = "rlimit-per-process"
            iso["memory_error"] = f"cgroup {cg['dirs']}: {e.strerror}"
    if iso.get("mount_namespace"):
        err = _mount("none", "/", None, MS_REC | MS_PRIVATE, None)
        if err is None and iso.get("pid_namespace"):
            sources, fs_err, how = _confine.build_root(ctx.get("expose", []))
            iso["fs_view"] = how or False
            iso["private_proc"] = bool(how)
            ctx["masked_sources"] = sources
            if fs_err:
                iso["fs_view_error"] = fs_err
                e2 = _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
                iso["private_proc"] = e2 is None
        if err is None:
            err = _mount_private_dirs(ctx)
        if err is None:
            workdir = "/tmp"
        else:
            iso["private_tmp_error"] = err
    iso["private_tmp"] = workdir is not None
    if workdir is None:
        workdir = _fallback_workdir(ctx["workroot"], ctx["a_pid"])
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        if uid is not None:
            os.chown(workdir, uid, uid)
        ctx["cleanup"] = workdir
    ctx["workdir"] = workdir
    ctx["pid_ns"] = bool(iso.get("pid_namespace")) and os.getpid() == 1
    if not ctx["pid_ns"]:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)


def _mount_private_dirs(ctx: dict) -> str | None:
    """Empty tmpfs on /tmp (owned by the job's uid), /dev/shm and /var/tmp; the error of /tmp, if any."""
    uid = ctx["uid"]
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    size = f"{int(ctx['tmp_mb'])}m" if ctx.get("tmp_mb") else "50%"
    err = _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0700{owner}")
    if err is None:
        for target in ("/dev/shm", "/var/tmp"):
            if os.path.isdir(target):
                _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777")
        if ctx.get("masked_sources"):  # e.g. a virtualenv under /tmp: read-only, at its own path again
            err = _confine.rebind_masked(ctx["masked_sources"])
    return err


def _b_next_job(ctx: dict, job_no: int) -> bool:
    """Make B's namespace as fresh as a new chain's for the next job; False means retire the chain instead."""
    if not (ctx["pid_ns"] and ctx["iso"].get("private_tmp")) or job_no >= JOBS_PER_CHAIN:
        return False
    if ctx["iso"].get("ipc_namespace") and _unshare(CLONE_NEWIPC) is not None:
        return False  # the next job would see this one's SysV objects
    for target in ("/tmp", "/dev/shm", "/var/tmp"):
        if os.path.isdir(target) and _umount(target) is not None:
            return False
    if ctx["uid"] is not None:
        ctx["uid"] = ctx["uid0"] + job_no
    return _mount_private_dirs(ctx) is None


def _fallback_workdir(workroot: str, a_pid: int) -> str:
    """Without a mount namespace the job works in a host directory, removed by B, or by whoever reaps A."""
    return os.path.join(workroot, f"codesteer-job-{a_pid}")


def _b_watch(ctx: dict, c_pid: int, go_fd: int, iso_fd: int) -> None:
    """Ask the kernel to stop C at its exit (see ``_confine.watch_exit``), let C take its job, and learn
    what C put in force while it prepared (uid, seccomp), before any job code can run in it."""
    ctx["watched"] = c_pid if _confine.watch_exit(c_pid) is None else None
    iso = dict(ctx["iso"])
    try:  # C writes this line while it prepares, before it reads "go": the pipe holds nothing else yet
        iso.update(json.loads(_read_line(iso_fd))["iso"])
    except (ValueError, KeyError, TypeError):
        pass
    ctx["job_iso"] = iso
    try:
        os.write(go_fd, b"g")
    finally:
        os.close(go_fd)


def _b_finish(ctx: dict, c_pid: int, st_fd: int | None, iso_fd: int | None) -> None:
    """Wait for C, end everything else in the namespace, report C's raw status. Never returns."""
    _b_end_job(ctx, c_pid, st_fd, iso_fd)
    os._exit(0)


def _read_line(fd: int, cap: int = 1 << 16) -> bytes:
    """One line from C, written before any job code ran (EOF if C died first); at most ``cap`` bytes.

    C writes its next line only after B has read this one (see ``_b_watch``), so a chunk never holds two.
    """
    data = bytearray()
    while len(data) < cap and not data.endswith(b"\n"):
        try:
            chunk = os.read(fd, cap - len(data))
        except InterruptedError:
            continue
        except OSError:  # nothing (more) there
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _b_end_job(ctx: dict, c_pid: int, st_fd: int | None, iso_fd: int | None) -> None:
    """Wait for C, end everything else in the namespace, report on ``st_fd`` and close it.

    The records are B's alone: first what C put in force while it prepared (see ``_b_watch``), so a job
    killed at its wall limit still reports its isolation; then C's raw wait status, the rlimits C set (read
    from ``iso_fd``, written before any job code ran), the job tree's peak memory and whether the kernel
    OOM-killed part of it. With a PID namespace the status goes out as soon as every process of the job has
    been sent SIGKILL, before the teardown.
    """
    if st_fd is not None:
        _write_line(st_fd, {"iso": ctx.get("job_iso") or ctx["iso"]})
    status, maxrss = None, None
    watched = ctx.get("watched") == c_pid
    held = False
    while status is None:
        try:
            pid, st, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid != c_pid:
            continue  # an orphan of the job, reparented to us
        if watched and os.WIFSTOPPED(st):
            # C has begun to exit: its status is final now, before the slow teardown of its address space
            status = _confine.exit_event_status(pid, st)
            if status is not None:
                maxrss, held = _vm_hwm(pid), True
        else:
            status, maxrss = st, usage.ru_maxrss * 1024
    if ctx["pid_ns"]:
        try:
            os.kill(-1, signal.SIGKILL)  # all that is left of the job: it runs no further instruction
        except OSError:
            pass
    if held:
        _confine.release(c_pid)
    peak, oom = maxrss, False
    if ctx.get("cg") is not None:
        peak, oom = ctx["cg"].after_job(ctx.get("oom_before", 0))
    late: dict = {}  # what C set once it had the job (its rlimits), already in the pipe
    if iso_fd is not None:
        os.set_blocking(iso_fd, False)
        try:
            late = json.loads(_read_line(iso_fd))["iso"]
        except (ValueError, KeyError, TypeError):
            late = {}
        os.close(iso_fd)
    record = {"status": status, "iso": late, "peak_memory_bytes": peak, "oom_killed": oom}
    if ctx["pid_ns"] and st_fd is not None:  # nothing of the job runs any more: report before the teardown
        _write_line(st_fd, record)
        os.close(st_fd)
        st_fd = None
    _kill_leftovers(ctx["pid_ns"])
    if ctx.get("cleanup"):
        import shutil

        shutil.rmtree(ctx["cleanup"], ignore_errors=True)
    if st_fd is not None:
        _write_line(st_fd, record)
        os.close(st_fd)


def _vm_hwm(pid: int) -> int | None:
    """Peak RSS of a process that has not been reaped yet (the fallback when no cgroup counts the tree)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _children() -> list[int]:
    pids: list[int] = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as f:
                pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return pids


def _kill_leftovers(pid_ns: bool) -> None:
    """End every descendant before reporting, so a finished job has left nothing running."""
    if pid_ns:
        try:
            os.kill(-1, signal.SIGKILL)  # only ever as PID 1 of our own namespace: "everyone in here"
        except OSError:
            pass
    for _ in range(10000):
        if not pid_ns:
            for pid in _children():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            pid, _st = os.waitpid(-1, 0 if pid_ns else os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            if not _children():
                return
            time.sleep(0.001)


# ---------------------------------------------------------------------------------------------- A


def _enter_namespaces() -> dict:
    iso: dict = {"pid_namespace": False, "net_namespace": False, "mount_namespace": False, "ipc_namespace": False}
    want = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC
    if _unshare(want) is None:
        iso.update(pid_namespace=True, net_namespace=True, mount_namespace=True, ipc_namespace=True)
        return iso
    if os.geteuid() != 0:
        # Unprivileged: a user namespace makes us root inside it, mapped onto our own uid.
        uid, gid = os.geteuid(), os.getegid()
        if _unshare(CLONE_NEWUSER | want) is None:
            try:
                with open("/proc/self/setgroups", "w") as f:
                    f.write("deny")
                with open("/proc/self/uid_map", "w") as f:
                    f.write(f"{uid} {uid} 1")
                with open("/proc/self/gid_map", "w") as f:
                    f.write(f"{gid} {gid} 1")
            except OSError:
                pass
            iso.update(
                pid_namespace=True, net_namespace=True, mount_namespace=True, ipc_namespace=True, user_namespace=True
            )
            return iso
    for flag, key in (
        (CLONE_NEWPID, "pid_namespace"),
        (CLONE_NEWNET, "net_namespace"),
        (CLONE_NEWNS, "mount_namespace"),
        (CLONE_NEWIPC, "ipc_namespace"),
    ):
        e = _unshare(flag)
        iso[key] = e is None
        if e is not None:
            iso[key + "_error"] = e
    return iso


def _a_start(parent_pid: int, config: dict) -> dict:
    """A: own session, new namespaces; returns the context B and C inherit."""
    if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL) is None and os.getppid() != parent_pid:
        os._exit(1)
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader (the `once` interpreter is started that way)
    return _chain_ctx(_enter_namespaces(), os.getpid(), config)


def _chain_ctx(iso: dict, host_pid: int, config: dict) -> dict:
    """What B and C of one chain share. A job's uid is unique while it lives: its chain's range is
    ``base + 64 * host pid`` onwards, one uid per job of the chain."""
    root = os.geteuid() == 0
    uid = (
        int(config.get("uid_base", 1_000_000_000)) + JOBS_PER_CHAIN * host_pid
        if root and config.get("drop_uid", True)
        else None
    )
    cgroup = config.get("cgroup") or {}
    if cgroup.get("dirs"):
        iso["memory"] = iso["pids"] = f"cgroup-{cgroup['version']}"
    else:
        iso["memory"] = iso["pids"] = "rlimit-per-process"
        iso["memory_error"] = cgroup.get("error", "cgroups switched off")
    program = config.get("seccomp_program")
    iso["seccomp"] = False  # C sets it once the filter is loaded
    if not program:
        iso["seccomp_error"] = config.get("seccomp_error", "switched off")
    return {
        "iso": iso,
        "a_pid": host_pid,
        "uid": uid,
        "uid0": uid,
        "workroot": config["workroot"],
        "tmp_mb": config.get("tmp_mb"),
        "expose": config.get("expose", []),
        "cgroup": cgroup,
        "seccomp": program,
    }


def _a_wait(b_pid: int) -> None:
    while True:
        try:
            pid, _st = os.waitpid(b_pid, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == b_pid:
            os._exit(0)


def _chain_main(zygote_pid: int, config: dict, b_sock: socket.socket, c_sock: socket.socket) -> None:
    """A, then B and C of one spare chain. B receives the status fd, C the job; never returns."""
    ctx = _a_start(zygote_pid, config)
    b_pid = os.fork()
    if b_pid:
        b_sock.close()
        c_sock.close()
        _a_wait(b_pid)
    _b_main(ctx, b_sock, c_sock)


def _b_main(ctx: dict, b_sock: socket.socket, c_sock: socket.socket) -> None:
    """B: prepare a C, take one job's status fd, see the job out; again while the chain may be reused."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _b_prepare(ctx)
    job_no = 0
    while True:
        ctx["iso"]["chain_job"] = job_no  # reported, so reuse can be seen (and tested)
        iso_r, iso_w = os.pipe()
        go_r, go_w = os.pipe()
        c_pid = os.fork()
        if c_pid == 0:
            b_sock.close()
            os.close(iso_r)
            os.close(go_w)
            _c_prepare(ctx, {c_sock.fileno(), go_r}, iso_w)
            try:
                job, fds = recv_msg(c_sock)  # the server set this job's cgroup limits before sending it
            except (EOFError, OSError):
                os._exit(0)
            c_sock.close()
            if len(fds) != 2 or os.read(go_r, 1) != b"g":  # B watches this process before any job code runs
                os._exit(0)
            os.close(go_r)
            _c_run(ctx, job, fds[0], fds[1], iso_w)
        os.close(iso_w)
        os.close(go_r)
        _b_watch(ctx, c_pid, go_w, iso_r)
        if job_no:
            try:
                send_msg(b_sock, {"op": "idle"})
            except OSError:
                os._exit(0)
        try:
            msg, fds = recv_msg(b_sock)
            st_fd: int | None = fds[0]
        except (EOFError, OSError, IndexError):
            os._exit(0)  # no job will come: end C (the namespace dies with us)
        ctx["oom_before"] = msg.get("oom_before", 0)
        if msg.get("cgroup_failed"):
            ctx["job_iso"]["cgroup_failed"] = msg["cgroup_failed"]
        _b_end_job(ctx, c_pid, st_fd, iso_r)
        job_no += 1
        if not _b_next_job(ctx, job_no):
            os._exit(0)


# ---------------------------------------------------------------------------------------------- zygote


class _Chain:
    __slots__ = ("a_pid", "b_sock", "c_sock", "reaped", "cgdirs", "cg")

    def __init__(
        self, a_pid: int, b_sock: socket.socket, c_sock: socket.socket, cgdirs: list[str], cg: object
    ) -> None:
        self.a_pid, self.b_sock, self.c_sock, self.reaped = a_pid, b_sock, c_sock, False
        self.cgdirs = cgdirs
        self.cg: _confine.JobCgroup | None = cg  # type: ignore[assignment]

    def close(self) -> None:
        self.b_sock.close()
        self.c_sock.close()
        if self.cg is not None:
            self.cg.close()

    def kill(self) -> None:
        if not self.reaped:
            try:
                os.killpg(self.a_pid, signal.SIGKILL)
            except OSError:
                pass


class _Zygote:
    def __init__(self, ctl: socket.socket, config: dict) -> None:
        self.ctl, self.config = ctl, config
        self.nspare = int(config.get("spares", 2))
        self.max_idle = self.nspare + int(config.get("pool_size", 4))
        self.spares: list[_Chain] = []
        self.running: dict[int, _Chain] = {}
        self.by_pid: dict[int, _Chain] = {}
        self.pid = os.getpid()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.degraded = False
        self.chains_made = 0
        self.graves: list[str] = []  # cgroups of ended chains, removed once their last process is gone
        self.cg_root: dict | None = None
        plan = config.get("cg_plan") or {}
        if plan.get("version"):
            dirs = _confine.cgroup_make(plan, f"codesteer-{self.pid}", delegate=True)
            if dirs:
                self.cg_root = {"version": plan["version"], "bases": dict(zip(plan["bases"], dirs, strict=True))}
            else:
                config["cg_plan"] = {"error": f"could not create a cgroup under {list(plan['bases'].values())}"}

    def _chain_config(self) -> tuple[dict, list[str], _confine.JobCgroup | None]:
        """The config one new chain sees, with its own cgroup (one per chain, set again for every job)."""
        self.chains_made += 1
        if self.cg_root is None:
            return {**self.config, "cgroup": {"error": (self.config.get("cg_plan") or {}).get("error")}}, [], None
        version = self.cg_root["version"]
        dirs = _confine.cgroup_make(self.cg_root, f"chain-{self.chains_made}")
        try:
            cg = _confine.JobCgroup(version, dirs, setup=True) if dirs else None
        except OSError:
            cg = None
        if cg is None:
            self.graves += dirs
            return {**self.config, "cgroup": {"error": "could not create the chain's cgroup"}}, [], None
        return {**self.config, "cgroup": {"version": version, "dirs": dirs}}, dirs, cg

    def make_chain(self) -> _Chain:
        zb, b = socket.socketpair()
        zc, c = socket.socketpair()
        config, cgdirs, cg = self._chain_config()
        pid = os.fork()
        if pid == 0:
            try:
                _close_fds_except({0, 1, 2, b.fileno(), c.fileno()})
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _chain_main(self.pid, config, b, c)
            finally:
                os._exit(1)
        b.close()
        c.close()
        chain = _Chain(pid, zb, zc, cgdirs, cg)
        self.by_pid[pid] = chain
        return chain

    def reap(self) -> None:
        while True:
            try:
                pid, _st = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            chain = self.by_pid.pop(pid, None)
            if chain is None:
                continue
            chain.reaped = True
            chain.close()
            self._forget(chain)
            self.graves += chain.cgdirs
            wd = _fallback_workdir(self.config["workroot"], pid)
            if os.path.isdir(wd):  # only without a mount namespace
                import shutil

                shutil.rmtree(wd, ignore_errors=True)
                self.degraded = True
        if self.graves:
            self.graves = _confine.cgroup_remove(self.graves)
        if self.degraded:  # no PID namespace: orphans were reparented to us (subreaper); end them
            for orphan in _children():
                if orphan not in self.by_pid:
                    try:
                        os.kill(orphan, signal.SIGKILL)
                    except OSError:
                        pass

    def _forget(self, chain: _Chain) -> None:
        if chain in self.spares:
            self.spares.remove(chain)
        for job_id, c in list(self.running.items()):
            if c is chain:
                del self.running[job_id]

    def chain_idle(self, chain: _Chain) -> None:
        """B has seen its job out and prepared the next C: the chain takes jobs again (or retires)."""
        try:
            msg, _fds = recv_msg(chain.b_sock)
        except (EOFError, OSError):
            msg = None  # B retired or died; reap() tidies up when A exits
        self._forget(chain)
        if msg is None or chain.reaped:
            return
        if len(self.spares) >= self.max_idle:
            chain.close()  # B reads EOF and ends the chain
            return
        self.spares.append(chain)

    def handle(self, msg: dict, fds: list[int]) -> None:
        op = msg.get("op")
        if op == "run":
            reply: dict = {"op": "started", "job": msg["job"]}
            out_fd, err_fd, st_fd = fds
            try:
                while True:
                    chain = self.spares.pop() if self.spares else self.make_chain()
                    try:
                        # limits first: C runs the job the moment it arrives
                        oom_before, failed = chain.cg.before_job(msg["payload"]["limits"]) if chain.cg else (0, [])
                        send_msg(chain.c_sock, msg["payload"], [out_fd, err_fd])
                        # the status fd goes to B only, and only once C has the job (a C that died before
                        # would otherwise be reported as a job that ran): the job never holds that channel
                        send_msg(chain.b_sock, {"oom_before": oom_before, "cgroup_failed": failed}, [st_fd])
                        break
                    except OSError:
                        chain.kill()
                        continue
                self.running[msg["job"]] = chain
            except Exception as e:
                reply = {"op": "error", "job": msg["job"], "error": repr(e)}
            finally:
                for fd in fds:
                    os.close(fd)
            send_msg(self.ctl, reply)
        elif op == "kill":
            victim = self.running.pop(msg["job"], None)
            if victim is not None:
                victim.kill()
        elif op == "ping":
            send_msg(self.ctl, {"op": "pong", "spares": len(self.spares), "chains": len(self.by_pid)})
        else:
            for fd in fds:
                os.close(fd)

    def loop(self) -> None:
        while True:
            want_spare = len(self.spares) < self.nspare
            busy = {c.b_sock: c for c in self.running.values() if not c.reaped}  # B reports "idle" when done
            try:
                readers: list[Any] = [self.ctl, self.wake_r, *busy]
                ready, _, _ = select.select(readers, [], [], 0 if want_spare else None)
            except InterruptedError:
                continue
            if self.wake_r in ready:
                try:
                    while os.read(self.wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                self.reap()
            for sock in ready:
                chain = busy.get(sock)
                if chain is not None and not chain.reaped:
                    self.chain_idle(chain)
            if self.ctl in ready:
                try:
                    msg, fds = recv_msg(self.ctl)
                except (EOFError, OSError):
                    return
                self.handle(msg, fds)
            elif not ready and want_spare:
                self.spares.append(self.make_chain())

    def shutdown(self) -> None:
        for chain in list(self.by_pid.values()):
            chain.kill()
        deadline = time.monotonic() + 5
        while self.by_pid and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.002)
        if self.cg_root is not None:
            self.graves += list(self.cg_root["bases"].values())
        while self.graves and time.monotonic() < deadline:
            self.graves = _confine.cgroup_remove(self.graves)
            if self.graves:
                time.sleep(0.01)


def _preload(modules: list[str], warmup: str | None) -> tuple[list[str], dict[str, str]]:
    import importlib

    ok, failed = [], {}
    for name in modules:
        try:
            importlib.import_module(name)
            ok.append(name)
        except Exception as e:
            failed[name] = repr(e)
    if warmup:
        try:
            exec(compile(warmup, "<warmup>", "exec"), {"__name__": "__warmup__"})  # noqa: S102 - our own code
        except Exception as e:
            failed["<warmup>"] = repr(e)
    return ok, failed


def _confinement(config: dict, sweep: str | None = None) -> None:
    """What every chain of this server shares, worked out once: the paths jobs import from (bound read-only
    into their root), where job cgroups go, and the seccomp program (built here, loaded by each job)."""
    config["expose"] = _confine.import_roots()
    if config.get("cgroups", True):
        plan = _confine.cgroup_detect()
        if sweep and plan.get("version"):
            _confine.cgroup_sweep(plan, sweep)
    else:
        plan = {"error": "cgroups switched off"}
    config["cg_plan"] = plan
    if config.get("seccomp", True):
        program = _confine.seccomp_program()
        if program is None:
            config["seccomp_error"] = f"no filter built for {_confine.platform.machine()}"
        config["seccomp_program"] = program
    else:
        config["seccomp_program"] = None


def _serve(config: dict) -> None:
    ctl = socket.socket(fileno=int(config["fd"]))
    try:  # the server holds a few fds per chain (sockets, cgroup control files): allow many chains
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        want = 1 << 16 if hard == resource.RLIM_INFINITY else min(hard, 1 << 16)
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (OSError, ValueError):
        pass
    preloaded, failed = _preload(config.get("preload", []), config.get("warmup"))
    _confinement(config, sweep="codesteer-")
    import gc

    gc.collect()
    gc.freeze()  # keep the warm heap's pages shared with every forked job
    zyg = _Zygote(ctl, config)
    send_msg(
        ctl,
        {
            "op": "hello",
            "pid": os.getpid(),
            "root": os.geteuid() == 0,
            "preloaded": preloaded,
            "failed": failed,
            "exposed": config["expose"],
            "cgroup": config["cg_plan"],
        },
    )
    try:
        zyg.loop()
    finally:
        zyg.shutdown()
        os._exit(0)


def _once(st_fd: int, config: dict) -> None:
    """SubprocessSandbox: this fresh interpreter is A for exactly one job read from stdin."""
    job = pickle.loads(sys.stdin.buffer.read())
    _confinement(config)
    plan = config["cg_plan"]
    cgdirs = _confine.cgroup_make(plan, f"codesteer-once-{os.getpid()}") if plan.get("version") else []
    if cgdirs:
        config["cgroup"] = {"version": plan["version"], "dirs": cgdirs}
    else:
        config["cgroup"] = {"error": plan.get("error", "could not create the job's cgroup")}
    ctx = _a_start(os.getppid(), config)
    b_pid = os.fork()
    if b_pid:
        for fd in (st_fd, 0, 1, 2):
            os.close(fd)
        try:
            os.waitpid(b_pid, 0)
        finally:
            import shutil

            shutil.rmtree(_fallback_workdir(ctx["workroot"], ctx["a_pid"]), ignore_errors=True)
            os._exit(0)  # the job's cgroup is removed by the caller once this process is reaped
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _b_prepare(ctx)
    if ctx["cg"] is not None:
        ctx["oom_before"], failed = ctx["cg"].before_job(job["limits"])
        if failed:
            ctx["iso"]["cgroup_failed"] = failed
    iso_r, iso_w = os.pipe()
    go_r, go_w = os.pipe()
    c_pid = os.fork()
    if c_pid == 0:
        os.close(iso_r)
        os.close(go_w)
        out_fd, err_fd = os.dup(1), os.dup(2)
        _c_prepare(ctx, {out_fd, err_fd, go_r}, iso_w)
        if os.read(go_r, 1) != b"g":
            os._exit(0)
        os.close(go_r)
        _c_run(ctx, job, out_fd, err_fd, iso_w)
    os.close(iso_w)
    os.close(go_r)
    _b_watch(ctx, c_pid, go_w, iso_r)
    for fd in (0, 1, 2):
        os.close(fd)
    _b_finish(ctx, c_pid, st_fd, iso_r)


if __name__ == "__main__":
    # Running as a script puts this package directory first on sys.path; snippets must not see it.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    if sys.argv[1] == "serve":
        _config = json.loads(sys.stdin.buffer.read())
        _null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(_null, 0)
        os.close(_null)
        _serve(_config)
    elif sys.argv[1] == "once":
        _once(int(sys.argv[2]), json.loads(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]!r}")
