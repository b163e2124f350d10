"""The browser test's notification step: on the project page a tester adds a Slack channel
that points at a loopback receiver, sends a test message, and reads it in the delivery log."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from playwright.sync_api import expect

from .web_ui import Browser


def slack_receiver(got: list[dict[str, Any]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def notification_channel(browser: Browser) -> None:
    page = browser.page
    got: list[dict[str, Any]] = []
    server = slack_receiver(got)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        form = page.locator("form.channel-form")
        form.get_by_label("Name").fill("팀 채널")
        form.get_by_label("Kind").select_option("slack")
        form.get_by_label("URL").fill(f"http://127.0.0.1:{server.server_port}/services/T/B/x")
        form.get_by_label("regression against the baseline").check()
        form.get_by_role("button", name="Add").click()
        channel = page.locator("li.channel", has_text="팀 채널")
        expect(channel).to_contain_text(f"http://127.0.0.1:{server.server_port}/••••••")
        channel.get_by_role("button", name="Send a test message").click()
        expect(channel.get_by_role("status")).to_have_text("Test message delivered")
        channel.get_by_role("button", name="Delivery log").click()
        expect(channel.locator("table.deliveries")).to_contain_text("delivered")
        browser.shot("04-project-channels")
        assert "A test message to the channel '팀 채널'" in got[0]["text"]
    finally:
        server.shutdown()
