"""Where load may go, and how much of it: a test aimed outside the allowed targets, or larger
than its starter's role may ask for, is refused with a 422 before anything is stored or sent.
(The accepted case, at loopback, is test_load_testing_api's.)"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from mv_gateway.auth import Role
from mv_gateway.auth.aiming import check_targets, resolve
from mv_gateway.auth.targets import DEFAULT_ALLOWED, AllowList, TargetNotAllowed
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec


@pytest.fixture
async def endpoint(session: AsyncSession) -> int:
    project = Project(title="aimed")
    session.add(project)
    await session.flush()
    spec = OpenApiSpec(project_id=project.id, title="s", version="1", base_url="http://127.0.0.1:9")
    session.add(spec)
    await session.flush()
    row = Endpoint(openapi_spec_id=spec.id, method="GET", path="/items")
    session.add(row)
    await session.flush()
    return row.id


def _test(
    endpoint: int, base_url: str | None = None, load: dict[str, object] | None = None
) -> dict[str, object]:
    scenario = {"name": "s", "endpoint_id": endpoint, **(load or {"vus": 1, "duration": "1s"})}
    body: dict[str, object] = {"title": "aimed", "scenarios": [scenario]}
    if base_url:
        body["base_url"] = base_url
    return body


async def _stored(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(TestHistory)) or 0)


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("http://10.1.2.3:8080/api", "10.1.2.3"),
        ("http://[2001:db8::1]/", "2001:db8::1"),
        ("https://metric-vault-target.invalid/", "metric-vault-target.invalid"),  # no address
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),  # a cloud's metadata
    ],
)
async def test_a_test_aimed_outside_the_allow_list_is_refused_naming_the_host(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: int, base_url: str, host: str
) -> None:
    before = await _stored(session)
    answer = await client.post("/load-testing", json=_test(endpoint, base_url))
    assert answer.status_code == 422, answer.text
    error = answer.json()["detail"][0]
    assert error["loc"] == ["body", "base_url"]
    assert host in error["msg"]
    assert "allowed-targets" in error["msg"]
    assert await _stored(session) == before


async def test_admins_edit_the_allow_list(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    assert (await client.get("/settings/allowed-targets")).json() == {
        "entries": list(DEFAULT_ALLOWED)
    }
    bad = await client.put("/settings/allowed-targets", json={"entries": ["ok.example", "a b"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "entries", 1]
    viewer = bearer(tokens[Role.VIEWER])
    entries = {"entries": ["10.0.0.0/8", "*.Staging.Example"]}
    assert (
        await client.put("/settings/allowed-targets", json=entries, headers=viewer)
    ).status_code == 403
    put = await client.put("/settings/allowed-targets", json=entries)
    assert put.json() == {"entries": ["10.0.0.0/8", "*.staging.example"]}
    assert (await client.get("/settings/allowed-targets", headers=viewer)).json() == put.json()
    audit = (await client.get("/audit", params={"action": "set_allowed_targets"})).json()
    assert audit[0]["detail"] == {"entries": ["10.0.0.0/8", "*.staging.example"]}
    assert audit[0]["actor"] == "token:test admin"


async def test_the_edited_list_is_the_one_checked(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: int
) -> None:
    await client.put("/settings/allowed-targets", json={"entries": ["192.0.2.0/24"]})
    loopback = await client.post("/load-testing", json=_test(endpoint))  # the spec's 127.0.0.1
    assert loopback.status_code == 422
    assert "127.0.0.1" in loopback.json()["detail"][0]["msg"]


async def test_resolved_names_are_judged_by_every_address() -> None:
    assert "127.0.0.1" in await resolve("localhost") or "::1" in await resolve("localhost")
    assert await resolve("metric-vault-target.invalid") == []
    assert await resolve("[::1]") == ["::1"]
    networks_only = AllowList.parse(["127.0.0.0/8", "::1/128"])
    await check_targets(networks_only, ["http://localhost:8080/"])  # resolves to loopback
    with pytest.raises(TargetNotAllowed, match=r"10\.9\.9\.9"):
        await check_targets(networks_only, ["http://127.0.0.1/", "http://10.9.9.9/"])


@pytest.mark.parametrize(
    ("load", "reason"),
    [
        ({"vus": 501, "duration": "1s"}, "501 VUs in all: a tester may use at most 500"),
        ({"vus": 1, "duration": "2h"}, "lasts 7200 s"),
        (
            {
                "executor": "ramping-vus",
                "stages": [{"duration": "50m", "target": 10}, {"duration": "20m", "target": 0}],
            },
            "lasts 4200 s",
        ),
        ({"vus": 1, "duration": "59m", "start_time": "2m"}, "lasts 3660 s"),
    ],
)  # fmt: skip
async def test_a_tester_asking_for_more_than_the_role_allows_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tokens: dict[Role, str],
    endpoint: int,
    load: dict[str, object],
    reason: str,
) -> None:
    body = _test(endpoint, load=load)
    before = await _stored(session)
    answer = await client.post("/load-testing", json=body, headers=bearer(tokens[Role.TESTER]))
    assert answer.status_code == 422, answer.text
    assert reason in answer.json()["detail"][0]["msg"]
    assert await _stored(session) == before


async def test_iteration_executors_are_held_to_their_max_duration(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: int
) -> None:
    """Before: the gateway's check took every iteration executor for k6's default 10 minutes,
    so per-vu-iterations for 5h50m passed where constant-vus for 5 h was refused."""
    before = await _stored(session)
    for load in (
        {"vus": 1, "duration": "5h"},
        {"executor": "per-vu-iterations", "vus": 1, "iterations": 1, "duration": "5h50m"},
        {"executor": "shared-iterations", "vus": 1, "iterations": 1, "duration": "5h50m"},
    ):
        answer = await client.post("/load-testing", json=_test(endpoint, load=load))  # an admin
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["detail"]
        assert error["loc"] == ["body", "scenarios", 0, "duration"]
        assert "MAX_TEST_SECONDS" in error["msg"]
    assert await _stored(session) == before


async def test_arrival_rate_vus_are_counted_alike_by_every_limit(
    client: httpx.AsyncClient, session: AsyncSession, tokens: dict[Role, str], endpoint: int
) -> None:
    """An arrival-rate scenario holds its max_vus (else pre_allocated_vus) VUs; its stage
    targets are iterations per time_unit. Before: the role check took 1,000 it/s for 1,000 VUs
    after the gateway's check had let it through."""
    tester = bearer(tokens[Role.TESTER])
    load: dict[str, object] = {
        "executor": "ramping-arrival-rate",
        "pre_allocated_vus": 50,
        "stages": [{"duration": "10s", "target": 1000}],
    }
    accepted = await client.post("/load-testing", json=_test(endpoint, load=load), headers=tester)
    assert accepted.status_code == 202, accepted.text
    more = await client.post(
        "/load-testing", json=_test(endpoint, load={**load, "max_vus": 501}), headers=tester
    )
    assert more.status_code == 422
    assert "501 VUs in all: a tester may use at most 500" in more.json()["detail"][0]["msg"]
    beyond_load = {**load, "max_vus": 5001}
    beyond = await client.post("/load-testing", json=_test(endpoint, load=beyond_load))
    [error] = beyond.json()["detail"]
    assert error["loc"] == ["body", "scenarios", 0, "max_vus"]
    assert error["msg"] == "5001 VUs; the limit is 5000 (MAX_VUS)"


