"""The fetch policy at every hop (the document, each ``$ref``, each redirect of either): the
platform's own services are never fetched, non-public addresses only when the allowed targets
say so, and whatever gave no HTTP answer fails with one reason."""

from __future__ import annotations

import ipaddress
import json
import socket

import httpx
import pytest
from structlog.testing import capture_logs

from mv_contracts.spec import FailureKind, SpecAnalysedEvent, SpecAnalysisRequest, SpecSource
from mv_contracts.targets import DEFAULT_ALLOWED, AllowList
from mv_devstack.config import StackConfig
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.errors import AnalysisError, Unfetchable
from mv_spec_analyzer.fetching import unfetchable
from mv_spec_analyzer.guarding import AddressPolicy
from mv_spec_analyzer.handlers import outcome
from mv_spec_analyzer.policy import FetchPolicy, Platform
from mv_spec_analyzer.refs import looks_like_schema

from .conftest import make_settings
from .servers import LocalServer, RawServer

DOCUMENT = '{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}'


def with_ref(ref: str) -> str:
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "orders", "version": "1"},
            "paths": {"/orders": {"post": {"requestBody": body, "responses": {}}}},
        }
    )


def stack_analyzer(stack: StackConfig, **overrides: object) -> Analyzer:
    """An analyzer configured as the local stack configures it (mv_devstack's environment)."""
    environment = {k.lower(): v for k, v in stack.service_environment().items()}
    environment["spec_fetch_platform_services"] = json.loads(
        environment["spec_fetch_platform_services"]
    )
    environment.pop("log_level")
    return Analyzer(make_settings(**environment, **overrides))


@pytest.mark.parametrize(
    "internal",
    ["/varz", "/connz"],  # NATS monitoring: server and connection details
)
async def test_a_ref_redirected_to_the_nats_monitor_is_not_inlined(
    stack: StackConfig, server: LocalServer, internal: str
) -> None:
    monitor = f"http://{stack.host}:{stack.nats_monitor_port}{internal}"
    async with httpx.AsyncClient() as client:  # it does answer, to anyone asking
        assert (await client.get(monitor)).status_code == 200
    server.add("/openapi.json", with_ref("order.json"))
    server.add("/order.json", status=302, headers={"Location": monitor})
    analysis = await stack_analyzer(stack).analyse(SpecSource(url=f"{server.url}/openapi.json"))
    body = analysis.spec.endpoints[0].request_body
    assert body is not None
    assert body.schema_ == {"$ref": "order.json"}
    assert "server_id" not in analysis.spec.model_dump_json()
    assert analysis.warnings[0].ref == "order.json"

    # The document itself, redirected there: the policy refuses the hop, before connecting.
    server.add("/openapi.json", status=307, headers={"Location": monitor})
    with pytest.raises(AnalysisError) as caught:
        await stack_analyzer(stack).analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert caught.value.reason == unfetchable(f"{server.url}/openapi.json")


async def test_a_ref_redirected_to_influxdb_is_not_inlined(
    stack: StackConfig, server: LocalServer
) -> None:
    query = f"http://{stack.host}:{stack.influxdb_port}/query?db=k6&q=SHOW+MEASUREMENTS"
    async with httpx.AsyncClient() as client:  # it does answer, to anyone asking
        assert (await client.get(query)).json()["results"]
    server.add("/openapi.json", with_ref("order.json"))
    server.add("/order.json", status=302, headers={"Location": query})
    analysis = await stack_analyzer(stack).analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert "results" not in analysis.spec.model_dump_json()
    assert analysis.warnings


async def test_platform_ports_are_refused_though_loopback_is_allowed(server: LocalServer) -> None:
    server.add("/openapi.json", DOCUMENT)
    url = f"{server.url}/openapi.json"
    assert "127.0.0.0/8" in DEFAULT_ALLOWED  # the local demo: loopback is allowed by default
    assert (await Analyzer(make_settings()).analyse(SpecSource(url=url))).spec.title == "t"
    own = Analyzer(make_settings(spec_fetch_platform_services=[f"127.0.0.1:{server.port}"]))
    other_loopback = url.replace("127.0.0.1", "127.0.0.2")
    for address in (url, url.replace("127.0.0.1", "localhost"), other_loopback):
        with pytest.raises(AnalysisError) as caught:
            await own.analyse(SpecSource(url=address))
        assert caught.value.reason == unfetchable(address)
    assert server.requests == ["/openapi.json"]  # the first analysis only


