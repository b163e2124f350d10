"""Series, analysis, baseline and reports of stored tests over HTTP, on both backends: a summary
stored as the bus handler stores it, then read back the way the UI and the CLI read it."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import nats
import pytest
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.analysis_facts import figures, run, scenario, series
from mv_cli.gate import Exit, exit_code
from mv_contracts.metrics import HISTOGRAM_ERROR_BOUND, FailureCount, PercentileSource
from mv_contracts.runs import (
    ResponseTimeTarget,
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestRunRequest,
)
from mv_contracts.subjects import SUMMARISE_TEST
from mv_devstack.config import StackConfig
from mv_gateway.analysis import RunFacts
from mv_gateway.history import NewScenario, TestResults, TestRuns
from mv_gateway.history.lifecycle import store_finished
from mv_gateway.history.summaries import store_summary
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project

DONE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def planned(p95_slow: float, test_id: str, project_id: int) -> RunFacts:
    facts = run(
        [
            scenario("느린 결제", response_time_target=ResponseTimeTarget(max_ms=100)),
            scenario("browse", response_time_target=ResponseTimeTarget(max_ms=100)),
        ],
        per_scenario=[figures(p95=p95_slow, failed=120), figures(p95=20)],
        overall=figures(requests=12000, p95=p95_slow, failed=120),
        scenario_series=[
            series([100.0] * 30, latency=[p95_slow + i % 3 for i in range(30)]),
            series([100.0] * 30, latency=[20.0 + i % 3 for i in range(30)]),
        ],
        overall_series=series([200.0] * 30, vus=[10.0] * 30),
        failures=[[FailureCount(status="503", error_code="1503", count=120)], []],
        test_id=test_id,
    )
    request = facts.request.model_copy(
        update={"project_id": project_id, "headers": {"Authorization": "Bearer s3cret"}}
    )
    return RunFacts(
        request=TestRunRequest.model_validate(request.model_dump()), summary=facts.summary
    )


async def stored_run(session: AsyncSession, project: Project, p95_slow: float) -> TestHistory:
    test_id = str(uuid.uuid4())
    facts = planned(p95_slow, test_id, project.id)
    test = await TestRuns(session).add(
        test_id,
        project.id,
        "checkout",
        None,
        None,
        [
            NewScenario(s.name, s.tag, None, s.request.executor.value, 0, 100.0, None, [])
            for s in facts.scenarios
        ],
    )
    await TestResults(session).keep_request(test, facts.request)
    test.status = "succeeded"
    assert await store_summary(session, facts.summary, DONE)
    await session.flush()
    return test


async def project(session: AsyncSession) -> Project:
    p = Project(title="결과")
    session.add(p)
    await session.flush()
    return p


async def test_series_are_served_by_scenario_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    test = await stored_run(session, await project(session), 180)
    response = await client.get(f"/test-history/{test.id}/series")
    assert response.status_code == 200
    body = response.json()
    assert body["step_seconds"] == 1
    assert set(body["scenarios"]) == {"느린 결제", "browse"}
    assert body["overall"]["tps"] == [200.0] * 30
    assert body["scenarios"]["느린 결제"]["response_time_p95"][:3] == [180.0, 181.0, 182.0]


async def test_the_analysis_names_the_missed_target_and_the_dominant_status(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    test = await stored_run(session, await project(session), 180)
    analysis = (await client.get(f"/test-history/{test.id}/analysis")).json()
    critical = [
        (f["rule"], f["scenario"]) for f in analysis["findings"] if f["severity"] == "critical"
    ]
    assert ("target.response_time", "느린 결제") in critical
    assert ("target.response_time", "browse") not in critical
    rate = next(f for f in analysis["findings"] if f["rule"] == "failures.rate" and f["scenario"])
    assert "HTTP 503 in 100 % of failures" in rate["detail"]["en"]
    assert analysis["baseline_test_id"] is None


async def test_the_details_list_failures_by_status_per_scenario_in_words(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    test = await stored_run(session, await project(session), 180)
    details = (await client.get(f"/test-history/{test.id}/details")).json()
    failing = next(s for s in details["scenarios"] if s["name"] == "느린 결제")
    assert failing["failures"] == [
        {
            "status": "503",
            "error_code": "1503",
            "count": 120,
            "share": 1.0,
            "label": "HTTP 503",
            "meaning": {
                "en": "Service Unavailable: the service failed to answer the request",
                "ko": "서비스를 사용할 수 없음: 서비스가 요청을 처리하지 못함",
            },
        }
    ]
    assert next(s for s in details["scenarios"] if s["name"] == "browse")["failures"] == []
    assert [f["label"] for f in details["failures"]] == ["HTTP 503"]


async def test_the_run_request_is_kept_with_header_values_masked(session: AsyncSession) -> None:
    test = await stored_run(session, await project(session), 50)
    assert test.run_request is not None
    assert test.run_request["headers"] == {"Authorization": "***"}
    assert "s3cret" not in str(test.run_request)


async def test_a_second_run_is_compared_with_the_previous_one_or_the_baseline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    first = await stored_run(session, shop, 50)
    second = await stored_run(session, shop, 180)
    analysis = (await client.get(f"/test-history/{second.id}/analysis")).json()
    assert analysis["baseline_test_id"] == first.test_id
    assert analysis["baseline_judgement"] == "worse"
    third = await stored_run(session, shop, 50)
    assert (await client.get(f"/test-history/{third.id}/analysis")).json()[
        "baseline_judgement"
    ] == "better"

    assert (await client.put(f"/test-history/{third.id}/baseline")).status_code == 204
    (marked,) = (await client.get("/audit", params={"action": "mark_baseline"})).json()
    assert (marked["actor"], marked["target"]) == ("token:test admin", third.test_id)
    again = await client.post(f"/test-history/{second.id}/analysis")
    assert again.status_code == 200
    assert again.json()["baseline_test_id"] == third.test_id
    assert (await client.get(f"/test-history/{second.id}/analysis")).json() == again.json()


async def test_reports_of_a_stored_run(client: httpx.AsyncClient, session: AsyncSession) -> None:
    test = await stored_run(session, await project(session), 180)
    html = await client.get(f"/test-history/{test.id}/report.html", params={"lang": "ko"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "느린 결제" in html.text
    assert "목표 미달" in html.text
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html.text)
    download = await client.get(f"/test-history/{test.id}/report.html", params={"download": 1})
    assert "attachment" in download.headers["content-disposition"]
    junit = await client.get(f"/test-history/{test.id}/report.junit.xml")
    assert junit.headers["content-type"].startswith("application/xml")
    suite = ET.fromstring(junit.text)  # noqa: S314 -- our own output
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert "느린 결제: p95 target missed" in failed
    assert "browse: p95 target met" not in failed


async def test_tests_without_a_summary_have_no_results(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    pending = await TestRuns(session).add(str(uuid.uuid4()), shop.id, "pending", None, None, [])
    await session.flush()
    for path in ("series", "analysis", "report.html", "report.junit.xml"):
        response = await client.get(f"/test-history/{pending.id}/{path}")
        assert response.status_code == 404, path
        assert "not found" in response.text
    assert (await client.post(f"/test-history/{pending.id}/analysis")).status_code == 404
    assert (await client.get("/test-history/999999/series")).status_code == 404
    assert (await client.put("/test-history/999999/baseline")).status_code == 404


async def test_figures_that_are_not_whole_say_so(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    test_id = str(uuid.uuid4())
    facts = planned(180, test_id, shop.id)
    test = await TestRuns(session).add(test_id, shop.id, "checkout", None, None, [])
    summary = facts.summary.model_copy(
        update={
            "complete": False,
            "incomplete_reason": "InfluxDB has 451 of 1,001 requests k6 made",
        }
    )
    assert await store_summary(session, summary, DONE)
    await session.flush()
    details = (await client.get(f"/test-history/{test.id}/details")).json()
    assert details["complete"] is False
    assert details["incomplete_reason"] == "InfluxDB has 451 of 1,001 requests k6 made"
    board = (await client.get("/test-history/simple", params={"limit": 1})).json()
    assert board[0]["complete"] is False
    analysis = (await client.get(f"/test-history/{test.id}/analysis")).json()
    first = analysis["findings"][0]
    assert (first["rule"], first["severity"]) == ("quality.incomplete", "critical")
    assert "451 of 1,001" in first["detail"]["en"]
    html = (await client.get(f"/test-history/{test.id}/report.html")).text
    assert "These figures are not whole" in html


async def test_details_state_where_the_percentiles_come_from_and_their_bound(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    test_id = str(uuid.uuid4())
    test = await TestRuns(session).add(test_id, shop.id, "split", None, None, [])
    await session.flush()
    before = (await client.get(f"/test-history/{test.id}/details")).json()
    assert (before["percentile_source"], before["percentile_error_bound"]) == (None, None)
    summary = planned(180, test_id, shop.id).summary.model_copy(
        update={
            "percentile_source": PercentileSource.HISTOGRAM,
            "percentile_error_bound": HISTOGRAM_ERROR_BOUND,
        }
    )
    assert await store_summary(session, summary, DONE)
    await session.flush()
    details = (await client.get(f"/test-history/{test.id}/details")).json()
    assert details["percentile_source"] == "histogram"
    assert details["percentile_error_bound"] == pytest.approx(HISTOGRAM_ERROR_BOUND)


async def test_a_finished_test_can_be_summarised_again(
    client: httpx.AsyncClient, session: AsyncSession, stack: StackConfig
) -> None:
    shop = await project(session)
    test = await TestRuns(session).add(str(uuid.uuid4()), shop.id, "again", None, None, [])
    await session.flush()
    refused = await client.post(f"/test-history/{test.id}/summarise")
    assert refused.status_code == 409
    assert "has not finished" in refused.text

    finished = TestFinished(test_id=test.test_id, status=RunStatus.SUCCEEDED, finished_at=DONE)
    await store_finished(session, TestFinishedEvent(correlation_id=test.test_id, payload=finished))
    await session.flush()
    connection = await nats.connect(stack.nats_url)
    received: list[dict[str, Any]] = []

    async def on_message(message: Msg) -> None:
        received.append(json.loads(message.data))

    await connection.subscribe(SUMMARISE_TEST.name, cb=on_message)
    try:
        accepted = await client.post(f"/test-history/{test.id}/summarise")
        assert accepted.status_code == 202, accepted.text
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    (command,) = received
    (audited,) = (await client.get("/audit", params={"action": "summarise_test"})).json()
    assert (audited["actor"], audited["target"]) == ("token:test admin", test.test_id)
    assert command["type"] == "metrics.summarise.requested"
    assert command["payload"]["finished"]["test_id"] == test.test_id
    assert command["payload"]["finished"]["status"] == "succeeded"


async def test_one_verdict_in_details_lists_reports_and_the_cli(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    test = await stored_run(session, shop, 180)  # p95 target missed, 1 % failures (warning)
    details = (await client.get(f"/test-history/{test.id}/details")).json()
    assert details["status"] == "succeeded"
    assert details["state"] == "completed"
    verdict = details["verdict"]
    assert verdict["outcome"] == "failed"
    assert verdict["reason"]["en"] == "1 critical finding: p95 target missed (느린 결제)"
    analysis = (await client.get(f"/test-history/{test.id}/analysis")).json()
    assert analysis["verdict"] == verdict
    listed = (await client.get(f"/test-history/projects/{shop.id}")).json()["items"]
    assert (listed[0]["state"], listed[0]["verdict"], listed[0]["is_baseline"]) == (
        "completed",
        "failed",
        False,
    )
    html = (await client.get(f"/test-history/{test.id}/report.html")).text
    assert 'data-verdict="failed"' in html
    assert verdict["reason"]["en"] in html
    korean = (await client.get(f"/test-history/{test.id}/report.html", params={"lang": "ko"})).text
    assert '실행: <strong class="state">완료</strong>' in korean
    assert "succeeded" not in korean
    assert "threshold_setting" not in korean  # evidence in words
    junit = await client.get(f"/test-history/{test.id}/report.junit.xml")
    assert "checkout.junit.xml" in junit.headers["content-disposition"]
    suite = ET.fromstring(junit.text)  # noqa: S314 -- our own output
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (props["state"], props["verdict"]) == ("completed", "failed")
    assert int(suite.get("failures") or 0) > 0
    assert exit_code(details, analysis) is Exit.GATE_FAILED

    # k6 ending with "thresholds crossed" ran to its end: completed, and failed by the verdict.
    test.status, test.status_reason = "failed", "thresholds crossed: p(95)<100"
    await session.flush()
    crossed = (await client.get(f"/test-history/{test.id}/details")).json()
    assert (crossed["state"], crossed["verdict"]["outcome"]) == ("completed", "failed")
    test.status, test.status_reason = "failed", "script error (exit code 107)"
    await session.flush()
    assert (await client.get(f"/test-history/{test.id}/details")).json()["state"] == (
        "failed_to_run"
    )


async def test_a_tests_own_thresholds_are_applied_and_named(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    test = await stored_run(session, await project(session), 50)  # 120 of 6,000 failed: 2 %
    before = (await client.get(f"/test-history/{test.id}/analysis")).json()
    rate = next(f for f in before["findings"] if f["rule"] == "failures.rate" and f["scenario"])
    assert (rate["severity"], rate["evidence"]["threshold"]) == ("warning", 0.01)
    assert "above the 1 % threshold" in rate["title"]["en"]
    test.analysis_thresholds = {"failure_rate_critical": 0.015}
    await session.flush()
    after = (await client.post(f"/test-history/{test.id}/analysis")).json()
    rate = next(f for f in after["findings"] if f["rule"] == "failures.rate" and f["scenario"])
    assert (rate["severity"], rate["evidence"]["threshold"]) == ("critical", 0.015)
    assert after["thresholds"]["failure_rate_critical"] == 0.015
    assert after["verdict"]["outcome"] == "failed"
    details = (await client.get(f"/test-history/{test.id}/details")).json()
    assert details["analysis_thresholds"] == {"failure_rate_critical": 0.015}

    defaults = (await client.get("/analysis/settings")).json()
    by_name = {t["name"]: t for t in defaults["thresholds"]}
    assert by_name["failure_rate_critical"]["value"] == 0.05
    assert by_name["failure_rate_critical"]["maximum"] == 1
    assert by_name["min_requests_for_p99"]["integer"] is True
    assert defaults["summary_available"] is False


@pytest.mark.parametrize(
    ("thresholds", "field"),
    [
        ({"failure_rate_critical": 2}, "failure_rate_critical"),
        ({"no_such_threshold": 1}, "no_such_threshold"),
        ({"failure_burst_steps": "many"}, "failure_burst_steps"),
    ],
)
async def test_thresholds_out_of_bounds_are_refused_by_name(
    client: httpx.AsyncClient, thresholds: dict[str, Any], field: str
) -> None:
    body = {
        "title": "t",
        "scenarios": [{"name": "a", "endpoint_id": 1, "stages": [{"duration": "1s", "target": 1}]}],
        "analysis_thresholds": thresholds,
    }
    response = await client.post("/load-testing", json=body)
    assert response.status_code == 422
    assert f'"analysis_thresholds","{field}"' in response.text


async def test_the_compare_route_judges_by_the_analysis_method(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await project(session)
    first = await stored_run(session, shop, 50)
    second = await stored_run(session, shop, 180)
    compared = (
        await client.get("/test-history/compare", params={"base": first.id, "other": second.id})
    ).json()
    overall = compared["overall"]
    # The same TPS series: no change; the minimum is one sample: not judged at all.
    assert overall["avg_tps"]["judgement"] == "same"
    assert overall["min_response_time"]["judgement"] is None
    slow = next(s for s in compared["scenarios"] if s["name"] == "느린 결제")
    assert slow["figures"]["p95_response_time"]["judgement"] == "worse"
    assert slow["figures"]["p95_response_time"]["p_value"] < 0.001
    assert compared["minimum_effect"] == 0.1
    assert compared["other"]["verdict"] == "failed"
