"""A finished test's results beyond its figures: stored series, analysis, baseline, reports."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from mv_contracts.lifecycle import TestFinished
from mv_contracts.metrics import (
    CheckSummary,
    MetricFigures,
    MetricSeries,
    StepSummary,
    SummariseRequest,
    TestSummariseRequested,
    TestSummary,
)
from mv_contracts.signin import LOGIN_STEP
from mv_contracts.subjects import SUMMARISE_TEST
from mv_gateway.analysis import Analysis
from mv_gateway.auth import READ, TEST, AuditLog, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import BusDep, SessionDep, SettingsDep
from mv_gateway.core.errors import ConflictError, NotFoundError, ServiceUnavailable
from mv_gateway.reports import ReportInput, ReportScenario, render_html, render_junit

from .analysing import analyse_test, facts_of
from .compare import figures_of
from .narrating import narrate
from .queries import HistoryQueries
from .records import TestRuns
from .results import TestResults
from .states import run_state
from .tables import TestHistory

router = APIRouter(tags=["Test History"], route_class=ParsedBodyRoute)


class TestNotFinished(ConflictError):
    __test__ = False  # not a pytest class

    def __init__(self, test_id: str) -> None:
        super().__init__(f"test {test_id} has not finished: there is nothing to summarise yet")


def attachment(name: str) -> str:
    """A Content-Disposition saving as ``name``: an ASCII fallback, and the name itself
    percent-encoded (RFC 6266), so a Korean title or a quote cannot break the header."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "report"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


TestHistoryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="test_history id")]


class TestSeriesRead(BaseModel):
    """Per-step figures of the test and of each scenario (by the scenario's name), stored with
    its summary; at most ~1,000 steps, so the step grows with the test."""

    __test__ = False  # not a pytest class

    step_seconds: int
    overall: MetricSeries
    scenarios: dict[str, MetricSeries] = Field(description="By the scenario's name")


async def _test(session: SessionDep, test_history_id: int) -> TestHistory:
    test = await session.get(TestHistory, test_history_id)
    if test is None:
        raise NotFoundError("test history", test_history_id)
    return test


async def _names(session: SessionDep, test: TestHistory) -> dict[str, str]:
    """The k6 scenario tag of each scenario -> its name as the user wrote it."""
    by_tag = await TestRuns(session).scenarios_by_tag(test.id)
    return {tag: row.name for tag, row in by_tag.items() if tag}


@router.get(
    "/{test_history_id}/series",
    response_model=TestSeriesRead,
    responses={404: {}},
    dependencies=[READ],
)
async def stored_series(test_history_id: TestHistoryId, session: SessionDep) -> TestSeriesRead:
    """The stored per-step series; 404 until the summary is in (or for a test without one)."""
    test = await _test(session, test_history_id)
    summary = await TestResults(session).summary(test.id)
    if summary is None or summary.series is None:
        raise NotFoundError("series of test history", test_history_id)
    names = await _names(session, test)
    return TestSeriesRead(
        step_seconds=summary.series.step_seconds,
        overall=summary.series.overall,
        scenarios={names.get(tag, tag): s for tag, s in summary.series.scenarios.items()},
    )


class JourneyRead(BaseModel):
    """A journey scenario's figures per step and its checks' passes."""

    steps: list[StepSummary]
    checks: list[CheckSummary]


@router.get(
    "/{test_history_id}/steps",
    response_model=dict[str, JourneyRead],
    responses={404: {}},
    dependencies=[READ],
)
async def stored_steps(
    test_history_id: TestHistoryId, session: SessionDep
) -> dict[str, JourneyRead]:
    """Each journey scenario's figures per step (its name as the user wrote it), from the
    stored summary, in the journey's order (its login first), and its checks' passes; a
    scenario of one request has none. 404 until the summary is in."""
    test = await _test(session, test_history_id)
    summary = await TestResults(session).summary(test.id)
    if summary is None:
        raise NotFoundError("summary of test history", test_history_id)
    return _journeys(test, summary, await _names(session, test))


