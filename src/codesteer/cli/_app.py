"""Root Typer app; command groups register themselves from their own modules."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from codesteer.errors import CodesteerError

app = typer.Typer(
    name="codesteer",
    help="Steer LLMs between code and text; benchmark them on SymBench; train your own guide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, soft_wrap=True)
console = Console(soft_wrap=True)

# Each module adds its commands or sub-apps to ``app`` when imported; listed here so the order of
# ``codesteer --help`` is stable.
_COMMAND_MODULES = ("bench", "solve", "evaluate", "train", "serve")


def _load_commands() -> None:
    import importlib.util

    for name in _COMMAND_MODULES:
        module = f"codesteer.cli.{name}"
        if importlib.util.find_spec(module) is not None:  # errors inside a module still surface
            importlib.import_module(module)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one red line on stderr and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: user mistakes end in one line and exit code 2, never a traceback."""
    _load_commands()
    try:
        app(args=argv, standalone_mode=False)
    except (CodesteerError, ValueError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # click usage errors come through here in standalone_mode=False
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise
