"""Test history: the main board, a project's tests, one test in full, trends and comparisons.

The three public routes (``/test-history/simple``, ``/projects/{project_id}``,
``/{test_history_id}/details``) plus a trend per project and a comparison of two runs. Reading
only; the rows are written by ``POST /load-testing`` and the bus handlers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from mv_contracts.metrics import FailureCount, MetricSeries
from mv_gateway.analysis import (
    Analysis,
    AnalysisThresholds,
    failure_rows,
    judge_named,
    with_overrides,
)
from mv_gateway.auth import READ
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep, SettingsDep
from mv_gateway.core.errors import NotFoundError

from . import result_routes
from .compare import compare_figures, figures_of, group_by_name, match_scenarios
from .figures import LIST_FIGURES, TREND_FIGURES, SortField
from .queries import HistoryQueries, Listed, ScenarioDetails, SortOrder
from .results import TestResults
from .runners import runner_states
from .schemas import (
    EndpointRef,
    FigureDeltaRead,
    Figures,
    PodResources,
    ProjectTestPage,
    ProjectTrend,
    ResourcePoint,
    RunComparison,
    RunRef,
    ScenarioComparison,
    ScenarioOnlyIn,
    ScenarioRead,
    ScenarioTrend,
    StageRead,
    TestDetailsRead,
    TestListItem,
    TrendPoint,
)
from .states import run_state
from .tables import ScenarioHistory, TestHistory

router = APIRouter(prefix="/test-history", tags=["Test History"], route_class=ParsedBodyRoute)

MAX_ID = 2**63 - 1
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Project id")]
TestHistoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="test_history id")]


def _state(test: TestHistory) -> Any:
    return run_state(test.status, test.status_reason, test.finished_event)


def _item(listed: Listed) -> TestListItem:
    test = listed.test
    return TestListItem(
        id=test.id,
        test_id=test.test_id,
        title=test.title,
        project_id=test.project_id,
        project_title=listed.project_title,
        tested_at=test.tested_at,
        completed_at=test.completed_at,
        status=test.status,
        state=_state(test),
        verdict=test.verdict,
        is_baseline=test.is_baseline,
        is_completed=test.is_completed,
        complete=test.figures_complete,
        **{name: getattr(test, name) for name in LIST_FIGURES},
    )


@router.get("/simple", response_model=list[TestListItem], dependencies=[READ])
async def main_board(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="How many tests")] = 20,
) -> list[TestListItem]:
    """The main board: the latest tests of every project, newest first."""
    return [_item(listed) for listed in await HistoryQueries(session).latest(limit)]


@router.get(
    "/projects/{project_id}",
    response_model=ProjectTestPage,
    responses={404: {}},
    dependencies=[READ],
)
async def project_tests(
    project_id: ProjectId,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    sort: Annotated[SortField, Query(description="Sort field")] = SortField.TESTED_AT,
    order: Annotated[SortOrder, Query(description="Direction; missing figures last")] = (
        SortOrder.DESC
    ),
) -> ProjectTestPage:
    """One page of a project's tests, sorted, with the project's total."""
    queries = HistoryQueries(session)
    if not await queries.project_exists(project_id):
        raise NotFoundError("project", project_id)
    page = await queries.project_page(project_id, offset, limit, sort, order)
    return ProjectTestPage(
        project_id=project_id,
        total=page.total,
        offset=offset,
        limit=limit,
        sort=sort,
        order=order,
        items=[_item(listed) for listed in page.items],
    )


def _scenario(details: ScenarioDetails, failures: dict[str, list[FailureCount]]) -> ScenarioRead:
    s = details.scenario
    return ScenarioRead(
        id=s.id,
        name=s.name,
        scenario_tag=s.scenario_tag,
        endpoint_id=s.endpoint_id,
        endpoint=EndpointRef.model_validate(details.endpoint) if details.endpoint else None,
        executor=s.executor,
        think_time=s.think_time,
        response_time_target=s.response_time_target,
        error_rate_target=s.error_rate_target,
        figures=Figures.model_validate(s),
        stages=[StageRead.model_validate(stage) for stage in details.stages],
        failures=failure_rows(failures.get(s.scenario_tag or "", [])),
    )


@router.get(
    "/{test_history_id}/details",
    response_model=TestDetailsRead,
    responses={404: {}},
    dependencies=[READ],
)
async def test_details(test_history_id: TestHistoryId, session: SessionDep) -> TestDetailsRead:
    """The test with every figure, its scenarios with their stages, and the pods' resources."""
    found = await HistoryQueries(session).details(test_history_id)
    if found is None:
        raise NotFoundError("test history", test_history_id)
    t = found.test
    summary = await TestResults(session).summary(t.id)
    by_tag = {s.name: s.failures for s in summary.scenarios} if summary else {}
    stored = await TestResults(session).analysis(t.id)
    return TestDetailsRead(
        id=t.id,
        test_id=t.test_id,
        title=t.title,
        description=t.description,
        project_id=t.project_id,
        project_title=found.project_title,
        status=t.status,
        status_reason=t.status_reason,
        state=_state(t),
        verdict=Analysis.model_validate(stored.analysis).verdict if stored else None,
        is_baseline=t.is_baseline,
        analysis_thresholds=t.analysis_thresholds or {},
        executor=t.executor,
        target_tps=t.target_tps,
        parallelism=(t.run_request or {}).get("parallelism", 1),
        runners=runner_states(t),
        metrics_mode=t.metrics_mode,
        tested_at=t.tested_at,
        completed_at=t.completed_at,
        is_completed=t.is_completed,
        job_name=t.job_name,
        k6_script_file_name=t.k6_script_file_name,
        complete=t.figures_complete,
        incomplete_reason=t.figures_incomplete_reason,
        percentile_source=t.percentile_source,
        percentile_error_bound=t.percentile_error_bound,
        started_by=t.started_by,
        own_script_id=t.own_script_id,
        figures=Figures.model_validate(t),
        failures=failure_rows(summary.failures) if summary else [],
        scenarios=[_scenario(s, by_tag) for s in found.scenarios],
        resources=[
            PodResources(
                namespace=pod.namespace,
                pod_name=pod.pod_name,
                points=[ResourcePoint.model_validate(p) for p in pod.points],
            )
            for pod in found.resources
        ],
    )


