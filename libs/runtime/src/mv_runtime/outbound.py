"""Where a process of the platform may connect on a user's word (a spec document, a channel's
webhook): one policy judged before every connection, redirects included, shared by every
service that reaches out.

The operator's networks (:class:`AddressPolicy`): the most specific network (longest prefix)
of the allow and deny lists decides; an address in neither passes that layer. Link-local and
cloud metadata addresses are denied by default.

The policy of one hop (:class:`FetchPolicy`): a hop may go out when its scheme is http or
https and, for every address its host resolves to (IPv6 forms that embed an IPv4 address
judged as that IPv4 address):

- the address and port are not those of a service of the platform itself (NATS and its
  monitor port, InfluxDB, PostgreSQL, the gateway, the metrics receiver), whatever else
  allows them: their answers must never end up where users read them;
- the operator's networks (:class:`AddressPolicy`) do not deny the address
  (link-local and cloud metadata by default);
- a non-public address (loopback, private, link-local, shared, reserved) is one the admin
  allowed: the allowed targets that govern where load may go (the name or every address in
  them), or an operator's allow network.

Public addresses need no allowance: documents and chat services on the internet are what
these connections are for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog

from mv_contracts.targets import AllowList

log = structlog.get_logger()


class Unfetchable(Exception):
    """A URL that may not be reached or gave no HTTP answer: blocked by the policy, not
    resolvable, nothing listening, or too slow. The detail is for the log and for whoever may
    see where things listen; told apart to others, these would map the network."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [plain(a) for a in await resolve(host, port)]
    except Unfetchable:
        log.info("platform address does not resolve", host=host, port=port)
        return []


class Platform:
    """The platform's own services: (host, port) pairs, their names resolved on first use.

    A service on this machine (a loopback or unspecified address) may answer on every address
    of the machine, so its port is refused on all loopback addresses and on the addresses of
    the machine's own name.
    """

    def __init__(self, services: Iterable[tuple[str, int]]) -> None:
        self.services = list(dict.fromkeys(services))
        self._exact: set[tuple[IPAddress, int]] | None = None
        self._local_ports: set[int] = set()
        self._machine: set[IPAddress] = set()

    async def _resolve(self) -> set[tuple[IPAddress, int]]:
        if self._exact is not None:
            return self._exact
        exact: set[tuple[IPAddress, int]] = set()
        for host, port in self.services:
            for address in await _addresses(host, port):
                exact.add((address, port))
                if address.is_loopback or address.is_unspecified:
                    self._local_ports.add(port)
        if self._local_ports:
            self._machine = set(await _addresses(socket.gethostname(), 0))
        self._exact = exact
        return exact

    def _same_machine(self, address: IPAddress) -> bool:
        return address.is_loopback or address.is_unspecified or address in self._machine

    async def serves(self, address: IPAddress, port: int) -> bool:
        exact = await self._resolve()
        address = plain(address)
        return (address, port) in exact or (
            port in self._local_ports and self._same_machine(address)
        )


class FetchPolicy:
    """Judges one hop; :meth:`check` raises :class:`Unfetchable` with the reason."""

    def __init__(self, networks: AddressPolicy, targets: AllowList, platform: Platform) -> None:
        self.networks = networks
        self.targets = targets
        self.platform = platform

    async def check(self, scheme: str, host: str, port: int, addresses: list[IPAddress]) -> None:
        if scheme not in ("http", "https"):
            raise Unfetchable(f"{scheme}: is not http or https")
        judged = [plain(a) for a in addresses]
        admitted = self.targets.allows(host, [str(a) for a in judged])
        for address in judged:
            if await self.platform.serves(address, port):
                raise Unfetchable(f"{host}:{port} ({address}) is a service of the platform")
            if not self.networks.permits(address):
                raise Unfetchable(f"{host} ({address}) is in a denied network")
            if not address.is_global and not (admitted or self.networks.listed(address)):
                raise Unfetchable(
                    f"{host} ({address}) is not public and not in the allowed targets"
                )
