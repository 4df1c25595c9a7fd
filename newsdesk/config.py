"""Settings: where the database lives, limits, which taxonomy files to load, and which
engine writes briefs (with the language model's endpoint when that engine is "llm").

Precedence: explicit arguments > environment variables > the config file > defaults. The
default database lives in the user's data directory so `newsdesk` works from any folder;
the config file (TOML) is `NEWSDESK_CONFIG`, else `config.toml` in the user config
directory, and is optional: it exists so an endpoint is set once, not per shell.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from platformdirs import user_config_dir, user_data_dir

from newsdesk.errors import InputError

ENV_DB = "NEWSDESK_DB"
ENV_TAXONOMY = "NEWSDESK_TAXONOMY"
ENV_MAX_BYTES = "NEWSDESK_MAX_BYTES"
ENV_CONFIG = "NEWSDESK_CONFIG"
ENV_ENGINE = "NEWSDESK_ENGINE"
ENV_LLM = {  # LlmSettings field -> environment variable
    "base_url": "NEWSDESK_LLM_BASE_URL",
    "model": "NEWSDESK_LLM_MODEL",
    "api_key": "NEWSDESK_LLM_API_KEY",
    "timeout_s": "NEWSDESK_LLM_TIMEOUT",
    "max_retries": "NEWSDESK_LLM_RETRIES",
    "concurrency": "NEWSDESK_LLM_CONCURRENCY",
    "evidence_tokens": "NEWSDESK_LLM_EVIDENCE_TOKENS",
    "cache_dir": "NEWSDESK_LLM_CACHE",
    "response_format": "NEWSDESK_LLM_RESPONSE_FORMAT",
}
ENGINES = ("extractive", "llm")
ENV_LIVE_CONFIG = "NEWSDESK_LIVE_CONFIG"

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
WORDS_PER_MINUTE = 230


def default_db_path() -> Path:
    return Path(user_data_dir("newsdesk", appauthor=False)) / "newsdesk.db"


def packaged_data(name: str) -> Path:
    """Path of a data file shipped inside the package (taxonomy, gazetteer)."""
    return Path(str(resources.files("newsdesk") / "data" / name))


def read_yaml(path: Path, what: str) -> dict[str, Any]:
    """A YAML data file as a mapping; InputError naming the file when it is unusable.

    Parsed once per process and file version: places and entities both read the
    gazetteer, the largest file (50 ms with libyaml, 290 ms without)."""
    try:
        version = path.stat().st_mtime_ns
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    return _parsed_yaml(path, version, what)


# libyaml's safe loader when PyYAML was built with it: the same data, 5-8 times faster
# (the gazetteer: 290 -> 50 ms in each process that reads it).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=16)
def _parsed_yaml(path: Path, version: int, what: str) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a YAML mapping at the top level")
    return data


def _env_paths(value: str | None) -> list[Path]:
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p] if value else []


@dataclass(frozen=True)
class LlmSettings:
    """An OpenAI-compatible chat-completions endpoint (Ollama, vLLM, llama.cpp, LM Studio,
    OpenAI) and how patiently to use it. Plain values, so Settings still pickles to
    worker processes."""

    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "default"
    api_key: str | None = None
    timeout_s: float = 120.0
    max_retries: int = 3
    backoff_s: float = 1.0
    concurrency: int = 2
    max_tokens: int = 1200
    temperature: float = 0.0
    evidence_tokens: int = 3000
    # "json_object" | "json_schema" | "json_object_schema" | "none" (see llm/client.py)
    response_format: str = "json_object"
    cache_dir: Path | None = None  # None: "llm-cache" beside the database; "off": no cache


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    max_bytes: int = DEFAULT_MAX_BYTES
    extra_taxonomies: tuple[Path, ...] = ()
    engine: str = "extractive"
    llm: LlmSettings = field(default_factory=LlmSettings)
    live_config: Path | None = None

    @property
    def llm_cache_dir(self) -> Path | None:
        """Where model answers are kept so a re-run costs nothing; None when disabled."""
        if self.llm.cache_dir is None:
            return self.db_path.parent / "llm-cache"
        return None if str(self.llm.cache_dir) == "off" else self.llm.cache_dir

    @property
    def live_config_path(self) -> Path:
        """The live desk's TOML (sources, alerts, webhooks): NEWSDESK_LIVE_CONFIG, else
        beside the database (newsdesk.db -> newsdesk.live.toml), so each desk has its own."""
        return self.live_config or self.db_path.with_suffix(".live.toml")

    @classmethod
    def from_env(cls, db: str | Path | None = None) -> Settings:
        env_db = os.environ.get(ENV_DB)
        db_path = Path(db).expanduser() if db else Path(env_db).expanduser() if env_db else None
        max_bytes = os.environ.get(ENV_MAX_BYTES, "").strip()
        if max_bytes and not (max_bytes.isdecimal() and int(max_bytes) > 0):
            raise InputError(f"{ENV_MAX_BYTES}={max_bytes!r}: give the size limit per input "
                             f"in bytes, e.g. {ENV_MAX_BYTES}={DEFAULT_MAX_BYTES}")
        config = read_config()
        engine = os.environ.get(ENV_ENGINE) or str(config.get("engine", "extractive"))
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
        return cls(
            db_path=db_path or default_db_path(),
            max_bytes=int(max_bytes) if max_bytes else DEFAULT_MAX_BYTES,
            extra_taxonomies=tuple(_env_paths(os.environ.get(ENV_TAXONOMY))),
            engine=engine,
            llm=llm_settings(config.get("llm", {})),
            live_config=Path(os.environ[ENV_LIVE_CONFIG]).expanduser()
            if os.environ.get(ENV_LIVE_CONFIG) else None,
        )


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return Path(user_config_dir("newsdesk", appauthor=False)) / "config.toml"


def read_config() -> dict[str, Any]:
    """The config file as a mapping ({} when there is none); InputError when unreadable."""
    path = config_path()
    if not path.is_file():
        if os.environ.get(ENV_CONFIG):
            raise InputError(f"{ENV_CONFIG}={path}: no such file")
        return {}
    try:
        # utf-8-sig: Notepad and PowerShell save UTF-8 with a byte-order mark
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read config file {path}: {exc}") from exc


def llm_settings(section: Any) -> LlmSettings:
    """LlmSettings from the config file's [llm] table, overridden by NEWSDESK_LLM_*."""
    if not isinstance(section, dict):
        raise InputError("config file: [llm] must be a table")
    known = {f.name: f for f in fields(LlmSettings)}
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key not in known:
            raise InputError(f"config file: unknown [llm] key {key!r}; "
                             f"known: {', '.join(known)}")
        values[key] = value
    for key, var in ENV_LLM.items():  # empty is unset ("" would be cache dir "."), but
        env = os.environ.get(var)      # an empty key says: send none
        if env or (env is not None and key == "api_key"):
            values[key] = env
    if "api_key" not in values and os.environ.get("OPENAI_API_KEY"):
        values["api_key"] = os.environ["OPENAI_API_KEY"]
    defaults = LlmSettings()
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = type(getattr(defaults, key))
        try:
            if isinstance(value, bool | list | dict) or (
                    kind is int and isinstance(value, float) and not value.is_integer()):
                raise TypeError  # TOML's true is not 1 s, ["x"] is not a URL, 2.5 no count
            if key == "cache_dir":
                out[key] = Path(str(value)).expanduser()
            elif key == "api_key":
                out[key] = str(value).strip() or None
            else:
                out[key] = kind(value)
        except (TypeError, ValueError):
            if key == "api_key":
                raise InputError("LLM setting api_key is not a str") from None
            what = "path" if key == "cache_dir" else kind.__name__  # its default is None
            raise InputError(f"LLM setting {key}={value!r} is not a {what}") from None
        if (problem := llm_value_problem(key, out[key])) is not None:
            shown = "" if key == "api_key" else f"={out[key]!r}"  # a key is never echoed
            raise InputError(f"LLM setting {key}{shown} {problem}")
    return LlmSettings(**out)


