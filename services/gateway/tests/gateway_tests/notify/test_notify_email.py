"""E-mail channels against a real SMTP server on loopback (aiosmtpd): a finished run's message
with its figures, and a test message, reach the recipients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gateway_tests.notify.receivers import Gateway, finish_run, serve_gateway, until
from mv_devstack.config import StackConfig
from mv_devstack.workers import free_port
from mv_gateway.core.outbound import SmtpSettings


class Inbox:
    def __init__(self) -> None:
        self.mail: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mail.append((list(envelope.rcpt_tos), mail))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port("127.0.0.1", 26000, 27000)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def gateway(
    stack: StackConfig, tmp_path: Path, smtp: tuple[Inbox, int]
) -> AsyncIterator[Gateway]:
    settings = SmtpSettings(host="127.0.0.1", port=smtp[1], sender="vault@example.com")
    async for gateway in serve_gateway(stack, tmp_path, settings):
        yield gateway


async def test_a_finished_run_and_a_test_message_are_mailed(
    gateway: Gateway, smtp: tuple[Inbox, int], stack: StackConfig
) -> None:
    inbox, _ = smtp
    async with gateway.client() as http:
        project = (await http.post("/project", json={"title": "결제 API"})).json()["id"]
        made = await http.post(
            f"/project/{project}/channels",
            json={"name": "ops", "kind": "email", "recipients": ["ops@example.com"],
                  "events": ["finished"]},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        await finish_run(gateway, stack, project, p95=50)
        await until(lambda: inbox.mail)
        sent = await http.post(f"/project/{project}/channels/{made.json()['id']}/test")
    assert sent.json()["status"] == "delivered"
    (to, run), (_, test) = inbox.mail
    assert to == ["ops@example.com"]
    assert (run["From"], run["Subject"]) == ("vault@example.com", "checkout (결제 API) finished")
    body = run.get_content()
    assert "p95: 50.0 ms" in body
    assert "https://vault.example.com/ui/tests/" in body
    assert "A test message to the channel 'ops'" in test.get_content()
    assert json.loads(made.text)["url"] is None
