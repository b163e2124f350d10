"""Test history: every test with its figures, scenarios, stages, script and pods' resources;
what the bus reports about a test (lifecycle, summary, resources) stored; and the routes that
read it (main board, a project's page, one test in full, trends, comparisons).

Other features reach the history only through what is exported here.
"""

from .records import NewScenario, TestRuns
from .results import TestResults
from .runners import RunnerRead, runner_states
from .tables import ACTIVE

__all__ = ["ACTIVE", "NewScenario", "RunnerRead", "TestResults", "TestRuns", "runner_states"]
