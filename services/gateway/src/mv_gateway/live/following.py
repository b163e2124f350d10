"""What one live stream sends, in order: the same for SSE and WebSocket.

A stream of all tests forwards every message until the gateway shuts down. A stream of one test
follows it to its ``end`` and then stays open for its ``summary`` (complete or not, and why), so a
live client learns whether the figures are whole: the summary is stored seconds to a minute
after the end (k6's last samples, the wait for k6's own count). The wait is bounded: at
LIVE_SUMMARY_WAIT_SECONDS after the end a ``summary`` with ``stored: false`` closes the stream.

The end and the summary come over core NATS and can be missed (the gateway was down, NATS
reconnecting), so both are also read from what the gateway stored: a stream of a test that has
ended sends its end (and summary) at once, and an open stream checks the store whenever it has
been silent for ``check_seconds``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .hub import ClientFilter, ClientQueue, HubClosed, LiveHub
from .messages import LiveMessage, StoredEnd, end_message, summary_message

# How the gateway finds a test's stored end and summary (the app wires it from the history).
EndLookup = Callable[[str], Awaitable[StoredEnd | None]]


@dataclass(frozen=True, slots=True)
class Following:
    hub: LiveHub
    wanted: ClientFilter
    check_seconds: float
    summary_wait: float
    stored: EndLookup | None = None

    async def messages(self, client: ClientQueue) -> AsyncIterator[LiveMessage | None]:
        """The messages to send; None after each ``check_seconds`` of silence (SSE pings then).
        Ends after the last message of the stream, or when the gateway shuts down."""
        if self.wanted.test_id is None:
            async for message in self._everything(client):
                yield message
            return
        stored = self.stored or _nothing_stored
        async for message in self._one_test(client, self.wanted.test_id, stored):
            yield message

    async def _everything(self, client: ClientQueue) -> AsyncIterator[LiveMessage | None]:
        while True:
            try:
                async with asyncio.timeout(self.check_seconds):
                    message = await client.get()
            except TimeoutError:
                yield None
                continue
            except HubClosed:
                return
            yield message

    async def _one_test(
        self, client: ClientQueue, test_id: str, stored: EndLookup
    ) -> AsyncIterator[LiveMessage | None]:
        loop = asyncio.get_running_loop()
        known = await stored(test_id)
        deadline: float | None = None  # set once the end is sent: the summary's wait

        def wait_from(ended_at: datetime) -> float:
            # counted from the end, so a client that comes late or reconnects waits no longer
            age = (datetime.now(UTC) - ended_at).total_seconds()
            return loop.time() + min(self.summary_wait, max(0.0, self.summary_wait - age))

        while True:
            if known is not None and not len(client):  # what it missed has been sent
                if deadline is None:
                    yield self._numbered(end_message(known.test_id, known.at, known.status,
                                                     known.reason))  # fmt: skip
                    deadline = wait_from(known.at)
                if known.summary is not None:
                    yield self._numbered(summary_message(test_id, known, known.at))
                    return
            if deadline is not None and loop.time() >= deadline:
                yield self._numbered(summary_message(test_id, known, datetime.now(UTC)))
                return
            timeout = self.check_seconds
            if deadline is not None:
                timeout = min(timeout, deadline - loop.time())
            try:
                async with asyncio.timeout(timeout):
                    message = await client.get()
            except TimeoutError:
                known = await stored(test_id)
                if known is None or (deadline is not None and known.summary is None):
                    yield None  # still running, or still summarising
                continue
            except HubClosed:
                return  # shutting down: EventSource reconnects, with Last-Event-ID, elsewhere
            if deadline is not None and message.kind != "summary":
                continue  # after the end only the summary: no pods, no repeated end
            yield message
            if message.kind == "summary":
                return
            if message.kind == "end":
                deadline = wait_from(message.at)

    def _numbered(self, message: LiveMessage) -> LiveMessage:
        """A message made from the store carries the hub's last id (for Last-Event-ID)."""
        return message.model_copy(update={"seq": self.hub.sequence})


async def _nothing_stored(_test_id: str) -> StoredEnd | None:
    return None
