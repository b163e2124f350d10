"""Comparisons, reports, the verdict and a test's own thresholds of stored tests over HTTP, on
both backends, read the way the UI and the CLI read them."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history.stored_runs import fast_then_slow, project, stored_run
from mv_cli.gate import Exit, exit_code


async def test_a_second_run_is_compared_with_the_previous_one_or_the_baseline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop, first, second = await fast_then_slow(session)
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
    _, first, second = await fast_then_slow(session)
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
