"""A tester cannot make the spec-analyzer read the platform's own services for the viewers, and
the local demo is still analysed: the gateway, the analyzer and the demo API as processes,
configured as the local stack configures them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.credentials import ensure_admin
from mv_devstack.processes import ManagedProcess, wait_until
from mv_devstack.services import service_process, start_demo_api

pytestmark = pytest.mark.slow


def document_server(routes: dict[str, tuple[int, dict[str, str], bytes]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for key, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def gateway_and_analyzer(services_config: StackConfig) -> Iterator[StackConfig]:
    config = services_config
    processes: list[ManagedProcess] = [
        service_process(config, name) for name in ("gateway", "spec-analyzer")
    ]
    processes[0].env.update(ensure_admin(config).gateway_environment())
    try:
        for process in processes:
            process.start(config.host)
        processes.append(start_demo_api(config))

        def ready() -> bool:
            try:
                return httpx.get(f"{config.gateway_url}/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, what="gateway", timeout=60, process=processes[0])
        yield config
    finally:
        for process in reversed(processes):
            process.stop()


def test_a_viewer_cannot_read_an_internal_answer(gateway_and_analyzer: StackConfig) -> None:
    config = gateway_and_analyzer
    monitor = f"http://{config.host}:{config.nats_monitor_port}/varz"
    assert "server_id" in httpx.get(monitor, timeout=5).json()  # what a tester was after
    schema = {"$ref": "order.json"}
    body = {"content": {"application/json": {"schema": schema}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "orders", "version": "1"},
        "paths": {"/orders": {"post": {"requestBody": body, "responses": {}}}},
    }
    routes = {
        "/openapi.json": (200, {"Content-Type": "application/json"}, json.dumps(document).encode()),
        "/order.json": (302, {"Location": monitor}, b""),
    }
    server = document_server(routes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/openapi.json"
    with httpx.Client(base_url=config.gateway_url, timeout=90) as gateway:
        admin = config.admin_headers()

        def token(role: str) -> dict[str, str]:
            made = gateway.post("/auth/tokens", json={"name": role, "role": role}, headers=admin)
            assert made.status_code == 201, made.text
            return {"Authorization": f"Bearer {made.json()['token']}"}

        tester, viewer = token("tester"), token("viewer")
        project = gateway.post("/project", json={"title": "fetch policy"}, headers=admin).json()
        analysed = gateway.post(
            "/openapi/analyze", params={"wait": "true", "timeout": 60}, headers=tester,
            json={"project_id": project["id"], "openapi_url": url},
        )  # fmt: skip
        server.shutdown()
        server.server_close()
        assert analysed.status_code == 200, analysed.text
        spec_id = analysed.json()["spec_id"]
        endpoints = gateway.get("/endpoint", params={"spec_id": spec_id}, headers=viewer)
    assert endpoints.status_code == 200, endpoints.text
    assert "server_id" not in endpoints.text
    assert "jetstream" not in endpoints.text
    (endpoint,) = endpoints.json()
    assert endpoint["request_body"]["schema"] == schema


def test_the_local_demo_is_still_analysed(gateway_and_analyzer: StackConfig) -> None:
    """``make run``: the demo API on loopback, through its Swagger UI page, with the default
    allowed targets."""
    config = gateway_and_analyzer
    with httpx.Client(base_url=config.gateway_url, timeout=90) as gateway:
        admin = config.admin_headers()
        project = gateway.post("/project", json={"title": "demo"}, headers=admin).json()
        analysed = gateway.post(
            "/openapi/analyze", params={"wait": "true", "timeout": 60}, headers=admin,
            json={"project_id": project["id"], "openapi_url": f"{config.demo_url}/docs"},
        )  # fmt: skip
    assert analysed.status_code == 200, analysed.text
    assert analysed.json()["status"] == "succeeded"