async def test_a_starter_may_have_only_so_many_tests_going(
    client: httpx.AsyncClient, session: AsyncSession, tokens: dict[Role, str], endpoint: int
) -> None:
    """Before: no cap; a tester could start any number of tests at once."""
    tester = bearer(tokens[Role.TESTER])
    started = []
    for _ in range(3):  # TESTER_MAX_RUNNING_TESTS
        answer = await client.post("/load-testing", json=_test(endpoint), headers=tester)
        assert answer.status_code == 202, answer.text
        started.append(answer.json()["test_id"])
    before = await _stored(session)
    refused = await client.post("/load-testing", json=_test(endpoint), headers=tester)
    assert refused.status_code == 429, refused.text
    assert refused.json()["detail"] == (
        "token:test tester has 3 tests pending or running: a tester may have at most 3 at once;"
        " wait for one to end or cancel one"
    )
    assert await _stored(session) == before
    # Counted per starter: an admin (here another starter) is not held to the tester's count.
    assert (await client.post("/load-testing", json=_test(endpoint))).status_code == 202
    ended = await session.scalar(select(TestHistory).where(TestHistory.test_id == started[0]))
    assert ended is not None
    ended.status, ended.is_completed = "succeeded", True
    await session.flush()
    again = await client.post("/load-testing", json=_test(endpoint), headers=tester)
    assert again.status_code == 202, again.text
