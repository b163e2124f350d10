"""A test plan file: what to test (project, spec, endpoints by method and path) and how.

The CLI talks to the gateway over HTTP only, so the plan restates the scenario options of
``POST /load-testing``; the gateway validates them again and its 422 names the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ENDPOINT = re.compile(rf"^({'|'.join(METHODS)})\s+(/\S*)$", re.IGNORECASE)


class PlanError(Exception):
    """A plan file that cannot be used; the message says where and why."""


class PlanScenario(BaseModel):
    model_config = ConfigDict(extra="allow")  # executor options, targets, body: the gateway's

    name: str = Field(min_length=1, max_length=200)
    endpoint: str = Field(description='"METHOD /path/template", as the spec lists it')

    @field_validator("endpoint")
    @classmethod
    def _method_and_path(cls, value: str) -> str:
        match = ENDPOINT.match(value.strip())
        if not match:
            raise ValueError('expected "METHOD /path", e.g. "GET /products/{product_id}"')
        return f"{match.group(1).upper()} {match.group(2)}"

    @property
    def route(self) -> tuple[str, str]:
        method, path = self.endpoint.split(" ", 1)
        return method, path

    def options(self) -> dict[str, Any]:
        """Everything but the endpoint, as ``POST /load-testing`` takes a scenario."""
        return {"name": self.name, **(self.model_extra or {})}


class TestPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str = Field(min_length=1, max_length=200, description="Project title")
    spec: str = Field(description="Spec URL: a document, a Swagger UI or ReDoc page, a base URL")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    base_url: str | None = None
    target_tps: float | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    metrics_mode: str | None = Field(
        default=None, description="fast or precise (the gateway checks it); none: its default"
    )
    scenarios: list[PlanScenario] = Field(min_length=1)

    def load_test(self, endpoint_ids: dict[tuple[str, str], int]) -> dict[str, Any]:
        """The body of ``POST /load-testing``; every endpoint must be in ``endpoint_ids``."""
        missing = [s.endpoint for s in self.scenarios if s.route not in endpoint_ids]
        if missing:
            raise PlanError(f"the spec has no endpoint {', '.join(missing)}")
        body: dict[str, Any] = {
            "title": self.title,
            "scenarios": [
                {**s.options(), "endpoint_id": endpoint_ids[s.route]} for s in self.scenarios
            ],
        }
        for key in ("description", "base_url", "target_tps", "metrics_mode"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        if self.headers:
            body["headers"] = self.headers
        return body


def load_plan(path: Path) -> TestPlan:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PlanError(f"{path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise PlanError(f"{path}: not YAML: {error}") from error
    try:
        return TestPlan.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in error.errors()
        )
        raise PlanError(f"{path}: {problems}") from error
