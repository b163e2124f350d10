"""The numbers the rules judge by; settings (``ANALYSIS__…``) with their units and defaults,
which a test (or a plan's test) may override one by one."""

from __future__ import annotations

from copy import copy
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model


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
    min_duration_seconds: float = Field(
        default=30, ge=0, description="Seconds: a shorter test is too short to judge trends"
    )
    min_requests_for_p99: int = Field(
        default=1000, ge=1, description="Requests below which the p99 is not trusted"
    )
    ramp_up_vus: int = Field(default=50, ge=1, description="Start at this many VUs or more")
    target_tps_reached: float = Field(default=0.95, gt=0, le=1, description="Achieved/asked")
    regression_change: float = Field(
        default=0.10,
        gt=0,
        description="Minimum effect: a relative change smaller than this is never better or worse",
    )
    regression_p_value: float = Field(
        default=0.05, gt=0, lt=1, description="Significance: a change is real below this p-value"
    )
    regression_error_rate_points: float = Field(
        default=0.01, gt=0, description="Absolute change of the error rate that matters"
    )


def _optional(field: Any) -> Any:
    """The same bounds and description, no default: left out means the setting's value."""
    optional = copy(field)
    optional.default = None
    optional.annotation = field.annotation | None
    return (optional.annotation, optional)


if TYPE_CHECKING:
    AnalysisThresholdOverrides = BaseModel
else:
    AnalysisThresholdOverrides = create_model(
        "AnalysisThresholdOverrides",
        __config__=ConfigDict(extra="forbid"),
        __doc__="Analysis thresholds for one test: each left out takes the gateway's setting "
        "(ANALYSIS__<NAME>); the same names, units and bounds as the settings.",
        **{name: _optional(f) for name, f in AnalysisThresholds.model_fields.items()},
    )


def with_overrides(
    defaults: AnalysisThresholds, overrides: dict[str, Any] | None
) -> AnalysisThresholds:
    """The settings with a test's own thresholds over them (validated again, so a stored
    override outside the bounds cannot reach a rule)."""
    if not overrides:
        return defaults
    known = {k: v for k, v in overrides.items() if k in AnalysisThresholds.model_fields}
    return AnalysisThresholds.model_validate(defaults.model_dump() | known)
