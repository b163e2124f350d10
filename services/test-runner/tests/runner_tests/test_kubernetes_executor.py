"""The Kubernetes executor against a real kube-apiserver (scripts/kube-apiserver.sh).

No controllers or kubelet run there: the tests play the Job controller and the kubelet by creating
the run's pod and writing Job and Pod status through the /status subresource, as envtest users do,
and serve a pod's log as a kubelet would (.kubelet).
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from mv_contracts.lifecycle import K6Counts, RequestCounts, RunStatus
from mv_devstack.kube import KubeApiServer
from mv_test_runner.executors.base import StartError, job_name
from mv_test_runner.executors.kubernetes import LOG_TAIL_LINES, KubernetesExecutor
from mv_test_runner.executors.manifests import RUN_LABEL, TEST_ID_ANNOTATION
from mv_test_runner.executors.outcomes import Outcome
from mv_test_runner.script import GeneratedScript
from mv_test_runner.settings import Settings

from .kubelet import Kubelet, self_signed
from .requests import make_request, scenario
from .test_counts import POD_LOG

SCRIPT = GeneratedScript("export default function () {}\n", {"MV_SECRET_1": "Bearer s3cret"})


def core_api(api: Any) -> Any:  # Any: the client's typed models make every field Optional
    return client.CoreV1Api(api)


def batch_api(api: Any) -> Any:
    return client.BatchV1Api(api)


@pytest.fixture(scope="module")
def namespace(kube_api: Any) -> str:
    name = f"mv-runner-{uuid.uuid4().hex[:8]}"  # deleted namespaces stay Terminating here
    core_api(kube_api).create_namespace({"metadata": {"name": name}})
    return name


@pytest.fixture
def executor(
    kube: KubeApiServer, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> KubernetesExecutor:
    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return KubernetesExecutor(kube_settings(namespace))


def kube_settings(namespace: str) -> Settings:
    return Settings(
        kubernetes_namespace=namespace,
        influxdb_host="influxdb.metric-vault.svc",
        scheduler_poll_interval=1,
        scheduler_job_timeout_hours=0.5,
    )


async def start(executor: KubernetesExecutor, script: GeneratedScript = SCRIPT) -> str:
    test_id = str(uuid.uuid4())
    await executor.start(make_request("http://127.0.0.1:9", scenario("s"), test_id=test_id), script)
    return test_id


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def finish_job(api: Any, namespace: str, name: str, kind: str, reason: str) -> None:
    """Write the status the Job controller would: v1.36 checks conditions and times strictly."""
    pre = "SuccessCriteriaMet" if kind == "Complete" else "FailureTarget"
    conditions = [
        {"type": t, "status": "True", "reason": reason, "lastTransitionTime": now()}
        for t in (pre, kind)
    ]
    status: dict[str, Any] = {"startTime": now(), "conditions": conditions}
    if kind == "Complete":
        status |= {"completionTime": now(), "succeeded": 1}
    else:
        status |= {"failed": 1}
    batch_api(api).patch_namespaced_job_status(name, namespace, {"status": status})


def run_pod(api: Any, namespace: str, name: str, state: dict[str, Any]) -> None:
    """The Job's pod with one k6 container in ``state``, as the kubelet would report it."""
    core = core_api(api)
    pod = {
        "metadata": {"name": f"{name}-pod", "labels": {RUN_LABEL: name}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "k6", "image": "k6"}]},
    }
    core.create_namespaced_pod(namespace, pod)
    container = {
        "name": "k6", "image": "k6", "imageID": "", "ready": False, "restartCount": 0,
        "state": state,
    }  # fmt: skip
    status = {"phase": "Pending", "containerStatuses": [container]}
    core.patch_namespaced_pod_status(f"{name}-pod", namespace, {"status": status})


async def outcome_after(
    executor: KubernetesExecutor, test_id: str, change: Any, *args: Any
) -> Outcome:
    """Follow the run with :meth:`wait` while ``change(*args)`` drives its status."""
    assert await executor.is_running(test_id)
    waiting = asyncio.create_task(executor.wait(test_id))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # still following the unfinished Job
    await asyncio.to_thread(change, *args)
    return await asyncio.wait_for(waiting, timeout=30)


