"""`newsdesk serve` refuses an unsafe set-up or a port it cannot have with one line."""

import socket
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from newsdesk.cli import app


def test_serve_beyond_loopback_needs_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDESK_API_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "d.db"), "serve",
                                      "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 1
    assert "NEWSDESK_API_TOKEN" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["ten", "²"])  # '²'.isdigit(), but int('²') fails
def test_serve_rejects_a_bad_upload_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          value: str) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_UPLOAD", value)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "d.db"), "serve"])
    assert result.exit_code == 1 and "NEWSDESK_MAX_UPLOAD" in result.output, result.output


def test_serve_on_a_port_in_use_says_so_in_one_line_and_exits_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["--db", str(tmp_path / "d.db"), "serve",
                                          "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"port {port}" in result.output and "in use" in result.output
    assert "--port" in result.output and "Errno" not in result.output


def test_serve_on_port_0_prints_the_port_it_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--port 0 lets the system choose: the address printed is the real one, not ':0'."""
    bound: list[int] = []

    def serve(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        bound.extend(s.getsockname()[1] for s in sockets)

    monkeypatch.setattr(uvicorn.Server, "run", serve)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "d.db"), "serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert bound and bound[0] != 0
    assert f"http://127.0.0.1:{bound[0]}/" in result.output and ":0/" not in result.output
