"""RBAC: the chart's ServiceAccounts, Roles and RoleBindings applied to a real API server, then
asked with SubjectAccessReview: each service may do exactly what it needs, and no more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes import client

from mv_devstack.kube import KubeApiServer

from .chart import apply, create_namespace, template, unique


@dataclass(frozen=True)
class Namespaces:
    release: str
    tests: str


@pytest.fixture(scope="module")
def installed(kube: KubeApiServer, kube_api: Any) -> Namespaces:
    """Only the chart's RBAC, really applied; the job namespace is the release's (default)."""
    names = Namespaces(unique("mv-rbac"), unique("mv-rbac-tests"))
    create_namespace(kube_api, names.release)
    create_namespace(kube_api, names.tests)
    docs = template(
        names.release, "--set", f"testNamespace.name={names.tests}",
        "--show-only", "templates/rbac.yaml",
    )  # fmt: skip
    apply(kube_api, docs, names.release, dry_run=False)
    return names


def allowed(
    api: Any, names: Namespaces, account: str, verb: str, resource: str, where: str | None
) -> bool:
    group, _, resource = resource.rpartition(":")
    resource, _, subresource = resource.partition("/")
    user = f"system:serviceaccount:{names.release}:mv-metric-vault-{account}"
    namespace = {"release": names.release, "tests": names.tests, None: ""}[where]
    authorization: Any = client.AuthorizationV1Api(api)  # Any: typed models, Optional fields
    review = authorization.create_subject_access_review(
        {
            "spec": {
                "user": user,
                "groups": [
                    "system:serviceaccounts",
                    f"system:serviceaccounts:{names.release}",
                    "system:authenticated",
                ],
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": verb,
                    "group": group,
                    "resource": resource,
                    "subresource": subresource,
                },
            }
        }
    )
    return bool(review.status.allowed)


# (account, verb, "group:resource/subresource", namespace: release, tests or None = cluster)
NEEDED = [
    ("test-runner", verb, "batch:jobs", "release") for verb in ("create", "get", "watch", "delete")
] + [
    ("test-runner", "get", "batch:jobs/status", "release"),
    ("test-runner", "create", "configmaps", "release"),
    ("test-runner", "patch", "configmaps", "release"),
    ("test-runner", "create", "secrets", "release"),
    ("test-runner", "delete", "secrets", "release"),
    ("test-runner", "list", "pods", "release"),
    ("test-runner", "get", "pods/log", "release"),
    ("pod-watcher", "list", "pods", "tests"),
    ("pod-watcher", "watch", "pods", "tests"),
    ("pod-watcher", "watch", "services", "tests"),
    ("pod-watcher", "list", "metrics.k8s.io:pods", "tests"),
    ("pod-watcher", "get", "metrics.k8s.io:pods", "tests"),
]
FORBIDDEN = [
    ("test-runner", "list", "pods", "tests"),
    ("test-runner", "get", "secrets", "tests"),
    ("test-runner", "create", "batch:jobs", "tests"),
    ("test-runner", "update", "batch:jobs/status", "release"),
    ("test-runner", "create", "pods", "release"),
    ("test-runner", "create", "pods/exec", "release"),
    ("test-runner", "list", "secrets", "release"),
    ("test-runner", "create", "apps:deployments", "release"),
    ("test-runner", "create", "rbac.authorization.k8s.io:rolebindings", "release"),
    ("test-runner", "list", "nodes", None),
    ("pod-watcher", "create", "batch:jobs", "tests"),
    ("pod-watcher", "get", "secrets", "tests"),
    ("pod-watcher", "list", "configmaps", "tests"),
    ("pod-watcher", "delete", "pods", "tests"),
    ("pod-watcher", "get", "pods/log", "tests"),
    ("pod-watcher", "list", "pods", "release"),
    ("pod-watcher", "list", "pods", None),
    ("pod-watcher", "list", "metrics.k8s.io:nodes", None),
    ("service", "list", "pods", "release"),
    ("service", "get", "secrets", "release"),
    ("service", "get", "configmaps", "release"),
]


def test_each_account_may_do_what_it_needs(installed: Namespaces, kube_api: Any) -> None:
    denied = [check for check in NEEDED if not allowed(kube_api, installed, *check)]
    assert denied == []


def test_and_nothing_more(installed: Namespaces, kube_api: Any) -> None:
    granted = [check for check in FORBIDDEN if allowed(kube_api, installed, *check)]
    assert granted == []
