"""``python -m mv_metrics_aggregator``: run the metrics-aggregator until SIGTERM."""

from mv_runtime.service import run_service

from .app import create_app
from .settings import Settings

if __name__ == "__main__":
    run_service("metrics-aggregator", Settings(), create_app)
