"""The web UI and the API docs as the gateway serves them: the SPA under /ui/, browsers sent
there from /, the 503 page when nothing is built, and Swagger UI without a CDN."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mv_gateway.app import create_app
from mv_gateway.core.settings import Settings

INDEX = (
    '<!doctype html><html><head><script type="module" src="/ui/assets/app-abc123.js">'
    "</script></head></html>"
)
BUNDLE = "console.log('metric vault');" * 50


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build as scripts/web.sh leaves it: index.html, hashed bundles and their .gz."""
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "app-abc123.js").write_text(BUNDLE)
    (folder / "assets" / "app-abc123.js.gz").write_bytes(gzip.compress(BUNDLE.encode()))
    (tmp_path / "secret.txt").write_text("outside the build")
    return folder


async def _client(dist: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: nothing here needs the bus, and GET / then reports NATS down (JSON all the same).
    settings = Settings(ui_dist_dir=dist, database_url=f"sqlite+aiosqlite:///{tmp_path / 'ui.db'}",
                        nats_url="nats://127.0.0.1:1", health_timeout=0.5)  # fmt: skip
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http
    await app.state.engine.dispose()


@pytest.fixture
async def ui(dist: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(dist, tmp_path):
        yield http


@pytest.fixture
async def unbuilt(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(tmp_path / "nothing-here", tmp_path):
        yield http


async def test_index_and_every_app_path_answer_the_app(ui: httpx.AsyncClient) -> None:
    for path in ("/ui/", "/ui/projects/3", "/ui/tests/12?x=1", "/ui/compare"):
        response = await ui.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"  # a new build shows at once
    bare = await ui.get("/ui")
    assert bare.status_code == 308
    assert bare.headers["location"] == "/ui/"


async def test_bundles_are_immutable_and_sent_compressed(ui: httpx.AsyncClient) -> None:
    packed = await ui.get("/ui/assets/app-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in packed.headers["content-type"]
    assert packed.text == BUNDLE  # httpx decodes it: the .gz holds the same bytes
    assert int(packed.headers["content-length"]) < len(BUNDLE)
    plain = await ui.get("/ui/assets/app-abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == BUNDLE


async def test_a_missing_bundle_is_404_not_the_app(ui: httpx.AsyncClient) -> None:
    assert (await ui.get("/ui/assets/app-gone.js")).status_code == 404


async def test_no_file_outside_the_build_is_served(ui: httpx.AsyncClient) -> None:
    for path in ("/ui/..%2fsecret.txt", "/ui/%2e%2e/secret.txt", "/ui/assets/..%2f..%2fsecret.txt"):
        response = await ui.get(path)
        assert "outside the build" not in response.text, path


async def test_a_name_the_file_system_refuses_is_404(ui: httpx.AsyncClient) -> None:
    assert (await ui.get("/ui/a%00b")).status_code == 404


async def test_without_a_build_the_ui_says_how_to_build_it(unbuilt: httpx.AsyncClient) -> None:
    response = await unbuilt.get("/ui/projects/1")
    assert response.status_code == 503
    assert "The web UI is not built" in response.text
    assert "npm ci" in response.text
    assert "scripts/bootstrap.sh" in response.text


async def test_a_browser_at_the_root_goes_to_the_ui(ui: httpx.AsyncClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await ui.get("/", headers={"Accept": browser})
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


@pytest.mark.parametrize("accept", ["*/*", "application/json", ""])
async def test_api_clients_keep_the_health_json_at_the_root(
    ui: httpx.AsyncClient, accept: str
) -> None:
    response = await ui.get("/", headers={"Accept": accept})
    assert response.status_code in (200, 503)
    assert set(response.json()["components"]) == {"nats", "database", "influxdb"}


async def test_swagger_ui_loads_only_same_origin_assets(ui: httpx.AsyncClient) -> None:
    page = await ui.get("/api/swagger")
    assert page.status_code == 200
    referenced = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    referenced += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page.text)
    assert referenced, page.text
    for url in referenced:
        assert url.startswith("/"), f"{url} is not same-origin"
        asset = await ui.get(url)
        assert asset.status_code == 200, url
    kinds = {(await ui.get(url)).headers["content-type"].split(";")[0] for url in referenced}
    assert {"text/javascript", "text/css", "application/json"} <= kinds
    assert "cdn" not in page.text.lower()


def test_the_default_ui_folder_is_the_repository_build() -> None:
    from mv_devstack.config import REPO_ROOT

    assert Settings().ui_dist_dir == REPO_ROOT / "web" / "dist"
