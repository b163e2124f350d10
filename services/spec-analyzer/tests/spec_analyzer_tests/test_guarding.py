"""The operator's networks: refused addresses never see a request; allow and deny lists decide."""

from __future__ import annotations

import ipaddress

import pytest

from mv_contracts.spec import FailureKind, SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.errors import AnalysisError
from mv_spec_analyzer.guarding import AddressPolicy

from .conftest import make_settings
from .servers import LocalServer

DOCUMENT = '{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}'


@pytest.mark.parametrize(
    ("address", "permitted"),
    [
        ("169.254.169.254", False),
        ("169.254.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("100.100.100.200", False),
        ("0.0.0.0", False),
        # IPv6 forms that carry 169.254.169.254: NAT64, 6to4, IPv4-compatible, Teredo
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:a9fe:a9fe::1", False),
        ("::a9fe:a9fe", False),
        ("2001:0:4136:e378:8000:63bf:5601:5601", False),
        ("127.0.0.1", True),
        ("::1", True),
        ("10.43.0.10", True),
        ("192.168.1.5", True),
        ("93.184.216.34", True),
    ],
)
def test_default_policy(address: str, permitted: bool) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address)) is permitted


def test_most_specific_network_wins() -> None:
    policy = AddressPolicy.from_lists(
        allow=["10.43.0.0/16", "169.254.10.10/32"], deny=["10.0.0.0/8", "169.254.0.0/16"]
    )
    assert not policy.permits(ipaddress.ip_address("10.1.2.3"))
    assert policy.permits(ipaddress.ip_address("10.43.2.3"))
    assert policy.permits(ipaddress.ip_address("169.254.10.10"))
    assert not policy.permits(ipaddress.ip_address("169.254.10.11"))


async def test_metadata_address_is_refused_without_a_request() -> None:
    analyzer = Analyzer(make_settings())
    with pytest.raises(AnalysisError) as caught:
        await analyzer.analyse(SpecSource(url="http://169.254.169.254/latest/meta-data/"))
    assert caught.value.kind == FailureKind.UNREACHABLE
    assert "could not fetch the document at http://169.254.169.254/" in caught.value.reason


async def test_denied_network_sees_no_request(server: LocalServer) -> None:
    server.add("/openapi.json", DOCUMENT)
    analyzer = Analyzer(make_settings(spec_fetch_deny_networks=["127.0.0.0/8"]))
    with pytest.raises(AnalysisError) as caught:
        await analyzer.analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert caught.value.kind == FailureKind.UNREACHABLE
    assert server.requests == []
    allowed = Analyzer(
        make_settings(
            spec_fetch_deny_networks=["127.0.0.0/8"], spec_fetch_allow_networks=["127.0.0.1/32"]
        )
    )
    assert (await allowed.analyse(SpecSource(url=f"{server.url}/openapi.json"))).spec.title == "t"


async def test_host_name_is_resolved_and_checked(server: LocalServer) -> None:
    server.add("/openapi.json", DOCUMENT)
    denied = Analyzer(make_settings(spec_fetch_deny_networks=["127.0.0.0/8", "::1/128"]))
    with pytest.raises(AnalysisError, match="could not fetch the document at http://localhost"):
        await denied.analyse(SpecSource(url=f"http://localhost:{server.port}/openapi.json"))
    assert server.requests == []


async def test_redirect_to_a_refused_address_is_not_followed(server: LocalServer) -> None:
    server.add("/openapi.json", status=302, headers={"Location": "http://169.254.169.254/x"})
    with pytest.raises(AnalysisError) as caught:
        await Analyzer(make_settings()).analyse(SpecSource(url=f"{server.url}/openapi.json"))
    assert caught.value.kind == FailureKind.UNREACHABLE
    assert server.requests == ["/openapi.json"]
