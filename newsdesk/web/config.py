"""How the web server runs: where it listens, the API token, limits, CORS.

Kept apart from `newsdesk.config.Settings` (where the data lives) because only `serve`
needs it. The rule that matters: write endpoints need a token once the server is
reachable from other machines, so `check()` refuses a non-loopback host without one.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from newsdesk.errors import InputError

ENV_TOKEN = "NEWSDESK_API_TOKEN"
ENV_MAX_UPLOAD = "NEWSDESK_MAX_UPLOAD"
ENV_CORS = "NEWSDESK_CORS_ORIGINS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach ('localhost', 127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@dataclass(frozen=True)
class WebConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    cors_origins: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_env(cls, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 token: str | None = None) -> WebConfig:
        """Arguments first, then NEWSDESK_API_TOKEN, NEWSDESK_MAX_UPLOAD (bytes) and
        NEWSDESK_CORS_ORIGINS (comma-separated origins; none means no CORS headers)."""
        raw_max = os.environ.get(ENV_MAX_UPLOAD, "").strip()
        if raw_max and not raw_max.isdecimal():  # isdigit() takes '²', which int() refuses
            raise InputError(f"{ENV_MAX_UPLOAD}={raw_max}: give a number of bytes")
        origins = tuple(o.strip() for o in os.environ.get(ENV_CORS, "").split(",")
                        if o.strip())
        return cls(host=host, port=port,
                   token=token or os.environ.get(ENV_TOKEN) or None,
                   max_upload=int(raw_max) if raw_max else DEFAULT_MAX_UPLOAD,
                   cors_origins=origins)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def check(self) -> None:
        """Refuse a set-up that would let anyone on the network write to the desk."""
        if not self.loopback and not self.token:
            raise InputError(
                f"--host {self.host} listens beyond this machine: set {ENV_TOKEN} (a long "
                "random string) so that ingest and regenerate require it, or use "
                "--host 127.0.0.1")
        if self.token is not None and len(self.token) < 16:
            raise InputError(f"{ENV_TOKEN} is too short: use at least 16 random characters")
        if self.max_upload < 1:
            raise InputError(f"{ENV_MAX_UPLOAD} must be at least 1 byte")
        if "*" in self.cors_origins:
            raise InputError(f"{ENV_CORS}='*' would let any site call the API: list origins")
