"""Tokens/s of SFT and DPO steps on guide-shaped data (compact-view conversations and sibling pairs).

    python benchmarks/train_bench.py                      # tiny random Llama (seconds; plumbing figures)
    python benchmarks/train_bench.py --model embedded     # SmolLM2-135M-Instruct (CPU: ~30 s per step)
    python benchmarks/train_bench.py --model /path/to/checkpoint --steps 20 --batch-size 4

On a machine without CUDA everything runs in fp32 on the CPU with one thread per process unless --threads says
otherwise. On a GPU the run uses bf16 and reports peak GPU memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def guide_records(n: int) -> tuple[list[dict], list[dict]]:
    """SFT conversations and DPO pairs shaped like the synthesised ones (real questions, code feedback)."""
    from codesteer import symbench
    from codesteer.steer import choice_message

    insts = []
    for task in ("number_multiply", "game24", "letters", "boxlift"):
        insts += symbench.generate(task, max(1, n // 4 + 1), seed=7)
    sft, dpo = [], []
    for i, inst in enumerate(insts[:n]):
        feedback = (f"The response from TaskLLM is:\nPlan: search.\n```python\nimport itertools\nbest = None\n"
                    f"for p in itertools.permutations(range({3 + i % 4})):\n    best = p\nprint(best)\n```\n\n"
                    f"The result of running its code:\nOutput:\n({i}, 1, 2)\n\n"
                    "Reply with your decision: <<<Return Answer>>>, <<<Terminate>>>, or the next guidance.")
        msgs = [{"role": "user", "content": choice_message(inst.question)},
                {"role": "assistant", "content": "<<<Code>>>"},
                {"role": "user", "content": feedback},
                {"role": "assistant", "content": "<<<Check every constraint in code, then print the answer.>>>"}]
        sft.append({"messages": msgs})
        dpo.append({"prompt": msgs[:3], "chosen": [msgs[3]],
                    "rejected": [{"role": "assistant", "content": "<<<Return Answer>>>"}]})
    return sft, dpo


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="tiny", help="tiny, embedded, or a local checkpoint folder")
    ap.add_argument("--steps", type=int, default=None, help="optimizer steps per stage (default 10 tiny, 2 otherwise)")
    ap.add_argument("--batch-size", type=int, default=2)
    ap.add_argument("--records", type=int, default=16)
    ap.add_argument("--lora", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()

    import torch

    from codesteer.train import (
        TrainOptions,
        build_dpo_trainer,
        build_sft_trainer,
        build_tiny_llama,
        run_trainer,
    )

    torch.set_num_threads(args.threads)
    steps = args.steps or (10 if args.model == "tiny" else 2)
    sft, dpo = guide_records(args.records)
    with tempfile.TemporaryDirectory(prefix="codesteer-train-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        data.mkdir()
        (data / "sft.jsonl").write_text("".join(json.dumps(r) + "\n" for r in sft))
        (data / "dpo.jsonl").write_text("".join(json.dumps(r) + "\n" for r in dpo))
        if args.model == "tiny":
            texts = [m["content"] for r in sft for m in r["messages"]]
            base = build_tiny_llama(root / "base", texts, hidden=128, layers=4, vocab_size=2000)
        elif args.model == "embedded":
            from codesteer.models import embedded_path

            base = embedded_path("default")
        else:
            base = Path(args.model)
        opts = dict(max_steps=steps, batch_size=args.batch_size, logging_steps=1, lora=args.lora, max_length=4096)
        figures = {"model": str(args.model), "device": "cuda" if torch.cuda.is_available() else "cpu",
                   "threads": args.threads, "batch_size": args.batch_size, "steps": steps, "lora": args.lora}
        for stage, build, lr, start in (("sft", build_sft_trainer, 1e-5, base), ("dpo", build_dpo_trainer, 5e-6, None)):
            if torch.cuda.is_available():
                torch.cuda.reset_peak_memory_stats()
            trainer = build(start or root / "sft", data, root / stage, TrainOptions(learning_rate=lr, **opts))
            t0 = time.perf_counter()
            result = run_trainer(trainer)
            figures[stage] = {"tokens_per_s": round(result.tokens_per_s, 1), "s_per_step": round(result.wall_s / max(1, result.steps), 3),
                              "tokens": result.train_tokens, "loss_first": result.losses[0] if result.losses else None,
                              "loss_last": result.losses[-1] if result.losses else None,
                              "total_s": round(time.perf_counter() - t0, 2)}
            if torch.cuda.is_available():
                figures[stage]["peak_gpu_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"model={figures['model']} device={figures['device']} threads={args.threads} batch={args.batch_size} "
          f"steps={steps} lora={args.lora}")
    for stage in ("sft", "dpo"):
        f = figures[stage]
        print(f"  {stage.upper()}: {f['tokens_per_s']:>9.1f} tokens/s  {f['s_per_step']:.3f} s/step  "
              f"loss {f['loss_first']:.4f} -> {f['loss_last']:.4f}"
              + (f"  peak {f['peak_gpu_gib']} GiB" if "peak_gpu_gib" in f else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
