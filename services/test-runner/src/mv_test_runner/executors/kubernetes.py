"""The Kubernetes executor: the run as a ConfigMap (or PVC file), a Secret and a Job.

Manifests come from the pure functions of :mod:`.manifests`; this module only makes the API
calls, with the official ``kubernetes`` client run in a thread (``asyncio.to_thread``) so the
event loop never blocks. Jobs are followed with the watch API, falling back to polling every
SCHEDULER_POLL_INTERVAL when a watch breaks.

The ConfigMap and Secret get the Job as their owner once it exists, so the garbage collector
removes them with it (TTL after the run, or a cancel). Tested against a real kube-apiserver
(scripts/kube-apiserver.sh) in tests/runner_tests/test_kubernetes_executor.py.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import structlog

from mv_contracts.runs import RunStatus, TestRunRequest
from mv_test_runner.script import GeneratedScript
from mv_test_runner.settings import Settings

from .base import Outcome, Started, StartError, job_name, tail
from .manifests import RUN_LABEL, JobOptions, owner_patch, run_manifests

log = structlog.get_logger()


def job_options(settings: Settings) -> JobOptions:
    return JobOptions(
        namespace=settings.kubernetes_namespace,
        image=settings.k6_image,
        influxdb_output_url=settings.influxdb_output_url,
        output_env=settings.influxdb_output_env(),
        timeout_hours=settings.scheduler_job_timeout_hours,
        auto_delete=settings.auto_delete_completed_jobs,
        storage=settings.k6_script_storage,
        script_folder=str(settings.k6_script_file_folder),
        pvc=settings.k6_default_pvc,
        dashboard=settings.k6_web_dashboard,
        cpu_request=settings.k6_cpu_request,
        cpu_limit=settings.k6_cpu_limit,
        memory_request=settings.k6_memory_request,
        memory_limit=settings.k6_memory_limit,
    )


def outcome_from_job(status: dict[str, Any] | None, pod_reason: str | None) -> Outcome | None:
    """A Job's status (as a dict) → the outcome, or None while it still runs.

    Complete → succeeded; Failed with reason DeadlineExceeded → timed_out; other Failed →
    failed with the pod's termination message (k6's last output) as the reason.
    """
    for condition in (status or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        kind, reason = condition.get("type"), condition.get("reason") or ""
        if kind == "Complete":
            return Outcome(RunStatus.SUCCEEDED)
        if kind == "Failed":
            if reason == "DeadlineExceeded":
                return Outcome(RunStatus.TIMED_OUT, "activeDeadlineSeconds reached")
            detail = pod_reason or condition.get("message") or reason
            crossed = "thresholds" in (pod_reason or "") and "crossed" in (pod_reason or "")
            return Outcome(
                RunStatus.FAILED, tail(f"{reason}: {detail}"), thresholds_crossed=crossed
            )
    return None


def waiting_problem(pod: dict[str, Any]) -> str | None:
    """A pod that cannot start (image pull error, unschedulable): why, else None."""
    for state in (pod.get("status") or {}).get("container_statuses") or []:
        waiting = (state.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in {
            "ErrImagePull",
            "ImagePullBackOff",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
        }:
            return f"{waiting['reason']}: {waiting.get('message', '')}".strip()
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("reason") == "Unschedulable":
            return f"Unschedulable: {condition.get('message', '')}".strip()
    return None


def _quietly(delete: Any, name: str, namespace: str) -> None:
    try:
        delete(name, namespace)
    except Exception as error:  # cleanup after a refused start: the refusal is what matters
        log.warning("cleanup failed", name=name, error=str(error))


class KubernetesExecutor:
    kind: Literal["local", "kubernetes"] = "kubernetes"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._options = job_options(settings)
        self._api: Any = None

    def _clients(self) -> tuple[Any, Any]:
        from kubernetes import client, config  # imported lazily: the local default needs neither

        if self._api is None:
            # A client of its own (no global default); KUBECONFIG is read now, not at import.
            try:
                configuration = client.Configuration()
                config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
                self._api = client.ApiClient(configuration)
            except config.ConfigException:
                self._api = config.new_client_from_config(  # type: ignore[no-untyped-call]
                    config_file=os.environ.get("KUBECONFIG")
                )
        return client.CoreV1Api(self._api), client.BatchV1Api(self._api)

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        name = job_name(request.test_id)
        namespace = self._options.namespace
        run = run_manifests(name, request.test_id, self._options, script.text, script.secrets)
        created: list[Any] = []  # delete functions of what this start created
        try:
            core, batch = await asyncio.to_thread(self._clients)
            if run.configmap is None:
                await asyncio.to_thread(Path(run.script_path).write_text, script.text, "utf-8")
            else:
                await asyncio.to_thread(core.create_namespaced_config_map, namespace, run.configmap)
                created.append(core.delete_namespaced_config_map)
            if run.secret is not None:
                await asyncio.to_thread(core.create_namespaced_secret, namespace, run.secret)
                created.append(core.delete_namespaced_secret)
            made = await asyncio.to_thread(batch.create_namespaced_job, namespace, run.job)
        except Exception as error:  # the API's errors are many; all mean "could not start"
            for delete in created:
                await asyncio.to_thread(_quietly, delete, name, namespace)
            raise StartError(f"Kubernetes refused the run {name}: {error}") from error
        owner = owner_patch(name, made.metadata.uid)
        try:  # the run goes on without it; only the clean-up would be left undone
            if run.configmap is not None:
                await asyncio.to_thread(core.patch_namespaced_config_map, name, namespace, owner)
            if run.secret is not None:
                await asyncio.to_thread(core.patch_namespaced_secret, name, namespace, owner)
        except Exception as error:
            log.warning(
                "could not make the Job own its ConfigMap/Secret", job=name, error=str(error)
            )
        return Started(name, run.script_path, datetime.now(UTC))

    async def _job_status(self, name: str) -> dict[str, Any] | None:
        _, batch = await asyncio.to_thread(self._clients)
        job = await asyncio.to_thread(
            batch.read_namespaced_job_status, name, self._options.namespace
        )
        status: dict[str, Any] = job.to_dict().get("status") or {}
        return status

    async def _pods(self, name: str) -> list[dict[str, Any]]:
        core, _ = await asyncio.to_thread(self._clients)
        pods = await asyncio.to_thread(
            core.list_namespaced_pod, self._options.namespace, label_selector=f"{RUN_LABEL}={name}"
        )
        return [pod.to_dict() for pod in pods.items]

    async def _pod_reason(self, name: str) -> str | None:
        for pod in await self._pods(name):
            for state in (pod.get("status") or {}).get("container_statuses") or []:
                terminated = (state.get("state") or {}).get("terminated") or {}
                if terminated.get("message"):
                    return str(terminated["message"])
        return None

    async def _watch_once(self, name: str) -> None:
        """Block (in a thread) until the Job changes or the watch times out."""
        from kubernetes import watch

        _, batch = await asyncio.to_thread(self._clients)

        def follow() -> None:
            stream = watch.Watch().stream(  # type: ignore[no-untyped-call]
                batch.list_namespaced_job,
                self._options.namespace,
                field_selector=f"metadata.name={name}",
                timeout_seconds=max(1, round(self._settings.scheduler_poll_interval)),  # 0: none
            )
            for _event in stream:
                return

        await asyncio.to_thread(follow)

    async def wait(self, test_id: str) -> Outcome:
        name = job_name(test_id)
        while True:
            try:
                status = await self._job_status(name)
            except Exception as error:
                if getattr(error, "status", None) == 404:
                    return Outcome(RunStatus.FAILED, f"Job {name} no longer exists")
                raise
            outcome = outcome_from_job(status, await self._pod_reason(name))
            if outcome is not None:
                return outcome
            for pod in await self._pods(name):
                problem = waiting_problem(pod)
                if problem:
                    await self.stop(test_id)
                    return Outcome(RunStatus.FAILED, problem)
            try:
                await self._watch_once(name)
            except Exception as error:  # a broken watch: poll instead
                log.warning("job watch failed, polling", job=name, error=str(error))
                await asyncio.sleep(self._settings.scheduler_poll_interval)

    async def stop(self, test_id: str) -> None:
        _, batch = await asyncio.to_thread(self._clients)
        await asyncio.to_thread(
            batch.delete_namespaced_job,
            job_name(test_id),
            self._options.namespace,
            propagation_policy="Background",
        )

    async def is_running(self, test_id: str) -> bool:
        try:
            status = await self._job_status(job_name(test_id))
        except Exception:
            return False
        return outcome_from_job(status, None) is None
