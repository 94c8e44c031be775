"""SFT synthesis with scripted models and the real sandbox: kept trajectories, formats, resume, disjointness."""

from __future__ import annotations

import asyncio
import json

import pytest

from codesteer import symbench
from codesteer.errors import CodesteerError
from codesteer.models import ScriptedModel
from codesteer.steer import Models, prompt
from codesteer.synth import SftSynthOptions, check_disjoint, synthesize_sft
from tests.synth.helpers import branching_guide, checker, task_model


@pytest.fixture(scope="module")
def insts() -> list[symbench.Instance]:
    return symbench.generate("number_multiply", 3, seed=1000, complexity=2)


def run(insts, out, sandbox, *, guide=None, wrong=(), opts=None, paraphraser=None):
    guide = guide or branching_guide([["<<<Code>>>"], ["<<<Return Answer>>>"]])
    models = Models(task=task_model(insts, wrong_ids=frozenset(wrong)), guide=guide, checker=checker())
    return asyncio.run(synthesize_sft(insts, models, sandbox, out, opts or SftSynthOptions(concurrency=2),
                                      paraphraser=paraphraser))


def read_jsonl(path):
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_keeps_successes_in_all_formats_and_resumes(insts, sandbox, tmp_path) -> None:
    guide = branching_guide([["<<<Code>>>"], ["<<<Return Answer>>>"]])
    prog = run(insts, tmp_path, sandbox, guide=guide, wrong=[insts[2].id])
    assert (prog.done, prog.correct, prog.errors) == (3, 2, 0)
    recs = read_jsonl(tmp_path / "sft.jsonl")
    assert sorted(r["instance_id"] for r in recs) == sorted(i.id for i in insts[:2])  # the failed solve is left out
    for r in recs:
        msgs = r["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
        assert [m["content"] for m in msgs[1::2]] == ["<<<Code>>>", "<<<Return Answer>>>"]  # GuideTurn.target
        assert msgs[0]["content"].startswith(prompt("choice"))
        assert msgs[2]["content"].startswith("The response from TaskLLM is:")  # compact view: no decision prompt
        assert prompt("decision")[:40] not in msgs[2]["content"]
    alpaca = json.loads((tmp_path / "sft_alpaca.json").read_text())
    assert alpaca[0]["output"] == "<<<Return Answer>>>" and alpaca[0]["history"][0][1] == "<<<Code>>>"
    assert alpaca[0]["instruction"] == recs[0]["messages"][2]["content"]
    share = json.loads((tmp_path / "sft_sharegpt.json").read_text())
    assert [t["from"] for t in share[0]["conversations"]] == ["human", "gpt", "human", "gpt"]
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["codesteer_sft_sharegpt"]["formatting"] == "sharegpt"
    # resume: nothing is solved again, the export is the same
    calls_before = len(guide.calls)
    again = run(insts, tmp_path, sandbox, guide=guide, wrong=[insts[2].id])
    assert (again.skipped, again.done) == (3, 0)
    assert len(guide.calls) == calls_before
    assert read_jsonl(tmp_path / "sft.jsonl") == recs


def test_dedup_max_turns_and_paraphrase(insts, sandbox, tmp_path) -> None:
    # text first (wrong), then code, then return: succeeds after 2 answers
    guide = branching_guide([["<<<Text>>>"], ["<<<Write code that multiplies exactly.>>>"], ["<<<Return Answer>>>"]])
    para = ScriptedModel(default="Reason it through in words, step by step, with no code; end with the answer.",
                         name="para")
    prog = run(insts[:2], tmp_path / "a", sandbox, guide=guide, paraphraser=para,
               opts=SftSynthOptions(attempts=2, concurrency=1))
    assert (prog.done, prog.correct) == (4, 4)
    assert prog.records == 2 and prog.duplicates == 2  # the deterministic second attempts are duplicates
    recs = read_jsonl(tmp_path / "a" / "sft.jsonl")
    assert all(len(r["messages"]) == 6 and r["turns"] == 2 for r in recs)
    assert recs[0]["messages"][1]["content"] == f"<<<{para._default}>>>"  # the paraphrased turn-0 instruction
    assert "paraphrase" in para.calls[0][0]["content"].lower()
    short = run(insts[:2], tmp_path / "b", sandbox, guide=guide, opts=SftSynthOptions(max_turns=1, concurrency=1))
    assert short.correct == 2 and short.records == 0  # successes after 2 answers are not kept with --max-turns 1


def test_disjointness_by_id_and_question(insts, tmp_path) -> None:
    evalf = tmp_path / "eval.jsonl"
    symbench.write_jsonl([insts[0]], evalf)
    with pytest.raises(CodesteerError, match="by instance id"):
        check_disjoint(insts, evalf)
    renamed = symbench.Instance(**{**insts[1].to_dict(), "id": "other-id",
                                   "question": "  " + insts[1].question.upper().replace(" ", "   ")})
    symbench.write_jsonl([renamed], evalf)
    with pytest.raises(CodesteerError, match="by question text") as err:
        check_disjoint(insts, evalf)
    assert insts[1].id in str(err.value) and "--drop-overlap" in str(err.value)
    kept, report = check_disjoint(insts, evalf, drop=True)
    assert [i.id for i in kept] == [insts[0].id, insts[2].id] and report["dropped"] == 1
    kept, report = check_disjoint(insts, None)
    assert len(kept) == 3 and not report["checked"]
    with pytest.raises(CodesteerError, match="no such file"):
        check_disjoint(insts, tmp_path / "missing.jsonl")


def test_conversations_a_trained_guide_would_see_trimmed_are_left_out(insts, sandbox, tmp_path) -> None:
    """At inference the compact view drops old feedback past the context budget (6,000 tokens by default); a
    one-sequence training conversation would teach later turns from feedback the guide never sees then."""
    long_advice = "<<<" + " ".join(["Check each factor's sign and multiply exactly with integers."] * 160) + ">>>"
    long_guide = branching_guide([["<<<Code>>>"], [long_advice], [long_advice], [long_advice], ["<<<Return Answer>>>"]])
    prog = run(insts[:1], tmp_path / "long", sandbox, guide=long_guide)
    assert prog.correct == 1 and prog.records == 0 and prog.over_budget == 1
    summary = json.loads((tmp_path / "long" / "sft_summary.json").read_text())
    assert summary["over_budget"] == 1 and read_jsonl(tmp_path / "long" / "sft.jsonl") == []
    # one long turn stays within the budget: kept, word for word
    kept = run(insts[:1], tmp_path / "one", sandbox,
               guide=branching_guide([["<<<Code>>>"], [long_advice], ["<<<Return Answer>>>"]]))
    assert (kept.records, kept.over_budget) == (1, 0)
    assert read_jsonl(tmp_path / "one" / "sft.jsonl")[0]["messages"][3]["content"] == long_advice
