"""LLM settings: config file, then environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.config import Settings
from newsdesk.errors import InputError


def test_config_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('engine = "llm"\n[llm]\nbase_url = "http://gpu:8000/v1"\n'
                      'model = "qwen"\ntimeout_s = 30\nconcurrency = 4\n', encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    monkeypatch.setenv("NEWSDESK_LLM_MODEL", "llama")
    monkeypatch.setenv("NEWSDESK_LLM_API_KEY", "sk-x")
    s = Settings.from_env(tmp_path / "d.db")
    assert s.engine == "llm"
    assert (s.llm.base_url, s.llm.model, s.llm.api_key) == ("http://gpu:8000/v1", "llama", "sk-x")
    assert (s.llm.timeout_s, s.llm.concurrency) == (30.0, 4)
    assert s.llm_cache_dir == tmp_path / "llm-cache"
    monkeypatch.setenv("NEWSDESK_LLM_CACHE", "off")
    assert Settings.from_env(tmp_path / "d.db").llm_cache_dir is None


def test_config_file_saved_with_a_byte_order_mark(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'\xef\xbb\xbfengine = "llm"\n')  # Notepad's UTF-8
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    assert Settings.from_env(tmp_path / "d.db").engine == "llm"


@pytest.mark.parametrize(("text", "message"), [
    ('[llm]\nmodle = "x"\n', "unknown \\[llm\\] key 'modle'"),
    ('[llm]\ntimeout_s = "soon"\n', "timeout_s='soon' is not a float"),
    ("[llm]\ntimeout_s = -1\n", "timeout_s=-1 must be a positive number"),
    ("[llm]\ntimeout_s = nan\n", "timeout_s=nan must be a positive number"),
    ('[llm]\nbase_url = "http://[::1/v1"\n', "base_url='http://\\[::1/v1' is not a valid URL"),
    ('[llm]\nbase_url = "http://gpu:99999/v1"\n', "is not a valid URL"),
    ('[llm]\nbase_url = "gpu:8000/v1"\n', "not an http\\(s\\) URL"),
    ('engine = "gpt"\n', "unknown engine 'gpt'"),
    ("[llm\n", "cannot read config file"),
])
def test_bad_config_says_what_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    with pytest.raises(InputError, match=message):
        Settings.from_env()


@pytest.mark.parametrize("value", ["10MB", "-5", "0", "1e6"])
def test_a_size_limit_that_is_not_a_number_of_bytes_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """NEWSDESK_MAX_BYTES=10MB was ignored without a word (the 10 MB default applied)."""
    monkeypatch.setenv("NEWSDESK_MAX_BYTES", value)
    with pytest.raises(InputError, match="NEWSDESK_MAX_BYTES=.*in bytes"):
        Settings.from_env(tmp_path / "d.db")
    monkeypatch.setenv("NEWSDESK_MAX_BYTES", "2048")
    assert Settings.from_env(tmp_path / "d.db").max_bytes == 2048
