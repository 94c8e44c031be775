"""Run methods × instances × one model configuration, concurrently, into a resumable store."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.errors import ParameterError
from codesteer.methods import get_method
from codesteer.models import (
    TRANSPORT_OPTIONS,
    ChatModel,
    ModelError,
    embedded_caps,
    embedded_engine,
    is_reasoning_model,
)
from codesteer.runs import (
    JobError,
    RunCounters,
    RunStore,
    error_text,
    guide_key,
    result_key,
    run_jobs,
    stops_run,
)
from codesteer.sandbox import Sandbox
from codesteer.steer import Models, SteerOptions, guide_view_for, protocol_for, reference_prompts_for
from codesteer.symbench import Instance, get_task, verify


@dataclass
class RunConfig:
    """What identifies a row besides instance and method: the models and the loop options."""

    task_model: str
    guide_model: str | None = None
    checker_model: str | None = None
    max_rounds: int = 5
    concurrency: int = 4
    task_max_tokens: int | None = None  # None: 2000, or no cap for reasoning models (o1/o3/o4/gpt-5, R1)
    guide_max_tokens: int = 1024
    selfcheck_attempts: int = 2
    guide_view: str = "full"
    task_temperature: float = 0.0
    # role ("task", "guide", "checker") -> options of ``get_model`` (timeouts, retries, request-body fields, ...)
    model_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    guide_protocol: str = "codesteer"
    reference_prompts: str | None = None
    guide_temperature: float | None = None
    guide_top_p: float | None = None
    guide_top_k: int | None = None
    guide_template: str = "auto"

    @classmethod
    def for_models(cls, task_model: str, guide_model: str | None = None, checker_model: str | None = None, *,
                   concurrency: int = 4, max_rounds: int | None = None, task_max_tokens: int | None = None,
                   guide_max_tokens: int | None = None, task_temperature: float = 0.0,
                   model_options: dict[str, dict[str, Any]] | None = None, guide_protocol: str = "codesteer",
                   guide_view: str | None = None, reference_prompts: str | None = None,
                   guide_temperature: float | None = None, guide_top_p: float | None = None,
                   guide_top_k: int | None = None, guide_template: str = "auto") -> RunConfig:
        """Defaults sized for the models: each embedded CPU model's own caps (``embedded_caps``); the compact view
        for a guide trained here (``guide_view`` tells a served checkpoint's view, which no marker file can). The guide protocol is
        checked, and the reference's prompt file read, here, before any work starts."""
        caps = embedded_caps(task_model)
        if guide_view is not None and guide_view not in ("compact", "full"):
            raise ParameterError(f"{{guide_view}} must be compact or full, got {guide_view!r}", "guide_view")
        config = cls(
            task_model=task_model, guide_model=guide_model, checker_model=checker_model, concurrency=concurrency,
            max_rounds=max_rounds if max_rounds is not None else caps.get("max_rounds", 5),
            task_max_tokens=task_max_tokens or caps.get("task_max_tokens"),
            guide_max_tokens=guide_max_tokens or caps.get("guide_max_tokens", 1024),
            selfcheck_attempts=caps.get("selfcheck_attempts", 2),
            guide_view=guide_view or guide_view_for(guide_model) or "full",
            task_temperature=task_temperature,
            model_options=model_options or {},
            guide_protocol=guide_protocol, reference_prompts=reference_prompts_for(guide_protocol, reference_prompts),
            guide_temperature=guide_temperature, guide_top_p=guide_top_p, guide_top_k=guide_top_k,
            guide_template=guide_template,
        )
        protocol_for(config.options())  # validates every option; reads the reference's prompts once
        return config

    def key_config(self) -> dict[str, Any]:
        """What makes a row's result differ. Options added after runs were stored enter only when not at their
        default, so an older run keeps its keys and resumes."""
        task_cap = self.task_max_tokens
        if task_cap is None and not is_reasoning_model(self.task_model):
            task_cap = 2000
        key: dict[str, Any] = {
            "task_model": self.task_model, "guide_model": self.guide_model, "checker_model": self.checker_model,
            "max_rounds": self.max_rounds, "task_max_tokens": task_cap, "guide_max_tokens": self.guide_max_tokens,
            "selfcheck_attempts": self.selfcheck_attempts, "guide_view": self.guide_view}
        key.update(guide_key(self.guide_protocol, self.reference_prompts, self.guide_template,
                             guide_temperature=self.guide_temperature, guide_top_p=self.guide_top_p,
                             guide_top_k=self.guide_top_k))
        if self.task_temperature:
            key["task_temperature"] = self.task_temperature
        model_args = {role: {k: v for k, v in opts.items() if k not in TRANSPORT_OPTIONS}
                      for role, opts in sorted(self.model_options.items())}
        model_args = {role: opts for role, opts in model_args.items() if opts}
        if model_args:
            key["model_args"] = model_args
        # runs made before llama.cpp served embedded/ models ran on transformers: only llama.cpp enters the key
        specs = {"task": self.task_model, "guide": self.guide_model, "checker": self.checker_model}
        engines = {role: "llamacpp" for role, spec in specs.items()
                   if spec and spec.startswith("embedded/")
                   and embedded_engine(self.model_options.get(role, {}).get("engine")) == "llamacpp"}
        if engines:
            key["embedded_engine"] = engines
        return key

    def describe(self) -> dict[str, Any]:
        """The run config as recorded and shown in the report header: the key plus the protocol in use."""
        out = {**self.key_config(), "guide_protocol": self.guide_protocol}
        if self.reference_prompts:
            out["reference_prompts"] = self.reference_prompts
        return out

    def options(self) -> SteerOptions:
        return SteerOptions(max_rounds=self.max_rounds, task_max_tokens=self.task_max_tokens,
                            guide_max_tokens=self.guide_max_tokens, selfcheck_attempts=self.selfcheck_attempts,
                            guide_view=self.guide_view, task_temperature=self.task_temperature,
                            guide_protocol=self.guide_protocol,
                            reference_prompts=self.reference_prompts, guide_temperature=self.guide_temperature,
                            guide_top_p=self.guide_top_p, guide_top_k=self.guide_top_k,
                            guide_template=self.guide_template)


@dataclass
class Progress(RunCounters):
    """Live counters of an evaluation: per method, tokens and cost so far."""

    correct: int = 0
    tokens: int = 0
    cost: float = 0.0
    per_method: dict[str, list[int]] = field(default_factory=dict)  # method -> [done, correct]
    per_task: dict[str, list[int]] = field(default_factory=dict)  # task -> [finished or skipped, total]
    last_task: str | None = None
    method_progress: dict[str, list[int]] = field(default_factory=dict)  # method -> [finished or skipped, total]
    calls_active: int = 0  # model calls started and not yet answered (waiting for a connection included)
    live_tokens: int = 0  # tokens of every answered call so far, samples still in flight included

    @property
    def tasks_complete(self) -> int:
        return sum(1 for finished, total in self.per_task.values() if finished >= total)


def interleave_by_task(instances: Sequence[Instance]) -> list[Instance]:
    """Each task's first instance, then each task's second, and so on (manifest order otherwise kept).

    A long run that is stopped part-way (or is still going) then has every task and every method covered on
    its first instances, so its partial table compares methods on the same questions instead of holding whole
    methods that finished and others that never started.
    """
    rank: dict[str, int] = {}
    keyed = []
    for pos, inst in enumerate(instances):
        r = rank.get(inst.task, 0)
        rank[inst.task] = r + 1
        keyed.append((r, pos, inst))
    return [inst for _, _, inst in sorted(keyed, key=lambda k: (k[0], k[1]))]


@dataclass
class SampleOutcome:
    """One solved (or failed) sample as plain data: what a Ray worker hands back to the driver that owns the store.

    ``exception`` is the live error for the in-process executor (so ``run_eval`` re-raises the original type); it
    is dropped when the outcome is pickled, since arbitrary exceptions need not survive a process boundary.
    """

    verdict: dict[str, Any] | None
    trajectory: dict[str, Any] | None
    tokens: dict[str, Any]
    cost: float
    wall_s: float
    turns: int
    total_tokens: int = 0
    error: str | None = None
    model_error: bool = False  # the model layer failed (counts toward the stop-on-first-errors rule)
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def correct(self) -> bool:
        return bool(self.verdict and self.verdict.get("correct")) and self.error is None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "exception": None}


    @classmethod
    def failed(cls, error: JobError) -> SampleOutcome:
        """The outcome of a sample whose solve raised."""
        return cls(None, None, {}, 0.0, error.wall_s, 0, error=error.message, model_error=error.model_error,
                   exception=error.exception)


