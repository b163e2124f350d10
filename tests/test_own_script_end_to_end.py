"""A team's own k6 script through ``metric-vault run script.js``: every real part (NATS,
InfluxDB, PostgreSQL, k6, the services as processes) and a loopback target that counts what it
served. Split over 3 runners, the stored summary (overall and per k6 scenario) equals the
target's counts and the CLI passes; the script's own threshold crossed (through ``--env``)
fails the gate with exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow

SCRIPT = """\
import http from "k6/http";

export const options = {
  scenarios: {
    browse: { executor: "shared-iterations", vus: 3, iterations: 30, exec: "browse" },
    buy: { executor: "per-vu-iterations", vus: 3, iterations: 5, exec: "buy" },
  },
  thresholds: { http_req_duration: [__ENV.LIMIT || "p(95)<10000"] },
};

export function browse() { http.get(`${__ENV.BASE_URL}/items`); }
export function buy() {
  http.post(`${__ENV.BASE_URL}/orders`, "{}", { headers: { "X-Token": __ENV.TOKEN } });
}
export function handleSummary(data) { return { "mine.json": JSON.stringify(data.metrics) }; }
"""


class Target(BaseHTTPRequestHandler):
    served: list[str] = []  # noqa: RUF012 -- the test's one record of what was served
    lock = threading.Lock()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with self.lock:
            self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def target() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    Target.served = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _cli(config: StackConfig, script: Path, base_url: str, *extra: str) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "mv_cli", "run", str(script), "--gateway", config.gateway_url,
         "--base-url", base_url, "--parallelism", "3", "--metrics-mode", "precise",
         "--env", "TOKEN", "--quiet", *extra],
        capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "TOKEN": "from-ci", "METRIC_VAULT_TOKEN":
             config.admin_token_file.read_text().strip()},
    )  # fmt: skip


def test_an_own_script_runs_split_with_exact_figures_and_gates_ci(
    services_config: StackConfig, tmp_path: Path, target: str
) -> None:
    config = services_config
    script = tmp_path / "shop.js"
    script.write_text(SCRIPT, encoding="utf-8")
    with services_running(config):
        passed = _cli(config, script, target)
        served = list(Target.served)
        Target.served.clear()
        crossed = _cli(config, script, target, "--env", "LIMIT=max<0")
        with httpx.Client(
            base_url=config.gateway_url, headers=config.admin_headers(), timeout=10
        ) as http:
            board = http.get("/test-history/simple", params={"limit": 2}).json()
            details = http.get(f"/test-history/{board[-1]['id']}/details").json()
            last = http.get(f"/test-history/{board[0]['id']}/details").json()

    assert passed.returncode == 0, f"{passed.stdout}{passed.stderr}{details}"
    assert "shop v1: k6 read scenarios browse, buy" in passed.stderr
    assert len(served) == 30 + 15
    assert served.count("/orders") == 15
    assert details["parallelism"] == 3
    assert details["figures"]["total_requests"] == len(served)
    figures = {s["name"]: s["figures"]["total_requests"] for s in details["scenarios"]}
    assert figures == {"browse": 30, "buy": 15}
    assert "from-ci" not in str(details)

    assert crossed.returncode == 1, crossed.stdout + crossed.stderr  # the script's threshold
    assert "shop v2" in crossed.stderr
    assert last["status"] == "failed"
    assert (last["status_reason"] or "").startswith("thresholds crossed")
