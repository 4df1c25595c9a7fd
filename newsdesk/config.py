"""Settings: where the database lives, limits, and which taxonomy files to load.

Precedence: explicit arguments > environment variables > defaults. The default database
lives in the user's data directory so `newsdesk` works from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_data_dir

from newsdesk.errors import InputError

ENV_DB = "NEWSDESK_DB"
ENV_TAXONOMY = "NEWSDESK_TAXONOMY"
ENV_MAX_BYTES = "NEWSDESK_MAX_BYTES"
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

    Parsed once per process and file version: the gazetteer alone takes most of a second
    to parse, and places and entities both read it."""
    try:
        version = path.stat().st_mtime_ns
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    return _parsed_yaml(path, version, what)


@lru_cache(maxsize=16)
def _parsed_yaml(path: Path, version: int, what: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a YAML mapping at the top level")
    return data


def _env_paths(value: str | None) -> list[Path]:
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p] if value else []


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    max_bytes: int = DEFAULT_MAX_BYTES
    extra_taxonomies: tuple[Path, ...] = ()
    live_config: Path | None = None

    @property
    def live_config_path(self) -> Path:
        """The live desk's TOML (sources, alerts, webhooks): NEWSDESK_LIVE_CONFIG, else
        beside the database (newsdesk.db -> newsdesk.live.toml), so each desk has its own."""
        return self.live_config or self.db_path.with_suffix(".live.toml")

    @classmethod
    def from_env(cls, db: str | Path | None = None) -> Settings:
        env_db = os.environ.get(ENV_DB)
        db_path = Path(db).expanduser() if db else Path(env_db).expanduser() if env_db else None
        max_bytes = os.environ.get(ENV_MAX_BYTES)
        return cls(
            db_path=db_path or default_db_path(),
            max_bytes=int(max_bytes) if max_bytes and max_bytes.isdigit() else DEFAULT_MAX_BYTES,
            extra_taxonomies=tuple(_env_paths(os.environ.get(ENV_TAXONOMY))),
            live_config=Path(os.environ[ENV_LIVE_CONFIG]).expanduser()
            if os.environ.get(ENV_LIVE_CONFIG) else None,
        )
