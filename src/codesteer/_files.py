"""Writing a file so that a reader never sees half of it: the one place that does it.

Reports, manifests and training exports are read by other programs and by the next run; a crash, a full disk or
Ctrl-C in the middle of a write must leave the previous file (or none), never a truncated one. Model text can
hold any ``str``, lone surrogates included, which strict UTF-8 refuses to encode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from codesteer.errors import CodesteerError


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[TextIO]:
    """A text file beside ``path`` that replaces it when the block ends; on any exception it is removed and
    ``path`` is left as it was.

    UTF-8, with lone surrogates written as ``\\udXXX``: in JSON that escape reads back as the same string, so a
    record round-trips instead of failing the write. The file gets the permissions an ordinary write would give
    (the old file's, else 0666 less the umask), not the temp file's 0600. An OS error names the file.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise CodesteerError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            try:
                mode = stat.S_IMODE(os.stat(target).st_mode)
            except OSError:
                mode = 0o666 & ~_umask()
            os.fchmod(fh.fileno(), mode)
            yield fh
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CodesteerError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (setting it to read it races threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def write_text_atomic(path: str | Path, text: str) -> None:
    """``text`` into ``path`` through :func:`atomic_writer`."""
    with atomic_writer(path) as fh:
        fh.write(text)
