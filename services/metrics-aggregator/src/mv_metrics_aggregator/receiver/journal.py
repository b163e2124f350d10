"""The receiver's durable buffer: each push is stored on a JetStream stream before k6 is answered.

A push's compact points become one message per test on ``mv.points.<test>`` of the stream
``POINTS_STREAM_NAME`` (file storage, limits retention: ``RECEIVER_STREAM_MAX_BYTES`` and
``RECEIVER_STREAM_MAX_AGE``, the oldest go first). A message is two parts separated by the first
newline: a JSON head ``{"test_id", "n", "state"}`` and the points as line protocol. ``state`` is
the test's cumulative state after that push (:mod:`.state`), so the last message of a test is
where a restarted receiver takes it up (:meth:`Journal.restore`): the points and the state that
produced them are stored together or not at all. ``n`` numbers a test's messages; it is the
``Nats-Msg-Id``, so a publish retried after a lost acknowledgement is stored once.
:mod:`.writer` moves the messages to InfluxDB.

NATS away at push time: the push is compacted and its messages are held in memory, in order,
and published when NATS is back (k6 is answered after ``RECEIVER_PUBLISH_WAIT`` s at most).
Past ``RECEIVER_HELD_BYTES`` held, and until the state is read back after a start, a push is
answered 503 *before* it is compacted: k6 does not retry a push, but its series are cumulative,
so what a refused push carried comes with the series' next sample and nothing of it is stored
twice. Held messages are lost if the receiver dies before NATS is back.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from mv_contracts.subjects import DUPLICATE_WINDOW, POINTS_STREAM_NAME, POINTS_SUBJECT
from mv_runtime.bus import TRANSIENT_PUBLISH_ERRORS

from .compact import Compactor
from .state import dump_state, load_state

log = structlog.get_logger()

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


def subject_of(test_id: str) -> str:
    """A test's subject; an id that is not a plain NATS token is named by its hash."""
    token = (
        test_id
        if TOKEN.fullmatch(test_id)
        else "h-" + hashlib.sha256(test_id.encode()).hexdigest()[:32]
    )
    return POINTS_SUBJECT.replace("*", token)