async def solve_verified(inst: Instance, method_name: str, models: Models, sandbox: Sandbox,
                         opts: SteerOptions) -> SampleOutcome:
    """Solve and verify one sample; a failing solve raises (the job loop stores it as an error row)."""
    method = get_method(method_name)
    t0 = time.perf_counter()
    traj = await method.solve(inst, models, sandbox, opts)
    verdict = verify(inst, traj.final_answer)
    return SampleOutcome(verdict.to_dict(), traj.model_dump(mode="json"), traj.usage(), traj.cost_usd,
                         time.perf_counter() - t0, len(traj.task_turns), total_tokens=traj.total_tokens)


async def solve_sample(inst: Instance, method_name: str, models: Models, sandbox: Sandbox,
                       opts: SteerOptions) -> SampleOutcome:
    """Solve and verify one sample; every failure becomes an error outcome (plain data a Ray worker hands back)."""
    t0 = time.perf_counter()
    try:
        return await solve_verified(inst, method_name, models, sandbox, opts)
    except Exception as exc:  # a bug in a method must not lose the other samples
        return SampleOutcome.failed(JobError(error_text(exc), exc, time.perf_counter() - t0))


def plan_work(instances: Sequence[Instance], method_names: Sequence[str], config: RunConfig,
              store: RunStore) -> tuple[Progress, list[tuple[str, Instance, str]]]:
    """The (key, instance, method) pairs still to run, in ``interleave_by_task`` order; finished rows are skipped.

    Shared by every executor so resuming a run means the same thing whichever one wrote its rows.
    """
    names = [get_method(m).name for m in method_names]
    for task in sorted({inst.task for inst in instances}):
        get_task(task)  # an unknown task is refused before any call, not stored as a wrong answer
    cfg = config.key_config()
    store.lock_run()
    store.check_config(cfg)
    store.add_instances(instances)
    done = store.done_keys()
    work = [(inst, m) for inst in interleave_by_task(instances) for m in names]
    prog = Progress(total=len(work))
    todo = []
    for inst, m in work:
        key = result_key(inst.id, m, cfg)
        counts = prog.per_task.setdefault(inst.task, [0, 0])
        counts[1] += 1
        per_method = prog.method_progress.setdefault(m, [0, 0])
        per_method[1] += 1
        if key in done:
            prog.skipped += 1
            counts[0] += 1
            per_method[0] += 1
        else:
            todo.append((key, inst, m))
    return prog, todo


