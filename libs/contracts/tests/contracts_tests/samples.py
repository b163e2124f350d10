"""One valid instance of every message on the bus, with non-ASCII text where text goes."""

from __future__ import annotations

from datetime import UTC, datetime

from mv_contracts.envelope import Envelope
from mv_contracts.health import DependencyState, Heartbeat, HeartbeatEvent
from mv_contracts.lifecycle import (
    K6Counts,
    RequestCounts,
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
    TestWarning,
    TestWarningEvent,
)
from mv_contracts.metrics import (
    LiveFigures,
    LiveScenario,
    LiveSnapshot,
    LiveSnapshotEvent,
    MetricFigures,
    PodUsageSummary,
    PointsCountRequested,
    PointsPurge,
    PointsPurgeRequested,
    ScenarioSummary,
    SummariseRequest,
    TestSummariseRequested,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.ownscripts import OwnScriptFiles, ScriptInspectRequested
from mv_contracts.pods import (
    DiscoveredServer,
    PodResources,
    PodResourcesEvent,
    PodResourcesSnapshot,
    ServerDiscoveredEvent,
)
from mv_contracts.runs import (
    EndpointCall,
    Executor,
    ResponseTimeTarget,
    ScenarioRequest,
    ScriptPreviewRequested,
    Stage,
    TestCancel,
    TestCancelRequested,
    TestRunRequest,
    TestRunRequested,
)
from mv_contracts.spec import (
    AnalysedSpec,
    AnalysisWarning,
    EndpointInfo,
    FailureKind,
    ParameterInfo,
    RequestBodyInfo,
    SpecAnalysed,
    SpecAnalysedEvent,
    SpecAnalysisFailed,
    SpecAnalysisFailure,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
    SpecSource,
    TagInfo,
)

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TEST_ID = "6f1c2f55-3b8e-4d0e-9a51-1f0a4c2d9e77"
FIGURES = MetricFigures(
    total_requests=1200,
    failed_requests=12,
    test_duration=60.0,
    max_tps=25.0,
    min_tps=15.0,
    avg_tps=20.0,
    max_response_time=480.5,
    min_response_time=2.1,
    avg_response_time=35.2,
    p50_response_time=20.0,
    p90_response_time=80.0,
    p95_response_time=120.0,
    p99_response_time=400.0,
    max_error_rate=0.05,
    min_error_rate=0.0,
    avg_error_rate=0.01,
    max_vus=10,
    min_vus=1,
    avg_vus=7.5,
)
LIVE = LiveFigures(
    tps=20.5,
    requests_total=600,
    failed_total=3,
    error_rate=0.005,
    vus=10,
    response_time_avg=31.0,
    response_time_p95=95.0,
    response_time_p99=210.0,
)
COUNTS = K6Counts(
    overall=RequestCounts(requests=2290, failed=12),
    scenarios={"s01": RequestCounts(requests=2290, failed=12)},
)
SCENARIO = ScenarioRequest(
    name="주문 조회",
    endpoint_id=7,
    endpoint=EndpointCall(
        method="POST",
        path="/orders/{order_id}",
        path_params={"order_id": "42"},
        query={"q": '값 "quoted"'},
        headers={"X-Trace": "a`b${c}"},
        body={"name": "홍길동", "tags": ["</script>", "\n"]},
    ),
    executor=Executor.RAMPING_VUS,
    stages=[Stage(duration="30s", target=10), Stage(duration="1m30s", target=0)],
    think_time=0.5,
    response_time_target=ResponseTimeTarget(max_ms=500, percentile=95),
    error_rate_target=0.01,
)


def samples() -> list[Envelope]:
    return [
        SpecAnalysisRequested(
            correlation_id="an-1",
            payload=SpecAnalysisRequest(
                analysis_id="an-1",
                project_id=1,
                source=SpecSource(url="http://127.0.0.1:8080/openapi.json"),
            ),
        ),
        SpecAnalysedEvent(
            correlation_id="an-1",
            payload=SpecAnalysed(
                analysis_id="an-1",
                project_id=1,
                spec_id=3,
                spec=AnalysedSpec(
                    title="데모 API",
                    version="1.0",
                    openapi_version="3.1.0",
                    base_url="http://127.0.0.1:8080",
                    tags=[TagInfo(name="주문", description="orders")],
                    endpoints=[
                        EndpointInfo(
                            method="GET",
                            path="/orders/{order_id}",
                            tags=["주문"],
                            parameters=[
                                ParameterInfo(
                                    name="order_id",
                                    location="path",
                                    required=True,
                                    schema_={"type": "integer"},
                                )
                            ],
                            request_body=RequestBodyInfo(
                                content_types=["application/json"],
                                schema_={"type": "object"},
                                example={"이름": "값"},
                            ),
                            security=[{"bearer": []}],
                        )
                    ],
                ),
                warnings=[
                    AnalysisWarning(
                        message="./docs/intro.md answered 404 Not Found; left unresolved",
                        ref="./docs/intro.md",
                    )
                ],
            ),
        ),
        SpecAnalysisFailed(
            correlation_id="an-2",
            payload=SpecAnalysisFailure(
                analysis_id="an-2",
                project_id=1,
                kind=FailureKind.NOT_OPENAPI,
                reason="the document has neither 'openapi' nor 'swagger'",
            ),
        ),
        TestRunRequested(
            correlation_id=TEST_ID,
            payload=TestRunRequest(
                test_id=TEST_ID,
                title="부하 테스트",
                project_id=1,
                base_url="http://127.0.0.1:8080",
                target_tps=100,
                headers={"Accept-Language": "ko-KR"},
                scenarios=[SCENARIO],
            ),
        ),
        TestCancelRequested(correlation_id=TEST_ID, payload=TestCancel(test_id=TEST_ID)),
        ScriptInspectRequested(
            correlation_id="inspect-1",
            payload=OwnScriptFiles(entry="main.js", archive="H4sIAAAAAAAA/wMAAAAAAAAAAAA="),
        ),
        ScriptPreviewRequested(
            correlation_id=TEST_ID,
            payload=TestRunRequest(
                test_id=TEST_ID,
                title="미리 보기",
                project_id=1,
                base_url="http://127.0.0.1:8080",
                scenarios=[SCENARIO],
            ),
        ),
        TestStartedEvent(
            correlation_id=TEST_ID,
            payload=TestStarted(
                test_id=TEST_ID,
                executor="local",
                job_name="k6-6f1c2f55",
                script_name="6f1c2f55.js",
                started_at=T0,
                scenario_names={"s01": "주문 조회"},
            ),
        ),
        TestWarningEvent(
            correlation_id=TEST_ID,
            payload=TestWarning(
                test_id=TEST_ID, message="running for 1 h", running_for_seconds=3600
            ),
        ),
        TestFinishedEvent(
            correlation_id=TEST_ID,
            payload=TestFinished(
                test_id=TEST_ID,
                status=RunStatus.FAILED,
                reason="thresholds crossed",
                started_at=T0,
                finished_at=T0,
                thresholds_crossed=True,
                k6_counts=COUNTS,
            ),
        ),
        TestSummaryEvent(
            correlation_id=TEST_ID,
            payload=TestSummary(
                test_id=TEST_ID,
                window_start=T0,
                window_end=T0,
                overall=FIGURES,
                scenarios=[ScenarioSummary(name="s01", figures=FIGURES)],
                resources=[
                    PodUsageSummary(
                        pod="api-7d9f",
                        namespace="test",
                        cpu_max_millicores=350,
                        cpu_peak_percent=70.0,
                        memory_max_mb=256,
                    )
                ],
                complete=False,
                incomplete_reason="InfluxDB has 1,033 of 2,290 requests k6 made",
                k6_counts=COUNTS,
            ),
        ),
        TestSummariseRequested(
            correlation_id=TEST_ID,
            payload=SummariseRequest(
                finished=TestFinished(
                    test_id=TEST_ID,
                    status=RunStatus.SUCCEEDED,
                    started_at=T0,
                    finished_at=T0,
                    executor="kubernetes",
                    k6_counts=COUNTS,
                )
            ),
        ),
        PointsPurgeRequested(
            correlation_id=TEST_ID, payload=PointsPurge(test_ids=[TEST_ID, "시험-2"])
        ),
        PointsCountRequested(correlation_id="storage"),
        LiveSnapshotEvent(
            correlation_id=TEST_ID,
            payload=LiveSnapshot(
                test_id=TEST_ID,
                at=T0,
                window_seconds=5,
                overall=LIVE,
                scenarios=[LiveScenario(name="s01", label="주문 조회", figures=LIVE)],
            ),
        ),
        PodResourcesEvent(
            correlation_id="test",
            payload=PodResourcesSnapshot(
                namespace="test",
                at=T0,
                test_ids=[TEST_ID],
                pods=[
                    PodResources(
                        namespace="test",
                        pod="api-7d9f",
                        phase="Running",
                        containers=["api", "sidecar"],
                        cpu_request_millicores=250,
                        cpu_limit_millicores=500,
                        memory_request_mb=268.4,
                        memory_limit_mb=536.9,
                        cpu_usage_millicores=120,
                        memory_usage_mb=100.0,
                        cpu_percent=24.0,
                        memory_percent=18.6,
                    )
                ],
            ),
        ),
        ServerDiscoveredEvent(
            correlation_id="test/api",
            payload=DiscoveredServer(
                namespace="test",
                name="api",
                kind="service",
                base_url="http://api.test.svc:8080",
                image="registry.local/api:1.2",
            ),
        ),
        HeartbeatEvent(
            correlation_id="pod-7f9c-12",
            payload=Heartbeat(
                service="metrics-receiver",
                instance="pod-7f9c-12",
                version="0.1.0",
                started_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
                every_seconds=5,
                dependencies={
                    "influxdb": DependencyState(ok=False, detail="연결 거부: connection refused"),
                    "jetstream": DependencyState(ok=True),
                },
            ),
        ),
    ]
