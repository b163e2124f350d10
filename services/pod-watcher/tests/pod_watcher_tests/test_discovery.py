from __future__ import annotations

from typing import Any

from mv_contracts.pods import DiscoveredServer
from mv_pod_watcher.discovery import Rediscovery, http_port, pod_server, servers, workload

Json = dict[str, Any]


def service(name: str, ports: list[Json], **spec: Any) -> Json:
    return {
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"ports": ports, "selector": {"app": name}, **spec},
    }


def running_pod(name: str, image: str, app: str = "api", **metadata: Any) -> Json:
    return {
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": app}, **metadata},
        "spec": {"containers": [{"name": "c", "image": image, "ports": [{"containerPort": 9000}]}]},
        "status": {"podIP": "10.1.0.7"},
    }


def test_http_ports() -> None:
    assert http_port(service("a", [{"port": 9000, "name": "http"}])) == (9000, "http")
    assert http_port(service("a", [{"port": 9000, "name": "http-api"}])) == (9000, "http")
    assert http_port(service("a", [{"port": 9443, "appProtocol": "https"}])) == (9443, "https")
    assert http_port(service("a", [{"port": 443}])) == (443, "https")
    assert http_port(service("a", [{"port": 5432, "name": "pg"}, {"port": 80}])) == (80, "http")
    assert http_port(service("a", [{"port": 80, "protocol": "UDP"}])) is None
    assert http_port(service("a", [{"port": 5432, "name": "postgres"}])) is None


def test_services_and_annotated_pods() -> None:
    pods = [
        running_pod(
            "api-7c9-aa",
            "shop:1",
            labels={"app": "api", "pod-template-hash": "7c9"},
            annotations={"metric-vault.io/openapi-path": "/openapi.json"},
            ownerReferences=[{"kind": "ReplicaSet", "name": "api-7c9", "controller": True}],
        ),
        running_pod(
            "api-7c9-bb",
            "shop:1",
            labels={"app": "api", "pod-template-hash": "7c9"},
            annotations={"metric-vault.io/openapi-path": "/openapi.json"},
            ownerReferences=[{"kind": "ReplicaSet", "name": "api-7c9", "controller": True}],
        ),
        running_pod("db-0", "postgres:16", app="db"),
    ]
    found = servers(
        [service("api", [{"port": 80, "name": "http"}]), service("db", [{"port": 5432}])], pods
    )
    assert [(s.kind, s.name, str(s.base_url), s.image, s.openapi_path) for s in found] == [
        ("service", "api", "http://api.shop.svc/", "shop:1", None),
        ("pod", "api", "http://10.1.0.7:9000/", "shop:1", "/openapi.json"),
    ]


def test_external_name_and_annotation_on_a_service() -> None:
    svc = service("ext", [{"port": 8080}], type="ExternalName", externalName="localhost")
    svc["metadata"]["annotations"] = {"metric-vault.io/openapi-path": "/docs/openapi.yaml"}
    (found,) = servers([svc], [])
    assert (str(found.base_url), found.openapi_path, found.image) == (
        "http://localhost:8080/",
        "/docs/openapi.yaml",
        None,
    )


def test_pods_need_an_address_and_a_port() -> None:
    annotated = {"metric-vault.io/openapi-path": "/openapi.json"}
    no_ip = running_pod("p", "x:1", annotations=annotated)
    no_ip["status"] = {}
    assert pod_server(no_ip) is None
    no_port = running_pod("p", "x:1", annotations=annotated)
    no_port["spec"]["containers"][0]["ports"] = []
    assert pod_server(no_port) is None
    chosen = running_pod(
        "p", "x:1", annotations={**annotated, "metric-vault.io/openapi-port": "81"}
    )
    assert str(pod_server(chosen).base_url) == "http://10.1.0.7:81/"  # type: ignore[union-attr]
    assert workload(running_pod("solo", "x:1")) == "solo"


def test_a_new_image_again_the_same_image_never_twice() -> None:
    def server(image: str | None) -> DiscoveredServer:
        return DiscoveredServer(
            namespace="shop",
            name="api",
            kind="service",
            base_url="http://api.shop.svc:80",
            image=image,
        )

    decide = Rediscovery()
    assert [decide.fresh(server(i)) for i in ["shop:1", "shop:1", "shop:2", "shop:1", None]] == [
        True,
        False,
        True,
        False,
        False,
    ]
    other = server("shop:1").model_copy(update={"name": "admin"})
    assert decide.fresh(other)
    decide.forget(other)
    assert decide.fresh(other)
