"""Each strategy against real HTTP servers: documents, Swagger UI, ReDoc, a base URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from mv_contracts.spec import SpecSource
from mv_spec_analyzer.analysing import Analyzer

from .servers import LocalServer

KOREAN = (Path(__file__).parent.parent / "data" / "korean.yaml").read_text()
SWAGGER = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "springdoc", "version": "2"},
        "paths": {"/a": {"get": {"tags": ["x"]}}, "/b": {"post": {}}},
    }
)


def serve_directory(server: LocalServer, directory: Path, prefix: str) -> str:
    """Serve a directory's files; returns swagger-initializer.js's text."""
    for file in directory.iterdir():
        if file.is_file():
            kind = "text/html" if file.suffix == ".html" else "application/javascript"
            server.add(f"{prefix}/{file.name}", file.read_bytes(), content_type=kind)
    return (directory / "swagger-initializer.js").read_text()


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    """A real FastAPI application served by uvicorn on a free loopback port."""
    app = FastAPI(title="Inventory", version="3.2.1", servers=[{"url": "/inventory"}])

    @app.get("/items/{item_id}", tags=["items"])
    async def read_item(item_id: int, q: str | None = None) -> dict[str, object]:
        return {"item_id": item_id, "q": q}

    @app.post("/items", tags=["items"])
    async def create_item(item: dict[str, int]) -> dict[str, int]:
        return item

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/openapi.json", "/"])
async def test_fastapi_pages(fastapi_url: str, analyzer: Analyzer, page: str) -> None:
    # The pages really are what FastAPI serves: Swagger UI and ReDoc HTML.
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{fastapi_url}{page}")
    assert answer.status_code == (404 if page == "/" else 200)
    analysis = await analyzer.analyse(SpecSource(url=f"{fastapi_url}{page}"))
    expected = {
        "/docs": "swagger-ui",
        "/redoc": "redoc",
        "/openapi.json": "document",
        "/": "base-url+document",
    }
    assert analysis.strategy == expected[page]
    spec = analysis.spec
    assert spec.title == "Inventory"
    assert spec.source_url == f"{fastapi_url}/openapi.json"
    assert spec.base_url == f"{fastapi_url}/inventory"
    assert sorted(e.key for e in spec.endpoints) == ["GET /items/{item_id}", "POST /items"]


async def test_swagger_ui_dist_page(
    server: LocalServer, swagger_ui_dist: Path, analyzer: Analyzer
) -> None:
    """swagger-ui-dist's own index.html, with its initializer pointed at a local document."""
    initializer = serve_directory(server, swagger_ui_dist, "/ui")
    assert "https://petstore.swagger.io/v2/swagger.json" in initializer
    server.add(
        "/ui/swagger-initializer.js",
        initializer.replace("https://petstore.swagger.io/v2/swagger.json", "/specs/orders.yaml"),
        content_type="application/javascript",
    )
    server.add("/specs/orders.yaml", KOREAN, content_type="application/yaml; charset=utf-8")
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/ui/index.html"))
    assert analysis.strategy == "swagger-ui"
    assert analysis.spec.title == "주문 서비스 API"
    assert len(analysis.spec.endpoints) == 3


async def test_swagger_ui_urls_list_and_springdoc_config(
    server: LocalServer, analyzer: Analyzer
) -> None:
    server.add(
        "/swagger-ui/index.html",
        '<html><div id="swagger-ui"></div><script src="./swagger-initializer.js"></script></html>',
        content_type="text/html",
    )
    server.add(
        "/swagger-ui/swagger-initializer.js",
        # springdoc writes the initializer with quoted keys, under its context path
        'window.ui = SwaggerUIBundle({"configUrl" : "/app/v3/api-docs/swagger-config"})',
        content_type="application/javascript",
    )
    server.add(
        "/app/v3/api-docs/swagger-config",
        json.dumps({"urls": [{"url": "/v3/api-docs/public", "name": "public"}]}),
    )
    server.add("/v3/api-docs/public", SWAGGER)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/swagger-ui/index.html"))
    assert analysis.strategy == "swagger-ui"
    assert analysis.spec.title == "springdoc"
    assert "/v3/api-docs/swagger-config" not in server.requests  # the named config was used
    assert analysis.spec.base_url == server.url


