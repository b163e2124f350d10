"""The converter on the HAR Chromium recorded against the demo API (golden), and on small
recordings made here: what is set aside and why, think times, correlation, cookies, secrets."""

from __future__ import annotations

import json
import os

import pytest

from gateway_tests.har.hars import DATA, DEMO_ENDPOINTS, demo_har, entry, har
from mv_contracts.journeys import MAX_EXTRACTIONS
from mv_contracts.runs import ScenarioRequest
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.core.errors import FieldError
from mv_gateway.har.converting import MAX_THINK_SECONDS, preview
from mv_gateway.har.drafting import EndpointOption
from mv_gateway.har.reading import read_entries
from mv_gateway.har.schemas import HarPreview
from mv_gateway.runs import LoadTestCreate

API = "https://api.example.test"
ITEMS = [
    EndpointOption(1, "POST", "/login"),
    EndpointOption(2, "POST", "/items"),
    EndpointOption(3, "GET", "/items/{item_id}"),
    EndpointOption(4, "GET", "/items/mine"),
    EndpointOption(5, "GET", "/me"),
]


def convert(document: dict[str, object], endpoints=ITEMS, **choices: object) -> HarPreview:  # type: ignore[no-untyped-def]
    return preview(read_entries(document), endpoints, **choices)  # type: ignore[arg-type]


