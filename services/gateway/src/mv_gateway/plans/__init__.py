"""Plans: a load test saved under a name, to run again (from the UI's test builder or the CLI)
with the same endpoints, load and targets. Schedules and trigger URLs run plans through what is
exported here."""

from .service import plan_of, run_plan
from .tables import TestPlan

__all__ = ["TestPlan", "plan_of", "run_plan"]
