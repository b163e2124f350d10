"""The converter on the demo API's collection (a golden preview) and on small collections: the
journeys, steps, variables and what is listed as not carried over."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gateway_tests.postman.collections import (
    DEMO_COLLECTION,
    DEMO_ENDPOINTS,
    DEMO_ENVIRONMENT,
    collection,
    environment,
    json_body,
    request,
    scenarios,
)
from mv_contracts.journeys import MAX_STEPS
from mv_gateway.postman.convert import convert
from mv_gateway.postman.requests import Known
from mv_gateway.postman.schemas import PostmanPreview

GOLDEN = Path(__file__).parent / "golden" / "demo_preview.json"
BASE = "http://api.test"


def test_the_demo_collection_previews_as_its_golden_file() -> None:
    preview = convert(DEMO_COLLECTION.read_text(), DEMO_ENVIRONMENT.read_text(), DEMO_ENDPOINTS, [])
    found = json.dumps(preview.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("MV_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(found)
    assert found == GOLDEN.read_text(), "regenerate: MV_UPDATE_GOLDEN=1 ... -k golden"
    assert "vault-demo" not in found  # the environment's secret password
    assert [s["name"] for s in scenarios(preview)] == [
        "Vault",
        "Catalogue",
        "Catalogue / Products",
    ]
    vault = scenarios(preview)[0]
    assert [s["name"] for s in vault["steps"]] == [
        "Create item",
        "Read item",
        "Rename item",
        "Delete item",
    ]
    assert vault["sign_in"] is not None
    assert vault["sign_in"]["kind"] == "login"
    assert preview.base_url == "http://127.0.0.1:8000"  # the environment's, over the collection's
    assert (preview.steps, preview.requests) == (7, 9)


def _one(
    items: list[Any],
    *,
    env: str | None = None,
    endpoints: list[Known] | None = None,
    prefixes: list[str] | None = None,
    **fields: Any,
) -> PostmanPreview:
    return convert(
        collection(items, **fields),
        env,
        endpoints
        or [
            Known(1, "GET", "/items"),
            Known(2, "POST", "/items"),
            Known(3, "GET", "/items/{item_id}"),
        ],
        prefixes or [],
    )


def test_a_collection_without_folders_is_one_journey_of_its_name_and_folders_nest_by_path() -> None:
    flat = _one([request("list", "GET", f"{BASE}/items"), request("list", "GET", f"{BASE}/items")])
    assert [s["name"] for s in scenarios(flat)] == ["시험 모음"]
    assert [s["name"] for s in scenarios(flat)[0]["steps"]] == ["list", "list (2)"]
    nested = _one(
        [{"name": "A", "item": [{"name": "B", "item": [request("one", "GET", f"{BASE}/items/7")]}]}]
    )
    assert [s["name"] for s in scenarios(nested)] == ["A / B"]
    assert scenarios(nested)[0]["steps"][0]["path_params"] == {"item_id": "7"}


def test_requests_become_steps_with_their_path_query_headers_and_json_body() -> None:
    preview = _one(
        [
            request(
                "make",
                "POST",
                "{{base}}/items?dry=1&lang={{lang}}",
                header=[
                    {"key": "X-Trace", "value": "{{lang}}-1"},
                    {"key": "X-Off", "value": "x", "disabled": True},
                ],
                body=json_body({"name": "키보드 {{lang}}", "sku": "{{$guid}}"}),
            ),
        ],
        variable=[{"key": "base", "value": BASE}, {"key": "lang", "value": "ko"}],
    )
    step = scenarios(preview)[0]["steps"][0]
    assert step["query"] == {"dry": "1", "lang": "ko"}
    assert step["headers"] == {"X-Trace": "ko-1"}
    assert step["body"] == {"name": "키보드 ko", "sku": "{{$uuid}}"}
    assert preview.base_url == BASE


def test_what_is_not_carried_over_is_listed_with_its_request() -> None:
    preview = _one(
        [
            request(
                "form",
                "POST",
                f"{BASE}/items",
                body={"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1"}]},
            ),
            request("text", "POST", f"{BASE}/items", body={"mode": "raw", "raw": "hello"}),
            request("elsewhere", "GET", "https://other.test/items"),
            request("unknown", "GET", f"{BASE}/nothing/here"),
            request("odd", "GET", f"{BASE}/items?x={{{{nope}}}}"),
        ]
    )
    listed = {(n.where, n.what) for n in preview.not_carried}
    assert listed == {
        ("form", "body"),
        ("text", "body"),
        ("elsewhere", "host"),
        ("unknown", "request"),
        ("odd", "variable"),
    }
    assert [s["name"] for s in scenarios(preview)[0]["steps"]] == ["form", "text", "odd"]


def test_a_journey_keeps_at_most_the_contracts_steps() -> None:
    preview = _one([request(f"r{i}", "GET", f"{BASE}/items") for i in range(MAX_STEPS + 2)])
    assert len(scenarios(preview)[0]["steps"]) == MAX_STEPS
    assert [n.where for n in preview.not_carried] == [f"r{MAX_STEPS}", f"r{MAX_STEPS + 1}"]


def test_a_base_path_of_the_spec_is_matched_and_kept_in_the_base_url() -> None:
    preview = _one([request("list", "GET", f"{BASE}/api/v1/items")], prefixes=["api/v1"])
    assert preview.base_url == BASE + "/api/v1"
    assert scenarios(preview)[0]["steps"][0]["endpoint_id"] == 1


def test_environment_values_win_and_unknown_or_dynamic_ones_are_said() -> None:
    env = environment({"host": "http://env.test"})
    preview = _one(
        [request("list", "GET", "{{host}}/items?n={{$randomInt}}&w={{$randomWord}}")],
        env=env,
        variable=[{"key": "host", "value": BASE}],
    )
    assert preview.base_url == "http://env.test"
    assert scenarios(preview)[0]["steps"][0]["query"] == {
        "n": "{{$int(0,1000)}}",
        "w": "{{$string(12)}}",
    }
    assert [n.reason for n in preview.not_carried] == [
        "{{$randomWord}} is not generated alike; random letters"
    ]
