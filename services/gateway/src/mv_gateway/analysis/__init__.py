"""Automated analysis of a finished test: plain rule functions over its stored figures."""

from .engine import RULES, analyse
from .facts import PodSample, RunFacts
from .failure_kinds import FailureRead, failure_rows
from .findings import Analysis, Comparison, Finding, Narrative, Severity, Verdict, Words
from .narrative import prompt
from .thresholds import AnalysisThresholds

__all__ = [
    "RULES",
    "Analysis",
    "AnalysisThresholds",
    "Comparison",
    "FailureRead",
    "Finding",
    "Narrative",
    "PodSample",
    "RunFacts",
    "Severity",
    "Verdict",
    "Words",
    "analyse",
    "failure_rows",
    "prompt",
]
