"""The Helm chart: ``helm lint`` clean, and ``helm template`` output accepted by a real API server
(server-side apply with dryRun=All), with the defaults and with the optional parts switched."""

from __future__ import annotations

from typing import Any

import pytest

from mv_devstack.kube import KubeApiServer
from mv_runtime.sealing import Sealer

from .chart import CHART, apply, create_namespace, helm, template, unique

VARIANTS = {
    "defaults": [],
    "ingress, external database, own job namespace, local executor, no pod-watcher": [
        "--set", "gateway.ingress.enabled=true,gateway.ingress.className=traefik",
        "--set", "gateway.ingress.tls[0].secretName=mv-tls",
        "--set", "gateway.ingress.tls[0].hosts[0]=mv.local",
        "--set", "postgresql.enabled=false",
        "--set", "database.url=postgresql+asyncpg://u:p@db.example:5432/mv",
        "--set", "testRunner.executor=local,podWatcher.enabled=false",
    ],
}  # fmt: skip


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


@pytest.mark.parametrize("options", VARIANTS.values(), ids=VARIANTS.keys())
def test_helm_lint_is_clean(options: list[str]) -> None:
    result = helm("lint", "--strict", str(CHART), *options)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout


def test_defaults_render_the_whole_stack() -> None:
    docs = template("mv", "--set", "postgresql.password=p@ss word")
    deployments = by_kind(docs, "Deployment")
    assert set(deployments) == {
        f"mv-metric-vault-{name}"
        for name in (
            "gateway", "spec-analyzer", "test-runner", "metrics-aggregator", "metrics-receiver",
            "pod-watcher",
        )
    }  # fmt: skip
    assert set(by_kind(docs, "StatefulSet")) == {
        "mv-metric-vault-nats", "mv-metric-vault-influxdb", "mv-metric-vault-postgresql",
    }  # fmt: skip
    (gateway,) = deployments["mv-metric-vault-gateway"]["spec"]["template"]["spec"]["containers"]
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # the gateway's own readiness; GET / is the whole product's health
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # a stopping gateway serves on until the Service has dropped it: upgrades lose no request
    assert gateway["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}
    assert gateway["env"][0]["valueFrom"]["secretKeyRef"]["name"] == "mv-metric-vault-database"
    secret = by_kind(docs, "Secret")["mv-metric-vault-database"]["stringData"]
    assert secret["DATABASE_URL"] == (
        "postgresql+asyncpg://metricvault:p%40ss+word@mv-metric-vault-postgresql:5432/metric_vault"
    )
    runner = by_kind(docs, "ConfigMap")["mv-metric-vault-test-runner"]["data"]
    assert runner["TEST_RUNNER_EXECUTOR"] == "kubernetes"
    assert runner["KUBERNETES_NAMESPACE"] == "mv"
    # k6 Jobs push to the receiver by its Service's full name (they may run in another namespace).
    assert runner["METRICS_RECEIVER_URL"] == "http://mv-metric-vault-metrics-receiver.mv.svc:9091"
    receiver = deployments["mv-metric-vault-metrics-receiver"]["spec"]
    assert (receiver["replicas"], receiver["strategy"]) == (1, {"type": "Recreate"})
    (container,) = receiver["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", "mv_metrics_aggregator.receiver"]
    service = by_kind(docs, "Service")["mv-metric-vault-metrics-receiver"]["spec"]
    assert service["ports"][0]["port"] == 9091
    # Its stream of pushes stays well inside the NATS volume it shares with the events.
    settings = by_kind(docs, "ConfigMap")["mv-metric-vault-metrics-receiver"]["data"]
    assert settings["RECEIVER_STREAM_MAX_BYTES"] == str(512 * 2**20)
    assert set(by_kind(docs, "Namespace")) == {"metric-vault-tests"}
    assert by_kind(docs, "Ingress") == {}


@pytest.mark.parametrize("options", VARIANTS.values(), ids=VARIANTS.keys())
def test_template_passes_a_server_side_dry_run(
    kube: KubeApiServer, kube_api: Any, options: list[str]
) -> None:
    namespace, tests, jobs = unique("mv-chart"), unique("mv-chart-tests"), unique("mv-chart-jobs")
    create_namespace(kube_api, namespace)
    create_namespace(kube_api, jobs)
    docs = template(
        namespace, "--set", f"testNamespace.name={tests},testRunner.jobNamespace={jobs}", *options
    )
    namespaces = [doc for doc in docs if doc["kind"] == "Namespace"]
    apply(kube_api, namespaces, namespace, dry_run=True)
    if not namespaces:  # testNamespace.create=false: it must exist
        create_namespace(kube_api, tests)
    else:  # the dry run created nothing; what lives in it needs it
        apply(kube_api, namespaces, namespace, dry_run=False)
    apply(kube_api, [doc for doc in docs if doc["kind"] != "Namespace"], namespace, dry_run=True)
    assert len(docs) > 15


def test_the_dry_run_catches_what_the_api_server_would_refuse(kube_api: Any) -> None:
    namespace = unique("mv-chart")
    create_namespace(kube_api, namespace)
    docs = template(namespace)
    deployment = by_kind(docs, "Deployment")["mv-metric-vault-gateway"]
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}  # a typo
    with pytest.raises(AssertionError, match="livenessProbes"):
        apply(kube_api, [deployment], namespace, dry_run=True)
    statefulset = by_kind(docs, "StatefulSet")["mv-metric-vault-nats"]
    statefulset["spec"]["template"]["metadata"]["labels"] = {"other": "labels"}
    with pytest.raises(AssertionError, match="selector"):
        apply(kube_api, [statefulset], namespace, dry_run=True)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ("testRunner.executor=docker", "/testRunner/executor"),
        ("testNamespace.name=Not_A_Name", "/testNamespace/name"),
        ("postgresql.enabled=false", "set database.url or database.existingSecret"),
        ("podWatcher.replicas=2", "/podWatcher/replicas"),
        ("gateway.preStopSeconds=-1", "/gateway/preStopSeconds"),
    ],
)
def test_wrong_values_are_refused_with_a_reason(values: str, error: str) -> None:
    result = helm("template", "mv", str(CHART), "--set", values)
    assert result.returncode != 0
    assert error in result.stderr


