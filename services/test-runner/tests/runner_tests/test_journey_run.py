"""A journey run by the real k6 against the demo API's vault (a real server on loopback) that
counts per endpoint, token and id: k6's samples per step equal the API's counts, no request
went out with a missing or expired token, every created item was read, updated and deleted, and
each check passed exactly as often as the API answered what it checks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mv_test_runner.script import generate_script

from .conftest import k6_environment, k6_run
from .golden_journeys import LOGIN_PASSWORD, oauth_journey, vault_journey


@pytest.fixture
def vault_api(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "demo.log").open("w")
    server = subprocess.Popen(  # tokens live 3 s; the journey signs in again every second
        [sys.executable, "-m", "mv_demo_api", "--port", str(port), "--token-seconds", "3"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded machine starts uvicorn slowly
        while True:
            try:
                urllib.request.urlopen(  # noqa: S310 -- an http URL of ours
                    f"{base}/health", timeout=1
                ).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the demo API did not start"
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _samples(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        point = json.loads(line)
        if point.get("type") == "Point":
            yield point


def test_a_signed_in_journey_is_counted_per_step_as_the_api_counts(
    vault_api: str, k6: str, tmp_path: Path
) -> None:
    generated = generate_script(vault_journey(vault_api, vus=3, duration="4s"))
    out = tmp_path / "samples.json"
    # The login's password through the environment only, with the demo's real one.
    password = json.dumps("vault-demo")
    assert LOGIN_PASSWORD not in k6_environment(generated, MV_SECRET_1=password).values()
    k6_run(k6, tmp_path, generated, "--out", f"json={out}", MV_SECRET_1=password)
    with urllib.request.urlopen(  # noqa: S310 -- an http URL of ours
        f"{vault_api}/vault/stats", timeout=5
    ) as answer:
        stats = json.load(answer)

    requests: Counter[str] = Counter()
    checks: Counter[tuple[str, bool]] = Counter()
    failed_extractions = 0
    for point in _samples(out):
        tags, value = point["data"]["tags"], point["data"]["value"]
        if point["metric"] == "http_reqs":
            requests[tags["step"]] += 1
        elif point["metric"] == "checks":
            checks[(tags["check"], value == 1)] += 1
        elif point["metric"] == "mv_extraction_failures":
            failed_extractions += 1

    answered: Counter[str] = Counter()
    for line, count in stats["endpoints"].items():
        answered[line.rsplit(" ", 1)[0]] += count
    assert dict(requests) == {
        "login": answered["POST /auth/login"],
        "create": answered["POST /vault/items"],
        "read": answered["GET /vault/items/{item_id}"],
        "update": answered["PUT /vault/items/{item_id}"],
        "delete": answered["DELETE /vault/items/{item_id}"],
    }
    assert requests["create"] > 10  # it ran for real
    assert requests["login"] > 3  # signed in again as tokens aged, once per VU and second
    assert stats["refused"] == {}  # no request without a token or with an expired one
    assert failed_extractions == 0
    assert len(stats["ids"]) == requests["create"]
    for item_id, methods in stats["ids"].items():
        assert methods == {"POST": 1, "GET": 1, "PUT": 1, "DELETE": 1}, item_id
    assert checks[("create: status in 201", True)] == stats["endpoints"]["POST /vault/items 201"]
    assert (
        checks[("delete: status in 204", True)]
        == stats["endpoints"]["DELETE /vault/items/{item_id} 204"]
    )
    assert checks[("read: name equals '키보드'", True)] == requests["read"]
    assert not [name for (name, passed) in checks if not passed]


def test_an_oauth2_journey_takes_tokens_again_before_they_expire(
    vault_api: str, k6: str, tmp_path: Path
) -> None:
    generated = generate_script(oauth_journey(vault_api, vus=2, duration="5s"))
    assert "demo-client-secret" not in generated.text
    k6_run(k6, tmp_path, generated)
    with urllib.request.urlopen(  # noqa: S310 -- an http URL of ours
        f"{vault_api}/vault/stats", timeout=5
    ) as answer:
        stats = json.load(answer)
    # Tokens live 3 s: each VU took one at its start and new ones before they expired.
    assert stats["endpoints"]["POST /oauth/token 200"] >= 2 * 2
    assert stats["refused"] == {}
    assert stats["endpoints"]["POST /vault/items 201"] > 5
    for item_id, methods in stats["ids"].items():
        assert methods == {"POST": 1, "GET": 1, "PUT": 1, "DELETE": 1}, item_id
