"""POST /project/{id}/import/har through the app on real SQLite and PostgreSQL: the demo
recording previewed against the project's stored endpoints; hostile uploads refused with the
field and the reason (4xx, never 500); roles as for starting a test."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.har.hars import DEMO_ENDPOINTS, demo_har, entry, har
from mv_gateway.auth import Role
from mv_gateway.har.reading import MAX_ENTRIES, MAX_HAR_BYTES
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec

JSON = {"Content-Type": "application/json"}


async def demo_project(session: AsyncSession) -> tuple[int, dict[str, int]]:
    """A project with the demo API's spec and its endpoints; their ids by request line."""
    project = Project(title="demo")
    session.add(project)
    await session.flush()
    spec = OpenApiSpec(project_id=project.id, title="demo", version="1", base_url="http://x")
    session.add(spec)
    await session.flush()
    ids: dict[str, int] = {}
    for option in DEMO_ENDPOINTS:
        row = Endpoint(openapi_spec_id=spec.id, method=option.method, path=option.path)
        session.add(row)
        await session.flush()
        ids[f"{option.method} {option.path}"] = row.id
    return project.id, ids


async def test_the_demo_recording_is_previewed_against_the_projects_endpoints(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project_id, ids = await demo_project(session)
    answer = await client.post(
        f"/project/{project_id}/import/har", content=json.dumps(demo_har()), headers=JSON
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [(s["step"]["name"], s["step"]["endpoint_id"]) for s in found["steps"]] == [
        (name, ids[name.replace("{item_id}", "{item_id}")]) for name in (
            "GET /products", "POST /auth/login", "POST /vault/items",
            "GET /vault/items/{item_id}", "PUT /vault/items/{item_id}",
            "DELETE /vault/items/{item_id}")
    ]  # fmt: skip
    assert [c["variable"] for c in found["correlations"]] == ["access_token", "id"]
    assert "vault-demo" not in answer.text
    kept = await client.post(
        f"/project/{project_id}/import/har",
        params={"keep": [4], "keep_hosts": ["analytics.example.test"]},
        content=json.dumps(demo_har()),
        headers=JSON,
    )
    skipped = {s["entry"]: s["reason"] for s in kept.json()["skipped"]}
    assert skipped[4] == "no_endpoint"  # kept, but the logo is no endpoint of the project
    assert skipped[3] == "asset"  # the kept host's script is still an asset
    assert skipped[8] == "body_not_json"


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        (b"not json", ["body", 0], "JSON decode error"),
        (b"[" * 5000 + b"]" * 5000, ["body"], "nest deeper"),
        (b'{"log": {"entries": [NaN]}}', ["body", "log", "entries", 0], "finite"),
        (b"{}", ["body", "log"], "no log object"),
        (b'{"log": {"entries": {}}}', ["body", "log", "entries"], "no list"),
        (json.dumps(har({"request": {}})).encode(), ["body", "log", "entries", 0,
                                                     "startedDateTime"], "Field required"),
        (json.dumps(har(entry("GET", "http://a:port/x"))).encode(),
         ["body", "log", "entries", 0, "request", "url"], "Port"),
        (json.dumps(har(entry("GET", "http://[::1/x"))).encode(),
         ["body", "log", "entries", 0, "request", "url"], "IPv6"),
        (json.dumps({"log": {"entries": [0] * (MAX_ENTRIES + 1)}}).encode(),
         ["body", "log", "entries"], f"at most {MAX_ENTRIES}"),
    ],
)  # fmt: skip
async def test_a_hostile_upload_is_a_422_naming_the_field_and_why(
    client: httpx.AsyncClient, session: AsyncSession, body: bytes, loc: list[object], words: str
) -> None:
    project_id, _ = await demo_project(session)
    for headers in (JSON, {"Content-Type": "application/octet-stream"}):
        answer = await client.post(f"/project/{project_id}/import/har", content=body,
                                   headers=headers)  # fmt: skip
        assert answer.status_code == 422, answer.text
        error = answer.json()["detail"][0]
        assert error["loc"][: len(loc)] == loc
        assert words in error["msg"]


async def test_a_header_with_a_token_is_not_echoed_in_an_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project_id, _ = await demo_project(session)
    bad = entry("GET", "http://a/x", headers={"Authorization": "Bearer sekret-token"})
    bad["request"]["headers"].append({"name": "X", "value": 12})
    answer = await client.post(f"/project/{project_id}/import/har", json=har(bad))
    assert answer.status_code == 422
    assert "sekret" not in answer.text


async def test_limits_unknown_projects_and_roles(
    anonymous: httpx.AsyncClient, session: AsyncSession, tokens: dict[Role, str]
) -> None:
    project_id, _ = await demo_project(session)
    url = f"/project/{project_id}/import/har"
    tester = bearer(tokens[Role.TESTER])
    # Another type than JSON: refused on its declared length, unread and unparsed; as JSON,
    # the gateway's own bound (MAX_BODY_BYTES) came first, and the HAR's before it is walked.
    too_big = json.dumps(har(entry("GET", "http://a/" + "x" * MAX_HAR_BYTES))).encode()
    for kind in ("application/octet-stream", "application/json"):
        answer = await anonymous.post(
            url, content=too_big, headers={**tester, "Content-Type": kind}
        )
        assert answer.status_code == 413, kind
        assert str(MAX_HAR_BYTES) in answer.text
    assert (await anonymous.post(url, content=b"", headers=tester)).status_code == 422
    assert (await anonymous.post(url, json=har(), headers=tester)).status_code == 200
    viewer = bearer(tokens[Role.VIEWER])
    assert (await anonymous.post(url, json=har(), headers=viewer)).status_code == 403
    assert (await anonymous.post(url, json=har())).status_code == 401
    missing = await anonymous.post("/project/999999/import/har", json=har(), headers=tester)
    assert missing.status_code == 404
    named = await anonymous.post(url, json=har(), params={"host": "x.test"}, headers=tester)
    assert named.status_code == 422
    assert named.json()["detail"][0]["loc"] == ["body", "host"]
