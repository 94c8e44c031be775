"""Kernel confinement of a job: the filesystem it sees, one cgroup for its process tree, a seccomp filter.

Standard library only: the zygote loads this file as a script's sibling (see ``_zygote``). Each piece reports
what it could not do instead of failing the job; the caller turns that into ``ExecResult.isolation``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC = 32, 4096, 8192, 0x4000
MNT_DETACH = 2

# ---------------------------------------------------------------------------------------------- libc


_libc = None


def libc():
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(None, use_errno=True)
        lib.mount.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
        ]
        lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.unshare.argtypes = [ctypes.c_int]
        lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        lib.syscall.restype = ctypes.c_long
        _libc = lib
    return _libc


def errcheck(rc: int) -> str | None:
    """None when a libc call succeeded, else its errno's text (callers report it instead of failing)."""
    return None if rc == 0 else os.strerror(ctypes.get_errno())


def mount(
    src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> str | None:
    def enc(s: str | None) -> bytes | None:
        return None if s is None else s.encode()

    return errcheck(libc().mount(enc(src), enc(target), enc(fstype), flags, enc(data)))


def umount(target: str) -> str | None:
    return errcheck(libc().umount2(target.encode(), MNT_DETACH))


# ---------------------------------------------------------------------------------------------- exit watch

PTRACE_CONT, PTRACE_GETEVENTMSG, PTRACE_SEIZE = 7, 0x4201, 0x4206
PTRACE_O_TRACEEXIT, PTRACE_O_EXITKILL = 0x40, 0x100000
PTRACE_EVENT_EXIT = 6


def _ptrace(request: int, pid: int, addr: int, data: int) -> int:
    lib = libc()
    lib.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    lib.ptrace.restype = ctypes.c_long
    return lib.ptrace(request, pid, addr, data)


def watch_exit(pid: int) -> str | None:
    """Have the kernel stop ``pid`` (a child of ours) as it starts to exit, before its address space is torn
    down, so its exit status is known a teardown earlier; it dies with us. The error, if any."""
    rc = _ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)
    return None if rc == 0 else os.strerror(ctypes.get_errno())


def exit_event_status(pid: int, status: int) -> int | None:
    """For a wait status of a watched ``pid``: its exit status if this is the exit stop, else None after
    letting it go on (a signal it was about to receive is passed on unchanged)."""
    event = status >> 16
    if event == PTRACE_EVENT_EXIT:
        msg = ctypes.c_ulong(0)
        if _ptrace(PTRACE_GETEVENTMSG, pid, 0, ctypes.addressof(msg)) == 0:
            return int(msg.value) & 0xFFFF
        return None
    sig = os.WSTOPSIG(status) if event == 0 else 0  # 0: a signal-delivery stop; else a group or event stop
    _ptrace(PTRACE_CONT, pid, 0, sig)
    return None


def release(pid: int) -> None:
    """Let a process held at its exit stop finish exiting (a SIGKILL alone does not move it on)."""
    _ptrace(PTRACE_CONT, pid, 0, 0)


# ---------------------------------------------------------------------------------------------- seccomp

_ARCH = platform.machine()
# (AUDIT_ARCH, syscall numbers) per architecture; only these two are built, elsewhere seccomp is reported off
_SYSCALLS = {
    "x86_64": (
        0xC000003E,
        {
            "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
            "clone": 56, "clone3": 435, "keyctl": 250, "add_key": 248, "request_key": 249,
            "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
            "fspick": 433, "mount_setattr": 442, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "socket": 41,
            "socketpair": 53, "kexec_load": 246, "init_module": 175, "finit_module": 313,
            "name_to_handle_at": 303, "open_by_handle_at": 304, "fanotify_init": 300,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
            "clone": 220, "clone3": 435, "keyctl": 219, "add_key": 217, "request_key": 218,
            "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
            "fspick": 433, "mount_setattr": 442, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "socket": 198,
            "socketpair": 199, "kexec_load": 104, "init_module": 105, "finit_module": 273,
            "name_to_handle_at": 264, "open_by_handle_at": 265, "fanotify_init": 262,
        },
    ),
}  # fmt: skip
_SYSCALLS["arm64"] = _SYSCALLS["aarch64"]

