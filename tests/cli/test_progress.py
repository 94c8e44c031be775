"""Progress in a log: plain, throttled lines with rate and time left; in place on a terminal."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from rich.console import Console

from codesteer.cli import _app


@dataclass
class Counters:
    total: int
    finished: int = 0
    skipped: int = 0


def _printer(monkeypatch: pytest.MonkeyPatch, terminal: bool, times: list[float]) -> tuple[io.StringIO, object]:
    out = io.StringIO()
    monkeypatch.setattr(_app, "console", Console(file=out, force_terminal=terminal, width=200))
    clock = iter(times)
    return out, _app.progress_printer(lambda p: f"n {p.finished}/{p.total} [x]", every_s=30, clock=lambda: next(clock))


def test_log_lines_are_throttled_and_end_once(monkeypatch: pytest.MonkeyPatch) -> None:
    out, update = _printer(monkeypatch, False, [0, 1, 10, 40, 50, 3600, 3601])
    p = Counters(total=10, skipped=2, finished=2)
    for finished in [3, 4, 6, 7, 10, 10]:
        p.finished = finished
        update(p)
    lines = out.getvalue().splitlines()
    # t=1 printed (first), t=10 dropped, t=40 printed, t=50 dropped, t=3600 the end, t=3601 not again
    assert lines == [
        "[0:00:01] n 3/10 [x] · 60.0/min · 0:00:07 left",
        "[0:00:40] n 6/10 [x] · 6.0/min · 0:00:40 left",
        "[1:00:00] n 10/10 [x] · 0.1/min · 0:00:00 left",
    ]


def test_no_rate_before_new_work(monkeypatch: pytest.MonkeyPatch) -> None:
    out, update = _printer(monkeypatch, False, [0, 5])
    update(Counters(total=4, finished=2, skipped=2))
    assert out.getvalue() == "[0:00:05] n 2/4 [x]\n"


def test_terminal_redraws_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    out, update = _printer(monkeypatch, True, [0])
    update(Counters(total=4, finished=1))
    update(Counters(total=4, finished=2))
    text = out.getvalue()
    assert "\n" not in text and text.count("\x1b[1G\x1b[2K") == 2 and text.endswith("n 2/4 [x]")
