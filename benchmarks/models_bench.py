"""Model-layer figures: client overhead against raw httpx, and what the embedded models do on this machine.

    python benchmarks/models_bench.py                 # both parts
    python benchmarks/models_bench.py --skip-embedded # HTTP part only (seconds)

Part 1 starts ``ModelServer`` around an instant scripted model in a separate process and sends the same
chat request through (a) a raw ``httpx.AsyncClient`` and (b) ``get_model("openai/...@url")`` (openai SDK +
our retry/limit/accounting layer, cache off) at concurrency 1, 8 and 32, reporting requests/s.
Part 2 loads each embedded model (converting its GGUF on first use), times the load and a greedy decode, and
asks a few questions with known answers as a tiny quality probe. Figures, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import time
from pathlib import Path

REQUEST = {
    "model": "bench",
    "messages": [{"role": "user", "content": "ping"}],
    "max_tokens": 8,
    "temperature": 0,
}

PROBE = [
    ("What is 7 + 5? Answer with the number only.", r"\b12\b"),
    ("What is 12 * 13? Answer with the number only.", r"\b156\b"),
    ("What is the capital of France? Answer with one word.", r"\bparis\b"),
    ("Is 17 a prime number? Answer yes or no.", r"\byes\b"),
    ("Which is larger, 9 or 4? Answer with the number only.", r"^\D*9\b"),
    ("Spell the word 'cat' backwards. Answer with the word only.", r"\btac\b"),
]


def _serve(conn) -> None:
    from codesteer.models import ModelServer, ScriptedModel

    server = ModelServer(ScriptedModel(default="pong"), "127.0.0.1", 0).start()
    conn.send(server.url)
    conn.recv()  # block until told to stop
    server.close()


async def _drive(call, concurrency: int, total: int) -> float:
    per_worker = total // concurrency

    async def worker() -> None:
        for _ in range(per_worker):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    return per_worker * concurrency / (time.perf_counter() - start)


async def _http_part(url: str, total: int) -> list[dict]:
    import httpx

    from codesteer.models import get_model

    rows = []
    for concurrency in (1, 8, 32):
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:

            async def raw(http=http) -> None:
                r = await http.post("/chat/completions", json=REQUEST)
                r.raise_for_status()
                r.json()["choices"][0]["message"]["content"]

            await _drive(raw, concurrency, concurrency * 2)  # warm-up: open the connections
            raw_rps = await _drive(raw, concurrency, total)
        model = get_model(f"openai/bench@{url}", cache=False, max_concurrency=concurrency)

        async def ours(model=model) -> None:
            await model.chat(REQUEST["messages"], max_tokens=8)

        await _drive(ours, concurrency, concurrency * 2)
        ours_rps = await _drive(ours, concurrency, total)
        await model.aclose()
        rows.append({"concurrency": concurrency, "raw_httpx_rps": raw_rps, "codesteer_rps": ours_rps})
    return rows


def http_bench(total: int) -> list[dict]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    try:
        url = parent.recv()
        return asyncio.run(_http_part(url, total))
    finally:
        parent.send("stop")
        proc.join(timeout=10)


def embedded_bench(threads: list[int], decode_tokens: int, concurrent: list[int]) -> list[dict]:
    start = time.perf_counter()
    import torch
    import transformers  # noqa: F401 - timed apart from the model load

    import_s = time.perf_counter() - start
    from codesteer.models import EMBEDDED, embedded_path, find_embedded_gguf, get_model

    rows = []
    for name in EMBEDDED:
        torch.set_num_threads(threads[0])
        row: dict = {"model": f"embedded/{name}", "import_torch_s": import_s}
        gguf = find_embedded_gguf(name)
        row["gguf_mib"] = gguf.stat().st_size / 2**20
        start = time.perf_counter()
        folder = embedded_path(name)
        row["convert_s"] = time.perf_counter() - start  # ~0 when the cached copy already exists
        row["safetensors_mib"] = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 2**20
        start = time.perf_counter()
        model = get_model(f"embedded/{name}", cache=False)
        row["load_s"] = time.perf_counter() - start

        async def run(messages, model=model, **params):
            return await model.chat(messages, **params)

        story = [{"role": "user", "content": "Write a long story about a robot who learns to paint."}]
        asyncio.run(run(story, max_tokens=4))  # warm-up
        row["tokens_per_s"] = {}
        for n in threads:
            torch.set_num_threads(n)
            c = asyncio.run(run(story, max_tokens=decode_tokens))
            row["tokens_per_s"][n] = c.completion_tokens / c.latency_s
        row["prompt_tokens"] = c.prompt_tokens
        row["decode_tokens"] = c.completion_tokens
        row["batched_tokens_per_s"] = {}
        for k in concurrent:  # k different requests in flight share decode steps (continuous batching)
            prompts = [[{"role": "user", "content": f"Write a long story about robot number {i}."}] for i in range(k)]

            async def together(prompts=prompts, model=model):
                return await asyncio.gather(*(model.chat(m, max_tokens=decode_tokens) for m in prompts))

            start = time.perf_counter()
            replies = asyncio.run(together())
            row["batched_tokens_per_s"][k] = sum(r.completion_tokens for r in replies) / (time.perf_counter() - start)
        answers = []
        for question, pattern in PROBE:
            reply = asyncio.run(run([{"role": "user", "content": question}], max_tokens=24)).text
            ok = re.search(pattern, reply.strip().lower()) is not None
            answers.append({"question": question, "reply": reply.strip(), "correct": ok})
        row["probe_correct"] = sum(a["correct"] for a in answers)
        row["probe_total"] = len(answers)
        row["probe"] = answers
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=640, help="requests per client per concurrency level")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument(
        "--threads", default="1,2", help="torch thread counts to decode with (comma-separated)"
    )
    parser.add_argument("--decode-tokens", type=int, default=64)
    parser.add_argument("--concurrent", default="1,4,16", help="requests in flight for the batched figures")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results: dict = {"cpu_count": os.cpu_count()}
    if not args.skip_http:
        results["http"] = http_bench(args.requests)
        print(
            f"HTTP client overhead ({args.requests} requests per cell, instant scripted model, server in its own process)"
        )
        print(f"{'concurrency':>11} {'raw httpx req/s':>16} {'codesteer req/s':>16} {'ratio':>6}")
        for r in results["http"]:
            ratio = r["codesteer_rps"] / r["raw_httpx_rps"]
            print(
                f"{r['concurrency']:>11} {r['raw_httpx_rps']:>16.0f} {r['codesteer_rps']:>16.0f} {ratio:>6.2f}"
            )
    if not args.skip_embedded:
        results["embedded"] = embedded_bench(
            [int(t) for t in args.threads.split(",")], args.decode_tokens, [int(k) for k in args.concurrent.split(",")]
        )
        for r in results["embedded"]:
            print(
                f"\n{r['model']}: GGUF {r['gguf_mib']:.0f} MiB -> safetensors {r['safetensors_mib']:.0f} MiB; "
                f"convert {r['convert_s']:.1f} s, load {r['load_s']:.1f} s "
                f"(+{r['import_torch_s']:.1f} s importing torch/transformers); "
                + ", ".join(f"{v:.1f} tokens/s with {k} thread(s)" for k, v in r["tokens_per_s"].items())
                + f" ({r['decode_tokens']} tokens greedy); "
                f"probe {r['probe_correct']}/{r['probe_total']}"
            )
            print(
                "  batched (prompt + decode, all threads): "
                + ", ".join(f"{v:.1f} tokens/s with {k} in flight" for k, v in r["batched_tokens_per_s"].items())
            )
            for a in r["probe"]:
                mark = "ok " if a["correct"] else "BAD"
                print(f"  [{mark}] {a['question']}  ->  {a['reply'][:70]!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
