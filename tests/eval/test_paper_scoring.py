"""Paper-conditions scoring beside strict scoring, with a scripted extractor."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest

from codesteer import symbench
from codesteer.eval import RunConfig, RunStore, paper_scores, run_eval, write_report
from codesteer.models import ModelServer, ScriptedModel, get_model
from codesteer.steer import Models
from tests.conftest import cli


def _product(inst: symbench.Instance) -> int:
    return math.prod(inst.data["factors"])


@pytest.fixture()
def run_dir(tmp_path: Path, sandbox) -> tuple[Path, list[symbench.Instance]]:
    """Three samples: a bare right answer in text, code that only assigns ``result`` (the answer block built at run
    time), a wrong answer; none verifies under strict scoring."""
    insts = symbench.generate("number_multiply", 3, seed=11, complexity=1)
    replies = {
        insts[0].question: f"I computed it: the product is {_product(insts[0])}.",
        insts[1].question: f"```python\nresult = '<' * 3 + '{_product(insts[1])}' + '>' * 3\n```",
        insts[2].question: "The product is 7.",
    }
    task = ScriptedModel(fn=lambda msgs: replies[msgs[-1]["content"]], name="task")
    out = tmp_path / "run"
    with RunStore(out) as store:
        asyncio.run(run_eval(insts, ["only_question"], RunConfig(task_model="scripted/task", concurrency=1),
                             Models(task=task), sandbox, store))
    return out, insts


def _extractor(insts: list[symbench.Instance]) -> ScriptedModel:
    """Wraps the number the response states (as GPT-4o did in the reference); never solves the task itself."""
    def fn(msgs: list[dict]) -> str:
        response = msgs[-1]["content"].split("Response:\n", 1)[1]
        for inst in insts:
            if str(_product(inst)) in response:
                return f"<<<{_product(inst)}>>>"
        return "<<<7>>>"
    return ScriptedModel(fn=fn, name="extractor")


def test_paper_scoring_counts_either_candidate(run_dir, sandbox) -> None:
    out, insts = run_dir
    with RunStore(out, create=False) as store:
        assert sum(r.correct for r in store.rows()) == 0  # strict: no reply carries a <<<...>>> answer
    extractor = _extractor(insts)
    summary = asyncio.run(paper_scores(out, extractor, sandbox, concurrency=1))
    rows = {k.split("|")[0]: v for k, v in summary["rows"].items()}
    assert rows[insts[0].id]["correct"] and rows[insts[0].id]["by"] == "reply"
    # the code printed nothing: the re-run with print(result) gives the answer, verified without an extraction call
    assert rows[insts[1].id]["correct"] and rows[insts[1].id]["by"] == "code_output"
    assert rows[insts[1].id]["candidates"][0]["extracted"] is None
    assert not rows[insts[2].id]["correct"]
    assert [c["candidate"] for c in rows[insts[1].id]["candidates"]] == ["code_output"]  # stops at the first
    assert summary["judge"]["calls"] == len(extractor.calls) == 2  # the two text replies
    html, md = write_report(out)
    text = html.read_text()
    assert 'id="paper-table"' in text and "strict scoring" in text and "Paper conditions" in text
    assert "| task | only_question strict | only_question paper |" in md.read_text()
    assert "| number_multiply | 0 | 67 |" in md.read_text()


def test_extraction_calls_are_cached(run_dir, sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CODESTEER_NO_CACHE", raising=False)
    out, insts = run_dir
    served = _extractor(insts)
    with ModelServer(served) as server:
        model = get_model(f"openai/extractor@{server.url}", cache_path=tmp_path / "cache.sqlite")
        first = asyncio.run(paper_scores(out, model, sandbox))
        n = len(served.calls)
        second = asyncio.run(paper_scores(out, model, sandbox))
    assert n == first["judge"]["calls"] > 0 and len(served.calls) == n  # nothing new reached the server
    assert second["judge"]["cached"] == second["judge"]["calls"] == n
    assert first["rows"] == {k: {**v, "judge": first["rows"][k]["judge"]} for k, v in second["rows"].items()}


def test_report_cli_with_paper_scoring(run_dir, tmp_path) -> None:
    out, insts = run_dir
    script = tmp_path / "extractor.json"
    script.write_text(json.dumps({"rules": [[str(_product(insts[0])), f"<<<{_product(insts[0])}>>>"]],
                                  "default": "<<<>>>"}))
    r = cli("report", str(out), "--scoring", "paper", "--extractor-model", f"scripted/{script}")
    assert r.returncode == 0, r.stderr
    assert "paper-conditions scoring: 2/3 samples correct" in r.stdout  # the rerun code output and sample 0
    assert 'id="paper-table"' in (out / "report.html").read_text()
    r = cli("report", str(out), "--scoring", "paper")
    assert r.returncode == 2 and "--extractor-model" in r.stderr and "Traceback" not in r.stderr
