"""Fan-out of live messages to every connected client.

One bus subscription feeds :meth:`LiveHub.publish`; each client reads from its own bounded
queue, so a slow client loses its oldest messages (counted) and never slows the others.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from .messages import Include, LiveMessage

log = structlog.get_logger()


class HubClosed(Exception):
    """The gateway is shutting down: streams end so clients reconnect to another replica."""


@dataclass(frozen=True, slots=True)
class ClientFilter:
    test_id: str | None = None
    include: Include = Include.ALL
    interval: float | None = None
    """Seconds between the k6 snapshots this client receives (None: every one)."""

    def wants(self, message: LiveMessage) -> bool:
        if self.test_id is not None and self.test_id not in message.test_ids:
            return False
        if message.kind in ("k6", "alert"):
            return self.include is not Include.RESOURCES_ONLY
        if message.kind == "resources":
            return self.include is not Include.K6_ONLY
        return True  # the end of a test, and its summary, concern every view of it


@dataclass(eq=False)
class ClientQueue:
    """A bounded queue that drops its oldest live message when full; what a new client missed
    (its backlog, at the head) is kept whole until it is sent."""

    filter: ClientFilter
    size: int
    dropped: int = 0
    closed: bool = False
    _items: deque[LiveMessage] = field(init=False)
    _ready: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _last_k6: dict[str, datetime] = field(init=False, default_factory=dict)
    _backlog: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._items = deque()

    def _due(self, message: LiveMessage) -> bool:
        """With an interval, one k6 snapshot per test every ``interval`` seconds of the
        snapshots' own time; half a second early counts (fast-mode snapshots are a second
        apart, give or take the loop's jitter)."""
        every = self.filter.interval
        if every is None or message.kind != "k6" or message.k6 is None:
            return True
        key = message.test_id or ""
        last = self._last_k6.get(key)
        if last is not None and (message.k6.at - last).total_seconds() < every - 0.5:
            return False
        self._last_k6[key] = message.k6.at
        return True

    def preload(self, message: LiveMessage) -> None:
        """A message the client missed, queued ahead of the live ones and never dropped."""
        if self._due(message):
            self._items.append(message)
            self._backlog += 1
            self._ready.set()

    def push(self, message: LiveMessage) -> None:
        if not self._due(message):
            return
        if len(self._items) - self._backlog >= self.size:
            del self._items[self._backlog]  # the oldest live message
            self.dropped += 1
        self._items.append(message)
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    def end(self) -> None:
        """Closed now, what is queued dropped: the stream must stop (its credential ended)."""
        self._items.clear()
        self._backlog = 0
        self.close()

    async def get(self) -> LiveMessage:
        """The next message; raises :class:`HubClosed` once the queue is closed and empty."""
        while not self._items:
            if self.closed:
                raise HubClosed
            self._ready.clear()
            await self._ready.wait()
        self._backlog = max(0, self._backlog - 1)
        return self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)


