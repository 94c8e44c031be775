"""``--executor ray``: the same (instance, method) work as ``run_eval``, fanned out over a Ray cluster.

The driver (the process that called :func:`run_eval_ray`) owns the run: it plans the work exactly as the local
executor does, submits samples to a pool of Ray actors, and writes each outcome to the one SQLite store as it
arrives. Workers never touch the store; each builds its own models (from the RunConfig's spec strings) and its
own sandbox once, since live models and sandboxes cannot cross a process boundary. A killed driver therefore
loses at most the samples in flight, and a re-run skips every finished row.
"""

from __future__ import annotations

import asyncio
import math
import socket
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from codesteer.errors import CodesteerError, MissingExtraError
from codesteer.eval._runner import (
    Progress,
    RunConfig,
    SampleOutcome,
    build_models,
    is_fatal,
    plan_work,
    record_outcome,
    solve_sample,
)
from codesteer.models import ModelError
from codesteer.runs import RunStore
from codesteer.symbench import Instance

_CLOSE_TIMEOUT_S = 15.0


def import_ray() -> Any:
    """``ray``, or the one-line message that names the extra to install."""
    try:
        import ray
    except ImportError:
        raise MissingExtraError("ray", "--executor ray") from None
    return ray


class _SampleWorker:
    """A Ray actor body: one set of models and one sandbox, many samples solved concurrently on its event loop.

    Construction never raises: a bad spec or a missing model is reported by :meth:`ready`, so the driver can
    show the user's mistake as one line instead of a dead-actor traceback.
    """

    def __init__(self, config_fields: dict[str, Any], sandbox_name: str) -> None:
        self._error: str | None = None
        self._sandbox: Any = None
        self._models: Any = None
        try:
            from codesteer.models import get_model
            from codesteer.sandbox import get_sandbox

            config = RunConfig(**config_fields)
            self._opts = config.options()
            self._sandbox = get_sandbox(sandbox_name)  # before any model loads torch: the zygote forks clean
            self._models = build_models(config, get_model)
        except CodesteerError as exc:
            self._error = str(exc)
        except Exception as exc:  # reported to the driver, which stops the run with it
            self._error = f"{type(exc).__name__}: {exc}"

    def ready(self) -> str | None:
        return self._error

    async def solve(self, inst: Instance, method_name: str) -> SampleOutcome:
        return await solve_sample(inst, method_name, self._models, self._sandbox, self._opts)

    async def close(self) -> None:
        if self._models is not None:
            for m in {id(x): x for x in (self._models.task, self._models.guide, self._models.checker) if x}.values():
                try:
                    await m.aclose()
                except Exception:  # closing is best effort; the process ends next
                    pass
        if self._sandbox is not None:
            await asyncio.to_thread(self._sandbox.close)


def default_workers(config: RunConfig, cluster_cpus: float, n_todo: int) -> int:
    """One actor per CPU of the cluster, never more than samples in flight (``concurrency``) or left to do:
    each actor holds a full set of models, so more actors than the concurrency can use only cost memory."""
    return max(1, min(max(1, config.concurrency), int(cluster_cpus) or 1, n_todo))


def run_eval_ray(
    instances: Sequence[Instance],
    method_names: Sequence[str],
    config: RunConfig,
    store: RunStore,
    *,
    on_update: Callable[[Progress], None] | None = None,
    address: str | None = None,
    workers: int | None = None,
    sandbox: str = "local",
) -> Progress:
    """Run every unfinished (instance, method) pair on Ray actors; same rows, resume and stop rule as ``run_eval``.

    ``address``: None starts a local Ray instance (unless this process already called ``ray.init``, which is then
    reused), ``"auto"`` joins the cluster this machine belongs to, anything else is passed to ``ray.init``.
    ``workers``: actors to start (default :func:`default_workers`); ``config.concurrency`` samples are in flight
    over all of them, spread evenly. Ray is shut down at the end only if this call started it.
    """
    ray = import_ray()
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    prog, todo = plan_work(instances, method_names, config, store)
    if on_update:
        on_update(prog)
    if not todo:
        return prog
    started = False
    if not ray.is_initialized():
        _probe(address)
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = address or "a new local instance"
            raise CodesteerError(f"cannot start or join Ray ({where}): {str(exc).splitlines()[0]}") from None
        started = True
    actors: list[Any] = []
    try:
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        n = workers or default_workers(config, cpus, len(todo))
        cpu_each = max(0.01, math.floor(min(1.0, cpus / n) * 100) / 100)
        remote_cls = ray.remote(_SampleWorker).options(num_cpus=cpu_each, max_concurrency=1000,
                                                        scheduling_strategy="SPREAD")
        fields = asdict(config)
        actors = [remote_cls.remote(fields, sandbox) for _ in range(n)]
        try:
            errors = ray.get([a.ready.remote() for a in actors])
        except ray.exceptions.RayError as exc:
            raise CodesteerError(f"a Ray worker failed to start: {str(exc).splitlines()[0]}") from None
        for err in errors:
            if err is not None:
                raise CodesteerError(f"a Ray worker could not build its models or sandbox: {err}")
        fatal = _drive(ray, actors, todo, config, store, prog, on_update)
    finally:
        _stop(ray, actors)
        if started:
            ray.shutdown()
    if on_update:
        on_update(prog)
    if fatal is not None:
        raise fatal
    return prog


