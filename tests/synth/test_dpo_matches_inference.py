"""DPO data is what a trained guide reads at inference: each pair's prompt equals the messages a straight
``steer()`` run sends its guide at that turn, after the same guide replies — for our protocol (in the compact view
a trained guide reads) and the reference protocol."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codesteer import symbench
from codesteer.models import ScriptedModel
from codesteer.sandbox import get_sandbox
from codesteer.steer import Models, protocol_for, steer
from codesteer.synth import DpoSynthOptions, build_tree, tree_pairs
from tests.steer.test_reference import CHECK_OK, PROMPT_PY, R0
from tests.synth.helpers import branching_guide, checker, task_model


@pytest.fixture(scope="module")
def sandbox():
    sb = get_sandbox("local")
    yield sb
    sb.close()


@pytest.fixture(scope="module")
def inst() -> symbench.Instance:
    return symbench.generate("number_multiply", 1, seed=2000, complexity=2)[0]


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
