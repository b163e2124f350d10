"""The rules: plain functions from a run's facts and the thresholds to findings."""
