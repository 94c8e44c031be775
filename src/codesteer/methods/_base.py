"""One interface for CodeSteer and every baseline: ``await method.solve(instance, models, sandbox)``."""

from __future__ import annotations

from typing import ClassVar

from codesteer.errors import did_you_mean
from codesteer.sandbox import Sandbox
from codesteer.steer import Models, SteerOptions, Trajectory
from codesteer.symbench import Instance


class Method:
    """A way of getting an answer from the models. It returns a trajectory and never scores itself."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    uses_guide: ClassVar[bool] = False

    async def solve(
        self, instance: Instance, models: Models, sandbox: Sandbox, options: SteerOptions | None = None
    ) -> Trajectory:
        raise NotImplementedError


_METHODS: dict[str, Method] = {}


def register(cls: type[Method]) -> type[Method]:
    if cls.name in _METHODS:
        raise TypeError(f"method {cls.name!r} registered twice")
    _METHODS[cls.name] = cls()
    return cls


def get_method(name: str) -> Method:
    """The method registered as ``name``; ValueError lists the valid names."""
    try:
        return _METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}{did_you_mean(name, _METHODS)}; valid methods: {', '.join(_METHODS)}") from None


def methods() -> list[Method]:
    return list(_METHODS.values())
