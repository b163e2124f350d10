"""Records ``demo.har``: Debian's Chromium, driven by Playwright, uses a small shop page against
the demo API as a person would, while the browser writes a HAR of everything it sent.

The page, its stylesheet, script, logo and font, and a third-party analytics host are served by
Playwright's routes at the demo's origin (the demo API has no pages of its own); every API call
reaches the real demo API. Run once, from the repository root, and commit what it writes:

    .venv/bin/python services/gateway/tests/gateway_tests/har/data/record_demo_har.py
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Route, sync_playwright

HERE = Path(__file__).parent
ANALYTICS = "http://analytics.example.test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>데모 금고</title>
<link rel="stylesheet" href="/app/shop.css"><script src="/app/shop.js"></script>
<script src="ANALYTICS/tag.js"></script></head>
<body><img src="/app/logo.png" alt=""><h1>데모 금고</h1><pre id="log"></pre></body></html>
""".replace("ANALYTICS", ANALYTICS)
SCRIPT = """
async function call(method, path, body, token) {
  const headers = {"Accept": "application/json"};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = "Bearer " + token;
  const answer = await fetch(path, {method, headers,
    body: body === undefined ? undefined : JSON.stringify(body)});
  return answer.status === 204 ? null : answer.json();
}
const pause = (ms) => new Promise((done) => setTimeout(done, ms));
window.journey = async function () {
  await call("GET", "/products");
  await pause(300);
  const signed = await call("POST", "/auth/login", {username: "demo", password: "vault-demo"});
  const token = signed.access_token;
  fetch("ANALYTICS/collect", {method: "POST", body: "event=login", mode: "no-cors"});
  await pause(500);
  const item = await call("POST", "/vault/items", {name: "무선 키보드", sku: "har-1"}, token);
  await pause(400);
  await call("GET", "/vault/items/" + item.id, undefined, token);
  await pause(200);
  await call("PUT", "/vault/items/" + item.id, {name: "USB-C 허브"}, token);
  await pause(200);
  await call("DELETE", "/vault/items/" + item.id, undefined, token);
  document.getElementById("log").textContent = "done " + item.id;
  return item.id;
};
""".replace("ANALYTICS", ANALYTICS)
FILES = {
    "/app/": ("text/html; charset=utf-8", PAGE.encode()),
    "/app/shop.css": (
        "text/css",
        b"@font-face{font-family:Shop;src:url(/app/shop.woff2)}body{font-family:Shop}",
    ),
    "/app/shop.js": ("application/javascript", SCRIPT.encode()),
    "/app/logo.png": ("image/png", PNG),
    "/app/shop.woff2": ("font/woff2", b"wOF2-not-a-real-font"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    demo = subprocess.Popen([sys.executable, "-m", "mv_demo_api", "--port", str(port)])
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{origin}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        def page_files(route: Route) -> None:
            content_type, body = FILES[route.request.url.removeprefix(origin)]
            route.fulfill(status=200, content_type=content_type, body=body)

        def analytics(route: Route) -> None:
            is_script = route.request.url.endswith(".js")
            route.fulfill(
                status=200 if is_script else 204,
                content_type="application/javascript" if is_script else "text/plain",
                body="window.tagged = true;" if is_script else "",
            )

        har = HERE / "demo.har"
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            context = browser.new_context(record_har_path=str(har))
            context.route(f"{origin}/app/**", page_files)
            context.route(f"{ANALYTICS}/**", analytics)
            page = context.new_page()
            page.goto(f"{origin}/app/")
            page.wait_for_timeout(300)
            print("item", page.evaluate("window.journey()"))
            page.wait_for_timeout(300)
            context.close()  # writes the HAR
            browser.close()
        # The port is the recording's own: the tests read the host from the file.
        print("wrote", har, har.stat().st_size, "bytes")
    finally:
        demo.terminate()
        demo.wait(10)


if __name__ == "__main__":
    main()