async def test_non_public_addresses_need_the_allowed_targets(server: LocalServer) -> None:
    server.add("/openapi.json", DOCUMENT)
    url = f"{server.url}/openapi.json"

    def request(allowed: list[str] | None) -> SpecAnalysisRequest:
        source = SpecSource(url=url)
        return SpecAnalysisRequest(
            analysis_id="a", project_id=1, source=source, allowed_targets=allowed
        )

    analyzer = Analyzer(make_settings())
    refused = await outcome(analyzer, request(["*.svc.cluster.local", "10.0.0.0/8"]))
    assert refused.type == "spec.analysis.failed"
    assert server.requests == []
    assert isinstance(await outcome(analyzer, request(["127.0.0.1/32"])), SpecAnalysedEvent)
    by_name = await outcome(analyzer, request(["localhost", "127.0.0.1"]))
    assert isinstance(by_name, SpecAnalysedEvent)
    assert isinstance(await outcome(analyzer, request(None)), SpecAnalysedEvent)  # the settings'
    strict = Analyzer(make_settings(spec_fetch_allowed_targets=["*.svc"]))
    assert (await outcome(strict, request(None))).type == "spec.analysis.failed"
    assert len(server.requests) == 3


def policy(targets: list[str], platform: tuple[tuple[str, int], ...] = ()) -> FetchPolicy:
    return FetchPolicy(AddressPolicy(), AllowList.parse(targets), Platform(platform))


@pytest.mark.parametrize(
    ("host", "port", "targets", "allowed"),
    [
        ("93.184.216.34", 80, [], True),  # public: no allowance needed
        ("10.1.2.3", 80, list(DEFAULT_ALLOWED), False),  # private
        ("10.1.2.3", 80, ["10.0.0.0/8"], True),
        ("172.16.0.1", 80, ["*.svc"], False),
        ("100.64.0.1", 80, [], False),  # shared address space (carrier-grade NAT)
        ("127.0.0.1", 8080, [], False),
        ("127.0.0.1", 8080, ["127.0.0.0/8"], True),
        ("::1", 8080, ["::1/128"], True),
        ("fd00::1", 80, [], False),  # unique local
        ("169.254.169.254", 80, ["169.254.0.0/16"], False),  # the deny list wins
        ("127.0.0.1", 4222, ["127.0.0.0/8"], False),  # the platform's own NATS
        ("127.0.0.9", 8222, ["127.0.0.0/8"], False),  # any loopback address reaches it
        ("::1", 8222, ["::1/128"], False),
        ("::ffff:127.0.0.1", 8222, ["0.0.0.0/0", "::/0"], False),
        ("64:ff9b::7f00:1", 8222, ["0.0.0.0/0", "::/0"], False),  # NAT64 of 127.0.0.1
        ("10.43.0.5", 8086, ["10.0.0.0/8"], False),  # InfluxDB at its cluster address
        ("10.43.0.6", 8086, ["10.0.0.0/8"], True),  # another host on that port
    ],
)
async def test_policy(host: str, port: int, targets: list[str], allowed: bool) -> None:
    judge = policy(targets, (("127.0.0.1", 4222), ("127.0.0.1", 8222), ("10.43.0.5", 8086)))
    address = ipaddress.ip_address(host)
    if allowed:
        await judge.check("http", host, port, [address])
    else:
        with pytest.raises(Unfetchable):
            await judge.check("http", host, port, [address])


async def test_only_http_and_https() -> None:
    with pytest.raises(Unfetchable):
        await policy(["0.0.0.0/0"]).check("ftp", "h", 21, [ipaddress.ip_address("8.8.8.8")])