def _journeys(
    test: TestHistory, summary: TestSummary, names: dict[str, str]
) -> dict[str, JourneyRead]:
    """Each journey scenario's steps and checks (by its user's name) in the journey's order."""
    planned = {
        s.get("name"): [LOGIN_STEP] + [step.get("name") for step in s.get("steps") or []]
        for s in (test.run_request or {}).get("scenarios") or []
    }
    found: dict[str, JourneyRead] = {}
    for scenario in summary.scenarios:
        if not scenario.steps:
            continue
        name = names.get(scenario.name, scenario.name)
        order = planned.get(name, [])
        rank = {step: i for i, step in enumerate(order)}
        found[name] = JourneyRead(
            steps=sorted(scenario.steps, key=lambda s: rank.get(s.name, len(order))),
            checks=sorted(scenario.checks, key=lambda c: rank.get(c.step, len(order))),
        )
    return found


@router.get(
    "/{test_history_id}/analysis", response_model=Analysis, responses={404: {}}, dependencies=[READ]
)
async def stored_analysis(test_history_id: TestHistoryId, session: SessionDep) -> Analysis:
    """The findings of a summarised test, most severe first, and its comparison with its
    baseline run (the project's marked baseline, else the previous run of the same title)."""
    test = await _test(session, test_history_id)
    stored = await TestResults(session).analysis(test.id)
    if stored is None:
        raise NotFoundError("analysis of test history", test_history_id)
    return Analysis.model_validate(stored.analysis)


@router.post(
    "/{test_history_id}/analysis", response_model=Analysis, responses={404: {}}, dependencies=[TEST]
)
async def reanalyse(
    test_history_id: TestHistoryId, session: SessionDep, settings: SettingsDep
) -> Analysis:
    """Analyse the test again (after a new baseline, or new thresholds) and keep the result."""
    test = await _test(session, test_history_id)
    analysis = await analyse_test(session, test, settings.analysis)
    if analysis is None:
        raise NotFoundError("summary of test history", test_history_id)
    return analysis


@router.post(
    "/{test_history_id}/narrative",
    response_model=Analysis,
    responses={404: {}, 503: {"description": "No language model configured, or it failed"}},
    dependencies=[TEST],
)
async def write_narrative(
    test_history_id: TestHistoryId,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[Literal["en", "ko"], Query(description="The reader's language")] = "en",
    refresh: Annotated[bool, Query(description="Write it again")] = False,
) -> Analysis:
    """A short written summary from the findings and figures, by the configured language model
    (LLM_BASE_URL, LLM_MODEL), kept with the analysis and labelled as generated."""
    test = await _test(session, test_history_id)
    results = TestResults(session)
    stored = await results.analysis(test.id)
    if stored is None:
        raise NotFoundError("analysis of test history", test_history_id)
    analysis = Analysis.model_validate(stored.analysis)
    if lang in analysis.narratives and not refresh:
        return analysis
    report = await _report(session, test_history_id)
    assert report.overall is not None
    narrative = await narrate(
        settings,
        test.title,
        report.overall,
        {s.name: s.figures for s in report.scenarios if s.figures},
        analysis,
        lang,
    )
    analysis.narratives[lang] = narrative
    await results.store_analysis(test.id, analysis, stored.baseline_test_history_id)
    return analysis


