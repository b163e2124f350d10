"""The analyzer's one fetch policy, judged before every connection: the document, every
``$ref``, every redirect of either.

A hop may go out when its scheme is http or https and, for every address its host resolves
to (IPv6 forms that embed an IPv4 address judged as that IPv4 address):

- the address and port are not those of a service of the platform itself (NATS and its
  monitor port, InfluxDB, PostgreSQL, the gateway, the metrics receiver), whatever else
  allows them: their answers must never end up in a spec that viewers read;
- the operator's networks (:class:`.guarding.AddressPolicy`) do not deny the address
  (link-local and cloud metadata by default);
- a non-public address (loopback, private, link-local, shared, reserved) is one the admin
  allowed: the allowed targets that govern where load may go (the name or every address in
  them), or an operator's allow network.

Public addresses need no allowance: documents on the internet are what the analyzer is for.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable

import structlog

from mv_contracts.targets import AllowList

from .errors import Unfetchable
from .guarding import AddressPolicy, IPAddress, plain, resolve

log = structlog.get_logger()


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
    """Judges one hop; :meth:`check` raises :class:`.errors.Unfetchable` with the reason."""

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
