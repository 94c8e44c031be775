"""The ``codesteer bench`` commands, through the real entry point (exit codes, one-line errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer import symbench
from tests.conftest import run_main


def test_help_lists_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0 and "bench" in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["bench", "list", "--json"], capsys)
    assert code == 0
    names = {t["name"] for t in json.loads(out)}
    assert "number_multiply" in names


def test_generate_verify_roundtrip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst_file = tmp_path / "i.jsonl"
    code, _, _ = run_main(["bench", "generate", "number_multiply", "-n", "6", "--seed", "3", "-o", str(inst_file)], capsys)
    assert code == 0
    insts = symbench.read_jsonl(inst_file)
    assert [i.to_dict() for i in insts] == [i.to_dict() for i in symbench.generate("number_multiply", 6, seed=3)]
    resp = tmp_path / "r.jsonl"
    lines = [{"id": insts[0].id, "response": f"<<<{insts[0].answer}>>>"}, {"id": insts[1].id, "response": "<<<1>>>"}]
    resp.write_text("\n".join(json.dumps(x) for x in lines))
    code, out, _ = run_main(["bench", "verify", str(inst_file), str(resp)], capsys)
    assert code == 0
    assert "1/6" in out and "missing reply: 4" in out and "wrong: 1" in out


def test_generate_with_knob_and_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["bench", "generate", "number_multiply", "-n", "2", "--knob", "factors=5"], capsys)
    assert code == 0
    recs = [json.loads(x) for x in out.splitlines()]
    assert all(len(r["data"]["factors"]) == 5 for r in recs)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["bench", "generate", "no_such_task"], "unknown task"),
        (["bench", "generate", "number_multiply", "--knob", "factors=99"], "2..8"),
        (["bench", "generate", "number_multiply", "--knob", "bogus"], "NAME=VALUE"),
        (["bench", "generate", "number_multiply", "--complexity", "9"], "complexity"),
        (["bench", "verify", "/nonexistent/a.jsonl", "/nonexistent/b.jsonl"], "not found"),
        (["bench", "export", "--out", "/tmp/x", "--format", "parquet"], "format"),
    ],
)
def test_user_errors_are_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(argv, capsys)
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_jsonl_is_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "number_multiply"}\nnot json\n')
    code, _, err = run_main(["bench", "verify", str(bad), str(bad)], capsys)
    assert code == 2 and "bad.jsonl:1" in err


def test_export_jsonl_and_hf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(["bench", "export", "--out", str(tmp_path / "j"), "--tasks", "number_multiply", "-n", "3"], capsys)
    assert code == 0 and len(symbench.read_jsonl(tmp_path / "j" / "number_multiply.jsonl")) == 3
    code, _, _ = run_main(
        ["bench", "export", "--out", str(tmp_path / "h"), "--format", "hf", "--tasks", "number_multiply", "-n", "3"], capsys
    )
    assert code == 0
    import datasets

    dd = datasets.load_from_disk(str(tmp_path / "h"))
    assert dd["number_multiply"].num_rows == 3
    assert json.loads(dd["number_multiply"][0]["data"])["factors"]
