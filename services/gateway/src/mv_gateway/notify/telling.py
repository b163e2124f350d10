"""Which channels hear of a test's end, and the messages queued for them.

Called by the history inside the transaction that stores the end (the summary with its
analysis, or the finished event of a run that never ran), so a message is queued exactly when
its cause is stored: a redelivered bus message queues nothing twice (it is applied once) and a
receiver that is down delays nothing (the :mod:`.delivering` loop sends later).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.metrics import FIGURE_NAMES
from mv_gateway.analysis import Analysis
from mv_gateway.core.settings import Settings
from mv_gateway.history import RunState, TestHistory, run_state
from mv_gateway.projects import ProjectRepository

from .delivering import Courier
from .events import Event, events_of_summary, main_event, run_message
from .tables import NotificationChannel, NotificationDelivery


def run_facts(test: TestHistory) -> dict[str, Any]:
    return {
        "id": test.id, "test_id": test.test_id, "title": test.title, "status": test.status,
        "reason": test.status_reason, "started_at": test.tested_at.isoformat(),
        "completed_at": test.completed_at.isoformat() if test.completed_at else None,
    }  # fmt: skip


class Teller:
    def __init__(self, settings: Settings, courier: Courier) -> None:
        self.settings = settings
        self.courier = courier

    async def summarised(
        self, session: AsyncSession, test: TestHistory, analysis: Analysis | None
    ) -> None:
        if run_state(test.status, test.status_reason, test.finished_event) is (
            RunState.FAILED_TO_RUN
        ):
            return  # told when it finished: it never ran
        events = events_of_summary(analysis, test.figures_complete is not False)
        await self._tell(session, test, events, analysis)

    async def finished(self, session: AsyncSession, test: TestHistory) -> None:
        state = run_state(test.status, test.status_reason, test.finished_event)
        if state is RunState.FAILED_TO_RUN:
            await self._tell(session, test, [Event.FAILED_TO_START], None)

    async def _tell(
        self, session: AsyncSession, test: TestHistory, events: list[Event],
        analysis: Analysis | None,
    ) -> None:  # fmt: skip
        channels = (
            await session.scalars(
                select(NotificationChannel).where(
                    NotificationChannel.project_id == test.project_id,
                    NotificationChannel.enabled.is_(True),
                )
            )
        ).all()
        # A summary made again (SUMMARISE_TEST) is stored again: a channel hears of a test once.
        told = set(
            await session.scalars(
                select(NotificationDelivery.channel_id).where(
                    NotificationDelivery.test_id == test.test_id
                )
            )
        )
        project = await ProjectRepository(session).get(test.project_id)
        about = {"id": test.project_id, "title": project.title if project else None}
        figures = {name: getattr(test, name) for name in FIGURE_NAMES}
        link = self.settings.ui_url(f"/tests/{test.id}")
        queued = False
        for channel in channels:
            chosen = [e for e in events if e.value in channel.events]
            if not chosen or channel.id in told:
                continue
            event = main_event(chosen)
            message = run_message(
                event=event, events=chosen, test=run_facts(test), project=about,
                figures=figures, analysis=analysis, link=link,
            )  # fmt: skip
            session.add(
                NotificationDelivery(
                    channel_id=channel.id, test_id=test.test_id, event=event.value,
                    events=[e.value for e in chosen], message=message,
                    max_attempts=self.settings.notify.attempts,
                )
            )  # fmt: skip
            queued = True
        if queued:
            await session.flush()
            self.courier.wake()
