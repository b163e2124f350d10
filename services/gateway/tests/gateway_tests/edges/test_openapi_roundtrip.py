"""analyse -> analysed -> stored through the real NATS server: the gateway app and the
spec-analyzer's FastStream app run in-process, each with its own real broker, against a real
database; the documents come from a real FastAPI service and a local HTTP server."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway_tests.conftest import committed_admin
from gateway_tests.served import serve_in_thread
from mv_contracts.subjects import (
    ANALYSE_SPEC,
    SPEC_ANALYSED,
    SPEC_ANALYSIS_FAILED,
    STREAM_NAME,
    STREAM_SUBJECTS,
    Subject,
    durable_name,
)
from mv_devstack.config import StackConfig
from mv_gateway.app import create_app
from mv_gateway.core.settings import Settings
from mv_gateway.specs import handlers as gateway_specs
from mv_runtime.bus import ACK_WAIT_SECONDS, MAX_DELIVER, stream
from mv_spec_analyzer import handlers as analyzer_handlers
from mv_spec_analyzer.app import create_app as create_analyzer
from mv_spec_analyzer.settings import Settings as AnalyzerSettings


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    """A real FastAPI service on loopback: its Swagger UI page is what a newcomer pastes."""
    app = FastAPI(title="Shop", version="2.0")

    @app.get("/products/{product_id}", tags=["products"], summary="상품 조회")
    async def product(product_id: int) -> dict[str, int]:
        return {"id": product_id}

    @app.post("/orders", tags=["orders"])
    async def order(body: dict[str, int]) -> dict[str, int]:
        return body

    with serve_in_thread(app) as url:
        yield url


def big_document() -> bytes:
    """A document that, and whose analysed result, is too large for one NATS message."""
    paths = {
        f"/resources/r{n}": {
            "get": {"summary": f"resource {n}", "description": "긴 설명 " * 200, "tags": ["big"]}
        }
        for n in range(600)
    }
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "big", "version": "1"}, "paths": paths},
        ensure_ascii=False,
    ).encode()


@pytest.fixture(scope="module")
def big_document_url() -> Iterator[str]:
    body = big_document()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/big.json"
    httpd.shutdown()
    httpd.server_close()


async def own_consumers(nats_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Subject]:
    """Durable consumers of this test alone, delivering only new messages.

    Service processes of a running local stack (or other tests) share the NATS server and the
    stream: with the services' own durables they could take this test's messages, and a fresh
    durable delivering everything would replay the stream's history into this database.
    """
    suffix = uuid.uuid4().hex[:8]
    gateway, analyzer = f"gateway-rt-{suffix}", f"spec-analyzer-rt-{suffix}"
    monkeypatch.setattr(gateway_specs, "SERVICE", gateway)
    monkeypatch.setattr(analyzer_handlers, "SERVICE", analyzer)
    consumers = {
        durable_name(gateway, SPEC_ANALYSED): SPEC_ANALYSED,
        durable_name(gateway, SPEC_ANALYSIS_FAILED): SPEC_ANALYSIS_FAILED,
        durable_name(analyzer, ANALYSE_SPEC): ANALYSE_SPEC,
    }
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    try:
        await js.stream_info(STREAM_NAME)
    except NotFoundError:  # a fresh server: declared as mv_runtime.bus declares it
        await js.add_stream(
            config=dataclasses.replace(stream().config, subjects=list(STREAM_SUBJECTS))
        )
    for durable, subject in consumers.items():
        await js.add_consumer(
            STREAM_NAME,
            ConsumerConfig(
                durable_name=durable,
                filter_subject=subject.name,
                deliver_policy=DeliverPolicy.NEW,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=ACK_WAIT_SECONDS,
                max_deliver=MAX_DELIVER,
            ),
        )
    await connection.close()
    return consumers


async def drop_consumers(nats_url: str, consumers: dict[str, Subject]) -> None:
    connection = await nats.connect(nats_url)
    for durable in consumers:
        await connection.jetstream().delete_consumer(STREAM_NAME, durable)
    await connection.close()


@pytest.fixture
async def live(
    engine: AsyncEngine, stack: StackConfig, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway (committed database, subscribed broker) and a running spec-analyzer."""
    consumers = await own_consumers(stack.nats_url, monkeypatch)
    analyzer_app = create_analyzer(AnalyzerSettings(nats_url=stack.nats_url, spec_fetch_timeout=5))
    analyzer = analyzer_app.broker
    assert analyzer is not None
    broker = NatsBroker(stack.nats_url)
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        nats_url=stack.nats_url,
        migrate_on_start=False,
    )
    app = create_app(settings, broker=broker)
    await analyzer.start()
    await broker.start()
    transport = httpx.ASGITransport(app=app)
    headers = await committed_admin(engine)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gateway", headers=headers
    ) as http:
        project = (await http.post("/project", json={"title": "round trip"})).json()
        http.headers["x-project"] = str(project["id"])
        try:
            yield http
        finally:
            # Handlers stop first: none may still be writing under the project being deleted.
            await broker.stop()
            await analyzer.stop()
            await http.delete(f"/project/{project['id']}")
    await app.state.engine.dispose()
    await drop_consumers(stack.nats_url, consumers)