def _gateway(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (gateway,) = by_kind(docs, "Deployment")["mv-metric-vault-gateway"]["spec"]["template"]["spec"][
        "containers"
    ]
    return gateway  # type: ignore[no-any-return]


def test_a_zero_pre_stop_leaves_the_gateway_without_the_hook() -> None:
    assert "lifecycle" not in _gateway(template("mv", "--set", "gateway.preStopSeconds=0"))


def _gateway_env(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in _gateway(docs)["env"]}


def test_the_first_admin_gets_a_generated_password_from_a_secret() -> None:
    docs = template("mv")
    password = by_kind(docs, "Secret")["mv-metric-vault-admin"]["stringData"]
    assert len(password["GATEWAY_ADMIN_PASSWORD"]) == 24
    env = _gateway_env(docs)
    assert env["GATEWAY_ADMIN_USERNAME"] == "admin"
    assert env["GATEWAY_ADMIN_PASSWORD"]["secretKeyRef"] == {
        "name": "mv-metric-vault-admin", "key": "GATEWAY_ADMIN_PASSWORD",
    }  # fmt: skip
    assert env["SECURE_COOKIES"] == "auto"
    own = template("mv", "--set", "gateway.auth.existingSecret=our-admin")
    assert "mv-metric-vault-admin" not in by_kind(own, "Secret")
    assert _gateway_env(own)["GATEWAY_ADMIN_PASSWORD"]["secretKeyRef"]["name"] == "our-admin"
    behind_tls = template(
        "mv", "--set", "gateway.ingress.enabled=true",
        "--set", "gateway.ingress.tls[0].secretName=mv-tls",
    )  # fmt: skip
    assert _gateway_env(behind_tls)["SECURE_COOKIES"] == "always"


def test_behind_the_ingress_the_gateway_believes_only_the_controllers_forwarded_for() -> None:
    assert "TRUSTED_PROXIES" not in _gateway_env(template("mv"))  # no proxy: header ignored
    ingress = ["--set", "gateway.ingress.enabled=true"]
    assert _gateway_env(template("mv", *ingress))["TRUSTED_PROXIES"] == '["10.42.0.0/16"]'
    narrowed = template("mv", *ingress, "--set", "gateway.ingress.trustedProxies={10.42.0.7}")
    assert _gateway_env(narrowed)["TRUSTED_PROXIES"] == '["10.42.0.7"]'
    refused = helm(
        "template", "mv", str(CHART), *ingress, "--set", "gateway.ingress.trustedProxies={*}"
    )
    assert refused.returncode != 0
    assert "/gateway/ingress/trustedProxies/0" in refused.stderr


def test_an_upgrade_keeps_the_admin_password(kube: KubeApiServer, kube_api: Any) -> None:
    """The chart reads the Secret back (lookup) instead of generating a new password."""
    namespace = unique("mv-admin")
    create_namespace(kube_api, namespace)
    installed = [d for d in template(namespace) if d["metadata"]["name"] == "mv-metric-vault-admin"]
    apply(kube_api, installed, namespace, dry_run=False)
    upgraded = template(namespace, "--dry-run=server", "--kubeconfig", str(kube.kubeconfig))
    again = by_kind(upgraded, "Secret")["mv-metric-vault-admin"]["stringData"]
    assert again == installed[0]["stringData"]


def _env_of(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (container,) = by_kind(docs, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_the_gateway_and_the_test_runner_share_a_generated_secrets_key() -> None:
    docs = template("mv")
    key = by_kind(docs, "Secret")["mv-metric-vault-secrets-key"]["stringData"]["SECRETS_KEY"]
    assert Sealer.of(key).open(Sealer.of(key).seal("s3cret")) == "s3cret"  # a Fernet key
    reference = {"secretKeyRef": {"name": "mv-metric-vault-secrets-key", "key": "SECRETS_KEY"}}
    for service in ("gateway", "test-runner"):
        assert _env_of(docs, f"mv-metric-vault-{service}")["SECRETS_KEY"] == reference
    assert "SECRETS_KEY" not in _env_of(docs, "mv-metric-vault-spec-analyzer")
    own = template("mv", "--set", "secretsKey.existingSecret=our-key")
    assert "mv-metric-vault-secrets-key" not in by_kind(own, "Secret")
    assert _env_of(own, "mv-metric-vault-test-runner")["SECRETS_KEY"]["secretKeyRef"]["name"] == (
        "our-key"
    )


def test_an_upgrade_keeps_the_secrets_key(kube: KubeApiServer, kube_api: Any) -> None:
    """A new key would leave every stored plan's secrets unreadable: it is read back."""
    namespace = unique("mv-key")
    create_namespace(kube_api, namespace)
    name = "mv-metric-vault-secrets-key"
    installed = [d for d in template(namespace) if d["metadata"]["name"] == name]
    apply(kube_api, installed, namespace, dry_run=False)
    upgraded = template(namespace, "--dry-run=server", "--kubeconfig", str(kube.kubeconfig))
    assert by_kind(upgraded, "Secret")[name]["stringData"] == installed[0]["stringData"]


def test_uninstall_keeps_what_the_data_outlives() -> None:
    """The chart's PostgreSQL keeps its volume after `helm uninstall` (a StatefulSet's claims
    stay), so the password in it must stay too, as the admin's and the secrets key do; the
    pre-delete hook removes the test-runner's own objects (Jobs, ConfigMaps, Secrets of runs)."""
    docs = template("mv")
    secrets = by_kind(docs, "Secret")
    for name in ("database", "admin", "secrets-key"):
        annotations = secrets[f"mv-metric-vault-{name}"]["metadata"].get("annotations") or {}
        assert annotations.get("helm.sh/resource-policy") == "keep", name
    external = template(
        "mv", "--set", "postgresql.enabled=false", "--set", "database.url=postgresql://db/mv"
    )
    assert "annotations" not in by_kind(external, "Secret")["mv-metric-vault-database"]["metadata"]
    hook = by_kind(docs, "Job")["mv-metric-vault-remove-runs"]
    assert hook["metadata"]["annotations"]["helm.sh/hook"] == "pre-delete"
    spec = hook["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "mv-metric-vault-test-runner"
    assert spec["containers"][0]["command"] == ["python", "-m", "mv_test_runner.remove_runs"]
    assert "Job" not in {d["kind"] for d in template("mv", "--set", "testRunner.executor=local")}
