"""Automated analysis of a finished test: plain rule functions over its stored figures."""

from .engine import RULES, analyse
from .facts import PodSample, RunFacts
from .findings import Analysis, Comparison, Finding, Severity, Verdict, Words
from .thresholds import AnalysisThresholds

__all__ = [
    "RULES",
    "Analysis",
    "AnalysisThresholds",
    "Comparison",
    "Finding",
    "PodSample",
    "RunFacts",
    "Severity",
    "Verdict",
    "Words",
    "analyse",
]