# what a job may not do at all: make namespaces or mounts, touch keyrings, load BPF or modules, use io_uring
# (which would run socket and file operations past this filter), or open files by handle
DENIED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "keyctl", "add_key", "request_key",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
    "init_module", "finit_module", "name_to_handle_at", "open_by_handle_at", "fanotify_init",
)  # fmt: skip
NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
AF_UNIX, AF_INET, AF_INET6, SOCK_STREAM = 1, 2, 10, 1
_RET_ALLOW, _RET_ERRNO, _RET_KILL = 0x7FFF0000, 0x00050000, 0x80000000
EPERM, ENOSYS = 1, 38
_LD_ABS, _JEQ, _JGE, _JSET, _AND, _RET = 0x20, 0x15, 0x35, 0x45, 0x54, 0x06
_NR, _ARCH_OFF, _ARG0, _ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (little-endian low words)


def seccomp_program(arch: str = _ARCH) -> bytes | None:
    """The job's filter as raw classic BPF (``struct sock_filter[]``), or None on an architecture not built.

    Denied calls fail with EPERM; ``clone3`` fails with ENOSYS so libc falls back to ``clone``, whose flags the
    filter can see; sockets other than IPv4/6 (which a job's empty network namespace makes useless anyway)
    are refused, except unnamed stream socket pairs (multiprocessing, asyncio). Foreign ABIs are killed.
    """
    if arch not in _SYSCALLS:
        return None
    audit, nr = _SYSCALLS[arch]
    # a tiny assembler: instructions carry label names as jump targets, resolved to forward offsets below
    prog: list[tuple] = [
        (_LD_ABS, None, None, _ARCH_OFF),
        (_JEQ, None, "kill", audit),
        (_LD_ABS, None, None, _NR),
    ]
    if arch == "x86_64":
        prog.append((_JGE, "eperm", None, 0x40000000))  # the x32 ABI: same numbers plus this bit
    for name in DENIED:
        prog.append((_JEQ, "eperm", None, nr[name]))
    prog += [
        (_JEQ, "enosys", None, nr["clone3"]),
        (_JEQ, "clone", None, nr["clone"]),
        (_JEQ, "socket", None, nr["socket"]),
        (_JEQ, "pair", None, nr["socketpair"]),
        (_RET, None, None, _RET_ALLOW),
        ("clone:",),
        (_LD_ABS, None, None, _ARG0),
        (_JSET, "eperm", "allow", NAMESPACE_FLAGS),
        ("socket:",),
        (_LD_ABS, None, None, _ARG0),
        (_JEQ, "allow", None, AF_INET),
        (_JEQ, "allow", "eperm", AF_INET6),
        ("pair:",),
        (_LD_ABS, None, None, _ARG0),
        (_JEQ, None, "eperm", AF_UNIX),
        (_LD_ABS, None, None, _ARG1),
        (_AND, None, None, 0xF),
        (_JEQ, "allow", "eperm", SOCK_STREAM),
        ("allow:",),
        (_RET, None, None, _RET_ALLOW),
        ("eperm:",),
        (_RET, None, None, _RET_ERRNO | EPERM),
        ("enosys:",),
        (_RET, None, None, _RET_ERRNO | ENOSYS),
        ("kill:",),
        (_RET, None, None, _RET_KILL),
    ]
    labels, pos = {}, 0
    for ins in prog:
        if len(ins) == 1:
            labels[ins[0][:-1]] = pos
        else:
            pos += 1
    out, pos = bytearray(), 0
    for ins in prog:
        if len(ins) == 1:
            continue
        code, jt, jf, k = ins
        rel = [0 if t is None else labels[t] - pos - 1 for t in (jt, jf)]
        assert all(0 <= r < 256 for r in rel), "seccomp jump out of range"
        out += struct.pack("=HBBI", code, rel[0], rel[1], k)
        pos += 1
    return bytes(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2


def install_seccomp(program: bytes) -> str | None:
    """Load ``program`` for this process and all it will start (needs no_new_privs); the error, if any."""
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buf))
    return errcheck(libc().prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0))


# ---------------------------------------------------------------------------------------------- cgroups


def _mounts() -> list[tuple[str, str, str, str]]:
    """(root, mount point, fstype, super options) of every mount, from mountinfo."""
    out = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                a, b = left.split(), right.split()
                if len(a) >= 5 and len(b) >= 3:
                    out.append((a[3], a[4].replace("\\040", " "), b[0], b[2]))
    except OSError:
        pass
    return out


def _own_cgroups() -> dict[str, str]:
    """controller (or "" for cgroup2) -> this process's cgroup path."""
    own: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _hid, ctrls, path = line.rstrip("\n").split(":", 2)
                for c in ctrls.split(",") if ctrls else [""]:
                    own[c] = path
    except OSError:
        pass
    return own


