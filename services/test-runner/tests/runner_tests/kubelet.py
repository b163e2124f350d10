"""A stand-in kubelet for the real kube-apiserver: it serves one pod's container log over TLS,
as the API server asks a node for it (``GET /containerLogs/<ns>/<pod>/<container>``).

The API server of the tests runs without a kubelet; with a Node object pointing here, a
``pods/log`` read travels the real way: client → API server (RBAC, routing) → this server.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


def self_signed(folder: Path) -> ssl.SSLContext:
    """A TLS context with a fresh self-signed certificate (the API server of the tests does
    not check kubelet certificates: it has no --kubelet-certificate-authority)."""
    key, cert = folder / "kubelet.key", folder / "kubelet.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Kubelet:
    logs: dict[str, str]
    """Request path (``/containerLogs/<ns>/<pod>/<container>``) → log text."""
    targets: list[str] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self, context: ssl.SSLContext) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            self.targets.append(target)
            text = self.logs.get(target.split("?", 1)[0])
            body = (text or "not found").encode()
            status = b"200 OK" if text is not None else b"404 Not Found"
            writer.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
            )  # fmt: skip
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
