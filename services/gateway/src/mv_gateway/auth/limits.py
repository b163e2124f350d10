"""How often a client may get a password wrong.

Two rules, both kept in memory (per gateway replica):

- per client address, at most ``attempts`` failed logins in a sliding ``window``, whatever the
  user names: one address cannot spray guesses over many accounts;
- per user *and* address, an exponential back-off: after ``free`` failures every further attempt
  must wait 2, 4, 8 … seconds (up to ``max_wait``), even with the right password. It is not
  per user alone: failures from one address never slow the same user down at another, so
  nobody can lock an account (the admin's included) by getting its password wrong on purpose.
  Guessing one password from many addresses is bounded by the addresses one has (an IPv6
  client counts as its /64, which one subscriber usually holds whole).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address, ip_network

FORGET_SECONDS = 24 * 3600  # a back-off left alone this long starts again from nothing
MAX_KEYS = 100_000  # memory bound: past it the longest-idle records are dropped


def address_key(host: str) -> str:
    """What one client is counted as: its IPv4 address, or its IPv6 /64."""
    try:
        address = ip_address(host)
    except ValueError:
        return host
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


class AttemptLimiter:
    """At most ``attempts`` failed logins per key in ``window`` seconds; a success clears it."""

    def __init__(
        self, attempts: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.attempts, self.window, self.clock = attempts, window, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def retry_after(self, *keys: str) -> float | None:
        """Seconds until another attempt is allowed, or None if it is allowed now."""
        waits = []
        for key in keys:
            failures = self._recent(key)
            if len(failures) >= self.attempts:
                waits.append(failures[0] + self.window - self.clock())
        return max(waits) if waits else None

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._failures.setdefault(key, deque()).append(self.clock())
            self._failures.move_to_end(key)
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def take_back(self, key: str) -> None:
        """Forget the latest failure of ``key`` (counted before it turned out a success)."""
        failures = self._failures.get(key)
        if failures:
            failures.pop()
        if not failures:
            self._failures.pop(key, None)


class Backoff:
    """After ``free`` failures of a key, the next attempt waits 2 s, then 4 s, 8 s … up to
    ``max_wait`` after the latest failure; a success clears the key. An attempt is counted when
    it begins, so parallel attempts cannot all slip through before the first one fails."""

    def __init__(
        self, free: int, max_wait: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free, self.max_wait, self.clock = free, max_wait, clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # count, last

    def wait_after(self, failures: int) -> float:
        """How long after its latest failure a key with this many may try again."""
        if failures < self.free:
            return 0.0
        return float(min(self.max_wait, 2 ** min(failures - self.free + 1, 62)))

    def _count(self, key: str) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self.clock() - last > FORGET_SECONDS:
            del self._failures[key]
            return 0, 0.0
        return count, last

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None if it may now."""
        count, last = self._count(key)
        wait = last + self.wait_after(count) - self.clock()
        return wait if count and wait > 0 else None

    def begin(self, key: str) -> None:
        """An attempt of ``key``: counted as a failure from now until :meth:`succeeded`."""
        count, _ = self._count(key)
        self._failures.pop(key, None)
        self._failures[key] = (count + 1, self.clock())
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def failed(self, key: str) -> None:
        """The attempt failed: the wait runs from now (checking a password takes a while)."""
        if key in self._failures:
            self._failures[key] = (self._failures[key][0], self.clock())

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
