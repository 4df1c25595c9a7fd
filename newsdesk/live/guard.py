"""The address guard: a fetch may only reach the public internet.

A desk that fetches whatever URL a feed names can be turned against the machine it runs
on (server-side request forgery): a feed item linking to http://169.254.169.254/ would read
cloud credentials, one linking to http://127.0.0.1:8080/admin would poke a local service.
So every URL is checked before it is requested, on every redirect hop, and the check is
made on the addresses the name resolves to (a public-looking name can resolve to a private
address). Sources the user marks `local = true` skip the address check, never the scheme
check.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from newsdesk.errors import InputError

Resolver = Callable[[str, int], list[str]]

ALLOWED_SCHEMES = ("http", "https")
# Addresses no public news site lives at, beyond what `ipaddress` flags as private,
# loopback, link-local, multicast, reserved or unspecified.
_BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # carrier-grade NAT
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "fc00::/7",  # unique local (fd00::/8 among them)
        "fe80::/10",  # link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "64:ff9b::/96",  # NAT64: may embed a private IPv4 address
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "fec0::/10",  # site-local (deprecated, still routed inside some networks)
    )
]
_METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data"})


class BlockedURL(InputError):
    """The URL points somewhere a fetch must not go; the message says why."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host:port."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve host '{host}': {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def blocked_reason(address: str) -> str | None:
    """Why an IP address is off limits, or None when it is a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"'{address}' is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        inner = blocked_reason(str(ip.sixtofour))  # 6to4: 2002:7f00:1:: embeds 127.0.0.1
        if inner:
            return f"{inner} (inside a 6to4 address)"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified or ip.is_multicast:
        return "a reserved address"
    if any(ip in net for net in _BLOCKED_NETWORKS if net.version == ip.version):
        if str(ip) in ("169.254.169.254", "fd00:ec2::254"):
            return "a cloud metadata address"
        return "a link-local or private address" if ip.is_link_local or ip.is_private \
            else "a reserved address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "a reserved address"
    return None


def check_url(url: str, *, allow_local: bool = False,
              resolver: Resolver = system_resolver) -> tuple[str, int]:
    """(host, port) of a URL that may be fetched; BlockedURL saying why otherwise."""
    host, port, _ = checked_address(url, allow_local=allow_local, resolver=resolver)
    return host, port


def checked_address(url: str, *, allow_local: bool = False,
                    resolver: Resolver = system_resolver) -> tuple[str, int, str | None]:
    """(host, port, address): the address the request must connect to, the one that was
    checked (None for a local source, which is not checked). Connecting to it, rather than
    letting the HTTP client resolve the name again, closes the DNS-rebinding gap: a name
    answering a public address to the check and a private one to the connection."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"{url}: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(
            f"{url}: scheme '{scheme or '(none)'}' refused; newsdesk fetches only http(s)")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise BlockedURL(f"{url}: no host in the URL")
    port = port or (443 if scheme == "https" else 80)
    if allow_local:
        return host, port, None
    if host in _METADATA_NAMES or host.endswith(".internal"):
        raise BlockedURL(f"{url}: '{host}' is a cloud metadata name; refused")
    if host == "localhost" or host.endswith(".localhost"):
        raise BlockedURL(f"{url}: '{host}' is this machine; mark the source local = true "
                         "to fetch it")
    addresses = resolver(host, port)
    if not addresses:
        raise BlockedURL(f"{url}: '{host}' resolves to no address")
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise BlockedURL(
                f"{url}: '{host}' resolves to {address}, {reason}; refused (mark the source "
                "local = true in the config if this is intended)")
    return host, port, addresses[0]