def _probe(address: str | None, timeout_s: float = 5.0) -> None:
    """Fail in seconds on an address nothing listens at: ``ray.init`` itself retries such a one for minutes."""
    if not address or "://" in address.removeprefix("ray://"):
        return
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", "local" and other forms Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise CodesteerError(f"cannot reach a Ray cluster at {address}: {exc.strerror or exc}") from None


def _drive(ray: Any, actors: list[Any], todo: list[tuple[str, Instance, str]], config: RunConfig, store: RunStore,
           prog: Progress, on_update: Callable[[Progress], None] | None) -> BaseException | None:
    """Keep ``concurrency`` samples in flight (spread over the live actors, in plan order) and store each outcome
    the moment it arrives. Bounded submission keeps the plan's order meaningful and a kill's loss small."""
    slots = max(1, math.ceil(max(1, config.concurrency) / len(actors)))
    load = [0] * len(actors)
    alive = [True] * len(actors)
    queue = deque(todo)
    pending: dict[Any, tuple[str, Instance, str, int]] = {}
    fatal: BaseException | None = None
    while queue or pending:
        while queue and fatal is None:
            free = [i for i in range(len(actors)) if alive[i] and load[i] < slots]
            if not free:
                break
            i = min(free, key=lambda j: load[j])
            key, inst, method_name = queue.popleft()
            pending[actors[i].solve.remote(inst, method_name)] = (key, inst, method_name, i)
            load[i] += 1
        prog.in_flight = len(pending)
        if not pending:
            break
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            key, inst, method_name, i = pending.pop(ref)
            load[i] -= 1
            outcome = _fetch(ray, ref)
            if outcome is None:  # the actor process died (OOM, segfault in a native library, node lost)
                alive[i] = False
                outcome = SampleOutcome(None, None, {}, 0.0, 0.0, 0, error="Ray worker died while solving this sample")
            record_outcome(store, key, inst, method_name, config, outcome, prog)
            if fatal is None and is_fatal(outcome, prog, len(todo)):
                fatal = ModelError(outcome.error or "model error")
                queue.clear()
            if on_update:
                on_update(prog)
        if queue and not any(alive):
            fatal = fatal or CodesteerError(f"every Ray worker died; last error: {prog.last_error}")
            queue.clear()
    return fatal


def _fetch(ray: Any, ref: Any) -> SampleOutcome | None:
    """The outcome, an error outcome when the task itself raised, or None when its actor is gone."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayActorError:
        return None
    except ray.exceptions.RayError as exc:
        return SampleOutcome(None, None, {}, 0.0, 0.0, 0, error=f"{type(exc).__name__}: {str(exc).splitlines()[0]}")


def _stop(ray: Any, actors: list[Any]) -> None:
    """Close each actor's sandbox and models (best effort, bounded), then kill it."""
    if not actors:
        return
    refs = []
    for a in actors:
        try:
            refs.append(a.close.remote())
        except Exception:
            pass
    deadline = time.monotonic() + _CLOSE_TIMEOUT_S
    try:
        ray.wait(refs, num_returns=len(refs), timeout=max(0.0, deadline - time.monotonic()))
    except Exception:
        pass
    for a in actors:
        try:
            ray.kill(a)
        except Exception:
            pass
