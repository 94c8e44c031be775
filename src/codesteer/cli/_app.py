"""Root Typer app; command groups register themselves from their own modules."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.control import Control
from rich.segment import ControlType

from codesteer._terminal import visible
from codesteer.errors import CodesteerError, ParameterError

app = typer.Typer(
    name="codesteer",
    help="Steer LLMs between code and text; benchmark them on SymBench; train your own guide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, soft_wrap=True, emoji=False)  # foreign text goes through visible()
console = Console(soft_wrap=True, emoji=False)

# Each module adds its commands or sub-apps to ``app`` when imported; listed here so the order of
# ``codesteer --help`` is stable.
_COMMAND_MODULES = ("bench", "solve", "evaluate", "train", "serve", "models")


def _load_commands() -> None:
    import importlib.util

    for name in _COMMAND_MODULES:
        module = f"codesteer.cli.{name}"
        if importlib.util.find_spec(module) is not None:  # errors inside a module still surface
            importlib.import_module(module)


def progress_printer(describe: Callable[[Any], str], every_s: float = 30.0,
                     clock: Callable[[], float] = time.monotonic) -> Callable[[Any], None]:
    """An ``on_update`` callback for counters with ``total`` and ``finished`` (see ``RunCounters``).

    On a terminal the line redraws in place. In a log (nohup, CI, a pipe) a live display writes nothing until
    the end, so a new line is written at most every ``every_s`` seconds and once at the end, with the rate and
    the time left, so that ``tail -f`` shows a run of hours moving.
    """
    start = clock()
    last = [float("-inf")]

    def update(p: Any) -> None:
        line = visible(describe(p), markup=False)
        if console.is_terminal:
            # rich drops a printed "\r": go back to column 0 and clear the line with control codes instead
            console.control(Control.move_to_column(0), Control((ControlType.ERASE_IN_LINE, 2)))
            console.print(line, end="", highlight=False, markup=False)
            return
        now = clock()
        end = p.finished >= p.total
        if (now - last[0] < every_s and not end) or last[0] == float("inf"):
            return
        last[0] = float("inf") if end else now
        new = p.finished - p.skipped  # work done by this process: the rate ignores what an earlier run did
        elapsed = now - start
        pace = ""
        if new and elapsed > 0:
            left = (p.total - p.finished) * elapsed / new
            pace = f" · {60 * new / elapsed:.1f}/min · {_clock(left)} left"
        console.print(f"[{_clock(elapsed)}] {line}{pace}", highlight=False, markup=False)

    return update


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def flag(parameter: str) -> str:
    """The command-line flag of a library parameter: every command spells ``ray_workers`` as ``--ray-workers``."""
    return "--" + parameter.replace("_", "-")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one red line on stderr and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {visible(message)}", highlight=False)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from codesteer import __version__

        console.print(f"codesteer {__version__}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Steer LLMs between code and text; benchmark them on SymBench; train your own guide."""


def _one_line_warnings() -> None:
    """Show codesteer's own warnings (e.g. skipped published instances) as one ``warning:`` line on stderr."""
    import warnings

    from codesteer.symbench import ReferenceWarning

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ReferenceWarning):
            err_console.print(f"[yellow]warning:[/] {visible(message)}", highlight=False)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


_argv: list[str] = []  # this invocation's arguments, for "resume with: ..." hints


def command_line() -> str:
    """The exact command of this invocation, quoted for a shell (what a user re-runs to resume)."""
    import shlex

    return shlex.join(["codesteer", *_argv])


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: user mistakes end in one line and a non-zero exit, never a traceback.

    Typer runs in standalone mode so that its own usage errors (from the click it bundles, which
    ``click.exceptions`` does not match) print its usual message and exit 2; our errors come out of it unhandled.
    """
    _load_commands()
    _argv[:] = sys.argv[1:] if argv is None else argv
    _one_line_warnings()
    try:
        app(args=argv, prog_name="codesteer", standalone_mode=True)
    except ParameterError as exc:  # a library call's parameter, shown as the flag that sets it
        err_console.print(f"[bold red]error:[/] {visible(exc.render(flag))}", highlight=False)
        sys.exit(2)
    except (CodesteerError, ValueError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        from codesteer.cli._models import explain_missing_key

        shown = explain_missing_key(exc)  # a missing key: named with this CLI's flags, for every command
        err_console.print(f"[bold red]error:[/] {visible(shown)}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:  # only outside a command: inside one, typer turns it into exit 130
        err_console.print("interrupted")
        sys.exit(130)