def record_outcome(store: RunStore, key: str, inst: Instance, method_name: str, config: RunConfig,
                   outcome: SampleOutcome, prog: Progress) -> None:
    """Commit one outcome (its own transaction, so a kill loses only samples in flight) and count it."""
    _commit(store, key, inst, method_name, config, outcome, prog)
    prog.count(outcome.error)


def _commit(store: RunStore, key: str, inst: Instance, method_name: str, config: RunConfig,
            outcome: SampleOutcome, prog: Progress) -> None:
    """Store one outcome and count what an evaluation counts beyond done/failed."""
    store.put(key, inst, method_name, config.task_model, config.guide_model, config.key_config(),
              verdict=outcome.verdict if outcome.error is None else None,
              trajectory=outcome.trajectory if outcome.error is None else None,
              tokens=outcome.tokens, cost=outcome.cost, wall_s=outcome.wall_s, turns=outcome.turns,
              error=outcome.error)
    prog.per_task.setdefault(inst.task, [0, 0])[0] += 1
    prog.method_progress.setdefault(method_name, [0, 0])[0] += 1
    prog.last_task = inst.task
    if outcome.error is not None:
        return
    prog.correct += outcome.correct
    prog.tokens += outcome.total_tokens
    prog.cost += outcome.cost
    pm = prog.per_method.setdefault(method_name, [0, 0])
    pm[0] += 1
    pm[1] += outcome.correct


