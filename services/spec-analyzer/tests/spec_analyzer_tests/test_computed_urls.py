"""Swagger UI pages that compute their document's URL from their own location."""

from __future__ import annotations

import json

import pytest

from mv_contracts.spec import SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.evaluating import Evaluator

from .servers import LocalServer

DOCUMENT = json.dumps(
    {
        "openapi": "3.0.2",
        "info": {"title": "Swagger Petstore - OpenAPI 3.0", "version": "1.0.19"},
        "servers": [{"url": "/api/v3"}],
        "paths": {"/pet/{petId}": {"get": {"tags": ["pet"], "operationId": "getPetById"}}},
    }
)


def petstore_page(script: str) -> str:
    """A page shaped like swagger-petstore's index.html: the bundle, then an inline call."""
    return f"""<!DOCTYPE html><html><head><title>Swagger UI</title>
<link rel="stylesheet" type="text/css" href="./swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"> </script>
<script src="./swagger-ui-standalone-preset.js"> </script>
<script>
  window.onload = function() {{
{script}
  }}
</script></body></html>"""


BUNDLE = """    const ui = SwaggerUIBundle({{
      oauth2RedirectUrl: window.location.protocol + '//' + window.location.host + '/o2c.html',
      url: {url},
      dom_id: '#swagger-ui',
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    }})
    window.ui = ui"""

FORMS = {
    # swagger-petstore's index.html, as served at petstore3.swagger.io
    "variable": 'apiUrl = window.location.protocol + "//" + window.location.host'
    ' + "/api/v3/openapi.json";\n' + BUNDLE.format(url="apiUrl"),
    "protocol-host": BUNDLE.format(
        url='window.location.protocol + "//" + window.location.host + "/api/v3/openapi.json"'
    ),
    "origin": BUNDLE.format(url="window.location.origin + '/api/v3/openapi.json'"),
    "template": BUNDLE.format(url="`${window.location.origin}/api/v3/openapi.json`"),
    "const-location": "const base = `${location.protocol}//${location.host}`;\n"
    + BUNDLE.format(url='base + "/api/v3/" + "openapi.json"'),
}


@pytest.mark.parametrize("form", sorted(FORMS))
async def test_a_url_computed_from_the_page_origin_is_followed(
    server: LocalServer, analyzer: Analyzer, form: str
) -> None:
    server.add("/index.html", petstore_page(FORMS[form]), content_type="text/html")
    server.add("/api/v3/openapi.json", DOCUMENT)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/index.html"))
    assert analysis.strategy == "swagger-ui"
    assert analysis.spec.source_url == f"{server.url}/api/v3/openapi.json"
    assert analysis.spec.base_url == f"{server.url}/api/v3"
    assert [e.key for e in analysis.spec.endpoints] == ["GET /pet/{petId}"]
    # Found from the page itself: no probing of well-known paths was needed.
    assert server.requests == ["/index.html", "/api/v3/openapi.json"]


async def test_a_relative_url_resolves_against_the_page_not_the_origin(
    server: LocalServer, analyzer: Analyzer
) -> None:
    server.add(
        "/docs/swagger/index.html",
        petstore_page(BUNDLE.format(url='"./openapi.json"')),
        content_type="text/html",
    )
    server.add("/docs/swagger/openapi.json", DOCUMENT)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/docs/swagger/index.html"))
    assert analysis.spec.source_url == f"{server.url}/docs/swagger/openapi.json"


async def test_a_computed_url_in_the_initializer_script_uses_the_page_location(
    server: LocalServer, analyzer: Analyzer
) -> None:
    server.add(
        "/ui/index.html",
        '<html><div id="swagger-ui"></div><script src="./swagger-initializer.js"></script></html>',
        content_type="text/html",
    )
    server.add(
        "/ui/swagger-initializer.js",
        "window.onload = () => { window.ui = SwaggerUIBundle({\n"
        "  url: `${window.location.origin}/specs/v1.json`, dom_id: '#swagger-ui' }) }",
        content_type="application/javascript",
    )
    server.add("/specs/v1.json", DOCUMENT)
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/ui/index.html?x=1"))
    assert analysis.spec.source_url == f"{server.url}/specs/v1.json"


def test_only_known_forms_are_evaluated() -> None:
    page = "https://docs.example.com:8443/api/index.html?v=2#top"
    evaluator = Evaluator("spec = getSpec(); loop = loop + '/x'; a = b; b = a;", page)
    assert evaluator.url("location.href") == page
    assert evaluator.url("document.location.pathname + '.json'") == (
        "https://docs.example.com:8443/api/index.html.json"
    )
    assert evaluator.url("'//' + window.location.hostname + ':' + location.port + '/x'") == (
        "https://docs.example.com:8443/x"
    )
    assert evaluator.url("spec") is None  # a call: not evaluated
    assert evaluator.url("loop") is None  # a variable defined by itself
    assert evaluator.url("a") is None  # a cycle
    assert evaluator.url("`${window.location.origin}${unknown}/x`") is None
    assert evaluator.url("window.location.origin + unknown") is None
    assert evaluator.url('"/a\\/b.json"') == "https://docs.example.com:8443/a/b.json"