async def test_one_reason_whatever_listens_or_not(server: LocalServer) -> None:
    """A closed port, a service that is not HTTP, one that never answers, an address that is
    refused, a platform port and a name that does not resolve all read the same."""
    with LocalServer() as gone:
        closed = gone.url
    server.add("/openapi.json", DOCUMENT)
    with RawServer(b"SSH-2.0-OpenSSH_9.2\r\n") as ssh, RawServer() as silent:
        analyzer = Analyzer(
            make_settings(
                spec_fetch_timeout=0.5, spec_fetch_platform_services=[f"127.0.0.1:{server.port}"]
            )
        )
        urls = [
            f"{closed}/openapi.json",
            f"{ssh.url}/openapi.json",
            f"{silent.url}/openapi.json",
            "http://169.254.169.254/openapi.json",
            f"{server.url}/openapi.json",
            "http://no-such-host.invalid/openapi.json",
        ]
        with capture_logs() as logs:
            for url in urls:
                with pytest.raises(AnalysisError) as caught:
                    await analyzer.analyse(SpecSource(url=url))
                assert caught.value.kind == FailureKind.UNREACHABLE
                assert caught.value.reason == unfetchable(url)
    assert server.requests == []
    details = [line["detail"] for line in logs if line["event"] == "fetch failed"]
    assert len(set(details)) == len(urls), details  # the log keeps what happened


async def test_a_ref_that_is_not_a_schema_is_not_inlined(
    server: LocalServer, analyzer: Analyzer
) -> None:
    answer = {"results": [{"series": [{"name": "mv_failures", "values": [["secret"]]}]}]}
    server.add("/openapi.json", with_ref("status.json"))
    server.add("/status.json", json.dumps(answer))
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert "secret" not in analysis.spec.model_dump_json()
    assert {w.ref for w in analysis.warnings} == {"status.json"}  # at the ref, and its endpoint
    assert "not a schema or OpenAPI fragment" in analysis.warnings[0].message

    # A schema, or a components file with a pointer into it, is still inlined.
    order = {"type": "object", "properties": {"id": {"type": "integer"}}}
    server.add("/openapi.json", with_ref("parts.yaml#/components/schemas/Order"))
    server.add("/parts.yaml", json.dumps({"components": {"schemas": {"Order": order}}}))
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/openapi.json"))
    body = analysis.spec.endpoints[0].request_body
    assert body is not None
    assert body.schema_ == order
    assert analysis.warnings == []


async def test_a_ref_redirected_to_another_origin_is_not_followed(
    server: LocalServer, analyzer: Analyzer
) -> None:
    with LocalServer() as other:
        other.add("/order.json", '{"type": "object", "properties": {"leak": {"type": "string"}}}')
        server.add("/openapi.json", with_ref("order.json"))
        server.add("/order.json", status=302, headers={"Location": f"{other.url}/order.json"})
        analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert other.requests == []  # not even asked
    assert "leak" not in analysis.spec.model_dump_json()
    assert "redirects to another origin, not followed" in analysis.warnings[0].message


@pytest.mark.parametrize(
    ("part", "schema"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, True),
        ({"Pet": {"type": "object"}, "Error": {"$ref": "#/Pet"}}, True),
        ({"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}}, True),
        ({"components": {"schemas": {}}, "x-internal": True}, True),
        ({"server_id": "NABC", "version": "2.10", "port": 4222, "host": "0.0.0.0"}, False),
        ({"results": [{"statement_id": 0, "series": []}]}, False),
        ({"status": "ok"}, False),
        ([{"type": "object"}], False),
        ("text", False),
        ({}, False),
    ],
)
def test_what_looks_like_a_schema(part: object, schema: bool) -> None:
    assert looks_like_schema(part) is schema


async def test_a_local_platform_port_is_refused_on_the_machines_own_address() -> None:
    """NATS on 127.0.0.1 may also listen on the machine's address: that is refused too."""
    try:
        own = ipaddress.ip_address(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pytest.skip("this machine's name does not resolve")
    judge = policy(["0.0.0.0/0", "::/0"], (("127.0.0.1", 8222),))
    with pytest.raises(Unfetchable):
        await judge.check("http", str(own), 8222, [own])
    await judge.check("http", str(own), 8080, [own])
