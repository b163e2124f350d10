import { describe, expect, it } from "vitest";
import { translate } from "../src/i18n";
import { howOften, nextRunWords, scheduleBody } from "../src/lib/schedule";

const en = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("en", key, vars);
const ko = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("ko", key, vars);

describe("a schedule in words", () => {
  it("says how often in either language", () => {
    expect(howOften({ every_hours: 6, timezone: "UTC" }, en)).toBe("Every 6 hours");
    expect(howOften({ every_hours: 6, timezone: "UTC" }, ko)).toBe("6시간마다");
    expect(howOften({ every_hours: 1, timezone: "UTC" }, ko)).toBe("매시간");
    expect(howOften({ cron: "0 2 * * *", timezone: "Asia/Seoul" }, ko)).toBe("Asia/Seoul 기준 cron 0 2 * * *");
    expect(howOften({ cron: "0 2 * * *", timezone: "UTC" }, en, "At 02:00 (UTC)")).toBe("At 02:00 (UTC)");
  });
  it("says when the next run comes, where the schedule lives", () => {
    const now = Date.parse("2026-12-07T14:30:00Z");
    expect(nextRunWords("2026-12-07T17:30:00Z", "en-US", "Asia/Seoul", now)).toBe("in 3 hours · Dec 8, 2026, 2:30 AM Asia/Seoul");
    expect(nextRunWords("2026-12-07T17:30:00Z", "ko-KR", "Asia/Seoul", now)).toMatch(/^3시간 후 · 2026\. 12\. 8\..*Asia\/Seoul$/);
  });
  it("sends a cron expression or an interval, never both", () => {
    const form = { mode: "cron" as const, cron: " 0  2 * * * ", timezone: "", hours: 6, skip: true, catchUp: "one" as const, paused: false };
    expect(scheduleBody(form)).toEqual({ cron: "0 2 * * *", timezone: "UTC", skip_while_running: true, catch_up: "one", paused: false });
    expect(scheduleBody({ ...form, mode: "every" })).toMatchObject({ every_hours: 6 });
    expect(scheduleBody({ ...form, mode: "every" })).not.toHaveProperty("cron");
  });
});
