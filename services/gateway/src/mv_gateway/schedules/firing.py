"""The scheduler: a task of the gateway that starts each due run of a schedule exactly once.

Every ``SCHEDULE_POLL_SECONDS`` it lists the schedules whose ``next_run_at`` has come and, for
each, claims the run (:meth:`.store.Schedules.claim`) in a transaction that then stores the run
and its command (the outbox) and commits: a gateway that dies before the commit leaves the run
unclaimed for the next tick, of this gateway after a restart or of another replica; a gateway
that commits has started it, and no other claim can match it any more. The run's test id is
made from the schedule and the due time as well, so even a second claim could not store it twice.

The next run is always the first one after *now*: a gateway that was down over several runs
starts at most one of them, and only when the schedule's ``catch_up`` is ``one`` or the run is
less than ``SCHEDULE_LATE_SECONDS`` late (a restart, not an outage).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.envelope import derived_id
from mv_gateway.auth import Principal, Role
from mv_gateway.core.database import utcnow
from mv_gateway.core.errors import GatewayError
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.health import MetricsPath
from mv_gateway.history import TestRuns
from mv_gateway.plans import plan_of, run_plan

from .service import timing_of
from .store import Schedules
from .tables import PlanSchedule

log = structlog.get_logger()

Clock = Callable[[], datetime]


def scheduled_test_id(schedule_id: int, due: datetime) -> str:
    return str(derived_id("scheduled-run", str(schedule_id), due.isoformat()))


@dataclass(frozen=True, slots=True)
class Fired:
    """What one tick did with one due run (for logs and tests)."""

    plan_id: int
    due: datetime
    outcome: str  # started, skipped, missed, refused
    test_id: str | None = None


class Scheduler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        settings: Settings,
        metrics_path: MetricsPath,
        clock: Clock = utcnow,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.settings = settings
        self.metrics_path = metrics_path
        self.clock = clock

    async def run(self) -> None:
        """Tick until cancelled; a failed tick is logged and the next one tries again."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.settings.schedule_poll_seconds)

    async def tick(self, now: datetime | None = None) -> list[Fired]:
        now = now or self.clock()
        async with self.sessions() as session:
            due = list(await Schedules(session).due(now, 100))
        fired = []
        for listed in due:
            try:
                done = await self._fire(listed, now)
            except OperationalError as error:  # SQLite busy: another gateway is writing
                log.warning("schedule not claimed, retried next tick", error=str(error))
                continue
            if done is not None:
                fired.append(done)
        return fired

    async def _fire(self, listed: PlanSchedule, now: datetime) -> Fired | None:
        """Claim first (the transaction's first statement: on SQLite a read before it could
        not be turned into a write once another gateway wrote), then decide."""
        due, plan_id = listed.next_run_at, listed.plan_id
        assert due is not None
        next_run = timing_of(listed).next_after(now)
        late = (now - due).total_seconds() > self.settings.schedule_late_seconds
        async with self.sessions() as session:
            if not await Schedules(session).claim(listed.id, due, next_run):
                await session.rollback()
                return None
            row = await session.get(PlanSchedule, listed.id)
            assert row is not None
            if late and row.catch_up == "none":
                return await self._record(session, row, due, "missed", "the gateway was down")
            if row.skip_while_running and await TestRuns(session).plan_running(plan_id):
                return await self._record(
                    session, row, due, "skipped", "the previous run is still running"
                )
            test_id = scheduled_test_id(row.id, due)
            detail = "a run missed while the gateway was down" if late else None
            self._note(row, "started", detail, test_id)
            plan = await plan_of(session, plan_id)
            actor = Principal(kind="schedule", id=row.id, name=plan.name[:80], role=Role(row.role))
            try:
                await run_plan(
                    session, self.outbox, plan_id, actor, self.settings, self.metrics_path,
                    test_id=test_id,
                )  # fmt: skip
            except GatewayError as error:
                await session.rollback()
                log.warning("scheduled run refused", plan_id=plan_id, error=str(error))
                return await self._refused(listed.id, due, next_run, str(error.detail))
        log.info("scheduled run started", plan_id=plan_id, due=due.isoformat(), test_id=test_id)
        return Fired(plan_id, due, "started", test_id)

    async def _refused(
        self, schedule_id: int, due: datetime, next_run: datetime, why: str
    ) -> Fired | None:
        """The run was refused (limits, a plan that no longer validates...): the claim is taken
        again on its own, so the refusal is recorded once and the schedule goes on."""
        async with self.sessions() as session:
            if not await Schedules(session).claim(schedule_id, due, next_run):
                return None
            row = await session.get(PlanSchedule, schedule_id)
            assert row is not None
            return await self._record(session, row, due, "refused", why[:2000])

    async def _record(
        self, session: AsyncSession, row: PlanSchedule, due: datetime, outcome: str, why: str
    ) -> Fired:
        self._note(row, outcome, why, None)
        await session.commit()
        log.info("scheduled run not started", plan_id=row.plan_id, outcome=outcome, why=why)
        return Fired(row.plan_id, due, outcome)

    @staticmethod
    def _note(row: PlanSchedule, outcome: str, detail: str | None, test_id: str | None) -> None:
        row.last_outcome, row.last_detail, row.last_test_id = outcome, detail, test_id
