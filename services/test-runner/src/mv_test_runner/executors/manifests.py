"""Kubernetes manifests of a run, as pure functions (golden-tested, schema-validated).

A run is a ConfigMap holding the script (or a team's own script's files, each at its path; or,
in the PVC mode, files on the claim K6_DEFAULT_PVC under K6_SCRIPT_FILE_FOLDER), a Secret
holding the secret headers' values, and a Job running the pinned k6 image with the output of
the test's metrics mode (``JobOptions.outputs``: remote write to the metrics receiver, or
InfluxDB). All carry the label ``RUN_LABEL`` =
job name and the annotation ``TEST_ID_ANNOTATION`` = test id. Once the Job exists,
:func:`owner_patch` makes it the owner of the ConfigMap and Secret. Golden files of whole runs:
tests/runner_tests/golden/.

A test split over N runners has N Jobs ``<name>-1`` … ``<name>-N`` sharing the one ConfigMap and
Secret (owned by all N), each k6 with its execution segment, started ``--paused`` with its REST API
on ``K6_API_PORT``; its pods carry ``RUNNER_LABEL`` = its Job's name besides ``RUN_LABEL``, and
``one_runner_per_node`` adds a required pod anti-affinity on ``RUN_LABEL``.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any, Literal

from mv_contracts.runs import TEST_ID_TAG, MetricsMode
from mv_test_runner.settings import K6Output

from .segments import segment_args

RUN_LABEL = "metric-vault.io/run"
RUNNER_LABEL = "metric-vault.io/runner"
TEST_ID_ANNOTATION = "metric-vault.io/test-id"
SCRIPT_KEY = "script.js"
CONFIGMAP_MOUNT = "/scripts"
# The API server refuses a ConfigMap whose values hold more bytes than this.
CONFIGMAP_MAX_BYTES = 1024 * 1024
DASHBOARD_PORT = 5665


@dataclass(frozen=True, slots=True)
class JobOptions:
    namespace: str
    image: str
    outputs: dict[MetricsMode, K6Output]
    """k6's output arguments and environment per metrics mode (``Settings.k6_output``)."""
    timeout_hours: float
    auto_delete: bool
    storage: Literal["configmap", "pvc"] = "configmap"
    script_folder: str = "/mnt/k6-scripts"
    pvc: str = "k6-script-pvc"
    dashboard: bool = False
    cpu_request: str = "500m"
    cpu_limit: str = "2"
    memory_request: str = "256Mi"
    memory_limit: str = "1Gi"
    ttl_seconds: int = 3600
    api_port: int = 6565


@dataclass(frozen=True, slots=True)
class Split:
    """Runner ``index`` of ``parallelism`` of the run (a test split over several k6)."""

    index: int
    parallelism: int
    one_per_node: bool = False


def metadata(name: str, namespace: str, test_id: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "labels": {
            "app.kubernetes.io/name": "k6",
            "app.kubernetes.io/managed-by": "metric-vault",
            RUN_LABEL: name,
        },
        "annotations": {TEST_ID_ANNOTATION: test_id},
    }


@dataclass(frozen=True, slots=True)
class OwnFiles:
    """A team's own script of several files (modules, data) and the one k6 runs."""

    files: dict[str, bytes]
    """Relative path → content, as the archive holds them (paths checked when unpacked)."""
    entry: str

    @property
    def keys(self) -> dict[str, str]:
        """Path → ConfigMap key: a key cannot hold a "/", so each file is mounted at its path."""
        return {path: f"file-{i}" for i, path in enumerate(sorted(self.files))}

    def check_fits(self) -> None:
        """:class:`ValueError` in words when the files outgrow one ConfigMap."""
        size = sum(len(content) for content in self.files.values())
        if size > CONFIGMAP_MAX_BYTES:
            raise ValueError(
                f"the script's files hold {size / 1024 / 1024:.1f} MiB and a Kubernetes "
                f"ConfigMap at most {CONFIGMAP_MAX_BYTES // 1024 // 1024} MiB: run it with "
                "K6_SCRIPT_STORAGE=pvc or on the local executor"
            )


