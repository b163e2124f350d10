"""The client's real address (and scheme) when the gateway sits behind proxies it trusts.

``X-Forwarded-For`` is a list each proxy appends its peer to, so only its right-hand end is
written by proxies we know; anything to the left came from the client and may be made up.
Walking from the right past the trusted proxies, the first address that is not one of them is
the client. A peer that is not a trusted proxy is the client itself, whatever it sends: with no
trusted proxy (the default) the headers are never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


def _address(host: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(host.strip("[]"))
    except ValueError:
        return None


def trusts(host: str, trusted: Sequence[Network]) -> bool:
    address = _address(host)
    return address is not None and any(address in network for network in trusted)


def client_host(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """Who sent the request: ``peer`` (the socket's address), or, when the peer is a trusted
    proxy, the right-most ``X-Forwarded-For`` entry that is not one. An entry that is not an
    address (a misconfigured proxy) ends the walk at the last trusted hop."""
    if not trusts(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        if _address(hop) is None:
            break
        client = hop.strip("[]")
        if not trusts(hop, trusted):
            break
    return client


def _values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


class ForwardedFor:
    """Sets ``scope["client"]`` and, from ``X-Forwarded-Proto``, the scheme of requests whose
    peer is a trusted proxy; every other request is left as the socket made it."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app, self.trusted = app, tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and trusts(client[0], self.trusted):
            host = client_host(client[0], _values(scope, b"x-forwarded-for"), self.trusted)
            if host != client[0]:
                scope["client"] = (host, 0)
            proto = next(iter(_values(scope, b"x-forwarded-proto")), "").strip().lower()
            if proto in ("http", "https"):
                socket = scope["type"] == "websocket"
                scope["scheme"] = proto.replace("http", "ws") if socket else proto
        await self.app(scope, receive, send)
