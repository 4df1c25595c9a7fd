"""The address guard refuses every kind of address a fetch must not reach, with a fake
resolver so each case is exact and nothing touches the network."""

from __future__ import annotations

import pytest

from newsdesk.live.guard import BlockedURL, blocked_reason, check_url


def resolver_for(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        return table[host]
    return resolve


@pytest.mark.parametrize("address, why", [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.5", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "metadata"),
    ("169.254.10.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fd00::1", "private"),
    ("fd00:ec2::254", "metadata"),
    ("100.64.0.1", "reserved"),
    ("0.0.0.0", "reserved"),
    ("224.0.0.1", "reserved"),
    ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
    ("2002:a9fe:a9fe::1", "metadata"),  # 6to4 around 169.254.169.254
    ("2002:c0a8:101::", "private"),  # 6to4 around 192.168.1.1
    ("fec0::1", "reserved"),  # site-local
    ("64:ff9b:1::a00:1", "reserved"),  # local-use NAT64
])
def test_blocked_addresses(address: str, why: str) -> None:
    reason = blocked_reason(address)
    assert reason is not None and why in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8",
                                     "2002:5db8:d822::1"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(address) is None


def test_name_resolving_to_private_address_is_refused() -> None:
    resolve = resolver_for({"news.example": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(BlockedURL, match="10.0.0.7"):
        check_url("https://news.example/feed", resolver=resolve)


def test_metadata_address_and_names_refused() -> None:
    resolve = resolver_for({"evil.example": ["169.254.169.254"]})
    with pytest.raises(BlockedURL, match="metadata"):
        check_url("http://evil.example/latest/meta-data/", resolver=resolve)
    with pytest.raises(BlockedURL, match="metadata"):
        check_url("http://169.254.169.254/latest/", resolver=lambda h, p: [h])
    with pytest.raises(BlockedURL, match="metadata"):
        check_url("http://metadata.google.internal/", resolver=lambda h, p: ["8.8.8.8"])


def test_ipv6_literal_and_localhost_refused() -> None:
    with pytest.raises(BlockedURL, match="loopback"):
        check_url("http://[::1]:8080/", resolver=lambda h, p: [h])
    with pytest.raises(BlockedURL, match="this machine"):
        check_url("http://localhost/", resolver=lambda h, p: ["127.0.0.1"])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.example/x",
                                 "gopher://news.example/", "javascript:alert(1)",
                                 "news.example/no-scheme"])
def test_non_http_schemes_refused_even_when_local(url: str) -> None:
    with pytest.raises(BlockedURL, match="scheme"):
        check_url(url, allow_local=True, resolver=lambda h, p: ["8.8.8.8"])


def test_local_sources_skip_the_address_check() -> None:
    assert check_url("http://127.0.0.1:8000/feed", allow_local=True,
                     resolver=lambda h, p: ["127.0.0.1"]) == ("127.0.0.1", 8000)


def test_public_name_passes() -> None:
    resolve = resolver_for({"news.example": ["93.184.216.34"]})
    assert check_url("https://news.example/feed", resolver=resolve) == ("news.example", 443)
