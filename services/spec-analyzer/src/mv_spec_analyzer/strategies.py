"""Finding the OpenAPI document behind whatever URL a user pasted.

The strategy is chosen from what the URL answers (content type and body), by
:class:`StrategyFactory`: the document itself, a Swagger UI page, a ReDoc page, or, when the
answer is none of these, a base URL whose well-known paths are probed in order.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from mv_contracts.spec import FailureKind

from .errors import AnalysisError
from .evaluating import EXPRESSION, Evaluator
from .fetching import Fetched, Fetcher
from .normalise import openapi_version

PROBE_PATHS = (
    "openapi.json", "openapi.yaml", "openapi.yml", "v3/api-docs", "swagger.json",
    "swagger.yaml", "v2/api-docs", "api-docs", "api/openapi.json", "api/swagger.json",
    "api/swagger", "swagger/v1/swagger.json", "docs", "swagger-ui.html", "swagger-ui/index.html",
    "api/docs", "redoc",
)  # fmt: skip
DOCUMENT_TYPES = ("json", "yaml", "yml", "openapi")
MAX_FETCHES = 40

# The value of a setting such as `url:` is an expression (see :mod:`.evaluating`).
_VALUE = rf"\s*({EXPRESSION})"
_SWAGGER_URL = re.compile(r"""(?<![\w.$])(?:url|"url"|'url')\s*:""" + _VALUE)
_SWAGGER_URLS = re.compile(r"""(?<![\w.$])(?:urls|"urls"|'urls')\s*:\s*\[(.*?)\]""", re.S)
_CONFIG_URL = re.compile(r"""(?<![\w.$])(?:configUrl|"configUrl"|'configUrl')\s*:""" + _VALUE)
_SCRIPT_SRC = re.compile(r"""<script[^>]+src\s*=\s*["']([^"']+)["']""", re.I)
_REDOC_TAG = re.compile(r"""<redoc[^>]*\sspec-url\s*=\s*["']([^"']+)["']""", re.I)
_REDOC_INIT = re.compile(r"Redoc\.init\s*\(" + _VALUE)
_REDOC_STATE = re.compile(r"__redoc_state\s*=\s*")
_DOCUMENT_START = re.compile(r"^\s*(\{|[\"']?(openapi|swagger)[\"']?\s*:)", re.M)


def _urls(pattern: re.Pattern[str], text: str, evaluator: Evaluator) -> list[str]:
    """The URLs of every match of ``pattern`` whose value could be evaluated."""
    found = (evaluator.url(m[1]) for m in pattern.finditer(text))
    return [url for url in found if url]


@dataclass(frozen=True)
class Located:
    url: str
    data: dict[str, Any]
    strategy: str


class Locator:
    """Shared state of one search: the fetcher, the size limit, the fetch count."""

    def __init__(self, fetcher: Fetcher, parse: Callable[[bytes], Awaitable[Any]]) -> None:
        self.fetcher = fetcher
        self.parse = parse
        self.fetches = 0
        self.first_error: AnalysisError | None = None

    async def get(self, url: str) -> Fetched:
        self.fetches += 1
        if self.fetches > MAX_FETCHES:
            raise AnalysisError(FailureKind.NOT_FOUND, f"gave up after {MAX_FETCHES} fetches")
        return await self.fetcher.get(url)

    async def as_document(self, fetched: Fetched) -> Located | None:
        """The answer parsed as an OpenAPI document, or None (the reason kept for later).

        Parsing runs elsewhere (see :mod:`.isolation`): it must not stall the event loop.
        """
        try:
            data = await self.parse(fetched.body)
            openapi_version(data)
        except AnalysisError as error:
            if error.kind == FailureKind.TOO_LARGE:
                raise
            self.first_error = self.first_error or AnalysisError(
                error.kind, f"{fetched.url}: {error.reason}"
            )
            return None
        return Located(fetched.url, data, "document")

    async def document_at(self, url: str, strategy: str) -> Located | None:
        fetched = await self.get(url)
        if not fetched.ok:
            return None
        found = await self.as_document(fetched)
        return Located(found.url, found.data, strategy) if found else None


class Strategy(ABC):
    name: str

    @abstractmethod
    def accepts(self, fetched: Fetched) -> bool: ...

    @abstractmethod
    async def locate(self, fetched: Fetched, locator: Locator) -> Located | None: ...


def _text(fetched: Fetched) -> str:
    return fetched.body[:2_000_000].decode("utf-8", "replace")


class DocumentStrategy(Strategy):
    """The URL answers the JSON or YAML document itself."""

    name = "document"

    def accepts(self, fetched: Fetched) -> bool:
        if any(kind in fetched.media_type for kind in DOCUMENT_TYPES):
            return True
        return "html" not in fetched.media_type and bool(
            _DOCUMENT_START.search(_text(fetched)[:4096])
        )

    async def locate(self, fetched: Fetched, locator: Locator) -> Located | None:
        return await locator.as_document(fetched)


class SwaggerUIStrategy(Strategy):
    """A Swagger UI page: SwaggerUIBundle ``url``/``urls``, swagger-initializer.js, springdoc."""

    name = "swagger-ui"

    def accepts(self, fetched: Fetched) -> bool:
        text = _text(fetched)
        return "html" in fetched.media_type and (
            "swagger-ui" in text.lower() or "SwaggerUIBundle" in text
        )

    def candidates(self, text: str, page_url: str) -> tuple[list[str], list[str]]:
        """(document URLs, swagger-config URLs) named in a page or a script of the page at
        ``page_url``; relative and computed URLs are resolved against it, as a browser does."""
        evaluator = Evaluator(text, page_url)
        documents: list[str] = []
        for block in _SWAGGER_URLS.finditer(text):
            documents += _urls(_SWAGGER_URL, block[1], evaluator)
        documents += _urls(_SWAGGER_URL, text, evaluator)
        configs = _urls(_CONFIG_URL, text, evaluator)
        return list(dict.fromkeys(documents)), configs

    async def locate(self, fetched: Fetched, locator: Locator) -> Located | None:
        text = _text(fetched)
        query = parse_qs(urlsplit(fetched.url).query)
        documents, configs = self.candidates(text, fetched.url)
        documents = [urljoin(fetched.url, u) for u in query.get("url", [])] + documents
        configs = [urljoin(fetched.url, u) for u in query.get("configUrl", [])] + configs
        for src in _SCRIPT_SRC.findall(text):
            if "initializer" in src or "config" in src or "init" in src.rsplit("/", 1)[-1]:
                script = await locator.get(urljoin(fetched.url, src))
                if script.ok:
                    more, more_configs = self.candidates(_text(script), fetched.url)
                    documents += more
                    configs += more_configs
        origin = urljoin(fetched.url, "/")
        configs.append(urljoin(origin, "v3/api-docs/swagger-config"))  # springdoc's default
        for url in documents:
            found = await locator.document_at(url, self.name)
            if found:
                return found
        for url in dict.fromkeys(configs):
            config = await locator.get(url)
            if not config.ok:
                continue
            try:
                data = json.loads(config.body)
            except ValueError:
                continue
            named = [data.get("url")] if isinstance(data, dict) else []
            urls = data.get("urls") if isinstance(data, dict) else None
            named += [u.get("url") for u in urls or [] if isinstance(u, dict)]
            for target in (u for u in named if isinstance(u, str)):
                found = await locator.document_at(urljoin(config.url, target), self.name)
                if found:
                    return found
        return None


class RedocStrategy(Strategy):
    """A ReDoc page: ``<redoc spec-url=...>`` or ``Redoc.init(url, ...)``."""

    name = "redoc"

    def accepts(self, fetched: Fetched) -> bool:
        text = _text(fetched)
        markers = ("Redoc.init", "__redoc_state", "Redoc.hydrate")
        return "html" in fetched.media_type and (
            "<redoc" in text.lower() or any(m in text for m in markers)
        )

    async def locate(self, fetched: Fetched, locator: Locator) -> Located | None:
        text = _text(fetched)
        urls = _REDOC_TAG.findall(text) + _urls(_REDOC_INIT, text, Evaluator(text, fetched.url))
        for url in dict.fromkeys(urls):
            found = await locator.document_at(urljoin(fetched.url, url), self.name)
            if found:
                return found
        return self.embedded(fetched)

    def embedded(self, fetched: Fetched) -> Located | None:
        """A standalone ReDoc page (redoc-cli build) carries the document in ``__redoc_state``."""
        text = fetched.body.decode("utf-8", "replace")
        match = _REDOC_STATE.search(text)
        if match is None:
            return None
        try:
            state, _ = json.JSONDecoder().raw_decode(text, match.end())
            data = state["spec"]["data"]
            openapi_version(data)
        except (ValueError, KeyError, TypeError, AnalysisError):
            return None
        return Located(fetched.url, data, f"{self.name}-embedded")


class BaseUrlProbeStrategy(Strategy):
    """Anything else: probe the well-known document and UI paths below the URL and its root."""

    name = "base-url"

    def __init__(self, pages: tuple[Strategy, ...]) -> None:
        self.pages = pages

    def accepts(self, fetched: Fetched) -> bool:
        return True

    def bases(self, url: str) -> list[str]:
        path_base = url if url.endswith("/") else url + "/"
        return list(dict.fromkeys([path_base, urljoin(url, "/")]))

    async def locate(self, fetched: Fetched, locator: Locator) -> Located | None:
        for base in self.bases(fetched.url):
            for path in PROBE_PATHS:
                probe = await locator.get(urljoin(base, path))
                if not probe.ok:
                    continue
                for strategy in (DocumentStrategy(), *self.pages):
                    if strategy.accepts(probe):
                        found = await strategy.locate(probe, locator)
                        if found:
                            return Located(found.url, found.data, f"{self.name}+{found.strategy}")
                        break
        return None


class StrategyFactory:
    """Picks the strategy for an answer: document, Swagger UI, ReDoc, else base-URL probing."""

    def __init__(self) -> None:
        self.pages: tuple[Strategy, ...] = (SwaggerUIStrategy(), RedocStrategy())
        self.direct: tuple[Strategy, ...] = (DocumentStrategy(), *self.pages)
        self.fallback = BaseUrlProbeStrategy(self.pages)

    def choose(self, fetched: Fetched) -> Strategy:
        if fetched.ok:
            for strategy in self.direct:
                if strategy.accepts(fetched):
                    return strategy
        return self.fallback

    async def locate(self, url: str, locator: Locator) -> Located:
        fetched = await locator.get(url)
        strategy = self.choose(fetched)
        found = await strategy.locate(fetched, locator)
        if found is None and strategy is not self.fallback:
            error = locator.first_error
            if isinstance(strategy, DocumentStrategy) and error and error.kind == "malformed":
                raise error
            found = await self.fallback.locate(fetched, locator)
        if found is None:
            if locator.first_error is not None:
                raise locator.first_error
            raise AnalysisError(
                FailureKind.NOT_FOUND,
                f"no OpenAPI document found at {url} (answered HTTP {fetched.status}; "
                "tried it as a document, a Swagger UI or ReDoc page and a base URL)",
            )
        return found
