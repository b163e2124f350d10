"""A real HTTP server on 127.0.0.1 in a thread, answering from a table of routes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: bytes | Callable[[], Iterator[bytes]] = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    authorization: str | None = None  # when set, any other Authorization header gets a 401


class LocalServer:
    """Routes are path -> Answer; every request path is recorded in ``requests``, its
    headers in ``headers``."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.headers.append(dict(self.headers.items()))
                answer = server.routes.get(self.path.split("?")[0]) or Answer(404, b"no")
                if answer.authorization and self.headers["Authorization"] != answer.authorization:
                    answer = Answer(401, b"who are you?", headers={"WWW-Authenticate": "Basic"})
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                try:
                    if callable(answer.body):
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for chunk in answer.body():
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.send_header("Content-Length", str(len(answer.body)))
                        self.end_headers()
                        self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, body: bytes | str = b"", **options: Any) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Answer(body=data, **options)


class RawServer:
    """A TCP server on 127.0.0.1 that is not HTTP: it sends ``banner`` (SSH greets with its
    version) and hangs up, or, without a banner, holds the connection and never answers."""

    def __init__(self, banner: bytes = b"") -> None:
        self.banner = banner
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.banner:
                connection.sendall(self.banner)
                connection.close()

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()
