"""Bodies at the gateway's edge, against the gateway as its own process: an anonymous body is
refused before it is read (before: 30 MiB read, parsed and walked, then 401 after 5 s while
every other request waited), a body passing its limit is refused while it streams, a slow one
times out, and no body (deep, not UTF-8, huge numbers...) is a 500."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway_tests.gateway_process import GatewayProcess, gateway_process
from mv_devstack.config import StackConfig

MIB = 1024 * 1024


@pytest.fixture(scope="module")
async def gateway(
    stack: StackConfig, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[GatewayProcess]:
    folder = tmp_path_factory.mktemp("gateway")
    async with gateway_process(stack, folder, BODY_READ_SECONDS="2") as process:
        yield process


async def _timed_send(
    gateway: GatewayProcess, head: str, body: bytes, seconds: float = 30
) -> tuple[bytes, float]:
    """Sends a request while reading its answer, as curl does: the answer and the seconds it
    took. A plain socket: a refused body is reset once answered, and the kernel still hands
    over the answer first, where a stream transport would drop it with the failed write."""
    loop = asyncio.get_running_loop()
    with socket.create_connection((gateway.host, gateway.port)) as connection:
        connection.setblocking(False)
        started = time.monotonic()

        async def send() -> None:
            with contextlib.suppress(OSError):
                await loop.sock_sendall(connection, head.replace("\n", "\r\n").encode() + b"\r\n")
                await loop.sock_sendall(connection, body)

        async def receive() -> bytes:
            answer = b""
            with contextlib.suppress(OSError):  # a reset, once the answer is in
                while chunk := await loop.sock_recv(connection, 65536):
                    answer += chunk  # the refusals close the connection
            return answer

        sending = asyncio.create_task(send())
        try:
            answer = await asyncio.wait_for(receive(), seconds)
            return answer, time.monotonic() - started
        finally:
            sending.cancel()


async def _answer_before_sending_all(
    gateway: GatewayProcess, head: str, first: bytes, seconds: float = 5
) -> tuple[int, bytes]:
    """Sends the request head and the first part of its body, and reads the answer without
    sending the rest: only a server that did not wait for the body answers."""
    answer, _ = await _timed_send(gateway, head, first, seconds)
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _head(path: str, length: int | None, *extra: str) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: gateway", "Content-Type: application/json", *extra]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    return "\n".join(lines) + "\n"


async def test_an_anonymous_body_is_refused_before_it_is_read(gateway: GatewayProcess) -> None:
    status, body = await _answer_before_sending_all(
        gateway, _head("/project", 30 * MIB), b"[" + b"1," * 32_000
    )
    assert status == 401
    assert "sign in" in json.loads(body)["detail"]
    status, _ = await _answer_before_sending_all(
        gateway, _head("/project", None), b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    )
    assert status == 401  # chunked: no length to judge by, and still not read
    status, _ = await _answer_before_sending_all(
        gateway, _head("/project", 30 * MIB, "Authorization: Bearer mvt_forged"), b"[1,"
    )
    assert status == 401  # a credential that does not hold is no credential


async def test_a_body_over_its_limit_is_refused_while_it_streams(
    gateway: GatewayProcess, stack: StackConfig, tmp_path: Path
) -> None:
    async with gateway_process(stack, tmp_path, MAX_BODY_BYTES=str(MIB)) as small:
        signed = f"Authorization: Bearer {small.token}"
        # chunked, so no length to judge by: 40 chunks of 64 KiB, refused past 1 MiB
        chunks = (b"10000\r\n" + b" " * 0x10000 + b"\r\n") * 40
        answer, _ = await _timed_send(small, _head("/project", None, signed), chunks)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert f"larger than {MIB} bytes (MAX_BODY_BYTES)".encode() in answer

    # a route open to anyone (login) takes far less, and says which limit
    status, body = await _answer_before_sending_all(gateway, _head("/auth/login", MIB), b"{")
    assert status == 413
    assert "MAX_PUBLIC_BODY_BYTES" in json.loads(body)["detail"]


async def test_a_body_that_does_not_come_is_a_408(gateway: GatewayProcess) -> None:
    started = time.monotonic()
    status, body = await _answer_before_sending_all(
        gateway, _head("/project", 100, f"Authorization: Bearer {gateway.token}"), b"{", 10
    )
    assert status == 408
    assert "BODY_READ_SECONDS" in json.loads(body)["detail"]
    assert 1.5 < time.monotonic() - started < 5


async def test_an_anonymous_30_mib_body_does_not_stall_the_gateway(
    gateway: GatewayProcess,
) -> None:
    """Before: the 401 after 5.1 s, and a health check waiting as long."""
    huge = b"[" + b"1," * (15 * MIB) + b"1]"
    latencies: list[float] = []

    async def health(http: httpx.AsyncClient) -> None:
        while True:
            started = time.monotonic()
            assert (await http.get("/healthz")).status_code == 200
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=gateway.base, timeout=30) as http:
        checking = asyncio.create_task(health(http))
        await asyncio.sleep(0.3)
        answer, seconds = await _timed_send(gateway, _head("/project", len(huge)), huge)
        await asyncio.sleep(0.3)
        checking.cancel()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]
    assert seconds < 1.0
    assert max(latencies) < 0.5, latencies


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"[" * 5000 + b"]" * 5000, 422, "MAX_JSON_DEPTH"),
        (b'{"title": ' + b"[" * 5000, 422, "MAX_JSON_DEPTH"),
        (b'{"title": "' + b"\xff\xfe" + b'"}', 422, "not UTF-8"),
        (b'{"title": ' + b"9" * 5000 + b"}", 422, "too long"),
        (b'{"title": "\\ud800 alone"}', 422, "surrogate"),
        (b'{"title": NaN}', 422, "finite"),
        (b'{"title": 1e999}', 422, "finite"),
        (b'{"title": "a", "title": "b"}', 201, ""),  # the last wins, as in JSON.parse
        (b'{"title": "x"', 422, "JSON decode error"),
        ('{"title": "한국어"}'.encode("utf-16"), 422, "not UTF-8"),
        (b"", 422, ""),
    ],
)
async def test_no_body_is_a_500(
    gateway: GatewayProcess, body: bytes, status: int, says: str
) -> None:
    async with httpx.AsyncClient(base_url=gateway.base, headers=gateway.headers) as http:
        response = await http.post(
            "/project", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == status, response.text
    if status == 422:
        [error, *_] = response.json()["detail"]
        assert error["loc"][0] == "body"
        assert says in error["msg"]
