import { describe, expect, it } from "vitest";
import type { Figures } from "../src/api/client";
import { translate } from "../src/i18n";
import { FIGURE_ROWS, figureName, formatNamedFigure } from "../src/lib/figures";

const en = (key: Parameters<typeof translate>[1]) => translate("en", key);
const ko = (key: Parameters<typeof translate>[1]) => translate("ko", key);

describe("figure names for people", () => {
  it("names the baseline comparison's figures in words, in either language", () => {
    expect(figureName("p95_response_time", en)).toBe("Response time p95");
    expect(figureName("p99_response_time", ko)).toBe("응답 시간 p99");
    expect(figureName("avg_error_rate", en)).toBe("Avg error rate");
    expect(figureName("avg_tps", ko)).toBe("평균 TPS");
  });
  it("never shows an API name for a figure it knows", () => {
    for (const row of FIGURE_ROWS) {
      for (const t of [en, ko]) expect(figureName(row.key, t)).not.toContain("_");
    }
  });
  it("shows a figure newer than the UI as the API spells it", () => {
    expect(figureName("p999_response_time", en)).toBe("p999_response_time");
  });
  it("writes each value in its figure's unit", () => {
    expect(formatNamedFigure("p95_response_time", 87.44, "en-US")).toBe("87.4 ms");
    expect(formatNamedFigure("avg_error_rate", 0.0123, "en-US")).toBe("1.2%");
    expect(formatNamedFigure("total_requests", 12345, "en-US")).toBe("12,345");
    expect(formatNamedFigure("unknown", 12.345, "en-US")).toBe("12.3");
  });
  it("has one row per figure", () => {
    const keys: (keyof Figures)[] = FIGURE_ROWS.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
