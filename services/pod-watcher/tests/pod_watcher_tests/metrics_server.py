"""A stand-in metrics-server: HTTPS on loopback serving metrics.k8s.io/v1beta1 PodMetrics.

The API server reaches it as an aggregated API: an APIService whose Service is of type
ExternalName ``localhost`` -- the aggregator dials an ExternalName Service's name directly, so no
kube-proxy, endpoints or ``--enable-aggregator-routing`` are needed.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

GROUP_VERSION = "metrics.k8s.io/v1beta1"
API_SERVICE = "v1beta1.metrics.k8s.io"


class MetricsServer:
    def __init__(self, folder: Path) -> None:
        self.usage: dict[str, dict[str, dict[str, dict[str, str]]]] = {}  # ns -> pod -> container
        self.requests: list[str] = []
        self.delay = 0.0  # seconds each answer waits: a metrics-server that hangs
        cert, key = folder / "tls.crt", folder / "tls.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                str(key),
                "-out",
                str(cert),
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def body(self, path: str) -> dict[str, Any]:
        prefix = f"/apis/{GROUP_VERSION}"
        if not path.startswith(prefix):
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
        parts = path[len(prefix) :].strip("/").split("/")
        if parts == [""]:
            return {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": GROUP_VERSION,
                "resources": [
                    {
                        "name": "pods",
                        "singularName": "",
                        "namespaced": True,
                        "kind": "PodMetrics",
                        "verbs": ["get", "list"],
                    }
                ],
            }
        namespace = parts[1] if len(parts) >= 3 and parts[0] == "namespaces" else ""
        items = [
            {
                "metadata": {"name": pod, "namespace": namespace},
                "timestamp": "2026-01-01T00:00:00Z",
                "window": "10s",
                "containers": [
                    {"name": name, "usage": usage} for name, usage in containers.items()
                ],
            }
            for pod, containers in self.usage.get(namespace, {}).items()
        ]
        return {
            "kind": "PodMetricsList",
            "apiVersion": GROUP_VERSION,
            "metadata": {},
            "items": items,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                time.sleep(outer.delay)
                data = json.dumps(outer.body(self.path.split("?")[0])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def register(admin: Any, namespace: str, port: int) -> Any:
    """An ExternalName Service to the stand-in, and the APIService pointing at it."""
    from kubernetes import client

    admin.create_namespaced_service(
        namespace,
        {
            "metadata": {"name": "metrics-server"},
            "spec": {
                "type": "ExternalName",
                "externalName": "localhost",
                "ports": [{"port": port}],
            },
        },
    )
    registration: Any = client.ApiregistrationV1Api(admin.api_client)
    registration.create_api_service(
        {
            "metadata": {"name": API_SERVICE},
            "spec": {
                "group": "metrics.k8s.io",
                "version": "v1beta1",
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
                "insecureSkipTLSVerify": True,
                "service": {"name": "metrics-server", "namespace": namespace, "port": port},
            },
        }
    )
    return registration
