import { describe, expect, it } from "vitest";
import { LiveSeries, PodSeries, chartData, decimate, higherIsBetter, perScenario, sinceStart } from "../src/lib/series";

const figures = (tps: number, p95: number | null = 10) => ({ tps, error_rate: 0.5, vus: 3, response_time_avg: 5, response_time_p95: p95, response_time_p99: 20 });

describe("live series", () => {
  it("keeps every scenario on the overall time axis, nulls before a late scenario", () => {
    const live = new LiveSeries();
    live.push({ at: "2026-01-01T00:00:00Z", overall: figures(1), scenarios: [{ name: "a", figures: figures(1) }] });
    live.push({ at: "2026-01-01T00:00:05Z", overall: figures(3), scenarios: [{ name: "a", figures: figures(1) }, { name: "b", figures: figures(2) }] });
    live.push({ at: "2026-01-01T00:00:10Z", overall: figures(2), scenarios: [{ name: "b", figures: figures(2, null) }] });
    expect(live.overall.time).toEqual([1767225600, 1767225605, 1767225610]);
    expect(live.overall.tps).toEqual([1, 3, 2]);
    expect(live.scenarios.get("a")!.tps).toEqual([1, 1, null]);
    expect(live.scenarios.get("b")!.tps).toEqual([null, 2, 2]);
    expect(live.scenarios.get("b")!.response_time_p95).toEqual([null, 10, null]);
    expect(live.scenarios.get("b")!.time).toBe(live.overall.time);
  });
  it("ignores a replayed or older snapshot (SSE resumes with Last-Event-ID)", () => {
    const live = new LiveSeries();
    live.push({ at: "2026-01-01T00:00:05Z", overall: figures(1) });
    live.push({ at: "2026-01-01T00:00:05Z", overall: figures(9) });
    live.push({ at: "2026-01-01T00:00:01Z", overall: figures(9) });
    expect(live.overall.tps).toEqual([1]);
  });
  it("drops the oldest points past its limit, in every column", () => {
    const live = new LiveSeries(3);
    for (let i = 0; i < 5; i++) live.push({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), overall: figures(i), scenarios: [{ name: "a", figures: figures(i) }] });
    expect(live.overall.tps).toEqual([2, 3, 4]);
    expect(live.scenarios.get("a")!.tps).toEqual([2, 3, 4]);
    expect(live.overall.time.length).toBe(3);
  });
});

describe("chart data", () => {
  it("is the time column then the metrics, error rate in percent", () => {
    const live = new LiveSeries();
    live.push({ at: "2026-01-01T00:00:00Z", overall: figures(4) });
    expect(chartData(live.overall, ["tps", "error_rate"])).toEqual([[1767225600], [4], [50]]);
  });
  it("compares one metric across scenarios", () => {
    const { names, data } = perScenario({ a: { time: [1], tps: [2] } as never, b: { time: [1], tps: [3] } as never }, "tps", [1]);
    expect(names).toEqual(["a", "b"]);
    expect(data).toEqual([[1], [2], [3]]);
  });
});

describe("pods", () => {
  it("aligns pods that report at different times, and reads the ceiling from limits", () => {
    const pods = new PodSeries();
    const point = (at: number, cpu: number) => ({ at, cpu, memory: 10, cpuLimit: 500, cpuRequest: 250, memoryLimit: null, memoryRequest: 128 });
    pods.push("a", point(1, 100));
    pods.push("b", point(2, 200));
    pods.push("a", point(3, 150));
    expect(pods.aligned("cpu")).toEqual({ names: ["a", "b"], data: [[1, 2, 3], [100, null, 150], [null, 200, null]] });
    expect(pods.ceiling("cpu")).toBe(500);
    expect(pods.ceiling("memory")).toBe(128);
  });
});

describe("direction of a change", () => {
  it("knows which way is good", () => {
    expect(higherIsBetter("avg_tps")).toBe(true);
    expect(higherIsBetter("p95_response_time")).toBe(false);
    expect(higherIsBetter("avg_error_rate")).toBe(false);
    expect(higherIsBetter("avg_vus")).toBeNull();
  });
});

describe("sinceStart", () => {
  it("puts a chart on seconds since the run's start, range too, values untouched", () => {
    const { data, range } = sinceStart([[1000, 1005, 1010], [1, null, 3]], 1000, [1000, 1030]);
    expect(data).toEqual([[0, 5, 10], [1, null, 3]]);
    expect(range).toEqual([0, 30]);
    expect(sinceStart([[], []], 5).range).toBeNull();
  });
});

describe("decimate", () => {
  it("keeps short data as it is", () => {
    const data = [[1, 2, 3], [5, null, 7]];
    expect(decimate(data, 2)).toBe(data);
  });
  it("keeps each bucket's ends in time and its low and high in their order, nulls skipped", () => {
    const time = [0, 1, 2, 3, 4, 5, 6, 7];
    const tps = [5, 9, 1, 5, 4, 4, 4, 4];
    const gaps = [null, null, null, null, 2, null, 3, null];
    expect(decimate([time, tps, gaps], 2)).toEqual([[0, 3, 4, 7], [9, 1, 4, 4], [null, null, 2, 3]]);
  });
  it("draws an hour at one point a second as about two points per bucket", () => {
    const time = Array.from({ length: 3600 }, (_, i) => i);
    const [x, y] = decimate([time, time.map((i) => i % 60)], 300);
    expect(x!.length).toBe(600);
    expect(Math.max(...(y as number[]))).toBe(59);
  });
});
