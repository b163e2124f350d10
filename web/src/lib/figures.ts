// The figures of a summary as people read them: one row per figure of the API's `Figures`, in
// the order and groups the tables show, with its label and how its value is written. Every
// table that names a figure (result, compare, the baseline comparison) reads it from here.
import type { Figures } from "../api/client";
import type { Key } from "../i18n";
import { formatCompact, formatMs, formatNumber, formatPercent, formatSeconds } from "./format";

export type FigureFormat = "int" | "ms" | "pct" | "num" | "sec";
type Row = { key: keyof Figures; label: Key; format: FigureFormat; group?: Key };
export const FIGURE_ROWS: Row[] = [
  { key: "total_requests", label: "fig.totalRequests", format: "int", group: "group.requests" },
  { key: "failed_requests", label: "fig.failedRequests", format: "int" },
  { key: "test_duration", label: "fig.duration", format: "sec" },
  { key: "avg_tps", label: "fig.avgTps", format: "num", group: "group.throughput" }, { key: "max_tps", label: "fig.maxTps", format: "num" },
  { key: "min_tps", label: "fig.minTps", format: "num" },
  { key: "avg_response_time", label: "fig.avg", format: "ms", group: "group.responseTime" }, { key: "min_response_time", label: "fig.min", format: "ms" },
  { key: "max_response_time", label: "fig.max", format: "ms" }, { key: "p50_response_time", label: "fig.p50", format: "ms" },
  { key: "p90_response_time", label: "fig.p90", format: "ms" }, { key: "p95_response_time", label: "fig.p95", format: "ms" },
  { key: "p99_response_time", label: "fig.p99", format: "ms" },
  { key: "avg_error_rate", label: "fig.avgErrorRate", format: "pct", group: "group.errors" }, { key: "max_error_rate", label: "fig.maxErrorRate", format: "pct" },
  { key: "min_error_rate", label: "fig.minErrorRate", format: "pct" },
  { key: "avg_vus", label: "fig.avgVus", format: "num", group: "group.vus" }, { key: "max_vus", label: "fig.maxVus", format: "num" },
  { key: "min_vus", label: "fig.minVus", format: "num" },
];

export function formatFigure(value: number | null | undefined, format: FigureFormat, locale: string): string {
  switch (format) {
    case "int": return formatNumber(value, locale);
    case "ms": return formatMs(value, locale);
    case "pct": return formatPercent(value, locale);
    case "sec": return formatSeconds(value);
    default: return formatCompact(value, locale);
  }
}


/** The group of each figure (a row names it only where the group starts). */
const GROUPS = new Map<string, Key>();
{
  let group: Key | undefined;
  for (const row of FIGURE_ROWS) { group = row.group ?? group; if (group) GROUPS.set(row.key, group); }
}

/** A figure's name on its own, out of its group's table ("Response time p95", "Avg TPS");
 *  a name this UI does not know (a figure newer than it) is shown as the API spells it. */
export function figureName(name: string, t: (key: Key) => string): string {
  const row = FIGURE_ROWS.find((r) => r.key === name);
  if (!row) return name;
  // The response-time rows are labelled "p95", "Avg"... under their group's heading.
  return GROUPS.get(name) === "group.responseTime" ? `${t("group.responseTime")} ${t(row.label)}` : t(row.label);
}

/** A value of the named figure written as its tables write it; plain significant figures when
 *  the figure is unknown. */
export function formatNamedFigure(name: string, value: number | null | undefined, locale: string): string {
  const row = FIGURE_ROWS.find((r) => r.key === name);
  return formatFigure(value, row?.format ?? "num", locale);
}
