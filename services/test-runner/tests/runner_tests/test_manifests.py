"""Kubernetes manifests: whole runs against golden files, and the official schemas.

Each case is every object one run creates (ConfigMap, Secret, Job, in that order), compared in
full with ``golden/runs/<case>.yaml``: an unexpected extra volume or a changed default fails.
Regenerate after an intended change: see golden.py.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from mv_contracts.runs import MetricsMode
from mv_test_runner.executors import segments
from mv_test_runner.executors.base import job_name
from mv_test_runner.executors.kubernetes import job_options
from mv_test_runner.executors.manifests import (
    RUN_LABEL,
    RUNNER_LABEL,
    JobOptions,
    RunManifests,
    job_manifest,
    owner_patch,
    run_manifests,
)
from mv_test_runner.script import generate_script
from mv_test_runner.settings import K6Output, Settings

from . import golden_requests
from .golden import check_yaml, files

K8S_VERSION = "1.33.0"
# Every setting a case does not choose stays at its default, so a changed default shows too.
CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    # The plainest run: script in a ConfigMap, no Secret, TTL clean-up, default resources.
    "constant-vus": (golden_requests.constant_vus, {}),  # the fast mode: remote write
    # Secret headers: a Secret beside the ConfigMap, read by the Job through envFrom.
    "secret-headers": (golden_requests.multiple_scenarios, {"kubernetes_namespace": "load"}),
    # The PVC script mode, the web dashboard, own resources and deadline, kept after the run;
    # the precise metrics mode (k6's InfluxDB output).
    "pvc-dashboard-resources": (
        golden_requests.korean,
        {
            "kubernetes_namespace": "load",
            "k6_script_storage": "pvc",
            "k6_default_pvc": "scripts-claim",
            "k6_script_file_folder": "/mnt/k6",
            "k6_web_dashboard": True,
            "k6_cpu_request": "1",
            "k6_cpu_limit": "4",
            "k6_memory_request": "512Mi",
            "k6_memory_limit": "2Gi",
            "scheduler_job_timeout_hours": 0.75,
            "auto_delete_completed_jobs": False,
            "k6_image": "registry.local/k6:2.2.0",
        },
    ),
}


def valid(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Settings from the given values and defaults only: no environment, no .env file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)

    def settings(**changes: Any) -> Settings:
        return Settings(
            _env_file=None,
            influxdb_host="influxdb.metric-vault.svc",
            metrics_receiver_url="http://metrics-receiver.metric-vault.svc:9091",
            **changes,
        )

    return settings


def objects(run: RunManifests) -> list[dict[str, Any]]:
    return [o for o in (run.configmap, run.secret, *run.jobs) if o is not None]


def build(case: str, settings: Settings) -> RunManifests:
    make, _ = CASES[case]
    request = make()
    script = generate_script(request)
    name = job_name(request.test_id)
    return run_manifests(
        name,
        request.test_id,
        job_options(settings),
        script.text,
        script.secrets,
        metrics_mode=request.metrics_mode,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_run_manifests(case: str, pinned: Any) -> None:
    run = build(case, pinned(**CASES[case][1]))
    for manifest in objects(run):
        valid(manifest)
    header = f"The objects one run creates, in order: {case} (test_manifests.py)."
    check_yaml(f"runs/{case}.yaml", objects(run), header)


SPLIT = "split-3-runners-one-per-node"


def build_split(settings: Settings) -> RunManifests:
    request = golden_requests.multiple_scenarios()
    script = generate_script(request)
    name = job_name(request.test_id)
    options = job_options(settings)
    return run_manifests(
        name,
        request.test_id,
        options,
        script.text,
        script.secrets,
        parallelism=3,
        one_per_node=True,
    )


def test_golden_split_run_manifests(pinned: Any) -> None:
    run = build_split(pinned())
    for manifest in objects(run):
        valid(manifest)
    header = (
        f"The objects of one test split over 3 runners, one per node: {SPLIT} (test_manifests.py)."
    )
    check_yaml(f"runs/{SPLIT}.yaml", objects(run), header)


def test_a_split_run_is_three_paused_jobs_of_one_run(pinned: Any) -> None:
    run = build_split(pinned())
    name = job_name(golden_requests.multiple_scenarios().test_id)
    assert [j["metadata"]["name"] for j in run.jobs] == [f"{name}-{i}" for i in (1, 2, 3)]
    for index, job in enumerate(run.jobs, start=1):
        pod = job["spec"]["template"]
        assert pod["metadata"]["labels"][RUN_LABEL] == name  # one label finds every runner
        assert pod["metadata"]["labels"][RUNNER_LABEL] == f"{name}-{index}"
        (container,) = pod["spec"]["containers"]
        args = container["args"]
        segment = args[args.index("--execution-segment") + 1]
        assert segment == segments.execution_segment(index, 3)
        assert args[args.index("--execution-segment-sequence") + 1] == "0,1/3,2/3,1"
        assert args[args.index("--address") + 1] == "0.0.0.0:6565"
        assert "--paused" in args
        assert container["envFrom"] == [{"secretRef": {"name": name}}]  # the one shared Secret
        anti = pod["spec"]["affinity"]["podAntiAffinity"]
        assert anti["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"] == {
            "matchLabels": {RUN_LABEL: name}
        }
    assert run.configmap is not None
    assert run.configmap["metadata"]["name"] == name


def test_golden_files_match_the_cases() -> None:
    assert files("runs") == {f"{case}.yaml" for case in CASES} | {f"{SPLIT}.yaml"}


def test_what_each_case_creates(pinned: Any) -> None:
    """The golden files hold what the cases promise (so a regenerated file cannot drift)."""
    plain = build("constant-vus", pinned())
    assert (plain.configmap is not None, plain.secret is None) == (True, True)
    spec = plain.job["spec"]
    assert (spec["backoffLimit"], spec["ttlSecondsAfterFinished"]) == (0, 3600)
    assert spec["template"]["spec"]["automountServiceAccountToken"] is False
    (container,) = spec["template"]["spec"]["containers"]
    assert "envFrom" not in container
    # The fast mode: remote write to the receiver, native histograms, a lean set of tags.
    assert container["args"][2:4] == ["-o", "experimental-prometheus-rw"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["K6_PROMETHEUS_RW_SERVER_URL"] == (
        "http://metrics-receiver.metric-vault.svc:9091/api/v1/write"
    )
    assert env["K6_FEATURES"] == "native-histograms"
    assert env["K6_SYSTEM_TAGS"] == "scenario,status,expected_response,error_code,check"
    secret = build("secret-headers", pinned(**CASES["secret-headers"][1]))
    assert secret.secret is not None
    assert secret.configmap is not None
    assert "Bearer T0K3N" not in str(secret.configmap) + str(secret.job)
    assert set(secret.secret["stringData"].values()) == {"Bearer T0K3N", "K3Y", "sid=C00K1E"}
    pvc = build("pvc-dashboard-resources", pinned(**CASES["pvc-dashboard-resources"][1]))
    assert (pvc.configmap, pvc.secret) == (None, None)
    assert pvc.script_path == f"/mnt/k6/{job_name('한국어-테스트-001')}.js"
    spec = pvc.job["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    assert container["args"][-1] == pvc.script_path
    # The precise mode: every sample into InfluxDB, as before metrics modes.
    assert container["args"][2:4] == ["-o", "influxdb=http://influxdb.metric-vault.svc:8086/k6"]
    assert "K6_PROMETHEUS_RW_SERVER_URL" not in str(container["env"])
    assert container["ports"] == [{"name": "dashboard", "containerPort": 5665}]
    assert spec["activeDeadlineSeconds"] == 2700
    assert "ttlSecondsAfterFinished" not in spec


def test_owner_patch_of_a_split_run_names_every_job() -> None:
    owners = owner_patch("k6-x-1", "u1", ("k6-x-2", "u2"))["metadata"]["ownerReferences"]
    assert [(o["name"], o["uid"]) for o in owners] == [("k6-x-1", "u1"), ("k6-x-2", "u2")]


def test_owner_patch_names_the_job() -> None:
    assert owner_patch("k6-x", "0c1b2a39-5e3f-4d6a-9e1f-9a2b3c4d5e6f") == {
        "metadata": {
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": "k6-x",
                    "uid": "0c1b2a39-5e3f-4d6a-9e1f-9a2b3c4d5e6f",
                }
            ]
        }
    }


def test_an_invalid_manifest_is_caught_by_the_validator() -> None:
    output = K6Output(("-o", "influxdb=http://i:8086/k6"), {})
    options = JobOptions("load", "grafana/k6:2.2.0", {MetricsMode.PRECISE: output}, 1, True)
    job = job_manifest("k6-x", "x", options, with_secret=False, metrics_mode=MetricsMode.PRECISE)
    valid(job)
    job["spec"]["backoffLimit"] = "zero"
    with pytest.raises(kubernetes_validate.ValidationError):
        valid(job)