@router.post(
    "/{test_history_id}/summarise",
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {}, 409: {}, 503: {}},
)
async def summarise_again(
    test_history_id: TestHistoryId, tester: Tester, session: SessionDep, bus: BusDep
) -> dict[str, str]:
    """Ask the metrics-aggregator for the test's summary again (after one that said it was not
    whole, or none came): the new summary replaces the stored figures when it arrives."""
    test = await _test(session, test_history_id)
    if test.finished_event is None:
        raise TestNotFinished(test.test_id)
    finished = TestFinished.model_validate(test.finished_event)
    command = TestSummariseRequested(
        correlation_id=test.test_id, payload=SummariseRequest(finished=finished)
    )
    await AuditLog(session).record(tester, "summarise_test", test.test_id)  # undone if it fails
    try:
        await bus.publish(SUMMARISE_TEST, command)
    except Exception as error:
        raise ServiceUnavailable(f"message bus unavailable: {error}") from error
    return {"test_id": test.test_id, "status": "summarising"}


@router.put(
    "/{test_history_id}/baseline",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {}},
)
async def mark_baseline(
    test_history_id: TestHistoryId, tester: Tester, session: SessionDep
) -> Response:
    """Make this run the one its project's other runs are compared with."""
    test = await _test(session, test_history_id)
    await TestResults(session).mark_baseline(test)
    await AuditLog(session).record(
        tester, "mark_baseline", test.test_id, {"project_id": test.project_id}
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _report(session: SessionDep, test_history_id: int) -> ReportInput:
    test = await _test(session, test_history_id)
    stored = await TestResults(session).analysis(test.id)
    details = await HistoryQueries(session).details(test.id)
    assert details is not None
    facts = await facts_of(session, test, details)
    if stored is None or facts is None:
        raise NotFoundError("analysis of test history", test_history_id)
    series = facts.summary.series
    journeys = _journeys(test, facts.summary, await _names(session, test))
    return ReportInput(
        test_id=test.test_id,
        title=test.title,
        status=test.status,
        state=run_state(test.status, test.status_reason, test.finished_event).value,
        started_at=test.tested_at,
        finished_at=test.completed_at,
        overall=MetricFigures.model_validate(figures_of(test)),
        scenarios=[
            ReportScenario(
                name=d.scenario.name,
                tag=d.scenario.scenario_tag or "",
                request=None,
                figures=MetricFigures.model_validate(figures_of(d.scenario)),
                series=series.scenarios.get(d.scenario.scenario_tag or "") if series else None,
                steps=journeys[d.scenario.name].steps if d.scenario.name in journeys else [],
                checks=journeys[d.scenario.name].checks if d.scenario.name in journeys else [],
            )
            for d in details.scenarios
        ],
        analysis=Analysis.model_validate(stored.analysis),
        series=series,
        pods=facts.pods,
        script=await TestRuns(session).script(test.id),
        reason=test.figures_incomplete_reason or test.status_reason,
        complete=test.figures_complete is not False,
        percentile_source=test.percentile_source,
        percentile_error_bound=test.percentile_error_bound,
    )


@router.get(
    "/{test_history_id}/report.html",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, 404: {}},
    dependencies=[READ],
)
async def html_report(
    test_history_id: TestHistoryId,
    session: SessionDep,
    lang: Annotated[Literal["en", "ko"], Query(description="Language of the report")] = "en",
    download: Annotated[bool, Query(description="As a file to save")] = False,
) -> HTMLResponse:
    """One self-contained HTML file: findings, figures, charts, pods, the k6 script."""
    html = render_html(await _report(session, test_history_id), lang)
    response = HTMLResponse(html)
    if download:
        response.headers["Content-Disposition"] = attachment(f"metric-vault-{test_history_id}.html")
    return response


@router.get(
    "/{test_history_id}/report.junit.xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, 404: {}},
    dependencies=[READ],
)
async def junit_report(test_history_id: TestHistoryId, session: SessionDep) -> Response:
    """JUnit XML: a testcase per target and per scenario, failed by its critical findings,
    so it fails exactly when the run's verdict is failed; saved as ``<title>.junit.xml``."""
    report = await _report(session, test_history_id)
    return Response(
        render_junit(report),
        media_type="application/xml",
        headers={"Content-Disposition": attachment(f"{report.title}.junit.xml")},
    )
