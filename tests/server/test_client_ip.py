"""The client address comes from X-Forwarded-For only through trusted proxies."""

from __future__ import annotations

from typing import Any

from server.client_ip import client_ip


def _scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_ip(_scope("203.0.113.9", "1.2.3.4"), ()) == "203.0.113.9"


def test_a_trusted_proxy_passes_on_the_client_address() -> None:
    scope = _scope("10.0.0.2", "198.51.100.7")

    assert client_ip(scope, ("10.0.0.0/8",)) == "198.51.100.7"


def test_a_spoofed_left_hop_is_ignored() -> None:
    scope = _scope("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.3")

    assert client_ip(scope, ("10.0.0.0/8",)) == "198.51.100.7"


def test_an_untrusted_peer_cannot_forge_the_header() -> None:
    scope = _scope("198.51.100.50", "127.0.0.1")

    assert client_ip(scope, ("10.0.0.0/8",)) == "198.51.100.50"
