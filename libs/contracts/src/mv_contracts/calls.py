"""One HTTP request as a scenario or a journey's step sends it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from .common import Name, Text
from .envelope import Contract
from .secrecy import BodyPath, resolve
from .spec import HttpMethod


def _no_line_breaks(value: str) -> str:
    # A CR or LF in a header value would let it forge headers (HTTP header injection).
    if "\r" in value or "\n" in value:
        raise ValueError("header values must not contain line breaks")
    return value


HEADER_NAME = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$"
HeaderName = Annotated[str, Field(min_length=1, max_length=200, pattern=HEADER_NAME)]
HeaderValue = Annotated[Text, AfterValidator(_no_line_breaks)]
Headers = dict[HeaderName, HeaderValue]


class SecretFields(Contract):
    """Fields of a request marked secret (:mod:`mv_contracts.secrecy`); those named like a
    secret are secret without a mark."""

    headers: list[HeaderName] = Field(default_factory=list, max_length=100)
    query: list[Name] = Field(default_factory=list, max_length=100)
    body: list[BodyPath] = Field(
        default_factory=list, max_length=100, description="Dotted paths: password, user.password"
    )


class EndpointCall(Contract):
    """One HTTP request as the scenario sends it; the path stays a template."""

    method: HttpMethod
    path: Text = Field(min_length=1, max_length=2000, examples=["/items/{item_id}"])
    path_params: dict[str, Text] = Field(default_factory=dict)
    query: dict[str, Text] = Field(default_factory=dict)
    headers: Headers = Field(default_factory=dict)
    body: Any = Field(default=None, description="JSON body; sent with JSON.stringify")
    secrets: SecretFields = Field(
        default_factory=SecretFields,
        description="Headers, query parameters and body fields whose values are secret: sent "
        "to k6 through its environment, never written in a script, shown masked",
    )

    @model_validator(mode="after")
    def _marks_name_fields(self) -> EndpointCall:
        headers = {name.lower() for name in self.headers}
        for name in self.secrets.headers:
            if name.lower() not in headers:
                raise ValueError(f"secrets.headers: {name!r} is not one of the headers")
        for name in self.secrets.query:
            if name not in self.query:
                raise ValueError(f"secrets.query: {name!r} is not one of the query parameters")
        for path in self.secrets.body:
            if resolve(self.body, path) is None:
                raise ValueError(f"secrets.body: {path!r} names no field of the body")
        return self
