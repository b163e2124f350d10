"""``python -m mv_test_runner.remove_runs``: deletes every run of the job namespace, running or
ended: their Jobs (the pods go with them) and the ConfigMaps and Secrets of the scripts and
secret headers. The chart runs it as its pre-delete hook, so ``helm uninstall`` leaves no test
behind: those objects are the test-runner's, not the release's, and Helm knows nothing of them.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client, config

from .executors.manifests import RUN_LABEL
from .settings import Settings


def remove_runs(api: Any, namespace: str) -> None:
    batch, core = client.BatchV1Api(api), client.CoreV1Api(api)
    # Background: the Jobs go now, their pods and owned objects after them (garbage collector).
    batch.delete_collection_namespaced_job(
        namespace, label_selector=RUN_LABEL, propagation_policy="Background"
    )
    # A run's ConfigMap and Secret are owned by its Job once it exists; one caught before that
    # has no owner, so both are deleted by label too.
    core.delete_collection_namespaced_config_map(namespace, label_selector=RUN_LABEL)
    core.delete_collection_namespaced_secret(namespace, label_selector=RUN_LABEL)


if __name__ == "__main__":
    configuration = client.Configuration()
    config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    namespace = Settings().kubernetes_namespace
    remove_runs(client.ApiClient(configuration), namespace)
    print(f"removed every run's Job, ConfigMap and Secret in {namespace}")
