"""Settings: where the database lives, limits, and which taxonomy files to load.

Precedence: explicit arguments > environment variables > defaults. The default database
lives in the user's data directory so `newsdesk` works from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from platformdirs import user_data_dir

ENV_DB = "NEWSDESK_DB"
ENV_TAXONOMY = "NEWSDESK_TAXONOMY"
ENV_MAX_BYTES = "NEWSDESK_MAX_BYTES"

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
WORDS_PER_MINUTE = 230


def default_db_path() -> Path:
    return Path(user_data_dir("newsdesk", appauthor=False)) / "newsdesk.db"


def packaged_data(name: str) -> Path:
    """Path of a data file shipped inside the package (taxonomy, gazetteer)."""
    return Path(str(resources.files("newsdesk") / "data" / name))


def _env_paths(value: str | None) -> list[Path]:
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p] if value else []


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    max_bytes: int = DEFAULT_MAX_BYTES
    extra_taxonomies: tuple[Path, ...] = ()

    @classmethod
    def from_env(cls, db: str | Path | None = None) -> Settings:
        env_db = os.environ.get(ENV_DB)
        db_path = Path(db).expanduser() if db else Path(env_db).expanduser() if env_db else None
        max_bytes = os.environ.get(ENV_MAX_BYTES)
        return cls(
            db_path=db_path or default_db_path(),
            max_bytes=int(max_bytes) if max_bytes and max_bytes.isdigit() else DEFAULT_MAX_BYTES,
            extra_taxonomies=tuple(_env_paths(os.environ.get(ENV_TAXONOMY))),
        )
