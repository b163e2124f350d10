"""What a journey builder reads of an operation besides its request: the security schemes its
``security`` names, the links of its success answer, and the top-level fields of that answer
(a POST whose answer has ``id`` is followed by the GET/PUT/DELETE of ``/{id}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mv_contracts.spec import LinkInfo, SecurityScheme

if TYPE_CHECKING:
    from .normalise import Normaliser

_SCHEME_TYPES = ("http", "apiKey", "oauth2", "openIdConnect", "mutualTLS")
_FLOWS_2 = {"application": "clientCredentials", "password": "password"}
MAX_LINKS = 50
MAX_FIELDS = 200


def _text(value: Any) -> str | None:
    return value.replace("\x00", "")[:2000] if isinstance(value, str) and value else None


def security_schemes(
    n: Normaliser, security: list[dict[str, list[str]]]
) -> dict[str, SecurityScheme]:
    """The schemes the requirements name, as the document declares them (unknown ones left out)."""
    if n.version == "2.0":
        declared = n.document.get("securityDefinitions")
    else:
        components = n.document.get("components")
        declared = components.get("securitySchemes") if isinstance(components, Mapping) else None
    declared = declared if isinstance(declared, Mapping) else {}
    found: dict[str, SecurityScheme] = {}
    for name in dict.fromkeys(k for requirement in security for k in requirement):
        raw, _ = n.resolver.deref(declared.get(name))
        if isinstance(raw, Mapping):
            found[name] = _scheme(raw)
    return found


def _scheme(raw: Mapping[str, Any]) -> SecurityScheme:
    kind = raw.get("type")
    location = raw.get("in")
    fields: dict[str, Any] = {
        "name": _text(raw.get("name")),
        "location": location if location in ("header", "query", "cookie") else None,
        "bearer_format": _text(raw.get("bearerFormat")),
    }
    if kind == "basic":  # Swagger 2.0
        return SecurityScheme(type="http", scheme="basic", **fields)
    if kind == "oauth2" and isinstance(raw.get("flow"), str):  # Swagger 2.0: one flow
        flow = _FLOWS_2.get(raw["flow"], raw["flow"])
        return SecurityScheme(
            type="oauth2", flow=flow, token_url=_text(raw.get("tokenUrl")), **fields
        )
    if kind == "oauth2" and isinstance(raw.get("flows"), Mapping):
        flows = raw["flows"]
        # The flows a load test can take without a person: client credentials, then password.
        for flow in ("clientCredentials", "password", *flows):
            if isinstance(flows.get(flow), Mapping):
                token_url = _text(flows[flow].get("tokenUrl"))
                return SecurityScheme(type="oauth2", flow=flow, token_url=token_url, **fields)
    scheme = _text(raw.get("scheme"))
    return SecurityScheme(
        type=kind if kind in _SCHEME_TYPES else "other",
        scheme=scheme.lower() if scheme else None,
        **fields,
    )


def success_answer(n: Normaliser, operation: Mapping[str, Any], base: str) -> Mapping[str, Any]:
    """The first 2xx answer of the operation (lowest status), dereferenced; else empty."""
    responses = operation.get("responses")
    if not isinstance(responses, Mapping):
        return {}
    codes = sorted(str(c) for c in responses if str(c).startswith("2"))
    if not codes:
        return {}
    answer, _ = n.resolver.deref(responses.get(codes[0]) or responses.get(int(codes[0])), base)
    return answer if isinstance(answer, Mapping) else {}


def response_fields(n: Normaliser, answer: Mapping[str, Any], base: str) -> list[str]:
    """Top-level property names of the answer's JSON object (``allOf`` parts merged)."""
    raw: Any = answer.get("schema")  # Swagger 2.0
    content = answer.get("content")
    if isinstance(content, Mapping) and content:
        chosen = next((t for t in content if "json" in str(t)), next(iter(content)))
        media = content.get(chosen)
        raw = media.get("schema") if isinstance(media, Mapping) else None
    if not isinstance(raw, Mapping):
        return []
    schema = n.resolver.inline(raw, base, max_depth=8, budget=2000)
    return list(dict.fromkeys(_properties(schema)))[:MAX_FIELDS]


def _properties(schema: Any) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    names = [str(k) for k in schema.get("properties") or {} if isinstance(k, str)]
    for part in schema.get("allOf") or []:
        names += _properties(part)
    return names


def links(n: Normaliser, answer: Mapping[str, Any], base: str) -> list[LinkInfo]:
    raw = answer.get("links")
    found: list[LinkInfo] = []
    for name, entry in raw.items() if isinstance(raw, Mapping) else []:
        link, _ = n.resolver.deref(entry, base)
        if not isinstance(link, Mapping) or not isinstance(name, str):
            continue
        parameters = link.get("parameters")
        found.append(
            LinkInfo(
                name=name[:200],
                operation_id=_text(link.get("operationId")),
                operation_ref=_text(link.get("operationRef")),
                parameters={
                    str(k): v[:500]
                    for k, v in (parameters.items() if isinstance(parameters, Mapping) else [])
                    if isinstance(v, str)
                },
            )
        )
    return found[:MAX_LINKS]
