"""Credentials in a spec URL are used to fetch and never published or logged."""

from __future__ import annotations

import base64
import logging

import pytest
from structlog.testing import capture_logs

from mv_contracts.spec import SpecAnalysedEvent, SpecAnalysisRequest, SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.credentials import redact
from mv_spec_analyzer.handlers import outcome

from .servers import LocalServer

SECRET = "s3cr%40t-pw"  # percent-encoded in the URL: the password is "s3cr@t-pw"
BASIC = "Basic " + base64.b64encode(b"alice:s3cr@t-pw").decode()
DOCUMENT = """openapi: 3.0.3
info: {title: Private, version: "1"}
servers: [{url: /api}]
paths:
  /orders:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: 'missing.yaml#/Order'}
"""


def request(url: str) -> SpecAnalysisRequest:
    return SpecAnalysisRequest(analysis_id="secret", project_id=1, source=SpecSource(url=url))


async def test_credentials_fetch_but_are_neither_published_nor_logged(
    server: LocalServer, analyzer: Analyzer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at INFO and DEBUG
    server.add(
        "/private/index.html",
        "<html><script>SwaggerUIBundle({url: window.location.origin + '/private/openapi.yaml'})"
        "</script><div id=swagger-ui></div></html>",
        content_type="text/html",
        authorization=BASIC,
    )
    server.add("/private/openapi.yaml", DOCUMENT, authorization=BASIC)
    with_password = server.url.replace("http://", f"http://alice:{SECRET}@")
    with capture_logs() as logs:
        event = await outcome(analyzer, request(f"{with_password}/private/index.html"))
    # Every fetch on the page's host carried the credentials, the computed URL's too.
    assert server.requests[:2] == ["/private/index.html", "/private/openapi.yaml"]
    assert {h.get("Authorization") for h in server.headers} == {BASIC}
    assert isinstance(event, SpecAnalysedEvent), event
    spec = event.payload.spec
    assert spec is not None
    shown = server.url.replace("http://", "http://alice:***@")
    assert spec.source_url == f"{shown}/private/openapi.yaml"
    assert spec.base_url == f"{shown}/api"
    assert event.payload.warnings  # missing.yaml: its URL is in the messages, redacted
    wire = event.model_dump_json()
    assert "alice:***@" in wire
    assert "s3cr" not in wire
    assert any("alice:***@" in str(line) for line in logs)
    assert not [line for line in logs if "s3cr" in str(line)]
    assert "HTTP Request: GET" in caplog.text
    assert "s3cr" not in caplog.text
    assert base64.b64encode(b"alice:s3cr@t-pw").decode() not in caplog.text


async def test_a_failure_reason_names_the_url_without_its_password(
    server: LocalServer, analyzer: Analyzer
) -> None:
    with_password = server.url.replace("http://", f"http://alice:{SECRET}@")
    with capture_logs() as logs:
        event = await outcome(analyzer, request(f"{with_password}/nothing-here"))
    assert event.type == "spec.analysis.failed"
    assert "s3cr" not in event.model_dump_json()
    assert logs
    assert not [line for line in logs if "s3cr" in str(line)]


def test_redaction_forms() -> None:
    assert redact("GET http://u:p@h:1/x failed") == "GET http://u:***@h:1/x failed"
    assert redact("https://TOKEN@github.com/o/r") == "https://***@github.com/o/r"
    assert redact("http://u:p@ss@h/x") == "http://u:***@h/x"  # the last "@" ends the userinfo
    assert redact("see http://h/x?to=a@b.c and mail a@b.c") == (
        "see http://h/x?to=a@b.c and mail a@b.c"
    )


async def test_credentials_stay_on_their_origin(server: LocalServer, analyzer: Analyzer) -> None:
    """Another port of the same host is another origin: a redirect there, or a page's computed
    URL naming it, goes without the credentials."""
    with LocalServer() as other:
        other.add("/openapi.yaml", DOCUMENT)
        other.add("/moved.yaml", DOCUMENT)
        other_url = other.url.replace("127.0.0.1", "localhost")  # the same host, by name
        server.add(
            "/docs",
            f"<html><script>SwaggerUIBundle({{url: '{other_url}/openapi.yaml'}})</script>"
            "<div id=swagger-ui></div></html>",
            content_type="text/html",
            authorization=BASIC,
        )
        server.add(
            "/openapi.yaml", status=302, headers={"Location": f"{other.url}/moved.yaml"},
            authorization=BASIC,
        )  # fmt: skip
        with_password = server.url.replace("http://", f"http://alice:{SECRET}@")
        page = await outcome(analyzer, request(f"{with_password}/docs"))
        moved = await outcome(analyzer, request(f"{with_password}/openapi.yaml"))
    assert isinstance(page, SpecAnalysedEvent), page
    assert isinstance(moved, SpecAnalysedEvent), moved
    assert {h.get("Authorization") for h in server.headers} == {BASIC}
    assert other.requests[:1] == ["/openapi.yaml"]
    assert "/moved.yaml" in other.requests
    assert [h.get("Authorization") for h in other.headers] == [None] * len(other.headers)
