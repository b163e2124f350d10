"""Runs: starting a load test from stored endpoints (the rules that make the contract's test
request), cancelling it, reading its generated script, and listing what is running. What a run
becomes is recorded by the history (:mod:`mv_gateway.history`).

Plans (:mod:`mv_gateway.plans`) and own scripts (:mod:`mv_gateway.ownscripts`) start runs
through what is exported here.
"""

from .limits import RunLimits
from .rules import RejectedByContract, base_url_and_headers
from .schemas import LoadTestCreate, LoadTestCreated
from .secrets import InvalidSecret, Key, Loc, masked, values, walk
from .service import cancel_tests_of_project, start_run, submit_run

__all__ = [
    "InvalidSecret",
    "Key",
    "LoadTestCreate",
    "LoadTestCreated",
    "Loc",
    "RejectedByContract",
    "RunLimits",
    "base_url_and_headers",
    "cancel_tests_of_project",
    "masked",
    "start_run",
    "submit_run",
    "values",
    "walk",
]
