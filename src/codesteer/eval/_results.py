"""``results.json``: the one machine-readable file a paper table is built from (lm-eval's results JSON is the model).

Per method and task: n, correct, success rate with its 95% Wilson interval, mean score; per method: the
normalised and raw averages, per-sample cost; plus the run configuration and the package versions that made it.
"""

from __future__ import annotations

import platform
import time
from importlib import metadata
from typing import Any

from codesteer.eval._scores import Cell, Scores

# the packages whose versions can change a number in the table
_VERSIONED = ("codesteer", "openai", "anthropic", "transformers", "torch", "llama-cpp-python", "vllm", "trl")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that matter for reproducing a run (absent ones left out)."""
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _cell(c: Cell) -> dict[str, Any]:
    lo, hi = c.ci
    return {"n": c.n, "correct": c.correct, "success_rate": round(c.rate, 6), "ci95": [round(lo, 6), round(hi, 6)],
            "mean_score": round(c.score / c.n, 6) if c.n else 0.0}


def results_document(s: Scores, config: dict[str, Any], *, complete_only: bool = False) -> dict[str, Any]:
    """The content of ``results.json``: rates as fractions in [0, 1], averages in percent as the paper gives them."""
    avg = s.averages()
    overall = {}
    for m in s.methods:
        c = s.overall[m]
        n = max(c.n, 1)
        overall[m] = {**_cell(c), "tokens_per_sample": round(c.tokens / n, 3), "cost_usd_per_sample": round(c.cost / n, 8),
                      "wall_s_per_sample": round(c.wall_s / n, 4)}
    return {
        "results": {m: {t: _cell(c) for t, c in sorted(s.by_task[m].items())} for m in s.methods},
        "by_complexity": {m: {t: {str(level): _cell(c) for level, c in sorted(levels.items())}
                              for t, levels in sorted(s.by_complexity[m].items())} for m in s.methods},
        "averages": {m: {k: round(v, 4) for k, v in avg[m].items()} for m in s.methods},
        "overall": overall,
        "tasks": {t: "seen" if s.seen.get(t, True) else "unseen" for t in s.tasks},
        "methods": list(s.methods),
        "config": config,
        "scored": "instances every method finished" if complete_only else "every finished sample",
        "versions": package_versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "notes": {
            "success_rate": "correct / n over finished samples; ci95 is the 95% Wilson score interval",
            "averages": "percent; norm_* divides each task's rate by the best method's rate on it (0 where all are 0),"
                        " then averages over seen, unseen or all tasks; raw_* averages the rates themselves",
        },
    }
