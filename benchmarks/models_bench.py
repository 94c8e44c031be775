"""Model-layer figures: client overhead against raw httpx, and the packaged models on llama.cpp vs transformers.

    python benchmarks/models_bench.py                                   # both parts, every installed model
    python benchmarks/models_bench.py --skip-http --models smollm2-135m  # SmolLM2 alone (a few minutes)
    python benchmarks/models_bench.py --skip-embedded                   # HTTP part only (seconds)

Part 1 starts ``ModelServer`` around an instant scripted model in a separate process and sends the same
chat request through (a) a raw ``httpx.AsyncClient`` and (b) ``get_model("openai/...@url")`` (openai SDK +
our retry/limit/accounting layer, cache off) at concurrency 1, 8 and 32, reporting requests/s.
Part 2 loads each installed packaged model on llama.cpp and on the transformers batcher (converting its GGUF on
first use) and, at 1 / 4 / 16 requests in flight, measures prefill tokens/s (distinct ~100-word prompts, 1-token
replies) and decode tokens/s (short prompts: extra tokens / extra time of 64-token over 1-token greedy replies,
to a request each engine answers at full length; a wave whose replies end early gives no figure),
each engine in a process of its own; then asks a few questions with known answers as a tiny quality probe.
Part 2 also measures the memory ceiling of decoding: this machine's read bandwidth with the engines' thread count,
and the weight bytes each engine must read per decoded token (the 4-bit GGUF tensors for llama.cpp, fp32 for
transformers; the input embedding table only by its one row), so a single request can decode at most bandwidth /
bytes tokens/s. Figures, not a test.
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


# Requests for the decode waves, tried in order per model: the first whose reply runs to the cap is used. A reply
# that ends early measures the fixed cost of a call, not decoding (the 1.5B answered the story request in 13-14
# tokens; SmolLM2 stops counting after a dozen).
LONG_REPLY = (
    "Request {i}. Write a long story about robot number {i}.",
    "Request {i}. Count upwards from {i} in English words, separated by commas, and do not stop.",
    "Request {i}. Write a Python module with ten functions about geometry, each with a docstring.",
)


def _prompt(i: int, words: int, template: str = LONG_REPLY[0]) -> list[dict]:
    """A distinct request per index, so no engine can answer one from another's cached prefix."""
    if words:
        text = f"Request {i}. Summarise this text in one line: " + " ".join(f"w{(i * 7919 + j) % 997}" for j in range(words))
    else:
        text = template.format(i=i)
    return [{"role": "user", "content": text}]


def _long_reply_template(models: dict, decode_tokens: int) -> str:
    """The first decode request that every engine answers at full length (the last one if none does)."""
    for template in LONG_REPLY:
        replies = [asyncio.run(m.chat(_prompt(7, 0, template), max_tokens=decode_tokens)) for m in models.values()]
        if all(r.completion_tokens >= decode_tokens for r in replies):
            return template
    return LONG_REPLY[-1]


async def _wave(model, k: int, words: int, max_tokens: int, base: int, template: str = LONG_REPLY[0]) -> dict:
    """k different requests at once; tokens over the wall time of the whole wave."""
    start = time.perf_counter()
    replies = await asyncio.gather(*(model.chat(_prompt(base + i, words, template), max_tokens=max_tokens)
                                     for i in range(k)))
    wall = time.perf_counter() - start
    return {"prompt_tokens": sum(r.prompt_tokens for r in replies),
            "completion_tokens": sum(r.completion_tokens for r in replies), "wall_s": wall}


