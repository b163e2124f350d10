"""Automated analysis of a finished test: plain rule functions over its stored figures."""

from .engine import RULES, analyse
from .facts import PodSample, RunFacts
from .failure_kinds import FailureRead, failure_rows
from .findings import (
    Analysis,
    Comparison,
    Finding,
    Judgement,
    Narrative,
    Outcome,
    Severity,
    Verdict,
    Words,
    verdict_of,
)
from .narrative import prompt
from .regression import judge_named
from .thresholds import AnalysisThresholdOverrides, AnalysisThresholds, with_overrides

__all__ = [
    "RULES",
    "Analysis",
    "AnalysisThresholdOverrides",
    "AnalysisThresholds",
    "Comparison",
    "FailureRead",
    "Finding",
    "Judgement",
    "Narrative",
    "Outcome",
    "PodSample",
    "RunFacts",
    "Severity",
    "Verdict",
    "Words",
    "analyse",
    "failure_rows",
    "judge_named",
    "prompt",
    "verdict_of",
    "with_overrides",
]