def test_the_demo_recording_previews_the_journey_it_shows() -> None:
    found = convert(demo_har(), DEMO_ENDPOINTS)
    golden = DATA / "demo.preview.json"
    text = json.dumps(found.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("MV_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    # What the golden file holds, in words:
    assert [s.step.name for s in found.steps] == [
        "GET /products",
        "POST /auth/login",
        "POST /vault/items",
        "GET /vault/items/{item_id}",
        "PUT /vault/items/{item_id}",
        "DELETE /vault/items/{item_id}",
    ]
    reasons = {s.url.rsplit("/", 1)[1]: s.reason.value for s in found.skipped}
    assert reasons == {
        "": "no_endpoint",  # the page itself
        "shop.css": "asset",
        "shop.js": "asset",
        "tag.js": "third_party",
        "logo.png": "asset",
        "shop.woff2": "asset",
        "collect": "third_party",
    }
    assert {(c.variable, c.step) for c in found.correlations} == {
        ("access_token", "POST /auth/login"),
        ("id", "POST /vault/items"),
    }
    read = found.steps[3].step
    assert read.path_params == {"item_id": "{{id}}"}
    assert read.headers["Authorization"] == "Bearer {{access_token}}"
    assert [s.field for s in found.secrets_to_fill] == ["body.password"]
    assert "vault-demo" not in text
    assert found.base_url == f"http://{found.main_host}"
    # The steps are the load-testing API's own.
    steps = [s.step.model_dump(mode="json") for s in found.steps]
    LoadTestCreate.model_validate(
        {"title": "t", "scenarios": [{"name": "s", "vus": 1, "duration": "1s", "steps": steps}]}
    )


def test_assets_and_other_hosts_are_set_aside_with_the_reason_and_can_be_kept() -> None:
    document = har(
        entry("GET", f"{API}/items/mine", at=0),
        entry("GET", f"{API}/logo.svg", at=1, answer_type="application/octet-stream"),
        entry("GET", f"{API}/me", at=2, answer_type="text/css"),
        entry("GET", f"{API}/me", at=3, resource="font", answer_type=""),
        entry("GET", "https://cdn.example.test/me", at=4),
        entry("GET", "data:image/png;base64,AA", at=5),
        entry("OPTIONS", f"{API}/me", at=6, headers={"Access-Control-Request-Method": "GET"}),
        entry("GET", f"{API}/me", at=7, status=0),
        entry("GET", f"{API}/unknown", at=8),
    )
    found = convert(document)
    assert [s.entry for s in found.steps] == [0]
    assert [(s.entry, s.reason.value, s.keepable) for s in found.skipped] == [
        (1, "asset", True),
        (2, "asset", True),
        (3, "asset", True),
        (4, "third_party", True),
        (5, "not_http", False),
        (6, "preflight", True),
        (7, "failed", True),
        (8, "no_endpoint", False),
    ]
    kept = convert(document, keep=[2, 7], keep_hosts=["cdn.example.test"])
    assert [s.entry for s in kept.steps] == [0, 2, 4, 7]
    assert [s.step.name for s in kept.steps][1:] == ["GET /me", "GET /me (2)", "GET /me (3)"]


def test_the_main_host_is_that_of_most_calls_or_the_one_named() -> None:
    document = har(
        entry("GET", "https://www.example.test/", at=0, answer_type="text/html"),
        entry("GET", f"{API}/me", at=1),
        entry("GET", f"{API}/items/mine", at=2),
    )
    assert convert(document).main_host == "api.example.test"
    assert convert(document).base_url == API
    assert convert(document, host="www.example.test").steps == []
    with pytest.raises(FieldError, match="host"):
        convert(document, host="elsewhere.test")
    prefixed = [EndpointOption(9, "GET", "/me", prefix="/v1")]
    moved = har(entry("GET", f"{API}/v1/me", at=0))
    assert convert(moved, prefixed).base_url == f"{API}/v1"
    assert convert(moved, prefixed).steps[0].step.endpoint_id == 9


def test_think_times_are_the_recordings_gaps_bounded() -> None:
    document = har(
        entry("GET", f"{API}/me", at=0),
        entry("GET", f"{API}/logo.png", at=0.5, answer_type="image/png"),
        entry("GET", f"{API}/items/mine", at=1.51),
        entry("GET", f"{API}/me", at=59),
        entry("GET", f"{API}/me", at=59),
    )
    found = convert(document)
    assert [s.step.think_time for s in found.steps] == [1.5, MAX_THINK_SECONDS, 0, 0]


def test_a_value_an_answer_gave_and_a_later_request_sent_becomes_an_extraction() -> None:
    document = har(
        entry("POST", f"{API}/login", at=0, body={"user": "kim"},
              answer={"data": {"token": "tok-123456789", "csrf": "csrf-abcdef"}},
              answer_headers=[("X-Request-Id", "rid-0000001"), ("Date", "Thu, 01 Jan 2026")]),
        entry("POST", f"{API}/items", at=1, body={"name": "new item", "ref": "rid-0000001"},
              headers={"Authorization": "Bearer tok-123456789", "X-CSRF-Token": "csrf-abcdef"},
              answer={"id": "item-42abc", "name": "new item"}),
        entry("GET", f"{API}/items/item-42abc", at=2,
              headers={"Authorization": "Bearer tok-123456789"}),
        entry("GET", f"{API}/me?owner=item-42abc", at=3),
    )  # fmt: skip
    found = convert(document)
    login, create, read, me = (s.step for s in found.steps)
    assert [e.model_dump(mode="json") for e in login.extract] == [
        {"variable": "token", "source": "json", "expression": "data.token"},
        {"variable": "csrf", "source": "json", "expression": "data.csrf"},
        {"variable": "x_request_id", "source": "header", "expression": "X-Request-Id"},
    ]
    assert create.headers == {"Authorization": "Bearer {{token}}", "X-CSRF-Token": "{{csrf}}"}
    assert create.body == {"name": "new item", "ref": "{{x_request_id}}"}
    assert [e.variable for e in create.extract] == ["id"]
    assert read.path_params == {"item_id": "{{id}}"}
    assert read.headers == {"Authorization": "Bearer {{token}}"}
    assert me.query == {"owner": "{{id}}"}
    assert {c.variable: c.used_in for c in found.correlations}["id"] == [
        "GET /items/{item_id}: path_params.item_id",
        "GET /me: query.owner",
    ]
    assert found.secrets_to_fill == []  # every secret became a variable


def test_values_the_client_sent_first_or_that_look_typed_are_not_correlated() -> None:
    document = har(
        entry("POST", f"{API}/items", at=0, body={"sku": "client-made-1"},
              answer={"sku": "client-made-1", "label": "two words", "n": 123456, "s": "abc"}),
        entry("GET", f"{API}/items/client-made-1?l=two%20words&n=123456&s=abc", at=1),
    )  # fmt: skip
    found = convert(document)
    assert found.correlations == []
    assert found.steps[1].step.path_params == {"item_id": "client-made-1"}


def test_cookies_an_earlier_answer_set_are_left_to_k6s_jar() -> None:
    document = har(
        entry("POST", f"{API}/login", at=0, body={"u": "kim"},
              answer_headers=[("Set-Cookie", "sid=s3cr3t-session; Path=/; HttpOnly")]),
        entry("GET", f"{API}/me", at=1, headers={"Cookie": "sid=s3cr3t-session; theme=dark"}),
        entry("GET", f"{API}/items/mine", at=2, headers={"Cookie": "sid=s3cr3t-session"}),
    )  # fmt: skip
    found = convert(document)
    me, mine = found.steps[1].step, found.steps[2].step
    assert me.headers == {"Cookie": SECRET_MASK}  # theme=dark came from before the recording
    assert "Cookie" not in mine.headers
    assert [s.field for s in found.secrets_to_fill] == ["headers.Cookie"]
    assert len(found.notes) == 2
    assert "cookie jar" in found.notes[0]
    assert "s3cr3t" not in found.model_dump_json()


def test_secret_values_are_masked_and_listed_never_echoed() -> None:
    document = har(
        entry("POST", f"{API}/login?api_key=key-0001", at=0,
              body={"user": "kim", "password": "hunter22", "nested": {"client_secret": "cs-9"}},
              headers={"X-Api-Key": "key-0002", "Authorization": "Basic a2ltOmh1bnRlcjIy"}),
    )  # fmt: skip
    found = convert(document)
    step = found.steps[0].step
    assert step.body == {"user": "kim", "password": SECRET_MASK,
                         "nested": {"client_secret": SECRET_MASK}}  # fmt: skip
    assert step.query == {"api_key": SECRET_MASK}
    assert step.headers == {"X-Api-Key": SECRET_MASK, "Authorization": SECRET_MASK}
    assert sorted(s.field for s in found.secrets_to_fill) == [
        "body.nested.client_secret", "body.password", "headers.Authorization",
        "headers.X-Api-Key", "query.api_key",
    ]  # fmt: skip
    text = found.model_dump_json()
    assert not any(s in text for s in ("hunter22", "cs-9", "key-000", "a2ltOmh1bnRlcjIy"))


def test_bodies_a_step_cannot_send_and_too_many_steps_are_set_aside() -> None:
    document = har(
        entry("POST", f"{API}/login", at=0, body="u=kim", body_type="multipart/form-data"),
        entry("POST", f"{API}/login", at=1, body="not json", body_type="application/json"),
        entry("POST", f"{API}/login", at=2, headers={"X-Note": "a\r\nInjected: 1"}),
        entry("PROPFIND", f"{API}/me", at=3),
        *(entry("GET", f"{API}/me", at=4 + i / 10) for i in range(21)),
    )  # fmt: skip
    found = convert(document)
    assert len(found.steps) == 20
    reasons = [(s.entry, s.reason.value) for s in found.skipped]
    assert reasons == [(0, "body_not_json"), (1, "body_not_json"), (2, "invalid"),
                       (3, "method"), (24, "too_many")]  # fmt: skip


def runnable(found: HarPreview) -> ScenarioRequest:
    """The preview's journey as the contract takes it: every variable defined before use."""
    lines = {e.id: (e.method, e.path) for e in ITEMS}
    steps = []
    for s in found.steps:
        fields = s.step.model_dump(mode="json")
        method, path = lines[fields.pop("endpoint_id")]
        call = {k: fields.pop(k) for k in ("path_params", "query", "headers", "body", "secrets")}
        steps.append({**fields, "endpoint": {"method": method, "path": path, **call}})
    return ScenarioRequest.model_validate({"name": "s", "vus": 1, "duration": "1s", "steps": steps})


def test_one_answer_gives_at_most_ten_extractions_and_the_rest_stays_as_recorded() -> None:
    values = {f"field{i}": f"value-{i:04d}" for i in range(12)}
    document = har(
        entry("POST", f"{API}/login", at=0, body={"u": "kim"}, answer=values),
        entry("POST", f"{API}/items", at=1, body=dict(values)),
    )
    found = convert(document)
    assert len(found.steps[0].step.extract) == MAX_EXTRACTIONS
    body = found.steps[1].step.body
    assert [v for v in body.values() if "{{" not in v] == ["value-0010", "value-0011"]
    assert runnable(found).steps[1].uses()


def test_a_value_whose_answer_is_set_aside_is_not_correlated() -> None:
    document = har(
        entry("POST", f"{API}/login", at=0, headers={"X-Bad": "a\nb"},
              answer={"token": "tok-123456789"}),
        entry("POST", f"{API}/login", at=0.5, answer_headers=[("Bad Name", "hdr-value-1")]),
        entry("GET", f"{API}/me", at=1, headers={"X-Token": "tok-123456789",
                                                 "X-Other": "hdr-value-1"}),
    )  # fmt: skip
    found = convert(document)
    assert [s.reason.value for s in found.skipped] == ["invalid"]
    assert "line breaks" in found.skipped[0].detail
    assert found.correlations == []
    runnable(found)


def test_a_cookies_value_sent_in_a_header_is_named_in_the_notes() -> None:
    document = har(
        entry("POST", f"{API}/login", at=0, body={"u": "kim"},
              answer_headers=[("Set-Cookie", "XSRF-TOKEN=x5rf-value-1; Path=/")]),
        entry("POST", f"{API}/items", at=1, body={"a": "b"},
              headers={"X-XSRF-TOKEN": "x5rf-value-1", "Cookie": "XSRF-TOKEN=x5rf-value-1"}),
    )  # fmt: skip
    found = convert(document)
    said = "POST /items: headers.X-XSRF-TOKEN sends the value of cookie XSRF-TOKEN"
    assert found.notes[0].startswith(f"{said} (set by POST /login)")
    assert "cookie jar" in found.notes[1]
    assert "x5rf" not in found.model_dump_json()  # its header is named like a secret: masked
