"""The numbers the rules judge by; settings (``ANALYSIS__…``) with their units and defaults."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AnalysisThresholds(BaseModel):
    failure_rate_warning: float = Field(default=0.01, ge=0, le=1, description="Fraction")
    failure_rate_critical: float = Field(default=0.05, ge=0, le=1, description="Fraction")
    failure_burst_rise: float = Field(
        default=0.10, gt=0, le=1, description="Failure rate above the start's, as a fraction"
    )
    failure_burst_steps: int = Field(default=3, ge=1, description="Consecutive steps of a burst")
    saturation_tps_growth: float = Field(
        default=0.10, ge=0, description="TPS growth below this while load grows is a plateau"
    )
    saturation_load_growth: float = Field(
        default=0.25, gt=0, description="Load (VUs) growth past the knee that counts"
    )
    saturation_latency_growth: float = Field(
        default=0.50, gt=0, description="Response-time growth past the knee that counts"
    )
    saturation_latency_min_ms: float = Field(
        default=5, ge=0, description="...and by at least this many milliseconds"
    )
    drift_ratio: float = Field(
        default=1.25, gt=1, description="Last third's response time over the first third's"
    )
    drift_min_ms: float = Field(
        default=5, ge=0, description="Drift smaller than this many milliseconds is noise"
    )
    cpu_limit_percent: float = Field(default=90, gt=0, description="Percent of the CPU limit")
    cpu_limit_share: float = Field(
        default=0.2, gt=0, le=1, description="Share of samples at the CPU limit that counts"
    )
    memory_growth: float = Field(
        default=0.20, gt=0, description="Memory growth first to last fifth, as a fraction"
    )
    min_duration_seconds: float = Field(default=30, ge=0)
    min_requests_for_p99: int = Field(default=1000, ge=1)
    ramp_up_vus: int = Field(default=50, ge=1, description="Start at this many VUs or more")
    target_tps_reached: float = Field(default=0.95, gt=0, le=1, description="Achieved/asked")
    regression_change: float = Field(
        default=0.10, gt=0, description="Relative change of a figure that matters"
    )
    regression_p_value: float = Field(default=0.05, gt=0, lt=1)
    regression_error_rate_points: float = Field(
        default=0.01, gt=0, description="Absolute change of the error rate that matters"
    )
