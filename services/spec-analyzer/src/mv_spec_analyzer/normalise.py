"""Swagger 2.0, OpenAPI 3.0 and 3.1 documents turned into one ``AnalysedSpec``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from mv_contracts.spec import (
    AnalysedSpec,
    AnalysisWarning,
    EndpointInfo,
    FailureKind,
    ParameterInfo,
    RequestBodyInfo,
    TagInfo,
)

from . import journey_facts
from .errors import AnalysisError
from .examples import ExampleBuilder
from .refs import Miss, Resolver

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("path", "query", "header", "cookie")
DEFAULT_TAG = "default"
_VARIABLE = re.compile(r"\{([^{}]+)\}")
SCHEMA_KEYS_2 = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    "uniqueItems", "multipleOf", "collectionFormat",
)  # fmt: skip


def text(value: Any) -> str | None:
    """A string field as stored: NUL removed (PostgreSQL refuses it), non-strings dropped."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        value = str(value)
    return value.replace("\x00", "") if isinstance(value, str) else None


def name(value: Any) -> str | None:
    value = text(value)
    return value.strip()[:255] or None if value else None


def jsonable(node: Any, budget: int = 200_000) -> Any:
    """Plain JSON data: string keys, dates as ISO text, NUL removed; bounded in size."""
    remaining = [budget]

    def walk(item: Any, depth: int) -> Any:
        remaining[0] -= 1
        if remaining[0] < 0 or depth > 64:
            return None
        if isinstance(item, Mapping):
            return {str(k).replace("\x00", ""): walk(v, depth + 1) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v, depth + 1) for v in item]
        if isinstance(item, str):
            return item.replace("\x00", "")
        if isinstance(item, dt.date | dt.datetime | dt.time):
            return item.isoformat()
        if isinstance(item, float) and item != item:  # NaN has no JSON form
            return None
        if item is None or isinstance(item, bool | int | float):
            return item
        return str(item)

    return walk(node, 0)


def openapi_version(document: Any) -> str:
    if not isinstance(document, Mapping):
        raise AnalysisError(
            FailureKind.NOT_OPENAPI, "the document is not an OpenAPI object (not a mapping)"
        )
    swagger = document.get("swagger")
    openapi = document.get("openapi")
    if swagger is not None and str(swagger).startswith("2."):
        return "2.0"
    if openapi is not None and str(openapi).startswith("3."):
        return str(openapi)
    if swagger is not None or openapi is not None:
        found = swagger if swagger is not None else openapi
        raise AnalysisError(
            FailureKind.NOT_OPENAPI, f"unsupported OpenAPI version {found!r}; 2.0 and 3.x are"
        )
    raise AnalysisError(
        FailureKind.NOT_OPENAPI,
        "the document is not OpenAPI: it has neither an 'openapi' nor a 'swagger' field",
    )


def _strip(url: str) -> str:
    stripped = url.rstrip("/")
    return stripped if urlsplit(stripped).netloc or not urlsplit(url).netloc else url


def base_url(document: Mapping[str, Any], version: str, source_url: str | None) -> str | None:
    if version == "2.0":
        host = document.get("host")
        base_path = text(document.get("basePath")) or ""
        schemes = document.get("schemes")
        source = urlsplit(source_url) if source_url else None
        if isinstance(schemes, list) and schemes and isinstance(schemes[0], str):
            scheme = schemes[0]
        else:
            scheme = source.scheme if source else "https"
        if not isinstance(host, str) or not host:
            if source is None or not source.netloc:
                return base_path or None
            host = source.netloc
        return _strip(f"{scheme}://{host}{base_path}")
    servers = document.get("servers")
    server: Any = servers[0] if isinstance(servers, list) and servers else {"url": "/"}
    url = text(server.get("url")) if isinstance(server, Mapping) else None
    if url is None:
        url = "/"
    variables = server.get("variables") if isinstance(server, Mapping) else None
    if isinstance(variables, Mapping):

        def default(match: re.Match[str]) -> str:
            variable = variables.get(match.group(1))
            if isinstance(variable, Mapping) and "default" in variable:
                return str(variable["default"])
            return match.group(0)

        url = _VARIABLE.sub(default, url)
    if urlsplit(url).scheme:
        return _strip(url)
    if source_url:
        return _strip(urljoin(source_url, url))
    return None if url in ("", "/") else _strip(url)


