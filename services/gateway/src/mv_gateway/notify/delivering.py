"""Sending what waits in ``notification_delivery``: one try at a time, each logged.

A due delivery is claimed by a conditional update (``claimed_until``), so two gateway replicas
never send the same try twice; a replica that dies mid-try leaves a claim that runs out, and
the try is made again. A failed try is tried again after ``backoff_seconds``, doubled each time
up to ``backoff_max_seconds``, until ``attempts`` tries: then the delivery is failed. The
schedule lives in the rows rather than in an in-process retry loop (tenacity and the like), so
a restart loses no retry and every try is in the log with its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_gateway.auth import allowed_entries
from mv_gateway.core.database import utcnow
from mv_gateway.core.outbound import outbound_policy
from mv_gateway.core.settings import Settings
from mv_runtime.sealing import SealingError

from . import rendering, sending, signing
from .tables import DELIVERED, FAILED, PENDING, NotificationAttempt, NotificationChannel
from .tables import NotificationDelivery as Delivery

log = structlog.get_logger()
BATCH = 20


def backoff(settings: Settings, tries: int) -> float:
    """Seconds before the next try, after ``tries`` failed ones."""
    notify = settings.notify
    return float(min(notify.backoff_seconds * 2 ** (tries - 1), notify.backoff_max_seconds))


class Courier:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.sealer = settings.sealer()
        self.services = settings.platform_services()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.notify.timeout_seconds * 3 + 30)

    async def claim(self, delivery_id: int, now: datetime) -> bool:
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == PENDING,
                       or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
                .values(claimed_until=now + self.lease())
            )  # fmt: skip
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def round(self) -> int:
        """Try every due delivery this replica can claim; how many were tried."""
        now = utcnow()
        async with self.sessions() as session:
            due = (
                await session.scalars(
                    select(Delivery.id)
                    .where(
                        Delivery.status == PENDING,
                        Delivery.next_attempt_at <= now,
                        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                    )
                    .order_by(Delivery.next_attempt_at)
                    .limit(BATCH)
                )
            ).all()
        tried = 0
        for delivery_id in due:
            if await self.claim(delivery_id, now):
                await self.attempt(delivery_id)
                tried += 1
        return tried

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception as error:  # the database away: try again next round
                log.warning("notification round failed", error=str(error))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.notify.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def attempt(self, delivery_id: int) -> None:
        """One try of a delivery this replica has claimed, logged with its answer."""
        async with self.sessions() as session:
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            channel = await session.get(NotificationChannel, delivery.channel_id)
            assert channel is not None
            allowed = await allowed_entries(session, self.settings)
        outcome = await self._send(channel, delivery, allowed)
        async with self.sessions() as session, session.begin():
            row = await session.get(Delivery, delivery_id)
            if row is None:  # the channel was deleted meanwhile
                return
            row.attempts += 1
            row.claimed_until = None
            if outcome.ok or row.attempts >= row.max_attempts:
                row.status, row.finished_at = (DELIVERED if outcome.ok else FAILED), utcnow()
            else:
                row.next_attempt_at = utcnow() + timedelta(
                    seconds=backoff(self.settings, row.attempts)
                )
            session.add(
                NotificationAttempt(
                    delivery_id=delivery_id, ok=outcome.ok, status_code=outcome.status_code,
                    answer=outcome.answer, duration_ms=outcome.duration_ms,
                )
            )  # fmt: skip
        log.info("notification tried", delivery=delivery_id, ok=outcome.ok,
                 status=outcome.status_code)  # fmt: skip

    def _open(self, sealed: str | None) -> str:
        if sealed is None or self.sealer is None:
            raise SealingError("the channel's secrets are sealed and SECRETS_KEY is not set")
        return str(self.sealer.open(sealed))

    async def _send(
        self, channel: NotificationChannel, delivery: Delivery, allowed: list[str]
    ) -> sending.Outcome:
        message = delivery.message
        if channel.kind == "email":
            smtp = self.settings.notify.smtp
            if smtp.host is None:
                return sending.Outcome(False, None, "e-mail is not set up (NOTIFY__SMTP__HOST)", 0)
            password = smtp.password.get_secret_value() if smtp.password else None
            server = sending.Smtp(smtp.host, smtp.port, smtp.sender, smtp.username, password,
                                  smtp.starttls, self.settings.notify.timeout_seconds)  # fmt: skip
            subject = rendering.headline(message)
            return await sending.mail(server, channel.recipients or [], subject,
                                      rendering.plain_text(message))  # fmt: skip
        try:
            url = self._open(channel.url)
            secret = self._open(channel.signing_secret) if channel.kind == "webhook" else None
        except SealingError as error:
            return sending.Outcome(False, None, str(error), 0)
        payload = rendering.slack(message) if channel.kind == "slack" else message
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {signing.DELIVERY: str(delivery.id), signing.EVENT: delivery.event}
        if secret is not None:
            timestamp = int(time.time())
            headers[signing.TIMESTAMP] = str(timestamp)
            headers[signing.SIGNATURE] = signing.signature(secret, timestamp, body)
        policy = outbound_policy(self.settings.notify, allowed, self.services)
        timeout = httpx.Timeout(self.settings.notify.timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                     trust_env=False) as client:  # fmt: skip
            return await sending.post(client, policy, url, body, headers)
