"""POST /load-testing, cancel, script and /scheduler/jobs over HTTP, on both backends, with the
commands going out on the real NATS server."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.lifecycle import (
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
)
from mv_contracts.runs import MetricsMode
from mv_contracts.subjects import STREAM_NAME, STREAM_SUBJECTS
from mv_devstack.config import StackConfig
from mv_gateway.history.lifecycle import store_finished, store_started
from mv_gateway.history.tables import ScenarioHistory, StageHistory, TestHistory
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec
from mv_runtime.bus import stream


@pytest.fixture
async def endpoints(session: AsyncSession) -> dict[str, int]:
    """A project with one spec (base_url set) and three endpoints, one of them removed."""
    project = Project(title="결제 API")
    session.add(project)
    await session.flush()
    spec = OpenApiSpec(
        project_id=project.id, title="s", version="1", base_url="http://127.0.0.1:9/api"
    )
    session.add(spec)
    await session.flush()
    rows = {
        "login": Endpoint(openapi_spec_id=spec.id, method="POST", path="/login"),
        "item": Endpoint(openapi_spec_id=spec.id, method="GET", path="/items/{id}"),
        "gone": Endpoint(openapi_spec_id=spec.id, method="GET", path="/old", removed=True),
    }
    session.add_all(rows.values())
    await session.flush()
    return {"project": project.id, **{k: v.id for k, v in rows.items()}}


@pytest.fixture
async def commands(stack: StackConfig) -> AsyncIterator[list[dict[str, Any]]]:
    """Commands the gateway publishes, as JetStream stored them."""
    connection = await nats.connect(stack.nats_url)
    js = connection.jetstream()
    try:
        await js.stream_info(STREAM_NAME)
    except NotFoundError:  # a fresh server (the test run alone): declared as the bus declares it
        await js.add_stream(
            config=dataclasses.replace(stream().config, subjects=list(STREAM_SUBJECTS))
        )
    received: list[dict[str, Any]] = []

    async def on_message(message: Msg) -> None:
        received.append(json.loads(message.data))

    await connection.jetstream().subscribe(
        "mv.cmd.test.*",
        cb=on_message,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
    )
    yield received
    await connection.close()


async def command_for(received: list[dict[str, Any]], test_id: str, kind: str) -> dict[str, Any]:
    for _ in range(200):
        found = [m for m in received if m["correlation_id"] == test_id and m["type"] == kind]
        if found:
            assert len(found) == 1
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} for {test_id}")


def original_body(endpoint_id: int) -> dict[str, Any]:
    """The original README's example request."""
    return {
        "title": "Performance Test",
        "description": "API 성능 테스트",
        "target_tps": 100,
        "scenarios": [
            {
                "name": "login_test",
                "endpoint_id": endpoint_id,
                "executor": "constant-vus",
                "think_time": 1.0,
                "stages": [{"duration": "30s", "target": 10}],
            }
        ],
    }