LLM_RESPONSE_FORMATS = ("json_object", "json_schema", "json_object_schema", "none")
_AT_LEAST = {"max_retries": 0, "concurrency": 1, "max_tokens": 1, "evidence_tokens": 1}


def llm_value_problem(key: str, value: Any) -> str | None:
    """Why the client cannot use `value` for setting `key`, None when it can. Checked when
    settings are read, so a bad value is one clear error, not a traceback in the middle of
    a brief (a negative timeout, an unparseable URL, a key no HTTP header can carry) nor a
    silently different behaviour (concurrency 0 run as 1, "json_scheme" run as "none")."""
    if key in _AT_LEAST and value < _AT_LEAST[key]:
        return f"must be at least {_AT_LEAST[key]}"
    if key == "timeout_s" and not (0 < value < math.inf):
        return "must be above 0 seconds"
    if key in ("backoff_s", "temperature") and not (0 <= value < math.inf):
        return "must be 0 or more"
    if key == "response_format" and value not in LLM_RESPONSE_FORMATS:
        return f"must be one of {', '.join(LLM_RESPONSE_FORMATS)}"
    if key == "api_key" and value is not None and not (value.isascii() and value.isprintable()):
        return ("has characters an HTTP header cannot carry (a typographic dash or quote "
                "pasted with it?)")
    if key == "base_url":
        return _url_problem(value)
    return None


def _url_problem(url: str) -> str | None:
    """A chat-completions base URL is http(s)://host[:port][/path], usually ending in /v1."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parses the port, raising on "host:port"
    except ValueError:
        return "is not a URL (expected e.g. http://127.0.0.1:8080/v1)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must start with http:// or https:// and name a host (e.g. http://127.0.0.1:8080/v1)"
    return None