async def analyse(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    project_id = int(http.headers["x-project"])
    return await http.post(
        "/openapi/analyze",
        params={"wait": "true", "timeout": 60},
        json={"project_id": project_id, **body},
    )


async def test_swagger_ui_url_round_trip(live: httpx.AsyncClient, service_url: str) -> None:
    answer = await analyse(live, openapi_url=f"{service_url}/docs")
    assert answer.status_code == 200, answer.text
    outcome = answer.json()
    assert outcome["status"] == "succeeded"
    assert sorted(outcome["changes"]["added"]) == ["GET /products/{product_id}", "POST /orders"]
    spec = (await live.get(f"/openapi/{outcome['spec_id']}")).json()
    assert spec["title"] == "Shop"
    assert spec["source_url"] == f"{service_url}/openapi.json"
    assert spec["base_url"] == service_url
    assert {t["name"] for t in spec["tags"]} == {"products", "orders"}
    product = next(e for e in spec["endpoints"] if e["method"] == "GET")
    assert product["summary"] == "상품 조회"
    assert product["parameters"][0]["name"] == "product_id"

    # Without wait: the analysis id at once, the outcome later under /openapi/analyses/{id}.
    project_id = int(live.headers["x-project"])
    pending = await live.post(
        "/openapi/analyze", json={"project_id": project_id, "openapi_url": f"{service_url}/redoc"}
    )
    assert pending.status_code == 202
    analysis_id = pending.json()["analysis_id"]
    deadline = time.monotonic() + 60
    while (state := (await live.get(f"/openapi/analyses/{analysis_id}")).json())[
        "status"
    ] == "pending":
        assert time.monotonic() < deadline
        await _sleep()
    assert state["status"] == "succeeded"
    assert state["spec_id"] == outcome["spec_id"]  # the same source URL: updated in place
    assert state["changes"]["unchanged"] == 2
    listed = (await live.get("/openapi", params={"project_id": project_id})).json()
    assert len(listed) == 1


async def test_reanalysis_of_an_upload_says_what_changed(live: httpx.AsyncClient) -> None:
    def document(paths: dict[str, Any]) -> str:
        return json.dumps(
            {"openapi": "3.1.0", "info": {"title": "up", "version": "1"}, "paths": paths}
        )

    first = await analyse(
        live,
        document=document({"/a": {"get": {}}, "/b": {"get": {}}, "/c": {"delete": {}}}),
    )
    assert first.status_code == 200, first.text
    spec_id = first.json()["spec_id"]
    second = await analyse(
        live,
        spec_id=spec_id,
        document=document(
            {"/a": {"get": {"summary": "changed"}}, "/b": {"get": {}}, "/d": {"put": {}}}
        ),
    )
    assert second.status_code == 200, second.text
    assert second.json()["spec_id"] == spec_id
    assert second.json()["changes"] == {
        "added": ["PUT /d"],
        "changed": ["GET /a"],
        "removed": ["DELETE /c"],
        "unchanged": 1,
    }
    stored = (await live.get(f"/openapi/{spec_id}", params={"include_removed": True})).json()
    assert {(e["path"], e["removed"]) for e in stored["endpoints"]} == {
        ("/a", False), ("/b", False), ("/c", True), ("/d", False)
    }  # fmt: skip


async def test_failed_analyses_are_clear_4xx_and_store_nothing(live: httpx.AsyncClient) -> None:
    project_id = int(live.headers["x-project"])
    malformed = await analyse(live, document='{"openapi": "3.0.0", ')
    assert malformed.status_code == 422
    assert malformed.json()["detail"]["kind"] == "malformed"
    assert "malformed JSON" in malformed.json()["detail"]["reason"]

    refused = await analyse(live, openapi_url="http://169.254.169.254/latest/meta-data/")
    assert refused.status_code == 422
    assert refused.json()["detail"]["kind"] == "unreachable"
    assert "could not fetch the document at" in refused.json()["detail"]["reason"]

    not_openapi = await analyse(live, document={"hello": "world"})
    assert not_openapi.json()["detail"]["kind"] == "not_openapi"
    assert (await live.get("/openapi", params={"project_id": project_id})).json() == []


async def test_large_result_travels_through_the_object_store(
    live: httpx.AsyncClient, big_document_url: str
) -> None:
    answer = await analyse(live, openapi_url=big_document_url)
    assert answer.status_code == 200, answer.text
    endpoints = await live.get(
        "/endpoint", params={"spec_id": answer.json()["spec_id"], "limit": 1000}
    )
    assert len(endpoints.json()) == 600


async def test_large_upload_travels_through_the_object_store(live: httpx.AsyncClient) -> None:
    document = big_document().decode()
    assert len(document.encode()) > 1024 * 1024  # over NATS's default message size
    answer = await analyse(live, document=document)
    assert answer.status_code == 200, answer.text
    spec = (await live.get(f"/openapi/{answer.json()['spec_id']}")).json()
    assert len(spec["endpoints"]) == 600
    assert spec["endpoints"][0]["description"].startswith("긴 설명")


async def _sleep() -> None:
    await asyncio.sleep(0.2)
