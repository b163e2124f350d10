import { describe, expect, it } from "vitest";
import { isLast } from "../src/lib/live";

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
