"""Bad input ends in a clear AnalysisError of the right kind, never a crash."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest

from mv_contracts.spec import FailureKind, SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.errors import AnalysisError
from mv_spec_analyzer.parsing import parse_document

from .conftest import make_settings
from .servers import LocalServer

PETSTORE = (
    '{"openapi": "3.0.0", "info": {"title": "p", "version": "1"}, "paths": {"/p": {"get": {}}}}'
)
ALIAS_BOMB = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
openapi: 3.0.0
"""


async def failure(analyzer: Analyzer, source: SpecSource) -> AnalysisError:
    with pytest.raises(AnalysisError) as caught:
        await analyzer.analyse(source)
    return caught.value


@pytest.mark.parametrize(
    ("document", "kind", "words"),
    [
        ('{"openapi": "3.0.0", "info": ', FailureKind.MALFORMED, "malformed JSON at line 1"),
        ("openapi: 3.0.0\ninfo: [unclosed\n", FailureKind.MALFORMED, "malformed YAML at line"),
        ("key: value\n\tbad: tab", FailureKind.MALFORMED, "malformed YAML"),
        (ALIAS_BOMB, FailureKind.MALFORMED, "alias bomb"),
        ("[" * 100_000 + "]" * 100_000, FailureKind.MALFORMED, "nested too deeply"),
        ('{"hello": "world"}', FailureKind.NOT_OPENAPI, "neither an 'openapi' nor a 'swagger'"),
        ("- just\n- a list\n", FailureKind.NOT_OPENAPI, "not a mapping"),
        ('{"swagger": "1.2"}', FailureKind.NOT_OPENAPI, "unsupported OpenAPI version"),
        ('{"openapi": "3.0.0", "paths": []}', FailureKind.NOT_OPENAPI, "'paths' is not"),
        ("   ", FailureKind.MALFORMED, "empty"),
    ],
)
async def test_bad_uploaded_documents(
    analyzer: Analyzer, document: str, kind: FailureKind, words: str
) -> None:
    error = await failure(analyzer, SpecSource(document=document))
    assert error.kind == kind
    assert words in error.reason


def test_alias_bomb_is_refused_before_expansion_but_small_aliases_are_fine() -> None:
    with pytest.raises(AnalysisError, match="alias bomb"):
        parse_document(ALIAS_BOMB, max_bytes=10_000, max_nodes=100_000)
    shared = "x: &x {type: string}\ny: *x\nopenapi: 3.0.0\n"
    assert parse_document(shared, max_bytes=1000) == {
        "x": {"type": "string"},
        "y": {"type": "string"},
        "openapi": "3.0.0",
    }


async def test_uploaded_document_over_the_size_limit() -> None:
    analyzer = Analyzer(make_settings(spec_max_bytes=1000))
    error = await failure(analyzer, SpecSource(document=PETSTORE + " " * 1000))
    assert error.kind == FailureKind.TOO_LARGE
    assert "limit of 1000" in error.reason


async def test_fetched_document_over_the_size_limit_stops_streaming(server: LocalServer) -> None:
    sent = []

    def endless() -> Iterator[bytes]:
        for _ in range(10_000):
            sent.append(1)
            yield b" " * 65536

    server.add("/big.json", b"")
    server.routes["/big.json"].body = endless
    analyzer = Analyzer(make_settings(spec_max_bytes=1_000_000))
    error = await failure(analyzer, SpecSource(url=f"{server.url}/big.json"))
    assert error.kind == FailureKind.TOO_LARGE
    assert len(sent) < 1000  # the reader stopped long before the server's 650 MB


async def test_declared_content_length_over_the_limit(server: LocalServer) -> None:
    server.add("/big.json", PETSTORE + " " * 5000)
    analyzer = Analyzer(make_settings(spec_max_bytes=1000))
    error = await failure(analyzer, SpecSource(url=f"{server.url}/big.json"))
    assert error.kind == FailureKind.TOO_LARGE


