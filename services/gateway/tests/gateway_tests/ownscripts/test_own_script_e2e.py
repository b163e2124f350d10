"""A team's own k6 script through the served gateway and a real test-runner process: uploaded
(k6 inspect reads it; refusals name the file and line), versioned, and run unmodified split over
3 local k6 runners, the test recording the version it ran; its __ENV secret shown nowhere.
Real NATS, SQLite, k6 and a counting HTTP target on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_tests.runs.test_load_testing_e2e import test_runner as runner_process  # noqa: F401
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig
from mv_gateway.core.engine import make_session_factory
from mv_gateway.history.tables import TestHistory

from .archives import link, regular, tar_gz

MAIN = b"""\
import http from "k6/http";
import { path } from "./lib/paths.js";

export const options = {
  scenarios: {
    browse: { executor: "shared-iterations", vus: 3, iterations: 9, exec: "browse" },
    buy: { executor: "per-vu-iterations", vus: 3, iterations: 2, exec: "buy" },
  },
  thresholds: { http_req_failed: ["rate<0.5"] },
};

export function browse() { http.get(`${__ENV.BASE_URL}${path}`); }
export function buy() {
  http.post(`${__ENV.BASE_URL}/orders`, null, { headers: { "X-Token": __ENV.TOKEN } });
}
export function handleSummary(data) { return { "mine.json": JSON.stringify(data.metrics) }; }
"""
LIB = b'export const path = "/items";\n'
GZIP = {"Content-Type": "application/gzip"}
SECRET = "token-that-must-not-show"


class Counting:
    def __init__(self) -> None:
        self.served: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.served.append(head)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        writer.close()


async def _until_done(http: httpx.AsyncClient, history_id: int) -> dict[str, Any]:
    for _ in range(900):
        body: dict[str, Any] = (await http.get(f"/test-history/{history_id}/details")).json()
        if body.get("is_completed"):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(body)


@pytest.mark.usefixtures("runner_process")
async def test_an_own_script_is_checked_versioned_and_run_split(
    stack: StackConfig, tmp_path: Path
) -> None:
    target = Counting()
    server = await asyncio.start_server(target.serve, "127.0.0.1", 0)
    base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
    try:
        async with serve_gateway(stack, url) as (base, app), signed_in(base, 60) as http:
            project = (await http.post("/project", json={"title": "own"})).json()["id"]
            scripts = f"/project/{project}/scripts"

            # k6 refuses: its words, the file and the line.
            pasted = b"export default function () {\n  x = ;\n}\n"
            for _ in range(300):  # until the test-runner process answers on the bus
                bad = await http.post(
                    f"{scripts}/shop", content=pasted, headers={"Content-Type": "text/javascript"}
                )
                if bad.status_code != 503:
                    break
                await asyncio.sleep(0.1)
            assert bad.status_code == 422, bad.text
            assert "script.js line 2" in bad.text
            assert "Unexpected token" in bad.text
            missing = await http.post(
                f"{scripts}/shop", content=tar_gz(regular("main.js", MAIN)),
                headers=GZIP,
            )  # fmt: skip
            assert missing.status_code == 422, missing.text
            assert "main.js line 2" in missing.text
            assert "./lib/paths.js" in missing.text
            # A hostile archive never reaches k6.
            hostile = await http.post(
                f"{scripts}/shop",
                content=tar_gz(regular("main.js", MAIN), link("lib", "/etc")),
                headers=GZIP,
            )
            assert hostile.status_code == 422
            assert "is a link" in hostile.text

            archive = tar_gz(regular("main.js", MAIN), regular("lib/paths.js", LIB))
            first = await http.post(f"{scripts}/shop", content=archive, headers=GZIP)
            assert first.status_code == 201, first.text
            second = await http.post(f"{scripts}/shop", content=archive, headers=GZIP)
            assert second.status_code == 201, second.text
            version = second.json()
            assert (first.json()["version"], version["version"]) == (1, 2)
            assert version["files"] == {"lib/paths.js": len(LIB), "main.js": len(MAIN)}
            seen = version["inspection"]
            assert [(s["name"], s["executor"]) for s in seen["scenarios"]] == [
                ("browse", "shared-iterations"),
                ("buy", "per-vu-iterations"),
            ]
            assert seen["thresholds"] == {"http_req_failed": ["rate<0.5"]}
            assert seen["max_vus"] == 6
            listed = (await http.get(scripts)).json()
            assert [v["version"] for v in listed] == [1, 2]
            # Each file reads back as text; only the version's own files are there.
            files = f"/scripts/{version['id']}/files"
            lib = await http.get(f"{files}/lib/paths.js")
            assert (lib.status_code, lib.text) == (200, LIB.decode())
            assert lib.headers["content-type"] == "text/plain; charset=utf-8"
            for absent in ("lib%2F..%2Fmain.js", "nope.js", "lib"):
                assert (await http.get(f"{files}/{absent}")).status_code == 404, absent

            created = await http.post(
                "/load-testing/own-script",
                json={"script_id": version["id"], "base_url": base_url, "parallelism": 3,
                      "metrics_mode": "precise", "env": {"TOKEN": SECRET}},
            )  # fmt: skip
            assert created.status_code == 202, created.text
            assert SECRET not in created.text
            details = await _until_done(http, created.json()["test_history_id"])
            assert details["status"] == "succeeded", details["status_reason"]
            assert details["parallelism"] == 3
            assert details["own_script_id"] == version["id"]
            assert len(target.served) == 9 + 6
            orders = [h for h in target.served if h.startswith(b"POST /orders")]
            assert len(orders) == 6
            assert all(SECRET.encode() in h for h in orders)  # __ENV reached the script
            assert SECRET not in str(details)
            script = await http.get(f"/load-testing/{created.json()['test_id']}/script")
            assert script.text == MAIN.decode()  # the script ran as written
            async with make_session_factory(app.state.engine)() as session:
                row = await session.get(TestHistory, created.json()["test_history_id"])
                assert row is not None
                assert row.own_script_id == version["id"]
                assert SECRET not in str(row.run_request)
    finally:
        server.close()