class LiveHub:
    """Clients, the recent messages (for Last-Event-ID) and the last state of each running test."""

    def __init__(
        self,
        queue_size: int = 100,
        replay_size: int = 1000,
        history_size: int = 3600,
        stale_after: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue_size = queue_size
        # A test whose end never reached us (NATS was away) stops counting as running after this.
        self.stale_after = stale_after
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._clients: set[ClientQueue] = set()
        self._recent: deque[LiveMessage] = deque(maxlen=replay_size)
        self._last_k6: OrderedDict[str, LiveMessage] = OrderedDict()
        # Every k6 snapshot and alert of each running test, so a page opened (or reloaded)
        # mid-test draws the run so far; an hour of 1 s intervals, then the oldest go.
        self.history_size = history_size
        self._history: dict[str, deque[LiveMessage]] = {}
        self._last_resources: LiveMessage | None = None
        self._ended: OrderedDict[str, None] = OrderedDict()
        # Summaries come after the end (and again when a test is summarised again): each once.
        self._summarised: OrderedDict[tuple[str | None, datetime], None] = OrderedDict()
        self._seq = 0
        self.dropped_total = 0
        self.closed = False

    @property
    def clients(self) -> int:
        return len(self._clients)

    @property
    def sequence(self) -> int:
        """The id of the last message published (SSE event ids count up from 1)."""
        return self._seq

    def running_tests(self) -> list[str]:
        self._expire()
        return list(self._last_k6)

    def last_snapshot(self, test_id: str) -> LiveMessage | None:
        return self._last_k6.get(test_id)

    def publish(self, message: LiveMessage) -> LiveMessage | None:
        """Number the message, remember it and hand it to every client that wants it."""
        if message.kind == "summary":
            key = (message.test_id, message.at)
            if key in self._summarised:
                return None  # the same stored summary, seen again
            self._summarised[key] = None
            while len(self._summarised) > 10_000:
                self._summarised.popitem(last=False)
        elif message.kind != "resources" and message.test_id in self._ended:
            return None  # a late snapshot, or a redelivered end, of a test that has ended
        self._seq += 1
        message = message.model_copy(update={"seq": self._seq})
        self._remember(message)
        for client in self._clients:
            if client.filter.wants(message):
                before = client.dropped
                client.push(message)
                self.dropped_total += client.dropped - before
        return message

    def history(self, test_id: str) -> list[LiveMessage]:
        """The k6 snapshots and alerts of a running test so far, oldest first."""
        self._expire()
        return list(self._history.get(test_id, ()))

    def subscribe(
        self, wanted: ClientFilter, last_event_id: int | None = None, replay: bool = False
    ) -> ClientQueue:
        """A new client; it first receives what it missed (after ``last_event_id``) or, when new,
        the current state of the tests it follows: with ``replay``, the whole run so far of the
        one test it follows."""
        self._expire()
        if last_event_id is not None:
            backlog = [m for m in self._recent if m.seq > last_event_id]
        elif replay and wanted.test_id is not None:
            backlog = self.history(wanted.test_id)
            if self._last_resources is not None:
                backlog.append(self._last_resources)
        else:
            backlog = list(self._last_k6.values())
            if self._last_resources is not None:
                backlog.append(self._last_resources)
        # the backlog is not cut to the live queue's size, nor by live messages that come
        # before it is sent; the live messages are bounded, as ever
        client = ClientQueue(wanted, self.queue_size, closed=self.closed)
        for message in sorted(backlog, key=lambda m: m.seq):
            if wanted.wants(message):
                client.preload(message)
        self._clients.add(client)
        return client

    def close(self) -> None:
        """End every stream once its queued messages are sent, and every stream opened later."""
        self.closed = True
        for client in self._clients:
            client.close()

    def unsubscribe(self, client: ClientQueue) -> None:
        self._clients.discard(client)
        if client.dropped:
            log.warning("a slow live client lost messages", dropped=client.dropped)

    def _remember(self, message: LiveMessage) -> None:
        self._recent.append(message)
        if message.kind == "k6" and message.test_id is not None:
            self._last_k6[message.test_id] = message
            self._last_k6.move_to_end(message.test_id)
            self._seen[message.test_id] = self._clock()
            kept = self._history.setdefault(message.test_id, deque(maxlen=self.history_size))
            kept.append(message)
        elif message.kind == "alert" and message.test_id in self._history:
            self._history[message.test_id].append(message)
        if message.kind == "resources":
            self._last_resources = message
        elif message.kind == "end" and message.test_id is not None:
            self._last_k6.pop(message.test_id, None)
            self._history.pop(message.test_id, None)
            self._seen.pop(message.test_id, None)
            self._ended[message.test_id] = None
            while len(self._ended) > 10_000:
                self._ended.popitem(last=False)

    def _expire(self) -> None:
        now = self._clock()
        while self._last_k6:
            oldest = next(iter(self._last_k6))
            if now - self._seen[oldest] <= self.stale_after:
                return
            del self._last_k6[oldest]
            del self._seen[oldest]
            self._history.pop(oldest, None)
