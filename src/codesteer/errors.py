"""The one exception type a user can cause.

Every layer raises ``CodesteerError`` (or a subclass) for mistakes a user can fix: a bad model spec, an
unreachable endpoint, a missing extra, an unwritable folder. The CLI prints its message on one line and exits
non-zero; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class CodesteerError(Exception):
    """A mistake the user can fix; the message says how."""


class MissingExtraError(CodesteerError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, what: str) -> None:
        super().__init__(f"{what} needs the '{extra}' extra: pip install 'codesteer[{extra}]'")
        self.extra = extra


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a misspelt ``word``, or ``''`` when none is close.

    Every "unknown task / method / option" message ends with it, so a typo costs one glance, not a list scan.
    """
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class ParameterError(CodesteerError, ValueError):
    """A bad argument of a library call, named by its parameter.

    The message writes each parameter in ``params`` as ``{name}``: ``str()`` shows the Python names, and a front
    end shows its own spelling with :meth:`render` (the CLI shows ``--ray-address`` for ``ray_address``).
    """

    def __init__(self, template: str, *params: str) -> None:
        self.template, self.params = template, params
        super().__init__(self.render(lambda name: name))

    def render(self, spell: Callable[[str], str]) -> str:
        out = self.template
        for name in self.params:
            out = out.replace("{" + name + "}", spell(name))
        return out
