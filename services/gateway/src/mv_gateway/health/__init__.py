"""Health: the product's (``GET /``: the gateway's components and every service's heartbeats),
the gateway's readiness (``/readyz``) and liveness (``/healthz``); and whether a test's metrics
path is up before it starts."""

from .heartbeats import Heartbeats, register
from .metrics_path import MetricsPath, MetricsPathDep, metrics_path_of, metrics_path_refusal
from .probes import Probes

__all__ = [
    "Heartbeats",
    "MetricsPath",
    "MetricsPathDep",
    "Probes",
    "metrics_path_of",
    "metrics_path_refusal",
    "register",
]
