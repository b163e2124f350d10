import { describe, expect, it } from "vitest";
import { formatK6Duration, loadShape, parseDuration, plannedSeconds, testPlannedSeconds } from "../src/lib/stages";

describe("k6 durations", () => {
  it("reads every unit and their sums", () => {
    expect(parseDuration("30s")).toBe(30);
    expect(parseDuration("1m30s")).toBe(90);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("1.5m")).toBe(90);
    expect(parseDuration("250ms")).toBeCloseTo(0.25);
  });
  it("refuses what k6 would refuse", () => {
    for (const bad of ["", "30", "s", "1m 30s", "-5s", "1d"]) expect(parseDuration(bad)).toBeNull();
  });
  it("writes the shortest form back", () => {
    expect(formatK6Duration(90)).toBe("1m30s");
    expect(formatK6Duration(3600)).toBe("1h");
    expect(formatK6Duration(0)).toBe("0s");
  });
});

describe("load shape", () => {
  it("ramps stage by stage from the start value, as k6 does", () => {
    const shape = loadShape({ executor: "ramping-vus", vus: 0,
      stages: [{ duration: "10s", target: 10 }, { duration: "20s", target: 10 }, { duration: "5s", target: 0 }] });
    expect(shape).toEqual({ t: [0, 10, 30, 35], v: [0, 10, 10, 0] });
  });
  it("draws a constant executor flat over its duration, shifted by startTime", () => {
    expect(loadShape({ executor: "constant-vus", vus: 5, duration: "1m", stages: [], startTime: "10s" }))
      .toEqual({ t: [10, 70], v: [5, 5] });
    expect(loadShape({ executor: "constant-arrival-rate", rate: 20, duration: "30s", stages: [] }))
      .toEqual({ t: [0, 30], v: [20, 20] });
  });
  it("has no shape for iteration executors or an unreadable stage", () => {
    expect(loadShape({ executor: "shared-iterations", stages: [] })).toBeNull();
    expect(loadShape({ executor: "ramping-vus", stages: [{ duration: "soon", target: 3 }] })).toBeNull();
  });
  it("plans a test as long as its last scenario", () => {
    const a = { executor: "constant-vus" as const, vus: 1, duration: "30s", stages: [] };
    const b = { executor: "ramping-vus" as const, stages: [{ duration: "20s", target: 4 }], startTime: "15s" };
    expect(plannedSeconds(b)).toBe(35);
    expect(testPlannedSeconds([a, b])).toBe(35);
    expect(testPlannedSeconds([{ executor: "per-vu-iterations", stages: [] }])).toBeNull();
  });
});