class Normaliser:
    """One document, its resolver and its version: ``spec()`` builds the result."""

    def __init__(self, document: Mapping[str, Any], resolver: Resolver, source_url: str | None):
        self.document = document
        self.version = openapi_version(document)
        self.resolver = resolver
        self.source_url = source_url
        self.examples = ExampleBuilder(resolver)
        self.warnings: list[AnalysisWarning] = []

    def spec(self) -> AnalysedSpec:
        info = self.document.get("info")
        info = info if isinstance(info, Mapping) else {}
        endpoints = self.endpoints()
        return AnalysedSpec(
            title=text(info.get("title")) or "Untitled API",
            version=text(info.get("version")) or "",
            description=text(info.get("description")),
            openapi_version=self.version,
            base_url=base_url(self.document, self.version, self.source_url),
            source_url=self.source_url,
            tags=self.tags(endpoints),
            endpoints=endpoints,
        )

    def tags(self, endpoints: list[EndpointInfo]) -> list[TagInfo]:
        result: dict[str, TagInfo] = {}
        declared = self.document.get("tags")
        for tag in declared if isinstance(declared, list) else []:
            tag_name = name(tag.get("name")) if isinstance(tag, Mapping) else None
            if tag_name and tag_name not in result:
                result[tag_name] = TagInfo(name=tag_name, description=text(tag.get("description")))
        for endpoint in endpoints:
            for tag_name in endpoint.tags:
                result.setdefault(tag_name, TagInfo(name=tag_name))
        return list(result.values())

    def endpoints(self) -> list[EndpointInfo]:
        paths = self.document.get("paths")
        if paths is None:
            return []
        if not isinstance(paths, Mapping):
            raise AnalysisError(FailureKind.NOT_OPENAPI, "'paths' is not a mapping")
        result: list[EndpointInfo] = []
        for path, raw_item in paths.items():
            if not isinstance(path, str) or not path or path.startswith("x-"):
                continue
            start = len(self.resolver.misses)
            item, base = self.resolver.deref(raw_item)
            for miss in self._misses_since(start):
                self.warnings.append(
                    AnalysisWarning(
                        ref=miss.ref,
                        message=f"path {path}: $ref {miss.ref} {miss.reason}; "
                        "its operations are left out",
                    )
                )
            if not isinstance(item, Mapping):
                continue
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, Mapping):
                    start = len(self.resolver.misses)
                    endpoint = self.endpoint(path, method, item, operation, base)
                    result.append(endpoint)
                    for miss in self._misses_since(start):
                        self.warnings.append(
                            AnalysisWarning(
                                endpoint=endpoint.key,
                                ref=miss.ref,
                                message=f"{endpoint.key}: $ref {miss.ref} {miss.reason}; "
                                "the endpoint is kept without what it describes",
                            )
                        )
        return result

    def _misses_since(self, start: int) -> list[Miss]:
        return list(dict.fromkeys(self.resolver.misses[start:]))

    def schema(self, schema: Mapping[str, Any], base: str | None = None) -> dict[str, Any]:
        """The schema with its references inlined; one that resolves to no schema is empty."""
        inlined = self.resolver.inline(schema, base)
        if isinstance(inlined, Mapping):
            return dict(jsonable(inlined))
        self._not_a(schema, "a schema")
        return {}

    def _not_a(self, node: Any, what: str) -> None:
        """Note a reference that resolved to the wrong kind of thing (text, a list...)."""
        if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            self.resolver.misses.append(Miss(node["$ref"], f"points at something not {what}"))

    def endpoint(
        self,
        path: str,
        method: str,
        item: Mapping[str, Any],
        operation: Mapping[str, Any],
        base: str,
    ) -> EndpointInfo:
        raw_tags = operation.get("tags")
        tags = [t for t in (name(v) for v in raw_tags) if t] if isinstance(raw_tags, list) else []
        tags = list(dict.fromkeys(tags)) or [DEFAULT_TAG]
        merged = self._raw_parameters(item, base) | self._raw_parameters(operation, base)
        parameters = [self.parameter(p, b) for p, b in merged.values() if p.get("in") in LOCATIONS]
        if self.version == "2.0":
            body = self.body_2(operation, [p for p, _ in merged.values()])
        else:
            body = self.body_3(operation.get("requestBody"), base)
        security = _security(operation.get("security", self.document.get("security")))
        answer = journey_facts.success_answer(self, operation, base)
        return EndpointInfo(
            method=method.upper(),
            path=path.replace("\x00", ""),
            operation_id=text(operation.get("operationId")),
            summary=text(operation.get("summary")),
            description=text(operation.get("description")),
            tags=tags,
            deprecated=operation.get("deprecated") is True,
            parameters=parameters,
            request_body=body,
            security=security,
            security_schemes=journey_facts.security_schemes(self, security),
            links=journey_facts.links(self, answer, base),
            response_fields=journey_facts.response_fields(self, answer, base),
        )

    def _raw_parameters(
        self, owner: Mapping[str, Any], base: str
    ) -> dict[tuple[str, str], tuple[Mapping[str, Any], str]]:
        found: dict[tuple[str, str], tuple[Mapping[str, Any], str]] = {}
        raw = owner.get("parameters")
        for entry in raw if isinstance(raw, list) else []:
            parameter, parameter_base = self.resolver.deref(entry, base)
            if isinstance(parameter, Mapping) and isinstance(parameter.get("name"), str):
                found[(parameter["name"], str(parameter.get("in")))] = (parameter, parameter_base)
            elif not isinstance(parameter, Mapping):
                self._not_a(entry, "a parameter")
        return found

    def parameter(self, parameter: Mapping[str, Any], base: str) -> ParameterInfo:
        schema: Any = parameter.get("schema")
        if schema is None and isinstance(parameter.get("content"), Mapping):
            media = next(iter(parameter["content"].values()), None)
            schema = media.get("schema") if isinstance(media, Mapping) else None
        if schema is None and self.version == "2.0":
            schema = {k: parameter[k] for k in SCHEMA_KEYS_2 if k in parameter}
        schema = schema if isinstance(schema, Mapping) else {}
        example = parameter.get("example")
        if example is None:
            example = _first_example(parameter.get("examples"), self.resolver, base)
        if example is None:
            example = self.examples.build(schema, base)
        location = str(parameter.get("in"))
        return ParameterInfo(
            name=text(parameter["name"]) or "",
            location=location,
            required=location == "path" or parameter.get("required") is True,
            description=text(parameter.get("description")),
            schema_=self.schema(schema, base),
            example=jsonable(example),
        )

    def body_2(
        self, operation: Mapping[str, Any], parameters: list[Mapping[str, Any]]
    ) -> RequestBodyInfo | None:
        consumes = operation.get("consumes", self.document.get("consumes"))
        types = [c for c in consumes if isinstance(c, str)] if isinstance(consumes, list) else []
        body = next((p for p in parameters if p.get("in") == "body"), None)
        form = [p for p in parameters if p.get("in") == "formData"]
        if body is not None:
            raw_schema = body.get("schema")
            schema = raw_schema if isinstance(raw_schema, Mapping) else {}
            example = _first_example_2(body, schema)
            if example is None:
                example = self.examples.build(schema)
            return RequestBodyInfo(
                required=body.get("required") is True,
                content_types=types or ["application/json"],
                schema_=self.schema(schema),
                example=jsonable(example),
            )
        if form:
            properties = {
                str(p.get("name")): {k: p[k] for k in SCHEMA_KEYS_2 if k in p} for p in form
            }
            required = [str(p.get("name")) for p in form if p.get("required") is True]
            schema = {"type": "object", "properties": properties}
            if required:
                schema["required"] = required
            return RequestBodyInfo(
                required=bool(required),
                content_types=types or ["application/x-www-form-urlencoded"],
                schema_=jsonable(schema),
                example=jsonable(self.examples.build(schema)),
            )
        return None

    def body_3(self, raw: Any, base: str) -> RequestBodyInfo | None:
        if raw is None:
            return None
        body, base = self.resolver.deref(raw, base)
        if not isinstance(body, Mapping):
            self._not_a(raw, "a request body")
            return None
        content = body.get("content")
        content = content if isinstance(content, Mapping) else {}
        types = [str(t) for t in content]
        chosen = next((t for t in types if "json" in t), types[0] if types else None)
        media = content.get(chosen) if chosen is not None else None
        media = media if isinstance(media, Mapping) else {}
        raw_schema = media.get("schema")
        schema: Mapping[str, Any] = raw_schema if isinstance(raw_schema, Mapping) else {}
        example = media.get("example")
        if example is None:
            example = _first_example(media.get("examples"), self.resolver, base)
        if example is None:
            example = self.examples.build(schema, base)
        return RequestBodyInfo(
            required=body.get("required") is True,
            content_types=types,
            schema_=self.schema(schema, base),
            example=jsonable(example),
        )


def _first_example(examples: Any, resolver: Resolver, base: str) -> Any:
    if isinstance(examples, Mapping):
        for raw in examples.values():
            example, _ = resolver.deref(raw, base)
            if isinstance(example, Mapping) and "value" in example:
                return example["value"]
    return None


def _first_example_2(body: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    examples = body.get("x-examples")
    if isinstance(examples, Mapping) and examples:
        return next(iter(examples.values()))
    return schema.get("example")


def _security(raw: Any) -> list[dict[str, list[str]]]:
    result: list[dict[str, list[str]]] = []
    for requirement in raw if isinstance(raw, list) else []:
        if isinstance(requirement, Mapping):
            result.append(
                {
                    str(k): [str(s) for s in v] if isinstance(v, list) else []
                    for k, v in requirement.items()
                }
            )
    return result