async def test_start_stores_everything_and_publishes_run_test(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
) -> None:
    body = original_body(endpoints["login"])
    body["scenarios"].append(
        {
            "name": "상품 조회",
            "endpoint_id": endpoints["item"],
            "executor": "ramping-vus",
            "stages": [{"duration": "10s", "target": 5}, {"duration": "1m30s", "target": 0}],
            "path_params": {"id": "42"},
            "headers": {"Authorization": "Bearer x"},
            "response_time_target": {"max_ms": 300, "percentile": 99},
            "error_rate_target": 0.01,
        }
    )
    response = await client.post("/load-testing", json=body)
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["status"] == "pending"
    test_id = created["test_id"]

    test = await session.scalar(select(TestHistory).where(TestHistory.test_id == test_id))
    assert test is not None
    assert (test.title, test.project_id, test.target_tps) == (
        "Performance Test", endpoints["project"], 100
    )  # fmt: skip
    assert not test.is_completed
    assert test.started_by == "token:test admin"  # the client fixture's token
    scenarios = (
        await session.scalars(
            select(ScenarioHistory)
            .where(ScenarioHistory.test_history_id == test.id)
            .order_by(ScenarioHistory.id)
        )
    ).all()
    assert [(s.name, s.scenario_tag, s.executor) for s in scenarios] == [
        ("login_test", "s01_login_test", "constant-vus"),
        ("상품 조회", "s02", "ramping-vus"),
    ]
    assert scenarios[1].response_time_target == 300
    stages = (
        await session.scalars(
            select(StageHistory)
            .where(StageHistory.scenario_id.in_([s.id for s in scenarios]))
            .order_by(StageHistory.id)
        )
    ).all()
    assert [(s.duration, s.target) for s in stages] == [("30s", 10), ("10s", 5), ("1m30s", 0)]

    command = await command_for(commands, test_id, "test.run.requested")
    request = command["payload"]
    assert request["base_url"] == "http://127.0.0.1:9/api"
    login, item = request["scenarios"]
    assert login["endpoint"]["method"] == "POST"
    assert login["endpoint"]["path"] == "/login"
    assert (login["vus"], login["duration"]) == (10, "30s")
    assert item["endpoint"]["path_params"] == {"id": "42"}
    assert item["endpoint"]["headers"] == {"Authorization": "Bearer x"}

    jobs = (await client.get("/scheduler/jobs")).json()
    assert test_id in [j["test_id"] for j in jobs]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"executor": "sideways"}, "scenarios.0.executor"),
        ({"stages": [{"target": 3}]}, "scenarios.0.stages.0.duration"),
        ({"executor": "constant-arrival-rate", "rate": -5}, "scenarios.0.rate"),
        ({"executor": "constant-arrival-rate", "duration": "1s"}, "scenarios.0"),
        ({"duration": "ten seconds"}, "scenarios.0.duration"),
        ({"endpoint_id": 987654321}, "scenarios.0.endpoint_id"),
        ({"headers": {"X": "a\r\nInjected: 1"}}, "scenarios.0.headers.X"),
    ],
)
async def test_impossible_requests_are_422_naming_the_field(
    client: httpx.AsyncClient, endpoints: dict[str, int], change: dict[str, Any], field: str
) -> None:
    body = original_body(endpoints["login"])
    body["scenarios"][0] |= change
    response = await client.post("/load-testing", json=body)
    assert response.status_code == 422, response.text
    locations = [".".join(map(str, e["loc"][1:])) for e in response.json()["detail"]]
    assert any(loc.startswith(field) for loc in locations), locations


