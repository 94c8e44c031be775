"""Success rates, the paper's normalised average, Wilson intervals and per-sample costs."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from codesteer.runs import ResultRow
from codesteer.symbench import Verdict

REASON_ORDER = ["ok", "wrong", "violates", "malformed", "no <<<answer>>> found", "error", "other"]


def wilson(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (robust at 0% and 100% and for small n)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def normalised_average(
    table: Mapping[str, Mapping[str, float]], tasks: Sequence[str]
) -> dict[str, float]:
    """The paper's "Ave. Norm.": each task's score divided by the best score any method in ``table`` reaches on
    it (×100), then averaged over ``tasks``. A task where every method scores 0 counts as 0 for all."""
    out: dict[str, float] = {}
    best = {t: max((table[m].get(t, 0.0) for m in table), default=0.0) for t in tasks}
    for m, scores in table.items():
        vals = [100.0 * scores.get(t, 0.0) / best[t] if best[t] > 0 else 0.0 for t in tasks]
        out[m] = sum(vals) / len(vals) if vals else 0.0
    return out


@dataclass
class Cell:
    n: int = 0
    correct: int = 0
    score: float = 0.0
    tokens: int = 0
    cost: float = 0.0
    wall_s: float = 0.0

    def add(self, r: ResultRow) -> None:
        self.n += 1
        self.correct += r.correct
        self.score += r.score
        self.tokens += r.total_tokens()
        self.cost += r.cost
        self.wall_s += r.wall_s

    @property
    def rate(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def ci(self) -> tuple[float, float]:
        return wilson(self.correct, self.n)


@dataclass
class Scores:
    """Everything a report shows, computed once from the rows."""

    methods: list[str]
    tasks: list[str]
    seen: dict[str, bool]
    by_task: dict[str, dict[str, Cell]] = field(default_factory=dict)  # method -> task -> cell
    by_complexity: dict[str, dict[str, dict[int, Cell]]] = field(default_factory=dict)  # method -> task -> level
    overall: dict[str, Cell] = field(default_factory=dict)
    reasons: dict[str, Counter[str]] = field(default_factory=dict)  # method -> verdict kind -> count

    def reason_table(self) -> tuple[list[str], dict[str, dict[str, int]]]:
        """Why samples failed, per method: the verdict kinds present (in a fixed order) and their counts."""
        present = {k for c in self.reasons.values() for k in c}
        kinds = [k for k in REASON_ORDER if k in present] + sorted(present - set(REASON_ORDER))
        return kinds, {m: {k: self.reasons[m].get(k, 0) for k in kinds} for m in self.methods}

    def rate_table(self) -> dict[str, dict[str, float]]:
        return {m: {t: c.rate * 100 for t, c in self.by_task[m].items()} for m in self.methods}

    def averages(self) -> dict[str, dict[str, float]]:
        """Per method: raw and normalised averages over seen, unseen and all tasks present."""
        table = self.rate_table()
        groups = {
            "seen": [t for t in self.tasks if self.seen.get(t, True)],
            "unseen": [t for t in self.tasks if not self.seen.get(t, True)],
            "total": list(self.tasks),
        }
        out: dict[str, dict[str, float]] = {m: {} for m in self.methods}
        for g, ts in groups.items():
            if not ts:
                continue
            norm = normalised_average(table, ts)
            for m in self.methods:
                out[m][f"norm_{g}"] = norm[m]
                out[m][f"raw_{g}"] = sum(table[m].get(t, 0.0) for t in ts) / len(ts)
        return out


def complete_instances(rows: Iterable[ResultRow]) -> list[ResultRow]:
    """The rows of instances that every method present has finished (per model configuration).

    A run that is still going, or was stopped, has some questions answered by only some methods; comparing
    methods on different questions is what the paper's unseeded sampling did wrong, so reports of partial runs
    can keep only the common ones.
    """
    rows = list(rows)
    methods: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    per_instance: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
    for r in rows:
        methods[(r.task_model, r.guide_model)].add(r.method)
        per_instance[(r.task_model, r.guide_model, r.instance_id)].add(r.method)
    return [r for r in rows
            if per_instance[(r.task_model, r.guide_model, r.instance_id)] == methods[(r.task_model, r.guide_model)]]


def shared_samples(rows_a: Iterable[ResultRow], rows_b: Iterable[ResultRow]
                   ) -> tuple[list[ResultRow], list[ResultRow], dict[str, int]]:
    """The rows of the (instance, method) pairs both runs finished, and how much each run covers.

    Two runs compared on different questions would show a difference that is not the methods' or the models';
    comparing only the shared pairs keeps the two-proportion test honest.
    """
    rows_a, rows_b = list(rows_a), list(rows_b)
    keys_a = {(r.instance_id, r.method) for r in rows_a}
    keys_b = {(r.instance_id, r.method) for r in rows_b}
    shared = keys_a & keys_b
    coverage = {"a_instances": len({k[0] for k in keys_a}), "a_samples": len(keys_a),
                "b_instances": len({k[0] for k in keys_b}), "b_samples": len(keys_b),
                "shared_instances": len({k[0] for k in shared}), "shared_samples": len(shared)}
    return ([r for r in rows_a if (r.instance_id, r.method) in shared],
            [r for r in rows_b if (r.instance_id, r.method) in shared], coverage)


def compute_scores(rows: Iterable[ResultRow], seen: Mapping[str, bool]) -> Scores:
    rows = list(rows)
    methods = sorted({r.method for r in rows}, key=_method_order)
    tasks = sorted({r.task for r in rows}, key=lambda t: (not seen.get(t, True), t))
    s = Scores(methods=methods, tasks=tasks, seen=dict(seen))
    for m in methods:
        s.by_task[m] = defaultdict(Cell)
        s.by_complexity[m] = defaultdict(lambda: defaultdict(Cell))
        s.overall[m] = Cell()
        s.reasons[m] = Counter()
    for r in rows:
        s.reasons[r.method][Verdict(r.correct, r.score, r.reason or "").kind] += 1
        s.by_task[r.method][r.task].add(r)
        s.by_complexity[r.method][r.task][r.complexity or 0].add(r)
        s.overall[r.method].add(r)
    return s


_ORDER = ["only_question", "all_text_cot", "all_code_cot", "autogen_concat", "code_text_sum", "code_text_choice",
          "self_estimate", "code_interpreter", "codesteer_no_symbolic", "codesteer_no_selfcheck", "codesteer"]


def _method_order(m: str) -> tuple[int, str]:
    return (_ORDER.index(m) if m in _ORDER else len(_ORDER), m)


def two_proportion_p(c1: int, n1: int, c2: int, n2: int) -> float:
    """Two-sided p-value of a two-proportion z-test (pooled); 1.0 when undefined."""
    if n1 == 0 or n2 == 0:
        return 1.0
    p = (c1 + c2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (c1 / n1 - c2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))
