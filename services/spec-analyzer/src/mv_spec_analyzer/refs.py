"""``$ref`` resolution: local pointers and already-fetched external documents, cycles included.

Nothing here recurses without a bound: following a chain of references stops at a cycle, and
inlining a schema stops at a cycle, at ``max_depth`` and after ``budget`` nodes, leaving the
``$ref`` in place so the reader still sees where it pointed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

MAX_CHAIN = 64


def split_ref(ref: str, base: str) -> tuple[str, str]:
    """(absolute document URI or "" for this one, JSON pointer) of a reference."""
    document, fragment = urldefrag(ref)
    if not document:
        return base, fragment
    return urljoin(base, document) if base else document, fragment


def pointer_get(document: Any, pointer: str) -> Any:
    """The node at a JSON pointer (RFC 6901, percent-encoded as in URI fragments)."""
    node = document
    if pointer in ("", "/"):
        return node
    for raw in unquote(pointer).lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            if token not in node:
                raise KeyError(pointer)
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise KeyError(pointer)
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def external_refs(node: Any, limit: int = 1_000_000) -> Iterator[str]:
    """Every ``$ref`` string that points outside its own document, iteratively."""
    stack = [node]
    seen = 0
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, Mapping):
            ref = item.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def where(node: Any, ref: str, limit: int = 1_000_000) -> str:
    """The JSON pointer of the first place ``ref`` is written in ``node``, in document order.

    Only for messages: building every pointer costs as much again as :func:`external_refs`,
    so it is worked out for the few references that fail, not for all.
    """
    stack: list[tuple[Any, str]] = [(node, "")]
    seen = 0
    while stack and seen < limit:
        item, pointer = stack.pop()
        seen += 1
        if isinstance(item, Mapping):
            if item.get("$ref") == ref:
                return pointer or "/"
            children = [(v, f"{pointer}/{_escape(k)}") for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, f"{pointer}/{i}") for i, v in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))
    return "?"


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


# What the objects an external ``$ref`` may name are made of: JSON Schema keywords, the
# OpenAPI and Swagger objects (document, components, parameter, response, request body, path
# item, example, header, security scheme) and their fields.
FRAGMENT_KEYS = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "$anchor", "$comment", "$dynamicRef", "$dynamicAnchor",
        "definitions", "type", "properties", "additionalProperties", "patternProperties",
        "propertyNames", "items", "prefixItems", "contains", "additionalItems",
        "unevaluatedItems", "unevaluatedProperties", "allOf", "anyOf", "oneOf", "not", "if",
        "then", "else", "dependentSchemas", "dependentRequired", "dependencies", "enum", "const",
        "format", "required", "title", "description", "default", "example", "examples",
        "nullable", "readOnly", "writeOnly", "deprecated", "discriminator", "xml", "externalDocs",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
        "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties",
        "maxProperties", "contentMediaType", "contentEncoding", "contentSchema", "openapi",
        "swagger", "info", "paths", "components", "servers", "tags", "security",
        "securityDefinitions", "parameters", "responses", "webhooks", "host", "basePath",
        "schemes", "consumes", "produces", "jsonSchemaDialect", "schemas", "requestBodies",
        "headers", "links", "callbacks", "securitySchemes", "pathItems", "name", "in", "schema",
        "style", "explode", "allowEmptyValue", "allowReserved", "content", "collectionFormat",
        "get", "put", "post", "delete", "options", "head", "patch", "trace", "summary",
        "operationId", "requestBody", "value", "externalValue", "mediaType", "encoding", "scheme",
        "bearerFormat", "flows", "openIdConnectUrl",
    }
)  # fmt: skip


def _fragment_key(key: Any) -> bool:
    return isinstance(key, str) and (key in FRAGMENT_KEYS or key.startswith(("x-", "$")))


def _named_fragment(value: Any, depth: int = 3) -> bool:
    """A named entry of a map of schemas or other objects (``{"Pet": {"type": ...}}``), a
    path (``{"/pets": {"get": ...}}``) or a status code (``{"200": {"description": ...}}``),
    maps of maps ``depth`` deep at most."""
    if not isinstance(value, Mapping) or depth <= 0:
        return False
    return not value or any(
        _fragment_key(k) or _named_fragment(v, depth - 1) for k, v in value.items()
    )


def looks_like_schema(document: Any) -> bool:
    """Whether a fetched part could be what a ``$ref`` names: a JSON or YAML object made of
    schema and OpenAPI keywords, or a map of such objects. Anything else (the JSON a service
    answers at some URL, a list, a string) is refused, never inlined."""
    if not isinstance(document, Mapping) or not document:
        return False
    return all(_fragment_key(k) or _named_fragment(v) for k, v in document.items())


@dataclass(frozen=True)
class Miss:
    """A reference that led nowhere, and why (for a warning on the analysis)."""

    ref: str
    reason: str


class Resolver:
    """Resolves references in ``root`` (at ``base``) and in ``documents`` keyed by URI."""

    def __init__(self, root: Any, base: str = "", documents: Mapping[str, Any] | None = None):
        self.root = root
        self.base = base
        self.documents = dict(documents or {})
        # Every reference that led nowhere, in the order met; readers slice it to learn
        # which of them a piece of work ran into.
        self.misses: list[Miss] = []

    def _document(self, uri: str) -> Any:
        if uri == self.base:
            return self.root
        if uri in self.documents:
            return self.documents[uri]
        raise KeyError(uri)

    def deref(self, node: Any, base: str | None = None) -> tuple[Any, str]:
        """Follow ``node``'s reference chain to a non-reference; (node, its document URI).

        A missing target or a cycle leaves the last reference object as it is.
        """
        base = self.base if base is None else base
        seen: set[tuple[str, str]] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            uri, pointer = split_ref(node["$ref"], base)
            if (uri, pointer) in seen or len(seen) >= MAX_CHAIN:
                return node, base
            seen.add((uri, pointer))
            try:
                document = self._document(uri)
            except KeyError:
                self.misses.append(Miss(node["$ref"], f"needs {uri}, which was not fetched"))
                return node, base
            try:
                target = pointer_get(document, pointer)
            except KeyError:
                self.misses.append(Miss(node["$ref"], "points at nothing"))
                return node, base
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if siblings and isinstance(target, Mapping):
                target = {**target, **siblings}
            node, base = target, uri
        return node, base

    def inline(
        self, node: Any, base: str | None = None, *, max_depth: int = 12, budget: int = 5_000
    ) -> Any:
        """A copy of ``node`` with references replaced by their targets, within bounds."""
        remaining = [budget]
        return self._inline(node, self.base if base is None else base, (), max_depth, remaining)

    def _inline(
        self, node: Any, base: str, path: tuple[str, ...], depth: int, remaining: list[int]
    ) -> Any:
        remaining[0] -= 1
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str):
                key = "#".join(split_ref(ref, base))
                if key in path or depth <= 0 or remaining[0] <= 0:
                    return {"$ref": ref}
                target, target_base = self.deref(node, base)
                if isinstance(target, Mapping) and "$ref" in target:
                    return dict(target)
                return self._inline(target, target_base, (*path, key), depth - 1, remaining)
            if depth <= 0 or remaining[0] <= 0:
                return {k: v for k, v in node.items() if not isinstance(v, Mapping | list)}
            return {k: self._inline(v, base, path, depth - 1, remaining) for k, v in node.items()}
        if isinstance(node, list):
            if depth <= 0 or remaining[0] <= 0:
                return []
            return [self._inline(v, base, path, depth - 1, remaining) for v in node]
        return node