async def test_removed_endpoint_and_missing_base_url_are_422(
    client: httpx.AsyncClient, session: AsyncSession, endpoints: dict[str, int]
) -> None:
    response = await client.post("/load-testing", json=original_body(endpoints["gone"]))
    assert response.status_code == 422
    assert "removed" in response.json()["detail"][0]["msg"]

    spec = await session.scalar(
        select(OpenApiSpec).where(OpenApiSpec.project_id == endpoints["project"])
    )
    assert spec is not None
    spec.base_url = None
    await session.flush()
    response = await client.post("/load-testing", json=original_body(endpoints["login"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "base_url"]
    body = original_body(endpoints["login"]) | {"base_url": "http://127.0.0.1:8/v2"}
    assert (await client.post("/load-testing", json=body)).status_code == 202


async def test_script_cancel_and_jobs_follow_the_lifecycle(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
) -> None:
    test_id = (await client.post("/load-testing", json=original_body(endpoints["login"]))).json()[
        "test_id"
    ]
    assert (await client.get(f"/load-testing/{test_id}/script")).status_code == 404

    now = datetime.now(UTC)
    script = 'export const options = {"title": "한국어 `${x}`"};\n'
    started = TestStarted(
        test_id=test_id,
        executor="local",
        job_name="k6-x",
        script_name="/tmp/k6-x/script.js",
        started_at=now,
        script=script,
    )
    await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
    response = await client.get(f"/load-testing/{test_id}/script")
    assert response.status_code == 200
    assert response.text == script
    assert response.headers["content-type"].startswith("text/javascript")
    jobs = {j["test_id"]: j for j in (await client.get("/scheduler/jobs")).json()}
    assert jobs[test_id]["status"] == "running"
    assert jobs[test_id]["job_name"] == "k6-x"

    cancel = await client.post(f"/load-testing/{test_id}/cancel")
    assert cancel.status_code == 202
    command = await command_for(commands, test_id, "test.cancel.requested")
    assert command["payload"]["test_id"] == test_id

    finished = TestFinished(
        test_id=test_id, status=RunStatus.CANCELLED, reason="cancelled by user", finished_at=now
    )
    await store_finished(session, TestFinishedEvent(correlation_id=test_id, payload=finished))
    test = await session.scalar(select(TestHistory).where(TestHistory.test_id == test_id))
    assert test is not None
    assert (test.status, test.is_completed, test.completed_at) == ("cancelled", True, now)
    assert test_id not in [j["test_id"] for j in (await client.get("/scheduler/jobs")).json()]
    assert (await client.post(f"/load-testing/{test_id}/cancel")).status_code == 409
    assert (await client.post("/load-testing/nope/cancel")).status_code == 404
    assert (await client.get("/load-testing/nope/script")).status_code == 404


async def test_finished_before_started_stays_finished(
    client: httpx.AsyncClient, session: AsyncSession, endpoints: dict[str, int]
) -> None:
    test_id = (await client.post("/load-testing", json=original_body(endpoints["login"]))).json()[
        "test_id"
    ]
    now = datetime.now(UTC)
    finished = TestFinished(
        test_id=test_id,
        status=RunStatus.FAILED,
        reason="thresholds crossed: http_req_failed{scenario:s01} rate<0.01",
        finished_at=now,
        thresholds_crossed=True,
    )
    await store_finished(session, TestFinishedEvent(correlation_id=test_id, payload=finished))
    started = TestStarted(
        test_id=test_id, executor="local", job_name="k6-y", script_name="s.js", started_at=now
    )
    await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
    test = await session.scalar(select(TestHistory).where(TestHistory.test_id == test_id))
    assert test is not None
    assert test.status == "failed"
    assert test.status_reason == finished.reason  # stored as the test-runner gave it
    assert test.job_name == "k6-y"


async def test_parallelism_reaches_the_runner_and_the_details(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
) -> None:
    body = original_body(endpoints["login"]) | {"parallelism": 3, "one_runner_per_node": True}
    response = await client.post("/load-testing", json=body)
    assert response.status_code == 202, response.text
    created = response.json()
    request = (await command_for(commands, created["test_id"], "test.run.requested"))["payload"]
    assert (request["parallelism"], request["one_runner_per_node"]) == (3, True)
    details = await client.get(f"/test-history/{created['test_history_id']}/details")
    assert details.json()["parallelism"] == 3

    refused = await client.post("/load-testing", json=body | {"parallelism": 0})
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["body", "parallelism"]]


async def test_metrics_mode_reaches_the_runner_and_the_details(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
    session: AsyncSession,
) -> None:
    body = original_body(endpoints["login"])
    default = await client.post("/load-testing", json=body)
    precise = await client.post("/load-testing", json=body | {"metrics_mode": "precise"})
    for created, mode in ((default.json(), "fast"), (precise.json(), "precise")):
        request = await command_for(commands, created["test_id"], "test.run.requested")
        assert request["payload"]["metrics_mode"] == mode
        details = await client.get(f"/test-history/{created['test_history_id']}/details")
        assert details.json()["metrics_mode"] == mode  # stored from the request

    # TEST_STARTED keeps what the runner ran; one from an older runner (no mode) changes nothing.
    test_id = precise.json()["test_id"]
    now = datetime.now(UTC)
    for ran in (MetricsMode.FAST, None):
        started = TestStarted(
            test_id=test_id, executor="local", job_name="k6-z", script_name="s.js",
            started_at=now, metrics_mode=ran,
        )  # fmt: skip
        await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
        details = await client.get(f"/test-history/{precise.json()['test_history_id']}/details")
        assert details.json()["metrics_mode"] == "fast"

    refused = await client.post("/load-testing", json=body | {"metrics_mode": "exact"})
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["body", "metrics_mode"]]
