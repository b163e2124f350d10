"""A newcomer's flow through the HTTP API with every real part: NATS with JetStream, InfluxDB,
PostgreSQL, k6 and the five services as processes, against the demo API. The stored summary
must agree with k6's own end-of-test summary of the same run, and SSE and WebSocket clients
must receive live snapshots while it runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo, scenarios
from mv_devstack.services import services_running

from . import streams

pytestmark = pytest.mark.slow


def _close(ours: float, theirs: float, relative: float, absolute: float = 0.0) -> bool:
    return abs(ours - theirs) <= max(abs(theirs) * relative, absolute)


def _test_scenarios(endpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demo's two scenarios, shortened, plus the flaky inventory check (every 5th call
    fails), so failures are counted too."""
    chosen = scenarios(endpoints)
    chosen[0]["duration"] = "6s"
    chosen[1]["stages"] = [{"duration": "2s", "target": 2}, {"duration": "4s", "target": 2}]
    inventory = next(e["id"] for e in endpoints if e["path"] == "/inventory")
    chosen.append(
        {
            "name": "재고 확인",
            "endpoint_id": inventory,
            "executor": "constant-vus",
            "vus": 2,
            "duration": "6s",
            "think_time": 0.05,
            "error_rate_target": 0.5,
            "response_time_target": {"max_ms": 1000, "percentile": 95},
        }
    )
    return chosen


async def test_analyse_run_stream_and_summarise_the_demo(services_config: StackConfig) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        project_id = await asyncio.to_thread(demo.project)
        spec_id = await asyncio.to_thread(demo.analyse, project_id)
        endpoints = await asyncio.to_thread(
            demo._call, "GET", "/endpoint", params={"spec_id": spec_id}
        )
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing",
            # The default metrics mode (fast): compact points, k6's own response times.
            json={"title": "end to end", "scenarios": _test_scenarios(endpoints)},
        )  # fmt: skip
        test_id = created["test_id"]
        query = f"test_id={test_id}"
        token = config.admin_token_file.read_text().strip()
        sse = asyncio.create_task(
            streams.sse_messages(f"{config.gateway_url}/sse/k6-data?{query}", token)
        )
        ws_url = config.gateway_url.replace("http://", "ws://")
        ws = asyncio.create_task(
            streams.websocket_messages(f"{ws_url}/ws/k6-data?{query}&include=k6_only", token)
        )
        sse_messages, ws_messages = await asyncio.wait_for(asyncio.gather(sse, ws), 180)
        details = await asyncio.to_thread(demo.summary, int(created["test_history_id"]))

    live = [m for m in sse_messages if m["kind"] == "k6"]
    assert len(live) >= 1, sse_messages
    # The stream ends with the test's end and then its stored summary's outcome.
    assert [m["kind"] for m in sse_messages][-2:] == ["end", "summary"]
    assert sse_messages[-2]["end"]["status"] in ("succeeded", "failed")
    assert [m["kind"] for m in ws_messages][-2:] == ["end", "summary"]
    assert any(m["kind"] == "k6" for m in ws_messages)
    assert live[-1]["k6"]["overall"]["requests_total"] > 0
    streamed = sse_messages[-1]["summary"]
    assert streamed == ws_messages[-1]["summary"]
    assert (streamed["stored"], streamed["complete"]) == (True, details["complete"])
    assert streamed["figures"]["total_requests"] == details["figures"]["total_requests"]
    assert streamed["details_url"] == f"/test-history/{created['test_history_id']}/details"

    k6_summary = json.loads(
        (Path(details["k6_script_file_name"]).parent / "summary.json").read_text()
    )
    metrics = k6_summary["metrics"]
    ours = details["figures"]
    assert details["metrics_mode"] == "fast"
    # One runner: the percentiles are k6's own, so exact.
    assert (details["percentile_source"], details["percentile_error_bound"]) == ("k6_summary", 0)
    assert ours["total_requests"] == metrics["http_reqs"]["count"]
    assert ours["failed_requests"] == metrics["http_req_failed"]["passes"]
    assert ours["failed_requests"] > 0
    duration = metrics["http_req_duration"]
    for figure, stat in [
        ("avg_response_time", "avg"), ("min_response_time", "min"), ("max_response_time", "max"),
    ]:  # fmt: skip
        assert _close(ours[figure], duration[stat], 0.001), (figure, ours[figure], duration)
    for figure, stat in [
        ("p50_response_time", "med"), ("p90_response_time", "p(90)"),
        ("p95_response_time", "p(95)"), ("p99_response_time", "p(99)"),
    ]:  # fmt: skip
        assert _close(ours[figure], duration[stat], 0.01, 0.5), (figure, ours[figure], duration)

    by_tag = {s["scenario_tag"]: s for s in details["scenarios"]}
    assert len(by_tag) == 3
    for tag, scenario in by_tag.items():
        theirs = metrics[f"http_req_duration{{scenario:{tag}}}"]
        figures = scenario["figures"]
        assert figures["total_requests"] > 0
        assert _close(figures["avg_response_time"], theirs["avg"], 0.001), tag
        assert _close(figures["max_response_time"], theirs["max"], 0.001), tag
        assert _close(figures["p95_response_time"], theirs["p(95)"], 0.01, 0.5), tag
    assert sum(s["figures"]["total_requests"] for s in by_tag.values()) == ours["total_requests"]
    inventory = next(s for s in details["scenarios"] if s["name"] == "재고 확인")
    assert inventory["figures"]["failed_requests"] == pytest.approx(
        inventory["figures"]["total_requests"] / 5, abs=1
    )
    # Fast mode: the receiver keeps the status; every failure is the demo's 503, live too.
    assert [(f["label"], f["count"]) for f in inventory["failures"]] == [
        ("HTTP 503", inventory["figures"]["failed_requests"])
    ]
    tag = inventory["scenario_tag"]
    streamed = [m["failures"][tag] for m in live if m["failures"] and m["failures"].get(tag)]
    assert streamed, live[-1]
    assert {f["label"] for f in streamed[-1]} == {"HTTP 503"}
    assert streamed[-1][0]["meaning"]["en"].startswith("Service Unavailable")
