"""What a call costs: the price table and the arithmetic. Tokens and cost per role are totalled in one place,
``Trajectory.usage()`` (steer), from the calls each trajectory records."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from codesteer.models._types import ModelSpecError

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


def price_for(model: str, prices: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    """Exact name, else the longest listed name that prefixes it (dated snapshots share their family's price)."""
    if model in prices:
        return prices[model]
    best = max((name for name in prices if model.startswith(name)), key=len, default=None)
    return prices[best] if best is not None else None


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int, prices: Mapping[str, tuple[float, float]]) -> float:
    price = price_for(model, prices)
    if price is None:
        return 0.0
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
