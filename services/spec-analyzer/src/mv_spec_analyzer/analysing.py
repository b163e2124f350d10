"""One analysis: locate and fetch the document, fetch its same-origin parts, normalise it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import structlog

from mv_contracts.spec import AnalysedSpec, FailureKind, SpecSource

from .errors import AnalysisError
from .fetching import Fetcher, FetchLimits
from .guarding import AddressPolicy
from .isolation import isolated
from .normalise import Normaliser, openapi_version
from .parsing import parse_document
from .refs import Resolver, external_refs, split_ref
from .settings import Settings
from .strategies import Locator, StrategyFactory

log = structlog.get_logger()
T = TypeVar("T")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def normalise(data: Any, source_url: str | None, documents: dict[str, Any]) -> AnalysedSpec:
    """Data to spec: the CPU-bound part, run in the worker process."""
    openapi_version(data)
    resolver = Resolver(data, source_url or "", documents)
    return Normaliser(data, resolver, source_url).spec()


def parse(data: bytes | str, max_bytes: int) -> Any:
    """Bytes to data, in the worker process."""
    return parse_document(data, max_bytes=max_bytes)


def parse_and_normalise(data: bytes | str, max_bytes: int) -> AnalysedSpec:
    """An upload, from text to spec in one trip to the worker process."""
    return normalise(parse_document(data, max_bytes=max_bytes), None, {})


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
                    spec = await self._isolated(
                        parse_and_normalise,
                        source.document,
                        self.settings.spec_max_bytes,
                        what="analysing the document",
                    )
                    return Analysis(spec, "upload")
                return await self._from_url(str(source.url))
        except TimeoutError as error:
            raise AnalysisError(
                FailureKind.TIMEOUT,
                f"the analysis took longer than {self.settings.spec_analysis_timeout:g} s",
            ) from error

    async def _isolated(self, function: Callable[..., T], *args: Any, what: str) -> T:
        return await isolated(
            function,
            *args,
            seconds=self.settings.spec_parse_timeout,
            memory_mb=self.settings.spec_parse_memory_mb,
            what=what,
        )

    async def parse(self, body: bytes) -> Any:
        max_bytes = self.settings.spec_max_bytes
        return await self._isolated(parse, body, max_bytes, what="parsing the document")

    async def _from_url(self, url: str) -> Analysis:
        fetcher = Fetcher(self.policy, self.limits)
        try:
            locator = Locator(fetcher, self.parse)
            located = await self.factory.locate(url, locator)
            documents = await self._external(located.url, located.data, fetcher)
        finally:
            await fetcher.aclose()
        log.info("document located", url=url, document=located.url, strategy=located.strategy)
        spec = await self._isolated(
            normalise, located.data, located.url, documents, what="analysing the document"
        )
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
                part = await self.parse(fetched.body)
                documents[uri] = part
                pending.append((part, uri))
        return {k: v for k, v in documents.items() if v is not None}
