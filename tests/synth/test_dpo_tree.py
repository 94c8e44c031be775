"""Guidance trees with a scripted guide whose sibling samples differ: scores, pairs, storage, budgets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codesteer import symbench
from codesteer.models import ScriptedModel
from codesteer.steer import Models, SteerOptions, prompt, protocol_for, steer, view_over_budget
from codesteer.synth import DpoSynthOptions, build_tree, leaf_score, synthesize_dpo, tree_file, tree_pairs
from tests.steer.test_reference import CHECK_OK, PROMPT_PY, R0
from tests.synth.helpers import branching_guide, checker, task_model

CODE, TEXT, RETURN, RETRY = "<<<Code>>>", "<<<Text>>>", "<<<Return Answer>>>", "<<<Try again and write code this time.>>>"


@pytest.fixture(scope="module")
def inst() -> symbench.Instance:
    return symbench.generate("number_multiply", 1, seed=2000, complexity=2)[0]


def models(insts):
    guide = branching_guide([[CODE, TEXT], [RETURN, RETRY], [RETURN]])
    return Models(task=task_model(insts), guide=guide, checker=checker())


OPTS = DpoSynthOptions(branches=2, depth=2, guide_view="compact", concurrency=1)


def test_leaf_score_scheme() -> None:
    assert leaf_score(True, 2) == 13 and leaf_score(True, 5) == 10
    assert leaf_score(False, 3) == -3 and leaf_score(False, 1) == -1


def test_tree_scores_and_pairs(inst, sandbox) -> None:
    tree = asyncio.run(build_tree(inst, models([inst]), sandbox, OPTS))
    code, text = tree["children"]
    assert (code["guidance"], text["guidance"]) == (CODE, TEXT)
    # code: the answer is right at once; returning scores 15-1, retrying succeeds after 2 answers: 15-2
    c_ret, c_retry = code["children"]
    assert (c_ret["guidance"], c_ret["score"], c_ret["leaf"]["correct"]) == (RETURN, 14, True)
    assert (c_retry["guidance"], c_retry["score"]) == (RETRY, 13)
    assert c_retry["children"][0]["leaf"]["turns"] == 2  # beyond the branching depth: one continuation
    assert code["score"] == 13.5
    # text: the answer is wrong; returning it fails after 1 answer (-1), retrying with code succeeds (13)
    t_ret, t_retry = text["children"]
    assert (t_ret["score"], t_ret["leaf"]["correct"], t_retry["score"]) == (-1, False, 13)
    assert text["score"] == 6.0
    assert tree["score"] == 9.75  # the mean of the children, recursively
    pairs = tree_pairs(tree)
    got = {(p["chosen"][0]["content"], p["rejected"][0]["content"], p["score_chosen"], p["score_rejected"])
           for p in pairs}
    assert got == {(CODE, TEXT, 13.5, 6.0), (RETURN, RETRY, 14, 13), (RETRY, RETURN, 13, -1)}
    root_pair = next(p for p in pairs if p["turn"] == 0)
    assert [m["role"] for m in root_pair["prompt"]] == ["user"]
    assert root_pair["prompt"][0]["content"].startswith(prompt("choice"))
    deep = next(p for p in pairs if p["turn"] == 1 and p["chosen"][0]["content"] == RETRY)
    # the prompt is the compact conversation so far: the choice, the TEXT guidance, the feedback on the reply
    assert [m["role"] for m in deep["prompt"]] == ["user", "assistant", "user"]
    assert deep["prompt"][1]["content"] == TEXT
    assert deep["prompt"][2]["content"].startswith("The response from TaskLLM is:")
    assert len(tree_pairs(tree, "best_worst")) == 3  # two siblings per group: the same pairs


def test_synthesize_stores_trees_exports_and_resumes(inst, sandbox, tmp_path) -> None:
    m = models([inst])
    prog = asyncio.run(synthesize_dpo([inst], m, sandbox, tmp_path, OPTS))
    assert (prog.done, prog.trees, prog.pairs, prog.errors) == (1, 1, 3, 0)
    stored = json.loads(tree_file(tmp_path, inst.id).read_text())
    assert stored["score"] == 9.75 and stored["calls"] > 0 and stored["leaves"] == 4
    recs = [json.loads(x) for x in (tmp_path / "dpo.jsonl").read_text().splitlines()]
    assert len(recs) == 3 and all({"prompt", "chosen", "rejected", "score_chosen", "score_rejected"} <= set(r) for r in recs)
    share = json.loads((tmp_path / "dpo_sharegpt.json").read_text())
    assert share[0]["chosen"]["from"] == "gpt" and share[0]["conversations"][0]["from"] == "human"
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["codesteer_dpo"]["ranking"] is True
    calls = len(m.guide.calls)
    again = asyncio.run(synthesize_dpo([inst], m, sandbox, tmp_path, OPTS))
    assert (again.skipped, again.done, again.pairs) == (1, 0, 3) and len(m.guide.calls) == calls


def test_call_budget_stops_branching(inst, sandbox) -> None:
    opts = DpoSynthOptions(branches=2, depth=3, max_calls=1, guide_view="compact")
    tree = asyncio.run(build_tree(inst, models([inst]), sandbox, opts))
    assert len(tree["children"]) == 2  # the root branched before any call was made
    assert all(len(c["children"]) <= 1 for c in tree["children"])
    assert [p["turn"] for p in tree_pairs(tree)] == [0]


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="temperature"):
        DpoSynthOptions(branches=3, guide_temperature=0.0)
    with pytest.raises(ValueError, match="pairs"):
        DpoSynthOptions(pairs="best")


# --- DPO data is what a trained guide reads at inference ------------------------------------------------------
# Each pair's prompt equals the messages a straight ``steer()`` run sends its guide at that turn after the same
# guide replies: for our protocol in the compact view (what a trained guide reads), and for the reference protocol.

def _groups(children: list[dict[str, Any]], raws: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], list]]:
    """Every sibling group of a tree with the raw guide replies on the path to it."""
    if len(children) >= 2:
        yield raws, children
    for c in children:
        yield from _groups(c["children"], raws + (c["raw"],))


def _assert_pairs_are_inference_prompts(tree: dict[str, Any], opts: DpoSynthOptions, run_straight) -> None:
    """For each group, replay its path in a straight run and take the guide's messages at the group's turn."""
    pairs = tree_pairs(tree)
    assert pairs, "the scripted tree must give pairs"
    protocol = protocol_for(opts.steer_options())
    seen: dict[str, set[str]] = {}
    for raws, children in _groups(tree["children"]):
        script = raws + (children[0]["raw"],)  # the path, then one of the group's replies until the end
        guide = ScriptedModel(fn=lambda m, s=script: s[min(sum(x["role"] == "assistant" for x in m), len(s) - 1)],
                              name="guide")
        traj = asyncio.run(run_straight(guide))
        guide_calls = [c.messages for c in traj.calls if c.role == "guide"]
        assert [g.raw for g in traj.guide_turns[: len(raws)]] == list(raws)
        seen[json.dumps(guide_calls[len(raws)])] = {c["guidance"] for c in children}
    for p in pairs:
        key = json.dumps(p["prompt"])
        assert key in seen, f"a pair's prompt is not what the guide reads at turn {p['turn']}"
        assert {p["chosen"][0]["content"], p["rejected"][0]["content"]} <= seen[key]
    # what a trained guide learns to say means the same move as what the synthesising guide said
    def walk(children: list[dict[str, Any]]) -> None:
        for c in children:
            assert protocol.interpret(c["guidance"], first_turn=c["turn"] == 0)[0] == c["decision"]
            walk(c["children"])
    walk(tree["children"])


def test_our_protocol_pairs_match_the_compact_view(inst, sandbox) -> None:
    # raw replies carry analysis around the decision, so the compact history (decisions only) is really tested
    per_turn = [["Numbers: code. <<<Code>>>", "Easy, reason it out. <<<Text>>>"],
                ["Looks right. <<<Return Answer>>>", "Wrong. <<<Try again and write code this time.>>>"],
                ["<<<Check the product digit by digit.>>>", "<<<Return Answer>>>"], ["<<<Return Answer>>>"]]
    opts = DpoSynthOptions(branches=2, depth=3, guide_view="compact", concurrency=1)
    tree = asyncio.run(build_tree(inst, Models(task=task_model([inst]), guide=branching_guide(per_turn),
                                               checker=checker()), sandbox, opts))

    def straight(guide: ScriptedModel):
        return steer(inst, Models(task=task_model([inst]), guide=guide, checker=checker()), sandbox,
                     opts.steer_options())

    _assert_pairs_are_inference_prompts(tree, opts, straight)
    assert len(tree_pairs(tree)) >= 4 and max(p["turn"] for p in tree_pairs(tree)) == 2


def test_reference_protocol_pairs_match_what_the_released_guide_reads(inst, sandbox, tmp_path: Path) -> None:
    prompts = tmp_path / "prompt.py"
    prompts.write_text(PROMPT_PY, encoding="utf-8")
    per_turn = [["Use code.\n", "Think in text.\n"], ["Fine, Return Answer.", "Check it with code once more."],
                ["<<<Code>>>", "All good, Return Answer."], ["Return Answer"]]

    def task() -> ScriptedModel:
        return ScriptedModel(fn=lambda m: R0 if m[0]["content"].startswith("Use code") else "It is <<<1>>>",
                             name="task")

    def check() -> ScriptedModel:
        return ScriptedModel(default=CHECK_OK, name="checker")

    opts = DpoSynthOptions(branches=2, depth=3, guide_protocol="reference", reference_prompts=str(prompts),
                           guide_temperature=0.95, concurrency=1)
    tree = asyncio.run(build_tree(inst, Models(task=task(), guide=branching_guide(per_turn), checker=check()),
                                  sandbox, opts))

    def straight(guide: ScriptedModel):
        return steer(inst, Models(task=task(), guide=guide, checker=check()), sandbox, opts.steer_options())

    _assert_pairs_are_inference_prompts(tree, opts, straight)
    assert max(p["turn"] for p in tree_pairs(tree)) == 2


def test_pairs_whose_prompt_a_trained_guide_would_see_trimmed_are_left_out(inst, sandbox, tmp_path) -> None:
    """A prompt past the guide's context budget (6,000 tokens by default) is one the trained guide only ever sees
    with old feedback omitted: such pairs are counted, not exported."""
    budget = SteerOptions().guide_budget_tokens
    long = ["<<<" + " ".join([f"Advice {k}: check each sign and multiply exactly with integers."] * 190) + ">>>"
            for k in range(3)]  # ~12k characters each
    per_turn = [[CODE], [long[0]], [long[1], RETURN], [RETURN, long[2]], [RETURN]]
    opts = DpoSynthOptions(branches=2, depth=4, guide_view="compact", concurrency=1)
    m = Models(task=task_model([inst]), guide=branching_guide(per_turn), checker=checker())
    prog = asyncio.run(synthesize_dpo([inst], m, sandbox, tmp_path, opts))
    summary = json.loads((tmp_path / "dpo_summary.json").read_text())
    assert prog.over_budget == summary["over_budget"] >= 1
    recs = [json.loads(x) for x in (tmp_path / "dpo.jsonl").read_text().splitlines()]
    assert recs and {r["turn"] for r in recs} == {2}  # the turn-3 pairs carry two long guidances: left out
    assert not any(view_over_budget(r["prompt"], budget_tokens=budget) for r in recs)
    all_pairs = tree_pairs(json.loads(tree_file(tmp_path, inst.id).read_text()))
    distinct = {json.dumps([p["prompt"], p["chosen"], p["rejected"]]) for p in all_pairs}
    assert len(distinct) == len(recs) + prog.over_budget and any(view_over_budget(p["prompt"], budget_tokens=budget) for p in all_pairs)
