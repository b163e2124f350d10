"""Collection and environment variables: values put in, secrets masked and named with the
places they fill, never echoed; test scripts read only when trivially simple, else listed."""

from __future__ import annotations

from gateway_tests.postman.collections import (
    collection,
    environment,
    json_body,
    request,
    scenarios,
)
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.postman.convert import convert
from mv_gateway.postman.requests import Known

BASE = "http://api.test"
ENDPOINTS = [Known(1, "POST", "/items"), Known(2, "GET", "/items/{item_id}")]


def test_secret_variables_are_masked_marked_and_named_with_their_templates() -> None:
    item = request(
        "make",
        "POST",
        f"{BASE}/items?sig={{{{signature}}}}",
        header=[
            {"key": "X-Client", "value": "mobile {{clientCode}}"},
            {"key": "X-Plain", "value": "{{plain}}"},
        ],
        body=json_body({"user": {"pin": "{{clientCode}}"}, "name": "{{plain}}"}),
    )
    env = environment(
        {"signature": "S1G-S3CRET", "clientCode": "C0DE-S3CRET", "plain": "p"},
        secret=("clientCode",),
    )
    preview = convert(collection([item]), env, ENDPOINTS, [])
    text = preview.model_dump_json()
    assert "S3CRET" not in text
    step = scenarios(preview)[0]["steps"][0]
    assert step["query"] == {"sig": SECRET_MASK}
    assert step["headers"] == {"X-Client": SECRET_MASK, "X-Plain": "p"}
    assert step["body"] == {"user": {"pin": SECRET_MASK}, "name": "p"}
    assert step["secrets"] == {
        "headers": ["X-Client"],
        "query": ["sig"],
        "body": ["user.pin"],
    }
    places = {s.name: [(p.at[-1], p.template) for p in s.places] for s in preview.secrets}
    assert places == {
        "signature": [("sig", "{{signature}}")],
        "clientCode": [("X-Client", "mobile {{clientCode}}"), ("pin", "{{clientCode}}")],
    }
    shown = {(v.name, v.value, v.secret) for v in preview.variables}
    assert shown == {("signature", None, True), ("clientCode", None, True), ("plain", "p", False)}


def test_a_literal_secret_field_is_masked_and_named_by_where_it_is() -> None:
    item = request("make", "POST", f"{BASE}/items", header=[{"key": "X-Api-Key", "value": "L1T"}])
    preview = convert(collection([item]), None, ENDPOINTS, [])
    assert "L1T" not in preview.model_dump_json()
    assert [(s.name, s.variable) for s in preview.secrets] == [("make: headers.X-Api-Key", False)]


def test_test_scripts_become_checks_and_extractions_only_when_trivially_simple() -> None:
    simple = [
        "// keep the id",
        'pm.test("made", function () {',
        "    pm.expect(pm.response.code).to.eql(201);",
        "});",
        "var data = pm.response.json();",
        "pm.collectionVariables.set('item-id', data.items[0]['id']);",
        'pm.variables.set("where", pm.response.headers.get("Location"));',
    ]
    made = request("make", "POST", f"{BASE}/items", test=simple)
    read = request(
        "read",
        "GET",
        f"{BASE}/items/{{{{item-id}}}}",
        test=["pm.response.to.have.status(200);", "console.log(pm.response.text());"],
    )
    before = {
        "name": "read",
        "request": {"method": "GET", "url": f"{BASE}/items/1"},
        "event": [{"listen": "prerequest", "script": {"exec": ["pm.variables.set('a', 1)"]}}],
    }
    preview = convert(collection([made, read, before]), None, ENDPOINTS, [])
    make, read_step, _ = scenarios(preview)[0]["steps"]
    assert make["checks"] == [{"kind": "status_in", "statuses": [201]}]
    assert [(e["variable"], e["source"], e["expression"]) for e in make["extract"]] == [
        ("item_id", "json", "items.0.id"),
        ("where", "header", "Location"),
    ]
    assert read_step["path_params"] == {"item_id": "{{item_id}}"}
    assert read_step["checks"] == []  # its script has a line that is not read: all listed
    assert [(s.where, s.kind, s.lines, s.carried_over) for s in preview.scripts] == [
        ("make", "test", 7, True),
        ("read", "test", 2, False),
        ("read", "prerequest", 1, False),
    ]


def test_a_variable_set_by_another_journey_is_said() -> None:
    items = [
        {
            "name": "A",
            "item": [
                request(
                    "make",
                    "POST",
                    f"{BASE}/items",
                    test=['pm.environment.set("id", pm.response.json().id)'],
                )
            ],
        },
        {"name": "B", "item": [request("read", "GET", f"{BASE}/items/{{{{id}}}}")]},
    ]
    preview = convert(collection(items), None, ENDPOINTS, [])
    assert [(n.where, n.what) for n in preview.not_carried] == [("B", "variable")]
    assert "'id' is not defined" in preview.not_carried[0].reason