def read_bandwidth(threads: int, gib: float = 1.0) -> float:
    """Bytes/s that ``threads`` threads read from memory (best of three passes over an array too big for a cache).

    The pass takes a maximum: it vectorises without a chain of dependent adds, so memory, not arithmetic, limits it.
    """
    import concurrent.futures

    import numpy as np

    data = np.ones(int(gib * 2**30) // 4, dtype=np.float32)
    parts = np.array_split(data, threads)
    best = 0.0
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:  # numpy drops the GIL inside a reduction
        for _ in range(3):
            start = time.perf_counter()
            list(pool.map(np.max, parts))
            best = max(best, data.nbytes / (time.perf_counter() - start))
    return best


def weight_bytes(path: Path) -> dict[str, int]:
    """Bytes of weights read per decoded token: as stored in the GGUF (llama.cpp), and at fp32 (transformers).

    Every matrix is read in full once per step; the input embedding table is read by one row only, unless the
    model has no separate output matrix and reuses it as one (then it is read in full).
    """
    import gguf

    tensors = {t.name: t for t in gguf.GGUFReader(path).tensors}
    skip = {"token_embd.weight"} if "output.weight" in tensors else set()
    kept = [t for name, t in tensors.items() if name not in skip]
    return {"llamacpp": sum(int(t.n_bytes) for t in kept), "transformers": 4 * sum(int(t.n_elements) for t in kept)}


def _engine_model(name: str, engine: str, threads: int, max_batch: int):
    from codesteer.models import get_model

    if engine == "transformers":
        import torch

        torch.set_num_threads(threads)
        return get_model(f"embedded/{name}", cache=False, engine="transformers", max_batch=max_batch)
    return get_model(f"embedded/{name}", cache=False, engine="llamacpp", threads=threads, max_batch=max_batch)


def engines_bench(names: list[str], engines: list[str], threads: int, concurrent: list[int], decode_tokens: int,
                  prefill_words: int, templates: dict[str, str] | None = None) -> list[dict]:
    """Prefill and decode tokens/s at each number of requests in flight for the given engines, loaded together in
    this process (``isolated_engines_bench`` gives each its own)."""
    rows = []
    for name in names:
        models, row = {}, {"model": f"embedded/{name}", "threads": threads, "load_s": {}, "levels": {}}
        for engine in engines:
            start = time.perf_counter()
            models[engine] = _engine_model(name, engine, threads, max(concurrent))
            row["load_s"][engine] = time.perf_counter() - start  # includes a one-time GGUF conversion for transformers
            asyncio.run(models[engine].chat(_prompt(0, 0), max_tokens=4))  # warm-up
        template = row["decode_request"] = (templates or {}).get(name) or _long_reply_template(models, decode_tokens)
        print(f"  {name}: decode waves ask {template!r}", flush=True)
        base = 1000
        for k in concurrent:
            level = row["levels"][k] = {}
            for engine in engines:
                base += 100
                pre = asyncio.run(_wave(models[engine], k, prefill_words, 1, base))
                # decode: the same short prompts with 1-token and long replies; the difference is pure decoding
                one = asyncio.run(_wave(models[engine], k, 0, 1, base + 30, template))
                dec = asyncio.run(_wave(models[engine], k, 0, decode_tokens, base + 60, template))
                extra_s = dec["wall_s"] - one["wall_s"]
                full = dec["completion_tokens"] >= 0.9 * k * decode_tokens
                # replies that stopped early, or a long wave faster than the short one, measure noise, not decoding
                tps = ((dec["completion_tokens"] - one["completion_tokens"]) / extra_s if full and extra_s > 0
                       else float("nan"))
                level[engine] = {"prefill_tps": pre["prompt_tokens"] / pre["wall_s"], "decode_tps": tps,
                                 "prefill": pre, "decode_1": one, "decode": dec}
                if not full:
                    print(f"  ({engine}: the replies stopped early, {dec['completion_tokens']} of "
                          f"{k * decode_tokens} tokens: no decode figure)", flush=True)
                print(f"  {name} {engine:>12} {k:>2} in flight: prefill {level[engine]['prefill_tps']:7.1f} tok/s, "
                      f"decode {level[engine]['decode_tps']:6.1f} tok/s", flush=True)
        answers = []
        probe_model = models[engines[0]]
        for question, pattern in PROBE:
            reply = asyncio.run(probe_model.chat([{"role": "user", "content": question}], max_tokens=24)).text
            answers.append({"question": question, "reply": reply.strip(),
                            "correct": re.search(pattern, reply.strip().lower()) is not None})
        row["probe_engine"], row["probe"] = engines[0], answers
        for model in models.values():
            asyncio.run(model.aclose())
        rows.append(row)
    return rows


def _child(conn, args: tuple) -> None:
    conn.send(engines_bench(*args))


def isolated_engines_bench(names: list[str], engines: list[str], threads: int, concurrent: list[int],
                           decode_tokens: int, prefill_words: int) -> list[dict]:
    """``engines_bench`` with each engine in a process of its own, merged into one row per model.

    In one process PyTorch's idle worker threads took CPU from llama.cpp's: one request of the 1.5B decoded at
    8.6 tokens/s beside a loaded transformers model and 12.3 alone. The first engine picks each model's decode
    request; the others are asked the same.
    """
    from codesteer.models._packaged import packaged_models

    bandwidth = read_bandwidth(threads)  # here, while no engine runs
    print(f"  memory read bandwidth with {threads} thread(s): {bandwidth / 1e9:.1f} GB/s", flush=True)
    ctx = mp.get_context("spawn")
    merged: list[dict] = []
    for engine in engines:
        templates = {r["model"].removeprefix("embedded/"): r["decode_request"] for r in merged}
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(child, (names, [engine], threads, concurrent, decode_tokens,
                                                          prefill_words, templates)))
        proc.start()
        rows = parent.recv()
        proc.join()
        if not merged:
            merged = rows
            continue
        for into, row in zip(merged, rows, strict=True):
            into["load_s"].update(row["load_s"])
            for k, level in row["levels"].items():
                into["levels"][k].update(level)
    paths = {r.name: r.path for r in packaged_models()}
    for row in merged:
        row["read_bandwidth"] = bandwidth
        path = paths.get(row["model"].removeprefix("embedded/"))
        if path is not None:
            row["weight_bytes"] = weight_bytes(path)
    return merged


