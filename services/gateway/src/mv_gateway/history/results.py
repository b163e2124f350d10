"""What a finished test leaves beside its figures: the run request it was started with, its
summary as received (series included), its analysis and whether it is its project's baseline.

The only code besides :mod:`.records` and :mod:`.queries` that queries these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.metrics import TestSummary
from mv_contracts.runs import TestRunRequest
from mv_gateway.analysis import Analysis
from mv_gateway.core.database import utcnow
from mv_runtime.sealing import replace_secrets

from .tables import TestAnalysis, TestHistory, TestSummaryRecord

MASK = "***"


def masked_request(request: TestRunRequest) -> dict[str, Any]:
    """The request as JSON with every header value and every secret query or body value masked:
    what a rule or a page may read."""
    data = replace_secrets(request, lambda _value: MASK).model_dump(mode="json")
    data["headers"] = dict.fromkeys(data.get("headers") or {}, MASK)
    for scenario in data["scenarios"]:
        calls = [scenario.get("endpoint")] + [s["endpoint"] for s in scenario.get("steps") or []]
        if isinstance(scenario.get("sign_in"), dict) and "endpoint" in scenario["sign_in"]:
            calls.append(scenario["sign_in"]["endpoint"])
        for endpoint in filter(None, calls):
            endpoint["headers"] = dict.fromkeys(endpoint.get("headers") or {}, MASK)
    if isinstance(data.get("own_script"), dict):  # its files are the stored version's
        data["own_script"]["archive"] = ""  # still a request the contract reads back
    return data


class TestResults:
    __test__ = False  # not a pytest class

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep_request(self, test: TestHistory, request: TestRunRequest) -> None:
        test.run_request = masked_request(request)
        await self.session.flush()

    async def store_summary(self, test_history_id: int, summary: TestSummary) -> None:
        data = summary.model_dump(mode="json")
        row = await self.session.get(TestSummaryRecord, test_history_id)
        if row is None:
            self.session.add(TestSummaryRecord(test_history_id=test_history_id, summary=data))
        else:
            row.summary, row.stored_at = data, utcnow()
        await self.session.flush()

    async def summary(self, test_history_id: int) -> TestSummary | None:
        row = await self.session.get(TestSummaryRecord, test_history_id)
        return TestSummary.model_validate(row.summary) if row else None

    async def store_analysis(
        self, test_history_id: int, analysis: Analysis, baseline_id: int | None
    ) -> None:
        data = analysis.model_dump(mode="json")
        row = await self.session.get(TestAnalysis, test_history_id)
        if row is None:
            row = TestAnalysis(test_history_id=test_history_id, analysis=data)
            self.session.add(row)
        row.analysis, row.baseline_test_history_id, row.analysed_at = data, baseline_id, utcnow()
        test = await self.session.get(TestHistory, test_history_id)
        if test is not None:  # lists show the verdict without reading every analysis
            test.verdict = analysis.verdict.outcome.value
        await self.session.flush()

    async def analysis(self, test_history_id: int) -> TestAnalysis | None:
        return await self.session.get(TestAnalysis, test_history_id)

    async def mark_baseline(self, test: TestHistory) -> None:
        """``test`` becomes its project's one baseline."""
        await self.session.execute(
            update(TestHistory)
            .where(TestHistory.project_id == test.project_id, TestHistory.id != test.id)
            .values(is_baseline=False)
        )
        test.is_baseline = True
        await self.session.flush()

    async def baseline_for(self, test: TestHistory) -> TestHistory | None:
        """The run to compare ``test`` with: its project's marked baseline, else the previous
        finished run of the same plan (same project and title)."""
        marked = await self.session.scalar(
            select(TestHistory).where(
                TestHistory.project_id == test.project_id,
                TestHistory.is_baseline.is_(True),
                TestHistory.id != test.id,
            )
        )
        if marked is not None:
            return marked
        previous: TestHistory | None = await self.session.scalar(
            select(TestHistory)
            .where(
                TestHistory.project_id == test.project_id,
                TestHistory.title == test.title,
                TestHistory.id < test.id,
                TestHistory.is_completed.is_(True),
                TestHistory.__table__.c.total_requests > 0,
            )
            .order_by(TestHistory.id.desc())
            .limit(1)
        )
        return previous

    async def tests(self, ids: Sequence[int]) -> list[TestHistory]:
        rows = await self.session.scalars(select(TestHistory).where(TestHistory.id.in_(ids)))
        return list(rows)
