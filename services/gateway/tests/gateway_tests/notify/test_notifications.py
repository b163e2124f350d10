"""Notification channels against real receivers on loopback, a real gateway, NATS and SQLite:
signed webhooks that verify, Slack messages with the figures against the baseline, retries of
a failing receiver ending logged as failed, the outbound policy on channel URLs, secrets never
answered."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_tests.conftest import bearer
from gateway_tests.notify.receivers import (
    Gateway,
    Receiver,
    fail_to_start,
    finish_run,
    serve_gateway,
    serve_receiver,
    until,
)  # fmt: skip
from mv_devstack.config import StackConfig
from mv_gateway.auth import Role
from mv_gateway.auth.store import Accounts
from mv_gateway.notify import signing

SECRET = "a-signing-secret-of-32-characters!"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


@pytest.fixture
async def gateway(stack: StackConfig, tmp_path: Path) -> AsyncIterator[Gateway]:
    async for gateway in serve_gateway(stack, tmp_path):
        yield gateway


async def _project(http: httpx.AsyncClient) -> int:
    response = await http.post("/project", json={"title": "결제 API"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _channel(http: httpx.AsyncClient, project: int, **body: Any) -> dict[str, Any]:
    response = await http.post(f"/project/{project}/channels", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _log(http: httpx.AsyncClient, project: int, channel: int) -> list[dict[str, Any]]:
    return list((await http.get(f"/project/{project}/channels/{channel}/deliveries")).json())


async def test_a_regression_reaches_a_signed_webhook_and_slack_and_a_failing_one_is_retried(
    gateway: Gateway, receiver: Receiver, stack: StackConfig
) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        hook = await _channel(
            http,
            project,
            name="ci",
            kind="webhook",
            signing_secret=SECRET,
            url=f"{receiver.base}/ok",
            events=["regression", "finished"],
        )
        await _channel(
            http,
            project,
            name="팀 채널",
            kind="slack",
            url=f"{receiver.base}/slack",
            events=["regression"],
        )
        down = await _channel(http, project, name="down", kind="webhook", signing_secret=SECRET,
                              url=f"{receiver.base}/fail", events=["regression"])  # fmt: skip
        first = await finish_run(gateway, stack, project, p95=50)
        await until(lambda: receiver.on("/ok"))  # the first run: finished, nothing to compare
        second = await finish_run(gateway, stack, project, p95=180)
        slack = (await until(lambda: receiver.on("/slack")))[0]
        hooks = await until(lambda: len(receiver.on("/ok")) >= 2 and receiver.on("/ok"))

        async def failed_deliveries() -> list[dict[str, Any]]:
            return [d for d in await _log(http, project, down["id"]) if d["status"] == "failed"]

        failed = await until(failed_deliveries)

    finished, regressed = (json.loads(h.body) for h in hooks)
    assert (finished["event"], finished["events"]) == ("finished", ["finished"])
    assert finished["test"]["test_id"] == first
    # Signed over the timestamp and the body as sent: the receiver's check passes...
    for got in hooks:
        stamp = int(got.headers[signing.TIMESTAMP.lower()])
        signed = got.headers[signing.SIGNATURE.lower()]
        assert signing.verify(SECRET, stamp, got.body, signed, now=time.time())
        assert not signing.verify("another secret..", stamp, got.body, signed, now=time.time())
        assert not signing.verify(SECRET, stamp, got.body + b" ", signed, now=time.time())
    # ...and the regression is the message's event, with the figures against the baseline.
    assert regressed["event"] == "regression"
    assert set(regressed["events"]) == {"finished", "regression"}
    assert regressed["test"]["test_id"] == second
    assert regressed["baseline"]["test_id"] == first
    p95 = regressed["baseline"]["figures"]["p95_response_time"]
    assert (p95["baseline"], p95["current"], p95["judgement"]) == (50, 180, "worse")
    assert regressed["link"] == f"https://vault.example.com/ui/tests/{regressed['test']['id']}"
    assert any("worse than the baseline" in f["title"] for f in regressed["findings"])

    text = json.loads(slack.body)["text"]
    assert "checkout (결제 API) regressed against the baseline" in text
    assert "p95: 180.0 ms (baseline 50.0 ms, +260.0 %, worse)" in text
    assert "https://vault.example.com/ui/tests/" in text
    assert signing.SIGNATURE.lower() not in slack.headers  # Slack's URL is its secret

    # The failing receiver: tried three times (the setting), each answer logged, then failed.
    assert len(receiver.on("/fail")) == 3
    (delivery,) = failed
    assert (delivery["attempts"], delivery["event"]) == (3, "regression")
    assert [(t["ok"], t["status_code"], t["answer"]) for t in delivery["tries"]] == [
        (False, 500, "the receiver is down")
    ] * 3
    assert hook["signing_secret"] == "••••••"


async def test_a_run_that_never_started_is_told_once(
    gateway: Gateway, receiver: Receiver, stack: StackConfig
) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        await _channel(http, project, name="ci", kind="webhook", signing_secret=SECRET,
                       url=f"{receiver.base}/ok")  # fmt: skip
        test_id = await fail_to_start(gateway, stack, project)
        got = await until(lambda: receiver.on("/ok"))
    message = json.loads(got[0].body)
    assert (message["event"], message["test"]["test_id"]) == ("failed_to_start", test_id)
    assert "k6 exited" in message["test"]["reason"]


async def test_send_a_test_message_answers_how_it_went(
    gateway: Gateway, receiver: Receiver
) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        ok = await _channel(http, project, name="ok", kind="slack", url=f"{receiver.base}/slack")
        down = await _channel(http, project, name="down", kind="webhook", signing_secret=SECRET,
                              url=f"{receiver.base}/fail")  # fmt: skip
        sent = (await http.post(f"/project/{project}/channels/{ok['id']}/test")).json()
        refused = (await http.post(f"/project/{project}/channels/{down['id']}/test")).json()
        logged = await _log(http, project, ok["id"])
    assert (sent["status"], sent["event"], sent["tries"][0]["status_code"]) == (
        "delivered", "test_message", 200,
    )  # fmt: skip
    assert (refused["status"], refused["attempts"]) == ("failed", 1)
    assert [d["id"] for d in logged] == [sent["id"]]
    assert "A test message to the channel 'ok'" in json.loads(receiver.on("/slack")[0].body)["text"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.20.30.40/hook", "not public and not in the allowed targets"),
        ("http://169.254.169.254/latest/meta-data", "denied network"),
        ("ftp://hooks.example.com/x", "http or https"),
        ("http://user:pw@127.0.0.1:9/x", "credentials in the URL"),
    ],
)
async def test_a_channel_url_outside_the_outbound_policy_is_refused_naming_the_field(
    gateway: Gateway, url: str, reason: str
) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        response = await http.post(
            f"/project/{project}/channels",
            json={"name": "x", "kind": "webhook", "url": url, "signing_secret": SECRET},
        )
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "url"]
    assert reason in error["msg"]


async def test_the_gateway_itself_is_no_channel(gateway: Gateway) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        response = await http.post(
            f"/project/{project}/channels",
            json={"name": "x", "kind": "slack", "url": f"{gateway.base}/project"},
        )
    assert response.status_code == 422
    assert "a service of the platform" in response.json()["detail"][0]["msg"]


async def test_secrets_are_never_answered_and_viewers_only_read(
    gateway: Gateway, receiver: Receiver
) -> None:
    async with gateway.app.state.session_factory() as session, session.begin():
        _, viewer = await Accounts(session).add_token("viewer", Role.VIEWER, "tests")
    url = f"{receiver.base}/ok?token=T0KEN-in-the-url"
    async with gateway.client() as http:
        project = await _project(http)
        made = await _channel(http, project, name="ci", kind="webhook", url=url,
                              signing_secret=SECRET)  # fmt: skip
        path = f"/project/{project}/channels/{made['id']}"
        kept = await http.put(
            path,
            json={
                "name": "ci 2",
                "kind": "webhook",
                "url": "••••••",
                "signing_secret": "••••••",
                "events": ["finished"],
            },
        )
        listed = await http.get(f"/project/{project}/channels")
        as_viewer = await http.get(f"/project/{project}/channels", headers=bearer(viewer))
        viewer_write = await http.post(
            f"/project/{project}/channels", headers=bearer(viewer),
            json={"name": "v", "kind": "slack", "url": f"{receiver.base}/slack"},
        )  # fmt: skip
        sent = await http.post(f"{path}/test")
    assert kept.status_code == 200, kept.text
    for answer in (made, kept.json(), listed.json(), as_viewer.json()):
        text = json.dumps(answer)
        assert SECRET not in text
        assert "T0KEN" not in text
    assert listed.json()[0]["url"] == f"{receiver.base}/••••••"
    assert (as_viewer.status_code, viewer_write.status_code) == (200, 403)
    # The masks kept the stored URL and secret: the test message still goes out, signed.
    assert sent.json()["status"] == "delivered"
    got = receiver.on("/ok")[0]
    stamp = int(got.headers[signing.TIMESTAMP.lower()])
    assert signing.verify(
        SECRET, stamp, got.body, got.headers[signing.SIGNATURE.lower()], time.time()
    )
    async with gateway.app.state.engine.connect() as connection:
        raw = (
            await connection.exec_driver_sql("SELECT url, signing_secret FROM notification_channel")
        ).all()
    assert "T0KEN" not in str(raw)  # sealed at rest
    assert SECRET not in str(raw)


async def test_a_summary_made_again_tells_no_channel_twice(
    gateway: Gateway, receiver: Receiver, stack: StackConfig
) -> None:
    async with gateway.client() as http:
        project = await _project(http)
        hook = await _channel(http, project, name="ci", kind="webhook", signing_secret=SECRET,
                              url=f"{receiver.base}/ok", events=["finished"])  # fmt: skip
        await finish_run(gateway, stack, project, p95=50, summaries=2)
        await until(lambda: receiver.on("/ok"))
        await asyncio.sleep(2)  # the second summary is stored by now: nothing more comes
        logged = await _log(http, project, hook["id"])
    assert len(receiver.on("/ok")) == 1
    assert len(logged) == 1
