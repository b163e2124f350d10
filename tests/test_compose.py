"""docker-compose.yml against the Compose specification's JSON schema, and against the Dockerfile.

The schema is the compose-spec project's (Apache-2.0), as vendored by the check-jsonschema
package from PyPI (``vendor.compose-spec``).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import yaml

from mv_devstack.config import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"


def compose_schema() -> dict[str, Any]:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads((vendor / "compose-spec.json").read_text("utf-8"))
    return schema


def validator() -> Any:
    schema = compose_schema()  # JSON Schema 2020-12 at the time of writing: use what it declares
    return jsonschema.validators.validator_for(schema)(schema)


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return document


def test_compose_file_follows_the_compose_specification() -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(compose())]
    assert errors == []


def test_the_schema_rejects_a_broken_compose_file() -> None:
    broken = compose()
    broken["services"]["gateway"]["ports"] = {"8000": 8000}  # a mapping where a list belongs
    broken["services"]["nats"]["restart_policy"] = "always"  # no such service key
    errors = list(validator().iter_errors(broken))
    assert {tuple(e.absolute_path)[:3] for e in errors} >= {
        ("services", "gateway", "ports"),
        ("services", "nats"),
    }


def test_every_build_target_is_a_dockerfile_stage_running_a_workspace_module() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text("utf-8")
    stages = set(re.findall(r"^FROM \S+ AS (\S+)$", dockerfile, flags=re.MULTILINE))
    services = compose()["services"]
    targets = {s["build"]["target"] for s in services.values() if "target" in s.get("build", {})}
    assert targets == {
        "gateway", "spec-analyzer", "test-runner", "metrics-aggregator", "pod-watcher", "demo-api",
    }  # fmt: skip
    assert targets <= stages
    for module in re.findall(r'CMD \["python", "-m", "(\w+)"', dockerfile):
        assert list(Path(REPO_ROOT).glob(f"*/*/src/{module}/__main__.py")), module


def test_dependencies_exist_and_start_without_a_profile() -> None:
    services = compose()["services"]
    default = {name for name, service in services.items() if not service.get("profiles")}
    assert {"nats", "influxdb", "postgres", "gateway", "test-runner", "demo-api"} <= default
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= default, name
    assert services["test-runner"]["environment"]["TEST_RUNNER_EXECUTOR"] == "local"
