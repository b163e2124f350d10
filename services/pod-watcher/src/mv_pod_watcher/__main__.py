"""``python -m mv_pod_watcher``: run the pod-watcher until SIGTERM."""

from mv_runtime.service import run_service

from .app import create_app
from .settings import Settings

if __name__ == "__main__":
    run_service("pod-watcher", Settings(), create_app)
