"""Executors behind one interface: a local k6 process or a Kubernetes Job."""

from .base import Outcome, RunExecutor, Started, StartError, job_name

__all__ = ["Outcome", "RunExecutor", "StartError", "Started", "job_name"]