def _print_ceiling(row: dict, engines: list[str]) -> None:
    """One request's decode against the memory ceiling: how close each engine gets, and the ratio it allows."""
    weights, bandwidth, one = row.get("weight_bytes"), row["read_bandwidth"], row["levels"].get(1)
    if not weights or one is None:
        return
    cells = []
    for e in engines:
        ceiling = bandwidth / weights[e]
        cells.append(f"{e} {weights[e] / 1e9:.2f} GB/token, ceiling {ceiling:.1f} tok/s, measured "
                     f"{one[e]['decode_tps']:.1f} ({one[e]['decode_tps'] / ceiling:.0%})")
    print(f"  decode ceiling at 1 in flight ({bandwidth / 1e9:.1f} GB/s): " + "; ".join(cells))
    if len(engines) == 2:
        print(f"  weight bytes {engines[1]}/{engines[0]}: {weights[engines[1]] / weights[engines[0]]:.1f}x "
              "(the decode ratio if both engines read at the same rate)")


def _installed(names: str | None) -> list[str]:
    from codesteer.models._packaged import packaged_models

    rows = packaged_models()
    if names:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        known = {r.name for r in rows}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SystemExit(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return wanted
    return [r.name for r in rows if r.state != "not installed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=640, help="requests per client per concurrency level")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--models", help="packaged models, comma-separated (default: every installed one)")
    parser.add_argument("--engines", default="llamacpp,transformers", help="engines to compare (comma-separated)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of each engine")
    parser.add_argument("--decode-tokens", type=int, default=64, help="reply cap of the decode waves")
    parser.add_argument("--prefill-words", type=int, default=100, help="words of each prefill prompt")
    parser.add_argument("--concurrent", default="1,4,16", help="requests in flight")
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
        names = _installed(args.models)
        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        concurrent = [int(k) for k in args.concurrent.split(",")]
        load = os.getloadavg()
        results["loadavg_before"] = load
        print(f"\nengines on {os.cpu_count()} CPUs, {args.threads} threads each; load average {load[0]:.1f} "
              f"{load[1]:.1f} {load[2]:.1f} before the run", flush=True)
        results["engines"] = isolated_engines_bench(names, engines, args.threads, concurrent, args.decode_tokens,
                                                    args.prefill_words)
        results["loadavg_after"] = os.getloadavg()
        print(f"load average after: {results['loadavg_after'][0]:.1f}\n")
        head = "| model | in flight | " + " | ".join(
            f"{e} prefill tok/s | {e} decode tok/s" for e in engines)
        if len(engines) == 2:
            head += f" | decode {engines[0]}/{engines[1]} |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for r in results["engines"]:
            for k, level in r["levels"].items():
                cells = [f"{level[e]['prefill_tps']:.0f} | {level[e]['decode_tps']:.1f}" for e in engines]
                ratio = (f" | {level[engines[0]]['decode_tps'] / level[engines[1]]['decode_tps']:.1f}x"
                         if len(engines) == 2 else "")
                print(f"| {r['model']} | {k} | " + " | ".join(cells) + ratio + " |")
        for r in results["engines"]:
            ok = sum(a["correct"] for a in r["probe"])
            print(f"\n{r['model']}: load " + ", ".join(f"{e} {s:.1f} s" for e, s in r["load_s"].items())
                  + f"; probe on {r['probe_engine']}: {ok}/{len(r['probe'])}")
            for a in r["probe"]:
                mark = "ok " if a["correct"] else "BAD"
                print(f"  [{mark}] {a['question']}  ->  {a['reply'][:70]!r}")
            _print_ceiling(r, engines)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
