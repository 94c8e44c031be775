"""Files other programs read: written so that a reader never sees half of one, and JSONL read line by line with
errors that name the line. The one place that does either.

Reports, manifests and training exports are read by other programs and by the next run; a crash, a full disk or
Ctrl-C in the middle of a write must leave the previous file (or none), never a truncated one. Model text can
hold any ``str``, lone surrogates included, which strict UTF-8 refuses to encode.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

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


def json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file with their line numbers, blank lines skipped.

    The first line that is not a JSON object stops the read with a ``ValueError`` naming the file and the line:
    instance files, model replies and training exports are all keyed per line, so a bad line is never skipped.
    """
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, rec
