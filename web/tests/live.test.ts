import { describe, expect, it } from "vitest";
import type { LiveSummary } from "../src/api/client";
import { isLast, runView, streamUrl } from "../src/lib/live";

describe("live stream of one test", () => {
  it("goes on after the end and stops at the summary", () => {
    expect(isLast({ kind: "end" }, "t-1")).toBe(false); // the summary comes after the end
    expect(isLast({ kind: "summary" }, "t-1")).toBe(true);
    expect(isLast({ kind: "k6" }, "t-1")).toBe(false);
  });
  it("of every test never stops", () => {
    expect(isLast({ kind: "summary" }, undefined)).toBe(false);
    expect(isLast({ kind: "end" }, undefined)).toBe(false);
  });
});

describe("the run's head while it runs and once it ends", () => {
  const last = { tps: 4.8, avg: 0.5, p95: 0.935, p99: 1.2, errorRate: 0, vus: 2 };
  const summary = { stored: true, figures: { total_requests: 285, failed_requests: 3, avg_tps: 8.13, avg_response_time: 1.1,
    p95_response_time: 3.48, p99_response_time: 5.0, max_vus: 4 } } as LiveSummary;
  it("runs: the last interval, a cancel button, elapsed as it is", () => {
    expect(runView({ ended: false, elapsed: 12, planned: 35, last })).toEqual(
      { cancellable: true, elapsed: 12, tiles: last, source: "live" });
  });
  it("ended, summary still to come: no cancel, elapsed capped, tiles said to be the last interval", () => {
    expect(runView({ ended: true, elapsed: 36, planned: 35, last })).toEqual(
      { cancellable: false, elapsed: 35, tiles: last, source: "lastInterval" });
  });
  it("summarised: the stored figures at once", () => {
    const view = runView({ ended: true, summary, elapsed: 41, planned: 35, last });
    expect(view.source).toBe("final");
    expect(view.cancellable).toBe(false);
    expect(view.elapsed).toBe(35);
    expect(view.tiles).toEqual({ tps: 8.13, avg: 1.1, p95: 3.48, p99: 5.0, errorRate: 3 / 285, vus: 4 });
  });
  it("a summary not stored keeps the last interval, marked", () => {
    expect(runView({ ended: true, summary: { stored: false } as LiveSummary, elapsed: 50, planned: null, last }).source).toBe("lastInterval");
  });
});

describe("the stream's address", () => {
  it("asks one test's stream for the run so far", () => {
    expect(streamUrl("t-1", "all")).toContain("replay=true");
    expect(streamUrl("t-1", "all")).toContain("test_id=t-1");
    expect(streamUrl(undefined, "all")).not.toContain("replay");
  });
});
