"""The running tests, kept in a JetStream key-value bucket so a restarted aggregator resumes
their live loops.

Why a bucket: the started event is acked as soon as its loop starts, so a restarted aggregator
never sees it again, and replaying the stream to pair started with finished events would read a
week of events. A key per test holds its TestStarted while it runs and ``FINISHED`` once its
finished event came; the marker (not a delete) lets :meth:`remember` refuse a started event
redelivered after the end. Entries expire after ``LIVE_MAX_HOURS``, like a loop that never ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import nats.errors
import nats.js.errors
import structlog
from nats.js.kv import KeyValue
from pydantic import ValidationError

from mv_contracts.lifecycle import TestStarted

BUCKET = "mv-aggregator-running"
FINISHED = b"finished"
# NATS, JetStream or the bucket away: the live loops are best-effort, the summary is not affected.
KV_ERRORS = (nats.errors.Error, TimeoutError)

log = structlog.get_logger()
OpenBucket = Callable[[], Awaitable[KeyValue]]


def key(test_id: str) -> str:
    # Bucket keys allow [-/_=.a-zA-Z0-9] only; a test id may hold anything.
    return hashlib.sha256(test_id.encode()).hexdigest()


class RunningTestsBucket:
    """The started events of the tests running now, in the bucket (the pod-watcher keeps only
    their ids, in memory: ``RunningTestIds``)."""

    def __init__(self, open_bucket: OpenBucket) -> None:
        self._open = open_bucket
        self._bucket: KeyValue | None = None

    async def _kv(self) -> KeyValue:
        if self._bucket is None:
            self._bucket = await self._open()
        return self._bucket

    async def remember(self, started: TestStarted) -> bool:
        """Record a started test; False if it is known already (running, or finished)."""
        try:
            await (await self._kv()).create(
                key(started.test_id), started.model_dump_json().encode()
            )
        except nats.js.errors.KeyWrongLastSequenceError:
            return False
        except KV_ERRORS as error:
            log.warning("running test not recorded", test_id=started.test_id, error=str(error))
        return True

    async def forget(self, test_id: str) -> None:
        try:
            await (await self._kv()).put(key(test_id), FINISHED)
        except KV_ERRORS as error:
            log.warning("finished test not recorded", test_id=test_id, error=str(error))

    async def running(self) -> list[TestStarted]:
        """The tests that started and have not finished, as their started events."""
        try:
            kv = await self._kv()
            keys = await kv.keys()
        except nats.js.errors.NoKeysError:
            return []
        except KV_ERRORS as error:
            log.warning("running tests unknown", error=str(error))
            return []
        found: list[TestStarted] = []
        for name in keys:
            try:
                entry = await kv.get(name)
            except (nats.js.errors.KeyNotFoundError, *KV_ERRORS):
                continue
            if entry.value and entry.value != FINISHED:
                try:
                    found.append(TestStarted.model_validate_json(entry.value))
                except ValidationError as error:
                    log.warning("unreadable running test entry", key=name, error=str(error))
        return found
