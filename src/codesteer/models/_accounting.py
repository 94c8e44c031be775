"""Tokens, latency and money per role, per sample and per run, recorded where the calls happen."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from codesteer.models._types import Completion, Message, ModelSpecError

Prices = dict[str, tuple[float, float]]  # model name -> USD per 1M (input, output) tokens


def _flatten(data: Any, origin: str) -> Prices:
    """Accept ``{model: {input, output}}`` or the shipped ``{provider: {model: {input, output}}}``."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ModelSpecError(f"price table {origin} must be a mapping of model -> {{input, output}}")
    out: Prices = {}
    for name, value in data.items():
        if isinstance(value, Mapping) and ("input" in value or "output" in value):
            try:
                out[str(name)] = (float(value.get("input", 0.0)), float(value.get("output", 0.0)))
            except (TypeError, ValueError) as exc:
                raise ModelSpecError(f"price table {origin}: bad price for {name!r}: {value!r}") from exc
        elif isinstance(value, Mapping):
            out.update(_flatten(value, origin))
        else:
            raise ModelSpecError(f"price table {origin}: bad entry {name!r}: {value!r}")
    return out


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelSpecError(f"cannot read price table {path}: {exc}".splitlines()[0]) from exc


_DEFAULT: Prices | None = None


def load_prices(override: Mapping[str, Any] | str | Path | None = None) -> Prices:
    """Shipped table, then ``$CODESTEER_PRICES`` (a YAML file), then ``override`` (mapping or YAML path)."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("codesteer.models").joinpath("prices.yaml").read_text(encoding="utf-8")
        import yaml

        _DEFAULT = _flatten(yaml.safe_load(text), "prices.yaml")
    prices = dict(_DEFAULT)
    env = os.environ.get("CODESTEER_PRICES")
    if env:
        prices.update(_flatten(_read_yaml(Path(env).expanduser()), env))
    if isinstance(override, str | Path):
        prices.update(_flatten(_read_yaml(Path(override).expanduser()), str(override)))
    elif override is not None:
        prices.update(_flatten(override, "option 'prices'"))
    return prices


def price_for(model: str, prices: Prices) -> tuple[float, float] | None:
    """Exact name, else the longest listed name that prefixes it (dated snapshots share their family's price)."""
    if model in prices:
        return prices[model]
    best = max((name for name in prices if model.startswith(name)), key=len, default=None)
    return prices[best] if best is not None else None


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int, prices: Prices) -> float:
    price = price_for(model, prices)
    if price is None:
        return 0.0
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


@dataclass(frozen=True)
class UsageRecord:
    role: str
    sample_id: str | None
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cost_usd: float
    cached: bool


@dataclass
class RoleTotals:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    cached_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, rec: UsageRecord) -> None:
        self.calls += 1
        self.prompt_tokens += rec.prompt_tokens
        self.completion_tokens += rec.completion_tokens
        self.latency_s += rec.latency_s
        self.cost_usd += rec.cost_usd
        self.cached_calls += int(rec.cached)


class UsageLedger:
    """Every completion of a run with its role; a plain lock makes it safe from threads and tasks alike
    (recording never awaits, so it cannot interleave inside one event loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[UsageRecord] = []

    def record(self, role: str, completion: Completion, *, sample_id: str | None = None) -> UsageRecord:
        rec = UsageRecord(
            role=role,
            sample_id=sample_id,
            model=completion.model,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            latency_s=completion.latency_s,
            cost_usd=completion.cost_usd,
            cached=completion.cached,
        )
        with self._lock:
            self._entries.append(rec)
        return rec

    @property
    def entries(self) -> list[UsageRecord]:
        with self._lock:
            return list(self._entries)

    def totals(self, sample_id: str | None = None) -> dict[str, RoleTotals]:
        """Per role, for one sample or (``None``) the whole run."""
        out: dict[str, RoleTotals] = {}
        for rec in self.entries:
            if sample_id is None or rec.sample_id == sample_id:
                out.setdefault(rec.role, RoleTotals()).add(rec)
        return out

    def total(self, sample_id: str | None = None) -> RoleTotals:
        """All roles together."""
        out = RoleTotals()
        for rec in self.entries:
            if sample_id is None or rec.sample_id == sample_id:
                out.add(rec)
        return out


class TrackedModel:
    """A model that records each completion in a ledger under a fixed role (and sample)."""

    def __init__(self, inner, role: str, ledger: UsageLedger, sample_id: str | None = None) -> None:
        self.inner = inner
        self.spec: str = inner.spec
        self.role = role
        self.ledger = ledger
        self.sample_id = sample_id

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = 1024,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        **sampling: Any,
    ) -> Completion:
        completion = await self.inner.chat(
            messages, temperature=temperature, max_tokens=max_tokens, stop=stop, seed=seed, **sampling
        )
        self.ledger.record(self.role, completion, sample_id=self.sample_id)
        return completion

    async def complete(self, prompt: str, **params: Any) -> Completion:
        completion = await self.inner.complete(prompt, **params)
        self.ledger.record(self.role, completion, sample_id=self.sample_id)
        return completion

    async def aclose(self) -> None:
        """Does not close the wrapped model: trackers are made per sample, the model lives for the run."""
        return None


def tracked(model, role: str, ledger: UsageLedger, sample_id: str | None = None) -> TrackedModel:
    """Wrap ``model`` so every completion lands in ``ledger`` as ``role`` (guide/task/checker/judge)."""
    return TrackedModel(model, role, ledger, sample_id)
