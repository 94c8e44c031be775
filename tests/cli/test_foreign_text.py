"""Model and program text never controls the terminal or breaks a print (issue 18, item 4)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from codesteer._terminal import visible
from tests.conftest import cli

_KEY = {"OPENAI_API_KEY": "sk-test"}
HOSTILE = "a\x1b]52;c;cm0gLXJmIH4=\x07b\x1b]0;pwned\x07c\x1b[8mhidden\x1b[0m\r\u202eevil\ud800 [/] [link=http://evil]x[/link] \\"


def render(obj: object) -> str:
    buf = io.StringIO()
    Console(file=buf, force_terminal=True, color_system="truecolor", width=200).print(obj, highlight=False)
    return buf.getvalue()


def test_visible_shows_controls_and_escapes_markup() -> None:
    out = render(f"[bold]{visible(HOSTILE)}[/]")
    for bad in ("\x1b]", "\x07", "\r", "\u202e", "\x1b[8m"):
        assert bad not in out
    for shown in ("\\x1b]52;c;cm0gLXJmIH4=\\x07", "\\x1b]0;pwned\\x07", "\\x1b[8m", "\\x0d", "\\u202e", "\\ud800",
                  "[/] [link=http://evil]x[/link]"):
        assert shown in out, (shown, out)
    assert "\x1b]8;" not in out  # no terminal hyperlink was made
    assert visible("line 1\n\tline 2") == "line 1\n\tline 2"
    assert visible("ünïcödé ✓ 漢字") == "ünïcödé ✓ 漢字"
    assert visible("[x]", markup=False) == "[x]"
    # inside containers that interpret markup too
    table = Table()
    table.add_column(visible("[/]"))
    table.add_row(visible(HOSTILE))
    assert "\x07" not in render(table) and "\x07" not in render(Panel(visible(HOSTILE), title=visible("[/]")))


def test_solve_shows_hostile_reply_and_output_as_text(tmp_path: Path) -> None:
    code = "print('\\x1b]52;c;aGk=\\x07 \\x1b]0;title\\x07 [/] [link=http://evil]click[/link]')"
    reply = f"Split with re.split(r'[/]', s) \x1b[8mhidden\x1b[0m\n```python\n{code}\n```\n<<<1>>>"
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"default": reply}))
    p = cli("solve", "number_multiply", "--method", "all_code_cot", "--task-model", f"scripted/{script}",
            env=_KEY)
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout and "\x07" not in p.stdout
    assert "re.split(r'[/]', s)" in p.stdout and "\\x1b[8mhidden" in p.stdout
    assert "[link=http://evil]click[/link]" in p.stdout and "\\x1b]52;c;aGk=\\x07" in p.stdout
    assert "WRONG" in p.stdout or "CORRECT" in p.stdout


class _Endpoint(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint whose first answer is fine and every later one a hostile 400."""

    calls = 0

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls += 1
        if type(self).calls == 1:
            code, body = 200, {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": "<<<1>>>"}}],
                               "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        else:
            code, body = 400, {"error": {"message": "bad [/] input \x1b]52;c;aGk=\x07 [link=http://evil]x[/link]"}}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _Endpoint.calls = 0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_run_survives_markup_and_escapes_in_endpoint_errors(tmp_path: Path, endpoint: str) -> None:
    out = tmp_path / "run"
    p = cli("run", "--task-model", f"openai/m@{endpoint}", "--tasks", "number_multiply", "-n", "4",
            "--methods", "only_question", "--concurrency", "1", "--out", str(out), env=_KEY)
    both = p.stdout + p.stderr
    assert "Traceback" not in both and "MarkupError" not in both, both
    assert "\x1b]" not in both and "\x07" not in both
    assert "done: 1 new" in p.stdout and "3 errors" in p.stdout, both
    assert "[/]" in p.stdout and "\\x1b]52;c;aGk=\\x07" in p.stdout
    assert (out / "report.html").stat().st_size > 0
