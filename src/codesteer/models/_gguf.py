"""A bounded reader of a GGUF file's header, run before llama.cpp sees the file.

llama.cpp meets a truncated or corrupted file with an opaque "failed to init" (or, for some headers, an
abort of the whole process), and ``gguf.GGUFReader`` takes ~10 s on a 0.5B model because it turns the whole
vocabulary into numpy arrays. Reading the key/value header and the tensor table ourselves takes a fraction
of a second, checks every length against the bytes that remain (a hostile length cannot make us allocate),
and tells the user in one line what is wrong.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from codesteer.models._types import ModelError

_MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_KEEP = ("general.architecture", "general.name", "general.alignment", "tokenizer.chat_template")
_MAX_DIMS = 8


@dataclass(frozen=True)
class GGUFInfo:
    """What codesteer checks before loading a GGUF: its model family, its chat template, its full size."""

    path: Path
    architecture: str
    name: str
    chat_template: str
    context_length: int
    tensors: int
    size: int  # bytes on disk
    needed: int  # bytes the header says the file must have


class _Bad(Exception):
    pass


class _Reader:
    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh, self.size, self.pos = fh, size, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.size:
            raise _Bad(f"the header asks for {n} bytes at offset {self.pos}, past the end of the file")
        data = self.fh.read(n)
        if len(data) != n:
            raise _Bad(f"short read at offset {self.pos}")
        self.pos += n
        return data

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Bad(f"the header asks for {n} bytes at offset {self.pos}, past the end of the file")
        self.fh.seek(n, 1)
        self.pos += n

    def scalar(self, kind: int) -> Any:
        fmt = _SCALARS[kind]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def u32(self) -> int:
        return int(self.scalar(4))

    def u64(self) -> int:
        return int(self.scalar(10))

    def string(self) -> str:
        return self.take(self.u64()).decode("utf-8", errors="replace")

    def value(self, kind: int, keep: bool) -> Any:
        """One typed value; arrays and unwanted strings are skipped, never built."""
        if kind in _SCALARS:
            return self.scalar(kind)
        if kind == _STRING:
            if keep:
                return self.string()
            self.skip(self.u64())
            return None
        if kind == _ARRAY:
            item, count = self.u32(), self.u64()
            if item in _SCALARS:
                self.skip(count * struct.calcsize(_SCALARS[item]))
            elif item == _STRING:
                for _ in range(count):
                    self.skip(self.u64())
            else:
                raise _Bad(f"array of unsupported value type {item}")
            return None
        raise _Bad(f"unknown value type {kind} at offset {self.pos}")


def read_gguf_info(path: str | Path) -> GGUFInfo:
    """Parse and sanity-check ``path``; a ``ModelError`` with one line says why a file is unusable."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            return _parse(path, _Reader(fh, size))
    except FileNotFoundError:
        raise ModelError(f"no GGUF file at {path}") from None
    except IsADirectoryError:
        raise ModelError(f"{path} is a folder, not a GGUF file") from None
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (_Bad, struct.error, KeyError, OverflowError) as exc:
        raise ModelError(f"{path} is not a usable GGUF file (corrupted or truncated): {exc}") from None


def _parse(path: Path, r: _Reader) -> GGUFInfo:
    from gguf.constants import GGML_QUANT_SIZES

    if r.size < 24 or r.take(4) != _MAGIC:
        raise _Bad("no GGUF magic at the start")
    version = r.u32()
    if version not in (2, 3):
        raise _Bad(f"unsupported GGUF version {version}")
    n_tensors, n_kv = r.u64(), r.u64()
    if n_tensors > r.size or n_kv > r.size:
        raise _Bad(f"implausible counts ({n_tensors} tensors, {n_kv} keys)")
    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        key = r.string()
        kind = r.u32()
        keep = key in _KEEP or key.endswith(".context_length")
        value = r.value(kind, keep)
        if keep:
            meta[key] = value
    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise _Bad("no general.architecture key")
    end = 0
    for _ in range(n_tensors):
        r.skip(r.u64())  # name
        n_dims = r.u32()
        if not 1 <= n_dims <= _MAX_DIMS:
            raise _Bad(f"a tensor with {n_dims} dimensions")
        elements = 1
        for _ in range(n_dims):
            elements *= r.u64()
        kind, offset = r.u32(), r.u64()
        if kind not in GGML_QUANT_SIZES:
            raise _Bad(f"a tensor of unknown type {kind}")
        block, nbytes = GGML_QUANT_SIZES[kind]  # type: ignore[index]  # an IntEnum keyed table, read by the raw int
        if elements % block:
            raise _Bad(f"a tensor of {elements} elements in blocks of {block}")
        end = max(end, offset + elements // block * nbytes)
    align = int(meta.get("general.alignment") or 32)
    if align <= 0 or align & (align - 1):
        raise _Bad(f"alignment {align} is not a power of two")
    data_start = -(-r.pos // align) * align
    needed = data_start + end
    if needed > r.size:
        raise _Bad(f"the tensors need {needed:,} bytes but the file has {r.size:,}")
    return GGUFInfo(
        path=path,
        architecture=arch,
        name=str(meta.get("general.name") or ""),
        chat_template=str(meta.get("tokenizer.chat_template") or ""),
        context_length=int(meta.get(f"{arch}.context_length") or 0),
        tensors=n_tensors,
        size=r.size,
        needed=needed,
    )