def _under(mountpoint: str, mroot: str, path: str) -> str | None:
    if mroot != "/" and not (path == mroot or path.startswith(mroot.rstrip("/") + "/")):
        return None
    rel = path[len(mroot) :] if mroot != "/" else path
    return mountpoint.rstrip("/") + "/" + rel.strip("/") if rel.strip("/") else mountpoint


def _writable_dir(path: str | None) -> bool:
    return bool(path) and os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)  # type: ignore[arg-type]


def cgroup_detect(
    mounts: list[tuple[str, str, str, str]] | None = None, own: dict[str, str] | None = None
) -> dict:
    """Where this process may make job cgroups: ``{"version": "v1", "bases": {"memory": dir, "pids": dir}}``,
    ``{"version": "v2", "bases": {"": dir}}``, or ``{"error": why}``.

    v1 needs writable ``memory`` and ``pids`` hierarchies (root on a v1 host). v2 needs a delegated subtree: the
    nearest cgroup at or above this process's own that hands the memory and pids controllers to its children and
    that this user may write (a cgroup holding processes cannot hand them on, so with systemd this is usually the
    slice above the caller's scope, e.g. ``user@UID.service/app.slice``). ``mounts`` and ``own`` (from
    /proc/self/mountinfo and /proc/self/cgroup by default) let a test describe another host.
    """
    own = _own_cgroups() if own is None else own
    mounts = _mounts() if mounts is None else mounts
    v1: dict[str, str] = {}
    for ctrl in ("memory", "pids"):
        for mroot, point, fstype, opts in mounts:
            if fstype == "cgroup" and ctrl in opts.split(",") and ctrl in own:
                base = _under(point, mroot, own[ctrl])
                if _writable_dir(base):
                    v1[ctrl] = base  # type: ignore[assignment]
                    break
    if len(v1) == 2:
        return {"version": "v1", "bases": v1}
    for mroot, point, fstype, _opts in mounts:
        if fstype != "cgroup2" or "" not in own:
            continue
        base = _under(point, mroot, own[""])
        while base and (base == point or base.startswith(point.rstrip("/") + "/")):
            try:
                with open(os.path.join(base, "cgroup.subtree_control")) as f:
                    enabled = set(f.read().split())
            except OSError:
                enabled = set()
            if {"memory", "pids"} <= enabled and _writable_dir(base):
                return {"version": "v2", "bases": {"": base}}
            if base == point:
                break
            base = os.path.dirname(base)
        return {
            "error": f"no cgroup2 above {own['']!r} delegates the memory and pids controllers to this user"
        }
    if v1:
        return {"error": f"only the {', '.join(v1)} cgroup v1 hierarchy is writable"}
    return {"error": "no writable cgroup hierarchy (needs root on cgroup v1, or a delegated cgroup2 subtree)"}


def cgroup_make(plan: dict, name: str, delegate: bool = False) -> list[str]:
    """Create ``name`` under every base of ``plan``; the directories made (empty on failure, nothing left).

    ``delegate`` (cgroup2) passes the memory and pids controllers on to the new group's children.
    """
    made: list[str] = []
    try:
        for base in plan["bases"].values():
            path = os.path.join(base, name)
            os.mkdir(path)
            made.append(path)
        if plan["version"] == "v2" and delegate:
            _write_file(os.path.join(made[0], "cgroup.subtree_control"), "+memory +pids")
    except OSError:
        cgroup_remove(made)
        return []
    return made


def cgroup_remove(dirs: list[str]) -> list[str]:
    """rmdir every directory, deepest first; those that are still busy are returned to retry later."""
    busy = []
    for d in sorted(dirs, key=len, reverse=True):
        try:
            for sub in os.listdir(d):
                p = os.path.join(d, sub)
                if os.path.isdir(p):
                    busy += cgroup_remove([p])
            os.rmdir(d)
        except FileNotFoundError:
            pass
        except OSError:
            busy.append(d)
    return busy


def cgroup_sweep(plan: dict, prefix: str) -> None:
    """Remove groups ``<prefix><pid>`` left by a server that was killed (its pid no longer exists)."""
    for base in plan.get("bases", {}).values():
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for n in names:
            if (
                n.startswith(prefix)
                and n[len(prefix) :].isdigit()
                and not os.path.exists(f"/proc/{n[len(prefix) :]}")
            ):
                cgroup_remove([os.path.join(base, n)])


def _write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