async def test_start_creates_configmap_secret_and_job(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = await start(executor)
    name = job_name(test_id)
    core, batch = core_api(kube_api), batch_api(kube_api)
    job = batch.read_namespaced_job(name, namespace)
    configmap = core.read_namespaced_config_map(name, namespace)
    secret = core.read_namespaced_secret(name, namespace)
    for meta in (job.metadata, configmap.metadata, secret.metadata):
        assert meta.labels[RUN_LABEL] == name
        assert meta.labels["app.kubernetes.io/managed-by"] == "metric-vault"
        assert meta.annotations[TEST_ID_ANNOTATION] == test_id
    for meta in (configmap.metadata, secret.metadata):  # removed with the Job (TTL or cancel)
        (owner,) = meta.owner_references
        assert (owner.kind, owner.name, owner.uid) == ("Job", name, job.metadata.uid)
    assert job.spec.active_deadline_seconds == 1800
    assert job.spec.ttl_seconds_after_finished == 3600
    assert job.spec.backoff_limit == 0
    assert job.spec.template.metadata.labels[RUN_LABEL] == name
    (container,) = job.spec.template.spec.containers
    assert container.env_from[0].secret_ref.name == name
    assert configmap.data == {"script.js": SCRIPT.text}
    assert base64.b64decode(secret.data["MV_SECRET_1"]).decode() == "Bearer s3cret"


async def test_no_secret_without_secret_headers(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    name = job_name(await start(executor, GeneratedScript("export default function () {}\n")))
    job = batch_api(kube_api).read_namespaced_job(name, namespace)
    assert job.spec.template.spec.containers[0].env_from is None
    with pytest.raises(client.ApiException) as missing:
        core_api(kube_api).read_namespaced_secret(name, namespace)
    assert missing.value.status == 404


async def test_refused_job_is_a_start_error(executor: KubernetesExecutor) -> None:
    test_id = await start(executor)
    request = make_request("http://127.0.0.1:9", scenario("s"), test_id=test_id)
    with pytest.raises(StartError, match=r"already exists"):
        await executor.start(request, SCRIPT)


async def test_complete_job_succeeded(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = await start(executor)
    outcome = await outcome_after(
        executor, test_id, finish_job, kube_api, namespace, job_name(test_id), "Complete",
        "CompletionsReached",
    )  # fmt: skip
    assert outcome == Outcome(RunStatus.SUCCEEDED)
    assert not await executor.is_running(test_id)


async def test_deadline_exceeded_timed_out(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = await start(executor)
    outcome = await outcome_after(
        executor, test_id, finish_job, kube_api, namespace, job_name(test_id), "Failed",
        "DeadlineExceeded",
    )  # fmt: skip
    assert outcome.status is RunStatus.TIMED_OUT


@pytest.mark.parametrize(
    ("terminated", "expected"),
    [
        ({"exitCode": 99, "reason": "Error", "message":
          "level=error msg=\"thresholds on metrics 'http_req_failed' have been crossed\""},
         Outcome(RunStatus.FAILED, "thresholds crossed: http_req_failed", True)),
        ({"exitCode": 107, "reason": "Error", "message": 'level=error msg="Error: boom"'},
         Outcome(RunStatus.FAILED, "script error (exit code 107): Error: boom")),
        ({"exitCode": 137, "reason": "OOMKilled"}, Outcome(
            RunStatus.FAILED, "k6 ran out of memory: it went past its container's limit and "
            "was killed (OOMKilled); raise K6_MEMORY_LIMIT or lower the load per runner")),
    ],
)  # fmt: skip
async def test_a_failed_job_ends_as_its_k6_container_exited(
    executor: KubernetesExecutor,
    kube_api: Any,
    namespace: str,
    terminated: dict[str, Any],
    expected: Outcome,
) -> None:
    test_id = await start(executor)
    name = job_name(test_id)
    await asyncio.to_thread(run_pod, kube_api, namespace, name, {"terminated": terminated})
    outcome = await outcome_after(
        executor, test_id, finish_job, kube_api, namespace, name, "Failed", "BackoffLimitExceeded"
    )
    assert outcome == expected


async def test_pod_that_cannot_start_fails_the_run_and_deletes_the_job(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = await start(executor)
    name = job_name(test_id)
    waiting = {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}
    outcome = await outcome_after(executor, test_id, run_pod, kube_api, namespace, name, waiting)
    assert outcome == Outcome(
        RunStatus.FAILED, "the k6 pod cannot start: ImagePullBackOff: Back-off pulling image"
    )
    with pytest.raises(client.ApiException) as gone:
        batch_api(kube_api).read_namespaced_job(name, namespace)
    assert gone.value.status == 404


async def test_cancel_deletes_the_job_with_its_pods(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    """Background propagation deletes the Job at once and leaves its pods (and, through their
    owner references, ConfigMap and Secret) to the garbage collector. A Job's default policy is
    orphan: without an explicit policy the Job would stay here with the ``orphan`` finalizer,
    since no garbage collector runs to remove it."""
    test_id = await start(executor)
    name = job_name(test_id)
    waiting = asyncio.create_task(executor.wait(test_id))
    await executor.stop(test_id)
    with pytest.raises(client.ApiException) as gone:
        batch_api(kube_api).read_namespaced_job(name, namespace)
    assert gone.value.status == 404
    outcome = await asyncio.wait_for(waiting, timeout=30)
    assert outcome == Outcome(RunStatus.FAILED, f"the Job {name} was deleted before k6 ended")
    assert not await executor.is_running(test_id)


async def test_a_new_executor_follows_a_job_started_before_a_restart(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = await start(executor)
    restarted = KubernetesExecutor(kube_settings(namespace))
    outcome = await outcome_after(
        restarted, test_id, finish_job, kube_api, namespace, job_name(test_id), "Complete",
        "CompletionsReached",
    )  # fmt: skip
    assert outcome == Outcome(RunStatus.SUCCEEDED)


async def test_no_pod_no_counts(executor: KubernetesExecutor) -> None:
    """A Job whose pod never ran (or is gone) has no log: its figures go unchecked."""
    assert await executor.counts(await start(executor)) is None


# k6's counts of a Job come from its pod's log, which the API server fetches from the node's
# kubelet: a stand-in kubelet (.kubelet) on loopback serves it.


@pytest.fixture
async def kubelet(tmp_path: Path) -> AsyncIterator[Kubelet]:
    server = Kubelet({})
    await server.start(await asyncio.to_thread(self_signed, tmp_path))
    yield server
    await server.stop()


def node_at(api: Any, port: int) -> str:
    """A Node whose kubelet listens on 127.0.0.1:``port``, as a kubelet would register it."""
    name = f"node-{uuid.uuid4().hex[:8]}"
    core = core_api(api)
    core.create_node({"metadata": {"name": name}})
    status = {
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": port}},
    }
    core.patch_node_status(name, {"status": status})
    return name


def ended_pod_on(api: Any, namespace: str, job: str, node: str) -> str:
    pod = f"{job}-abcde"
    core = core_api(api)
    core.create_namespaced_pod(
        namespace,
        {
            "metadata": {"name": pod, "labels": {RUN_LABEL: job}},
            "spec": {
                "nodeName": node,
                "restartPolicy": "Never",
                "containers": [{"name": "k6", "image": "k6"}],
            },
        },
    )
    container = {
        "name": "k6", "image": "k6", "imageID": "", "ready": False, "restartCount": 0,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
    }  # fmt: skip
    status = {"phase": "Succeeded", "containerStatuses": [container]}
    core.patch_namespaced_pod_status(pod, namespace, {"status": status})
    return pod


async def test_counts_from_the_pod_log_through_the_api_server(
    executor: KubernetesExecutor, kube_api: Any, namespace: str, kubelet: Kubelet
) -> None:
    test_id = await start(executor)
    job = job_name(test_id)
    node = await asyncio.to_thread(node_at, kube_api, kubelet.port)
    pod = await asyncio.to_thread(ended_pod_on, kube_api, namespace, job, node)
    kubelet.logs[f"/containerLogs/{namespace}/{pod}/k6"] = POD_LOG

    counts = await executor.counts(test_id)

    assert counts == K6Counts(
        overall=RequestCounts(requests=2290, failed=12),
        scenarios={"s01_login": RequestCounts(requests=2290, failed=12)},
    )
    (target,) = kubelet.targets  # one read, of the k6 container's last lines
    assert target.startswith(f"/containerLogs/{namespace}/{pod}/k6?")
    assert f"tailLines={LOG_TAIL_LINES}" in target


async def test_a_log_the_kubelet_cannot_give_is_no_counts(
    executor: KubernetesExecutor, kube_api: Any, namespace: str, kubelet: Kubelet
) -> None:
    test_id = await start(executor)
    job = job_name(test_id)
    node = await asyncio.to_thread(node_at, kube_api, kubelet.port)
    await asyncio.to_thread(ended_pod_on, kube_api, namespace, job, node)  # its log: 404
    assert await executor.counts(test_id) is None
    assert len(kubelet.targets) == 1


async def test_the_job_watch_waits_for_a_change_and_returns_on_it(
    kube: KubeApiServer, kube_api: Any, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watch opens with an ADDED event per existing Job: for the Job just listed that is no
    change, so the wait goes on until the Job's status moves, and then ends at once."""
    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    settings = kube_settings(namespace).model_copy(update={"scheduler_poll_interval": 30})
    executor = KubernetesExecutor(settings)
    name = job_name(await start(executor))
    await executor._ended(name)  # lists the run's Jobs, as wait() does before each watch
    watching = asyncio.create_task(executor._watch_once(name))
    await asyncio.sleep(5)
    assert not watching.done(), "the watch ended with nothing changed"
    await asyncio.to_thread(finish_job, kube_api, namespace, name, "Complete", "CompletionsReached")
    await asyncio.wait_for(watching, timeout=10)
