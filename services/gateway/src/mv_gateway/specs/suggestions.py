"""Next steps a journey builder offers after a step: the document's own ``links`` of the step's
success answer, and the obvious pairs (a POST whose answer has ``id`` → the GET, PUT, PATCH or
DELETE of ``<its path>/{param}``), each with the extraction that carries the value over.

Pure: endpoints in, suggestions out, in the endpoints' order (links before pairs).
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import unquote

from pydantic import BaseModel, Field

from mv_contracts.journeys import Extraction, Source
from mv_contracts.variables import VARIABLE_NAME

from .schemas import EndpointRead

_FOLLOWERS = ("GET", "PUT", "PATCH", "DELETE")
_NAME = re.compile(f"^{VARIABLE_NAME}$")
_BODY = "$response.body#"
_HEADER = "$response.header."
_PARAMETER = re.compile(r"^\{([^{}]+)\}$")


class StepSuggestion(BaseModel):
    from_endpoint_id: int = Field(description="After a step of this endpoint")
    to_endpoint_id: int = Field(description="...a step of this one")
    kind: Literal["link", "pair"] = Field(description="The document's link, or a POST → /{id}")
    name: str = Field(description="The link's name, or the field carried over")
    extract: list[Extraction] = Field(description="What the first step keeps from its answer")
    path_params: dict[str, str] = Field(description="The next step's values, ``{{variable}}``")
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)


def variable_for(name: str) -> str:
    """A variable name made of a parameter's: letters, digits and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:64] or "value"
    return cleaned if _NAME.match(cleaned) else f"v_{cleaned}"[:64]


def _extraction(variable: str, expression: str) -> Extraction | None:
    """A link's runtime expression as an extraction of the answer (None: not of the answer)."""
    if expression.startswith(_BODY):
        pointer = expression[len(_BODY) :].strip("/")
        parts = [unquote(p).replace("~1", "/").replace("~0", "~") for p in pointer.split("/")]
        path = ".".join(parts)
        if not path:
            return None
        try:
            return Extraction(variable=variable, source=Source.JSON, expression=path)
        except ValueError:
            return None
    if expression.startswith(_HEADER):
        try:
            header = expression[len(_HEADER) :]
            return Extraction(variable=variable, source=Source.HEADER, expression=header)
        except ValueError:
            return None
    return None


def _target(
    link_ref: str | None, op_id: str | None, peers: list[EndpointRead]
) -> EndpointRead | None:
    if op_id:
        return next((e for e in peers if e.operation_id == op_id), None)
    if link_ref and link_ref.startswith("#/paths/"):
        path, _, method = link_ref[len("#/paths/") :].rpartition("/")
        path = unquote(path).replace("~1", "/").replace("~0", "~")
        return next((e for e in peers if e.path == path and e.method == method.upper()), None)
    return None


def _from_links(endpoint: EndpointRead, peers: list[EndpointRead]) -> list[StepSuggestion]:
    found: list[StepSuggestion] = []
    for link in endpoint.links:
        target = _target(link.operation_ref, link.operation_id, peers)
        if target is None:
            continue
        where = {p.get("name"): p.get("location", p.get("in")) for p in target.parameters}
        extract: list[Extraction] = []
        values: dict[str, dict[str, str]] = {"path": {}, "query": {}, "header": {}}
        for raw_name, expression in link.parameters.items():
            # A link may name a parameter's location first: "path.item_id".
            location, _, name = raw_name.rpartition(".")
            location = location or where.get(name) or "path"
            extraction = _extraction(variable_for(name), expression)
            if extraction is None or location not in values:
                continue
            extract.append(extraction)
            values[location][name] = "{{" + extraction.variable + "}}"
        if extract:
            found.append(
                StepSuggestion(
                    from_endpoint_id=endpoint.id,
                    to_endpoint_id=target.id,
                    kind="link",
                    name=link.name,
                    extract=extract,
                    path_params=values["path"],
                    query=values["query"],
                    headers=values["header"],
                )
            )
    return found


def _pairs(endpoint: EndpointRead, peers: list[EndpointRead]) -> list[StepSuggestion]:
    if endpoint.method != "POST" or "id" not in endpoint.response_fields:
        return []
    prefix = endpoint.path.rstrip("/") + "/"
    found: list[StepSuggestion] = []
    for target in peers:
        rest = target.path[len(prefix) :] if target.path.startswith(prefix) else ""
        parameter = _PARAMETER.match(rest)
        if target.method not in _FOLLOWERS or parameter is None:
            continue
        variable = variable_for(parameter.group(1))
        found.append(
            StepSuggestion(
                from_endpoint_id=endpoint.id,
                to_endpoint_id=target.id,
                kind="pair",
                name="id",
                extract=[Extraction(variable=variable, source=Source.JSON, expression="id")],
                path_params={parameter.group(1): "{{" + variable + "}}"},
            )
        )
    return found


def suggestions(endpoints: list[EndpointRead]) -> list[StepSuggestion]:
    """Every suggested next step among ``endpoints`` (links resolve within the same spec)."""
    live = [e for e in endpoints if not e.removed]
    found: list[StepSuggestion] = []
    for endpoint in live:
        peers = [e for e in live if e.spec_id == endpoint.spec_id]
        linked = _from_links(endpoint, peers)
        taken = {s.to_endpoint_id for s in linked}
        found += linked + [s for s in _pairs(endpoint, peers) if s.to_endpoint_id not in taken]
    return found
