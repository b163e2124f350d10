"""When a schedule fires: a cron expression read in a time zone, or every N hours. Plain
functions over aware datetimes; no I/O.

Cron is read by cronsim, in the schedule's zone, so "0 2 * * *" in Asia/Seoul is 02:00 there
on every day whatever the server's zone is, and daylight-saving gaps and repeats are handled as
cron does (a time that does not exist runs at the next one that does; a repeated hour runs once).
An interval counts from a fixed anchor (when the schedule was set), so restarts never shift it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cronsim import CronSim, CronSimError

from mv_gateway.core.errors import FieldError

MAX_HOURS = 24 * 31


class InvalidSchedule(FieldError):
    """A cron expression, zone or interval that cannot be scheduled."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Exactly one of ``cron`` (with ``timezone``) and ``every_hours``."""

    cron: str | None
    timezone: str
    every_hours: int | None
    anchor: datetime  # an interval's runs fall on anchor + k * every_hours

    def next_after(self, after: datetime) -> datetime:
        """The first run strictly after ``after`` (UTC)."""
        if self.every_hours is not None:
            step = timedelta(hours=self.every_hours)
            passed = max(0, (after - self.anchor) // step + 1)
            return (self.anchor + passed * step).astimezone(UTC)
        assert self.cron is not None
        local = after.astimezone(zone(self.timezone))
        return next(iter(CronSim(self.cron, local))).astimezone(UTC)

    def upcoming(self, after: datetime, count: int) -> list[datetime]:
        found: list[datetime] = []
        for _ in range(count):
            after = self.next_after(after)
            found.append(after)
        return found

    def describe(self) -> str:
        """In English words; the web UI words it in the reader's language itself."""
        if self.every_hours is not None:
            return "Every hour" if self.every_hours == 1 else f"Every {self.every_hours} hours"
        assert self.cron is not None
        return f"{CronSim(self.cron, datetime.now(UTC)).explain()} ({self.timezone})"


@cache
def _zones() -> frozenset[str]:
    """The IANA names this machine knows (walking them takes ~0.1 s: once)."""
    return frozenset(available_timezones()) | {"UTC"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSchedule("timezone", message=f"{name!r} is not an IANA time zone") from None


def timing(cron: str | None, timezone: str, every_hours: int | None, anchor: datetime) -> Timing:
    """The checked timing; :class:`InvalidSchedule` names the field that cannot be used."""
    if (cron is None) == (every_hours is None):
        raise InvalidSchedule("cron", message="give a cron expression or every_hours, not both")
    if timezone not in _zones():
        raise InvalidSchedule("timezone", message=f"{timezone!r} is not an IANA time zone")
    if every_hours is not None and not 1 <= every_hours <= MAX_HOURS:
        raise InvalidSchedule("every_hours", message=f"from 1 to {MAX_HOURS} hours")
    if cron is not None:
        fields = cron.split()
        if len(fields) != 5:
            raise InvalidSchedule(
                "cron", message="five fields: minute hour day-of-month month day-of-week"
            )
        try:
            next(iter(CronSim(cron, datetime.now(zone(timezone)))))
        except (CronSimError, StopIteration) as error:
            raise InvalidSchedule("cron", message=f"not a cron expression: {error}") from None
    return Timing(cron=cron, timezone=timezone, every_hours=every_hours, anchor=anchor)
