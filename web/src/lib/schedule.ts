// A schedule in the reader's words: how often it runs and when its next runs come, in the
// schedule's own time zone ("in 3 hours · 8 Dec 2026, 02:30 Asia/Seoul").
import type { Key } from "../i18n";
import { formatDateTime, formatRelative } from "./format";

type T = (key: Key, vars?: Record<string, string | number>) => string;

export interface Timing { cron?: string | null; timezone: string; every_hours?: number | null }

/** How often: "Every 6 hours" / "6시간마다", or the cron expression with its zone. The
 *  server's English description is used when the page is in English. */
export function howOften(timing: Timing, t: T, english?: string | null): string {
  if (timing.every_hours) return timing.every_hours === 1 ? t("schedule.everyHour") : t("schedule.everyHours", { n: timing.every_hours });
  return english ?? t("schedule.cronWords", { cron: timing.cron ?? "", zone: timing.timezone });
}

/** A next run: how far off, then the date and time where the schedule lives. */
export function nextRunWords(at: string, locale: string, timeZone: string, now = Date.now()): string {
  let when: string;
  try { when = formatDateTime(at, locale, timeZone); } catch { when = formatDateTime(at, locale); }
  return `${formatRelative(at, locale, now)} · ${when} ${timeZone}`;
}

/** The body the editor sends: a cron expression or an interval, never both. */
export function scheduleBody(form: { mode: "cron" | "every"; cron: string; timezone: string; hours: number;
  skip: boolean; catchUp: "one" | "none"; paused: boolean }) {
  const when = form.mode === "cron" ? { cron: form.cron.trim().replace(/\s+/g, " ") } : { every_hours: form.hours };
  return { ...when, timezone: form.timezone.trim() || "UTC", skip_while_running: form.skip, catch_up: form.catchUp, paused: form.paused };
}
