"""Helpers of the chart tests: helm lint/template, and applying its output to the API server."""

from __future__ import annotations

import subprocess
import uuid
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.dynamic import DynamicClient

from mv_devstack.config import REPO_ROOT
from mv_devstack.kube import helm_binary

CHART = REPO_ROOT / "deploy" / "helm" / "metric-vault"
FIELD_MANAGER = "metric-vault-tests"


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    binary = helm_binary()
    if binary is None:
        pytest.fail("helm is not installed: run scripts/bootstrap.sh")
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, check=False)


def template(namespace: str, *options: str) -> list[dict[str, Any]]:
    """``helm template`` of the chart as a release ``mv`` in ``namespace``, parsed."""
    result = helm("template", "mv", str(CHART), "--namespace", namespace, *options)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"  # namespaces stay Terminating once deleted here


def create_namespace(api: Any, name: str) -> None:
    core: Any = client.CoreV1Api(api)
    core.create_namespace({"metadata": {"name": name}})


def apply(api: Any, docs: list[dict[str, Any]], namespace: str, *, dry_run: bool) -> None:
    """Server-side apply of every document, in order (namespaces first, as helm installs)."""
    dynamic: Any = DynamicClient(api)  # type: ignore[no-untyped-call]
    ordered = sorted(docs, key=lambda doc: doc["kind"] != "Namespace")
    for doc in ordered:
        resource = dynamic.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        options: dict[str, Any] = {"field_manager": FIELD_MANAGER}
        if dry_run:
            options["dry_run"] = "All"
        if resource.namespaced:
            options["namespace"] = doc["metadata"].get("namespace", namespace)
        try:
            dynamic.server_side_apply(resource, body=doc, **options)
        except Exception as error:
            raise AssertionError(f"{doc['kind']} {doc['metadata']['name']}: {error}") from error
