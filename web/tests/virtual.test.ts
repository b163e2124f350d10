import { describe, expect, it } from "vitest";
import { visibleRange } from "../src/components/VirtualList";
import { sampleShapes } from "../src/components/LoadShape";

describe("virtual list window", () => {
  it("renders only the rows in view plus a margin", () => {
    expect(visibleRange(0, 440, 44, 1200)).toEqual([0, 18]);
    expect(visibleRange(44 * 600, 440, 44, 1200)).toEqual([592, 618]);
    expect(visibleRange(44 * 1195, 440, 44, 1200)).toEqual([1187, 1200]);
    expect(visibleRange(0, 440, 44, 0)).toEqual([0, 0]);
  });
});

describe("load shapes on one axis", () => {
  it("interpolates each shape at every corner of the others", () => {
    const { time, columns } = sampleShapes([
      { executor: "ramping-vus", vus: 0, stages: [{ duration: "10s", target: 10 }] },
      { executor: "constant-vus", vus: 4, duration: "5s", stages: [], startTime: "5s" },
    ]);
    expect(time).toEqual([0, 5, 10]);
    expect(columns).toEqual([[0, 5, 10], [null, 4, 4]]);
  });
});
