"""Secret headers, query parameters and body fields: sealed in the command, opened by the runner,
sent by a real k6 to a real server on loopback, and written in no script, event or file."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.fernet import Fernet

from mv_contracts.lifecycle import RunStatus, TestStartedEvent
from mv_contracts.secrecy import looks_secret
from mv_runtime.sealing import Sealer, open_request, seal_request
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.lifecycle import Lifecycle
from mv_test_runner.preview import preview
from mv_test_runner.settings import Settings
from mv_test_runner.state import RunStore

from .echo import EchoServer
from .requests import make_request, scenario
from .test_lifecycle import Recorder

SECRETS = ("SUB-S3CRET", "SIG-S3CRET", "Q-S3CRET", "P-S3CRET", "T-S3CRET", "4321")


def _request(url: str, test_id: str) -> object:
    endpoint = {
        "method": "POST",
        "path": "/login",
        "query": {"api_key": "Q-S3CRET", "page": "1"},
        "headers": {"Ocp-Apim-Subscription-Key": "SUB-S3CRET", "X-Trace": "T-S3CRET"},
        "body": {"user": {"name": "김", "password": "P-S3CRET", "pin": 4321}},
        "secrets": {"headers": ["X-Trace"], "body": ["user.pin"]},
    }
    return make_request(
        url, scenario("log in", endpoint=endpoint), headers={"X-Signature": "SIG-S3CRET"},
        test_id=test_id,
    )  # fmt: skip


def test_the_heuristic_names_what_the_old_header_rule_missed() -> None:
    for name in ("Ocp-Apim-Subscription-Key", "X-Signature", "api_key", "password", "Cookie",
                 "Authorization", "x-session-id", "client_credential", "X-CSRF-Token"):  # fmt: skip
        assert looks_secret(name), name
    for name in ("Accept", "Content-Type", "page", "author", "name", "X-Request-Id"):
        assert not looks_secret(name), name


def test_a_sealed_request_holds_no_secret_and_opens_to_the_same() -> None:
    key = Fernet.generate_key().decode()
    sealer = Sealer.of(key)
    request = _request("http://127.0.0.1:9", "t-seal")
    sealed = seal_request(request, sealer)  # type: ignore[arg-type]
    text = sealed.model_dump_json()
    assert sealed.sealed
    assert not any(secret in text for secret in SECRETS)
    assert '"page":"1"' in text  # what is not secret stays as it is
    assert "김" in text
    assert open_request(sealed, sealer) == request
    # A rotated key: the new one seals, the old one still opens what it sealed.
    rotated = Sealer.of(f"{Fernet.generate_key().decode()},{key}")
    assert open_request(sealed, rotated) == request
    assert open_request(seal_request(request, rotated), rotated) == request


def _files(folder: Path) -> str:
    """Every file the run left (script, state, k6's log), as text."""
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


async def test_secrets_reach_the_server_and_no_file(
    settings: Settings, echo: EchoServer, tmp_path: Path
) -> None:
    key = Fernet.generate_key().decode()
    sealer = Sealer.of(key)
    recorder = Recorder()
    runs = Lifecycle(
        LocalExecutor(settings),
        RunStore(Path(settings.k6_script_file_folder)),
        recorder,
        warning_after=timedelta(hours=1),
        timeout_after=timedelta(hours=2),
        sealer=sealer,
    )
    test_id = str(uuid.uuid4())
    request = seal_request(_request(echo.url, test_id), sealer)  # type: ignore[arg-type]
    await runs.run(request)
    await runs.wait_finished(test_id)
    assert recorder.finished().payload.status is RunStatus.SUCCEEDED, recorder.events

    (sent,) = echo.requests
    assert sent.header("Ocp-Apim-Subscription-Key") == b"SUB-S3CRET"
    assert sent.header("X-Signature") == b"SIG-S3CRET"
    assert sent.header("X-Trace") == b"T-S3CRET"
    query = parse_qs(urlsplit(sent.target.decode()).query)
    assert query == {"page": ["1"], "api_key": ["Q-S3CRET"]}
    assert json.loads(sent.body) == {"user": {"name": "김", "password": "P-S3CRET", "pin": 4321}}

    (started,) = recorder.of(TestStartedEvent)
    assert isinstance(started, TestStartedEvent)
    everything = started.model_dump_json() + preview(request).model_dump_json()
    everything += _files(Path(settings.k6_script_file_folder))
    assert "MV_SECRET_" in everything
    for secret in SECRETS:
        assert secret not in everything, secret


async def test_a_sealed_request_without_the_key_fails_with_its_reason(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = Lifecycle(
        LocalExecutor(settings),
        RunStore(Path(settings.k6_script_file_folder)),
        recorder,
        warning_after=timedelta(hours=1),
        timeout_after=timedelta(hours=2),
    )
    test_id = str(uuid.uuid4())
    sealer = Sealer.of(Fernet.generate_key().decode())
    await runs.run(seal_request(_request(echo.url, test_id), sealer))  # type: ignore[arg-type]
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.FAILED
    assert "SECRETS_KEY" in (finished.payload.reason or "")
    assert echo.requests == []
