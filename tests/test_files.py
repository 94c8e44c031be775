"""One atomic writer for every text file codesteer writes (reports, manifests, training exports), and one JSONL
reader for the files it reads back line by line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codesteer._files import atomic_writer, json_objects, write_text_atomic
from codesteer.errors import CodesteerError
from codesteer.symbench import generate, read_jsonl, write_jsonl
from codesteer.synth._common import write_json
from codesteer.synth._common import write_jsonl as write_records


def test_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_text_atomic(target, "new\r\nline")
    assert target.read_bytes() == b"new\r\nline"  # no newline translation
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_failure_mid_write_keeps_the_old_file_and_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "manifest.jsonl"
    old = generate("game24", 1, seed=1)
    write_jsonl(old, target)
    before = target.read_bytes()

    def broken():
        yield from generate("game24", 1, seed=2)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(broken(), target)
    assert target.read_bytes() == before and [i.id for i in read_jsonl(target)] == [old[0].id]
    assert os.listdir(tmp_path) == ["manifest.jsonl"]  # the old writer left manifest.jsonl.tmp behind


def test_lone_surrogates_in_model_text_round_trip_through_json_exports(tmp_path: Path) -> None:
    record = {"messages": [{"role": "assistant", "content": "bad \udc80 byte and \ud800 half"}]}
    write_records(tmp_path / "sft.jsonl", [record])  # the old writer raised UnicodeEncodeError here
    assert json.loads((tmp_path / "sft.jsonl").read_text(encoding="utf-8")) == record
    write_json(tmp_path / "sft.json", [record])
    assert json.loads((tmp_path / "sft.json").read_text(encoding="utf-8")) == [record]


def test_an_unwritable_folder_is_one_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "report.html"
    with pytest.raises(CodesteerError, match="cannot write .*report.html"):
        write_text_atomic(missing, "x")
    with pytest.raises(CodesteerError, match="cannot write"), atomic_writer(tmp_path / "f.txt") as fh:
        fh.write("x")
        raise OSError(28, "No space left on device")
    assert os.listdir(tmp_path) == []


def test_files_get_ordinary_permissions_not_the_temp_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "report.md"
        write_text_atomic(fresh, "x")  # mkstemp's 0600 made reports and manifests unreadable to the group
        assert fresh.stat().st_mode & 0o777 == 0o644
        private = tmp_path / "private.json"
        private.write_text("{}")
        private.chmod(0o600)
        write_text_atomic(private, "{}")
        assert private.stat().st_mode & 0o777 == 0o600  # a file's own mode is kept
    finally:
        os.umask(old)


def test_jsonl_objects_come_with_their_line_numbers_and_a_bad_line_stops_the_read(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"a": 1}\n\n  \n{"b": "\\ud800"}\n', encoding="utf-8")
    assert list(json_objects(good)) == [(1, {"a": 1}), (4, {"b": "\ud800"})]
    for body, line, why in [('{"a": 1}\n{"a": \n', 2, "invalid JSON"), ('[1, 2]\n', 1, "expected a JSON object"),
                            ('{"a": 1}\n"text"\n', 2, "expected a JSON object"), ("NaN-ish }{\n", 1, "invalid JSON")]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ValueError, match=rf"bad\.jsonl:{line}: {why}"):
            list(json_objects(bad))


def test_training_data_and_instance_files_share_the_reader(tmp_path: Path) -> None:
    from codesteer.train._trainer import _records as training_records

    (tmp_path / "sft.jsonl").write_text('{"messages": [], "extra": 1}\n{"messages": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"sft\.jsonl:2: invalid JSON"):
        training_records(tmp_path, "sft.jsonl", ("messages",))
    (tmp_path / "sft.jsonl").write_text('{"messages": [], "extra": 1}\n{"other": 2}\n', encoding="utf-8")
    with pytest.raises(CodesteerError, match=r"sft\.jsonl:2: a record needs the fields messages"):
        training_records(tmp_path, "sft.jsonl", ("messages",))
    (tmp_path / "sft.jsonl").write_text('{"messages": [], "extra": 1}\n', encoding="utf-8")
    assert training_records(tmp_path, "sft.jsonl", ("messages",)) == [{"messages": []}]
    (tmp_path / "inst.jsonl").write_text("[]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"inst\.jsonl:1: expected a JSON object"):
        read_jsonl(tmp_path / "inst.jsonl")
