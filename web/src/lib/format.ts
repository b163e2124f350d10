// Numbers, units and dates for people: per locale, in the viewer's time zone, "—" for no value.

export const NONE = "—";

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let format = cache.get(key);
  if (!format) cache.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

export function formatNumber(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/** Significant figures that suit the size: 0.0123, 1.23, 12.3, 123, 1,234. */
export function formatCompact(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const size = Math.abs(value);
  const digits = size === 0 || size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3;
  return formatNumber(value, locale, digits);
}

/** Milliseconds as ms under a second, else seconds: "87.4 ms", "1.25 s". */
export function formatMs(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (Math.abs(ms) >= 1000) return `${formatNumber(ms / 1000, locale, 2)} s`;
  return `${formatCompact(ms, locale)} ms`;
}

/** A fraction 0..1 as a percentage: 0.0123 → "1.23%". */
export function formatPercent(fraction: number | null | undefined, locale: string): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  const percent = fraction * 100;
  const digits = percent === 0 ? 0 : Math.abs(percent) < 1 ? 2 : 1;
  return numberFormat(locale, { style: "percent", maximumFractionDigits: digits }).format(fraction);
}

/** Seconds as h/m/s: 75 → "1m 15s", 3725 → "1h 2m 5s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  if (seconds > 0 && seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
  return [h && `${h}h`, m && `${m}m`, (s || (!h && !m)) && `${s}s`].filter(Boolean).join(" ");
}

/** The API's timestamps are UTC; one without an offset (SQLite hands some back bare) is UTC too. */
export function parseTimestamp(text: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

export function formatDateTime(text: string | null | undefined, locale: string, timeZone?: string): string {
  if (!text) return NONE;
  const date = parseTimestamp(text);
  if (Number.isNaN(date.getTime())) return NONE;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** The time of day to the second (a live alert's moment), in the viewer's time zone. */
export function formatTime(text: string | null | undefined, locale: string, timeZone?: string): string {
  if (!text) return NONE;
  const date = parseTimestamp(text);
  if (Number.isNaN(date.getTime())) return NONE;
  return new Intl.DateTimeFormat(locale, { timeStyle: "medium", timeZone }).format(date);
}

/** "3 minutes ago" in the viewer's language. */
export function formatRelative(text: string | null | undefined, locale: string, now = Date.now()): string {
  if (!text) return NONE;
  const seconds = (parseTimestamp(text).getTime() - now) / 1000;
  if (!Number.isFinite(seconds)) return NONE;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const size = Math.abs(seconds);
  if (size < 60) return format.format(Math.round(seconds), "second");
  if (size < 3600) return format.format(Math.round(seconds / 60), "minute");
  if (size < 86400) return format.format(Math.round(seconds / 3600), "hour");
  return format.format(Math.round(seconds / 86400), "day");
}

/** The relative change of a figure, signed: "+12.5%" / "−3.0%". */
export function formatChange(percent: number | null | undefined, locale: string): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return NONE;
  return numberFormat(locale, { signDisplay: "exceptZero", maximumFractionDigits: 1 }).format(percent) + "%";
}
