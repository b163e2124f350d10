"""Runs: starting a load test from stored endpoints (the rules that make the contract's test
request), cancelling it, reading its generated script, and listing what is running. What a run
becomes is recorded by the history (:mod:`mv_gateway.history`)."""

from .service import cancel_tests_of_project

__all__ = ["cancel_tests_of_project"]
