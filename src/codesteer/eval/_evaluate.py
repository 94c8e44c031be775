"""One evaluation end to end, as ``codesteer run`` does it: the run folder's guards, models, sandbox, executor."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from codesteer.errors import ParameterError, did_you_mean
from codesteer.eval._ray import import_ray, run_eval_ray
from codesteer.eval._runner import Progress, RunConfig, build_models, run_eval
from codesteer.models import TRANSPORT_OPTIONS, get_model
from codesteer.runs import RunStore
from codesteer.sandbox import get_sandbox
from codesteer.symbench import Instance

EXECUTORS = ("local", "ray")

# a context around the solving (entered once models are built) that yields the ``on_update`` callback
ProgressDisplay = Callable[[int], AbstractContextManager[Callable[[Progress], None]]]


def transport_settings(model_options: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The transport settings of each role, for the record (no key is ever among them: an api_key is refused)."""
    picked = {role: {k: v for k, v in opts.items() if k in TRANSPORT_OPTIONS} for role, opts in model_options.items()}
    return {role: opts for role, opts in picked.items() if opts}


def check_executor(executor: str, ray_address: str | None = None, ray_workers: int | None = None) -> None:
    """Refuse an unknown executor, Ray settings without Ray, and a missing ``ray`` extra, before any work."""
    if executor not in EXECUTORS:
        raise ParameterError(f"unknown {{executor}} {executor!r}{did_you_mean(executor, EXECUTORS)}; valid: "
                             + ", ".join(EXECUTORS), "executor")
    if executor != "ray" and (ray_address is not None or ray_workers is not None):
        raise ParameterError("{ray_address} and {ray_workers} need {executor} ray", "ray_address", "ray_workers",
                             "executor")
    if executor == "ray":
        import_ray()  # the missing extra is named before any work starts


def evaluate(
    config: RunConfig,
    instances: Sequence[Instance],
    method_names: Sequence[str],
    out: str | Path,
    *,
    executor: str = "local",
    ray_address: str | None = None,
    ray_workers: int | None = None,
    meta: dict[str, Any] | None = None,
    progress: ProgressDisplay | None = None,
) -> Progress:
    """Evaluate ``method_names`` on ``instances`` into the run folder ``out``; returns the final counters.

    The folder's lock and configuration are checked before any model loads (a second process, or another
    configuration, is refused at once). The local executor builds the sandbox (before any model loads torch, so
    its zygote forks clean) and the models here; with ``ray`` each worker builds its own and this process only
    plans and writes the store. ``meta`` is recorded with the configuration (manifest, selection).
    A missing API key raises ``MissingKeyError`` with ``role`` set; Ctrl-C cancels the samples in flight, and
    every finished one stays committed.
    """
    check_executor(executor, ray_address, ray_workers)
    display = progress or (lambda total: contextlib.nullcontext(lambda p: None))
    with RunStore(out) as store:
        store.lock_run()
        store.check_config(config.key_config())
        if executor == "ray":
            _record(store, config, method_names, meta)
            with display(len(instances) * len(method_names)) as update:
                return run_eval_ray(instances, method_names, config, store, on_update=update, address=ray_address,
                                    workers=ray_workers)
        with get_sandbox("local") as sandbox:
            models = build_models(config, get_model)
            _record(store, config, method_names, meta)
            with display(len(instances) * len(method_names)) as update:
                return asyncio.run(run_eval(instances, method_names, config, models, sandbox, store,
                                            on_update=update))


def _record(store: RunStore, config: RunConfig, method_names: Sequence[str], meta: dict[str, Any] | None) -> None:
    connection = transport_settings(config.model_options)
    store.set_meta("config", {**config.describe(), "methods": list(method_names), **(meta or {}),
                              **({"connection": connection} if connection else {})})
