"""Data files over HTTP on both backends: a CSV or JSON file uploaded to a project, previewed,
listed, deleted; every bad file refused with the part and the reason (never a 500); a test
that uses one carries its rows in the run command, and a plan whose file was deleted is refused
at start, naming the scenario."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway_tests.conftest import bearer
from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints, original_body
from mv_contracts.data import MAX_DATA_BYTES, MAX_DATA_COLUMNS, MAX_DATA_ROWS, PREVIEW_ROWS
from mv_gateway.auth import Role

__all__ = ["commands", "endpoints"]  # fixtures used below

CSV = "text/csv"
PEOPLE = "email,name\n" + "".join(f"u{i}@example.com,사람 {i}\n" for i in range(12))


async def upload(
    client: httpx.AsyncClient,
    project: int,
    content: bytes | str,
    name: str = "people.csv",
    content_type: str = CSV,
    **params: Any,
) -> httpx.Response:
    body = content.encode() if isinstance(content, str) else content
    return await client.post(
        "/data-files",
        params={"project_id": project, "name": name, **params},
        content=body,
        headers={"Content-Type": content_type},
    )


async def test_a_csv_file_is_kept_previewed_listed_and_deleted(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    project = endpoints["project"]
    made = await upload(client, project, "\ufeff" + PEOPLE)
    assert made.status_code == 201, made.text
    kept = made.json()
    assert kept["columns"] == ["email", "name"]
    assert kept["row_count"] == 12
    assert kept["format"] == "csv"
    assert kept["preview"] == [[f"u{i}@example.com", f"사람 {i}"] for i in range(PREVIEW_ROWS)]

    assert (await client.get(f"/data-files/{kept['id']}")).json() == kept
    listed = await client.get("/data-files", params={"project_id": project})
    assert [f["id"] for f in listed.json()] == [kept["id"]]

    assert (await client.delete(f"/data-files/{kept['id']}")).status_code == 204
    assert (await client.get(f"/data-files/{kept['id']}")).status_code == 404


async def test_a_json_array_of_objects_is_a_data_file(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    rows = '[{"sku": "a-1", "qty": 2, "gift": true}, {"sku": "b-2", "qty": 5, "gift": null}]'
    content = "\ufeff" + rows  # a byte-order mark is dropped
    made = await upload(client, endpoints["project"], content, "items.json", "text/plain")
    assert made.status_code == 201, made.text
    assert made.json()["columns"] == ["sku", "qty", "gift"]
    assert made.json()["preview"] == [["a-1", 2, True], ["b-2", 5, None]]


BAD_FILES: dict[str, tuple[bytes, str, str, list[str], str]] = {
    # case: content, name, format, where, words of the reason
    "empty": (b"  \n", "a.csv", "csv", ["body", "file"], "empty"),
    "header only": (b"email,name\n", "a.csv", "csv", ["body", "rows"], "no row"),
    "not utf-8": (
        "email\nkim\u00e9\n".encode("latin-1"),
        "a.csv",
        "csv",
        ["body", "file"],
        "not UTF-8",
    ),
    "ragged": (b"a,b\n1,2\n3\n", "a.csv", "csv", ["body", "rows", "1"], "1 values for 2"),
    "column twice": (b"a,b,a\n1,2,3\n", "a.csv", "csv", ["body", "columns", "2"], "two columns"),
    "bad column": (
        b"a,first name\n1,2\n",
        "a.csv",
        "csv",
        ["body", "columns", "1"],
        "not a variable name",
    ),
    "generated name": (
        b"$uuid\n1\n",
        "a.csv",
        "csv",
        ["body", "columns", "0"],
        "not a variable name",
    ),
    "too many columns": (
        (",".join(f"c{i}" for i in range(MAX_DATA_COLUMNS + 1)) + "\n").encode() * 2,
        "a.csv",
        "csv",
        ["body", "columns"],
        f"limit is {MAX_DATA_COLUMNS}",
    ),
    "too many rows": (
        b"a\n" + b"1\n" * (MAX_DATA_ROWS + 1),
        "a.csv",
        "csv",
        ["body", "rows"],
        f"more than {MAX_DATA_ROWS}",
    ),
    "unclosed quote": (b'a,b\n"1,2\n', "a.csv", "csv", ["body", "file"], "not CSV"),
    "not an array": (b'{"a": 1}', "a.json", "json", ["body", "file"], "array of objects"),
    "nested value": (b'[{"a": {"b": 1}}]', "a.json", "json", ["body", "file"], "not JSON"),
    "other keys": (b'[{"a": 1}, {"b": 2}]', "a.json", "json", ["body", "rows", "1"], "differ"),
    "deep": (b"[" * 100_000, "a.json", "json", ["body", "file"], "not JSON"),
    "no format": (b"a\n1\n", "data.txt", "", ["body", "format"], "format=csv or json"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_bad_files_are_refused_with_the_part_and_the_reason(
    client: httpx.AsyncClient, endpoints: dict[str, int], case: str
) -> None:
    content, name, kind, where, words = BAD_FILES[case]
    extra = {"format": kind} if kind else {}
    refused = await upload(client, endpoints["project"], content, name, "text/plain", **extra)
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["detail"]
    assert error["loc"] == where
    assert words in error["msg"]


async def test_size_and_body_type_are_refused_before_parsing(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    project = endpoints["project"]
    too_big = b"a\n" + b"x" * MAX_DATA_BYTES
    refused = await upload(client, project, too_big)
    assert refused.status_code == 413
    assert str(MAX_DATA_BYTES) in refused.json()["detail"]
    as_json = await upload(client, project, b"[]", "a.json", "application/json")
    assert as_json.status_code == 415
    assert (await upload(client, 10**9, PEOPLE)).status_code == 404


async def test_viewers_read_data_files_and_only_testers_change_them(
    client: httpx.AsyncClient, endpoints: dict[str, int], tokens: dict[Role, str]
) -> None:
    project = endpoints["project"]
    kept = (await upload(client, project, PEOPLE)).json()
    viewer = bearer(tokens[Role.VIEWER])
    assert (await client.get(f"/data-files/{kept['id']}", headers=viewer)).status_code == 200
    assert (await client.delete(f"/data-files/{kept['id']}", headers=viewer)).status_code == 403
    refused = await client.post(
        "/data-files",
        params={"project_id": project, "name": "a.csv"},
        content=PEOPLE.encode(),
        headers={**viewer, "Content-Type": CSV},
    )
    assert refused.status_code == 403


def _with_data(endpoint_id: int, file_id: int, mode: str = "unique") -> dict[str, Any]:
    body = original_body(endpoint_id)
    body["scenarios"][0] |= {
        "data": {"file_id": file_id, "mode": mode},
        "headers": {"X-User": "{{email}}", "X-Id": "{{$uuid}}"},
    }
    return body


async def test_a_test_carries_its_rows_and_a_deleted_file_stops_its_plan(
    client: httpx.AsyncClient, endpoints: dict[str, int], commands: list[dict[str, Any]]
) -> None:
    project, login = endpoints["project"], endpoints["login"]
    kept = (await upload(client, project, PEOPLE)).json()
    started = await client.post("/load-testing", json=_with_data(login, kept["id"]))
    assert started.status_code == 202, started.text
    command = await command_for(commands, started.json()["test_id"], "test.run.requested")
    (data,) = command["payload"]["data"]
    assert data["columns"] == ["email", "name"]
    assert len(data["rows"]) == 12
    assert command["payload"]["scenarios"][0]["data"] == {"file_id": kept["id"], "mode": "unique"}

    undefined = _with_data(login, kept["id"])
    undefined["scenarios"][0]["headers"]["X-Age"] = "{{age}}"
    refused = await client.post("/load-testing", json=undefined)
    assert refused.status_code == 422
    assert "'age' is not defined" in refused.text

    plan = await client.post(
        "/plans",
        json={"project_id": project, "name": "data", "test": _with_data(login, kept["id"])},
    )
    assert plan.status_code == 201, plan.text
    assert plan.json()["test"]["scenarios"][0]["data"]["file_id"] == kept["id"]
    assert (await client.delete(f"/data-files/{kept['id']}")).status_code == 204
    gone = await client.post(f"/plans/{plan.json()['id']}/run")
    assert gone.status_code == 422
    (error,) = gone.json()["detail"]
    assert error["loc"] == ["body", "scenarios", 0, "data", "file_id"]
    assert f"data file {kept['id']} not found" in error["msg"]
