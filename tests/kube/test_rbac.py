"""RBAC: the chart's ServiceAccounts, Roles and RoleBindings applied to a real API server, then
asked with SubjectAccessReview: each service may do exactly what it needs, and no more."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import TestRunRequest
from mv_devstack.kube import KubeApiServer
from mv_test_runner.executors.base import job_name
from mv_test_runner.executors.kubernetes import KubernetesExecutor
from mv_test_runner.script import GeneratedScript
from mv_test_runner.settings import Settings

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
    # the pre-delete hook, as the test-runner: every run's objects at once, by label
    ("test-runner", "deletecollection", "batch:jobs", "release"),
    ("test-runner", "deletecollection", "configmaps", "release"),
    ("test-runner", "deletecollection", "secrets", "release"),
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


async def test_the_executor_runs_as_the_test_runner_account(
    installed: Namespaces,
    kube: KubeApiServer,
    kube_api: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real executor, with a token of the chart's test-runner ServiceAccount: its Role is
    enough to start a run, follow it to its end and cancel another."""
    core: Any = client.CoreV1Api(kube_api)
    token = core.create_namespaced_service_account_token(
        "mv-metric-vault-test-runner", installed.release, {"spec": {"expirationSeconds": 600}}
    ).status.token
    admin = yaml.safe_load(kube.kubeconfig.read_text())
    admin["users"] = [{"name": "test-runner", "user": {"token": token}}]
    admin["contexts"][0]["context"]["user"] = "test-runner"
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(admin))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    settings = Settings(kubernetes_namespace=installed.release, scheduler_poll_interval=1)
    executor = KubernetesExecutor(settings)
    script = GeneratedScript("export default function () {}\n", {"MV_SECRET_1": "x"})

    finished, cancelled = str(uuid.uuid4()), str(uuid.uuid4())
    for test_id in (finished, cancelled):
        await executor.start(request(test_id), script)
    assert await executor.is_running(finished)
    for read in (core.read_namespaced_config_map, core.read_namespaced_secret):  # patched
        (owner,) = read(job_name(finished), installed.release).metadata.owner_references
        assert owner.name == job_name(finished)
    waiting = asyncio.create_task(executor.wait(finished))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conditions = [
        {"type": kind, "status": "True", "reason": "CompletionsReached", "lastTransitionTime": now}
        for kind in ("SuccessCriteriaMet", "Complete")
    ]
    status = {"startTime": now, "completionTime": now, "succeeded": 1, "conditions": conditions}
    batch: Any = client.BatchV1Api(kube_api)
    batch.patch_namespaced_job_status(job_name(finished), installed.release, {"status": status})
    assert (await asyncio.wait_for(waiting, 30)).status is RunStatus.SUCCEEDED
    await executor.stop(cancelled)
    assert not await executor.is_running(cancelled)


def request(test_id: str) -> TestRunRequest:
    scenario = {
        "name": "s",
        "executor": "shared-iterations",
        "vus": 1,
        "iterations": 1,
        "endpoint": {"method": "GET", "path": "/"},
    }
    return TestRunRequest.model_validate(
        {
            "test_id": test_id,
            "title": "rbac",
            "project_id": 1,
            "base_url": "http://127.0.0.1:9",
            "scenarios": [scenario],
        }
    )
