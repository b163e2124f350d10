"""The operator's networks: which addresses an outbound fetch may never connect to.

The most specific network (longest prefix) of the allow and deny lists decides; an address in
neither passes this layer. Link-local and cloud metadata addresses are denied by default.
Non-public addresses need more than passing here: see :mod:`.policy`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

from .errors import Unfetchable

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


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def plain(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries, if it carries one: IPv4-mapped, IPv4-compatible,
    NAT64 (64:ff9b::/96), 6to4 and Teredo forms all reach that IPv4 host (through the kernel or
    a gateway on the way), so they are judged as it is."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (int(address) >> 32 == 0 and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # NAT64, IPv4-compatible
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's own address
    return address


@dataclass(frozen=True)
class AddressPolicy:
    allow: list[IPNetwork] = field(default_factory=list)
    deny: list[IPNetwork] = field(default_factory=lambda: _networks(DEFAULT_DENY))

    @classmethod
    def from_lists(cls, allow: list[str], deny: list[str]) -> AddressPolicy:
        return cls(allow=_networks(allow), deny=_networks(deny))

    def permits(self, address: IPAddress) -> bool:
        address = plain(address)
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

    def listed(self, address: IPAddress) -> bool:
        """Whether an operator listed the address in the allow networks (a deliberate "yes"
        that also opens a non-public address)."""
        address = plain(address)
        return any(address.version == n.version and address in n for n in self.allow)


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
        raise Unfetchable(f"cannot resolve host {host}: {error.strerror}") from error
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unfetchable(f"host {host} has no address")
    return addresses
