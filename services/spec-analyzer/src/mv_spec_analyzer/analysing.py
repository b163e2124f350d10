"""One analysis: locate and fetch the document, fetch its same-origin parts, normalise it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog

from mv_contracts.spec import AnalysedSpec, FailureKind, SpecSource

from .errors import AnalysisError
from .fetching import Fetcher, FetchLimits
from .guarding import AddressPolicy
from .normalise import Normaliser, openapi_version
from .parsing import parse_document
from .refs import Resolver, external_refs, split_ref
from .settings import Settings
from .strategies import Locator, StrategyFactory

log = structlog.get_logger()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def normalise(data: Any, source_url: str | None, documents: dict[str, Any]) -> AnalysedSpec:
    """The CPU-bound part, run in a worker thread."""
    openapi_version(data)
    resolver = Resolver(data, source_url or "", documents)
    return Normaliser(data, resolver, source_url).spec()


@dataclass(frozen=True)
class Analysis:
    spec: AnalysedSpec
    strategy: str


class Analyzer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = AddressPolicy.from_lists(
            settings.spec_fetch_allow_networks, settings.spec_fetch_deny_networks
        )
        self.limits = FetchLimits(
            max_bytes=settings.spec_max_bytes,
            timeout=settings.spec_fetch_timeout,
            max_redirects=settings.spec_fetch_max_redirects,
        )
        self.factory = StrategyFactory()

    async def analyse(self, source: SpecSource) -> Analysis:
        try:
            async with asyncio.timeout(self.settings.spec_analysis_timeout):
                if source.document is not None:
                    data = await asyncio.to_thread(
                        parse_document, source.document, max_bytes=self.settings.spec_max_bytes
                    )
                    spec = await asyncio.to_thread(normalise, data, None, {})
                    return Analysis(spec, "upload")
                return await self._from_url(str(source.url))
        except TimeoutError as error:
            raise AnalysisError(
                FailureKind.TIMEOUT,
                f"the analysis took longer than {self.settings.spec_analysis_timeout:g} s",
            ) from error

    async def _from_url(self, url: str) -> Analysis:
        fetcher = Fetcher(self.policy, self.limits)
        try:
            locator = Locator(fetcher, self.settings.spec_max_bytes)
            located = await self.factory.locate(url, locator)
            documents = await self._external(located.url, located.data, fetcher)
        finally:
            await fetcher.aclose()
        log.info("document located", url=url, document=located.url, strategy=located.strategy)
        spec = await asyncio.to_thread(normalise, located.data, located.url, documents)
        return Analysis(spec, located.strategy)

    async def _external(self, url: str, data: Any, fetcher: Fetcher) -> dict[str, Any]:
        """Documents named by external ``$ref``s on the same origin, within the limits."""
        documents: dict[str, Any] = {}
        pending = [(data, url)]
        total = 0
        while pending:
            node, base = pending.pop()
            for ref in external_refs(node):
                uri, _ = split_ref(ref, base)
                if uri in documents or uri == url:
                    continue
                if _origin(uri) != _origin(url):
                    log.warning("external $ref to another origin left unresolved", ref=uri)
                    documents[uri] = None
                    continue
                if len(documents) >= self.settings.spec_max_external_documents:
                    log.warning("external $ref over the limit left unresolved", ref=uri)
                    documents[uri] = None
                    continue
                fetched = await fetcher.get_ok(uri)
                total += len(fetched.body)
                if total > self.settings.spec_max_bytes:
                    raise AnalysisError(
                        FailureKind.TOO_LARGE,
                        f"the document and its external parts exceed {self.settings.spec_max_bytes}"
                        " bytes",
                    )
                part = await asyncio.to_thread(
                    parse_document, fetched.body, max_bytes=self.settings.spec_max_bytes
                )
                documents[uri] = part
                pending.append((part, uri))
        return {k: v for k, v in documents.items() if v is not None}
