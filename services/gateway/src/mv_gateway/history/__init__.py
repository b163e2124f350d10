"""Test history: every test with its figures, scenarios, stages, script and pods' resources;
what the bus reports about a test (lifecycle, summary, resources) stored; and the routes that
read it (main board, a project's page, one test in full, trends, comparisons).

Other features reach the history only through what is exported here.
"""

from .purging import purge_project_points
from .records import NewScenario, TestRuns
from .results import TestResults
from .runners import RunnerRead, runner_states
from .states import RunState, run_state
from .tables import ACTIVE, TestHistory

__all__ = [
    "ACTIVE", "NewScenario", "RunState", "RunnerRead", "TestHistory", "TestResults", "TestRuns",
    "purge_project_points", "run_state", "runner_states",
]  # fmt: skip
