"""Executors behind one interface: a local k6 process or a Kubernetes Job."""

from .base import RunExecutor, Started, StartError, job_name
from .outcomes import Outcome

__all__ = ["Outcome", "RunExecutor", "StartError", "Started", "job_name"]