def script_configmap(
    name: str,
    namespace: str,
    test_id: str,
    script: str,
    files: dict[str, str] | None = None,
    own: OwnFiles | None = None,
) -> dict[str, Any]:
    """The script and the files it reads beside itself (data files), mounted as one folder;
    or an own script's files, each at its path (:func:`script_volume`)."""
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(name, namespace, test_id),
    }
    if own is None:
        return {**configmap, "data": {SCRIPT_KEY: script, **(files or {})}}
    own.check_fits()
    data = {key: base64.b64encode(own.files[path]).decode() for path, key in own.keys.items()}
    return {**configmap, "binaryData": data}


def secret_manifest(
    name: str, namespace: str, test_id: str, secrets: dict[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(name, namespace, test_id),
        "type": "Opaque",
        "stringData": dict(secrets),
    }


def _on_claim(name: str, options: JobOptions) -> str:
    return f"{options.script_folder.rstrip('/')}/{name}"


def own_folder(name: str, options: JobOptions) -> str:
    """In the PVC mode, the folder of run ``name`` on the claim holding an own script's files."""
    return _on_claim(name, options)


def script_path(name: str, options: JobOptions, own: OwnFiles | None = None) -> str:
    """The file k6 runs: in the PVC mode ``<name>.js`` on the claim, or an own script's entry in
    its :func:`own_folder`; else in the ConfigMap's folder."""
    if options.storage == "pvc":
        if own is not None:
            return f"{own_folder(name, options)}/{own.entry}"
        return _on_claim(f"{name}.js", options)
    return f"{CONFIGMAP_MOUNT}/{SCRIPT_KEY if own is None else own.entry}"


def script_volume(name: str, options: JobOptions, own: OwnFiles | None) -> dict[str, Any]:
    if options.storage == "pvc":
        return {
            "name": "scripts",
            "persistentVolumeClaim": {"claimName": options.pvc, "readOnly": True},
        }
    configmap: dict[str, Any] = {"name": name}
    if own is not None:
        configmap["items"] = [{"key": key, "path": path} for path, key in own.keys.items()]
    return {"name": "scripts", "configMap": configmap}


def job_manifest(
    name: str,
    test_id: str,
    options: JobOptions,
    *,
    with_secret: bool,
    split: Split | None = None,
    metrics_mode: MetricsMode = MetricsMode.FAST,
    own: OwnFiles | None = None,
) -> dict[str, Any]:
    """The k6 Job; ``with_secret`` adds ``envFrom`` the Secret named ``name``. With ``split``, the
    Job of that runner: named ``<name>-<index>``, paused until resumed, its segment only."""
    job = name if split is None else f"{name}-{split.index}"
    output = options.outputs[metrics_mode]
    env = [{"name": k, "value": v} for k, v in sorted(output.env.items())]
    ports: list[dict[str, Any]] = []
    if options.dashboard:
        env += [
            {"name": "K6_WEB_DASHBOARD", "value": "true"},
            {"name": "K6_WEB_DASHBOARD_HOST", "value": "0.0.0.0"},
            {"name": "K6_WEB_DASHBOARD_PORT", "value": str(DASHBOARD_PORT)},
        ]
        ports.append({"name": "dashboard", "containerPort": DASHBOARD_PORT})
    volume = script_volume(name, options, own)
    folder = options.script_folder if options.storage == "pvc" else CONFIGMAP_MOUNT
    mount = {"name": "scripts", "mountPath": folder, "readOnly": True}
    container: dict[str, Any] = {
        "name": "k6",
        "image": options.image,
        "args": [
            "run",
            "--no-color",
            *output.args,
            "--tag",
            f"{TEST_ID_TAG}={test_id}",
            *_split_args(split, options),
            # An own script's handleSummary is its own: k6's export carries the counts instead.
            *(["--summary-export", "/dev/stdout"] if own is not None else []),
            script_path(name, options, own),
        ],
        "env": env,
        "resources": {
            "requests": {"cpu": options.cpu_request, "memory": options.memory_request},
            "limits": {"cpu": options.cpu_limit, "memory": options.memory_limit},
        },
        "volumeMounts": [mount],
        # The reason of a failure: k6's last output lines when it wrote no termination message.
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    if split is not None:
        ports.append({"name": "k6-api", "containerPort": options.api_port})
    if ports:
        container["ports"] = ports
    if with_secret:
        container["envFrom"] = [{"secretRef": {"name": name}}]
    labels = metadata(name, options.namespace, test_id)["labels"]
    if split is not None:
        labels[RUNNER_LABEL] = job
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        # k6 never talks to the Kubernetes API: no service-account token in its pod.
        "automountServiceAccountToken": False,
        "containers": [container],
        "volumes": [volume],
    }
    if split is not None and split.one_per_node:
        term = {
            "labelSelector": {"matchLabels": {RUN_LABEL: name}},
            "topologyKey": "kubernetes.io/hostname",
        }
        pod["affinity"] = {
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        }
    spec: dict[str, Any] = {
        "backoffLimit": 0,
        "activeDeadlineSeconds": math.ceil(options.timeout_hours * 3600),
        "template": {"metadata": {"labels": labels}, "spec": pod},
    }
    if options.auto_delete:
        spec["ttlSecondsAfterFinished"] = options.ttl_seconds
    job_metadata = metadata(name, options.namespace, test_id)
    job_metadata["name"] = job
    job_metadata["labels"] = dict(labels)
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_metadata, "spec": spec}