def is_fatal(outcome: SampleOutcome, prog: Progress, n_todo: int) -> bool:
    """The job loop's stop rule (:func:`codesteer.runs.stops_run`) for an executor that hands back outcomes."""
    return stops_run(prog, n_todo, model_error=outcome.model_error)


async def run_eval(
    instances: Sequence[Instance],
    method_names: Sequence[str],
    config: RunConfig,
    models: Models,
    sandbox: Sandbox,
    store: RunStore,
    *,
    on_update: Callable[[Progress], None] | None = None,
) -> Progress:
    """Solve and verify every (instance, method) pair not already done; returns the final counters.

    A model error on one sample is stored as an error row (retried on the next run), not a crash; but when the
    very first requests all fail with the same error (an unreachable endpoint, a bad key) the run stops with that
    error instead of filling the store with failures.
    """
    prog, todo = plan_work(instances, method_names, config, store)
    opts = config.options()
    live = Models(task=_LiveModel(models.task, prog), guide=_LiveModel(models.guide, prog) if models.guide else None,
                  checker=_LiveModel(models.checker, prog) if models.checker else None)
    Work = tuple[str, Instance, str]

    async def solve(w: Work) -> SampleOutcome:
        return await solve_verified(w[1], w[2], live, sandbox, opts)

    def record(w: Work, outcome: SampleOutcome) -> None:
        _commit(store, *w, config, outcome, prog)

    def record_error(w: Work, error: JobError) -> None:
        _commit(store, *w, config, SampleOutcome.failed(error), prog)

    return await run_jobs(todo, solve, record, prog, concurrency=config.concurrency, record_error=record_error,
                          on_update=on_update)


class _LiveModel:
    """Counts a run's model calls as they happen, so progress moves while no sample has finished yet."""

    def __init__(self, inner: Any, prog: Progress) -> None:
        self.inner = inner
        self.spec: str = inner.spec
        self._prog = prog

    async def chat(self, messages: Any, **params: Any) -> Any:
        self._prog.calls_active += 1
        try:
            completion = await self.inner.chat(messages, **params)
        finally:
            self._prog.calls_active -= 1
        self._prog.live_tokens += completion.prompt_tokens + completion.completion_tokens
        return completion

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def build_models(config: RunConfig, get_model: Callable[..., ChatModel]) -> Models:
    """The run's models, each with the ``model_options`` of its role."""
    built: dict[str, ChatModel | None] = {}
    for role, spec in (("task", config.task_model), ("guide", config.guide_model), ("checker", config.checker_model)):
        try:
            built[role] = get_model(spec, **config.model_options.get(role, {})) if spec else None
        except ModelError as exc:
            exc.role = role  # type: ignore[attr-defined]  # which of the run's models, for the caller's message
            raise
    assert built["task"] is not None
    return Models(task=built["task"], guide=built["guide"], checker=built["checker"])


def default_run_dir() -> Path:
    return Path("runs") / time.strftime("%Y%m%d-%H%M%S")