async def test_swagger_ui_bundle_with_urls(server: LocalServer, analyzer: Analyzer) -> None:
    server.add(
        "/api-docs",
        """<html><script>const ui = SwaggerUIBundle({
            urls: [{url: "/v1.json", name: "v1"}, {url: '/v2.json', name: "v2"}],
            dom_id: '#swagger-ui'})</script></html>""",
        content_type="text/html",
    )
    server.add("/v1.json", SWAGGER)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/api-docs"))
    assert analysis.strategy == "swagger-ui"
    assert analysis.spec.source_url == f"{server.url}/v1.json"


async def test_redoc_init(server: LocalServer, analyzer: Analyzer) -> None:
    server.add(
        "/reference",
        "<html><div id=r></div><script>Redoc.init('specs/api.yaml', {}, el)</script></html>",
        content_type="text/html",
    )
    server.add("/specs/api.yaml", KOREAN, content_type="text/plain")
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/reference"))
    assert analysis.strategy == "redoc"
    assert analysis.spec.base_url == "http://localhost:8080/api"


async def test_standalone_redoc_page_with_embedded_document(
    server: LocalServer, analyzer: Analyzer
) -> None:
    state = json.dumps({"spec": {"data": json.loads(SWAGGER)}, "searchIndex": {}})
    server.add(
        "/api.html",
        f"<html><body><div id='redoc'></div><script>const __redoc_state = {state};\n"
        "Redoc.hydrate(__redoc_state, document.getElementById('redoc'));</script></body></html>",
        content_type="text/html",
    )
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/api.html"))
    assert analysis.strategy == "redoc-embedded"
    assert analysis.spec.title == "springdoc"


async def test_base_url_probes_springdoc_path(server: LocalServer, analyzer: Analyzer) -> None:
    server.add("/service/v3/api-docs", SWAGGER)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/service"))
    assert analysis.strategy == "base-url+document"
    order = [p for p in server.requests if p.startswith("/service/")]
    assert order == ["/service/openapi.json", "/service/openapi.yaml", "/service/openapi.yml",
                     "/service/v3/api-docs"]  # fmt: skip


async def test_external_refs_same_origin_only(server: LocalServer, analyzer: Analyzer) -> None:
    server.add(
        "/spec/main.yaml",
        """openapi: 3.0.3
info: {title: split, version: "1"}
paths:
  /pets:
    $ref: "paths.yaml#/pets"
  /other:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "http://169.254.169.254/schemas.yaml#/Pet"}
""",
        content_type="application/yaml",
    )
    server.add(
        "/spec/paths.yaml",
        """pets:
  post:
    requestBody:
      content:
        application/json:
          schema: {$ref: "schemas/pet.yaml"}
  x-notes: {$ref: "notes/pets.md"}
""",
        content_type="application/yaml",
    )
    server.add(
        "/spec/schemas/pet.yaml",
        "type: object\nrequired: [name]\nproperties: {name: {type: string, example: Rex}}\n",
    )
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/spec/main.yaml"))
    pets, other = analysis.spec.endpoints
    assert pets.request_body is not None
    assert pets.request_body.example == {"name": "Rex"}
    assert other.request_body is not None
    assert other.request_body.schema_ == {"$ref": "http://169.254.169.254/schemas.yaml#/Pet"}
    unfetched, notes, unresolved = analysis.warnings
    assert notes.message == (
        f"$ref notes/pets.md at {server.url}/spec/paths.yaml#/pets/x-notes: "
        f"{server.url}/spec/notes/pets.md answered 404 Not Found; left unresolved"
    )
    assert unfetched.message == (
        "$ref http://169.254.169.254/schemas.yaml#/Pet at /paths/~1other/post/requestBody/"
        "content/application~1json/schema: another origin, not fetched; left unresolved"
    )
    assert (unresolved.endpoint, unresolved.ref) == ("POST /other", unfetched.ref)
