import { describe, expect, it } from "vitest";
import { changeMark, evidenceLabel, evidenceValue, junitFileName, thresholdInputs, thresholdOverrides } from "../src/lib/verdict";

describe("changeMark", () => {
  it("marks only what the gateway judged better or worse", () => {
    expect(changeMark("same", 0.03)).toEqual({ arrow: "", tone: "" });
    expect(changeMark(null, 0.03)).toEqual({ arrow: "", tone: "" });
    expect(changeMark(undefined, -4)).toEqual({ arrow: "", tone: "" });
    expect(changeMark("worse", 12)).toEqual({ arrow: "▲ ", tone: "worse" });
    expect(changeMark("better", -12)).toEqual({ arrow: "▼ ", tone: "better" });
  });
});

describe("evidence", () => {
  it("says keys in words in both languages", () => {
    expect(evidenceLabel("threshold", "en")).toBe("Threshold");
    expect(evidenceLabel("threshold", "ko")).toBe("기준값");
    expect(evidenceLabel("knee_response_time_ms", "en")).toBe("Knee response time ms");
    expect(evidenceLabel("failures.HTTP 500", "en")).toBe("Failures: HTTP 500");
  });
  it("formats values", () => {
    expect(evidenceValue("share_at_limit", 0.3333333333333333, "en-US")).toBe("33.33 %");
    expect(evidenceValue("threshold", 0.05, "en-US")).toBe("5 %");
    expect(evidenceValue("ratio", 0.3333333333333333, "en-US")).toBe("0.3333");
    expect(evidenceValue("over_ms", 150.12345, "en-US")).toBe("150.12");
    expect(evidenceValue("total_requests", 12000, "en-US")).toBe("12,000");
    expect(evidenceValue("change", 0.25, "en-US")).toBe("+25 %");
    expect(evidenceValue("threshold_setting", "failure_rate_critical", "en-US")).toBe("failure_rate_critical");
    expect(evidenceValue("p_value", null, "en-US")).toBe("—");
  });
});

describe("junitFileName", () => {
  it("saves as <name>.junit.xml, never a file named true", () => {
    expect(junitFileName("checkout")).toBe("checkout.junit.xml");
    expect(junitFileName("결제/API: nightly")).toBe("결제_API_ nightly.junit.xml");
    expect(junitFileName("  ")).toBe("report.junit.xml");
  });
});

describe("analysis thresholds in the builder", () => {
  it("sends only what was filled in, and nothing when nothing was", () => {
    expect(thresholdOverrides({})).toBeNull();
    expect(thresholdOverrides({ failure_rate_critical: " ", drift_ratio: "" })).toBeNull();
    expect(thresholdOverrides({ failure_rate_critical: "0.1", drift_ratio: "" })).toEqual({ failure_rate_critical: 0.1 });
    expect(thresholdOverrides({ failure_burst_steps: "many" })).toEqual({ failure_burst_steps: "many" });
  });
  it("fills the form from a plan or an earlier run", () => {
    expect(thresholdInputs({ failure_rate_critical: 0.1, drift_ratio: null })).toEqual({ failure_rate_critical: "0.1" });
    expect(thresholdInputs(undefined)).toEqual({});
  });
});