def stream_config(max_bytes: int, max_age: float) -> StreamConfig:
    return StreamConfig(
        name=POINTS_STREAM_NAME,
        subjects=[POINTS_SUBJECT],
        retention=RetentionPolicy.LIMITS,  # a test's last message outlives its write (restore)
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_bytes=max_bytes,
        max_age=max_age,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.add_stream(config)
    except BadRequestError:  # it exists with other limits: the settings win
        await js.update_stream(config)


def split(message: bytes) -> tuple[dict[str, Any], bytes]:
    """A message's head and its line protocol."""
    head, _, lines = message.partition(b"\n")
    parsed: dict[str, Any] = json.loads(head)
    return parsed, lines


@dataclass(slots=True)
class Outgoing:
    subject: str
    msg_id: str
    data: bytes
    stored: asyncio.Future[None]


@dataclass(slots=True)
class JournalStats:
    published: int = 0  # messages JetStream stored
    held: int = 0  # messages waiting in memory for NATS
    held_bytes: int = 0
    failed_publishes: int = 0
    refused_pushes: int = 0  # answered 503, not compacted
    restored_tests: int = 0


class Journal:
    """Compacts each push and publishes it, in order, one message per test."""

    def __init__(
        self,
        compactor: Compactor,
        *,
        max_held_bytes: int,
        publish_wait: float,
        publish_timeout: float = 5.0,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
    ) -> None:
        self.compactor = compactor
        self.max_held_bytes = max_held_bytes
        self.publish_wait = publish_wait
        self.publish_timeout = publish_timeout
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = JournalStats()
        self.restored = False
        self._numbers: dict[str, int] = {}
        self._outbox: deque[Outgoing] = deque()
        self._wake = asyncio.Event()
        self._healthy = True  # the last publish was stored
        self._pruned = time.monotonic()

    def refusal(self) -> str | None:
        """Why a push is refused now (nothing compacted, nothing lost), or None."""
        if not self.restored:
            return "the receiver is reading the tests' state back from JetStream"
        if self.stats.held_bytes > self.max_held_bytes:
            return f"NATS unreachable and {self.stats.held_bytes:,} bytes held in memory"
        return None

    async def push(self, request: Any) -> None:
        """Compact ``request``, queue its messages, wait a little for JetStream to store them."""
        stored = self._accept(request)
        if stored and self._healthy:
            await asyncio.wait(stored, timeout=self.publish_wait)

    def _accept(self, request: Any) -> list[asyncio.Future[None]]:
        # No await from compaction to the queue: concurrent pushes are queued in state order.
        # Every test the push touched gets a message: its state moved, points or not.
        tests = self.compactor.tests
        per_test = self.compactor.lines_by_test(request)
        loop = asyncio.get_running_loop()
        stored = []
        for test_id, test_lines in per_test.items():
            number = self._numbers[test_id] = self._numbers.get(test_id, 0) + 1
            head = {"test_id": test_id, "n": number, "state": dump_state(tests[test_id])}
            data = "\n".join([json.dumps(head, separators=(",", ":")), *test_lines]).encode()
            subject = subject_of(test_id)
            outgoing = Outgoing(subject, f"{subject}:{number}", data, loop.create_future())
            self._outbox.append(outgoing)
            self.stats.held += 1
            self.stats.held_bytes += len(data)
            stored.append(outgoing.stored)
        self._wake.set()
        if time.monotonic() - self._pruned > 60:
            self._pruned = time.monotonic()
            for test_id in [t for t in self._numbers if t not in tests]:
                del self._numbers[test_id]
        return stored

    async def restore(self, js: JetStreamContext, state_ttl: float) -> None:
        """Take up each test whose last message is younger than ``state_ttl`` s."""
        info = await js.stream_info(POINTS_STREAM_NAME, subjects_filter=POINTS_SUBJECT)
        now = datetime.now(UTC)
        for subject in info.state.subjects or {}:
            message = await js.get_last_msg(POINTS_STREAM_NAME, subject)
            if message.time is not None and (now - message.time).total_seconds() > state_ttl:
                continue
            head, _ = split(message.data or b"{}")
            test_id = head["test_id"]
            if test_id not in self.compactor.tests:
                self.compactor.tests[test_id] = load_state(head["state"])
                self._numbers[test_id] = int(head["n"])
                self.stats.restored_tests += 1
        self.restored = True
        log.info("receiver state restored", tests=self.stats.restored_tests)

    async def run(self, js: JetStreamContext) -> None:
        """Publish the queue's head until stored, then the next; for ever."""
        while True:
            if not self._outbox:
                self._wake.clear()
                await self._wake.wait()
                continue
            head = self._outbox[0]
            try:
                await self._publish(js, head)
            except TRANSIENT_PUBLISH_ERRORS:
                # tenacity only once a publish failed: building it costs ~50 µs a push.
                retrying = AsyncRetrying(
                    retry=retry_if_exception_type(TRANSIENT_PUBLISH_ERRORS),
                    wait=wait_exponential(multiplier=self.backoff, max=self.max_backoff),
                    before_sleep=self._failed,
                )
                self._healthy = False
                self.stats.failed_publishes += 1
                await asyncio.sleep(self.backoff)
                async for attempt in retrying:
                    with attempt:
                        await self._publish(js, head)
            self._healthy = True
            self._outbox.popleft()
            self.stats.held -= 1
            self.stats.held_bytes -= len(head.data)
            self.stats.published += 1
            if not head.stored.done():
                head.stored.set_result(None)

    async def _publish(self, js: JetStreamContext, outgoing: Outgoing) -> None:
        await js.publish(
            outgoing.subject,
            outgoing.data,
            timeout=self.publish_timeout,
            stream=POINTS_STREAM_NAME,
            headers={"Nats-Msg-Id": outgoing.msg_id},
        )

    def _failed(self, state: RetryCallState) -> None:
        self._healthy = False
        self.stats.failed_publishes += 1
        error = state.outcome.exception() if state.outcome else None
        log.warning("jetstream did not store a push, held", error=repr(error), held=self.stats.held)

    async def drained(self, within: float) -> bool:
        """Wait until nothing is held; False if that took past ``within`` s."""
        deadline = time.monotonic() + within
        while self._outbox:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True
