"""The whole chain on the CPU: scripted synthesis -> SFT (guide-turn loss mask, loss falls) -> DPO (the
chosen-vs-rejected margin rises) -> the checkpoint steers a sample as ``hf/<dir>``."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("CODESTEER_NO_CACHE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from codesteer import symbench  # noqa: E402
from codesteer.models import ScriptedModel, get_model  # noqa: E402
from codesteer.sandbox import get_sandbox  # noqa: E402
from codesteer.steer import Models, SteerOptions, steer  # noqa: E402
from codesteer.synth import DpoSynthOptions, SftSynthOptions, synthesize_dpo, synthesize_sft  # noqa: E402
from codesteer.train import (  # noqa: E402
    GUIDE_MARKER,
    TrainOptions,
    build_dpo_trainer,
    build_sft_trainer,
    build_tiny_llama,
    guide_view_for,
    preference_margin,
    run_trainer,
)
from tests.synth.helpers import branching_guide, checker, code_reply, task_model  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _threads():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Synthesised SFT and DPO data (scripted models, a subprocess sandbox: torch is loaded) and a tiny base."""
    root = tmp_path_factory.mktemp("chain")
    insts = symbench.generate("number_multiply", 3, seed=3000, complexity=2)
    guide_turns = [["<<<Code>>>", "<<<Text>>>"], ["<<<Return Answer>>>", "<<<Try again and write code this time.>>>"],
                   ["<<<Return Answer>>>"]]
    with get_sandbox("subprocess") as sb:
        sft = asyncio.run(synthesize_sft(insts, Models(task=task_model(insts), guide=branching_guide(guide_turns),
                                                       checker=checker()),
                                         sb, root / "data", SftSynthOptions(concurrency=1)))
        dpo = asyncio.run(synthesize_dpo(insts[:1], Models(task=task_model(insts), guide=branching_guide(guide_turns),
                                                           checker=checker()),
                                         sb, root / "data", DpoSynthOptions(branches=2, depth=2, guide_view="compact")))
    assert sft.records == 3 and dpo.pairs == 3
    texts = []
    for name in ("sft.jsonl", "dpo.jsonl"):
        for line in (root / "data" / name).read_text().splitlines():
            rec = json.loads(line)
            for key in ("messages", "prompt", "chosen", "rejected"):
                texts += [m["content"] for m in rec.get(key, [])]
    base = build_tiny_llama(root / "base", texts)
    return {"root": root, "data": root / "data", "base": base, "insts": insts}


def _opts(**kw):
    return TrainOptions(**{"epochs": 20, "batch_size": 3, "logging_steps": 1, "max_length": 2048, **kw})


@pytest.fixture(scope="module")
def sft(chain):
    trainer = build_sft_trainer(chain["base"], chain["data"], chain["root"] / "sft",
                                _opts(learning_rate=3e-3, max_steps=8))
    return trainer, run_trainer(trainer)


def test_sft_loss_mask_covers_guide_turns_only(sft, chain) -> None:
    trainer, _ = sft
    tok = trainer.processing_class
    recs = [json.loads(x) for x in (chain["data"] / "sft.jsonl").read_text().splitlines()]
    assert len(trainer.train_dataset) == len(recs)
    for row, rec in zip(trainer.train_dataset, recs, strict=True):
        ids, labels = row["input_ids"], row["labels"]
        trained = tok.decode([i for i, lab in zip(ids, labels, strict=True) if lab != -100])
        targets = [m["content"] for m in rec["messages"] if m["role"] == "assistant"]
        assert trained == "".join(t + "<|im_end|>" for t in targets)  # each guide turn and its end token
        masked = tok.decode([i for i, lab in zip(ids, labels, strict=True) if lab == -100])
        for m in rec["messages"]:
            if m["role"] == "user":
                assert m["content"][:200] in masked  # the feedback turns carry no loss


def test_sft_loss_falls_and_checkpoint_is_a_guide(sft) -> None:
    _, result = sft
    assert result.steps == 8 and len(result.losses) == 8
    assert result.losses[-1] < 0.9 * result.losses[0]
    assert result.train_tokens > 0
    marker = json.loads((result.out_dir / GUIDE_MARKER).read_text())
    assert marker["view"] == "compact" and marker["stage"] == "sft"
    assert guide_view_for(f"hf/{result.out_dir}") == "compact"
    assert guide_view_for(f"hf/{result.out_dir.parent}") is None and guide_view_for("openai/gpt-4o") is None
    assert "generation" in (result.out_dir / "chat_template.jinja").read_text()


@pytest.fixture(scope="module")
def dpo(sft, chain):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _, sft_result = sft
    pairs = [json.loads(x) for x in (chain["data"] / "dpo.jsonl").read_text().splitlines()]
    tok = AutoTokenizer.from_pretrained(str(sft_result.out_dir))
    before = preference_margin(AutoModelForCausalLM.from_pretrained(str(sft_result.out_dir)), tok, pairs)
    trainer = build_dpo_trainer(sft_result.out_dir, chain["data"], chain["root"] / "dpo",
                                _opts(learning_rate=1e-3, max_steps=6))
    result = run_trainer(trainer)
    after = preference_margin(AutoModelForCausalLM.from_pretrained(str(result.out_dir)), tok, pairs)
    return result, before, after


def test_dpo_raises_the_chosen_margin(dpo) -> None:
    result, before, after = dpo
    assert result.steps == 6
    assert after > before + 0.5, (before, after)
    assert result.metrics[-1]["rewards/margins"] > 0
    assert json.loads((result.out_dir / GUIDE_MARKER).read_text())["stage"] == "dpo"


def test_trained_checkpoint_steers_a_sample(dpo, chain) -> None:
    result, _, _ = dpo
    inst = chain["insts"][0]
    guide = get_model(f"hf/{result.out_dir}", cache=False)
    task = ScriptedModel(default=code_reply(inst), name="task")
    opts = SteerOptions(max_rounds=1, guide_view="compact", guide_max_tokens=16, self_checker=False)
    with get_sandbox("subprocess") as sb:
        traj = asyncio.run(steer(inst, Models(task=task, guide=guide), sb, opts))
    assert len(traj.guide_turns) >= 1 and traj.task_turns
    assert traj.usage()["guide"]["calls"] == len(traj.guide_turns)
    assert symbench.verify(inst, traj.final_answer).correct  # the scripted task model's code is right


def test_lora_sft_saves_a_merged_model(chain, tmp_path) -> None:
    from transformers import AutoModelForCausalLM

    trainer = build_sft_trainer(chain["base"], chain["data"], tmp_path / "lora",
                                _opts(learning_rate=1e-2, max_steps=2, lora=True, lora_r=4, lora_alpha=8))
    result = run_trainer(trainer)
    model = AutoModelForCausalLM.from_pretrained(str(result.out_dir))  # a plain checkpoint, no adapter needed
    assert not any("lora" in n for n, _ in model.named_parameters())
    assert json.loads((result.out_dir / GUIDE_MARKER).read_text())["lora_merged"] is True
