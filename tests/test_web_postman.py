"""The Postman import in the builder, in a real Chromium against the real stack and the demo API:
the demo's collection and environment files give a preview (journeys, secrets filled from the
files, what is not carried over) and, once used, the builder's journeys, which start a test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.services import services_running

from .web_ui import api, chromium, sign_in

pytestmark = pytest.mark.slow

USER = ("postman-ui", "P0stman-tester-pass")
POSTMAN = Path(__file__).parents[1] / "examples" / "demo-api" / "postman"


def test_a_postman_collection_is_previewed_and_used_in_the_builder(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    environment = json.loads((POSTMAN / "metric-vault-demo.postman_environment.json").read_text())
    for value in environment["values"]:
        if value["key"] == "baseUrl":
            value["value"] = config.demo_url
    env_file = tmp_path / "demo.postman_environment.json"
    env_file.write_text(json.dumps(environment))
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        project = demo.project()
        demo.analyse(project)
        api(
            config,
            "/auth/users",
            "POST",
            {"username": USER[0], "password": USER[1], "role": "tester"},
        )
        with chromium(tmp_path / "screenshots") as browser:
            page = browser.page
            page.goto(f"{config.gateway_url}/ui/projects/{project}/new-test")
            sign_in(page, USER)
            browser.errors.clear()  # GET /auth/me answered 401 before signing in
            page.get_by_text("Import a Postman collection").click()
            page.get_by_label("Collection (.json)").set_input_files(
                POSTMAN / "metric-vault-demo.postman_collection.json"
            )
            page.get_by_label("Environment (.json, optional)").set_input_files(env_file)
            page.get_by_role("button", name="Preview", exact=True).click()
            preview = page.locator(".postman-preview")
            expect(preview).to_contain_text("7 of 9 requests become steps of 3 journeys")
            expect(preview).to_contain_text("Catalogue / Partner stock · host")
            expect(preview).to_contain_text("Vault / Rename item · prerequest · not carried over")
            # The secret came from the environment file the browser holds, not from the answer.
            expect(preview.get_by_label("password", exact=True)).to_have_value("vault-demo")
            browser.shot("postman-preview")
            page.get_by_role("button", name="Use in builder").click()
            expect(page.get_by_text("Loaded into the builder below.")).to_be_visible()
            expect(page.locator("fieldset.jstep")).to_have_count(7)
            expect(page.get_by_label("Test title")).to_have_value("Metric Vault demo")
            browser.shot("postman-in-builder")
            page.get_by_role("button", name="Start test (3 scenarios)").click()
            expect(page).to_have_url(re.compile(r"/ui/tests/\d+"), timeout=30_000)
            assert browser.errors == []
