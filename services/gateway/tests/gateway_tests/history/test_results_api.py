"""Series, analysis and details of stored tests over HTTP, on both backends: a summary stored
as the bus handler stores it, then read back the way the UI and the CLI read it. Comparisons,
reports, the verdict and thresholds: test_results_verdict_api.py."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import nats
import pytest
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history.stored_runs import DONE, planned, project, stored_run
from mv_contracts.lifecycle import RunStatus, TestFinished, TestFinishedEvent
from mv_contracts.metrics import HISTOGRAM_ERROR_BOUND, PercentileSource
from mv_contracts.subjects import SUMMARISE_TEST
from mv_devstack.config import StackConfig
from mv_gateway.history import TestRuns
from mv_gateway.history.lifecycle import store_finished
from mv_gateway.history.summaries import store_summary


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
