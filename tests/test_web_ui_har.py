"""A HAR recording imported in the builder, in a real Chromium against the real stack and the
demo API: the preview shows the steps, the values carried from an answer ({{access_token}},
{{id}}), the password it does not echo and the requests set aside; a kept one comes back with its
new reason; "Use in builder" makes the journey a scenario, which runs once the password and a
unique sku are given, every request with its token and every created item read back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

from .web_ui import api, chromium, sign_in

pytestmark = pytest.mark.slow

USER = ("har-ui", "H4r-import-pass")
HAR = Path(__file__).parents[1] / "services/gateway/tests/gateway_tests/har/data/demo.har"


def test_a_har_recording_previewed_used_in_the_builder_and_run(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    with services_running(config, demo=True):
        api(config, "/auth/users", "POST", {"username": USER[0], "password": USER[1],
                                             "role": "tester"})  # fmt: skip
        project = api(config, "/project", "POST", {"title": "HAR 가져오기"})["id"]
        analysis = {"project_id": project, "openapi_url": f"{config.demo_url}/docs"}
        api(config, "/openapi/analyze?wait=true&timeout=60", "POST", analysis)
        with chromium(tmp_path / "screenshots") as browser:
            page = browser.page
            page.goto(f"{config.gateway_url}/ui/projects/{project}/new-test")
            sign_in(page, USER)
            browser.errors.clear()  # GET /auth/me's 401 before signing in
            card = page.locator("details.har-import")
            card.locator("summary").click()
            card.get_by_label("HAR file").set_input_files(HAR)
            card.get_by_role("button", name="Preview", exact=True).click()
            expect(card.get_by_text("6 steps from 13 requests")).to_be_visible()
            expect(card.get_by_role("cell", name="{{access_token}}")).to_be_visible()
            expect(card.get_by_role("cell", name="{{id}}")).to_be_visible()
            expect(card.get_by_text("POST /auth/login (body.password)")).to_be_visible()
            assert "vault-demo" not in card.inner_text()
            logo = card.get_by_role("row").filter(has_text="logo.png")
            expect(logo).to_contain_text("asset")
            logo.get_by_role("checkbox").check()
            card.get_by_role("button", name="Preview", exact=True).click()
            expect(logo).to_contain_text("no_endpoint")  # kept: but no endpoint serves it
            browser.shot("har-preview")
            card.get_by_role("button", name="Use in builder").click()
            expect(card.get_by_role("status")).to_contain_text("har_import")
            steps = page.locator("fieldset.jstep")
            expect(steps).to_have_count(6)
            for index in (1, 2):  # only the last step's request is unfolded
                steps.nth(index).locator("details.jstep-request > summary").click()
            steps.nth(1).get_by_label("JSON body").fill(
                '{"username": "demo", "password": "vault-demo"}'
            )
            steps.nth(2).get_by_label("JSON body").fill(
                '{"name": "무선 키보드", "sku": "{{$test}}-{{$vu}}-{{$iteration}}"}'
            )
            page.get_by_label("Test title").fill("HAR 여정")
            page.get_by_label("Base URL").fill(config.demo_url)
            page.get_by_label("Virtual users").fill("2")
            page.get_by_label("Duration", exact=True).fill("4s")
            browser.shot("har-builder")
            page.get_by_role("button", name="Start test (1 scenario)").click()
            expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
            browser.shot("har-result")
            assert browser.errors == []
        stats = httpx.get(f"{config.demo_url}/vault/stats", timeout=10).json()
        assert stats["refused"] == {}, stats  # every request carried its login's token
        assert stats["ids"], stats
        for item_id, methods in stats["ids"].items():
            assert methods == {"POST": 1, "GET": 1, "PUT": 1, "DELETE": 1}, item_id
