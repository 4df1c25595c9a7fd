"""LLM settings: config file, then environment."""

from __future__ import annotations

import re
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
    ("[llm]\ntimeout_s = -1\n", "timeout_s=-1.0 must be above 0 seconds"),
    ("[llm]\ntimeout_s = nan\n", "timeout_s=nan must be above 0 seconds"),
    ('[llm]\nbase_url = "http://[::1/v1"\n', "base_url='http://\\[::1/v1' is not a URL"),
    ('[llm]\nbase_url = "http://gpu:99999/v1"\n', "is not a URL"),
    ('[llm]\nbase_url = "gpu:8000/v1"\n', "must start with http:// or https://"),
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


@pytest.mark.parametrize(("var", "value", "message"), [
    ("NEWSDESK_LLM_BASE_URL", "localhost:8080/v1", "must start with http:// or https://"),
    ("NEWSDESK_LLM_BASE_URL", "http://[::1", "is not a URL"),
    ("NEWSDESK_LLM_BASE_URL", "http://gpu:port/v1", "is not a URL"),
    ("NEWSDESK_LLM_TIMEOUT", "-1", "timeout_s=-1.0 must be above 0"),
    ("NEWSDESK_LLM_TIMEOUT", "nan", "timeout_s=nan must be above 0"),
    ("NEWSDESK_LLM_CONCURRENCY", "0", "concurrency=0 must be at least 1"),
    ("NEWSDESK_LLM_RETRIES", "-2", "max_retries=-2 must be at least 0"),
    ("NEWSDESK_LLM_EVIDENCE_TOKENS", "0", "evidence_tokens=0 must be at least 1"),
    ("NEWSDESK_LLM_RESPONSE_FORMAT", "json_scheme",
     "must be one of json_object, json_schema, json_object_schema, none"),
])
def test_out_of_range_settings_are_refused_with_the_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var: str, value: str, message: str) -> None:
    """A value the client cannot use is an error at once, saying the rule: not a traceback
    later (a negative timeout, an unparseable URL), and not a silent different behaviour
    (concurrency 0 as 1, a misspelt response format as none, a URL without scheme retried
    as if the server were down)."""
    monkeypatch.setenv("NEWSDESK_CONFIG", "")
    monkeypatch.setenv(var, value)
    with pytest.raises(InputError, match=re.escape(message)):
        Settings.from_env(tmp_path / "d.db")


@pytest.mark.parametrize("text", ['[llm]\nbase_url = ["http://gpu/v1"]\n',
                                  "[llm]\ntimeout_s = true\n", "[llm]\nconcurrency = 2.5\n",
                                  "[llm]\nmodel = {name = \"x\"}\n", "[llm]\ncache_dir = false\n"])
def test_config_values_of_the_wrong_type_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A list is not a URL, true is not 1 second, 2.5 is not a number of requests."""
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    with pytest.raises(InputError, match="is not a (str|float|int|path)$"):
        Settings.from_env(tmp_path / "d.db")


def test_an_api_key_an_http_header_cannot_carry_is_refused_without_echoing_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key pasted with a typographic dash cannot be sent (httpx raised UnicodeEncodeError
    inside the brief); surrounding whitespace (a key file's newline) is not part of it."""
    monkeypatch.setenv("NEWSDESK_CONFIG", "")
    monkeypatch.setenv("NEWSDESK_LLM_API_KEY", "sk\u2010secret")
    with pytest.raises(InputError, match="api_key") as caught:
        Settings.from_env(tmp_path / "d.db")
    assert "secret" not in str(caught.value)
    monkeypatch.setenv("NEWSDESK_LLM_API_KEY", " sk-secret\n")
    assert Settings.from_env(tmp_path / "d.db").llm.api_key == "sk-secret"


def test_an_empty_environment_variable_counts_as_unset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`NEWSDESK_LLM_CACHE= newsdesk brief ...` put the cache in the current directory
    (Path("") is "."), and an empty timeout was "not a float": empty means unset, as for
    NEWSDESK_CONFIG and NEWSDESK_ENGINE. An empty key still means "send none", so that
    OPENAI_API_KEY is not sent to a local server."""
    monkeypatch.setenv("NEWSDESK_CONFIG", "")
    for var in ("NEWSDESK_LLM_CACHE", "NEWSDESK_LLM_TIMEOUT", "NEWSDESK_LLM_MODEL",
                "NEWSDESK_LLM_API_KEY"):
        monkeypatch.setenv(var, "")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    s = Settings.from_env(tmp_path / "d.db")
    assert s.llm_cache_dir == tmp_path / "llm-cache"
    assert (s.llm.timeout_s, s.llm.model, s.llm.api_key) == (120.0, "default", None)


@pytest.mark.parametrize("value", ["10MB", "-5", "0", "1e6"])
def test_a_size_limit_that_is_not_a_number_of_bytes_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """NEWSDESK_MAX_BYTES=10MB was ignored without a word (the 10 MB default applied)."""
    monkeypatch.setenv("NEWSDESK_MAX_BYTES", value)
    with pytest.raises(InputError, match="NEWSDESK_MAX_BYTES=.*in bytes"):
        Settings.from_env(tmp_path / "d.db")
    monkeypatch.setenv("NEWSDESK_MAX_BYTES", "2048")
    assert Settings.from_env(tmp_path / "d.db").max_bytes == 2048
