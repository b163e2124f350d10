"""Data files: CSV or JSON test data uploaded to a project, whose columns become variables of
the scenarios that use them. The runs feature takes a test's rows through :func:`data_sets`."""

from .routes import router
from .service import data_sets
from .tables import DataFile

__all__ = ["DataFile", "data_sets", "router"]
