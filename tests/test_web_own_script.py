"""A team's own k6 script in a real Chromium against the real stack: a tester opens a stored
version, reads its files highlighted (the entry and its module), runs it against a loopback
target with a secret ``__ENV`` value from the form, and lands on the run's page; the target got
every request with the secret, which the page never shows. Then the card in Korean and on a
phone."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running
from mv_runtime.scriptfiles import pack

from .web_ui import chromium, sign_in

pytestmark = pytest.mark.slow

TESTER = ("tester-own", "Own-tester-pass1")
SECRET = "0wn-s3cr3t-t0ken"
ITERATIONS = 6
MAIN = f"""\
import http from "k6/http";
import {{ itemsPath }} from "./lib/paths.js";

// Six requests over two VUs, each with the token it was given.
export const options = {{
  scenarios: {{ browse: {{ executor: "shared-iterations", vus: 2, iterations: {ITERATIONS} }} }},
}};

export default function () {{
  http.get(`${{__ENV.BASE_URL}}${{itemsPath}}`, {{ headers: {{ "X-Token": __ENV.TOKEN }} }});
}}
"""
LIB = 'export const itemsPath = "/items";\n'


@pytest.fixture
def target() -> Iterator[tuple[str, list[str]]]:
    """A loopback target that keeps each request's X-Token."""
    tokens: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            tokens.append(self.headers.get("X-Token", ""))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tokens
    finally:
        server.shutdown()


def test_a_tester_reads_and_runs_a_stored_script(
    services_config: StackConfig, target: tuple[str, list[str]], tmp_path: Path
) -> None:
    config = services_config
    base_url, tokens = target
    with services_running(config):
        with httpx.Client(base_url=config.gateway_url, headers=config.admin_headers()) as api:
            user = {"username": TESTER[0], "password": TESTER[1], "role": "tester"}
            api.post("/auth/users", json=user).raise_for_status()
            project = api.post("/project", json={"title": "own scripts"}).json()["id"]
            archive = base64.b64decode(
                pack({"main.js": MAIN.encode(), "lib/paths.js": LIB.encode()})
            )
            for _ in range(300):  # until the test-runner answers k6 inspect on the bus
                kept = api.post(
                    f"/project/{project}/scripts/shop",
                    content=archive,
                    headers={"Content-Type": "application/gzip"},
                )
                if kept.status_code != 503:
                    break
                time.sleep(0.2)
            assert kept.status_code == 201, kept.text
        with chromium(tmp_path / "screenshots") as browser:
            page = browser.page
            page.goto(f"{config.gateway_url}/ui/projects/{project}")
            sign_in(page, TESTER)
            browser.errors.clear()  # GET /auth/me answered 401 before the sign-in
            page.get_by_role("button", name="Open shop v1").click()

            source = page.locator("pre.source")
            expect(source).to_contain_text('import { itemsPath } from "./lib/paths.js";')
            expect(source.locator(".hljs-keyword").first).to_have_text("import")
            expect(source.locator(".hljs-comment")).to_have_text(re.compile("^// Six requests"))
            page.get_by_role("tab", name="lib/paths.js").click()
            expect(source).to_have_text(LIB.strip())
            browser.shot("own-script-source")

            form = page.get_by_role("form", name="Run this version")
            form.get_by_label("Base URL").fill(base_url)
            form.get_by_role("button", name="Add").click()
            form.get_by_label("Name 1").fill("TOKEN")
            form.get_by_label("Value 1").fill(SECRET)
            expect(form.get_by_label("Value 1")).to_have_attribute("type", "password")
            form.get_by_role("button", name="Run shop v1").click()
            page.wait_for_url(re.compile(r"/ui/tests/\d+$"))
            expect(page.get_by_role("heading", name="shop v1")).to_be_visible()
            history = int(page.url.rsplit("/", 1)[1])
            deadline = time.monotonic() + 120
            while True:
                details = httpx.get(
                    f"{config.gateway_url}/test-history/{history}/details",
                    headers=config.admin_headers(),
                ).json()
                if details["figures"].get("total_requests") is not None:
                    break
                assert time.monotonic() < deadline, details["status"]
                time.sleep(1)
            assert details["figures"]["total_requests"] == len(tokens) == ITERATIONS
            assert tokens == [SECRET] * ITERATIONS  # __ENV reached the script
            assert SECRET not in page.content()

            page.goto(f"{config.gateway_url}/ui/projects/{project}")
            page.get_by_label(re.compile("Language|언어")).select_option("ko")
            page.get_by_role("button", name="열기 shop v1").click()
            expect(page.get_by_role("heading", name="이 버전 실행")).to_be_visible()
            page.set_viewport_size({"width": 390, "height": 844})
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, f"the page scrolls sideways on a phone: {wide} px"
            browser.shot("own-script-ko-phone")
            page.get_by_label(re.compile("Language|언어")).select_option("en")
            assert browser.errors == []
