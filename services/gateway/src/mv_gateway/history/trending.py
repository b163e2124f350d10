"""A plan's key figures over its last runs, the baseline they are judged against, and which
runs regressed: what the project page draws per plan, and the JSON other tools read.

A run regressed when its stored analysis judged it worse than its baseline (the one comparison
method, :mod:`mv_gateway.analysis.regression`); the figures named are those judged worse. The
baseline drawn is the project's marked baseline, else the one the newest run was compared with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.analysis import Analysis, Judgement

from .states import RunState, run_state
from .tables import TestAnalysis, TestHistory

KEY_FIGURES = ("avg_tps", "p95_response_time", "avg_error_rate")


class KeyFigures(BaseModel):
    avg_tps: float | None = Field(description="Requests per second")
    p95_response_time: float | None = Field(description="Milliseconds")
    avg_error_rate: float | None = Field(description="Fraction, 0.02 = 2 %")


class TrendRun(KeyFigures):
    test_history_id: int
    test_id: str
    tested_at: datetime
    state: RunState
    verdict: str | None
    started_by: str | None
    regression: bool = Field(description="Judged worse than its baseline")
    worse: list[str] = Field(description="The figures judged worse (with the scenario, if one)")


class TrendBaseline(KeyFigures):
    test_history_id: int
    test_id: str
    tested_at: datetime
    marked: bool = Field(description="The project's marked baseline (else the newest run's)")


class PlanTrend(BaseModel):
    plan_id: int
    figures: list[str] = Field(default=list(KEY_FIGURES), description="The figures followed")
    baseline: TrendBaseline | None
    runs: list[TrendRun] = Field(description="Completed runs of the plan, oldest first")


def _figures(test: TestHistory) -> dict[str, Any]:
    return {name: getattr(test, name) for name in KEY_FIGURES}


def _worse(analysis: Analysis | None) -> list[str]:
    if analysis is None:
        return []
    return [
        c.figure if c.scenario is None else f"{c.figure} ({c.scenario})"
        for c in analysis.comparisons
        if c.judgement is Judgement.WORSE
    ]


async def plan_trend(session: AsyncSession, plan_id: int, project_id: int, limit: int) -> PlanTrend:
    newest = await session.scalars(
        select(TestHistory)
        .where(TestHistory.plan_id == plan_id, TestHistory.is_completed.is_(True))
        .order_by(TestHistory.tested_at.desc(), TestHistory.id.desc())
        .limit(limit)
    )
    tests = list(reversed(newest.all()))
    stored = {
        a.test_history_id: a
        for a in await session.scalars(
            select(TestAnalysis).where(TestAnalysis.test_history_id.in_([t.id for t in tests]))
        )
    }
    runs = []
    for test in tests:
        row = stored.get(test.id)
        analysis = Analysis.model_validate(row.analysis) if row else None
        worse = _worse(analysis)
        runs.append(
            TrendRun(
                test_history_id=test.id,
                test_id=test.test_id,
                tested_at=test.tested_at,
                state=run_state(test.status, test.status_reason, test.finished_event),
                verdict=test.verdict,
                started_by=test.started_by,
                regression=bool(analysis and analysis.baseline_judgement is Judgement.WORSE),
                worse=worse,
                **_figures(test),
            )
        )
    baseline = await session.scalar(
        select(TestHistory).where(
            TestHistory.project_id == project_id, TestHistory.is_baseline.is_(True)
        )
    )
    marked = baseline is not None
    if baseline is None:
        compared = next(
            (stored[t.id].baseline_test_history_id for t in reversed(tests) if t.id in stored),
            None,
        )
        baseline = await session.get(TestHistory, compared) if compared else None
    return PlanTrend(
        plan_id=plan_id,
        baseline=None if baseline is None else TrendBaseline(
            test_history_id=baseline.id, test_id=baseline.test_id,
            tested_at=baseline.tested_at, marked=marked, **_figures(baseline),
        ),
        runs=runs,
    )  # fmt: skip
