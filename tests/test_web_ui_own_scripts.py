"""Own k6 scripts on the project page, in a real Chromium against the real stack: a pasted
script k6 refuses shows k6's words with the line; one it reads is kept as v1 and shows its
scenarios, executors and thresholds, and is listed among the versions."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

from .web_ui import chromium

pytestmark = pytest.mark.slow

USER = ("tester-own", "Own-scr1pt-pass")
BROKEN = "export default function () {\n  x = ;\n}\n"
GOOD = """\
import http from "k6/http";
export const options = {
  scenarios: { browse: { executor: "constant-vus", vus: 2, duration: "5s" } },
  thresholds: { http_req_failed: ["rate<0.01"] },
};
export default function () { http.get(`${__ENV.BASE_URL}/`); }
"""


def test_a_script_is_checked_and_kept_from_the_project_page(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    with services_running(config):
        with httpx.Client(
            base_url=config.gateway_url, headers=config.admin_headers(), timeout=30
        ) as http:
            body = {"username": USER[0], "password": USER[1], "role": "tester"}
            http.post("/auth/users", json=body).raise_for_status()
            project = http.post("/project", json={"title": "스크립트"}).json()["id"]
        with chromium(tmp_path / "screenshots") as browser:
            page = browser.page
            page.goto(f"{config.gateway_url}/ui/projects/{project}")
            page.get_by_label("User name").fill(USER[0])
            page.get_by_label("Password").fill(USER[1])
            page.get_by_role("button", name="Sign in").click()
            card = page.locator("section", has=page.get_by_role("heading", name="Own k6 scripts"))
            expect(card.get_by_text("No script uploaded yet.")).to_be_visible()
            card.get_by_label("Name").fill("shop")
            card.get_by_label("Script").fill(BROKEN)
            card.get_by_role("button", name="Check with k6 and keep").click()
            expect(card.get_by_text("script.js line 2")).to_be_visible()
            browser.shot("own-script-refused")
            browser.errors.clear()  # the 422 of the refusal is in the console, as it should be

            card.get_by_label("Script").fill(GOOD)
            card.get_by_role("button", name="Check with k6 and keep").click()
            expect(card.get_by_text("Kept as shop v1")).to_be_visible()
            expect(card.get_by_role("cell", name="constant-vus")).to_be_visible()
            expect(card.get_by_text("rate<0.01")).to_be_visible()
            expect(card.get_by_role("cell", name="v1", exact=True)).to_be_visible()
            browser.shot("own-script-kept")
            assert browser.errors == []
