"""One analysis: locate and fetch the document, fetch its same-origin parts, normalise it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from mv_contracts.spec import (
    MAX_ANALYSIS_WARNINGS,
    AnalysedSpec,
    AnalysisWarning,
    FailureKind,
    SpecSource,
)
from mv_contracts.targets import AllowList

from .credentials import origin, redact, redact_optional
from .errors import AnalysisError
from .fetching import Fetcher, FetchLimits
from .guarding import AddressPolicy
from .isolation import isolated
from .normalise import Normaliser, openapi_version
from .parsing import parse_document
from .policy import FetchPolicy, Platform
from .refs import Resolver, external_refs, looks_like_schema, split_ref, where
from .settings import Settings
from .strategies import Locator, StrategyFactory

log = structlog.get_logger()
T = TypeVar("T")
MAX_WARNING_CHARS = 1000


Normalised = tuple[AnalysedSpec, list[AnalysisWarning]]


def normalise(data: Any, source_url: str | None, documents: dict[str, Any]) -> Normalised:
    """Data to spec and the warnings met on the way: the CPU-bound part, in the worker process."""
    openapi_version(data)
    resolver = Resolver(data, source_url or "", documents)
    normaliser = Normaliser(data, resolver, source_url)
    return normaliser.spec(), normaliser.warnings


def parse(data: bytes | str, max_bytes: int) -> Any:
    """Bytes to data, in the worker process."""
    return parse_document(data, max_bytes=max_bytes)


def parse_and_normalise(data: bytes | str, max_bytes: int) -> Normalised:
    """An upload, from text to spec in one trip to the worker process."""
    return normalise(parse_document(data, max_bytes=max_bytes), None, {})


@dataclass(frozen=True)
class Analysis:
    spec: AnalysedSpec
    strategy: str
    warnings: list[AnalysisWarning] = field(default_factory=list)


def published(spec: AnalysedSpec, warnings: list[AnalysisWarning], strategy: str) -> Analysis:
    """What is published: URLs without their passwords, at most MAX_ANALYSIS_WARNINGS warnings."""
    spec = spec.model_copy(
        update={
            "source_url": redact_optional(spec.source_url),
            "base_url": redact_optional(spec.base_url),
        }
    )
    kept = warnings[:MAX_ANALYSIS_WARNINGS]
    if len(warnings) > MAX_ANALYSIS_WARNINGS:
        more = len(warnings) - MAX_ANALYSIS_WARNINGS + 1
        kept[-1] = AnalysisWarning(message=f"{more} more warnings left out")
    hidden = [
        AnalysisWarning(
            message=redact(w.message)[:MAX_WARNING_CHARS],
            ref=redact_optional(w.ref),
            endpoint=w.endpoint,
        )
        for w in kept
    ]
    return Analysis(spec, strategy, hidden)


class Analyzer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.networks = AddressPolicy.from_lists(
            settings.spec_fetch_allow_networks, settings.spec_fetch_deny_networks
        )
        self.platform = settings.platform_services()
        self.limits = FetchLimits(
            max_bytes=settings.spec_max_bytes,
            timeout=settings.spec_fetch_timeout,
            max_redirects=settings.spec_fetch_max_redirects,
        )
        self.factory = StrategyFactory()

    def policy(self, allowed_targets: list[str] | None) -> FetchPolicy:
        """The fetch policy of one analysis: the allow-list it came with, else the settings'."""
        entries = self.settings.spec_fetch_allowed_targets
        if allowed_targets is not None:
            entries = allowed_targets
        try:
            targets = AllowList.parse(entries)
        except ValueError as error:
            raise AnalysisError(FailureKind.INTERNAL, f"allowed targets: {error}") from error
        return FetchPolicy(self.networks, targets, Platform(self.platform))

    async def analyse(
        self, source: SpecSource, allowed_targets: list[str] | None = None
    ) -> Analysis:
        try:
            async with asyncio.timeout(self.settings.spec_analysis_timeout):
                if source.document is not None:
                    spec, warnings = await self._isolated(
                        parse_and_normalise,
                        source.document,
                        self.settings.spec_max_bytes,
                        what="analysing the document",
                    )
                    return published(spec, warnings, "upload")
                return await self._from_url(str(source.url), self.policy(allowed_targets))
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

    async def _from_url(self, url: str, policy: FetchPolicy) -> Analysis:
        fetcher = Fetcher(policy, self.limits)
        try:
            locator = Locator(fetcher, self.parse)
            located = await self.factory.locate(url, locator)
            documents, warnings = await self._external(located.url, located.data, fetcher)
        finally:
            await fetcher.aclose()
        log.info(
            "document located",
            url=redact(url),
            document=redact(located.url),
            strategy=located.strategy,
        )
        spec, more = await self._isolated(
            normalise, located.data, located.url, documents, what="analysing the document"
        )
        analysis = published(spec, warnings + more, located.strategy)
        if analysis.warnings:
            log.info("analysis warnings", count=len(analysis.warnings), url=redact(url))
        return analysis

    async def _external(
        self, url: str, data: Any, fetcher: Fetcher
    ) -> tuple[dict[str, Any], list[AnalysisWarning]]:
        """Documents named by external ``$ref``s on the same origin, within the limits.

        A document that cannot be had is left out with a warning: no operation may need it
        (it may be a Markdown page inside an ``x-`` extension), and those that do are kept
        with warnings of their own. So is one that redirects to another origin (not followed)
        or is not a schema or OpenAPI fragment: whatever a URL answers is not inlined into a
        spec that every viewer reads.
        """
        documents: dict[str, Any] = {}
        warnings: list[AnalysisWarning] = []
        pending = [(data, url)]
        total = 0

        def leave_out(ref: str, node: Any, base: str, uri: str, reason: str) -> None:
            documents[uri] = None
            # Where it is written: a pointer in the document, or in the part that names it.
            found = where(node, ref) if base == url else f"{base}#{where(node, ref)}"
            message = f"$ref {ref} at {found}: {reason}; left unresolved"
            warnings.append(AnalysisWarning(ref=ref, message=message))
            log.warning("external $ref left unresolved", ref=redact(uri), reason=redact(reason))

        while pending:
            node, base = pending.pop()
            for ref in external_refs(node):
                uri, _ = split_ref(ref, base)
                if uri in documents or uri == url:
                    continue
                if origin(uri) != origin(url):
                    leave_out(ref, node, base, uri, "another origin, not fetched")
                    continue
                if len(documents) >= self.settings.spec_max_external_documents:
                    limit = self.settings.spec_max_external_documents
                    leave_out(ref, node, base, uri, f"over the limit of {limit} external documents")
                    continue
                try:
                    fetched = await fetcher.get_ok(uri, same_origin=True)
                    total += len(fetched.body)
                    if total > self.settings.spec_max_bytes:
                        raise AnalysisError(
                            FailureKind.TOO_LARGE,
                            "the document and its external parts exceed "
                            f"{self.settings.spec_max_bytes} bytes",
                        )
                    part = await self.parse(fetched.body)
                except AnalysisError as error:
                    if error.kind == FailureKind.TOO_LARGE and total > self.settings.spec_max_bytes:
                        raise
                    leave_out(ref, node, base, uri, error.reason)
                    continue
                if not looks_like_schema(part):
                    leave_out(ref, node, base, uri, "not a schema or OpenAPI fragment, not used")
                    continue
                documents[uri] = part
                pending.append((part, uri))
        return {k: v for k, v in documents.items() if v is not None}, warnings
