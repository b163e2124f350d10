"""A project's test data in a real Chromium against the real gateway: a tester uploads a CSV,
reads its columns as variables and its first rows, sees a bad file refused with the row and the
reason, reads the card in Korean, and deletes the file."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

from .web_ui import chromium

pytestmark = pytest.mark.slow

TESTER = ("tester-data", "Data-tester-pass1")
PEOPLE = "email,name\nkim@example.com,김민수\nlee@example.com,이서연\n"


def test_a_tester_uploads_previews_and_deletes_a_data_file(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    with services_running(config):
        with httpx.Client(base_url=config.gateway_url, headers=config.admin_headers()) as api:
            user = {"username": TESTER[0], "password": TESTER[1], "role": "tester"}
            api.post("/auth/users", json=user).raise_for_status()
            project = api.post("/project", json={"title": "데이터"}).json()["id"]
        with chromium(tmp_path / "screenshots") as browser:
            page = browser.page
            page.goto(config.gateway_url)
            page.get_by_label("User name").fill(TESTER[0])
            page.get_by_label("Password").fill(TESTER[1])
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text(f"Signed in as {TESTER[0]}")).to_be_visible()
            browser.errors.clear()  # GET /auth/me answered 401 before the sign-in
            page.goto(f"{config.gateway_url}/ui/projects/{project}")
            card = page.locator("section.card", has=page.get_by_role("heading", name="Test data"))
            expect(card.get_by_text("No data file yet.")).to_be_visible()

            upload = card.locator("input[type=file]")
            upload.set_input_files(
                {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()}
            )
            row = card.get_by_role("row", name=re.compile("people.csv"))
            expect(row).to_contain_text("{{email}}")
            expect(row).to_contain_text("{{name}}")
            row.get_by_role("button", name="First rows").click()
            expect(card.get_by_role("cell", name="이서연")).to_be_visible()
            browser.shot("data-preview")

            upload.set_input_files(
                {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n3\n"}
            )
            expect(card.get_by_text(re.compile(r"rows\.1: 1 values for 2 columns"))).to_be_visible()
            browser.errors.clear()  # the 422 of the refused file is in the console too

            page.get_by_label(re.compile("Language|언어")).select_option("ko")
            expect(page.get_by_role("heading", name="테스트 데이터")).to_be_visible()
            page.get_by_label(re.compile("Language|언어")).select_option("en")

            row.get_by_role("button", name="Delete").click()
            page.get_by_role("dialog").get_by_role("button", name="Delete").click()
            expect(card.get_by_text("No data file yet.")).to_be_visible()
            assert browser.errors == []