def _point(test: TestHistory, figures: Any) -> TrendPoint:
    return TrendPoint(
        test_history_id=test.id,
        test_id=test.test_id,
        title=test.title,
        tested_at=test.tested_at,
        status=test.status,
        **{name: getattr(figures, name) for name in TREND_FIGURES},
    )


@router.get(
    "/projects/{project_id}/trend",
    response_model=ProjectTrend,
    responses={404: {}},
    dependencies=[READ],
)
async def project_trend(
    project_id: ProjectId,
    session: SessionDep,
    since: Annotated[
        datetime | None, Query(description="Only runs tested at or after (UTC if no offset)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="The latest runs")] = 50,
) -> ProjectTrend:
    """Each completed run's figures over time, for the whole test and per scenario name."""
    queries = HistoryQueries(session)
    if not await queries.project_exists(project_id):
        raise NotFoundError("project", project_id)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    runs = await queries.trend(project_id, since, limit)
    by_name = group_by_name([(run.test, run.scenarios) for run in runs])
    return ProjectTrend(
        project_id=project_id,
        runs=[_point(run.test, run.test) for run in runs],
        scenarios=[
            ScenarioTrend(name=name, points=[_point(test, s) for test, s in points])
            for name, points in by_name.items()
        ],
    )


def _ref(test: TestHistory) -> RunRef:
    return RunRef(
        id=test.id,
        test_id=test.test_id,
        title=test.title,
        project_id=test.project_id,
        tested_at=test.tested_at,
        status=test.status,
        state=_state(test),
        verdict=test.verdict,
        is_completed=test.is_completed,
    )


def _deltas(
    base: Any,
    other: Any,
    series: tuple[MetricSeries | None, MetricSeries | None],
    t: AnalysisThresholds,
) -> dict[str, FigureDeltaRead]:
    """Every figure's delta, and the judgement of those the analysis judges, by its method."""
    compared = compare_figures(figures_of(base), figures_of(other))
    read = {}
    for name, d in compared.items():
        judged = judge_named(name, d.base, d.other, *series, t)
        read[name] = FigureDeltaRead(
            base=d.base,
            other=d.other,
            delta=d.delta,
            change_percent=d.change_percent,
            judgement=judged[1] if judged else None,
            p_value=judged[0] if judged else None,
        )
    return read


async def _series(session: SessionDep, test: TestHistory) -> tuple[Any, dict[str, MetricSeries]]:
    """The stored per-step series of a run: overall, and per scenario tag."""
    summary = await TestResults(session).summary(test.id)
    if summary is None or summary.series is None:
        return None, {}
    return summary.series.overall, summary.series.scenarios


def _only(scenarios: list[ScenarioHistory]) -> list[ScenarioOnlyIn]:
    return [ScenarioOnlyIn(id=s.id, name=s.name) for s in scenarios]


@router.get("/compare", response_model=RunComparison, responses={404: {}}, dependencies=[READ])
async def compare_runs(
    session: SessionDep,
    settings: SettingsDep,
    base: Annotated[int, Query(ge=1, le=MAX_ID, description="test_history id of the reference")],
    other: Annotated[int, Query(ge=1, le=MAX_ID, description="test_history id compared to it")],
) -> RunComparison:
    """The delta (other - base, and % of base) of every figure, overall and per scenario name,
    judged better or worse only when significant and larger than the minimum effect (by the
    thresholds ``other`` was analysed with)."""
    queries = HistoryQueries(session)
    base_run = await queries.with_scenarios(base)
    if base_run is None:
        raise NotFoundError("test history", base)
    other_run = await queries.with_scenarios(other)
    if other_run is None:
        raise NotFoundError("test history", other)
    matched = match_scenarios(base_run.scenarios, other_run.scenarios)
    t = with_overrides(settings.analysis, other_run.test.analysis_thresholds)
    base_all, base_by_tag = await _series(session, base_run.test)
    other_all, other_by_tag = await _series(session, other_run.test)
    return RunComparison(
        base=_ref(base_run.test),
        other=_ref(other_run.test),
        overall=_deltas(base_run.test, other_run.test, (base_all, other_all), t),
        scenarios=[
            ScenarioComparison(
                name=b.name,
                base_scenario_id=b.id,
                other_scenario_id=o.id,
                figures=_deltas(
                    b,
                    o,
                    (base_by_tag.get(b.scenario_tag or ""), other_by_tag.get(o.scenario_tag or "")),
                    t,
                ),
            )
            for b, o in matched.pairs
        ],
        only_in_base=_only(matched.only_base),
        only_in_other=_only(matched.only_other),
        minimum_effect=t.regression_change,
        significance=t.regression_p_value,
    )


router.include_router(result_routes.router)
