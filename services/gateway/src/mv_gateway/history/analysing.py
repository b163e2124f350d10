"""A stored test as the analysis sees it, and its analysis run and kept.

Findings are computed when the summary is stored and again on demand; both read the same
stored rows (the run request, the summary as received, the pods' series), so a finding on the
result page is the one a later re-analysis gives.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import Executor, ResponseTimeTarget, ScenarioRequest, Stage, TestRunRequest
from mv_gateway.analysis import (
    Analysis,
    AnalysisThresholds,
    PodSample,
    RunFacts,
    analyse,
    with_overrides,
)

from .queries import HistoryQueries, ScenarioDetails, TestDetails
from .results import TestResults
from .states import RunState, run_state
from .tables import TestHistory


def request_of(test: TestHistory, scenarios: list[ScenarioRequest]) -> TestRunRequest:
    """The stored request, or, for a test started before requests were kept, what its
    scenario rows still tell (built without validation: older rows lack some options)."""
    if test.run_request is not None:
        request = TestRunRequest.model_validate(test.run_request)
        if request.own_script is not None:
            # Its scenarios are the script's own, as k6's inspection gave the rows: read back for
            # the rules per scenario, never sent anywhere (model_copy does not validate).
            return request.model_copy(update={"scenarios": scenarios})
        return request
    known: dict[str, Any] = {
        "test_id": test.test_id,
        "title": test.title,
        "project_id": test.project_id,
        "target_tps": test.target_tps,
        "scenarios": scenarios,
        "headers": {},
    }
    return TestRunRequest.model_construct(**known)


def _scenario_of(details: ScenarioDetails) -> ScenarioRequest:
    row = details.scenario
    target = (
        ResponseTimeTarget(max_ms=row.response_time_target, percentile=95)
        if row.response_time_target
        else None
    )
    known: dict[str, Any] = {
        "name": row.name,
        # An own script's executor may be one the form has not (externally-controlled).
        "executor": Executor(row.executor) if row.executor in set(Executor) else None,
        "stages": [Stage(duration=s.duration, target=s.target) for s in details.stages],
        "response_time_target": target,
        "error_rate_target": row.error_rate_target,
        "think_time": row.think_time or 0,
    }
    return ScenarioRequest.model_construct(**known)


async def facts_of(
    session: AsyncSession, test: TestHistory, details: TestDetails | None = None
) -> RunFacts | None:
    """The facts of a summarised test (from its ``details`` when the caller has read them);
    None before its summary."""
    summary = await TestResults(session).summary(test.id)
    if summary is None:
        return None
    details = details or await HistoryQueries(session).details(test.id)
    assert details is not None
    scenarios = [_scenario_of(d) for d in details.scenarios]
    pods = [
        PodSample(
            pod=series.pod_name,
            at=point.timestamp,
            cpu_usage_millicores=point.cpu_usage_millicores,
            cpu_limit_millicores=point.cpu_limit_millicores,
            cpu_percent=point.cpu_percent,
            memory_usage_mb=point.memory_usage_mb,
            memory_limit_mb=point.memory_limit_mb,
            restarts=point.restarts,
        )
        for series in details.resources
        for point in series.points
    ]
    # Failed, yet run to its end: k6's exit code 99, a threshold crossed.
    ended = run_state(test.status, test.status_reason, None) is RunState.COMPLETED
    crossed = ended and test.status == RunStatus.FAILED
    return RunFacts(
        request=request_of(test, scenarios), summary=summary, pods=pods, thresholds_crossed=crossed
    )


async def analyse_test(
    session: AsyncSession, test: TestHistory, thresholds: AnalysisThresholds
) -> Analysis | None:
    """Analyse ``test`` (against its baseline, if it has one) by the ``thresholds`` of the
    settings with the test's own over them, and keep the result."""
    facts = await facts_of(session, test)
    if facts is None:
        return None
    results = TestResults(session)
    baseline_row = await results.baseline_for(test)
    baseline = await facts_of(session, baseline_row) if baseline_row else None
    analysis = analyse(facts, with_overrides(thresholds, test.analysis_thresholds), baseline)
    baseline_id = baseline_row.id if baseline_row is not None and baseline else None
    await results.store_analysis(test.id, analysis, baseline_id)
    return analysis
