import { describe, expect, it } from "vitest";
import { NONE, formatChange, formatCompact, formatDateTime, formatMs, formatNumber, formatPercent, formatSeconds, formatTime, parseTimestamp } from "../src/lib/format";

describe("numbers per locale", () => {
  it("groups thousands the locale's way", () => {
    expect(formatNumber(1234567, "en-US")).toBe("1,234,567");
    expect(formatNumber(1234567, "de-DE")).toBe("1.234.567");
    expect(formatNumber(1234.5, "ko-KR", 1)).toBe("1,234.5");
  });
  it("keeps significant figures that suit the size", () => {
    expect(formatCompact(0.01234, "en-US")).toBe("0.012");
    expect(formatCompact(12.345, "en-US")).toBe("12.3");
    expect(formatCompact(1234.5, "en-US")).toBe("1,235");
  });
  it("says nothing for missing values", () => {
    for (const f of [formatMs, formatPercent, formatCompact]) expect(f(null, "en-US")).toBe(NONE);
    expect(formatSeconds(undefined)).toBe(NONE);
  });
});

describe("units", () => {
  it("writes response times in ms below a second, seconds above", () => {
    expect(formatMs(87.4, "en-US")).toBe("87.4 ms");
    expect(formatMs(1250, "en-US")).toBe("1.25 s");
  });
  it("writes error rates (fractions) as percentages", () => {
    expect(formatPercent(0.0123, "en-US")).toBe("1.2%");
    expect(formatPercent(0.001, "en-US")).toBe("0.1%");
    expect(formatPercent(0, "en-US")).toBe("0%");
  });
  it("writes durations in h/m/s", () => {
    expect(formatSeconds(75)).toBe("1m 15s");
    expect(formatSeconds(3725)).toBe("1h 2m 5s");
    expect(formatSeconds(0)).toBe("0s");
  });
  it("signs changes", () => {
    expect(formatChange(12.5, "en-US")).toBe("+12.5%");
    expect(formatChange(-3, "en-US")).toBe("-3%");
  });
});

describe("dates", () => {
  it("reads bare timestamps as UTC", () => {
    expect(parseTimestamp("2026-11-22T09:30:05").toISOString()).toBe("2026-11-22T09:30:05.000Z");
    expect(parseTimestamp("2026-11-22T09:30:05+09:00").toISOString()).toBe("2026-11-22T00:30:05.000Z");
  });
  it("shows them in the viewer's time zone and language", () => {
    const when = "2026-11-22T09:30:05Z";
    expect(formatDateTime(when, "en-US", "Asia/Seoul")).toContain("6:30");
    expect(formatDateTime(when, "ko-KR", "Asia/Seoul")).toMatch(/2026.*11.*22.*6:30/);
    expect(formatDateTime(when, "en-GB", "UTC")).toContain("09:30");
  });
});

describe("times of day", () => {
  it("keeps the seconds, in the viewer's zone and language", () => {
    expect(formatTime("2026-12-01T11:58:07Z", "en-US", "Asia/Seoul")).toMatch(/^8:58:07\sPM$/);
    expect(formatTime("2026-12-01T11:58:07", "en-GB", "UTC")).toBe("11:58:07");
    expect(formatTime("2026-12-01T11:58:07Z", "ko-KR", "Asia/Seoul")).toMatch(/8:58:07/); // Node's ICU may lack Korean
    expect(formatTime(null, "en-US")).toBe(NONE);
  });
});