class JobCgroup:
    """The control files of one chain's cgroup. The server opens them to set each job's limits before the job
    is sent; B opens them before it hides /sys, for C to join itself (before it can receive a job) and for the
    job's peak memory afterwards."""

    def __init__(self, version: str, dirs: list[str], setup: bool = False) -> None:
        self.version = version
        self.fds: dict[str, int] = {}
        names = {
            "v1": ["cgroup.procs", "memory.limit_in_bytes", "memory.max_usage_in_bytes", "memory.oom_control",
                   "memory.swappiness", "pids.max"],
            "v2": ["cgroup.procs", "memory.max", "memory.peak", "memory.events", "memory.swap.max", "pids.max"],
        }[version]  # fmt: skip
        for d in dirs:
            for n in names:
                path = os.path.join(d, n)
                if os.path.exists(path):
                    key = n if n != "cgroup.procs" else f"{n}:{d}"
                    self.fds[key] = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        if setup:  # the limit holds for memory, not memory plus swap
            self._put("memory.swappiness" if version == "v1" else "memory.swap.max", "0")

    def close(self) -> None:
        for fd in self.fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds.clear()

    def _put(self, name: str, value: str) -> bool:
        fd = self.fds.get(name)
        if fd is None:
            return False
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, value.encode())
            return True
        except OSError:
            return False

    def _get(self, name: str) -> str:
        fd = self.fds.get(name)
        if fd is None:
            return ""
        try:
            return os.pread(fd, 4096, 0).decode()
        except OSError:
            return ""

    def join(self, pid: int = 0) -> bool:
        """Move ``pid`` (0: the calling process) into the group, in every hierarchy."""
        ok = True
        for key in [k for k in self.fds if k.startswith("cgroup.procs:")]:
            ok &= self._put(key, str(pid))
        return ok

    def _oom_kills(self) -> int:
        text = self._get("memory.oom_control" if self.version == "v1" else "memory.events")
        for line in text.splitlines():
            k, _, v = line.partition(" ")
            if k == "oom_kill" and v.strip().isdigit():
                return int(v)
        return 0

    def before_job(self, limits: dict) -> tuple[int, list[str]]:
        """Set one job's limits and reset the peak. Returns the OOM-kill count to compare with afterwards and
        the limit files that could not be written (reported, never hidden)."""
        mem = limits.get("memory_mb")
        procs = limits.get("max_procs")
        failed = []
        limit_file = "memory.limit_in_bytes" if self.version == "v1" else "memory.max"
        if not self._put(
            limit_file, str(int(mem) << 20) if mem else ("-1" if self.version == "v1" else "max")
        ):
            failed.append(limit_file)
        if not self._put("pids.max", str(int(procs)) if procs else "max"):
            failed.append("pids.max")
        if self.version == "v1":
            self._put("memory.max_usage_in_bytes", "0")  # resets the peak
        else:
            self._put("memory.peak", "reset")  # kernels >= 6.12; older ones report the chain's peak
        return self._oom_kills(), failed

    def after_job(self, oom_before: int) -> tuple[int | None, bool]:
        """(peak bytes of the job tree, whether the kernel OOM-killed any of it)."""
        peak = self._get("memory.max_usage_in_bytes" if self.version == "v1" else "memory.peak").strip()
        return (int(peak) if peak.isdigit() else None), self._oom_kills() > oom_before


# ---------------------------------------------------------------------------------------------- filesystem


SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
MASKED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


def import_roots(paths: list[str] | None = None) -> list[str]:
    """The directories (and zip files) a job must be able to import from, outside the system directories.

    They become read-only bind mounts at the same paths, so a job imports from them without any handle on
    what lies around them. Nested entries collapse into their ancestor.
    """
    cands: set[str] = set()
    entries = list(sys.path if paths is None else paths)
    if paths is None:
        for mod in list(sys.modules.values()):
            p = getattr(mod, "__path__", None)
            if isinstance(p, list):
                entries += p
    for p in entries:
        if not isinstance(p, str) or not os.path.isabs(p) or not os.path.exists(p):
            continue
        p = os.path.normpath(p)
        top = p.strip("/").split("/")[0]
        if p == "/" or top in (*SYSTEM_DIRS, "proc", "sys", "dev"):
            continue  # the system directories are bound whole; a symlinked one resolves into them
        cands.add(p)
    out: list[str] = []
    for p in sorted(cands):
        if not any(p.startswith(q.rstrip("/") + "/") for q in out):
            out.append(p)
    return out


def _under_masked(p: str) -> bool:
    return any(p == m or p.startswith(m + "/") for m in MASKED_DIRS)


def _bind(src: str, target: str, *, recursive: bool = True, extra: int = 0) -> str | None:
    err = mount(src, target, None, MS_BIND | (MS_REC if recursive else 0))
    if err is None:
        err = mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | extra)
        if err is not None:
            umount(target)
    return err


def _mkpath(root: str, path: str, is_dir: bool) -> str:
    target = root + path
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    return target


_PIVOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}


KEEP = "/.codesteer"  # root-only (0700) directory in the new root holding what must be bound again per job


def build_root(expose: list[str], staging: str = "/tmp") -> tuple[dict[str, str], str | None, str]:
    """Make a minimal read-only root and switch this process (B, root of fresh PID and mount namespaces, with
    everything already private) into it. The new root holds read-only binds of the system directories and of
    ``expose``, a /dev with only the harmless devices, this namespace's /proc (read-only) and mount points for
    the private /tmp, /var/tmp and /dev/shm; the rest of the host is gone, as are writable host paths and
    unix sockets.

    Returns (exposed paths under the private mounts, which must be bound again into each fresh mount, each
    with where a copy of it is kept in the new root; the error, if any; how the root was switched). A bind
    from the old root would fail once that is detached, hence the kept copies.
    """
    sources: dict[str, int] = {}
    is_dir: dict[str, bool] = {}  # known before the staging tmpfs hides anything under /tmp
    try:
        for p in expose:
            sources[p] = os.open(p, os.O_PATH | os.O_CLOEXEC)
            is_dir[p] = os.path.isdir(p)
    except OSError as e:
        return _closed(sources), f"open {e.filename}: {e.strerror}", ""
    err = mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    if err:
        return _closed(sources), f"tmpfs root: {err}", ""
    root = staging
    try:
        for name in SYSTEM_DIRS:
            src = "/" + name
            if os.path.islink(src):
                os.symlink(os.readlink(src), f"{root}/{name}")
            elif os.path.isdir(src):
                os.mkdir(f"{root}/{name}")
                err = _bind(src, f"{root}/{name}", extra=MS_NODEV)
                if err:
                    return _closed(sources), f"bind {src}: {err}", ""
        os.mkdir(f"{root}/dev")
        err = mount("tmpfs", f"{root}/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
        if err:
            return _closed(sources), f"/dev: {err}", ""
        for dev in DEVICES:
            if os.path.exists(f"/dev/{dev}"):
                _mkpath(root, f"/dev/{dev}", False)
                if mount(f"/dev/{dev}", f"{root}/dev/{dev}", None, MS_BIND):
                    os.unlink(f"{root}/dev/{dev}")
        for link, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):  # fmt: skip
            os.symlink(to, f"{root}/dev/{link}")
        os.mkdir(f"{root}/dev/shm")
        mount(None, f"{root}/dev", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
        for d in ("proc", "tmp", "var", "var/tmp"):
            os.mkdir(f"{root}/{d}")
        err = mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        if err is None:
            err = mount(
                None,
                f"{root}/proc",
                None,
                MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
            )
        if err:
            return _closed(sources), f"/proc: {err}", ""
        later: dict[str, str] = {}
        for p, fd in list(sources.items()):
            if _under_masked(p):
                os.makedirs(root + KEEP, mode=0o700, exist_ok=True)
                later[p] = f"{KEEP}/{len(later)}"
                target = _mkpath(root, later[p], is_dir[p])
            else:
                target = _mkpath(root, p, is_dir[p])
            err = _bind(f"/proc/self/fd/{fd}", target, extra=MS_NODEV)
            os.close(fd)
            del sources[p]
            if err:
                return _closed(sources), f"bind {p}: {err}", ""
        mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    except OSError as e:
        return _closed(sources), f"{e.filename}: {e.strerror}", ""
    # switch: pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new root alone
    os.chdir(root)
    nr = _PIVOT.get(_ARCH)
    how = ""
    if nr is not None and libc().syscall(nr, b".", b".") == 0:
        err = umount(".")
        if err:  # the old root still lies on top: say so rather than pretend
            return {}, f"detach the old root: {err}", ""
        how = "pivot_root"
    else:
        err = mount(root, "/", None, MS_MOVE)
        if err:
            return _closed(sources), f"switch root: {err}", ""
        os.chroot(".")
        how = "chroot"
    os.chdir("/")
    return later, None, how


def _closed(fds: dict[str, int]) -> dict:
    for fd in fds.values():
        try:
            os.close(fd)
        except OSError:
            pass
    return {}


def rebind_masked(kept: dict[str, str]) -> str | None:
    """Bind the exposed paths that live under a private mount into its fresh instance (root, inside the root)."""
    for p, copy in kept.items():
        try:
            target = _mkpath("", p, os.path.isdir(copy))
        except OSError as e:
            return f"{p}: {e.strerror}"
        err = _bind(copy, target, extra=MS_NODEV)
        if err:
            return f"bind {p}: {err}"
    return None
