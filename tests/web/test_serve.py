"""`newsdesk serve` refuses an unsafe set-up with one line, before binding a port."""

from pathlib import Path

import pytest
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