async def test_malformed_document_at_a_url(server: LocalServer, analyzer: Analyzer) -> None:
    server.add("/openapi.json", '{"openapi": "3.0.0",,}')
    error = await failure(analyzer, SpecSource(url=f"{server.url}/openapi.json"))
    assert error.kind == FailureKind.MALFORMED
    assert "malformed JSON" in error.reason


async def test_json_that_is_not_openapi_at_a_url(server: LocalServer, analyzer: Analyzer) -> None:
    server.add("/status", '{"status": "ok"}')
    error = await failure(analyzer, SpecSource(url=f"{server.url}/status"))
    assert error.kind == FailureKind.NOT_OPENAPI
    assert "/status" in error.reason


async def test_nothing_found_behind_a_base_url(server: LocalServer, analyzer: Analyzer) -> None:
    server.add("/", "<html><body>hello</body></html>", content_type="text/html")
    error = await failure(analyzer, SpecSource(url=f"{server.url}/"))
    assert error.kind == FailureKind.NOT_FOUND
    assert "no OpenAPI document found" in error.reason
    assert f"{server.url}/openapi.json" not in error.reason
    assert "/openapi.json" in server.requests
    assert "/v3/api-docs" in server.requests


async def test_redirect_loop(server: LocalServer, analyzer: Analyzer) -> None:
    server.add("/a", status=302, headers={"Location": "/b"})
    server.add("/b", status=302, headers={"Location": "/a"})
    error = await failure(analyzer, SpecSource(url=f"{server.url}/a"))
    assert error.kind == FailureKind.REDIRECT_LOOP
    assert "redirect loop" in error.reason


async def test_too_many_redirects(server: LocalServer) -> None:
    for hop in range(5):
        server.add(f"/r{hop}", status=307, headers={"Location": f"/r{hop + 1}"})
    server.add("/r5", PETSTORE)
    analyzer = Analyzer(make_settings(spec_fetch_max_redirects=3))
    error = await failure(analyzer, SpecSource(url=f"{server.url}/r0"))
    assert error.kind == FailureKind.REDIRECT_LOOP
    assert "more than 3 redirects" in error.reason
    followed = await Analyzer(make_settings()).analyse(SpecSource(url=f"{server.url}/r0"))
    assert [e.path for e in followed.spec.endpoints] == ["/p"]


async def test_parsing_that_takes_too_long_is_stopped_and_the_next_one_works() -> None:
    # About 2 MB of YAML: seconds of parsing, far over the 0.2 s allowed here.
    rows = "".join(
        f"  /p{n}:\n    get: {{summary: row {n}, tags: [t{n % 7}]}}\n" for n in range(40_000)
    )
    document = "openapi: 3.0.0\ninfo: {title: slow, version: '1'}\npaths:\n" + rows
    impatient = Analyzer(make_settings(spec_parse_timeout=0.2))
    error = await failure(impatient, SpecSource(document=document))
    assert error.kind == FailureKind.TIMEOUT
    assert "took longer than 0.2 s and was stopped" in error.reason
    analysis = await Analyzer(make_settings()).analyse(SpecSource(document=PETSTORE))
    assert [e.path for e in analysis.spec.endpoints] == ["/p"]


def test_analysis_errors_cross_process_boundaries() -> None:
    error = AnalysisError(FailureKind.MALFORMED, "bad")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.kind, copy.reason) == (FailureKind.MALFORMED, "bad")


async def test_parsing_that_needs_too_much_memory_fails_alone() -> None:
    # Under the 20 MB size limit, but about 300 MB as Python objects.
    items = ",".join(f'{{"a": {n}, "b": [1, 2, 3]}}' for n in range(700_000))
    head = '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "x-big": ['
    document = head + items + "]}"
    analyzer = Analyzer(make_settings(spec_parse_memory_mb=250))
    error = await failure(analyzer, SpecSource(document=document))
    assert error.kind == FailureKind.TOO_LARGE
    assert "memory limit of 250 MB" in error.reason
    analysis = await analyzer.analyse(SpecSource(document=PETSTORE))
    assert analysis.spec.title == "p"
