"""The SSRF guard: which addresses an outbound fetch may connect to.

The most specific network (longest prefix) of the allow and deny lists decides; an address in
neither is allowed. Link-local and cloud metadata addresses are denied by default, private
ranges are allowed by default (the test namespace's own services live there) and can be
denied, whole or in part, through the settings.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

from mv_contracts.spec import FailureKind

from .errors import AnalysisError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_DENY = (
    "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host
    "169.254.0.0/16",  # IPv4 link-local, including 169.254.169.254 (AWS, GCP, Azure metadata)
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "192.0.0.192/32",  # Oracle Cloud metadata
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and the broadcast address
    "::/128",
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "ff00::/8",  # IPv6 multicast
)


def _networks(values: tuple[str, ...] | list[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(v, strict=False) for v in values]


def _plain(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class AddressPolicy:
    allow: list[IPNetwork] = field(default_factory=list)
    deny: list[IPNetwork] = field(default_factory=lambda: _networks(DEFAULT_DENY))

    @classmethod
    def from_lists(cls, allow: list[str], deny: list[str]) -> AddressPolicy:
        return cls(allow=_networks(allow), deny=_networks(deny))

    def permits(self, address: IPAddress) -> bool:
        address = _plain(address)
        best_prefix = -1
        allowed = True
        for networks, verdict in ((self.deny, False), (self.allow, True)):
            for network in networks:
                if address.version != network.version or address not in network:
                    continue
                # On a tie, allow wins: listing an address in allow is deliberate.
                if network.prefixlen > best_prefix or (
                    verdict and network.prefixlen == best_prefix
                ):
                    best_prefix = network.prefixlen
                    allowed = verdict
        return allowed

    def check(self, host: str, addresses: list[IPAddress]) -> None:
        refused = [a for a in addresses if not self.permits(a)]
        if refused:
            raise AnalysisError(
                FailureKind.REFUSED_ADDRESS,
                f"refusing to fetch from {host}: address {refused[0]} is not allowed "
                "(link-local, metadata or a denied network; see SPEC_FETCH_ALLOW_NETWORKS)",
            )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise AnalysisError(
            FailureKind.UNREACHABLE, f"cannot resolve host {host}: {error.strerror}"
        ) from error
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AnalysisError(FailureKind.UNREACHABLE, f"host {host} has no address")
    return addresses
