"""Notification channels of a project, what was sent to them and each attempt's answer.

A channel's URL and signing secret are stored sealed (Fernet, SECRETS_KEY): the row read raw
holds none in clear. A delivery is one message to one channel about one test (or a test
message); it is added in the transaction that stores what it tells, and sent afterwards by the
:mod:`.delivering` loop, so the result is stored whether or not the receiver answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class NotificationChannel(Base):
    __tablename__ = "notification_channel"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), doc="webhook, slack or email")
    url: Mapped[str | None] = mapped_column(Text, doc="Sealed: webhook and Slack")
    url_hint: Mapped[str | None] = mapped_column(String(300), doc="Scheme and host, to show")
    signing_secret: Mapped[str | None] = mapped_column(Text, doc="Sealed: webhook")
    recipients: Mapped[list[str] | None] = mapped_column(JSON, doc="E-mail addresses")
    events: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationDelivery(Base):
    __tablename__ = "notification_delivery"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channel.id", ondelete="CASCADE"), index=True
    )
    test_id: Mapped[str | None] = mapped_column(String(36), doc="None for a test message")
    event: Mapped[str] = mapped_column(String(30), doc="The main event, of ``events``")
    events: Mapped[list[str]] = mapped_column(JSON)
    message: Mapped[dict[str, Any]] = mapped_column(JSON, doc="What is sent: no secret in it")
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(doc="A replica is sending it")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class NotificationAttempt(Base):
    __tablename__ = "notification_attempt"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("notification_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    answer: Mapped[str | None] = mapped_column(String(500), doc="The answer's start, or error")
    duration_ms: Mapped[int]
