"""The live desk's TOML file: sources, alert rules and webhooks.

One file a person can edit by hand and the CLI can rewrite (`sources add`, `alerts add`):

    [[sources]]
    name = "wire"
    kind = "feed"            # feed | page | sitemap | folder
    url = "https://example.com/rss"
    interval = 600           # seconds between polls

    [[alerts]]
    name = "exports-to-russia-fall"
    kind = "figure"
    subject = "exports to Russia"
    below = 0

    [[webhooks]]
    url = "https://hooks.example.com/newsdesk"

The writer below emits only what the reader accepts (strings, numbers, booleans), so a
file the CLI rewrote reads back the same.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from newsdesk.errors import InputError
from newsdesk.models import AlertRule, LiveSource


class Webhook(BaseModel):
    url: str
    local: bool = False
    rules: list[str] = Field(default_factory=list, description="Empty: every rule.")


class LiveConfig(BaseModel):
    sources: list[LiveSource] = Field(default_factory=list)
    alerts: list[AlertRule] = Field(default_factory=list)
    webhooks: list[Webhook] = Field(default_factory=list)

    def source(self, name: str) -> LiveSource | None:
        return next((s for s in self.sources if s.name == name), None)


def load_config(path: Path) -> LiveConfig:
    """The config at `path`; an empty one when the file does not exist yet."""
    if not path.exists():
        return LiveConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is no statement
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the live config {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from exc
    try:
        config = LiveConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']}") from None
    for what, names in (("source", [s.name for s in config.sources]),
                        ("alert", [a.name for a in config.alerts])):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InputError(f"{path}: {what} name(s) used twice: {', '.join(dupes)}")
    for s in config.sources:
        check_source(s, path)
    for a in config.alerts:
        check_alert(a, path)
    for w in config.webhooks:  # as `alerts webhook` checks it, for a file edited by hand
        check_web_url(w.url, f"{path}: webhook")
    return config


def check_source(source: LiveSource, where: Path | str = "source") -> None:
    """A source has what its kind needs: a URL for web kinds, a path for a folder."""
    if source.kind == "folder":
        if not source.path:
            raise InputError(f"{where}: folder source '{source.name}' needs a path")
    elif not source.url or not source.url.lower().startswith(("http://", "https://")):
        raise InputError(f"{where}: {source.kind} source '{source.name}' needs an http(s) "
                         f"url, got {source.url!r}")


# The kinds that match on `value`: without one a rule can never fire (new_story's empty
# value is deliberate: a new story under any tag).
NEEDS_VALUE = ("tag", "entity", "keyword", "spike")


def check_alert(rule: AlertRule, where: Path | str = "alert") -> None:
    """A rule written by hand has what its kind needs to fire, as `alerts add` insists."""
    if rule.kind in NEEDS_VALUE and not (rule.value or "").strip():
        raise InputError(f"{where}: {rule.kind} alert '{rule.name}' has no value and can "
                         "never fire: give it value = \"...\" (the tag, entity or keyword "
                         "to watch), or remove it")


def check_rules(names: list[str], config: LiveConfig, path: Path) -> None:
    """A webhook's --rule names an alert in the config: a name none has was saved and the
    webhook never received anything."""
    known = {a.name for a in config.alerts}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"no alert named {', '.join(repr(n) for n in unknown)} in {path}: "
                         "add it first with 'newsdesk alerts add', or see 'newsdesk alerts "
                         "list' for the names")


def check_web_url(url: str, what: str = "URL") -> None:
    """An http(s) URL with a host and a valid port, checked when the CLI adds it (a URL
    that cannot be fetched is refused then, not found out at the first poll)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InputError(f"{what} {url!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"{what} must be http(s), got {url!r}")
    if not parts.hostname or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise InputError(f"{what} {url!r} is not a valid URL (no host, or a space or "
                         "control character in it)")


@contextmanager
def locked(path: Path) -> Iterator[Path]:
    """Hold the config's lock while it is read, changed and written back: two `sources
    add` at once each read the file and the last write won, dropping the other's source.
    (No lock where fcntl is missing, on Windows.)"""
    lock_path = path.with_name(f".{path.name}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = lock_path.open("a")
    except OSError as exc:
        raise InputError(f"cannot write the live config {path}: {exc.strerror or exc}") from exc
    with lock:
        try:
            import fcntl
        except ImportError:
            yield path
            return
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield path


def save_config(path: Path, config: LiveConfig) -> None:
    """Write the config atomically (a crash never leaves half a file)."""
    parts: list[str] = ["# newsdesk live desk: sources, alerts, webhooks (see README)\n"]
    for table, items in (("sources", config.sources), ("alerts", config.alerts),
                         ("webhooks", config.webhooks)):
        for item in items:
            parts.append(f"\n[[{table}]]\n")
            for key, value in item.model_dump(exclude_none=True).items():
                parts.append(f"{key} = {_toml_value(value)}\n")
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("".join(parts), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write the live config {path}: {exc.strerror or exc}") from exc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # A valid TOML basic string once DEL is escaped too (JSON leaves it raw, TOML
        # refuses it, and the file would no longer load).
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
