"""A tiny real HTTP/1.1 server on loopback that records every request it receives, byte for byte."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    """When it arrived (time.monotonic)."""

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name.lower().encode():
                return value
        return None


@dataclass
class EchoServer:
    status: int = 200
    failing: bytes | None = None
    """Requests whose target starts with this are answered 500 (the others ``status``)."""
    delay: float = 0.0
    location: str | None = None
    """A ``Location`` header on every answer (with ``status`` 302: a redirect there)."""
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head[:-4].split(b"\r\n")
                method, target, _ = lines[0].split(b" ", 2)
                headers = [
                    (k.strip(), v.strip())
                    for k, v in (line.split(b":", 1) for line in lines[1:] if b":" in line)
                ]
                length = next((int(v) for k, v in headers if k.lower() == b"content-length"), 0)
                body = await reader.readexactly(length) if length else b""
                self.requests.append(Received(method.decode(), target, headers, body))
                if self.delay:
                    await asyncio.sleep(self.delay)
                failed = self.failing is not None and target.startswith(self.failing)
                location = f"Location: {self.location}\r\n" if self.location else ""
                writer.write(
                    f"HTTP/1.1 {500 if failed else self.status} X\r\nContent-Length: 2\r\n"
                    f"{location}Content-Type: text/plain\r\n\r\nok".encode()
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
