"""The pods' resources during a test: the ``pod_resources`` measurement the pod-watcher writes
(see ``mv_contracts.pods``), per pod, over the points of the test's time window whose ``test_ids``
  field lists the test (the pods under test are shared, so the test id is a field there).
"""

# InfluxQL built here: the only value from outside, the test id, is escaped by test_ids_match,
# so the statement-building warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import re

from mv_contracts.pods import (
    POD_RESOURCES_CPU_PERCENT,
    POD_RESOURCES_CPU_USAGE,
    POD_RESOURCES_MEASUREMENT,
    POD_RESOURCES_MEMORY_PERCENT,
    POD_RESOURCES_MEMORY_USAGE,
    POD_RESOURCES_TEST_IDS,
)


def test_ids_match(test_id: str) -> str:
    """An InfluxQL regex on the pod-watcher's comma-separated ``test_ids`` field."""
    escaped = re.sub(r"([^A-Za-z0-9_-])", r"\\\1", test_id)
    return f'"{POD_RESOURCES_TEST_IDS}" =~ /(^|,){escaped}(,|$)/'


def resources(test_id: str, start_ns: int, end_ns: int) -> str:
    """Per pod: CPU and memory min/avg/max and the peak percent of the limit during the test."""
    fields = ", ".join(
        [
            f'MIN("{POD_RESOURCES_CPU_USAGE}") AS cpu_min',
            f'MEAN("{POD_RESOURCES_CPU_USAGE}") AS cpu_avg',
            f'MAX("{POD_RESOURCES_CPU_USAGE}") AS cpu_max',
            f'MIN("{POD_RESOURCES_MEMORY_USAGE}") AS memory_min',
            f'MEAN("{POD_RESOURCES_MEMORY_USAGE}") AS memory_avg',
            f'MAX("{POD_RESOURCES_MEMORY_USAGE}") AS memory_max',
            f'MAX("{POD_RESOURCES_CPU_PERCENT}") AS cpu_peak',
            f'MAX("{POD_RESOURCES_MEMORY_PERCENT}") AS memory_peak',
        ]
    )
    return (
        f'SELECT {fields} FROM "{POD_RESOURCES_MEASUREMENT}" '
        f"WHERE {test_ids_match(test_id)} AND time >= {start_ns} AND time < {end_ns} "
        'GROUP BY "namespace", "pod"'
    )