def _split_args(split: Split | None, options: JobOptions) -> list[str]:
    if split is None:
        return []
    # The REST API on every address of the pod: the test-runner reaches it by pod IP.
    return [
        *segment_args(split.index, split.parallelism),
        "--paused",
        "--address",
        f"0.0.0.0:{options.api_port}",
    ]


@dataclass(frozen=True, slots=True)
class RunManifests:
    """What one run creates, in the order it must be created (the Job last: its pod needs both)."""

    jobs: list[dict[str, Any]]
    """One Job, or one per runner of a split test (in segment order)."""
    configmap: dict[str, Any] | None
    """None in PVC mode, where the script is the file :attr:`script_path` on the claim."""
    secret: dict[str, Any] | None
    """None when no header holds a secret."""
    script_path: str

    @property
    def job(self) -> dict[str, Any]:
        """The Job of a run on one runner."""
        (job,) = self.jobs
        return job


def run_manifests(
    name: str,
    test_id: str,
    options: JobOptions,
    script: str,
    secrets: dict[str, str],
    *,
    parallelism: int = 1,
    one_per_node: bool = False,
    metrics_mode: MetricsMode = MetricsMode.FAST,
    files: dict[str, str] | None = None,
    own: OwnFiles | None = None,
) -> RunManifests:
    namespace = options.namespace
    splits: list[Split | None] = (
        [None]
        if parallelism == 1
        else [Split(i, parallelism, one_per_node) for i in range(1, parallelism + 1)]
    )
    return RunManifests(
        jobs=[
            job_manifest(
                name,
                test_id,
                options,
                with_secret=bool(secrets),
                split=split,
                metrics_mode=metrics_mode,
                own=own,
            )
            for split in splits
        ],
        configmap=None
        if options.storage == "pvc"
        else script_configmap(name, namespace, test_id, script, files, own),
        secret=secret_manifest(name, namespace, test_id, secrets) if secrets else None,
        script_path=script_path(name, options, own),
    )


def owner_patch(job: str, uid: str, *others: tuple[str, str]) -> dict[str, Any]:
    """The patch giving the Job ``job`` (uid ``uid``), and the ``others`` (name, uid) of a split
    test, a ConfigMap or Secret: the garbage collector then removes them with the last of them
    (TTL after the run, or a cancel)."""
    owners = [
        {"apiVersion": "batch/v1", "kind": "Job", "name": n, "uid": u}
        for n, u in ((job, uid), *others)
    ]
    return {"metadata": {"ownerReferences": owners}}
